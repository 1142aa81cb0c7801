package toolkits

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// schema is the subset of JSON Schema that tool definitions use for their
// input and output parameters. Decoding rejects every other keyword, so a
// definition never promises a check that the validator doesn't make.
//
// Every node has a single "type" among the JSON Schema types below; the
// official SDKs reject schemas whose nested types are anything else.
type schema struct {
	Type        string             `json:"type"`
	Title       string             `json:"title,omitempty"`
	Description string             `json:"description,omitempty"`
	Properties  map[string]*schema `json:"properties,omitempty"`
	Required    []string           `json:"required,omitempty"`
	// AdditionalProperties says whether an object may have properties
	// beyond Properties. Nested objects allow them unless it is false, as
	// JSON Schema has it; a tool's top-level arguments allow them only if
	// it is true, so that a misspelt argument is reported, not dropped.
	AdditionalProperties *bool    `json:"additionalProperties,omitempty"`
	Items                *schema  `json:"items,omitempty"`
	Enum                 []any    `json:"enum,omitempty"`
	Default              any      `json:"default,omitempty"`
	Examples             []any    `json:"examples,omitempty"`
	Format               string   `json:"format,omitempty"`
	Minimum              *float64 `json:"minimum,omitempty"`
	Maximum              *float64 `json:"maximum,omitempty"`
	MinLength            *int     `json:"minLength,omitempty"`
	MaxLength            *int     `json:"maxLength,omitempty"`
	MinItems             *int     `json:"minItems,omitempty"`
	MaxItems             *int     `json:"maxItems,omitempty"`
}

// The JSON Schema types a node may have.
const (
	typeString  = "string"
	typeInteger = "integer"
	typeNumber  = "number"
	typeBoolean = "boolean"
	typeArray   = "array"
	typeObject  = "object"
)

var (
	schemaTypes = []string{typeString, typeInteger, typeNumber, typeBoolean, typeArray, typeObject}
	argNameRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// propNameRE is looser than argNameRE: nested objects mirror upstream
	// shapes, whose keys may have dashes.
	propNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
)

// decodeSchema parses raw strictly: unknown keywords and trailing data are
// errors, and numbers stay json.Number so that integers are exact.
func decodeSchema(raw json.RawMessage) (*schema, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var s schema
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return &s, nil
}

// check adds every problem with the schema node s at path at.
func (s *schema) check(p *problems, at string) {
	if !slices.Contains(schemaTypes, s.Type) {
		p.add(at+".type", "must be one of %s, got %q", strings.Join(schemaTypes, ", "), s.Type)
		return
	}
	if s.Type != typeObject && (s.Properties != nil || s.Required != nil || s.AdditionalProperties != nil) {
		p.add(at, "properties, required and additionalProperties are only allowed with type object")
	}
	if s.Type != typeArray && (s.Items != nil || s.MinItems != nil || s.MaxItems != nil) {
		p.add(at, "items, minItems and maxItems are only allowed with type array")
	}
	if s.Type != typeString && (s.MinLength != nil || s.MaxLength != nil || s.Format != "") {
		p.add(at, "minLength, maxLength and format are only allowed with type string")
	}
	if s.Type != typeInteger && s.Type != typeNumber && (s.Minimum != nil || s.Maximum != nil) {
		p.add(at, "minimum and maximum are only allowed with type integer or number")
	}
	if s.Minimum != nil && s.Maximum != nil && *s.Minimum > *s.Maximum {
		p.add(at, "minimum is above maximum")
	}
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		if !propNameRE.MatchString(name) {
			p.add(at+".properties", "%q is not a valid property name", name)
		}
		if s.Properties[name] == nil {
			p.add(at+".properties."+name, "must be a schema, not null")
			continue
		}
		s.Properties[name].check(p, at+".properties."+name)
	}
	seen := map[string]bool{}
	for _, r := range s.Required {
		if _, ok := s.Properties[r]; !ok {
			p.add(at+".required", "names %q, which is not in properties", r)
		}
		if seen[r] {
			p.add(at+".required", "lists %q twice", r)
		}
		seen[r] = true
	}
	if s.Items != nil {
		s.Items.check(p, at+".items")
	}
	// Values in the schema itself must fit it: an enum member or a default
	// that the validator would refuse is a broken definition.
	for i, v := range s.Enum {
		if probs := s.withoutEnum().validate(fmt.Sprintf("enum[%d]", i), v); len(probs) > 0 {
			p.add(at+".enum", "%s", probs[0].Message)
		}
	}
	if s.Default != nil {
		if probs := s.validate("default", s.Default); len(probs) > 0 {
			p.add(at+".default", "%s", probs[0].Message)
		}
	}
	for i, v := range s.Examples {
		if probs := s.validate(fmt.Sprintf("examples[%d]", i), v); len(probs) > 0 {
			p.add(at+".examples", "%s", probs[0].Message)
		}
	}
}

func (s *schema) withoutEnum() *schema {
	c := *s
	c.Enum = nil
	return &c
}

// validate checks v against s and returns every problem, each naming its
// field by path (as "attendees[1]" or "filter.property").
func (s *schema) validate(path string, v any) []ArgProblem {
	var probs []ArgProblem
	s.normalize(path, v, &probs)
	return probs
}

// normalize checks v against s like validate and returns v in the form that
// requests are built from: integers as int64, other numbers as json.Number,
// and null members of objects removed (an agent's null means "not given").
func (s *schema) normalize(path string, v any, probs *[]ArgProblem) any {
	bad := func(code, format string, args ...any) any {
		*probs = append(*probs, ArgProblem{Field: path, Code: code, Message: fieldName(path) + " " + fmt.Sprintf(format, args...)})
		return nil
	}
	var out any
	switch s.Type {
	case typeString:
		str, ok := v.(string)
		if !ok {
			return bad(CodeType, "must be a string, got %s", jsonKind(v))
		}
		n := utf8.RuneCountInString(str)
		switch {
		case s.MinLength != nil && n < *s.MinLength && *s.MinLength == 1:
			return bad(CodeLength, "must not be empty")
		case s.MinLength != nil && n < *s.MinLength:
			return bad(CodeLength, "must be at least %d characters long", *s.MinLength)
		case s.MaxLength != nil && n > *s.MaxLength:
			return bad(CodeLength, "must be at most %d characters long, got %d", *s.MaxLength, n)
		}
		out = str
	case typeInteger:
		i, ok := asInt(v)
		if !ok {
			return bad(CodeType, "must be an integer, got %s", jsonKind(v))
		}
		if msg := s.checkRange(float64(i)); msg != "" {
			return bad(CodeRange, "%s", msg)
		}
		out = i
	case typeNumber:
		f, num, ok := asNumber(v)
		if !ok {
			return bad(CodeType, "must be a number, got %s", jsonKind(v))
		}
		if msg := s.checkRange(f); msg != "" {
			return bad(CodeRange, "%s", msg)
		}
		out = num
	case typeBoolean:
		b, ok := v.(bool)
		if !ok {
			return bad(CodeType, "must be true or false, got %s", jsonKind(v))
		}
		out = b
	case typeArray:
		arr, ok := v.([]any)
		if !ok {
			return bad(CodeType, "must be an array, got %s", jsonKind(v))
		}
		switch {
		case s.MinItems != nil && len(arr) < *s.MinItems:
			return bad(CodeItems, "must have at least %d item(s), got %d", *s.MinItems, len(arr))
		case s.MaxItems != nil && len(arr) > *s.MaxItems:
			return bad(CodeItems, "must have at most %d items, got %d", *s.MaxItems, len(arr))
		}
		res := make([]any, len(arr))
		for i, item := range arr {
			if s.Items == nil {
				res[i] = item
				continue
			}
			res[i] = s.Items.normalize(fmt.Sprintf("%s[%d]", path, i), item, probs)
		}
		out = res
	case typeObject:
		obj, ok := v.(map[string]any)
		if !ok {
			return bad(CodeType, "must be an object, got %s", jsonKind(v))
		}
		out = s.normalizeObject(path, obj, path == "", probs)
	}
	if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return sameValue(e, out) }) {
		return bad(CodeEnum, "must be one of %s%s", enumList(s.Enum), got(out))
	}
	return out
}

// normalizeObject checks the members of obj. top marks a tool's arguments,
// where unknown members are refused unless AdditionalProperties is true.
func (s *schema) normalizeObject(path string, obj map[string]any, top bool, probs *[]ArgProblem) map[string]any {
	out := make(map[string]any, len(obj))
	for _, r := range s.Required {
		if v, ok := obj[r]; !ok || v == nil {
			f := joinPath(path, r)
			*probs = append(*probs, ArgProblem{Field: f, Code: CodeRequired, Message: f + " is required"})
		}
	}
	closed := s.AdditionalProperties != nil && !*s.AdditionalProperties || top && s.AdditionalProperties == nil
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		if v == nil {
			continue
		}
		f := joinPath(path, k)
		ps, ok := s.Properties[k]
		switch {
		case ok:
			if nv := ps.normalize(f, v, probs); nv != nil {
				out[k] = nv
			}
		case closed:
			msg := f + " is not a known parameter"
			if len(s.Properties) > 0 {
				msg += "; the parameters are " + strings.Join(slices.Sorted(maps.Keys(s.Properties)), ", ")
			}
			*probs = append(*probs, ArgProblem{Field: f, Code: CodeUnknown, Message: msg})
		default:
			out[k] = v
		}
	}
	return out
}

func (s *schema) checkRange(f float64) string {
	switch {
	case s.Minimum != nil && f < *s.Minimum:
		return "must be at least " + strconv.FormatFloat(*s.Minimum, 'f', -1, 64)
	case s.Maximum != nil && f > *s.Maximum:
		return "must be at most " + strconv.FormatFloat(*s.Maximum, 'f', -1, 64)
	}
	return ""
}

// asInt reads an integer from a decoded JSON number; 3.0 counts, 3.5 doesn't.
func asInt(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func asNumber(v any) (float64, json.Number, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, n, err == nil
	case int64:
		return float64(n), json.Number(strconv.FormatInt(n, 10)), true
	}
	return 0, "", false
}

// sameValue compares an enum member with a normalized value.
func sameValue(enum, v any) bool {
	if i, ok := asInt(enum); ok {
		if j, ok := v.(int64); ok {
			return i == j
		}
	}
	if a, _, ok := asNumber(enum); ok {
		if b, _, ok := asNumber(v); ok {
			return a == b
		}
	}
	return reflect.DeepEqual(enum, v)
}

func enumList(enum []any) string {
	parts := make([]string, len(enum))
	for i, e := range enum {
		b, _ := json.Marshal(e)
		parts[i] = string(b)
	}
	return strings.Join(parts, ", ")
}

// got describes a short value for an error message; long values are left
// out, since arguments can be long text.
func got(v any) string {
	b, err := json.Marshal(v)
	if err != nil || len(b) > 40 {
		return ""
	}
	return ", got " + string(b)
}

// jsonKind names the JSON type of a decoded value, with its article.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, int64, float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fieldName is how a message names the field at path.
func fieldName(path string) string {
	if path == "" {
		return "the arguments"
	}
	return path
}

// Codes of ArgProblem.
const (
	CodeRequired = "required" // a required argument is missing or null
	CodeType     = "type"     // the value has the wrong JSON type
	CodeEnum     = "enum"     // the value is not one of the allowed values
	CodeUnknown  = "unknown"  // the tool has no such parameter
	CodeRange    = "range"    // a number is out of range
	CodeLength   = "length"   // a string is too short or too long
	CodeItems    = "items"    // an array has too few or too many items
	CodeInvalid  = "invalid"  // the value has the right type but can't be used
)

// ArgProblem is one thing wrong with a tool call's arguments.
type ArgProblem struct {
	// Field is the argument's path, such as "recipient_email" or
	// "attendees[1]"; empty for the arguments as a whole.
	Field string `json:"field"`
	// Code classifies the problem: one of the Code constants.
	Code string `json:"code"`
	// Message is a sentence that names Field and says what to change. It
	// quotes a value only when it is short.
	Message string `json:"message"`
}

// ArgsError reports arguments that don't fit a tool's input schema, or that
// its request can't be built from. It lists every problem found, so that an
// agent can fix them all in one go.
type ArgsError struct {
	Tool     string
	Problems []ArgProblem
}

// Error joins the problems' messages. It doesn't repeat the tool's slug,
// which callers usually have already said.
func (e *ArgsError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "; ")
}
