package reqlog

import (
	"bytes"
	"encoding/binary"
	"encoding/json"

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

// minWord is the length of the shortest secret word ("token"): the skip
// scan of mayHoldSecret looks at windows of this many bytes.
const minWord = 5

// skip is the skip scan's table (Wu and Manber's multi-pattern search),
// indexed by the last two bytes of a window, lower case: how far the
// window can move before those bytes could end the first minWord bytes of
// a secret word. 0 means a word may start at the window: compare.
var skip = func() *[1 << 16]uint8 {
	var t [1 << 16]uint8
	for i := range t {
		t[i] = minWord - 1
	}
	for _, w := range secretWords {
		if len(w) < minWord {
			panic("reqlog: a secret word shorter than minWord")
		}
		for end := 2; end <= minWord; end++ {
			i := uint16(w[end-2])<<8 | uint16(w[end-1])
			t[i] = min(t[i], uint8(minWord-end))
		}
	}
	return &t
}()

// mayHoldSecret reports whether raw might hold a key RedactValue redacts
// or a link token; false means it certainly does not. It saves decoding
// and encoding again the many answers that hold neither. Without
// allocating, it compares ASCII case-insensitively (the words are
// lower-case ASCII), skipping over most bytes (see skip); a document with
// any other byte goes the slow way, through Unicode lower case, where
// letters such as the Kelvin sign lower to ASCII ones as strings.ToLower
// lowers keys for secretKey; and a document with a \u escape may hold a
// secret key spelled in escapes ({"\u0074oken": …}), which only decoding
// shows.
func mayHoldSecret(raw []byte) bool {
	if !ascii(raw) {
		return mayHoldSecretUnicode(raw)
	}
	if bytes.Contains(raw, []byte(`\u`)) {
		return true
	}
	for end := minWord - 1; end < len(raw); {
		if s := skip[uint16(lowerASCII(raw[end-1]))<<8|uint16(lowerASCII(raw[end]))]; s > 0 {
			end += int(s)
			continue
		}
		at := raw[end-minWord+1:]
		for _, w := range secretWords {
			if len(at) >= len(w) && equalFoldASCII(at[:len(w)], w) {
				return true
			}
		}
		end++
	}
	return false
}

// ascii reports whether b is all ASCII, eight bytes at a time.
func ascii(b []byte) bool {
	var or uint64
	for len(b) >= 8 {
		or |= binary.LittleEndian.Uint64(b)
		b = b[8:]
	}
	for _, c := range b {
		or |= uint64(c)
	}
	return or&0x8080808080808080 == 0
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
