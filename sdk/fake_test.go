package sdk

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// testKey is the API key the tests' clients send.
const testKey = "sk_test_123"

// request is what the fake server saw of one request.
type request struct {
	Method   string
	Path     string // escaped
	RawQuery string
	Header   http.Header
	Body     string
}

// fake is an API server on 127.0.0.1 that records every request and answers
// with handle.
type fake struct {
	srv *httptest.Server

	mu     sync.Mutex
	reqs   []request
	sleeps []time.Duration
}

// newFake starts a fake server and a Client for it whose sleeps return at
// once and are recorded.
func newFake(t *testing.T, handle http.HandlerFunc) (*fake, *Client) {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, request{
			Method:   r.Method,
			Path:     r.URL.EscapedPath(),
			RawQuery: r.URL.RawQuery,
			Header:   r.Header.Clone(),
			Body:     string(body),
		})
		f.mu.Unlock()
		handle(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f, f.client(f.srv.URL)
}

// client returns a Client for baseURL with recorded, instant sleeps.
func (f *fake) client(baseURL string, opts ...Option) *Client {
	c := New(testKey, baseURL, opts...)
	c.sleep = func(ctx context.Context, d time.Duration) error {
		f.mu.Lock()
		f.sleeps = append(f.sleeps, d)
		f.mu.Unlock()
		return ctx.Err()
	}
	return c
}

// requests returns the requests seen so far.
func (f *fake) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

// last returns the latest request and fails the test if there is none.
func (f *fake) last(t *testing.T) request {
	t.Helper()
	reqs := f.requests()
	if len(reqs) == 0 {
		t.Fatal("server saw no request")
	}
	return reqs[len(reqs)-1]
}

// slept returns the sleeps the client made.
func (f *fake) slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// reply writes v as a JSON response with status.
func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	switch v := v.(type) {
	case string:
		io.WriteString(w, v)
	default:
		json.NewEncoder(w).Encode(v)
	}
}

// replyJSON returns a handler that always answers status and body.
func replyJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { reply(w, status, body) }
}

// sessionJSON is a session response for user_123 with the given pins.
const sessionJSON = `{"session_id":"trs_abc","mcp":{"type":"http","url":"http://sb/tool_router/v3/trs_abc/mcp"},
"tool_router_tools":["COMPOSIO_SEARCH_TOOLS"],"config":{"user_id":"user_123","auth_configs":{},
"connected_accounts":{"gmail":["ca_1"]},"manage_connections":{"enabled":true,"enable_wait_for_connections":false,"enable_connection_removal":true},
"multi_account":{"enable":false},"workbench":{},"preload":{"tools":[]},"search":{"enable":true},"execute":{}},"config_version":1,"warnings":[]}`
