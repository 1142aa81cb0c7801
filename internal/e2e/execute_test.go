package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

// execResult is a session execute or tools execute answer.
type execResult struct {
	Data       map[string]any `json:"data"`
	Error      *string        `json:"error"`
	LogID      string         `json:"log_id"`
	Successful *bool          `json:"successful"`
}

func (r execResult) owner() string {
	o, _ := r.Data["owner"].(string)
	return o
}

func (r execResult) err() string {
	if r.Error == nil {
		return ""
	}
	return *r.Error
}

func sessionExec(t testing.TB, s *server, sessionID, tool, args, account string) execResult {
	t.Helper()
	body := fmt.Sprintf(`{"tool_slug":%q,"arguments":%s`, tool, args)
	if account != "" {
		body += fmt.Sprintf(`,"account":%q`, account)
	}
	status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+sessionID+"/execute", body+"}")
	var r execResult
	if status != 200 {
		// Errorf, not Fatalf: this runs on many goroutines at once.
		t.Errorf("execute %s: %d %s", tool, status, b)
		return r
	}
	if err := json.Unmarshal([]byte(b), &r); err != nil {
		t.Errorf("execute %s: %v", tool, err)
		return r
	}
	if !strings.HasPrefix(r.LogID, "log_") {
		t.Errorf("execute %s: no log id in %s", tool, b)
	}
	return r
}

// execFixture has user_123 with a work and a personal gmail account whose
// API is the fake.
type execFixture struct {
	s        *server
	p        *oauthtest.Provider
	api      *fakeAPI
	ca1, ca2 string
	session  *sdk.Session
}

func newExecFixture(t *testing.T, o serverOptions) *execFixture {
	s := startServer(t, o)
	p := provider(t, s)
	api := newFakeAPI(t, p)
	gmailConfigAt(t, s.Client, p, api)
	sess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	f := &execFixture{s: s, p: p, api: api, session: sess}
	f.ca1 = connect(t, sess, work).ID
	f.ca2 = connect(t, sess, personal).ID
	return f
}

func TestExecuteUsesTheSessionsAccount(t *testing.T) {
	f := newExecFixture(t, serverOptions{})
	s, ctx := f.s, ctxT(t)

	// Default: the most recently connected account.
	r := sessionExec(t, s, f.session.ID(), "GMAIL_GET_PROFILE", `{}`, "")
	if r.err() != "" || r.owner() != personal.Login || r.Data["emailAddress"] != personal.Email {
		t.Errorf("default session: got %+v, want %s's profile", r, personal.Login)
	}
	// A pin.
	pinned, err := s.Client.Create(ctx, "user_123", sdk.WithConnectedAccounts(map[string]string{"gmail": f.ca1}))
	if err != nil {
		t.Fatal(err)
	}
	r = sessionExec(t, s, pinned.ID(), "GMAIL_SEND_EMAIL", `{"recipient_email":"bob@example.com","subject":"hi","body":"hello"}`, "")
	if r.err() != "" || r.owner() != work.Login || f.api.last().Method != "POST" {
		t.Errorf("pinned session: got %+v via %+v, want the work account", r, f.api.last())
	}
	// A pin by alias.
	if _, err := s.Client.ConnectedAccounts().Update(ctx, f.ca1, wire.ConnectedAccountUpdateRequest{Alias: ptr("work")}); err != nil {
		t.Fatal(err)
	}
	byAlias, err := s.Client.Create(ctx, "user_123", sdk.WithConnectedAccounts(map[string]string{"gmail": "work"}))
	if err != nil {
		t.Fatal(err)
	}
	if r := sessionExec(t, s, byAlias.ID(), "GMAIL_GET_PROFILE", `{}`, ""); r.owner() != work.Login {
		t.Errorf("alias pin: got %+v", r)
	}
	// An explicit account that is not the session's one, without multi-account.
	if r := sessionExec(t, s, f.session.ID(), "GMAIL_GET_PROFILE", `{}`, f.ca1); r.err() == "" || !strings.Contains(r.err(), "multi_account") {
		t.Errorf("explicit account in a single-account session: got %+v", r)
	}

	// Multi-account with explicit selection required.
	status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session",
		`{"user_id":"user_123","multi_account":{"enable":true,"require_explicit_selection":true}}`)
	if status != 201 {
		t.Fatalf("multi-account session: %d %s", status, b)
	}
	var multi wire.Session
	json.Unmarshal([]byte(b), &multi)
	r = sessionExec(t, s, multi.SessionID, "GMAIL_GET_PROFILE", `{}`, "")
	for _, want := range []string{f.ca1, f.ca2, "work", work.Email, personal.Email} {
		if !strings.Contains(r.err(), want) {
			t.Errorf("ambiguous call: error %q does not list %q", r.err(), want)
		}
	}
	before := f.api.count()
	if r.owner() != "" || f.api.count() != before {
		t.Errorf("an ambiguous call reached the upstream")
	}
	for ref, want := range map[string]string{"work": work.Login, f.ca2: personal.Login} {
		if r := sessionExec(t, s, multi.SessionID, "GMAIL_GET_PROFILE", `{}`, ref); r.owner() != want {
			t.Errorf("multi-account with account %s: got %+v, want %s", ref, r, want)
		}
	}
	if r := sessionExec(t, s, multi.SessionID, "GMAIL_GET_PROFILE", `{}`, "ca_nope"); !strings.Contains(r.err(), "not one of") {
		t.Errorf("multi-account with an unknown account: %+v", r)
	}

	// Outside a session: by connected account id, or by user id (the most recent).
	status, b = call(t, s, testKey, "POST", "/api/v3.1/tools/execute/GMAIL_GET_PROFILE", `{"arguments":{},"connected_account_id":"`+f.ca1+`"}`)
	if status != 200 || !strings.Contains(b, `"owner":"`+work.Login+`"`) || !strings.Contains(b, `"successful":true`) {
		t.Errorf("tools execute by account: %d %s", status, b)
	}
	status, b = call(t, s, testKey, "POST", "/api/v3.1/tools/execute/GMAIL_GET_PROFILE", `{"arguments":{},"user_id":"user_123"}`)
	if status != 200 || !strings.Contains(b, `"owner":"`+personal.Login+`"`) {
		t.Errorf("tools execute by user: %d %s", status, b)
	}
	status, b = call(t, s, testKey, "POST", "/api/v3.1/tools/execute/GMAIL_GET_PROFILE", `{"arguments":{},"user_id":"user_456"}`)
	if status != 404 || !strings.Contains(b, `"code":1803`) {
		t.Errorf("tools execute for a user without accounts: %d %s", status, b)
	}
	status, b = call(t, s, testKey, "POST", "/api/v3.1/tools/execute/GMAIL_GET_PROFILE", `{"arguments":{},"user_id":"user_456","connected_account_id":"`+f.ca1+`"}`)
	if status != 404 {
		t.Errorf("tools execute with another user's account: %d %s", status, b)
	}
	// Bad arguments are the tool's error, not an HTTP error.
	if r := sessionExec(t, s, f.session.ID(), "GMAIL_SEND_EMAIL", `{"subject":"x"}`, ""); r.err() == "" || !strings.Contains(r.err(), "recipient_email") {
		t.Errorf("missing argument: %+v", r)
	}
	if status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+f.session.ID()+"/execute", `{"tool_slug":"NOPE_TOOL","arguments":{}}`); status != 404 {
		t.Errorf("unknown tool: %d %s", status, b)
	}
}

func ptr[T any](v T) *T { return &v }

// TestExecuteWithoutAccount: a toolkit with no account gets a link.
func TestExecuteWithoutAccount(t *testing.T) {
	s := startServer(t, serverOptions{})
	p := provider(t, s)
	api := newFakeAPI(t, p)
	gmailConfigAt(t, s.Client, p, api)
	sess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	r := sessionExec(t, s, sess.ID(), "GMAIL_GET_PROFILE", `{}`, "")
	if !strings.Contains(r.err(), "gmail has no connected account for user_123; authorize it with this link: "+s.URL+"/link/") {
		t.Errorf("no account: %+v", r)
	}
}

func TestExecuteRefresh(t *testing.T) {
	f := newExecFixture(t, serverOptions{})
	s := f.s
	// Reactive: the upstream says 401, one refresh, one retry.
	f.p.ExpireAccessTokens()
	before := f.p.RefreshCount()
	if r := sessionExec(t, s, f.session.ID(), "GMAIL_GET_PROFILE", `{}`, ""); r.err() != "" || r.owner() != personal.Login {
		t.Fatalf("after the token expired upstream: %+v", r)
	}
	if got := f.p.RefreshCount() - before; got != 1 {
		t.Errorf("refreshes after a 401: got %d, want 1", got)
	}
	// 64 concurrent calls on an expired token: one refresh.
	f.p.ExpireAccessTokens()
	before, attempts := f.p.RefreshCount(), f.p.RefreshAttempts()
	concurrently(t, 64, func(i int) {
		if r := sessionExec(t, s, f.session.ID(), "GMAIL_GET_PROFILE", `{}`, ""); r.err() != "" {
			t.Errorf("call %d: %s", i, r.err())
		}
	})
	if got := f.p.RefreshCount() - before; got != 1 {
		t.Errorf("64 concurrent calls caused %d refreshes, want 1", got)
	}
	if got := f.p.RefreshAttempts() - attempts; got != 1 {
		t.Errorf("64 concurrent calls sent %d refresh requests, want 1", got)
	}

	// A provider outage during refresh does not expire the account.
	acID := gmailAuthConfigID(t, s)
	// (On the provider's own host: moving token_url to another host is
	// refused while the config has accounts.)
	status, b := call(t, s, testKey, "PATCH", "/api/v3.1/auth_configs/"+acID, `{"credentials":{"token_url":"`+f.p.URL+`/down"}}`)
	if status != 200 {
		t.Fatalf("point token_url at nothing: %d %s", status, b)
	}
	f.p.ExpireAccessTokens()
	if r := sessionExec(t, s, f.session.ID(), "GMAIL_GET_PROFILE", `{}`, ""); r.err() == "" {
		t.Errorf("execute during a provider outage succeeded: %+v", r)
	}
	if a, _ := s.Client.ConnectedAccounts().Get(ctxT(t), f.ca2); a.Status != "ACTIVE" {
		t.Errorf("a provider outage made the account %s", a.Status)
	}
	call(t, s, testKey, "PATCH", "/api/v3.1/auth_configs/"+acID, `{"credentials":{"token_url":"`+f.p.TokenURL()+`"}}`)

	// A refused refresh token: EXPIRED, and a link to re-authorize. A
	// session pinned to the account reports it; it does not fall back.
	pinned, err := s.Client.Create(ctxT(t), "user_123", sdk.WithConnectedAccounts(map[string]string{"gmail": f.ca2}))
	if err != nil {
		t.Fatal(err)
	}
	f.p.RevokeUser(personal.Login)
	f.p.ExpireAccessTokens()
	r := sessionExec(t, s, pinned.ID(), "GMAIL_GET_PROFILE", `{}`, "")
	if !strings.Contains(r.err(), "re-authorize") || !strings.Contains(r.err(), s.URL+"/link/") {
		t.Errorf("refused refresh: %+v, want an error with a re-authorization link", r)
	}
	a, _ := s.Client.ConnectedAccounts().Get(ctxT(t), f.ca2)
	if a.Status != "EXPIRED" {
		t.Errorf("after a refused refresh the account is %s, want EXPIRED", a.Status)
	}
	// Later calls say the same, without asking the provider again.
	attempts = f.p.RefreshAttempts()
	if r := sessionExec(t, s, pinned.ID(), "GMAIL_GET_PROFILE", `{}`, ""); !strings.Contains(r.err(), "EXPIRED") || !strings.Contains(r.err(), "/link/") {
		t.Errorf("call on an EXPIRED pinned account: %+v", r)
	}
	if f.p.RefreshAttempts() != attempts {
		t.Errorf("a call on an EXPIRED account asked the provider again")
	}
	// The unpinned session uses the most recent ACTIVE account instead.
	if r := sessionExec(t, s, f.session.ID(), "GMAIL_GET_PROFILE", `{}`, ""); r.owner() != work.Login {
		t.Errorf("unpinned session after the personal account expired: %+v", r)
	}
}

// TestExecuteProactiveRefresh: a token that expires within a minute is
// refreshed before the call.
func TestExecuteProactiveRefresh(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	f := newExecFixture(t, serverOptions{Now: clock})
	before := f.p.RefreshCount()
	mu.Lock()
	now = now.Add(59*time.Minute + 30*time.Second) // tokens live an hour
	mu.Unlock()
	concurrently(t, 16, func(int) {
		if r := sessionExec(t, f.s, f.session.ID(), "GMAIL_GET_PROFILE", `{}`, ""); r.err() != "" {
			t.Errorf("call: %s", r.err())
		}
	})
	if got := f.p.RefreshCount() - before; got != 1 {
		t.Errorf("proactive refreshes: got %d, want 1", got)
	}
}

func concurrently(t *testing.T, n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); fn(i) }()
	}
	wg.Wait()
}

func gmailAuthConfigID(t *testing.T, s *server) string {
	t.Helper()
	page, err := s.Client.AuthConfigs().List(ctxT(t), sdk.ListAuthConfigsParams{ToolkitSlugs: []string{"gmail"}})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("gmail auth config: %v", err)
	}
	return page.Items[0].ID
}

// TestExecuteRefreshTwoInstances: 64 concurrent calls split across two
// processes on one PostgreSQL cause one refresh request.
func TestExecuteRefreshTwoInstances(t *testing.T) {
	dbURL := postgrestest.URL(t)
	bin := buildBinary(t)
	a := startProcess(t, bin, dbURL)
	b := startProcess(t, bin, dbURL)
	sa, sb := &server{URL: a.URL, Client: sdk.New(testKey, a.URL)}, &server{URL: b.URL, Client: sdk.New(testKey, b.URL)}
	p := provider(t, sa, sb)
	api := newFakeAPI(t, p)
	gmailConfigAt(t, sa.Client, p, api)
	sess, err := sa.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	connect(t, sess, work)
	p.ExpireAccessTokens()
	before := p.RefreshAttempts()
	concurrently(t, 64, func(i int) {
		s := sa
		if i%2 == 1 {
			s = sb
		}
		if r := sessionExec(t, s, sess.ID(), "GMAIL_GET_PROFILE", `{}`, ""); r.err() != "" || r.owner() != work.Login {
			t.Errorf("call %d: %+v", i, r)
		}
	})
	if got := p.RefreshAttempts() - before; got != 1 {
		t.Errorf("64 calls over two instances sent %d refresh requests, want 1", got)
	}
}

func TestToolsAndSearch(t *testing.T) {
	f := newExecFixture(t, serverOptions{})
	s := f.s
	status, b := call(t, s, testKey, "GET", "/api/v3.1/tools?toolkit_slug=gmail%2Cgithub&limit=500", "")
	if status != 200 || !strings.Contains(b, `"GMAIL_SEND_EMAIL"`) || !strings.Contains(b, `"GITHUB_CREATE_AN_ISSUE"`) || strings.Contains(b, `"SLACK_`) {
		t.Errorf("tools list: %d %.300s", status, b)
	}
	status, b = call(t, s, testKey, "GET", "/api/v3.1/tools/GMAIL_SEND_EMAIL?toolkit_versions=latest", "")
	var tool wire.Tool
	json.Unmarshal([]byte(b), &tool)
	if status != 200 || tool.Slug != "GMAIL_SEND_EMAIL" || !strings.Contains(string(tool.InputParameters), `"type":"object"`) || tool.Toolkit.Slug != "gmail" {
		t.Errorf("tool retrieve: %d %s", status, b)
	}
	if status, _ := call(t, s, testKey, "GET", "/api/v3.1/tools/NOPE", ""); status != 404 {
		t.Errorf("unknown tool: %d", status)
	}
	// Session tools page through every tool of the session's toolkits.
	var all []wire.Tool
	cursor := ""
	for {
		status, b := call(t, s, testKey, "GET", "/api/v3.1/tool_router/session/"+f.session.ID()+"/tools?limit=7&cursor="+cursor, "")
		var page wire.ListResponse[wire.Tool]
		if err := json.Unmarshal([]byte(b), &page); err != nil || status != 200 {
			t.Fatalf("session tools: %d %s", status, b)
		}
		all = append(all, page.Items...)
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if len(all) < 40 {
		t.Errorf("session tools: %d tools, want every tool (at least 40)", len(all))
	}
	// The session names the meta tools it exposes.
	if got := f.session.ToolRouterTools; !slices.Equal(got, []string{"COMPOSIO_SEARCH_TOOLS", "COMPOSIO_GET_TOOL_SCHEMAS", "COMPOSIO_MULTI_EXECUTE_TOOL", "COMPOSIO_MANAGE_CONNECTIONS"}) {
		t.Errorf("tool_router_tools: %v", got)
	}
	// Search ranks the right tool first and reports connection status.
	status, b = call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+f.session.ID()+"/search", `{"queries":[{"use_case":"send an email"}]}`)
	var res wire.SearchResponse
	json.Unmarshal([]byte(b), &res)
	if status != 200 || len(res.Results) != 1 || len(res.Results[0].PrimaryToolSlugs) == 0 || res.Results[0].PrimaryToolSlugs[0] != "GMAIL_SEND_EMAIL" {
		t.Fatalf("search: %d %s", status, b)
	}
	var gmail *wire.ToolkitConnectionStatus
	for i := range res.ToolkitConnectionStatuses {
		if res.ToolkitConnectionStatuses[i].Toolkit == "gmail" {
			gmail = &res.ToolkitConnectionStatuses[i]
		}
	}
	if gmail == nil || !gmail.HasActiveConnection || len(gmail.Accounts) != 2 {
		t.Errorf("search gmail status: %+v", gmail)
	}
	for _, key := range []string{`"success":true`, `"error":null`, `"tool_schemas"`, `"next_steps_guidance"`, `"time_info"`, `"session":{"id":"` + f.session.ID()} {
		if !strings.Contains(b, key) {
			t.Errorf("search response lacks %s: %s", key, b)
		}
	}
}

// TestExecuteWithoutAccountReusesTheLink: calls that keep finding no
// account hand out one link, not a new pending account each.
func TestExecuteWithoutAccountReusesTheLink(t *testing.T) {
	s := startServer(t, serverOptions{})
	p := provider(t, s)
	api := newFakeAPI(t, p)
	gmailConfigAt(t, s.Client, p, api)
	sess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	first := sessionExec(t, s, sess.ID(), "GMAIL_GET_PROFILE", `{}`, "").err()
	second := sessionExec(t, s, sess.ID(), "GMAIL_GET_PROFILE", `{}`, "").err()
	if first == "" || first != second {
		t.Errorf("two calls without an account gave different links:\n%s\n%s", first, second)
	}
	page, err := s.Client.ConnectedAccounts().List(ctxT(t), sdk.ListAccountsParams{UserIDs: []string{"user_123"}})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("pending accounts: %v %v, want exactly one", page, err)
	}
	// The user completes it; the next call runs as them.
	link := first[strings.Index(first, s.URL+"/link/"):]
	if resp := consent(t, link, work, true); resp.StatusCode != 200 {
		t.Fatalf("consent: %d", resp.StatusCode)
	}
	if r := sessionExec(t, s, sess.ID(), "GMAIL_GET_PROFILE", `{}`, ""); r.owner() != work.Login {
		t.Errorf("after connecting: %+v", r)
	}
}
