package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/switchboard-dev/switchboard/wire"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestToolRequests(t *testing.T) {
	for _, tt := range []struct {
		name string
		call func(context.Context, *Client) error
		want request
	}{
		{
			name: "session execute, no arguments",
			call: func(ctx context.Context, c *Client) error {
				_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Execute(ctx, "GMAIL_GET_PROFILE", nil)
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/tool_router/session/trs_abc/execute",
				Body: `{"tool_slug":"GMAIL_GET_PROFILE","arguments":{}}`},
		},
		{
			name: "session execute, arguments and account",
			call: func(ctx context.Context, c *Client) error {
				_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Execute(ctx, "GMAIL_SEND_EMAIL",
					map[string]any{"subject": "hi", "recipient_email": "bob@example.com"}, WithAccount("work"))
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/tool_router/session/trs_abc/execute",
				Body: `{"tool_slug":"GMAIL_SEND_EMAIL","arguments":{"recipient_email":"bob@example.com","subject":"hi"},"account":"work"}`},
		},
		{
			name: "session execute, meta tool",
			call: func(ctx context.Context, c *Client) error {
				_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Execute(ctx, "COMPOSIO_SEARCH_TOOLS",
					map[string]any{"queries": []map[string]string{{"use_case": "send email"}}})
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/tool_router/session/trs_abc/execute",
				Body: `{"tool_slug":"COMPOSIO_SEARCH_TOOLS","arguments":{"queries":[{"use_case":"send email"}]}}`},
		},
		{
			name: "session execute, escaped session id",
			call: func(ctx context.Context, c *Client) error {
				_, err := (&Session{Session: wire.Session{SessionID: "trs/1 x?y"}, client: c}).Execute(ctx, "GMAIL_GET_PROFILE", nil)
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/tool_router/session/trs%2F1%20x%3Fy/execute",
				Body: `{"tool_slug":"GMAIL_GET_PROFILE","arguments":{}}`},
		},
		{
			name: "session tools",
			call: func(ctx context.Context, c *Client) error {
				_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Tools(ctx)
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/tool_router/session/trs_abc/tools"},
		},
		{
			name: "session tools, a page",
			call: func(ctx context.Context, c *Client) error {
				_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Tools(ctx, ToolsCursor("c/2"), ToolsLimit(7))
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/tool_router/session/trs_abc/tools", RawQuery: "cursor=c%2F2&limit=7"},
		},
		{
			name: "session tools, zero options are not sent",
			call: func(ctx context.Context, c *Client) error {
				_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Tools(ctx, ToolsCursor(""), ToolsLimit(0))
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/tool_router/session/trs_abc/tools"},
		},
		{
			name: "session search",
			call: func(ctx context.Context, c *Client) error {
				_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Search(ctx, "send an email", "create an issue")
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/tool_router/session/trs_abc/search",
				Body: `{"queries":[{"use_case":"send an email"},{"use_case":"create an issue"}]}`},
		},
		{
			name: "session proxy",
			call: func(ctx context.Context, c *Client) error {
				_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Proxy(ctx, "gmail", wire.ProxyRequest{
					Endpoint: "/users/me/labels", Method: "POST", Account: "work",
					Parameters: []wire.ProxyParameter{{Name: "q", Type: "query", Value: "a b"}},
					Body:       json.RawMessage(`{"name":"x"}`),
				})
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/tool_router/session/trs_abc/proxy_execute",
				Body: `{"endpoint":"/users/me/labels","method":"POST","toolkit_slug":"gmail","account":"work","parameters":[{"name":"q","type":"query","value":"a b"}],"body":{"name":"x"}}`},
		},
		{
			name: "session proxy, toolkit argument wins",
			call: func(ctx context.Context, c *Client) error {
				_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Proxy(ctx, "gmail", wire.ProxyRequest{
					Endpoint: "/users/me/profile", Method: "GET", ToolkitSlug: "github",
				})
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/tool_router/session/trs_abc/proxy_execute",
				Body: `{"endpoint":"/users/me/profile","method":"GET","toolkit_slug":"gmail"}`},
		},
		{
			name: "tools list, every filter",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Tools().List(ctx, ListToolsParams{
					ToolkitSlugs: []string{"gmail", "github"}, ToolSlugs: []string{"GMAIL_SEND_EMAIL", "GMAIL_GET_PROFILE"},
					Tags: []string{"important"}, Search: "send mail", Cursor: "cur", Limit: 10,
				})
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/tools",
				RawQuery: "cursor=cur&limit=10&search=send+mail&tags=important&tool_slugs=GMAIL_SEND_EMAIL%2CGMAIL_GET_PROFILE&toolkit_slug=gmail%2Cgithub"},
		},
		{
			name: "tools list, no filter",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Tools().List(ctx, ListToolsParams{})
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/tools"},
		},
		{
			name: "tool get",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Tools().Get(ctx, "GMAIL_SEND_EMAIL")
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/tools/GMAIL_SEND_EMAIL"},
		},
		{
			name: "tool get, escaped slug",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Tools().Get(ctx, "A/B C")
				return err
			},
			want: request{Method: "GET", Path: "/api/v3.1/tools/A%2FB%20C"},
		},
		{
			name: "tool execute by account",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Tools().Execute(ctx, "GMAIL_GET_PROFILE", nil, WithConnectedAccountID("ca_1"))
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/tools/execute/GMAIL_GET_PROFILE",
				Body: `{"arguments":{},"connected_account_id":"ca_1"}`},
		},
		{
			name: "tool execute by user, escaped slug",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Tools().Execute(ctx, "X/../Y", map[string]any{"n": 1}, WithUserID("user_123"))
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/tools/execute/X%2F..%2FY",
				Body: `{"arguments":{"n":1},"user_id":"user_123"}`},
		},
		{
			name: "tool execute by user and account",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Tools().Execute(ctx, "GMAIL_GET_PROFILE", map[string]any{}, WithUserID("user_123"), WithConnectedAccountID("ca_1"))
				return err
			},
			want: request{Method: "POST", Path: "/api/v3.1/tools/execute/GMAIL_GET_PROFILE",
				Body: `{"arguments":{},"user_id":"user_123","connected_account_id":"ca_1"}`},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t, replyJSON(200, okJSON))
			if err := tt.call(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			got := reqs[0]
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

// TestToolRequestsRefused: arguments that cannot make a valid request
// fail before anything is sent.
func TestToolRequestsRefused(t *testing.T) {
	for _, tt := range []struct {
		name string
		call func(context.Context, *Client) error
	}{
		{"execute, empty slug", func(ctx context.Context, c *Client) error {
			_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Execute(ctx, "", nil)
			return err
		}},
		{"execute, dot session id", func(ctx context.Context, c *Client) error {
			_, err := (&Session{Session: wire.Session{SessionID: ".."}, client: c}).Execute(ctx, "GMAIL_GET_PROFILE", nil)
			return err
		}},
		{"execute, unbound session", func(ctx context.Context, c *Client) error {
			_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}}).Execute(ctx, "GMAIL_GET_PROFILE", nil)
			return err
		}},
		{"tools, unbound session", func(ctx context.Context, c *Client) error {
			_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}}).Tools(ctx)
			return err
		}},
		{"search, no use case", func(ctx context.Context, c *Client) error {
			_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Search(ctx)
			return err
		}},
		{"search, unbound session", func(ctx context.Context, c *Client) error {
			_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}}).Search(ctx, "send an email")
			return err
		}},
		{"proxy, empty toolkit", func(ctx context.Context, c *Client) error {
			_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Proxy(ctx, "", wire.ProxyRequest{Endpoint: "/x", Method: "GET"})
			return err
		}},
		{"proxy, connected account id", func(ctx context.Context, c *Client) error {
			_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Proxy(ctx, "gmail", wire.ProxyRequest{Endpoint: "/x", Method: "GET", ConnectedAccountID: "ca_1"})
			return err
		}},
		{"proxy, unbound session", func(ctx context.Context, c *Client) error {
			_, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}}).Proxy(ctx, "gmail", wire.ProxyRequest{Endpoint: "/x", Method: "GET"})
			return err
		}},
		{"tool get, empty slug", func(ctx context.Context, c *Client) error {
			_, err := c.Tools().Get(ctx, "")
			return err
		}},
		{"tool get, dot slug", func(ctx context.Context, c *Client) error {
			_, err := c.Tools().Get(ctx, ".")
			return err
		}},
		{"tool execute, empty slug", func(ctx context.Context, c *Client) error {
			_, err := c.Tools().Execute(ctx, "", nil, WithUserID("user_123"))
			return err
		}},
		{"tool execute, dot-dot slug", func(ctx context.Context, c *Client) error {
			_, err := c.Tools().Execute(ctx, "..", nil, WithUserID("user_123"))
			return err
		}},
		{"tool execute, the proxy route", func(ctx context.Context, c *Client) error {
			_, err := c.Tools().Execute(ctx, "proxy", nil, WithUserID("user_123"))
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t, replyJSON(200, okJSON))
			if err := tt.call(context.Background(), c); err == nil {
				t.Error("got no error, want one")
			}
			if n := len(f.requests()); n != 0 {
				t.Errorf("got %d requests, want 0", n)
			}
		})
	}
}

func TestExecuteResults(t *testing.T) {
	for _, tt := range []struct {
		name string
		body string
		want *ExecuteResult
		ok   bool
	}{
		{
			name: "success",
			body: `{"data":{"owner":"alice","n":1},"error":null,"log_id":"log_1","result_type":"completed"}`,
			want: &ExecuteResult{Data: json.RawMessage(`{"owner":"alice","n":1}`), LogID: "log_1"},
			ok:   true,
		},
		{
			name: "success without result_type",
			body: `{"data":{},"error":null,"log_id":"log_1"}`,
			want: &ExecuteResult{Data: json.RawMessage(`{}`), LogID: "log_1"},
			ok:   true,
		},
		{
			name: "tool failed",
			body: `{"data":{},"error":"invalid arguments for GMAIL_SEND_EMAIL: recipient_email is required","log_id":"log_2","result_type":"failed"}`,
			want: &ExecuteResult{Data: json.RawMessage(`{}`), Error: "invalid arguments for GMAIL_SEND_EMAIL: recipient_email is required", LogID: "log_2"},
		},
		{
			name: "failed without a message",
			body: `{"data":{},"error":null,"log_id":"log_3","result_type":"failed"}`,
			want: &ExecuteResult{Data: json.RawMessage(`{}`), Error: errNoMessage, LogID: "log_3"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t, replyJSON(200, tt.body))
			got, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Execute(context.Background(), "GMAIL_SEND_EMAIL", nil)
			if err != nil {
				t.Fatalf("got error %v, want a result", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result mismatch (-want +got):\n%s", diff)
			}
			if got.Successful() != tt.ok {
				t.Errorf("Successful() = %v, want %v", got.Successful(), tt.ok)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("got %d requests, want 1", n)
			}
		})
	}
}

func TestToolExecuteResults(t *testing.T) {
	for _, tt := range []struct {
		name string
		body string
		want *ExecuteResult
		ok   bool
	}{
		{
			name: "success",
			body: `{"data":{"owner":"alice"},"error":null,"successful":true,"log_id":"log_1"}`,
			want: &ExecuteResult{Data: json.RawMessage(`{"owner":"alice"}`), LogID: "log_1"},
			ok:   true,
		},
		{
			name: "tool failed",
			body: `{"data":{},"error":"upstream answered 500","successful":false,"log_id":"log_2"}`,
			want: &ExecuteResult{Data: json.RawMessage(`{}`), Error: "upstream answered 500", LogID: "log_2"},
		},
		{
			name: "unsuccessful without a message",
			body: `{"data":{},"error":null,"successful":false,"log_id":"log_3"}`,
			want: &ExecuteResult{Data: json.RawMessage(`{}`), Error: errNoMessage, LogID: "log_3"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newFake(t, replyJSON(200, tt.body))
			got, err := c.Tools().Execute(context.Background(), "GMAIL_GET_PROFILE", nil, WithUserID("user_123"))
			if err != nil {
				t.Fatalf("got error %v, want a result", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result mismatch (-want +got):\n%s", diff)
			}
			if got.Successful() != tt.ok {
				t.Errorf("Successful() = %v, want %v", got.Successful(), tt.ok)
			}
		})
	}
}

// TestToolErrors: a non-2xx answer is an *APIError and no result, and
// the calls that run tools are never repeated.
func TestToolErrors(t *testing.T) {
	for _, tt := range []struct {
		name     string
		status   int
		body     string
		call     func(context.Context, *Client) (any, error)
		wantSlug string
		wantCode int
		requests int
	}{
		{
			name: "session execute, unknown tool", status: 404,
			body: `{"error":{"message":"tool NOPE not found","code":1700,"slug":"tool_not_found","status":404}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Execute(ctx, "NOPE", nil)
			},
			wantSlug: "tool_not_found", wantCode: 1700, requests: 1,
		},
		{
			name: "session execute, unavailable", status: 503, body: `{"error":{"message":"try later"}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Execute(ctx, "GMAIL_GET_PROFILE", nil)
			},
			requests: 1,
		},
		{
			name: "tool execute, unknown account", status: 404,
			body: `{"error":{"message":"connected account ca_nope not found","code":1803,"slug":"connected_account_not_found","status":404}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Tools().Execute(ctx, "GMAIL_GET_PROFILE", nil, WithConnectedAccountID("ca_nope"))
			},
			wantSlug: "connected_account_not_found", wantCode: 1803, requests: 1,
		},
		{
			name: "tool execute, no account named", status: 400,
			body: `{"error":{"message":"name the account with user_id or connected_account_id","slug":"user_id_required","status":400}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Tools().Execute(ctx, "GMAIL_GET_PROFILE", nil)
			},
			wantSlug: "user_id_required", requests: 1,
		},
		{
			name: "session proxy, bad method", status: 400,
			body: `{"error":{"message":"method must be GET, POST, PUT, PATCH or DELETE","slug":"invalid_request","status":400}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Proxy(ctx, "gmail", wire.ProxyRequest{Endpoint: "/x", Method: "HEAD"})
			},
			wantSlug: "invalid_request", requests: 1,
		},
		{
			name: "session search, gone session", status: 404, body: `{"error":{"message":"session not found","slug":"session_not_found"}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Search(ctx, "send an email")
			},
			wantSlug: "session_not_found", requests: 1,
		},
		{
			name: "session tools, retried GET", status: 503, body: `{"error":{"message":"try later"}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Tools(ctx)
			},
			requests: 1 + maxRetries,
		},
		{
			name: "tool get, unknown tool", status: 404, body: `{"error":{"message":"tool NOPE not found","slug":"tool_not_found"}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Tools().Get(ctx, "NOPE")
			},
			wantSlug: "tool_not_found", requests: 1,
		},
		{
			name: "tools list, bad cursor", status: 400, body: `{"error":{"message":"the cursor is not one this server issued","slug":"invalid_request"}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Tools().List(ctx, ListToolsParams{Cursor: "x"})
			},
			wantSlug: "invalid_request", requests: 1,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t, replyJSON(tt.status, tt.body))
			got, err := tt.call(context.Background(), c)
			var e *APIError
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *APIError", err)
			}
			if e.Status != tt.status || e.Slug != tt.wantSlug || e.Code != tt.wantCode {
				t.Errorf("got status %d slug %q code %d, want %d %q %d", e.Status, e.Slug, e.Code, tt.status, tt.wantSlug, tt.wantCode)
			}
			if e.Message == "" {
				t.Error("got an empty message")
			}
			// got holds a typed pointer, which must be nil.
			if !reflect.ValueOf(got).IsNil() {
				t.Errorf("got result %+v with the error, want none", got)
			}
			if n := len(f.requests()); n != tt.requests {
				t.Errorf("got %d requests, want %d", n, tt.requests)
			}
		})
	}
}

func TestSessionToolsDecodes(t *testing.T) {
	_, c := newFake(t, replyJSON(200, `{"items":[
		{"slug":"GMAIL_SEND_EMAIL","name":"Send email","description":"Sends an email","input_parameters":{"type":"object","required":["recipient_email"]},
		 "output_parameters":{"type":"object"},"tags":["important"],"toolkit":{"slug":"gmail","name":"Gmail","logo":""},"version":"20250101_00",
		 "available_versions":["20250101_00"],"is_deprecated":false,"no_auth":false,"scopes":[],"deprecated":{"is_deprecated":false}},
		{"slug":"COMPOSIO_SEARCH_TOOLS","name":"Search tools"}],
		"next_cursor":"Nw","total_pages":3,"current_page":1,"total_items":15}`))
	page, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Tools(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &Page[wire.Tool]{
		Items: []wire.Tool{
			{
				Slug: "GMAIL_SEND_EMAIL", Name: "Send email", Description: "Sends an email",
				InputParameters:  json.RawMessage(`{"type":"object","required":["recipient_email"]}`),
				OutputParameters: json.RawMessage(`{"type":"object"}`),
				Tags:             []string{"important"}, Toolkit: wire.ToolToolkit{Slug: "gmail", Name: "Gmail"},
				Version: "20250101_00", AvailableVersions: []string{"20250101_00"}, Scopes: []string{},
			},
			{Slug: "COMPOSIO_SEARCH_TOOLS", Name: "Search tools"},
		},
		NextCursor: "Nw", TotalPages: 3, TotalItems: 15,
	}
	if diff := cmp.Diff(want, page); diff != "" {
		t.Errorf("page mismatch (-want +got):\n%s", diff)
	}
}

func TestSearchDecodes(t *testing.T) {
	_, c := newFake(t, replyJSON(200, `{"success":true,"error":null,
		"results":[{"index":1,"use_case":"send an email","primary_tool_slugs":["GMAIL_SEND_EMAIL"],"related_tool_slugs":["GMAIL_GET_PROFILE"],"toolkits":["gmail"]}],
		"tool_schemas":{"GMAIL_SEND_EMAIL":{"tool_slug":"GMAIL_SEND_EMAIL","toolkit":"gmail","description":"Sends","hasFullSchema":true,"input_schema":{"type":"object"}}},
		"toolkit_connection_statuses":[{"toolkit":"gmail","description":"Gmail","has_active_connection":true,"status_message":"connected",
			"accounts":[{"id":"ca_w","alias":"work","identity":"alice@work.example","status":"ACTIVE","active":true}]}],
		"next_steps_guidance":["Call GMAIL_SEND_EMAIL"],
		"session":{"id":"trs_abc","generate_id":false,"instructions":""},
		"time_info":{"current_time_utc":"2026-01-01T00:00:00Z","current_time_utc_epoch_seconds":1767225600,"message":""}}`))
	got, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Search(context.Background(), "send an email")
	if err != nil {
		t.Fatal(err)
	}
	alias := "work"
	want := &wire.SearchResponse{
		Success: true,
		Results: []wire.SearchResult{{Index: 1, UseCase: "send an email", PrimaryToolSlugs: []string{"GMAIL_SEND_EMAIL"},
			RelatedToolSlugs: []string{"GMAIL_GET_PROFILE"}, Toolkits: []string{"gmail"}}},
		ToolSchemas: map[string]wire.SearchToolSchema{"GMAIL_SEND_EMAIL": {ToolSlug: "GMAIL_SEND_EMAIL", Toolkit: "gmail",
			Description: "Sends", HasFullSchema: true, InputSchema: json.RawMessage(`{"type":"object"}`)}},
		ToolkitConnectionStatuses: []wire.ToolkitConnectionStatus{{Toolkit: "gmail", Description: "Gmail", HasActiveConnection: true,
			StatusMessage: "connected", Accounts: []wire.SearchAccountInfo{{ID: "ca_w", Alias: &alias, Identity: "alice@work.example", Status: "ACTIVE", Active: true}}}},
		NextStepsGuidance: []string{"Call GMAIL_SEND_EMAIL"},
		Session:           wire.SearchSession{ID: "trs_abc"},
		TimeInfo:          wire.SearchTimeInfo{CurrentTimeUTC: "2026-01-01T00:00:00Z", CurrentTimeUTCEpochSeconds: 1767225600},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("search mismatch (-want +got):\n%s", diff)
	}
}

func TestProxyDecodes(t *testing.T) {
	for _, tt := range []struct {
		name string
		body string
		want *wire.ProxyResponse
	}{
		{
			name: "upstream answer",
			body: `{"status":201,"data":{"owner":"alice","n":2},"headers":{"content-type":"application/json"},"log_id":"log_1"}`,
			want: &wire.ProxyResponse{Status: 201, Data: map[string]any{"owner": "alice", "n": 2.0},
				Headers: map[string]string{"content-type": "application/json"}, LogID: "log_1"},
		},
		{
			name: "refused endpoint",
			body: `{"status":0,"data":null,"headers":null,"error":"endpoint leaves the toolkit's API","log_id":"log_2"}`,
			want: &wire.ProxyResponse{Error: ptrTo("endpoint leaves the toolkit's API"), LogID: "log_2"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newFake(t, replyJSON(200, tt.body))
			got, err := (&Session{Session: wire.Session{SessionID: "trs_abc"}, client: c}).Proxy(context.Background(), "gmail", wire.ProxyRequest{Endpoint: "/x", Method: "GET"})
			if err != nil {
				t.Fatalf("got error %v, want a response", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func ptrTo(s string) *string { return &s }

func TestToolGetDecodes(t *testing.T) {
	_, c := newFake(t, replyJSON(200, `{"slug":"GMAIL_SEND_EMAIL","name":"Send email","input_parameters":{"type":"object"},"toolkit":{"slug":"gmail","name":"Gmail"}}`))
	got, err := c.Tools().Get(context.Background(), "GMAIL_SEND_EMAIL")
	if err != nil {
		t.Fatal(err)
	}
	if got.Slug != "GMAIL_SEND_EMAIL" || got.Toolkit.Slug != "gmail" || !strings.Contains(string(got.InputParameters), `"object"`) {
		t.Errorf("got %+v, want GMAIL_SEND_EMAIL of gmail with its schema", got)
	}
}
