package reqlog

import (
	"os"
	"strings"
	"testing"
)

func TestRedactJSON(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`{"to":"a@example.com","api_key":"k-123","nested":{"access_token":"t","n":12345678901234567890}}`,
			`{"api_key":"[REDACTED]","nested":{"access_token":"[REDACTED]","n":12345678901234567890},"to":"a@example.com"}`},
		{`[{"password":"p"},"open https://sb.example.com/link/lk_abc123 now"]`,
			`[{"password":"[REDACTED]"},"open https://sb.example.com/link/[REDACTED] now"]`},
		{`{"tokens_used":3,"token_type":"bearer"}`, `{"token_type":"[REDACTED]","tokens_used":3}`},
		{`not json`, `"[not JSON: not kept]"`},
	}
	for _, tt := range tests {
		if got := string(RedactJSON([]byte(tt.in))); got != tt.want {
			t.Errorf("RedactJSON(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestRedactValueKeepsInput(t *testing.T) {
	in := map[string]any{"secret": "s", "list": []any{map[string]any{"token": "t"}}}
	out := RedactValue(in).(map[string]any)
	if in["secret"] != "s" || in["list"].([]any)[0].(map[string]any)["token"] != "t" {
		t.Errorf("RedactValue changed its input: %v", in)
	}
	if out["secret"] != Redacted || !strings.Contains(out["list"].([]any)[0].(map[string]any)["token"].(string), "REDACTED") {
		t.Errorf("RedactValue = %v, want secrets redacted", out)
	}
}

func TestRedactJSONWithoutSecrets(t *testing.T) {
	for _, in := range []string{`{"emailAddress":"a@example.com","n":1.50}`, `[]`, `"plain"`} {
		if got := string(RedactJSON([]byte(in))); got != in {
			t.Errorf("RedactJSON(%s) = %s, want it unchanged", in, got)
		}
	}
	// Any case of a secret word sends the document through redaction.
	if got := string(RedactJSON([]byte(`{"Access_Token":"t"}`))); got != `{"Access_Token":"[REDACTED]"}` {
		t.Errorf("RedactJSON of a mixed-case key = %s", got)
	}
	if got := string(RedactJSON([]byte(`{"X-Api-Key":"k"}`))); got != `{"X-Api-Key":"[REDACTED]"}` {
		t.Errorf("RedactJSON of x-api-key = %s", got)
	}
	// Invalid UTF-8 in a document without secrets is not kept as it is:
	// it comes back valid, the bad byte replaced.
	if got := string(RedactJSON([]byte("{\"name\":\"a\xffb\"}"))); got != "{\"name\":\"a\uFFFDb\"}" {
		t.Errorf("RedactJSON of invalid UTF-8 = %q, want the bad byte replaced", got)
	}
}

// TestMayHoldSecretCases: the one-pass check finds every secret word in
// any ASCII case at any place, and a document with non-ASCII bytes is
// checked through Unicode lower case, where the Kelvin sign is a k.
func TestMayHoldSecretCases(t *testing.T) {
	for _, w := range secretWords {
		for _, doc := range []string{string(w), `{"a":"x` + strings.ToUpper(string(w)) + `"}`, `é` + string(w)} {
			if !mayHoldSecret([]byte(doc)) {
				t.Errorf("mayHoldSecret(%q) = false, want true", doc)
			}
		}
		if cut := string(w[:len(w)-1]); mayHoldSecret([]byte(`{"`+cut+`":1}`)) && cut != "api-ke" {
			// A word's prefix alone is no secret (unless it holds another word).
			t.Logf("mayHoldSecret(%q) = true", cut)
		}
	}
	for _, doc := range []string{"{\"to\u212Aen\":\"t\"}", `{"to\u212Aen":"t"}`, `{"\u0074oken":"t"}`, `{"\u0070assword":"p"}`} {
		if got := string(RedactJSON([]byte(doc))); !strings.Contains(got, Redacted) {
			t.Errorf("RedactJSON(%s) = %s: a secret key spelled with a Kelvin sign or an escape was kept", doc, got)
		}
	}
	for _, doc := range []string{`{"login":"octocat","id":1,"type":"User"}`, `{"name":"Zoë"}`, ``} {
		if mayHoldSecret([]byte(doc)) {
			t.Errorf("mayHoldSecret(%q) = true, want false", doc)
		}
	}
}

// FuzzMayHoldSecret: the one-pass check never misses a secret word that
// lowering the whole document finds (it may say yes more often: a \u
// escape sends a document through decoding).
func FuzzMayHoldSecret(f *testing.F) {
	f.Add([]byte(`{"token":"x"}`))
	f.Add([]byte("to\u212Aen"))
	f.Add([]byte(`{"Access_Token":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if mayHoldSecretUnicode(b) && !mayHoldSecret(b) {
			t.Errorf("mayHoldSecret(%q) = false, but the document lowered holds a secret word", b)
		}
	})
}

// BenchmarkMayHoldSecret checks GitHub's 1.6 kB /user answer, which holds
// no secret word, as the execution log writer does for most answers.
func BenchmarkMayHoldSecret(b *testing.B) {
	body, err := os.ReadFile("testdata/github_user.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    func([]byte) bool
	}{{"one_pass", mayHoldSecret}, {"lowered_copy", mayHoldSecretUnicode}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				c.f(body)
			}
		})
	}
}
