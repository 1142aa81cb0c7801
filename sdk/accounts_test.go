package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/switchboard-dev/switchboard/wire"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// okJSON decodes into every response type the services read.
const okJSON = `{"items":[],"next_cursor":null,"deleted":true,"success":true}`

func TestServiceRequests(t *testing.T) {
	ptr := func(s string) *string { return &s }
	for _, tt := range []struct {
		name string
		call func(context.Context, *Client) error
		want request
	}{
		{
			name: "accounts list, every filter",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ConnectedAccounts().List(ctx, ListAccountsParams{
					UserIDs: []string{"user_123"}, ToolkitSlugs: []string{"gmail"},
					AuthConfigIDs: []string{"ac_1", "ac_2"}, Statuses: []string{"ACTIVE", "INITIATED"},
					IDs: []string{"ca_1", "ca_2"}, OrderBy: "created_at", OrderDirection: "desc",
					Cursor: "cur", Limit: 5,
				})
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/connected_accounts",
				RawQuery: "auth_config_ids=ac_1%2Cac_2&connected_account_ids=ca_1%2Cca_2&cursor=cur&limit=5&order_by=created_at&order_direction=desc&statuses=ACTIVE%2CINITIATED&toolkit_slugs=gmail&user_ids=user_123"},
		},
		{
			name: "accounts list, no filter",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ConnectedAccounts().List(ctx, ListAccountsParams{})
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/connected_accounts"},
		},
		{
			name: "account get",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ConnectedAccounts().Get(ctx, "ca_1")
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/connected_accounts/ca_1"},
		},
		{
			name: "account update",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ConnectedAccounts().Update(ctx, "ca_1", wire.ConnectedAccountUpdateRequest{Alias: ptr("work")})
				return err
			},
			want: request{Method: "PATCH", Path: "/api/v3.1/connected_accounts/ca_1", Body: `{"alias":"work"}`},
		},
		{
			name: "account delete",
			call: func(ctx context.Context, c *Client) error { return c.ConnectedAccounts().Delete(ctx, "ca_1") },
			want: request{Method: "DELETE", Path: "/api/v3.1/connected_accounts/ca_1"},
		},
		{
			name: "account enable",
			call: func(ctx context.Context, c *Client) error { return c.ConnectedAccounts().Enable(ctx, "ca_1") },
			want: request{Method: "PATCH", Path: "/api/v3.1/connected_accounts/ca_1/status", Body: `{"enabled":true}`},
		},
		{
			name: "account disable",
			call: func(ctx context.Context, c *Client) error { return c.ConnectedAccounts().Disable(ctx, "ca_1") },
			want: request{Method: "PATCH", Path: "/api/v3.1/connected_accounts/ca_1/status", Body: `{"enabled":false}`},
		},
		{
			name: "account link",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ConnectedAccounts().Link(ctx, "user_999", "ac_1", WithCallbackURL("https://app.example/cb"), WithAlias("a"))
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/connected_accounts/link",
				Body: `{"auth_config_id":"ac_1","user_id":"user_999","callback_url":"https://app.example/cb","alias":"a"}`},
		},
		{
			name: "account refresh",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ConnectedAccounts().Refresh(ctx, "ca_1")
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/connected_accounts/ca_1/refresh", Body: `{}`},
		},
		{
			name: "auth config create, managed by default",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.AuthConfigs().Create(ctx, "gmail", wire.AuthConfigSpec{})
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/auth_configs",
				Body: `{"toolkit":{"slug":"gmail"},"auth_config":{"type":"use_composio_managed_auth"}}`},
		},
		{
			name: "auth config create, custom",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.AuthConfigs().Create(ctx, "gmail", wire.AuthConfigSpec{
					Type: "use_custom_auth", Name: "Mine", AuthScheme: "OAUTH2",
					Credentials: map[string]any{"client_id": "id", "client_secret": "s"},
				})
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/auth_configs",
				Body: `{"toolkit":{"slug":"gmail"},"auth_config":{"type":"use_custom_auth","name":"Mine","authScheme":"OAUTH2","credentials":{"client_id":"id","client_secret":"s"}}}`},
		},
		{
			name: "auth config get",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.AuthConfigs().Get(ctx, "ac_1")
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/auth_configs/ac_1"},
		},
		{
			name: "auth config list",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.AuthConfigs().List(ctx, ListAuthConfigsParams{
					ToolkitSlugs: []string{"gmail", "github"}, ShowDisabled: true, Search: "work", Cursor: "cur", Limit: 10,
				})
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/auth_configs",
				RawQuery: "cursor=cur&limit=10&search=work&show_disabled=true&toolkit_slug=gmail%2Cgithub"},
		},
		{
			name: "auth config update",
			call: func(ctx context.Context, c *Client) error {
				return c.AuthConfigs().Update(ctx, "ac_1", wire.AuthConfigUpdateRequest{Type: "custom", Credentials: map[string]any{"client_id": "x"}})
			},
			want: request{Method: "PATCH", Path: "/api/v3.1/auth_configs/ac_1", Body: `{"type":"custom","credentials":{"client_id":"x"}}`},
		},
		{
			name: "auth config delete",
			call: func(ctx context.Context, c *Client) error { return c.AuthConfigs().Delete(ctx, "ac_1") },
			want: request{Method: "DELETE", Path: "/api/v3.1/auth_configs/ac_1"},
		},
		{
			name: "auth config enable",
			call: func(ctx context.Context, c *Client) error { return c.AuthConfigs().Enable(ctx, "ac_1") },
			want: request{Method: "PATCH", Path: "/api/v3.1/auth_configs/ac_1/ENABLED"},
		},
		{
			name: "auth config disable",
			call: func(ctx context.Context, c *Client) error { return c.AuthConfigs().Disable(ctx, "ac_1") },
			want: request{Method: "PATCH", Path: "/api/v3.1/auth_configs/ac_1/DISABLED"},
		},
		{
			name: "toolkits list",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Toolkits().List(ctx)
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/toolkits"},
		},
		{
			name: "toolkit get",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Toolkits().Get(ctx, "gmail")
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/toolkits/gmail"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t, replyJSON(200, okJSON))
			if err := tt.call(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			got := f.last(t)
			if diff := cmp.Diff(tt.want, got, ignoreHeader); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
			if got.Header.Get("x-api-key") != testKey {
				t.Errorf("got x-api-key %q, want %q", got.Header.Get("x-api-key"), testKey)
			}
			if hasBody := tt.want.Body != ""; (got.Header.Get("Content-Type") == "application/json") != hasBody {
				t.Errorf("got Content-Type %q with body %q", got.Header.Get("Content-Type"), got.Body)
			}
		})
	}
}

func TestListAccountsDecodes(t *testing.T) {
	_, c := newFake(t, replyJSON(200, `{"items":[
		{"id":"ca_w","alias":"work","user_id":"user_123","status":"ACTIVE","toolkit":{"slug":"gmail"},"auth_config":{"id":"ac_1"}},
		{"id":"ca_p","alias":null,"user_id":"user_123","status":"ACTIVE","toolkit":{"slug":"gmail"},"auth_config":{"id":"ac_1"}}],
		"next_cursor":null,"total_pages":1,"current_page":1,"total_items":2}`))
	page, err := c.ConnectedAccounts().List(context.Background(), ListAccountsParams{UserIDs: []string{"user_123"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range page.Items {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{"ca_w", "ca_p"}, ids); diff != "" {
		t.Errorf("ids mismatch (-want +got):\n%s", diff)
	}
	if page.NextCursor != "" || page.TotalItems != 2 {
		t.Errorf("got cursor %q and %d items, want none and 2", page.NextCursor, page.TotalItems)
	}
}

func TestToolkitsListFollowsCursor(t *testing.T) {
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("cursor") == "" {
			reply(w, 200, `{"items":[{"slug":"gmail","meta":{}}],"next_cursor":"p2"}`)
			return
		}
		reply(w, 200, `{"items":[{"slug":"github","meta":{}}],"next_cursor":null}`)
	})
	got, err := c.Toolkits().List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Slug != "gmail" || got[1].Slug != "github" {
		t.Errorf("got %+v, want gmail and github", got)
	}
	if q := f.last(t).RawQuery; q != "cursor=p2" {
		t.Errorf("got second query %q, want cursor=p2", q)
	}
}

// account is a connected account response with status and reason.
func account(status, reason string) string {
	a := map[string]any{"id": "ca_1", "user_id": "user_123", "status": status, "toolkit": map[string]any{"slug": "gmail"},
		"auth_config": map[string]any{"id": "ac_1"}, "status_reason": nil}
	if reason != "" {
		a["status_reason"] = reason
	}
	b, _ := json.Marshal(a)
	return string(b)
}

func TestWaitForConnectionLongPoll(t *testing.T) {
	arrived := make(chan struct{})
	complete := make(chan struct{})
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		// Hold the request open, as Switchboard does, until the user
		// completes the flow.
		select {
		case <-complete:
			reply(w, 200, account("ACTIVE", ""))
		case <-r.Context().Done():
		}
	})
	go func() {
		<-arrived
		close(complete)
	}()

	req := &ConnectionRequest{ID: "ca_1", client: c}
	got, err := req.WaitForConnection(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "ca_1" || got.Status != "ACTIVE" {
		t.Errorf("got %s %s, want ca_1 ACTIVE", got.ID, got.Status)
	}
	want := []request{{Method: "GET", Path: "/api/v3.1/connected_accounts/ca_1", RawQuery: "wait_seconds=30"}}
	if diff := cmp.Diff(want, f.requests(), ignoreHeader); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
	if s := f.slept(); len(s) != 0 {
		t.Errorf("got sleeps %v, want none: the server held the request", s)
	}
}

// answers replies with bodies in turn, then repeats the last one. It
// ignores wait_seconds, like a server without Switchboard's long-poll.
func answers(bodies ...string) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := min(int(n.Add(1))-1, len(bodies)-1)
		reply(w, 200, bodies[i])
	}
}

func TestWaitForConnectionPolling(t *testing.T) {
	f, c := newFake(t, answers(account("INITIATED", ""), account("INITIALIZING", ""), account("ACTIVE", "")))

	got, err := c.ConnectedAccounts().WaitForConnection(context.Background(), "ca_1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "ACTIVE" {
		t.Errorf("got status %s, want ACTIVE", got.Status)
	}
	if n := len(f.requests()); n != 3 {
		t.Errorf("got %d requests, want 3", n)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, time.Second}, f.slept()); diff != "" {
		t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
	}
}

func TestWaitForConnectionFails(t *testing.T) {
	for _, tt := range []struct {
		status, reason string
	}{
		{"FAILED", "The user denied consent"},
		{"EXPIRED", "Connection initiation did not complete within 10 minutes"},
		{"REVOKED", ""},
		{"INACTIVE", "disabled by the API"},
	} {
		t.Run(tt.status, func(t *testing.T) {
			f, c := newFake(t, answers(account("INITIATED", ""), account(tt.status, tt.reason)))
			got, err := c.ConnectedAccounts().WaitForConnection(context.Background(), "ca_1")
			if got != nil {
				t.Errorf("got account %+v, want nil", got)
			}
			var e *ConnectionFailedError
			if !errors.As(err, &e) {
				t.Fatalf("got %v (%T), want *ConnectionFailedError", err, err)
			}
			want := &ConnectionFailedError{AccountID: "ca_1", Status: tt.status, Reason: tt.reason}
			if diff := cmp.Diff(want, e); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			if n := len(f.requests()); n != 2 {
				t.Errorf("got %d requests, want 2", n)
			}
		})
	}
}

func TestWaitForConnectionFailedMessage(t *testing.T) {
	err := &ConnectionFailedError{AccountID: "ca_1", Status: "FAILED", Reason: "The user denied consent"}
	if got, want := err.Error(), "sdk: connected account ca_1 is FAILED: The user denied consent"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWaitForConnectionCanceled(t *testing.T) {
	arrived := make(chan struct{})
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done() // hold until the client gives up
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()

	_, err := c.ConnectedAccounts().WaitForConnection(ctx, "ca_1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("got %d requests, want 1", n)
	}
}

func TestWaitForConnectionCanceledWhilePolling(t *testing.T) {
	_, c := newFake(t, answers(account("INITIATED", "")))
	ctx, cancel := context.WithCancel(context.Background())
	c.sleep = func(context.Context, time.Duration) error {
		cancel()
		return ctx.Err()
	}
	_, err := c.ConnectedAccounts().WaitForConnection(ctx, "ca_1")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestWaitForConnectionDeadline(t *testing.T) {
	for _, tt := range []struct {
		name    string
		timeout time.Duration
		client  *http.Client
		lo, hi  int
	}{
		{"deadline sooner than 30s", 10 * time.Second, nil, 1, 9},
		{"deadline later than 30s", time.Hour, nil, 30, 30},
		{"deadline under a second", 500 * time.Millisecond, nil, 0, 0},
		{"HTTP client timeout", time.Hour, &http.Client{Timeout: 20 * time.Second}, 10, 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t, answers(account("ACTIVE", "")))
			if tt.client != nil {
				c.httpClient = tt.client
			}
			ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
			defer cancel()
			if _, err := c.ConnectedAccounts().WaitForConnection(ctx, "ca_1"); err != nil {
				t.Fatal(err)
			}
			q := f.last(t).RawQuery
			n, err := strconv.Atoi(q[len("wait_seconds="):])
			if err != nil || n < tt.lo || n > tt.hi {
				t.Errorf("got query %q, want wait_seconds in [%d, %d]", q, tt.lo, tt.hi)
			}
		})
	}
}

func TestWaitForConnectionNotFound(t *testing.T) {
	_, c := newFake(t, replyJSON(404, `{"error":{"message":"connected account ca_x not found"}}`))
	_, err := c.ConnectedAccounts().WaitForConnection(context.Background(), "ca_x")
	if !IsNotFound(err) {
		t.Errorf("got %v, want a 404 *APIError", err)
	}
}
