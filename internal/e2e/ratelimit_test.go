package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// TestRateLimitUserAccount: with SWITCHBOARD_RATE_LIMIT_USER and
// _ACCOUNT, tool executions count per end user and per connected account,
// across REST and MCP, with the project limit's headers (the tightest
// limit's) and 429 body; on PostgreSQL two instances share the counts.
func TestRateLimitUserAccount(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { rateLimitUserAccount(t, "") })
	t.Run("postgres two instances", func(t *testing.T) { rateLimitUserAccount(t, postgrestest.URL(t)) })
}

func rateLimitUserAccount(t *testing.T, dsn string) {
	var clock atomic.Int64 // 50s before the window ends
	clock.Store(time.Date(2030, 1, 2, 3, 4, 10, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	o := serverOptions{DatabaseURL: dsn, RateLimit: "100/1m", RateLimitUser: "3/1m", RateLimitAccount: "2/1m", Now: now}
	a := startServer(t, o)
	b := a
	if dsn != "" {
		b = startServer(t, o)
	}
	up := newRecorder(t)
	custom := strings.NewReplacer(`"slug": "keyed"`, `"slug": "acme"`, "KEYED_", "ACME_").Replace(string(schemeCatalog["keyed.json"].Data))
	if st, body := call(t, a, testKey, "POST", "/api/v3.1/custom_toolkits", custom); st != 201 {
		t.Fatalf("create the toolkit: %d %s", st, body)
	}
	st, body := call(t, a, testKey, "POST", "/api/v3.1/auth_configs",
		`{"toolkit":{"slug":"acme"},"auth_config":{"type":"use_custom_auth","authScheme":"API_KEY","credentials":{"base_url":"`+up.URL+`"}}}`)
	if st != 201 {
		t.Fatalf("create the auth config: %d %s", st, body)
	}
	var ac struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	json.Unmarshal([]byte(body), &ac)
	connect := func(user, key string) string {
		t.Helper()
		st, body := call(t, a, testKey, "POST", "/api/v3.1/connected_accounts",
			`{"auth_config":{"id":"`+ac.AuthConfig.ID+`"},"connection":{"user_id":"`+user+`","state":{"authScheme":"API_KEY","val":{"api_key":"`+key+`"}}}}`)
		if st != 201 {
			t.Fatalf("connect %s: %d %s", user, st, body)
		}
		var ca struct{ ID string }
		json.Unmarshal([]byte(body), &ca)
		return ca.ID
	}
	ada1, ada2, bob := connect("ada", "k_1"), connect("ada", "k_2"), connect("bob", "k_3")

	exec := func(s *server, account string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL+"/api/v3.1/tools/execute/ACME_LIST_ITEMS",
			strings.NewReader(`{"connected_account_id":"`+account+`","arguments":{"q":"a"}}`))
		req.Header.Set("x-api-key", testKey)
		req.Header.Set("content-type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var sb strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp, sb.String()
	}
	for i, tc := range []struct {
		s         *server
		account   string
		status    int
		limit     string // X-RateLimit
		remaining string
		refusal   string // in the 429's message
	}{
		// The account's 2 is tighter than ada's 3 and the project's 100.
		{a, ada1, 200, "2", "1", ""},
		{b, ada1, 200, "2", "0", ""},
		{a, ada1, 429, "2", "0", "account " + ada1},
		// ada1's refused call counted for ada too: her 3 are spent.
		{b, ada2, 429, "3", "0", "user ada"},
		// Another user and account are untouched.
		{a, bob, 200, "2", "1", ""},
	} {
		resp, body := exec(tc.s, tc.account)
		h := resp.Header
		if resp.StatusCode != tc.status || h.Get("X-RateLimit") != tc.limit || h.Get("X-RateLimit-Remaining") != tc.remaining || h.Get("X-RateLimit-Window-Size") != "60s" {
			t.Errorf("call %d (%s): %d with X-RateLimit %q, remaining %q, window %q; want %d, %s, %s, 60s: %s", i+1, tc.account,
				resp.StatusCode, h.Get("X-RateLimit"), h.Get("X-RateLimit-Remaining"), h.Get("X-RateLimit-Window-Size"), tc.status, tc.limit, tc.remaining, body)
		}
		if tc.status == 429 {
			if h.Get("Retry-After") != "50" || !strings.Contains(body, `"slug":"rate_limited"`) || !strings.Contains(body, tc.refusal) {
				t.Errorf("call %d: Retry-After %q, body %s; want 50 and rate_limited naming %s", i+1, h.Get("Retry-After"), body, tc.refusal)
			}
		} else if h.Get("Retry-After") != "" || !strings.Contains(body, `"successful":true`) {
			t.Errorf("call %d: Retry-After %q, body %s", i+1, h.Get("Retry-After"), body)
		}
	}
	// MCP calls count too: bob's account has one call left, then none.
	sess := newSession(t, b, `{"user_id":"bob","connected_accounts":{"acme":"`+bob+`"},"preload":{"tools":["ACME_LIST_ITEMS"]}}`)
	cs := mcpClient(t, b, sess)
	if text, isErr := callTool(t, cs, "ACME_LIST_ITEMS", map[string]any{"q": "a"}, nil); isErr {
		t.Errorf("bob's second call over MCP: %s", text)
	}
	if text, isErr := callTool(t, cs, "ACME_LIST_ITEMS", map[string]any{"q": "a"}, nil); !isErr || !strings.Contains(text, "Rate limit exceeded for account "+bob) {
		t.Errorf("bob's third call over MCP: error %v, %s; want the account's rate limit", isErr, text)
	}
	// A new window: budgets again.
	clock.Add(int64(time.Minute))
	if resp, body := exec(b, ada2); resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining") != "1" {
		t.Errorf("next window: %d, remaining %q: %s", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"), body)
	}
}
