package openapi

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// maxInlineDepth bounds how many deep refs may be nested inside the
// targets of other deep refs; a document past it is refused rather than
// expanded without end.
const maxInlineDepth = 32

// inlineDeepRefs rewrites an OpenAPI 3 document whose internal $refs point
// inside a component rather than at one, such as PagerDuty's request body
// schema "#/components/responses/OrchestrationCacheVariableGetDataResponse/
// content/application~1json/schema/oneOf/0". JSON Reference allows any
// JSON pointer (RFC 6901), but kin-openapi reads a ref's first segments as
// the kind of object it names ("a response") and refuses the document. Each
// such ref is replaced by a copy of the value it points at, which means the
// same; refs to whole components ("#/components/schemas/Name") are left for
// the loader. It returns the data unchanged when there is nothing to do.
func inlineDeepRefs(data []byte, isJSON bool) ([]byte, error) {
	var root any
	var err error
	if isJSON {
		err = json.Unmarshal(data, &root)
	} else {
		err = yaml.Unmarshal(data, &root)
	}
	if err != nil {
		return nil, fmt.Errorf("openapi: parse document: %w", err)
	}
	if !isJSON {
		root = stringKeys(root)
	}
	in := inliner{root: root}
	out, changed, err := in.walk(root, 0, "", "")
	if err != nil {
		return nil, err
	}
	if !changed {
		return data, nil
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("openapi: encode document: %w", err)
	}
	return b, nil
}

type inliner struct {
	root any
}

// walk returns v with every deep or misplaced ref replaced, and whether it
// changed anything. want is the component kind a ref in v's place must
// name ("responses" for a response), or "" where any may stand. Examples
// and extensions are data, not schema, and are left as they are.
func (in inliner) walk(v any, depth int, key, want string) (any, bool, error) {
	if key == "example" || key == "examples" || strings.HasPrefix(key, "x-") {
		return v, false, nil
	}
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && (isDeepRef(ref) || misplaced(ref, want)) {
			if depth >= maxInlineDepth {
				return nil, false, fmt.Errorf("openapi: $ref %q: more than %d refs into components nested in one another (a cycle?)", ref, maxInlineDepth)
			}
			target, err := in.resolve(ref)
			if err != nil {
				return nil, false, err
			}
			copied, _, err := in.walk(deepCopy(target), depth+1, "", want)
			return copied, true, err
		}
		changed := false
		for k, e := range v {
			self, elems := "", ""
			if !namesMap[key] {
				self, elems = expected(k)
			}
			var ne any
			var c bool
			var err error
			if elems != "" {
				ne, c, err = in.elems(e, depth, elems)
			} else {
				ne, c, err = in.walk(e, depth, k, self)
			}
			if err != nil {
				return nil, false, err
			}
			if c {
				v[k] = ne
				changed = true
			}
		}
		return v, changed, nil
	case []any:
		changed := false
		for i, e := range v {
			ne, c, err := in.walk(e, depth, "", "")
			if err != nil {
				return nil, false, err
			}
			if c {
				v[i] = ne
				changed = true
			}
		}
		return v, changed, nil
	}
	return v, false, nil
}

// elems walks the members of a map or list whose every member must be a
// component of kind want (an operation's responses, parameters).
func (in inliner) elems(v any, depth int, want string) (any, bool, error) {
	changed := false
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["$ref"]; ok { // the map itself is a ref
			return in.walk(v, depth, "", "")
		}
		for k, e := range v {
			ne, c, err := in.walk(e, depth, "", want)
			if err != nil {
				return nil, false, err
			}
			if c {
				v[k] = ne
				changed = true
			}
		}
	case []any:
		for i, e := range v {
			ne, c, err := in.walk(e, depth, "", want)
			if err != nil {
				return nil, false, err
			}
			if c {
				v[i] = ne
				changed = true
			}
		}
	}
	return v, changed, nil
}

// namesMap holds the keys whose values are maps of names, whose keys
// therefore say nothing about what their values are (a schema property
// called "responses" is a schema).
var namesMap = map[string]bool{
	"properties": true, "patternProperties": true, "schemas": true, "$defs": true,
	"definitions": true, "securitySchemes": true, "links": true, "callbacks": true,
	"paths": true, "webhooks": true, "variables": true, "mapping": true, "encoding": true,
}

// expected says which component kind the value under key must be a ref
// to (self), or which kind each of its members must be (elems).
func expected(key string) (self, elems string) {
	switch key {
	case "requestBody":
		return "requestBodies", ""
	case "responses", "parameters", "headers", "requestBodies":
		return "", key
	case "schema", "items", "additionalProperties", "not":
		return "schemas", ""
	}
	return "", ""
}

// misplaced reports whether ref names a whole component of another kind
// than want: PagerDuty's document answers an operation with
// "#/components/requestBodies/...", which has a response's shape but
// which kin-openapi refuses in a response's place.
func misplaced(ref, want string) bool {
	if want == "" || !strings.HasPrefix(ref, "#/components/") {
		return false
	}
	kind, _, _ := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
	return kind != want
}

// isDeepRef reports whether ref is an internal ref that does not name a
// whole component: one that goes below "#/components/<kind>/<name>", or
// points anywhere else in the document ("#/paths/...").
func isDeepRef(ref string) bool {
	if !strings.HasPrefix(ref, "#/") {
		return false
	}
	segs := strings.Split(ref[2:], "/")
	return segs[0] != "components" || len(segs) > 3
}

// resolve follows the JSON pointer of an internal ref from the root:
// "~1" is "/" and "~0" is "~" (RFC 6901 §4), after the URI fragment's
// percent-decoding (§6).
func (in inliner) resolve(ref string) (any, error) {
	frag, err := url.PathUnescape(ref[1:])
	if err != nil {
		return nil, fmt.Errorf("openapi: $ref %q: %w", ref, err)
	}
	cur := in.root
	for _, seg := range strings.Split(frag[1:], "/") {
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[seg]
			if !ok {
				return nil, fmt.Errorf("openapi: $ref %q: no %q in the document", ref, seg)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("openapi: $ref %q: no element %q in the document", ref, seg)
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("openapi: $ref %q: %q is not inside an object or array", ref, seg)
		}
	}
	return cur, nil
}

// stringKeys turns YAML mappings with keys other than strings (an
// unquoted response code, 200) into objects keyed by their text, as JSON
// needs.
func stringKeys(v any) any {
	switch v := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = stringKeys(e)
		}
		return m
	case map[string]any:
		for k, e := range v {
			v[k] = stringKeys(e)
		}
	case []any:
		for i, e := range v {
			v[i] = stringKeys(e)
		}
	}
	return v
}

// deepCopy copies the maps and slices of a decoded document, so that an
// inlined value can be rewritten without changing its original.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}
