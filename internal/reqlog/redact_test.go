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
}

func TestMayHoldSecretMatchesFolding(t *testing.T) {
	body, err := os.ReadFile("testdata/github_user.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []string{string(body), "", "x", "tok", "TOKEN", `{"Access_Token":1}`, `{"x-API-KEY":1}`, "see /LINK/abc", "/lin",
		"passwor", "PassWord", "cookies", "a credentia", "VERIFIER", "apikey", "api-key", "api_kex", "secre",
		"to\u212Aen", "\u212A", "S\u0130CRET", "caf\u00e9 token", "caf\u00e9", "authorization", "AUTHORIZATIO"}
	for _, w := range secretWords {
		cases = append(cases, string(w), "xx"+strings.ToUpper(string(w)), string(w[:len(w)-1]))
	}
	for _, c := range cases {
		if got, want := mayHoldSecret([]byte(c)), mayHoldSecretFolded([]byte(c)); got != want {
			t.Errorf("mayHoldSecret(%.40q) = %v, want %v", c, got, want)
		}
	}
}

func FuzzMayHoldSecret(f *testing.F) {
	f.Add([]byte(`{"token":"x"}`))
	f.Add([]byte("to\u212Aen"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := mayHoldSecret(b), mayHoldSecretFolded(b); got != want {
			t.Errorf("mayHoldSecret(%q) = %v, want %v", b, got, want)
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
	}{{"one_pass", mayHoldSecret}, {"lowered_copy", mayHoldSecretFolded}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				c.f(body)
			}
		})
	}
}
