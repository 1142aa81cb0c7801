package toolkits

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParseResponse(t *testing.T) {
	c := builtin(t)
	tests := []struct {
		name     string
		slug     string
		status   int
		header   http.Header
		body     string
		wantData string // JSON
		wantErr  string
	}{
		{
			name: "slack ok", slug: "SLACK_SEND_MESSAGE", status: 200,
			body:     `{"ok":true,"channel":"C1","ts":"1.2"}`,
			wantData: `{"ok":true,"channel":"C1","ts":"1.2"}`,
		},
		{
			name: "slack ok:false on HTTP 200", slug: "SLACK_SEND_MESSAGE", status: 200,
			body:     `{"ok":false,"error":"channel_not_found"}`,
			wantData: `{"ok":false,"error":"channel_not_found"}`,
			wantErr:  "Slack API error: channel_not_found",
		},
		{
			name: "slack missing scope", slug: "SLACK_SEARCH_MESSAGES", status: 200,
			body:     `{"ok":false,"error":"missing_scope","needed":"search:read","provided":"chat:write,channels:read"}`,
			wantData: `{"ok":false,"error":"missing_scope","needed":"search:read","provided":"chat:write,channels:read"}`,
			wantErr:  "Slack API error: missing_scope (needed scopes: search:read; granted: chat:write,channels:read)",
		},
		{
			name: "slack invalid blocks with details", slug: "SLACK_SEND_MESSAGE", status: 200,
			body:     `{"ok":false,"error":"invalid_blocks","response_metadata":{"messages":["[ERROR] missing required field: text [json-pointer:/blocks/0/text]"]}}`,
			wantData: `{"ok":false,"error":"invalid_blocks","response_metadata":{"messages":["[ERROR] missing required field: text [json-pointer:/blocks/0/text]"]}}`,
			wantErr:  "Slack API error: invalid_blocks: [ERROR] missing required field: text [json-pointer:/blocks/0/text]",
		},
		{
			name: "slack rate limited", slug: "SLACK_LIST_ALL_USERS", status: 429, header: http.Header{"Retry-After": {"30"}},
			body:     `{"ok":false,"error":"ratelimited"}`,
			wantData: `{"ok":false,"error":"ratelimited"}`,
			wantErr:  "HTTP 429 Too Many Requests: ratelimited; rate limited: retry after 30 seconds",
		},
		{
			name: "graphql data is unwrapped", slug: "LINEAR_GET_CURRENT_USER", status: 200,
			body:     `{"data":{"viewer":{"id":"u1","name":"Ada"},"organization":{"id":"o1"}}}`,
			wantData: `{"viewer":{"id":"u1","name":"Ada"},"organization":{"id":"o1"}}`,
		},
		{
			name: "graphql errors on HTTP 200", slug: "LINEAR_GET_LINEAR_ISSUE", status: 200,
			body:     `{"data":null,"errors":[{"message":"Entity not found: Issue","extensions":{"code":"INVALID_INPUT","userPresentableMessage":"Could not find referenced Issue."}}]}`,
			wantData: `{}`,
			wantErr:  "GraphQL error: Entity not found: Issue [INVALID_INPUT] Could not find referenced Issue.",
		},
		{
			name: "graphql partial data with errors", slug: "LINEAR_LIST_LINEAR_ISSUES", status: 200,
			body:     `{"data":{"issues":{"nodes":[]}},"errors":[{"message":"a"},{"message":"b"}]}`,
			wantData: `{"issues":{"nodes":[]}}`,
			wantErr:  "GraphQL error: a; b",
		},
		{
			name: "graphql rate limited", slug: "LINEAR_LIST_LINEAR_ISSUES", status: 400,
			body:     `{"errors":[{"message":"Rate limit exceeded","extensions":{"code":"RATELIMITED"}}]}`,
			wantData: `{}`,
			wantErr:  "HTTP 400: GraphQL error: Rate limit exceeded [RATELIMITED]; rate limited: retry later, backing off",
		},
		{
			name: "graphql authentication failure", slug: "LINEAR_GET_CURRENT_USER", status: 401,
			body:     `{"errors":[{"message":"Authentication required, not authenticated","extensions":{"code":"AUTHENTICATION_ERROR"}}]}`,
			wantData: `{}`,
			wantErr:  "HTTP 401: GraphQL error: Authentication required, not authenticated [AUTHENTICATION_ERROR]",
		},
		{
			name: "github 404 message", slug: "GITHUB_GET_A_REPOSITORY", status: 404,
			body:     `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/repos#get-a-repository","status":"404"}`,
			wantData: `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/repos#get-a-repository","status":"404"}`,
			wantErr:  "HTTP 404 Not Found: Not Found",
		},
		{
			name: "github validation errors", slug: "GITHUB_CREATE_A_PULL_REQUEST", status: 422,
			body:     `{"message":"Validation Failed","errors":[{"resource":"PullRequest","field":"head","code":"invalid"},{"resource":"PullRequest","code":"custom","message":"No commits between main and main"}]}`,
			wantData: `{"message":"Validation Failed","errors":[{"resource":"PullRequest","field":"head","code":"invalid"},{"resource":"PullRequest","code":"custom","message":"No commits between main and main"}]}`,
			wantErr:  "HTTP 422 Unprocessable Entity: Validation Failed (PullRequest.head invalid; No commits between main and main)",
		},
		{
			name: "github primary rate limit", slug: "GITHUB_LIST_COMMITS", status: 403,
			header:   http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1767225600"}},
			body:     `{"message":"API rate limit exceeded for user ID 1."}`,
			wantData: `{"message":"API rate limit exceeded for user ID 1."}`,
			wantErr:  "HTTP 403 Forbidden: API rate limit exceeded for user ID 1.; rate limited: retry after the limit resets at Unix time 1767225600",
		},
		{
			name: "github array wrapped", slug: "GITHUB_LIST_BRANCHES", status: 200,
			body:     `[{"name":"main","commit":{"sha":"abc"}},{"name":"dev","commit":{"sha":"def"}}]`,
			wantData: `{"items":[{"name":"main","commit":{"sha":"abc"}},{"name":"dev","commit":{"sha":"def"}}]}`,
		},
		{
			name: "github 204", slug: "GITHUB_STAR_A_REPOSITORY_FOR_THE_AUTHENTICATED_USER", status: 204,
			wantData: `{}`,
		},
		{
			name: "google error object", slug: "GMAIL_GET_PROFILE", status: 403,
			body:     `{"error":{"code":403,"message":"Request had insufficient authentication scopes.","errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}],"status":"PERMISSION_DENIED"}}`,
			wantData: `{"error":{"code":403,"message":"Request had insufficient authentication scopes.","errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}],"status":"PERMISSION_DENIED"}}`,
			wantErr:  "HTTP 403 Forbidden (PERMISSION_DENIED insufficientPermissions): Request had insufficient authentication scopes.",
		},
		{
			name: "google rate limit", slug: "GMAIL_SEND_EMAIL", status: 429, header: http.Header{"Retry-After": {"12"}},
			body:     `{"error":{"code":429,"message":"User-rate limit exceeded.","errors":[{"reason":"userRateLimitExceeded"}],"status":"RESOURCE_EXHAUSTED"}}`,
			wantData: `{"error":{"code":429,"message":"User-rate limit exceeded.","errors":[{"reason":"userRateLimitExceeded"}],"status":"RESOURCE_EXHAUSTED"}}`,
			wantErr:  "HTTP 429 Too Many Requests (RESOURCE_EXHAUSTED userRateLimitExceeded): User-rate limit exceeded.; rate limited: retry after 12 seconds",
		},
		{
			name: "google calendar delete 204", slug: "GOOGLECALENDAR_DELETE_EVENT", status: 204,
			wantData: `{}`,
		},
		{
			name: "notion error", slug: "NOTION_RETRIEVE_PAGE", status: 404,
			body:     `{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: 59833787-2cf9-4fdf-8782-e53db20768a5. Make sure the relevant pages and databases are shared with your integration.","request_id":"r-1"}`,
			wantData: `{"object":"error","status":404,"code":"object_not_found","message":"Could not find page with ID: 59833787-2cf9-4fdf-8782-e53db20768a5. Make sure the relevant pages and databases are shared with your integration.","request_id":"r-1"}`,
			wantErr:  "HTTP 404 Not Found (object_not_found): Could not find page with ID: 59833787-2cf9-4fdf-8782-e53db20768a5. Make sure the relevant pages and databases are shared with your integration.",
		},
		{
			name: "oauth-style error", slug: "NOTION_GET_ABOUT_ME", status: 400,
			body:     `{"error":"invalid_grant","error_description":"Token expired"}`,
			wantData: `{"error":"invalid_grant","error_description":"Token expired"}`,
			wantErr:  "HTTP 400 Bad Request (invalid_grant): Token expired",
		},
		{
			name: "error without a body", slug: "GMAIL_GET_PROFILE", status: 503,
			wantData: `{}`,
			wantErr:  "HTTP 503 Service Unavailable",
		},
		{
			name: "success that isn't JSON", slug: "GITHUB_GET_REPOSITORY_CONTENT", status: 200,
			body:     "package main\n",
			wantData: `{"text":"package main\n"}`,
		},
		{
			name: "number and string values", slug: "GITHUB_GET_THE_AUTHENTICATED_USER", status: 200,
			body:     `"hello"`,
			wantData: `{"items":"hello"}`,
		},
		{
			name: "unexpected redirect", slug: "GITHUB_GET_A_REPOSITORY", status: 301,
			body:     `{"message":"Moved Permanently","url":"https://api.github.com/repositories/1"}`,
			wantData: `{"message":"Moved Permanently","url":"https://api.github.com/repositories/1"}`,
			wantErr:  "HTTP 301 Moved Permanently: Moved Permanently",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, errMsg := mustTool(t, c, tt.slug).ParseResponse(tt.status, tt.header, []byte(tt.body))
			if errMsg != tt.wantErr {
				t.Errorf("got error %q, want %q", errMsg, tt.wantErr)
			}
			if data == nil {
				t.Fatalf("got nil data, want an object")
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(tt.wantData), &want); err != nil {
				t.Fatal(err)
			}
			// Compare through JSON: data keeps numbers as json.Number.
			b, err := json.Marshal(data)
			if err != nil {
				t.Fatalf("data does not encode: %v", err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("data mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseResponse_KeepsLargeNumbersExact(t *testing.T) {
	c := builtin(t)
	tests := []struct{ name, body, want string }{
		// A JSON object goes through as the provider wrote it.
		{"object", `{"login":"octocat", "id":98765432109876543}`, `{"login":"octocat", "id":98765432109876543}`},
		// Anything else is decoded and wrapped.
		{"array", `[{"id":98765432109876543}]`, `{"items":[{"id":98765432109876543}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, errMsg := mustTool(t, c, "GITHUB_GET_THE_AUTHENTICATED_USER").ParseResponse(200, nil, []byte(tt.body))
			if errMsg != "" {
				t.Fatal(errMsg)
			}
			if string(data) != tt.want {
				t.Errorf("got %s, want %s", data, tt.want)
			}
		})
	}
}

func TestParseResponse_InvalidUTF8IsRepaired(t *testing.T) {
	c := builtin(t)
	data, errMsg := mustTool(t, c, "GITHUB_GET_THE_AUTHENTICATED_USER").ParseResponse(200, nil, []byte("{\"name\":\"a\xffb\"}"))
	if errMsg != "" {
		t.Fatal(errMsg)
	}
	if !utf8.Valid(data) {
		t.Errorf("data is not UTF-8: %q", data)
	}
	if want := "{\"name\":\"a\ufffdb\"}"; string(data) != want {
		t.Errorf("got %s, want %s", data, want)
	}
}

// TestParseResponse_NoSecrets checks that errors never carry request
// headers or a body that isn't the provider's JSON message.
func TestParseResponse_NoSecrets(t *testing.T) {
	c := builtin(t)
	header := http.Header{"Authorization": {"Bearer ya29.secret-token"}, "Set-Cookie": {"session=secret-cookie"}}
	tests := []struct {
		slug   string
		status int
		body   string
	}{
		{"GMAIL_GET_PROFILE", 502, `<html>upstream proxy error for Bearer ya29.secret-token</html>`},
		{"SLACK_TEST_AUTH", 200, `{"ok":false,"error":"invalid_auth","token":"xoxp-secret-token"}`},
		{"LINEAR_GET_CURRENT_USER", 200, `{"errors":[{"message":"bad"}],"access_token":"lin_oauth_secret-token"}`},
		{"GITHUB_GET_A_REPOSITORY", 401, `{"message":"Bad credentials","token":"ghp_secret-token"}`},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			_, errMsg := mustTool(t, c, tt.slug).ParseResponse(tt.status, header, []byte(tt.body))
			if errMsg == "" {
				t.Fatalf("got no error")
			}
			if strings.Contains(errMsg, "secret") {
				t.Errorf("error %q leaks a secret", errMsg)
			}
		})
	}
}

func TestParseResponse_LongMessageClipped(t *testing.T) {
	c := builtin(t)
	long := strings.Repeat("é", 600)
	_, errMsg := mustTool(t, c, "GITHUB_GET_A_REPOSITORY").ParseResponse(500, nil, []byte(`{"message":"`+long+`"}`))
	if len(errMsg) > maxErrorMessage+len("…") || !strings.HasSuffix(errMsg, "…") || !strings.HasPrefix(errMsg, "HTTP 500") {
		t.Errorf("got %d bytes %q..., want at most %d, clipped with …", len(errMsg), errMsg[:40], maxErrorMessage)
	}
	if !json.Valid([]byte(`"` + errMsg + `"`)) {
		t.Errorf("clipped message is not valid UTF-8 text")
	}
}
