package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

const plain = "xoxp-very-secret-token"

func TestSecret_Redacts(t *testing.T) {
	s := NewSecret(plain)
	type public struct {
		Token Secret `json:"token"`
	}
	type private struct {
		token Secret
	}

	var outputs = map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		outputs["Sprintf "+verb] = fmt.Sprintf(verb, s)
		outputs["Sprintf "+verb+" pointer"] = fmt.Sprintf(verb, &s)
		outputs["Sprintf "+verb+" exported field"] = fmt.Sprintf(verb, public{s})
		outputs["Sprintf "+verb+" unexported field"] = fmt.Sprintf(verb, private{s})
		outputs["Sprintf "+verb+" slice"] = fmt.Sprintf(verb, []Secret{s})
		outputs["Sprintf "+verb+" map"] = fmt.Sprintf(verb, map[string]Secret{"k": s})
	}
	outputs["Sprint"] = fmt.Sprint(s)
	outputs["Sprintln"] = fmt.Sprintln(s)
	outputs["String"] = s.String()
	outputs["GoString"] = s.GoString()
	outputs["Errorf %w-less"] = fmt.Errorf("token %v", s).Error()

	for name, v := range map[string]any{"value": s, "struct": public{s}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%s): %v", name, err)
		}
		outputs["json "+name] = string(b)
	}

	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(h(&buf))
		log.Info("connected", "token", s, "creds", public{s}, "private", private{s}, slog.Any("any", s), slog.Group("g", "t", s))
		outputs["slog "+name] = buf.String()
	}

	for name, out := range outputs {
		if strings.Contains(out, plain) || strings.Contains(out, fmt.Sprintf("%x", plain)) {
			t.Errorf("%s leaks the secret: %s", name, out)
		}
	}
	for _, name := range []string{"Sprintf %v", "Sprintf %#v", "Sprintf %+v exported field", "json value", "slog json", "slog text", "String", "GoString"} {
		if !strings.Contains(outputs[name], Redacted) {
			t.Errorf("%s = %q, want it to contain %s", name, outputs[name], Redacted)
		}
	}
}

func TestSecret_Reveal(t *testing.T) {
	if got := NewSecret(plain).Reveal(); got != plain {
		t.Errorf("Reveal() = %q, want the value", got)
	}
	var zero Secret
	if zero.Reveal() != "" || !zero.IsZero() || NewSecret("x").IsZero() {
		t.Errorf("zero Secret: Reveal %q, IsZero %v; want empty and true", zero.Reveal(), zero.IsZero())
	}
}

func TestSecret_Equal(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abc", "abcd", false},
		{"", "", true},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := NewSecret(tt.a).Equal(NewSecret(tt.b)); got != tt.want {
			t.Errorf("Secret(%q).Equal(%q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	if !(Secret{}).Equal(NewSecret("")) {
		t.Errorf("zero Secret is not Equal to an empty one")
	}
	// == must not compile: the type is not comparable.
	if reflect.TypeFor[Secret]().Comparable() {
		t.Errorf("Secret is comparable; want == to be a compile error")
	}
}

func TestSecret_UnmarshalJSON(t *testing.T) {
	var v struct {
		Key Secret `json:"api_key"`
	}
	if err := json.Unmarshal([]byte(`{"api_key":"`+plain+`"}`), &v); err != nil || v.Key.Reveal() != plain {
		t.Fatalf("Unmarshal = %q, %v; want the value", v.Key.Reveal(), err)
	}
	if err := json.Unmarshal([]byte(`{"api_key":null}`), &v); err != nil || !v.Key.IsZero() {
		t.Errorf("Unmarshal(null) = %q, %v; want empty", v.Key.Reveal(), err)
	}
	err := json.Unmarshal([]byte(`{"api_key":12345678901}`), &v)
	if err == nil || strings.Contains(err.Error(), "12345678901") {
		t.Errorf("Unmarshal(number): err = %v, want an error that does not quote the input", err)
	}
}
