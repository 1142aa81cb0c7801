package reqlog

import (
	"bytes"
	"encoding/json"
)

// Redacted is the value that replaces a secret.
const Redacted = "[REDACTED]"

// RedactValue returns v, a value decoded from JSON, redacted by the rules
// of the request log: the value of every object key that names a secret
// is replaced at any depth, and link tokens are cut out of strings. v is
// not changed; parts that need no change are shared.
func RedactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if secretKey(k) {
				out[k] = Redacted
			} else {
				out[k] = RedactValue(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = RedactValue(e)
		}
		return out
	case string:
		return scrubLinks(x)
	}
	return v
}

// RedactJSON returns raw, a JSON document, redacted like RedactValue,
// with numbers kept exactly. A document that does not parse is returned
// as a JSON string saying so: text that is not JSON cannot be redacted by
// key, so it is not kept.
func RedactJSON(raw []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []byte(`"[not JSON: not kept]"`)
	}
	out, err := json.Marshal(RedactValue(v))
	if err != nil {
		return []byte(`"[not encodable: not kept]"`)
	}
	return out
}
