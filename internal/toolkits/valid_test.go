package toolkits

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// stdValid is what ValidJSON must answer.
func stdValid(b []byte) bool { return utf8.Valid(b) && json.Valid(b) }

var validCases = []string{
	``, ` `, `{}`, ` { } `, `[]`, `[ ]`, `{"a":1}`, `{"a" : 1 , "b":[true,false,null]}`, `"x"`, `0`, `-0`, `01`, `-`, `1.`, `1.5`,
	`.5`, `1e`, `1e+`, `1e+5`, `1E-05`, `-12.5e3`, `+1`, `tru`, `true`, `truex`, `nul`, `null`, `false`, `fals`,
	`{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a":1}}`, `[[[]]]`, `[[[]]`, `{"a":{"b":{"c":[1,{"d":2}]}}}`,
	`{1:2}`, `{"a":1 "b":2}`, `[1 2]`, `"\u00e9"`, `"\u00g9"`, `"\u00e"`, `"\x"`, `"\/\b\f\n\r\t\"\\"`, `"a` + "\x01" + `"`,
	`"a` + "\t" + `"`, `"é"`, "\"\xff\"", "\"\xc3\"", "\"\xed\xa0\x80\"", `"abc`, `"abc\`, `{"a":"b"` + "\n}", "\xef\xbb\xbf{}",
	`[1]x`, `{} {}`, `{}` + "\x00", `[-]`, `[1.e5]`, `[1e5.5]`, `{"":""}`, `"` + strings.Repeat("x", 300) + `"`,
	strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting),
	strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1),
	strings.Repeat(`{"a":`, maxNesting) + "1" + strings.Repeat("}", maxNesting),
	strings.Repeat(`{"a":`, maxNesting+1) + "1" + strings.Repeat("}", maxNesting+1),
	strings.Repeat(`[{"a":`, maxNesting/2) + "[]" + strings.Repeat("}]", maxNesting/2),
}

func TestValidJSON(t *testing.T) {
	body, err := os.ReadFile("testdata/github_user.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := append(validCases, string(body), string(body[:len(body)-2]))
	for _, c := range cases {
		if got, want := ValidJSON([]byte(c)), stdValid([]byte(c)); got != want {
			t.Errorf("ValidJSON(%.40q) = %v, want %v (encoding/json)", c, got, want)
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, c := range validCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := ValidJSON(b), stdValid(b); got != want {
			t.Errorf("ValidJSON(%q) = %v, want %v (encoding/json)", b, got, want)
		}
	})
}

// BenchmarkValidJSON checks GitHub's 1.6 kB /user answer, against
// utf8.Valid and json.Valid, what isObject ran before.
func BenchmarkValidJSON(b *testing.B) {
	body, err := os.ReadFile("testdata/github_user.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ValidJSON", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			ValidJSON(body)
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			stdValid(body)
		}
	})
}
