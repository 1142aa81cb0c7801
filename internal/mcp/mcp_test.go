package mcp

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/sessions"
)

func TestOptionsOf(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	for _, tc := range []struct {
		name string
		c    sessions.Config
		want options
	}{
		{"defaults", sessions.Config{ManageConnections: sessions.ManageConnections{Enabled: true}},
			options{search: true, multiExecute: true, manage: true}},
		{"wait", sessions.Config{ManageConnections: sessions.ManageConnections{Enabled: true, WaitForConnections: true}},
			options{search: true, multiExecute: true, manage: true, wait: true}},
		{"wait needs manage", sessions.Config{ManageConnections: sessions.ManageConnections{WaitForConnections: true}},
			options{search: true, multiExecute: true}},
		{"direct tools preset", sessions.Config{Passthrough: map[string]json.RawMessage{
			"search": raw(`{"enable":false}`), "execute": raw(`{"enable_multi_execute":false}`), "preload": raw(`{"tools":"all"}`)}},
			options{preloadAll: true}},
		{"preload list", sessions.Config{Passthrough: map[string]json.RawMessage{"preload": raw(`{"tools":["GMAIL_SEND_EMAIL"]}`)}},
			options{search: true, multiExecute: true, preload: []string{"GMAIL_SEND_EMAIL"}}},
		{"empty preload and odd values", sessions.Config{Passthrough: map[string]json.RawMessage{
			"preload": raw(`{"tools":[]}`), "search": raw(`"yes"`), "execute": raw(`{}`)}},
			options{search: true, multiExecute: true, preload: []string{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, optionsOf(tc.c), cmp.AllowUnexported(options{})); diff != "" {
				t.Errorf("optionsOf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestArguments(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    map[string]any
		wantErr bool
	}{
		{``, map[string]any{}, false},
		{`null`, map[string]any{}, false},
		{`{"a":1}`, map[string]any{"a": 1.0}, false},
		{`"{\"a\":1}"`, map[string]any{"a": 1.0}, false},
		{`"not json"`, nil, true},
		{`[1]`, nil, true},
		{`"null"`, nil, true},
	} {
		got, err := arguments(json.RawMessage(tc.in))
		if (err != nil) != tc.wantErr || !cmp.Equal(got, tc.want) {
			t.Errorf("arguments(%s): got %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestAPIKey(t *testing.T) {
	for _, tc := range []struct {
		header http.Header
		want   string
	}{
		{http.Header{"X-Api-Key": {"k1"}}, "k1"},
		{http.Header{"Authorization": {"Bearer k2"}}, "k2"},
		{http.Header{"Authorization": {"bearer  k3 "}}, "k3"},
		{http.Header{"X-Api-Key": {"k1"}, "Authorization": {"Bearer k2"}}, "k1"},
		{http.Header{"Authorization": {"Basic azQ6"}}, ""},
		{http.Header{}, ""},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header = tc.header
		if got := apiKey(r); got != tc.want {
			t.Errorf("apiKey(%v): got %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestRequestID(t *testing.T) {
	for body, want := range map[string]string{
		`{"jsonrpc":"2.0","id":7,"method":"initialize"}`:   `7`,
		`{"jsonrpc":"2.0","id":"a","method":"tools/list"}`: `"a"`,
		`{"jsonrpc":"2.0","method":"notifications/x"}`:     ``,
		`{"id":null}`: ``,
		`not json`:    ``,
		`[{"id":1}]`:  ``,
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		if got := string(requestID(r)); got != want {
			t.Errorf("requestID(%s): got %q, want %q", body, got, want)
		}
	}
}
