package openapi

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// node is a schema in the catalog's subset of JSON Schema (toolkits'
// schema.go): one type per node and only the keywords below.
type node struct {
	Type                 string           `json:"type"`
	Title                string           `json:"title,omitempty"`
	Description          string           `json:"description,omitempty"`
	Properties           map[string]*node `json:"properties,omitempty"`
	Required             []string         `json:"required,omitempty"`
	AdditionalProperties *bool            `json:"additionalProperties,omitempty"`
	Items                *node            `json:"items,omitempty"`
	Enum                 []any            `json:"enum,omitempty"`
	Default              any              `json:"default,omitempty"`
	Format               string           `json:"format,omitempty"`
	Minimum              *float64         `json:"minimum,omitempty"`
	Maximum              *float64         `json:"maximum,omitempty"`
	MinLength            *int             `json:"minLength,omitempty"`
	MaxLength            *int             `json:"maxLength,omitempty"`
	MinItems             *int             `json:"minItems,omitempty"`
	MaxItems             *int             `json:"maxItems,omitempty"`
}

const (
	tString  = "string"
	tInteger = "integer"
	tNumber  = "number"
	tBoolean = "boolean"
	tArray   = "array"
	tObject  = "object"
)

// propNameRE is the catalog's rule for nested property names.
var propNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func (n *node) scalar() bool {
	return n.Type != tObject && n.Type != tArray
}

func (n *node) scalarArray() bool {
	return n.Type == tArray && n.Items != nil && n.Items.scalar()
}

// converter turns OpenAPI schemas into nodes. In input mode it records
// every simplification that changes what the schema accepts or says; in
// output mode (a loose description of the answer) it records nothing, cuts
// the tree at maxDepth and drops required, enum and default.
type converter struct {
	output   bool
	maxDepth int
	notes    []string
	active   map[*openapi3.Schema]bool // on the current path, to cut cycles
}

func newConverter(output bool) *converter {
	c := &converter{output: output, active: map[*openapi3.Schema]bool{}}
	if output {
		c.maxDepth = 3
	}
	return c
}

func (c *converter) note(at, format string, args ...any) {
	if c.output {
		return
	}
	c.notes = append(c.notes, at+": "+fmt.Sprintf(format, args...))
}

// prefer chooses among the alternatives of a oneOf or anyOf that do not
// share a type. The default takes the first; parameters take the first
// scalar (or array of scalars), which a query string can carry.
type prefer func(alts []*node) int

func preferFirst([]*node) int { return 0 }

func preferScalar(alts []*node) int {
	for i, a := range alts {
		if a.scalar() {
			return i
		}
	}
	for i, a := range alts {
		if a.scalarArray() {
			return i
		}
	}
	return 0
}

// convert converts ref, whose place in the tool's input is at.
func (c *converter) convert(at string, ref *openapi3.SchemaRef, pick prefer, depth int) *node {
	if ref == nil || ref.Value == nil {
		return &node{Type: c.untyped(at)}
	}
	s := ref.Value
	if c.active[s] {
		c.note(at, "recursive schema cut here: any %s", guessType(s))
		return &node{Type: guessType(s), Description: s.Description}
	}
	c.active[s] = true
	defer delete(c.active, s)

	if len(s.AllOf) > 0 {
		s = c.mergeAllOf(at, s)
	}
	if alts := append(slices.Clone(s.OneOf), s.AnyOf...); len(alts) > 0 {
		return c.alternatives(at, s, alts, pick, depth)
	}
	return c.plain(at, s, pick, depth)
}

// mergeAllOf returns a copy of s with the members of its allOf merged in:
// properties and required are united; the first type, items, enum, format
// and description found win.
func (c *converter) mergeAllOf(at string, s *openapi3.Schema) *openapi3.Schema {
	m := *s
	m.AllOf = nil
	m.Properties = maps.Clone(s.Properties)
	m.Required = slices.Clone(s.Required)
	var add func(*openapi3.Schema, int)
	add = func(p *openapi3.Schema, depth int) {
		if depth > 16 || c.active[p] {
			return
		}
		for _, r := range p.AllOf {
			if r != nil && r.Value != nil {
				add(r.Value, depth+1)
			}
		}
		if m.Type == nil || len(m.Type.Slice()) == 0 {
			m.Type = p.Type
		} else if p.Type != nil && len(p.Type.Slice()) > 0 && !slices.Equal(m.Type.Slice(), p.Type.Slice()) {
			c.note(at, "allOf members disagree on the type (%s, %s); kept %s", strings.Join(m.Type.Slice(), "|"), strings.Join(p.Type.Slice(), "|"), strings.Join(m.Type.Slice(), "|"))
		}
		for k, v := range p.Properties {
			if m.Properties == nil {
				m.Properties = openapi3.Schemas{}
			}
			if _, ok := m.Properties[k]; !ok {
				m.Properties[k] = v
			}
		}
		for _, r := range p.Required {
			if !slices.Contains(m.Required, r) {
				m.Required = append(m.Required, r)
			}
		}
		if m.Items == nil {
			m.Items = p.Items
		}
		if m.Enum == nil {
			m.Enum = p.Enum
		}
		if m.Format == "" {
			m.Format = p.Format
		}
		if m.Description == "" {
			m.Description = p.Description
		}
		if m.AdditionalProperties.Has == nil && m.AdditionalProperties.Schema == nil {
			m.AdditionalProperties = p.AdditionalProperties
		}
		m.OneOf = append(m.OneOf, p.OneOf...)
		m.AnyOf = append(m.AnyOf, p.AnyOf...)
	}
	for _, r := range s.AllOf {
		if r != nil && r.Value != nil {
			add(r.Value, 0)
		}
	}
	if len(s.AllOf) > 1 || len(s.Properties) > 0 {
		// allOf [one $ref] is only a wrapper, often to add a description.
		c.note(at, "allOf of %d schemas merged into one", len(s.AllOf))
	}
	return &m
}

// alternatives converts a oneOf or anyOf: alternatives that share one type
// are merged; otherwise one is chosen, and the description says so.
func (c *converter) alternatives(at string, s *openapi3.Schema, refs openapi3.SchemaRefs, pick prefer, depth int) *node {
	var alts []*node
	for _, r := range refs {
		if r != nil && r.Value != nil && emptyStringOnly(r.Value) {
			// Stripe's anyOf [..., {"type": "string", "enum": [""]}] lets a
			// caller send "" to unset a field.
			c.note(at, `the empty-string alternative (sent to unset a value) dropped`)
			continue
		}
		if r != nil && r.Value != nil && r.Value.Type.Is(openapi3.TypeNull) {
			continue // null means "not given" to the catalog, as nullable does
		}
		if r != nil && r.Value != nil && len(s.Type.Slice()) > 0 && guessType(r.Value) == "" && len(r.Value.AllOf)+len(r.Value.OneOf)+len(r.Value.AnyOf) == 0 {
			// An alternative that only adds constraints to the schema's own
			// type, such as GitHub's anyOf [{required: [description]},
			// {required: [files]}].
			c.note(at, "a constraint-only alternative dropped (it names no type; the schema is %s)", strings.Join(s.Type.Slice(), "|"))
			continue
		}
		alts = append(alts, c.convert(at, r, pick, depth))
	}
	// The schema's own keywords beside oneOf (a type, properties, a
	// description) describe every alternative.
	own := *s
	own.OneOf, own.AnyOf = nil, nil
	hasOwn := own.Type != nil && len(own.Type.Slice()) > 0 || len(own.Properties) > 0
	if len(alts) == 0 {
		return c.plain(at, &own, pick, depth)
	}
	var out *node
	types := map[string]bool{}
	for _, a := range alts {
		types[a.Type] = true
	}
	switch {
	case len(alts) == 1:
		out = alts[0]
	case len(types) == 1:
		out = mergeSameType(alts)
		c.note(at, "%d %s alternatives (oneOf/anyOf) merged into one", len(alts), out.Type)
	default:
		i := pick(alts)
		out = alts[i]
		names := make([]string, len(alts))
		for j, a := range alts {
			names[j] = a.Type
		}
		c.note(at, "oneOf/anyOf (%s) narrowed to the %s alternative", strings.Join(names, " | "), out.Type)
		if !c.output {
			out.Description = strings.TrimSpace(out.Description + " (The API also accepts other shapes: " + strings.Join(names, " | ") + "; this tool sends the " + out.Type + " one.)")
		}
	}
	if hasOwn {
		base := c.plain(at, &own, pick, depth)
		if base.Type == out.Type && base.Type == tObject {
			for k, v := range base.Properties {
				if out.Properties == nil {
					out.Properties = map[string]*node{}
				}
				if _, ok := out.Properties[k]; !ok {
					out.Properties[k] = v
				}
			}
		}
	}
	if s.Description != "" && !strings.Contains(out.Description, s.Description) {
		out.Description = strings.TrimSpace(s.Description + " " + out.Description)
	}
	if s.Title != "" && out.Title == "" {
		out.Title = s.Title
	}
	return out
}

// emptyStringOnly reports whether s accepts only "".
func emptyStringOnly(s *openapi3.Schema) bool {
	return len(s.Enum) == 1 && s.Enum[0] == "" && (s.Type == nil || s.Type.Is(openapi3.TypeString))
}

// mergeSameType merges alternatives of one type: objects unite their
// properties (none is required), a property that several alternatives
// share with one type merged the same way (OpenAI's chat messages share
// role, each alternative with its own one-member enum), scalars keep an
// enum only if every alternative has one, arrays keep the first's items.
func mergeSameType(alts []*node) *node {
	out := *alts[0]
	if alts[0].Properties != nil {
		out.Properties = maps.Clone(alts[0].Properties)
	}
	out.Required = nil
	out.Default = nil
	var descs []string
	for _, a := range alts {
		if a.Description != "" && !slices.Contains(descs, a.Description) {
			descs = append(descs, a.Description)
		}
	}
	out.Description = strings.Join(descs, " Or: ")
	enumAll := true
	for _, a := range alts[1:] {
		for k, v := range a.Properties {
			if out.Properties == nil {
				out.Properties = map[string]*node{}
			}
			switch have, ok := out.Properties[k]; {
			case !ok:
				out.Properties[k] = v
			case have != v && have.Type == v.Type:
				out.Properties[k] = mergeSameType([]*node{have, v})
			}
		}
		if len(a.Enum) == 0 {
			enumAll = false
		}
		for _, e := range a.Enum {
			if !slices.ContainsFunc(out.Enum, func(x any) bool { return reflect.DeepEqual(x, e) }) {
				out.Enum = append(out.Enum, e)
			}
		}
		if a.Format != out.Format {
			out.Format = ""
		}
		out.Minimum, out.Maximum, out.MinLength, out.MaxLength, out.MinItems, out.MaxItems = nil, nil, nil, nil, nil, nil
	}
	if !enumAll || len(alts[0].Enum) == 0 {
		out.Enum = nil
	}
	if out.AdditionalProperties != nil && !*out.AdditionalProperties {
		out.AdditionalProperties = nil
	}
	return &out
}

// guessType is the type of a schema that names none: object for one with
// properties, array for one with items, the enum's type, or object.
func guessType(s *openapi3.Schema) string {
	if t := s.Type.Slice(); len(t) > 0 {
		for _, x := range t {
			if x != openapi3.TypeNull {
				return x
			}
		}
	}
	switch {
	case len(s.Properties) > 0 || s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil:
		return tObject
	case s.Items != nil:
		return tArray
	case len(s.Enum) > 0:
		return valueType(s.Enum[0])
	case s.Const != nil:
		return valueType(s.Const)
	}
	return ""
}

func valueType(v any) string {
	switch v := v.(type) {
	case string:
		return tString
	case bool:
		return tBoolean
	case float64:
		if v == math.Trunc(v) {
			return tInteger
		}
		return tNumber
	case int, int64:
		return tInteger
	case []any:
		return tArray
	case map[string]any:
		return tObject
	}
	return tString
}

// untyped is the type given to a schema that says nothing about its
// values: string in input (what a query or form carries), object in output.
func (c *converter) untyped(at string) string {
	if c.output {
		return tObject
	}
	c.note(at, "no type given; taken as a string")
	return tString
}

// plain converts a schema without allOf, oneOf or anyOf.
func (c *converter) plain(at string, s *openapi3.Schema, pick prefer, depth int) *node {
	typ := ""
	var types []string
	for _, t := range s.Type.Slice() {
		if t != openapi3.TypeNull {
			types = append(types, t)
		}
	}
	switch {
	case len(types) == 1:
		typ = types[0]
	case len(types) > 1:
		typ = types[0]
		c.note(at, "type %s narrowed to %s", strings.Join(types, "|"), typ)
	default:
		typ = guessType(s)
		if typ == "" {
			typ = c.untyped(at)
		}
	}
	n := &node{Type: typ, Title: s.Title, Description: s.Description}
	if c.output && depth >= c.maxDepth {
		return n
	}
	var dropped []string
	drop := func(cond bool, kw string) {
		if cond {
			dropped = append(dropped, kw)
		}
	}
	switch typ {
	case tString:
		n.Format = s.Format
		if s.MinLength > 0 {
			n.MinLength = ptr(int(min(s.MinLength, math.MaxInt32)))
		}
		if s.MaxLength != nil {
			n.MaxLength = ptr(int(min(*s.MaxLength, math.MaxInt32)))
		}
		drop(s.Pattern != "", "pattern")
	case tInteger, tNumber:
		n.Minimum, n.Maximum = s.Min, s.Max
		if v := s.ExclusiveMin.Value; v != nil && n.Minimum == nil {
			n.Minimum = v
		}
		if v := s.ExclusiveMax.Value; v != nil && n.Maximum == nil {
			n.Maximum = v
		}
		drop(s.ExclusiveMin.Value != nil || s.ExclusiveMin.Bool != nil && *s.ExclusiveMin.Bool, "exclusiveMinimum (kept as an inclusive minimum)")
		drop(s.ExclusiveMax.Value != nil || s.ExclusiveMax.Bool != nil && *s.ExclusiveMax.Bool, "exclusiveMaximum (kept as an inclusive maximum)")
		drop(s.MultipleOf != nil, "multipleOf")
		if n.Minimum != nil && n.Maximum != nil && *n.Minimum > *n.Maximum {
			n.Minimum, n.Maximum = nil, nil
			dropped = append(dropped, "minimum above maximum")
		}
	case tArray:
		if s.Items != nil {
			n.Items = c.convert(at+"[]", s.Items, pick, depth+1)
		}
		if s.MinItems > 0 {
			n.MinItems = ptr(int(min(s.MinItems, math.MaxInt32)))
		}
		if s.MaxItems != nil {
			n.MaxItems = ptr(int(min(*s.MaxItems, math.MaxInt32)))
		}
		drop(s.UniqueItems, "uniqueItems")
		drop(len(s.PrefixItems) > 0, "prefixItems")
		drop(s.Contains != nil, "contains")
	case tObject:
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			p := s.Properties[name]
			if p == nil || p.Value == nil {
				continue
			}
			if c.output && p.Value.WriteOnly || !c.output && p.Value.ReadOnly {
				continue // readOnly properties are never sent, writeOnly never returned
			}
			if !propNameRE.MatchString(name) {
				c.note(at, "property %q dropped: the catalog's property names match %s", name, propNameRE)
				continue
			}
			if n.Properties == nil {
				n.Properties = map[string]*node{}
			}
			n.Properties[name] = c.convert(at+"."+name, p, pick, depth+1)
		}
		if !c.output {
			for _, r := range s.Required {
				if _, ok := n.Properties[r]; ok && !slices.Contains(n.Required, r) {
					n.Required = append(n.Required, r)
				}
			}
		}
		if h := s.AdditionalProperties.Has; h != nil && !*h && s.AdditionalProperties.Schema == nil && !c.output {
			n.AdditionalProperties = ptr(false)
		}
		drop(s.AdditionalProperties.Schema != nil && s.AdditionalProperties.Schema.Value != nil && len(s.Properties) == 0 && !isEmptySchema(s.AdditionalProperties.Schema.Value), "additionalProperties schema")
		drop(len(s.PatternProperties) > 0, "patternProperties")
		drop(s.MinProps > 0 || s.MaxProps != nil, "minProperties/maxProperties")
		drop(len(s.DependentRequired) > 0, "dependentRequired")
	}
	drop(s.Not != nil, "not")
	drop(s.If != nil, "if/then/else")
	if len(dropped) > 0 {
		c.note(at, "dropped %s, which the catalog's schemas cannot express", strings.Join(dropped, ", "))
	}
	if c.output {
		return n
	}
	// Enum members and defaults that the catalog would refuse (a null, a
	// value of the wrong type) are dropped; a schema whose enum loses every
	// member accepts any value of its type.
	enum := s.Enum
	if s.Const != nil {
		enum = []any{s.Const}
	}
	var members []any
	for _, e := range enum {
		if fits(n, e) {
			members = append(members, e)
		} else if e != nil {
			c.note(at, "enum member %s dropped: it does not fit the %s schema", short(e), n.Type)
		}
	}
	n.Enum = members
	if s.Default != nil {
		if fits(n, s.Default) {
			n.Default = s.Default
		} else {
			c.note(at, "default %s dropped: it does not fit the schema", short(s.Default))
		}
	}
	return n
}

func isEmptySchema(s *openapi3.Schema) bool {
	return s.Type == nil && len(s.Properties) == 0 && s.Items == nil && len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) == 0
}

func ptr[T any](v T) *T { return &v }

func short(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// fits reports whether v, a decoded JSON value, is valid against n as the
// catalog's validator checks it (type, enum, bounds, lengths, items,
// required and closed properties).
func fits(n *node, v any) bool {
	switch n.Type {
	case tString:
		s, ok := v.(string)
		if !ok {
			return false
		}
		l := utf8.RuneCountInString(s)
		if n.MinLength != nil && l < *n.MinLength || n.MaxLength != nil && l > *n.MaxLength {
			return false
		}
	case tInteger, tNumber:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case int:
			f = float64(x)
		case int64:
			f = float64(x)
		default:
			return false
		}
		if n.Type == tInteger && (f != math.Trunc(f) || math.Abs(f) > 1<<53) {
			return false
		}
		if n.Minimum != nil && f < *n.Minimum || n.Maximum != nil && f > *n.Maximum {
			return false
		}
	case tBoolean:
		if _, ok := v.(bool); !ok {
			return false
		}
	case tArray:
		a, ok := v.([]any)
		if !ok {
			return false
		}
		if n.MinItems != nil && len(a) < *n.MinItems || n.MaxItems != nil && len(a) > *n.MaxItems {
			return false
		}
		if n.Items != nil {
			for _, e := range a {
				if !fits(n.Items, e) {
					return false
				}
			}
		}
	case tObject:
		o, ok := v.(map[string]any)
		if !ok {
			return false
		}
		for _, r := range n.Required {
			if o[r] == nil {
				return false
			}
		}
		for k, e := range o {
			p, ok := n.Properties[k]
			switch {
			case ok && e != nil && !fits(p, e):
				return false
			case !ok && n.AdditionalProperties != nil && !*n.AdditionalProperties:
				return false
			}
		}
	default:
		return false
	}
	if len(n.Enum) > 0 && !slices.ContainsFunc(n.Enum, func(e any) bool { return reflect.DeepEqual(e, v) }) {
		return false
	}
	return true
}
