package sdk

import (
	"context"
	"errors"
	"github.com/switchboard-dev/switchboard/wire"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCreate(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []SessionOption
		want string
	}{
		{
			name: "defaults",
			want: `{"user_id":"user_123","manage_connections":{"enable":true}}`,
		},
		{
			name: "pin",
			opts: []SessionOption{WithConnectedAccounts(map[string]string{"gmail": "ca_1"})},
			want: `{"user_id":"user_123","connected_accounts":{"gmail":["ca_1"]},"manage_connections":{"enable":true}}`,
		},
		{
			name: "everything",
			opts: []SessionOption{
				WithAuthConfigs(map[string]string{"gmail": "ac_1"}),
				WithConnectedAccounts(map[string]string{"gmail": "ca_w"}),
				WithToolkits("gmail"),
				WithManageConnections(false, ""),
			},
			want: `{"user_id":"user_123","toolkits":{"enable":["gmail"]},"auth_configs":{"gmail":"ac_1"},"connected_accounts":{"gmail":["ca_w"]},"manage_connections":{"enable":false}}`,
		},
		{
			name: "multi-account",
			opts: []SessionOption{WithMultiAccount(3, true)},
			want: `{"user_id":"user_123","manage_connections":{"enable":true},"multi_account":{"enable":true,"max_accounts_per_toolkit":3,"require_explicit_selection":true}}`,
		},
		{
			name: "callback",
			opts: []SessionOption{WithManageConnections(true, "https://app.example/cb")},
			want: `{"user_id":"user_123","manage_connections":{"enable":true,"callback_url":"https://app.example/cb"}}`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t, replyJSON(201, sessionJSON))
			s, err := c.Create(context.Background(), "user_123", tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			req := f.last(t)
			if req.Method != http.MethodPost || req.Path != "/api/v3.1/tool_router/session" {
				t.Errorf("got %s %s, want POST /api/v3.1/tool_router/session", req.Method, req.Path)
			}
			if req.Body != tt.want {
				t.Errorf("got body\n%s\nwant\n%s", req.Body, tt.want)
			}
			if s.ID() != "trs_abc" || s.UserID() != "user_123" || s.MCPURL() != "http://sb/tool_router/v3/trs_abc/mcp" {
				t.Errorf("got session %q for %q at %q, want trs_abc for user_123 at its MCP URL", s.ID(), s.UserID(), s.MCPURL())
			}
			if diff := cmp.Diff(map[string][]string{"gmail": {"ca_1"}}, s.Config.ConnectedAccounts); diff != "" {
				t.Errorf("Config.ConnectedAccounts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreateRejectsForeignPin(t *testing.T) {
	f, c := newFake(t, replyJSON(400, `{"error":{"message":"Connected account ca_1 does not belong to user user_456","code":1234,"status":400,"request_id":"req_1"}}`))
	s, err := c.Create(context.Background(), "user_456", WithConnectedAccounts(map[string]string{"gmail": "ca_1"}))
	var e *APIError
	if !errors.As(err, &e) || e.Status != 400 || !strings.Contains(e.Message, "does not belong") {
		t.Fatalf("got %v, want a 400 *APIError about the owner", err)
	}
	if s != nil {
		t.Errorf("got session %v, want nil", s)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("got %d requests, want 1: a create is never retried", n)
	}
}

func TestCreateNeedsUser(t *testing.T) {
	f, c := newFake(t, replyJSON(201, sessionJSON))
	if _, err := c.Create(context.Background(), ""); err == nil {
		t.Error("got no error, want one for an empty user id")
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("got %d requests, want 0", n)
	}
}

func TestSessionLifecycle(t *testing.T) {
	updated := strings.Replace(sessionJSON, `"gmail":["ca_1"]`, `"gmail":["ca_p"]`, 1)
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			reply(w, 200, sessionJSON)
		case http.MethodPatch:
			reply(w, 200, updated)
		case http.MethodDelete:
			reply(w, 200, `{"session_id":"trs_abc","deleted":true}`)
		}
	})
	ctx := context.Background()

	s, err := c.Session(ctx, "trs_abc")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, WithConnectedAccounts(map[string]string{"gmail": "ca_p"})); err != nil {
		t.Fatal(err)
	}
	if got := s.Config.ConnectedAccounts["gmail"]; !cmp.Equal(got, []string{"ca_p"}) {
		t.Errorf("after Update got gmail pins %v, want [ca_p]", got)
	}
	if err := s.Delete(ctx); err != nil {
		t.Fatal(err)
	}

	want := []request{
		{Method: "GET", Path: "/api/v3.1/tool_router/session/trs_abc"},
		{Method: "PATCH", Path: "/api/v3.1/tool_router/session/trs_abc", Body: `{"connected_accounts":{"gmail":["ca_p"]}}`},
		{Method: "DELETE", Path: "/api/v3.1/tool_router/session/trs_abc"},
	}
	if diff := cmp.Diff(want, f.requests(), ignoreHeader); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

// ignoreHeader compares requests without their headers.
var ignoreHeader = cmp.FilterPath(func(p cmp.Path) bool {
	return p.Last().String() == ".Header"
}, cmp.Ignore())

func TestSessionDeleteErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		body   string
		check  func(error) bool
	}{
		{"not confirmed", 200, `{"session_id":"trs_abc","deleted":false}`, func(err error) bool { return err != nil }},
		{"gone", 404, `{"error":{"message":"session not found"}}`, IsNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newFake(t, replyJSON(tt.status, tt.body))
			s := &Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}
			if err := s.Delete(context.Background()); !tt.check(err) {
				t.Errorf("got %v", err)
			}
		})
	}
}

func TestUnboundSession(t *testing.T) {
	s := &Session{Session: wire.Session{SessionID: "trs_abc"}}
	ctx := context.Background()
	if _, err := s.Authorize(ctx, "gmail"); err == nil {
		t.Error("Authorize: got no error, want one")
	}
	if _, err := s.Toolkits(ctx); err == nil {
		t.Error("Toolkits: got no error, want one")
	}
}

func TestAuthorize(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []AuthorizeOption
		want string
	}{
		{"plain", nil, `{"toolkit":"gmail"}`},
		{"options", []AuthorizeOption{WithCallbackURL("https://app.example/cb"), WithAlias("work")},
			`{"toolkit":"gmail","callback_url":"https://app.example/cb","alias":"work"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t, replyJSON(201, `{"connected_account_id":"ca_w","link_token":"lk_1",
				"redirect_url":"http://sb/link/lk_1","expires_at":"2026-01-01T00:10:00Z"}`))
			s := &Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}
			got, err := s.Authorize(context.Background(), "gmail", tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			req := f.last(t)
			if req.Method != http.MethodPost || req.Path != "/api/v3.1/tool_router/session/trs_abc/link" {
				t.Errorf("got %s %s, want POST .../session/trs_abc/link", req.Method, req.Path)
			}
			if req.Body != tt.want {
				t.Errorf("got body %s, want %s", req.Body, tt.want)
			}
			want := &ConnectionRequest{
				ID: "ca_w", RedirectURL: "http://sb/link/lk_1", LinkToken: "lk_1",
				ExpiresAt: time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC),
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(ConnectionRequest{})); diff != "" {
				t.Errorf("ConnectionRequest mismatch (-want +got):\n%s", diff)
			}
			if got.client != c {
				t.Error("ConnectionRequest is not bound to the client")
			}
		})
	}
}

func TestSessionToolkits(t *testing.T) {
	f, c := newFake(t, replyJSON(200, `{"items":[
		{"slug":"gmail","name":"Gmail","enabled":true,"meta":{},"connected_account":{"id":"ca_p","status":"ACTIVE","user_id":"user_123","auth_config":{"id":"ac_1"}}},
		{"slug":"slack","name":"Slack","enabled":true,"meta":{},"connected_account":null}],
		"next_cursor":"c2","total_pages":2,"current_page":1,"total_items":3}`))
	s := &Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}
	ctx := context.Background()

	page, err := s.Toolkits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if req := f.last(t); req.Path != "/api/v3.1/tool_router/session/trs_abc/toolkits" || req.RawQuery != "" {
		t.Errorf("got %s?%s, want .../session/trs_abc/toolkits without a query", req.Path, req.RawQuery)
	}
	if len(page.Items) != 2 || page.Items[0].ConnectedAccount == nil || page.Items[0].ConnectedAccount.ID != "ca_p" {
		t.Fatalf("got items %+v, want gmail with ca_p first", page.Items)
	}
	if page.Items[1].ConnectedAccount != nil {
		t.Errorf("got slack account %+v, want nil", page.Items[1].ConnectedAccount)
	}
	if page.NextCursor != "c2" || page.TotalPages != 2 || page.TotalItems != 3 {
		t.Errorf("got page %q/%d/%d, want c2/2/3", page.NextCursor, page.TotalPages, page.TotalItems)
	}

	if _, err := s.Toolkits(ctx, FilterToolkits("gmail", "slack"), FilterConnected(true), Cursor("c2"), Limit(5)); err != nil {
		t.Fatal(err)
	}
	if got, want := f.last(t).RawQuery, "cursor=c2&is_connected=true&limit=5&toolkits=gmail%2Cslack"; got != want {
		t.Errorf("got query %q, want %q", got, want)
	}
}
