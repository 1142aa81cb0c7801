package sdk

import (
	"context"
	"errors"
	"fmt"
	"github.com/switchboard-dev/switchboard/wire"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestHeaders(t *testing.T) {
	f, _ := newFake(t, replyJSON(200, `{"session_id":"trs_abc","deleted":true,"config":{},"mcp":{}}`))
	c := f.client(f.srv.URL, WithUserAgent("agent/1.0"))
	ctx := context.Background()

	if _, err := c.Session(ctx, "trs_abc"); err != nil {
		t.Fatal(err)
	}
	get := f.last(t)
	if _, err := c.Create(ctx, "user_123"); err != nil {
		t.Fatal(err)
	}
	post := f.last(t)

	for _, tt := range []struct {
		req         request
		contentType string
	}{
		{get, ""},
		{post, "application/json"},
	} {
		t.Run(tt.req.Method, func(t *testing.T) {
			h := tt.req.Header
			for name, want := range map[string]string{
				"x-api-key":     testKey,
				"Accept":        "application/json",
				"User-Agent":    "agent/1.0",
				"Content-Type":  tt.contentType,
				"Authorization": "",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("header %s: got %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestDefaultUserAgent(t *testing.T) {
	f, c := newFake(t, replyJSON(200, `{}`))
	if _, err := c.Toolkits().Get(context.Background(), "gmail"); err != nil {
		t.Fatal(err)
	}
	if got := f.last(t).Header.Get("User-Agent"); got != defaultUserAgent {
		t.Errorf("got User-Agent %q, want %q", got, defaultUserAgent)
	}
}

func TestBaseURL(t *testing.T) {
	f, _ := newFake(t, replyJSON(200, `{}`))
	for _, tt := range []struct {
		base, want string
	}{
		{f.srv.URL, "/api/v3.1/toolkits/gmail"},
		{f.srv.URL + "/", "/api/v3.1/toolkits/gmail"},
		{f.srv.URL + "/prefix", "/prefix/api/v3.1/toolkits/gmail"},
		{f.srv.URL + "/prefix/", "/prefix/api/v3.1/toolkits/gmail"},
	} {
		t.Run(tt.base, func(t *testing.T) {
			if _, err := f.client(tt.base).Toolkits().Get(context.Background(), "gmail"); err != nil {
				t.Fatal(err)
			}
			if got := f.last(t).Path; got != tt.want {
				t.Errorf("got path %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEmptyBaseURL(t *testing.T) {
	_, err := New(testKey, "").Toolkits().Get(context.Background(), "gmail")
	if err == nil || !strings.Contains(err.Error(), "base URL") {
		t.Errorf("got %v, want an error about the base URL", err)
	}
}

func TestPathEscaping(t *testing.T) {
	f, c := newFake(t, replyJSON(200, `{}`))
	ctx := context.Background()
	if _, err := c.ConnectedAccounts().Get(ctx, "ca/1 x?y"); err != nil {
		t.Fatal(err)
	}
	if got, want := f.last(t).Path, "/api/v3.1/connected_accounts/ca%2F1%20x%3Fy"; got != want {
		t.Errorf("got path %q, want %q", got, want)
	}

	for _, id := range []string{"", ".", ".."} {
		if _, err := c.ConnectedAccounts().Get(ctx, id); err == nil {
			t.Errorf("Get(%q): got no error, want one", id)
		}
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("got %d requests, want 1: invalid ids must not be sent", n)
	}
}

func TestAPIError(t *testing.T) {
	for _, tt := range []struct {
		name    string
		status  int
		body    string
		want    *APIError
		wantMsg []string
	}{
		{
			name:   "documented body",
			status: 400,
			body: `{"error":{"message":"Connected account ca_1 does not belong to user user_456","code":1234,
				"slug":"connected_account_user_mismatch","status":400,"request_id":"req_abc",
				"suggested_fix":"Pin an account owned by the session user",
				"errors":[{"field":"connected_accounts.gmail","code":"user_mismatch","message":"belongs to another user"}]}}`,
			want: &APIError{
				Status: 400, Code: 1234, Slug: "connected_account_user_mismatch",
				Message:      "Connected account ca_1 does not belong to user user_456",
				RequestID:    "req_abc",
				SuggestedFix: "Pin an account owned by the session user",
				Errors:       []wire.FieldError{{Field: "connected_accounts.gmail", Code: "user_mismatch", Message: "belongs to another user"}},
			},
			wantMsg: []string{
				"POST /api/v3.1/tool_router/session", "400 Bad Request",
				"does not belong to user user_456", "connected_accounts.gmail: belongs to another user",
				"connected_account_user_mismatch, code 1234", "request req_abc", "fix: Pin an account",
			},
		},
		{
			name:    "flat message",
			status:  401,
			body:    `{"message":"invalid API key"}`,
			want:    &APIError{Status: 401, Message: "invalid API key"},
			wantMsg: []string{"401 Unauthorized: invalid API key"},
		},
		{
			name:    "not JSON",
			status:  502,
			body:    `<html>bad gateway</html>`,
			want:    &APIError{Status: 502},
			wantMsg: []string{"502 Bad Gateway"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newFake(t, replyJSON(tt.status, tt.body))
			_, err := c.Create(context.Background(), "user_456")
			var got *APIError
			if !errors.As(err, &got) {
				t.Fatalf("got %v (%T), want *APIError", err, err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(APIError{})); diff != "" {
				t.Errorf("APIError mismatch (-want +got):\n%s", diff)
			}
			for _, s := range tt.wantMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("got message %q, want it to contain %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "<html>") {
				t.Errorf("got message %q, want no raw body in it", err)
			}
		})
	}
}

func TestRequestIDFromHeader(t *testing.T) {
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req_hdr")
		reply(w, 500, `{"error":{"message":"boom"}}`)
	})
	_, err := c.Create(context.Background(), "user_123")
	var e *APIError
	if !errors.As(err, &e) || e.RequestID != "req_hdr" {
		t.Errorf("got %v, want an *APIError with request id req_hdr", err)
	}
}

func TestIsNotFound(t *testing.T) {
	notFound := &APIError{Status: 404}
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{notFound, true},
		{fmt.Errorf("get account: %w", notFound), true},
		{&APIError{Status: 400}, false},
		{errors.New("404"), false},
	} {
		if got := IsNotFound(tt.err); got != tt.want {
			t.Errorf("IsNotFound(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// statuses answers with the given statuses in turn, then 200.
func statuses(codes ...int) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		code := 200
		if i := int(n.Add(1)) - 1; i < len(codes) {
			code = codes[i]
		}
		reply(w, code, `{"id":"ca_1","status":"ACTIVE","success":true}`)
	}
}

// dropFirst closes the connection of the first request without answering.
func dropFirst() http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		reply(w, 200, `{"id":"ca_1","status":"ACTIVE","success":true}`)
	}
}

func TestRetry(t *testing.T) {
	get := func(c *Client) error {
		_, err := c.ConnectedAccounts().Get(context.Background(), "ca_1")
		return err
	}
	post := func(c *Client) error {
		_, err := c.ConnectedAccounts().Refresh(context.Background(), "ca_1")
		return err
	}
	for _, tt := range []struct {
		name       string
		handle     http.HandlerFunc
		call       func(*Client) error
		wantStatus int // of the *APIError; 0 for success, -1 for another error
		wantReqs   int
		wantSleeps []time.Duration
	}{
		{"GET 503 twice then 200", statuses(503, 503), get, 0, 3, []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}},
		{"GET 502 504 then 200", statuses(502, 504), get, 0, 3, []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}},
		{"GET 503 three times", statuses(503, 503, 503), get, 503, 3, []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}},
		{"GET 500 is not retried", statuses(500), get, 500, 1, nil},
		{"GET 429 is not retried", statuses(429), get, 429, 1, nil},
		{"GET connection error", dropFirst(), get, 0, 2, []time.Duration{250 * time.Millisecond}},
		{"POST 503 is not retried", statuses(503), post, 503, 1, nil},
		{"POST connection error is not retried", dropFirst(), post, -1, 1, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t, tt.handle)
			err := tt.call(c)
			var e *APIError
			switch {
			case tt.wantStatus == 0 && err != nil:
				t.Errorf("got %v, want success", err)
			case tt.wantStatus > 0 && (!errors.As(err, &e) || e.Status != tt.wantStatus):
				t.Errorf("got %v, want an *APIError with status %d", err, tt.wantStatus)
			case tt.wantStatus < 0 && (err == nil || errors.As(err, &e)):
				t.Errorf("got %v, want a connection error", err)
			}
			if got := len(f.requests()); got != tt.wantReqs {
				t.Errorf("got %d requests, want %d", got, tt.wantReqs)
			}
			if diff := cmp.Diff(tt.wantSleeps, f.slept()); diff != "" {
				t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	f, c := newFake(t, statuses(503))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.ConnectedAccounts().Get(ctx, "ca_1")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("got %d requests, want 0", n)
	}
}
