package reqlog

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
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
// redact and it is valid JSON in valid UTF-8; a document with invalid
// UTF-8 is decoded and encoded again, which replaces it). A document that
// does not parse is returned
// as a JSON string saying so: text that is not JSON cannot be redacted by
// key, so it is not kept.
func RedactJSON(raw []byte) []byte {
	// toolkits.ValidJSON is json.Valid and utf8.Valid in one pass, several
	// times faster: this check is most of what logging an answer costs.
	if !mayHoldSecret(raw) && toolkits.ValidJSON(raw) {
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

// firstBytes indexes secretWords by their first byte, lower case: a
// document's byte that starts none of them is passed over at once.
var firstBytes = func() (t [256][][]byte) {
	for _, w := range secretWords {
		t[w[0]] = append(t[w[0]], w)
	}
	return t
}()

// mayHoldSecret reports whether raw might hold a key RedactValue redacts
// or a link token; false means it certainly does not. It saves decoding
// and encoding again the many answers that hold neither. It reads raw
// once, without allocating, comparing ASCII case-insensitively (the
// words are lower-case ASCII); a document with any other byte goes the
// slow way, through Unicode lower case, where letters such as the Kelvin
// sign lower to ASCII ones as strings.ToLower lowers keys for secretKey;
// and a document with a \u escape may hold a secret key spelled in
// escapes ({"\u0074oken": …}), which only decoding shows.
func mayHoldSecret(raw []byte) bool {
	for i, c := range raw {
		if c >= utf8.RuneSelf {
			return mayHoldSecretUnicode(raw)
		}
		if c == '\\' && i+1 < len(raw) && raw[i+1] == 'u' {
			// A \u escape may spell any letter of a word: decode to see.
			return true
		}
		for _, w := range firstBytes[lowerASCII(c)] {
			if len(raw)-i >= len(w) && equalFoldASCII(raw[i:i+len(w)], w) {
				return true
			}
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldASCII reports whether b is w, lower-case ASCII, in any case.
func equalFoldASCII(b, w []byte) bool {
	for i := range w {
		if lowerASCII(b[i]) != w[i] {
			return false
		}
	}
	return true
}

func mayHoldSecretUnicode(raw []byte) bool {
	lower := bytes.ToLower(raw)
	for _, w := range secretWords {
		if bytes.Contains(lower, w) {
			return true
		}
	}
	return false
}
