package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/wire"
)

// bodySeeds are the seed corpus of the body decoders: the shapes the
// official SDKs send, and the inputs that broke something once.
var bodySeeds = []string{
	``, `{}`, `null`, `[]`, `"x"`, `1`, `{"user_id":"u1"}`,
	`{"user_id":"u1","toolkits":{"enable":["gmail"]},"manage_connections":{"enable":true,"callback_url":"https://app.example.com/cb"}}`,
	`{"auth_config_id":"ac_1","user_id":"u1","alias":"work","callback_url":"https://app.example.com/cb"}`,
	`{"auth_config":{"id":"ac_1"},"connection":{"user_id":"u1","state":{"authScheme":"API_KEY","val":{"api_key":"k"}}}}`,
	`{"toolkit":{"slug":"github"},"auth_config":{"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{"client_id":"c","scopes":["a","b"]}}}`,
	`{"type":"custom","credentials":{"client_id":"cid2"},"tool_access_config":{"tools_available_for_execution":["X"]}}`,
	`{"tool_slug":"GITHUB_GET_THE_AUTHENTICATED_USER","arguments":{"n":1e400,"s":"\u00e9"}}`,
	`{"slug":"COMPOSIO_MULTI_EXECUTE_TOOL","arguments":{"tools":[{"tool_slug":"X","arguments":{}}]}}`,
	`{"endpoint":"/user","method":"GET","parameters":[{"name":"a","value":"b","type":"header"}]}`,
	`{"queries":[{"use_case":"send an email"}]}`, `{"enabled":false}`, `{"name":"k","scope":"runtime"}`,
	`{"alias":"w\u0000rk"}`, `{"alias":"w\\u0000rk"}`, "{\"alias\":\"w\xffrk\"}", `{"alias":"\ud800"}`,
	`{"a":1}}`, `{"a":`, `{"user_id":["u1"]}`, `{"enabled":"yes"}`, `{"toolkits":{"enable":"gmail"}}`,
}

// decoders are every body type the API decodes.
var decoders = map[string]func() any{
	"link":         func() any { return new(wire.ConnectedAccountLinkRequest) },
	"account":      func() any { return new(wire.ConnectedAccountCreateRequest) },
	"account edit": func() any { return new(wire.ConnectedAccountUpdateRequest) },
	"status":       func() any { return new(wire.StatusRequest) },
	"api key":      func() any { return new(wire.APIKeyCreateRequest) },
	"auth config":  func() any { return new(wire.AuthConfigCreateRequest) },
	"auth edit":    func() any { return new(wire.AuthConfigUpdateRequest) },
	"session":      func() any { return new(map[string]json.RawMessage) },
	"session link": func() any { return new(wire.SessionLinkRequest) },
	"execute":      func() any { return new(wire.ToolExecuteRequest) },
	"proxy":        func() any { return new(wire.ProxyRequest) },
	"session exec": func() any { return new(wire.SessionExecuteRequest) },
	"meta":         func() any { return new(wire.SessionExecuteMetaRequest) },
	"search":       func() any { return new(wire.SearchRequest) },
}

// FuzzDecode: every body decoder either decodes or refuses with a 4xx
// problem whose code the API numbers; it never panics, and what it
// accepts holds no NUL and no invalid UTF-8.
func FuzzDecode(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for name, newV := range decoders {
			v := newV()
			err := decodeJSON(raw, v)
			if err != nil {
				p, ok := problem.As(err)
				if !ok || p.Kind != problem.Invalid {
					t.Fatalf("%s: %q: not a 400 problem: %v", name, raw, err)
				}
				if _, ok := codes[p.Code]; !ok {
					t.Fatalf("%s: %q: code %q has no number", name, raw, p.Code)
				}
				continue
			}
			out, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s: %q: accepted but cannot be encoded again: %v", name, raw, err)
			}
			if err := checkBody(out); err != nil {
				t.Fatalf("%s: %q: accepted text the store refuses: %s", name, raw, out)
			}
		}
		// The session create path decodes twice; it must agree with the
		// first pass.
		r := httptest.NewRequest("POST", "/", bytes.NewReader(raw))
		if _, _, err := decodeSessionRequest(r); err != nil {
			if p, ok := problem.As(err); !ok || p.Kind != problem.Invalid {
				t.Fatalf("session: %q: not a 400 problem: %v", raw, err)
			}
		}
	})
}

// FuzzQuery: the query parser turns any query string into values in range
// or a 400 naming the field, and never panics.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"", "limit=10", "limit=10.0", "limit=NaN", "limit=Inf", "limit=-Inf", "limit=1e300", "limit=9223372036854775807",
		"limit=0", "limit=-1", "limit=1.5", "limit=%zz", "wait_seconds=30", "wait_seconds=NaN", "wait_seconds=1e308",
		"user_ids=u1%2Cu+2", "user_ids=%00", "user_ids=%FF", "cursor=abc", "show_disabled=maybe", "a=1&a=2&limit=3;x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawQuery = rawQuery
		invalid := func(what string, err error) {
			if p, ok := problem.As(err); !ok || p.Kind != problem.Invalid || codes[p.Code] == 0 {
				t.Fatalf("%s of %q: not a numbered 400 problem: %v", what, rawQuery, err)
			}
		}
		if err := checkRequest(r); err != nil {
			invalid("checkRequest", err)
			return
		}
		q, _ := url.ParseQuery(rawQuery)
		for name, vs := range q {
			for _, v := range vs {
				if !utf8.ValidString(name) || !utf8.ValidString(v) {
					t.Fatalf("checkRequest passed invalid UTF-8 in %q", rawQuery)
				}
			}
		}
		if n, err := limit(r, 20, 1000); err != nil {
			invalid("limit", err)
		} else if n < 1 || n > 1000 {
			t.Fatalf("limit of %q is %d, out of range", rawQuery, n)
		}
		if d, _, err := seconds(r, "wait_seconds", maxWait); err != nil {
			invalid("seconds", err)
		} else if d < 0 || d > maxWait {
			t.Fatalf("wait_seconds of %q is %v, out of range", rawQuery, d)
		}
		if _, err := boolParam(r, "show_disabled"); err != nil {
			invalid("boolParam", err)
		}
		for _, part := range csv(r, "user_ids") {
			if part == "" {
				t.Fatalf("csv of %q gave an empty part", rawQuery)
			}
		}
	})
}
