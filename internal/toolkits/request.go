package toolkits

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// UpstreamRequest is the provider API request a tool call becomes, without
// credentials: the caller adds the auth scheme's header and the toolkit's
// Headers, and joins Path to the base URL.
type UpstreamRequest struct {
	Method string
	// Path is relative to the toolkit's base URL (which an auth config may
	// override) and already escaped: join it to the base URL as a string,
	// e.g. url.Parse(base + Path), so that an escaped "/" stays escaped.
	Path string
	// Query holds the query parameters; nil when there are none.
	Query url.Values
	// Header holds the tool's own headers; nil when there are none.
	Header http.Header
	// Body is the request body, nil when there is none, with its
	// ContentType: "application/json" or
	// "application/x-www-form-urlencoded".
	Body        []byte
	ContentType string
}

// Content types of request bodies.
const (
	contentJSON = "application/json"
	contentForm = "application/x-www-form-urlencoded"
)

// BuildRequest validates args against the tool's input schema and builds
// the upstream request from them. Optional arguments that are absent (or
// null) take the schema's default, if any, and are otherwise left out of
// the request.
//
// A problem with the arguments is an *ArgsError that lists every problem by
// field; BuildRequest returns no other errors for a catalog tool.
func (t Tool) BuildRequest(args map[string]any) (UpstreamRequest, error) {
	if t.def == nil {
		return UpstreamRequest{}, fmt.Errorf("toolkits: tool %q is not from a catalog", t.Slug)
	}
	d := t.def
	if d.mcpName != "" {
		return UpstreamRequest{}, fmt.Errorf("toolkits: tool %q runs on an MCP server, not as an HTTP request", t.Slug)
	}
	fail := func(probs []ArgProblem) (UpstreamRequest, error) {
		return UpstreamRequest{}, &ArgsError{Tool: t.Slug, Problems: probs}
	}
	decoded, err := normalizeJSON(args)
	if err != nil {
		return fail([]ArgProblem{{Code: CodeType, Message: "the arguments must be a JSON object: " + err.Error()}})
	}
	var probs []ArgProblem
	if decoded == nil {
		decoded = map[string]any{}
	}
	vals := d.input.normalizeObject("", decoded, true, &probs)
	for name, s := range d.input.Properties {
		if _, ok := vals[name]; !ok && s.Default != nil {
			vals[name] = s.normalize(name, s.Default, &probs)
		}
	}
	for _, group := range d.requireAny {
		if !slices.ContainsFunc(group, func(name string) bool { _, ok := vals[name]; return ok }) {
			probs = append(probs, ArgProblem{Field: group[0], Code: CodeRequired, Message: "one of " + orList(group) + " is required"})
		}
	}
	path, pathProbs := d.fillPath(vals)
	if probs = append(probs, pathProbs...); len(probs) > 0 {
		return fail(probs)
	}

	r := UpstreamRequest{Method: d.method, Path: path}
	if q := d.params(d.query, vals, false); len(q) > 0 {
		r.Query = q
	}
	if len(d.headers) > 0 {
		r.Header = http.Header{}
		for _, k := range sortedKeys(d.headers) {
			r.Header.Set(k, literal(d.headers[k]))
		}
	}
	switch {
	case d.body != nil:
		body, ok := render(d.body, vals)
		if !ok {
			body = map[string]any{} // every member was optional and absent
		}
		r.Body, r.ContentType = marshalJSON(body), contentJSON
	case d.form != nil:
		if form := d.params(d.form, vals, true); len(form) > 0 {
			r.Body, r.ContentType = []byte(form.Encode()), contentForm
		}
	case d.graphql != "":
		body := map[string]any{"query": d.graphql}
		if d.variables != nil {
			if v, ok := render(d.variables, vals); ok {
				body["variables"] = v
			}
		}
		r.Body, r.ContentType = marshalJSON(body), contentJSON
	case d.encoder != "":
		if r.Query == nil {
			r.Query = url.Values{}
		}
		probs = append(probs, encoders[d.encoder].encode(vals, &r)...)
		if len(r.Query) == 0 {
			r.Query = nil
		}
	}
	if len(probs) > 0 {
		return fail(probs)
	}
	return r, nil
}

// normalizeJSON round-trips args through JSON, so that Go callers may pass
// ints or []string and the validator sees only what a JSON decoder yields
// (with numbers as json.Number). Arguments that are already so, as a
// request decoded with UseNumber gives them, are used as they are.
func normalizeJSON(args map[string]any) (map[string]any, error) {
	if decoded(args) {
		return args, nil
	}
	b, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// decoded reports whether v holds only what a JSON decoder with UseNumber
// yields.
func decoded(v any) bool {
	switch v := v.(type) {
	case nil, string, bool, json.Number:
		return true
	case map[string]any:
		for _, x := range v {
			if !decoded(x) {
				return false
			}
		}
		return true
	case []any:
		for _, x := range v {
			if !decoded(x) {
				return false
			}
		}
		return true
	}
	return false
}

// fillPath puts the path arguments into the path template, escaped. A value
// that would change the path's shape once a server or proxy cleans it
// ("", ".", "..") is refused rather than escaped.
func (d *toolDef) fillPath(vals map[string]any) (string, []ArgProblem) {
	if len(d.path) == 1 && d.path[0].arg == "" {
		return d.path[0].literal, nil // no placeholders: nothing to build
	}
	var b strings.Builder
	var probs []ArgProblem
	for _, part := range d.path {
		if part.arg == "" {
			b.WriteString(part.literal)
			continue
		}
		raw, ok := vals[part.arg]
		if !ok {
			continue // reported as required already
		}
		v := scalarString(raw)
		segs := []string{v}
		if part.rest {
			segs = strings.Split(strings.Trim(v, "/"), "/")
		}
		for i, seg := range segs {
			if seg == "" || seg == "." || seg == ".." {
				msg := part.arg + ` must not be empty, "." or ".."`
				if part.rest {
					msg = part.arg + ` must be a relative path without empty, "." or ".." segments`
				}
				probs = append(probs, ArgProblem{Field: part.arg, Code: CodeInvalid, Message: msg})
				break
			}
			if i > 0 {
				b.WriteByte('/')
			}
			b.WriteString(url.PathEscape(seg))
		}
	}
	return b.String(), probs
}

// params builds query or form parameters. In a form, objects and arrays
// that aren't plain lists of scalars are sent as JSON text.
func (d *toolDef) params(spec map[string]string, vals map[string]any, form bool) url.Values {
	if len(spec) == 0 {
		return nil
	}
	out := url.Values{}
	for _, k := range sortedKeys(spec) {
		name, isRef := refName(spec[k])
		if !isRef {
			out.Set(k, literal(spec[k]))
			continue
		}
		v, ok := vals[name]
		if !ok {
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			out.Set(k, string(marshalJSON(v)))
		case []any:
			if form && !isScalarArray(d.input.Properties[name]) {
				out.Set(k, string(marshalJSON(v)))
				continue
			}
			strs := make([]string, len(v))
			for i, e := range v {
				strs[i] = scalarString(e)
			}
			if d.arrays == "comma" {
				out.Set(k, strings.Join(strs, ","))
			} else {
				out[k] = strs
			}
		default:
			out.Set(k, scalarString(v))
		}
	}
	return out
}

// scalarString formats a normalized scalar for a path, query or form.
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return string(marshalJSON(v))
}

// render evaluates a template: references take the argument's value, and a
// reference to an absent argument is left out along with its key. An object
// or array all of whose references are absent is left out too, so that
// {"filter": {"value": "$kind", "property": "object"}} disappears without
// $kind. It reports whether the result is present.
func render(t any, vals map[string]any) (any, bool) {
	if !live(t, vals) {
		return nil, false
	}
	switch t := t.(type) {
	case string:
		if name, ok := refName(t); ok {
			return vals[name], true
		}
		return literal(t), true
	case []any:
		out := []any{}
		for _, e := range t {
			if v, ok := render(e, vals); ok {
				out = append(out, v)
			}
		}
		return out, true
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			if v, ok := render(e, vals); ok {
				out[k] = v
			}
		}
		return out, true
	}
	return t, true
}

// live reports whether a template has no references or at least one whose
// argument is present.
func live(t any, vals map[string]any) bool {
	refs, present := 0, 0
	walkRefs(t, func(name string) {
		refs++
		if _, ok := vals[name]; ok {
			present++
		}
	})
	return refs == 0 || present > 0
}

// marshalJSON encodes v without HTML escaping (bodies go to APIs, not to
// browsers) and without the trailing newline.
func marshalJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Values come from a JSON decoder or from encoders, so they always
		// encode.
		panic(fmt.Sprintf("toolkits: encode request body: %v", err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// sortedKeys returns m's keys in order, nil for an empty map. It is
// slices.Sorted(maps.Keys(m)) without the iterator's allocations, for the
// maps every tool call walks.
func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
