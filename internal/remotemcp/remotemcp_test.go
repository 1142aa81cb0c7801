package remotemcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/egress"
)

// The two accounts of one user, as the test server knows them.
var identities = map[string]string{
	"Bearer tok-alice-0123456789": "alice",
	"Bearer tok-bob-9876543210":   "bob",
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// fillers is how many tools besides the named ones the server lists;
// with pageSize they fill several pages.
const (
	fillers  = 7
	pageSize = 3
)

// remote is a real MCP server of the official SDK on 127.0.0.1, behind a
// handler that refuses unknown credentials with 401 and counts the
// requests it lets through.
type remote struct {
	*httptest.Server
	requests atomic.Int64
	// handler serves MCP; replacing it forgets every session, as a
	// restarted server does.
	handler atomic.Pointer[http.Handler]
	newMCP  func() http.Handler
	release chan struct{} // ends the "hang" tool
}

type serverOptions struct {
	jsonResponse bool
}

func newRemote(t testing.TB, o serverOptions) *remote {
	t.Helper()
	r := &remote{release: make(chan struct{})}
	srv := gomcp.NewServer(&gomcp.Implementation{Name: "remote", Version: "test"}, &gomcp.ServerOptions{PageSize: pageSize})
	object := json.RawMessage(`{"type":"object"}`)
	srv.AddTool(&gomcp.Tool{
		Name: "whoami", Title: "Who am I", Description: "The caller's identity.",
		InputSchema:  json.RawMessage(`{"type":"object","properties":{"greeting":{"type":"string"}}}`),
		OutputSchema: json.RawMessage(`{"type":"object","properties":{"identity":{"type":"string"}}}`),
		Annotations:  &gomcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true},
	}, func(ctx context.Context, req *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
		id := identities[req.Extra.Header.Get("Authorization")]
		if k := req.Extra.Header.Get("X-API-Key"); k != "" {
			id = "key:" + k
		}
		var args struct {
			Greeting string `json:"greeting"`
		}
		json.Unmarshal(req.Params.Arguments, &args)
		return &gomcp.CallToolResult{
			Content: []gomcp.Content{&gomcp.TextContent{Text: args.Greeting}, &gomcp.TextContent{Text: id}},
			// 2^53+1 does not survive a float64.
			StructuredContent: json.RawMessage(`{"identity":"` + id + `","id":9007199254740993}`),
		}, nil
	})
	srv.AddTool(&gomcp.Tool{Name: "fail", InputSchema: object}, func(context.Context, *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
		return &gomcp.CallToolResult{IsError: true, Content: []gomcp.Content{&gomcp.TextContent{Text: "the mailbox is full"}}}, nil
	})
	srv.AddTool(&gomcp.Tool{Name: "big", InputSchema: object}, func(context.Context, *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
		return &gomcp.CallToolResult{Content: []gomcp.Content{&gomcp.TextContent{Text: strings.Repeat("x", MaxResponse+1)}}}, nil
	})
	srv.AddTool(&gomcp.Tool{Name: "hang", InputSchema: object}, func(ctx context.Context, _ *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
		select {
		case <-ctx.Done():
		case <-r.release:
		}
		return &gomcp.CallToolResult{Content: []gomcp.Content{&gomcp.TextContent{Text: "too late"}}}, nil
	})
	srv.AddTool(&gomcp.Tool{Name: "leak", InputSchema: object}, func(_ context.Context, req *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
		// A careless server echoing the credentials in its error.
		return nil, &jsonrpc.Error{Code: -32000, Message: "token " + req.Extra.Header.Get("Authorization") + " lacks a scope"}
	})
	srv.AddTool(&gomcp.Tool{
		Name: "delete_all", InputSchema: object,
		Annotations: &gomcp.ToolAnnotations{OpenWorldHint: new(false)},
	}, func(context.Context, *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
		return &gomcp.CallToolResult{}, nil
	})
	for i := range fillers {
		srv.AddTool(&gomcp.Tool{Name: fmt.Sprintf("filler_%d", i), InputSchema: object}, func(context.Context, *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
			return &gomcp.CallToolResult{}, nil
		})
	}
	r.newMCP = func() http.Handler {
		return gomcp.NewStreamableHTTPHandler(func(*http.Request) *gomcp.Server { return srv }, &gomcp.StreamableHTTPOptions{JSONResponse: o.jsonResponse})
	}
	r.forget()
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, known := identities[req.Header.Get("Authorization")]
		if !known && req.Header.Get("X-API-Key") == "" {
			w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+"http://"+req.Host+`/.well-known/oauth-protected-resource"`)
			http.Error(w, "unknown token", http.StatusUnauthorized)
			return
		}
		r.requests.Add(1)
		(*r.handler.Load()).ServeHTTP(w, req)
	}))
	t.Cleanup(func() {
		close(r.release)
		r.Close()
	})
	return r
}

// forget replaces the MCP handler, losing its sessions.
func (r *remote) forget() {
	h := r.newMCP()
	r.handler.Store(&h)
}

func (r *remote) server(h http.Header) Server {
	return Server{URL: r.URL + "/mcp", Header: h}
}

// local is the egress the tests use: loopback allowed, as in
// SWITCHBOARD_EGRESS_ALLOW_LOOPBACK.
func newClient(t testing.TB, version string) *Client {
	c := &Client{Egress: &egress.Clients{LoopbackOnly: true, AllowLoopback: true}, protocolVersion: version}
	t.Cleanup(func() { c.Close() })
	return c
}

// configs are the protocol versions and response modes every test runs
// on: the SDK's latest (server/discover) and the last one with
// initialize, each with event-stream and plain JSON answers.
var configs = []struct {
	name    string
	version string
	opts    serverOptions
}{
	{"latest/sse", "", serverOptions{}},
	{"latest/json", "", serverOptions{jsonResponse: true}},
	{"2025-11-25/sse", "2025-11-25", serverOptions{}},
	{"2025-11-25/json", "2025-11-25", serverOptions{jsonResponse: true}},
}

func forConfigs(t *testing.T, f func(t *testing.T, r *remote, c *Client)) {
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			f(t, newRemote(t, cfg.opts), newClient(t, cfg.version))
		})
	}
}

// TestTwoAccountsTwoIdentities: the same tool of the same server, called
// with each account's token, answers as each account, also when the
// calls run at once.
func TestTwoAccountsTwoIdentities(t *testing.T) {
	forConfigs(t, func(t *testing.T, r *remote, c *Client) {
		ctx := t.Context()
		var wg sync.WaitGroup
		for range 4 {
			for token, want := range map[string]string{"tok-alice-0123456789": "alice", "tok-bob-9876543210": "bob"} {
				wg.Go(func() {
					res, err := c.Call(ctx, r.server(bearer(token)), "whoami", map[string]any{"greeting": "hi"})
					if err != nil {
						t.Errorf("whoami as %s: %v", want, err)
						return
					}
					if res.IsError || res.Text != "hi\n"+want {
						t.Errorf("whoami as %s: got %+v, want text %q", want, res, "hi\n"+want)
					}
					if got, wantS := string(res.Structured), `{"identity":"`+want+`","id":9007199254740993}`; got != wantS {
						t.Errorf("whoami as %s: structured %s, want %s (the server's bytes)", want, got, wantS)
					}
					var content []map[string]any
					if err := json.Unmarshal(res.Content, &content); err != nil || len(content) != 2 || content[1]["text"] != want {
						t.Errorf("whoami as %s: content %s, want two text items, the second %q", want, res.Content, want)
					}
				})
			}
		}
		wg.Wait()
		// An API key header reaches the server as well.
		res, err := c.Call(ctx, r.server(http.Header{"X-Api-Key": {"carol-key"}}), "whoami", nil)
		if err != nil || res.Text != "\nkey:carol-key" {
			t.Errorf("whoami with an API key: got %+v, %v, want the key's identity", res, err)
		}
	})
}

// TestToolsPaginated: Tools follows nextCursor over every page and
// returns each tool once, with its schemas as sent and its hints with the
// spec's defaults.
func TestToolsPaginated(t *testing.T) {
	forConfigs(t, func(t *testing.T, r *remote, c *Client) {
		before := r.requests.Load()
		tools, err := c.Tools(t.Context(), r.server(bearer("tok-alice-0123456789")))
		if err != nil {
			t.Fatal(err)
		}
		const named = 6
		if len(tools) != named+fillers {
			t.Fatalf("got %d tools, want %d", len(tools), named+fillers)
		}
		if pages := (named + fillers + pageSize - 1) / pageSize; r.requests.Load()-before < int64(pages) {
			t.Errorf("%d requests for the list, want at least one per page (%d)", r.requests.Load()-before, pages)
		}
		byName := map[string]Tool{}
		for _, tool := range tools {
			if _, dup := byName[tool.Name]; dup {
				t.Errorf("tool %s listed twice", tool.Name)
			}
			byName[tool.Name] = tool
		}
		for i := range fillers {
			if _, ok := byName[fmt.Sprintf("filler_%d", i)]; !ok {
				t.Errorf("filler_%d missing", i)
			}
		}
		want := Tool{
			Name: "whoami", Title: "Who am I", Description: "The caller's identity.",
			InputSchema:  json.RawMessage(`{"type":"object","properties":{"greeting":{"type":"string"}}}`),
			OutputSchema: json.RawMessage(`{"type":"object","properties":{"identity":{"type":"string"}}}`),
			ReadOnly:     true, Idempotent: true, OpenWorld: true,
		}
		if diff := cmp.Diff(want, byName["whoami"]); diff != "" {
			t.Errorf("whoami (-want +got):\n%s", diff)
		}
		if d := byName["delete_all"]; !d.Destructive || d.ReadOnly || d.OpenWorld {
			t.Errorf("delete_all: got %+v, want destructive (the default), not read-only, not open-world", d)
		}
		if f := byName["fail"]; !f.Destructive || !f.OpenWorld || f.OutputSchema != nil {
			t.Errorf("fail, without annotations: got %+v, want the defaults and no output schema", f)
		}
	})
}

// TestUnauthorized: a token the server does not know is ErrUnauthorized,
// with the server's challenge, and its text holds no credential.
func TestUnauthorized(t *testing.T) {
	forConfigs(t, func(t *testing.T, r *remote, c *Client) {
		for name, call := range map[string]func(Server) error{
			"tools": func(s Server) error { _, err := c.Tools(t.Context(), s); return err },
			"call":  func(s Server) error { _, err := c.Call(t.Context(), s, "whoami", nil); return err },
		} {
			err := call(r.server(bearer("tok-mallory-5555")))
			if !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("%s with a wrong token: got %v, want ErrUnauthorized", name, err)
			}
			e, ok := errors.AsType[*Error](err)
			if !ok || e.Status != http.StatusUnauthorized || !strings.Contains(e.WWWAuthenticate, "resource_metadata=") {
				t.Errorf("%s: got %#v, want status 401 and the WWW-Authenticate challenge", name, e)
			}
			if strings.Contains(err.Error(), "tok-mallory") {
				t.Errorf("%s: error text %q holds the token", name, err)
			}
			if errors.Is(err, ErrProtocol) || errors.Is(err, ErrUnreachable) {
				t.Errorf("%s: %v matches another kind", name, err)
			}
		}
	})
}

// TestToolError: a tool that fails is a Result with IsError, not an
// error; a JSON-RPC error is ErrProtocol with its code, and credentials
// the server echoes in it are redacted.
func TestToolError(t *testing.T) {
	forConfigs(t, func(t *testing.T, r *remote, c *Client) {
		s := r.server(bearer("tok-alice-0123456789"))
		res, err := c.Call(t.Context(), s, "fail", nil)
		if err != nil || !res.IsError || res.Text != "the mailbox is full" {
			t.Errorf("fail: got %+v, %v, want IsError with the tool's text", res, err)
		}
		_, err = c.Call(t.Context(), s, "leak", nil)
		e, ok := errors.AsType[*Error](err)
		if !ok || !errors.Is(err, ErrProtocol) || e.Code != -32000 {
			t.Fatalf("leak: got %v, want ErrProtocol with code -32000", err)
		}
		if strings.Contains(err.Error(), "tok-alice") || !strings.Contains(err.Error(), "[redacted]") {
			t.Errorf("leak: error text %q, want the echoed token redacted", err)
		}
		_, err = c.Call(t.Context(), s, "no_such_tool", nil)
		if !errors.Is(err, ErrProtocol) {
			t.Errorf("an unknown tool: got %v, want ErrProtocol", err)
		}
		// The session survives JSON-RPC errors.
		if res, err := c.Call(t.Context(), s, "whoami", nil); err != nil || res.Text != "\nalice" {
			t.Errorf("whoami after the errors: got %+v, %v", res, err)
		}
	})
}

// TestOversizedResult: an answer over MaxResponse is ErrTooLarge, not a
// truncated result, and the next call works.
func TestOversizedResult(t *testing.T) {
	forConfigs(t, func(t *testing.T, r *remote, c *Client) {
		s := r.server(bearer("tok-bob-9876543210"))
		res, err := c.Call(t.Context(), s, "big", nil)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("big: got %d bytes of text, %v, want ErrTooLarge", len(res.Text), err)
		}
		if res.Text != "" || res.Content != nil {
			t.Errorf("big: got a partial result alongside the error")
		}
		if res, err := c.Call(t.Context(), s, "whoami", nil); err != nil || res.Text != "\nbob" {
			t.Errorf("whoami after big: got %+v, %v", res, err)
		}
	})
}

// TestHangingServer: a tool that never answers, and a server that never
// answers at all, end with the caller's deadline as ErrUnreachable that
// also matches context.DeadlineExceeded.
func TestHangingServer(t *testing.T) {
	forConfigs(t, func(t *testing.T, r *remote, c *Client) {
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		_, err := c.Call(ctx, r.server(bearer("tok-alice-0123456789")), "hang", nil)
		if !errors.Is(err, ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("hang: got %v, want ErrUnreachable and context.DeadlineExceeded", err)
		}
	})
	stuck := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-req.Context().Done():
		case <-stuck:
		}
	}))
	defer silent.Close()
	defer close(stuck)
	c := newClient(t, "")
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := c.Tools(ctx, Server{URL: silent.URL + "/mcp"})
	if !errors.Is(err, ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a silent server: got %v, want ErrUnreachable and context.DeadlineExceeded", err)
	}
}

// TestUnreachable: a closed port, and a loopback server without the
// egress loopback allowance, are ErrUnreachable.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/mcp"
	l.Close()
	c := newClient(t, "")
	if _, err := c.Tools(t.Context(), Server{URL: closed}); !errors.Is(err, ErrUnreachable) {
		t.Errorf("a closed port: got %v, want ErrUnreachable", err)
	}

	r := newRemote(t, serverOptions{})
	strict := &Client{Egress: &egress.Clients{LoopbackOnly: true}}
	defer strict.Close()
	_, err = strict.Call(t.Context(), r.server(bearer("tok-alice-0123456789")), "whoami", nil)
	if !errors.Is(err, ErrUnreachable) || !errors.Is(err, egress.ErrBlockedAddress) {
		t.Errorf("loopback without the allowance: got %v, want ErrUnreachable and egress.ErrBlockedAddress", err)
	}
	if r.requests.Load() != 0 {
		t.Errorf("the server got %d requests, want none", r.requests.Load())
	}
}

// TestErrorTextsHoldNoCredentials: whatever fails, the error text holds
// no header value and no query value of the URL.
func TestErrorTextsHoldNoCredentials(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := newClient(t, "")
	s := Server{URL: "http://" + addr + "/mcp?api_key=query-secret-1234", Header: http.Header{"X-Api-Key": {"header-secret-5678"}}}
	_, err = c.Call(t.Context(), s, "whoami", nil)
	if err == nil {
		t.Fatal("a closed port: no error")
	}
	for _, secret := range []string{"query-secret-1234", "header-secret-5678"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error text %q holds %s", err, secret)
		}
	}
}

// TestSessionReuse: calls for one account share one session, so each
// call after the first is one request; another account gets its own
// session; a session the server forgot is replaced and the call still
// succeeds.
func TestSessionReuse(t *testing.T) {
	forConfigs(t, func(t *testing.T, r *remote, c *Client) {
		alice := r.server(bearer("tok-alice-0123456789"))
		if _, err := c.Call(t.Context(), alice, "whoami", nil); err != nil {
			t.Fatal(err)
		}
		before := r.requests.Load()
		for range 5 {
			if _, err := c.Call(t.Context(), alice, "whoami", nil); err != nil {
				t.Fatal(err)
			}
		}
		if n := r.requests.Load() - before; n != 5 {
			t.Errorf("5 calls on an open session made %d requests, want 5", n)
		}
		if _, err := c.Call(t.Context(), r.server(bearer("tok-bob-9876543210")), "whoami", nil); err != nil {
			t.Fatal(err)
		}
		if n := c.open_(); n != 2 {
			t.Errorf("%d sessions open for two accounts, want 2", n)
		}
		r.forget()
		if res, err := c.Call(t.Context(), alice, "whoami", nil); err != nil || res.Text != "\nalice" {
			t.Errorf("whoami after the server forgot its sessions: got %+v, %v", res, err)
		}
	})
}

// open_ is how many sessions c keeps open.
func (c *Client) open_() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sessions)
}

// TestSessionBounds: MaxSessions bounds the open sessions, an idle
// session's timer closes it, MaxSessions < 0 keeps none, and Close
// closes every one and refuses later calls.
func TestSessionBounds(t *testing.T) {
	r := newRemote(t, serverOptions{})
	alice, bob := r.server(bearer("tok-alice-0123456789")), r.server(bearer("tok-bob-9876543210"))

	one := &Client{Egress: &egress.Clients{LoopbackOnly: true, AllowLoopback: true}, MaxSessions: 1}
	defer one.Close()
	for _, s := range []Server{alice, bob, alice} {
		if _, err := one.Call(t.Context(), s, "whoami", nil); err != nil {
			t.Fatal(err)
		}
		if n := one.open_(); n != 1 {
			t.Errorf("MaxSessions 1: %d open", n)
		}
	}
	// The idle timer's work, without waiting for it.
	one.mu.Lock()
	var s *session
	for _, s = range one.sessions {
	}
	gen := s.gen
	one.mu.Unlock()
	one.expire(s, gen+1) // a stale timer does nothing
	if n := one.open_(); n != 1 {
		t.Errorf("after a stale timer: %d open, want 1", n)
	}
	one.expire(s, gen)
	if n := one.open_(); n != 0 {
		t.Errorf("after the idle timer: %d open, want 0", n)
	}

	none := &Client{Egress: &egress.Clients{LoopbackOnly: true, AllowLoopback: true}, MaxSessions: -1}
	defer none.Close()
	if res, err := none.Call(t.Context(), alice, "whoami", nil); err != nil || res.Text != "\nalice" || none.open_() != 0 {
		t.Errorf("MaxSessions -1: got %+v, %v, %d open; want alice and none open", res, err, none.open_())
	}

	c := newClient(t, "")
	if _, err := c.Call(t.Context(), alice, "whoami", nil); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if c.open_() != 0 {
		t.Errorf("after Close: %d open", c.open_())
	}
	if _, err := c.Call(t.Context(), alice, "whoami", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: got %v, want ErrClosed", err)
	}
}

// budget is a Budget that records what it holds.
type budget struct {
	mu          sync.Mutex
	limit, used int64
}

func (b *budget) Take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.limit {
		return false
	}
	b.used += n
	return true
}

func (b *budget) Give(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
}

// TestMemoryBudget: answers are charged to the budget while read and
// given back after; a spent budget is ErrBusy.
func TestMemoryBudget(t *testing.T) {
	r := newRemote(t, serverOptions{})
	s := r.server(bearer("tok-alice-0123456789"))
	roomy := &budget{limit: 1 << 30}
	c := &Client{Egress: &egress.Clients{LoopbackOnly: true, AllowLoopback: true}, Memory: roomy}
	defer c.Close()
	if _, err := c.Tools(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Call(t.Context(), s, "big", nil); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big: got %v, want ErrTooLarge", err)
	}
	if roomy.used != 0 {
		t.Errorf("after the calls the budget holds %d bytes, want 0", roomy.used)
	}
	tight := &Client{Egress: &egress.Clients{LoopbackOnly: true, AllowLoopback: true}, Memory: &budget{limit: 100}}
	defer tight.Close()
	if _, err := tight.Call(t.Context(), s, "whoami", nil); !errors.Is(err, ErrBusy) {
		t.Errorf("a spent budget: got %v, want ErrBusy", err)
	}
}
