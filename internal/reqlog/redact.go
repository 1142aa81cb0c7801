package reqlog

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
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
// with numbers kept exactly (and raw itself when there is nothing to
// redact). A document that does not parse is returned
// as a JSON string saying so: text that is not JSON cannot be redacted by
// key, so it is not kept.
func RedactJSON(raw []byte) []byte {
	if !mayHoldSecret(raw) && json.Valid(raw) {
		return raw
	}
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

// secretWords are the words of secretKeys as they can appear in JSON text,
// and the link path: a document with none of them, in any case, has
// nothing to redact.
var secretWords = func() [][]byte {
	words := [][]byte{[]byte(linkPath), []byte("api-key")}
	for _, k := range secretKeys {
		words = append(words, []byte(k))
	}
	return words
}()

// wordsByFirst lists secretWords by their first byte, in both cases.
var wordsByFirst = func() (t [256][][]byte) {
	for _, w := range secretWords {
		t[w[0]] = append(t[w[0]], w)
		if up := w[0] - 'a' + 'A'; w[0] >= 'a' && w[0] <= 'z' {
			t[up] = append(t[up], w)
		}
	}
	return t
}()

// mayHoldSecret reports whether raw might hold a key RedactValue redacts
// or a link token; false means it certainly does not. It saves decoding
// and encoding again the many answers that hold neither.
//
// ASCII text is searched in one pass, without a lowered copy; other text
// goes through bytes.ToLower, whose Unicode folding (the Kelvin sign is a
// k) a byte-wise search would miss.
func mayHoldSecret(raw []byte) bool {
	for _, c := range raw {
		if c >= utf8.RuneSelf {
			return mayHoldSecretFolded(raw)
		}
	}
	for i, c := range raw {
		for _, w := range wordsByFirst[c] {
			if len(raw)-i >= len(w) && asciiLowerHasPrefix(raw[i+1:], w[1:]) {
				return true
			}
		}
	}
	return false
}

// asciiLowerHasPrefix reports whether b, lowered, starts with the
// lower-case ASCII word w.
func asciiLowerHasPrefix(b, w []byte) bool {
	for j, c := range w {
		d := b[j]
		if d >= 'A' && d <= 'Z' {
			d += 'a' - 'A'
		}
		if d != c {
			return false
		}
	}
	return true
}

func mayHoldSecretFolded(raw []byte) bool {
	lower := bytes.ToLower(raw)
	for _, w := range secretWords {
		if bytes.Contains(lower, w) {
			return true
		}
	}
	return false
}
