package toolkits

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// toolSlugNoteRE matches the tool slug that field names add after an
// index, as in "tools[3] (GITHUB_GET_AN_ISSUE)".
var toolSlugNoteRE = regexp.MustCompile(`\] \([^)]*\)`)

// maxDepth bounds the nesting of a file, so that a hostile one cannot
// exhaust the stack.
const maxDepth = 64

// jsonLines reads a JSON file token by token and returns the line of every
// value, by JSON pointer, or the problems that make it no single JSON
// object: a syntax error, a duplicate key (which encoding/json would
// silently resolve to the last), a value after the first.
func jsonLines(name string, data []byte) (map[string]int, Problems) {
	lines := map[string]int{}
	var ps Problems
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var lc lineCounter
	at := func() int { return lc.at(data, skipSeparators(data, int(dec.InputOffset()))) }
	fail := func(err error) Problems {
		line := at()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = lineAt(data, int(se.Offset))
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return append(ps, Problem{File: name, Line: lineAt(data, len(data)), Message: "the JSON ends too early"})
		}
		return append(ps, Problem{File: name, Line: line, Message: strings.TrimPrefix(err.Error(), "json: ")})
	}
	var walk func(ptr string, depth int) error
	walk = func(ptr string, depth int) error {
		if depth > maxDepth {
			return fmt.Errorf("nests deeper than %d levels", maxDepth)
		}
		if _, ok := lines[ptr]; !ok {
			lines[ptr] = at()
		}
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				line := at()
				tok, err := dec.Token()
				if err != nil {
					return err
				}
				key := tok.(string)
				child := ptr + "/" + escapePointer(key)
				if seen[key] {
					ps = append(ps, Problem{File: name, Line: line, Pointer: child, Field: pointerField(child), Message: "is given twice"})
				}
				seen[key] = true
				lines[child] = line // the key's line, where the value starts
				if err := walk(child, depth+1); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(ptr+"/"+strconv.Itoa(i), depth+1); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, Problems{{File: name, Line: 1, Message: "is empty: want one JSON object"}}
	}
	if err := walk("", 0); err != nil {
		return nil, fail(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, append(ps, Problem{File: name, Line: at(), Message: "has more than one JSON value: want exactly one object"})
	}
	return lines, ps
}

// skipSeparators returns the offset of the first byte at or after i that
// is not white space, a comma or a colon: where the next token starts.
func skipSeparators(data []byte, i int) int {
	for i < len(data) && strings.IndexByte(" \t\r\n,:", data[i]) >= 0 {
		i++
	}
	return i
}

// lineAt returns the line, from 1, of byte offset i.
func lineAt(data []byte, i int) int {
	return bytes.Count(data[:min(i, len(data))], []byte("\n")) + 1
}

// lineCounter finds the lines of offsets that mostly increase, as a
// decoder's do, counting only the newlines since the previous offset
// rather than from the start each time, which made a file's parse
// quadratic in its size.
type lineCounter struct {
	offset, newlines int
}

// at returns the line, from 1, of byte offset i of data.
func (c *lineCounter) at(data []byte, i int) int {
	i = min(i, len(data))
	if i < c.offset {
		c.offset, c.newlines = 0, 0
	}
	c.newlines += bytes.Count(data[c.offset:i], []byte("\n"))
	c.offset = i
	return c.newlines + 1
}

// yamlLineRE finds the line that yaml's error messages name.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// maxYAMLOutput bounds the JSON a YAML file expands to through aliases, so
// that a "billion laughs" file cannot exhaust memory.
const maxYAMLOutput = 64 << 20

// yamlToJSON converts a YAML file, one document holding one mapping, into
// the JSON text of the same value, keeping the order of keys, and returns
// the line of every value by JSON pointer. YAML's types map to JSON's:
// strings (timestamps stay the text written), integers and floats
// (numbers), booleans and null. Duplicate keys and merge keys ("<<") are
// problems; aliases are expanded.
func yamlToJSON(name string, data []byte) ([]byte, map[string]int, Problems) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, Problems{{File: name, Line: 1, Message: "is empty: want one YAML mapping"}}
		}
		return nil, nil, Problems{yamlProblem(name, err)}
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		line := next.Line
		if err != nil {
			return nil, nil, Problems{yamlProblem(name, err)}
		}
		return nil, nil, Problems{{File: name, Line: line, Message: "has more than one YAML document: want exactly one"}}
	}
	c := yamlConverter{name: name, lines: map[string]int{}}
	c.value("", &doc, 0)
	if c.buf.Len() > maxYAMLOutput {
		return nil, nil, Problems{{File: name, Message: fmt.Sprintf("expands to more than %d MiB through aliases", maxYAMLOutput>>20)}}
	}
	if len(c.ps) > 0 {
		return nil, nil, c.ps
	}
	return c.buf.Bytes(), c.lines, nil
}

func yamlProblem(name string, err error) Problem {
	msg := err.Error()
	p := Problem{File: name}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	p.Message = strings.TrimPrefix(msg, "yaml: ")
	return p
}

type yamlConverter struct {
	name  string
	buf   bytes.Buffer
	lines map[string]int
	ps    Problems
}

func (c *yamlConverter) fail(ptr string, line int, format string, args ...any) {
	c.ps = append(c.ps, Problem{File: c.name, Line: line, Pointer: ptr, Field: pointerField(ptr), Message: fmt.Sprintf(format, args...)})
}

func (c *yamlConverter) value(ptr string, n *yaml.Node, depth int) {
	if depth > maxDepth {
		c.fail(ptr, n.Line, "nests deeper than %d levels", maxDepth)
		return
	}
	if c.buf.Len() > maxYAMLOutput {
		return
	}
	if _, ok := c.lines[ptr]; !ok {
		c.lines[ptr] = n.Line
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			c.fail(ptr, n.Line, "is empty: want one YAML mapping")
			return
		}
		c.value(ptr, n.Content[0], depth)
	case yaml.AliasNode:
		c.value(ptr, n.Alias, depth+1)
	case yaml.MappingNode:
		c.buf.WriteByte('{')
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode {
				k = k.Alias
			}
			child := ptr + "/" + escapePointer(k.Value)
			switch {
			case k.Kind != yaml.ScalarNode:
				c.fail(ptr, k.Line, "has a key that is not a plain value")
				continue
			case k.ShortTag() == "!!merge":
				c.fail(ptr, k.Line, "uses a merge key (<<), which the format does not support: write the keys out")
				continue
			case seen[k.Value]:
				c.fail(child, k.Line, "is given twice")
				continue
			}
			seen[k.Value] = true
			if len(seen) > 1 {
				c.buf.WriteByte(',')
			}
			c.str(k.Value)
			c.buf.WriteByte(':')
			c.lines[child] = k.Line
			c.value(child, v, depth+1)
		}
		c.buf.WriteByte('}')
	case yaml.SequenceNode:
		c.buf.WriteByte('[')
		for i, e := range n.Content {
			if i > 0 {
				c.buf.WriteByte(',')
			}
			c.value(ptr+"/"+strconv.Itoa(i), e, depth+1)
		}
		c.buf.WriteByte(']')
	case yaml.ScalarNode:
		c.scalar(ptr, n)
	default:
		c.fail(ptr, n.Line, "is not a YAML value the format knows")
	}
}

func (c *yamlConverter) scalar(ptr string, n *yaml.Node) {
	switch n.ShortTag() {
	case "!!str", "!!timestamp":
		c.str(n.Value)
	case "!!null":
		c.buf.WriteString("null")
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			c.fail(ptr, n.Line, "%v", err)
			return
		}
		c.buf.WriteString(strconv.FormatBool(b))
	case "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			c.fail(ptr, n.Line, "%v", err)
			return
		}
		switch v := v.(type) {
		case int:
			c.buf.WriteString(strconv.Itoa(v))
		case int64:
			c.buf.WriteString(strconv.FormatInt(v, 10))
		case uint64:
			c.buf.WriteString(strconv.FormatUint(v, 10))
		case float64:
			if math.IsInf(v, 0) || math.IsNaN(v) {
				c.fail(ptr, n.Line, "is %s, which JSON cannot hold", n.Value)
				return
			}
			c.buf.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		default:
			c.fail(ptr, n.Line, "is a number of an unexpected kind %T", v)
		}
	default:
		c.fail(ptr, n.Line, "has the YAML tag %s, which JSON has no value for: quote it", n.ShortTag())
	}
}

func (c *yamlConverter) str(s string) {
	enc := json.NewEncoder(&c.buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)                   // a string always encodes
	c.buf.Truncate(c.buf.Len() - 1) // Encode's newline
}

// checkShape decodes the JSON text of a file into d after checking that
// every key is a field of the format and every value has its field's type,
// so that each such problem names its pointer and line (encoding/json
// names neither for an unknown field).
func checkShape(name string, js []byte, lines map[string]int, d *Definition) Problems {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Problems{{File: name, Message: err.Error()}}
	}
	var ps Problems
	shape(v, reflect.TypeFor[Definition](), "", func(ptr, msg string) {
		ps = append(ps, Problem{File: name, Line: lineOf(lines, ptr), Pointer: ptr, Field: pointerField(ptr), Message: msg})
	})
	if len(ps) > 0 {
		return ps
	}
	dec = json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(d); err != nil { // shape lets nothing through that fails here
		return Problems{{File: name, Message: err.Error()}}
	}
	return nil
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// shape reports, through bad, every value of v (decoded JSON) that does
// not fit the Go type t at JSON pointer ptr. json.RawMessage fields take
// any value: their own checks follow. null fits anything, as encoding/json
// has it; the validation then finds the field empty.
func shape(v any, t reflect.Type, ptr string, bad func(ptr, msg string)) {
	if v == nil || t == rawMessageType {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			bad(ptr, "must be an object, got "+jsonKind(v))
			return
		}
		fields := jsonFields(t)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			ft, ok := fields[k]
			if !ok {
				bad(ptr+"/"+escapePointer(k), fmt.Sprintf("unknown field %q", k))
				continue
			}
			shape(obj[k], ft, ptr+"/"+escapePointer(k), bad)
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			bad(ptr, "must be an object, got "+jsonKind(v))
			return
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			shape(obj[k], t.Elem(), ptr+"/"+escapePointer(k), bad)
		}
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			bad(ptr, "must be an array, got "+jsonKind(v))
			return
		}
		for i, e := range arr {
			shape(e, t.Elem(), ptr+"/"+strconv.Itoa(i), bad)
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			bad(ptr, "must be a string, got "+jsonKind(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			bad(ptr, "must be true or false, got "+jsonKind(v))
		}
	case reflect.Int, reflect.Int64:
		if n, ok := v.(json.Number); !ok {
			bad(ptr, "must be an integer, got "+jsonKind(v))
		} else if _, err := n.Int64(); err != nil {
			bad(ptr, "must be an integer, got "+n.String())
		}
	default:
		bad(ptr, fmt.Sprintf("has a Go type (%s) the format cannot check", t))
	}
}

// jsonFields returns the JSON names of t's fields with their types,
// embedded structs' fields included, as encoding/json sees them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, ft := range jsonFields(f.Type) {
				out[k] = ft
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
