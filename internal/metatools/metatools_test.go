package metatools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/wire"
)

const key = "sb_metatools_test_key_0123456789"

// apiKey is the Linear API key the test user connects with.
const apiKey = "lin_api_metatools_secret"

// fixture is the real wiring (app.New) on SQLite with an injected clock,
// and a Linear upstream on 127.0.0.1 that checks the API key.
type fixture struct {
	app     *app.App
	project store.Project
	linear  store.AuthConfig
	now     time.Time
	// calls counts the requests that reached the upstream.
	calls atomic.Int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		if r.Header.Get("Authorization") != apiKey {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"errors":[{"message":"Authentication required"}]}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":{"viewer":{"id":"usr_1","name":"Alice","email":"alice@work.example"}}}`)
	}))
	t.Cleanup(upstream.Close)

	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.EncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	cfg.EgressAllowLoopback = true // the upstream runs on 127.0.0.1
	a, err := app.New(ctx, cfg, app.Options{EgressLoopbackOnly: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	f.app = a
	if _, _, err := a.Projects.Bootstrap(ctx, key); err != nil {
		t.Fatal(err)
	}
	if f.project, err = a.Projects.Authenticate(ctx, key); err != nil {
		t.Fatal(err)
	}
	f.linear, err = a.AuthConfigs.Create(ctx, f.project.ID, authconfigsInput(upstream.URL))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// connect gives user an ACTIVE Linear account with the API key.
func (f *fixture) connect(t *testing.T, user, alias string) store.Account {
	t.Helper()
	before := f.calls.Load()
	acct, err := f.app.SignIn.CreateWithCredentials(context.Background(), f.project,
		accounts.LinkInput{UserID: user, AuthConfigID: f.linear.ID, Alias: alias}, "API_KEY", map[string]string{"api_key": apiKey})
	if err != nil {
		t.Fatal(err)
	}
	// Connecting made the toolkit's identity request with the key; the
	// tests count the tool calls that reach the upstream after it.
	if n := f.calls.Load() - before; n != 1 {
		t.Errorf("connecting made %d upstream requests, want 1 (the identity request)", n)
	}
	f.calls.Add(-1)
	return acct
}

func (f *fixture) session(t *testing.T, user string, c sessions.Config) sessions.Session {
	t.Helper()
	sess, err := f.app.Sessions.Create(context.Background(), f.project, user, c)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

func (f *fixture) run(t *testing.T, sess sessions.Session, slug, args string) metatools.Result {
	t.Helper()
	res, err := f.app.Meta.Run(context.Background(), f.project, sess, slug, json.RawMessage(args), nil)
	if err != nil {
		t.Fatalf("Run %s: %v", slug, err)
	}
	if !strings.HasPrefix(res.LogID, "log_") {
		t.Errorf("Run %s: log id %q", slug, res.LogID)
	}
	if strings.Contains(string(res.Data), apiKey) || strings.Contains(res.Summary, apiKey) {
		t.Errorf("Run %s: the result carries the API key", slug)
	}
	return res
}

func decode[T any](t *testing.T, res metatools.Result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(res.Data, &v); err != nil {
		t.Fatalf("result data %s: %v", res.Data, err)
	}
	return v
}

// TestRunRefusals: a slug that is no meta tool is a Go error; a Composio
// meta tool Switchboard lacks, or one the session does not expose, is a
// failed result that says which ones there are.
func TestRunRefusals(t *testing.T) {
	f := newFixture(t)
	sess := f.session(t, "u1", sessions.Config{})
	if _, err := f.app.Meta.Run(context.Background(), f.project, sess, "LINEAR_GET_CURRENT_USER", nil, nil); err == nil {
		t.Error("running a toolkit tool as a meta tool: no error")
	}
	if res := f.run(t, sess, "COMPOSIO_REMOTE_WORKBENCH", `{}`); !strings.Contains(res.Error, "is not available in Switchboard") {
		t.Errorf("an unknown meta tool: got %q", res.Error)
	}
	res := f.run(t, sess, " composio_manage_connections ", `{"toolkits":["linear"]}`)
	if !strings.Contains(res.Error, "is not enabled in session "+sess.ID) || !strings.Contains(res.Error, metatools.SearchTools) {
		t.Errorf("a meta tool the session does not expose: got %q", res.Error)
	}
}

// TestSearch: COMPOSIO_SEARCH_TOOLS finds tools for each use case with
// their schemas, reports each toolkit's connection and the clock's time,
// and refuses arguments without a use case.
func TestSearch(t *testing.T) {
	f := newFixture(t)
	sess := f.session(t, "u1", sessions.Config{Toolkits: sessions.ToolkitFilter{Enabled: []string{"linear"}}})
	status := func(out wire.SearchResponse) *wire.ToolkitConnectionStatus {
		for i := range out.ToolkitConnectionStatuses {
			if out.ToolkitConnectionStatuses[i].Toolkit == "linear" {
				return &out.ToolkitConnectionStatuses[i]
			}
		}
		t.Fatalf("no linear connection status in %+v", out.ToolkitConnectionStatuses)
		return nil
	}

	res := f.run(t, sess, metatools.SearchTools, `{"queries":[{"use_case":"create an issue in linear"}]}`)
	if res.Error != "" {
		t.Fatalf("search failed: %s", res.Error)
	}
	out := decode[wire.SearchResponse](t, res)
	if len(out.Results) != 1 || !slices.Contains(out.Results[0].PrimaryToolSlugs, "LINEAR_CREATE_LINEAR_ISSUE") {
		t.Fatalf("results %+v: want LINEAR_CREATE_LINEAR_ISSUE among the primary tools", out.Results)
	}
	for _, slug := range append(out.Results[0].PrimaryToolSlugs, out.Results[0].RelatedToolSlugs...) {
		if s, ok := out.ToolSchemas[slug]; !ok || s.Toolkit != "linear" || len(s.InputSchema) == 0 {
			t.Errorf("tool %s has no linear schema in the answer", slug)
		}
	}
	if st := status(out); st.HasActiveConnection || len(out.NextStepsGuidance) == 0 {
		t.Errorf("before connecting: active %v, guidance %v; want not active and a next step", st.HasActiveConnection, out.NextStepsGuidance)
	}
	if out.TimeInfo.CurrentTimeUTC != "2026-03-01T09:00:00Z" || out.TimeInfo.CurrentTimeUTCEpochSeconds != f.now.Unix() {
		t.Errorf("time info %+v, want the injected clock's %v", out.TimeInfo, f.now)
	}
	if !strings.Contains(res.Summary, "not connected") {
		t.Errorf("summary %q does not say linear is not connected", res.Summary)
	}

	acct := f.connect(t, "u1", "work")
	out = decode[wire.SearchResponse](t, f.run(t, sess, metatools.SearchTools, `{"use_case":"list my linear issues"}`))
	st := status(out)
	if !st.HasActiveConnection || len(st.Accounts) != 1 || st.Accounts[0].ID != acct.ID || !st.Accounts[0].Active ||
		st.Accounts[0].Alias == nil || *st.Accounts[0].Alias != "work" {
		t.Errorf("after connecting: %+v, want %s active with alias work", st, acct.ID)
	}

	for _, args := range []string{`{}`, `{"queries":[{"use_case":"  "}]}`} {
		if res := f.run(t, sess, metatools.SearchTools, args); res.Error != "queries must name at least one use case" {
			t.Errorf("search %s: got %q, want the use case refusal", args, res.Error)
		}
	}
	if res := f.run(t, sess, metatools.SearchTools, `{"queries":"x"}`); !strings.HasPrefix(res.Error, "invalid arguments: queries") {
		t.Errorf("search with a string for queries: got %q", res.Error)
	}
}

type connectionOut struct {
	HasActiveConnection bool       `json:"has_active_connection"`
	ActiveAccountID     string     `json:"active_account_id"`
	RedirectURL         string     `json:"redirect_url"`
	ConnectedAccountID  string     `json:"connected_account_id"`
	ExpiresAt           *time.Time `json:"expires_at"`
	Error               string     `json:"error"`
	Accounts            []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Active bool   `json:"active"`
	} `json:"accounts"`
}

// TestManageConnections: COMPOSIO_MANAGE_CONNECTIONS makes a link for a
// toolkit without an ACTIVE account, reports a connected one, says why a
// toolkit cannot be used, and fails only when every toolkit does.
func TestManageConnections(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess := f.session(t, "u1", sessions.Config{
		Toolkits:          sessions.ToolkitFilter{Enabled: []string{"linear", "gmail"}},
		ManageConnections: sessions.ManageConnections{Enabled: true},
	})
	manage := func(args string) (metatools.Result, map[string]connectionOut) {
		res := f.run(t, sess, metatools.ManageConnections, args)
		return res, decode[struct {
			Results map[string]connectionOut `json:"results"`
		}](t, res).Results
	}

	res, out := manage(`{"toolkits":["linear"]}`)
	c := out["linear"]
	if res.Error != "" || c.HasActiveConnection || c.ConnectedAccountID == "" || !strings.Contains(c.RedirectURL, "/link/ln_") {
		t.Fatalf("not connected: got %q %+v, want a link", res.Error, c)
	}
	pending, err := f.app.Accounts.Get(ctx, f.project.ID, c.ConnectedAccountID)
	if err != nil || pending.Status != store.StatusInitiated || pending.UserID != "u1" {
		t.Fatalf("the link's account: %v %s %s, want an INITIATED account of u1", err, pending.Status, pending.UserID)
	}
	if c.ExpiresAt == nil || !c.ExpiresAt.Equal(f.now.Add(f.app.Config.LinkTTL)) {
		t.Errorf("link expires %v, want the clock's now plus the link lifetime", c.ExpiresAt)
	}
	// The user completes the link's form: the session uses that account.
	token := c.RedirectURL[strings.LastIndex(c.RedirectURL, "/")+1:]
	if _, _, err := f.app.SignIn.SubmitCredentials(ctx, token, map[string]string{"api_key": apiKey}); err != nil {
		t.Fatal(err)
	}
	res, out = manage(`{"toolkits":["linear"]}`)
	c = out["linear"]
	if res.Error != "" || !c.HasActiveConnection || c.ActiveAccountID != pending.ID || c.RedirectURL != "" ||
		len(c.Accounts) != 1 || !c.Accounts[0].Active || c.Accounts[0].Status != store.StatusActive {
		t.Errorf("connected: got %q %+v, want %s active and no new link", res.Error, c, pending.ID)
	}

	res, out = manage(`{"toolkits":["linear","slack","nope"]}`)
	if res.Error != "" || !strings.Contains(out["slack"].Error, "not enabled in session") || !strings.Contains(out["nope"].Error, `unknown toolkit "nope"`) {
		t.Errorf("mixed: got %q %+v, want per-toolkit errors and no failure", res.Error, out)
	}
	res, _ = manage(`{"toolkits":["slack","nope"]}`)
	if !strings.Contains(res.Error, "not enabled in session") || !strings.Contains(res.Error, "unknown toolkit") {
		t.Errorf("every toolkit refused: got %q, want a failure naming both", res.Error)
	}
	if res := f.run(t, sess, metatools.ManageConnections, `{}`); res.Error != "toolkits must name at least one toolkit" {
		t.Errorf("no toolkits: got %q", res.Error)
	}
}

// TestWaitForConnections: COMPOSIO_WAIT_FOR_CONNECTIONS returns once the
// user completes the pending link (the wait goes through the sign-in
// flow's waiter that app wires into sessions).
func TestWaitForConnections(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	started, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := f.app.Accounts.Start(started); err != nil {
		t.Fatal(err)
	}
	sess := f.session(t, "u1", sessions.Config{ManageConnections: sessions.ManageConnections{Enabled: true, WaitForConnections: true}})
	_, l, err := f.app.Sessions.Connect(ctx, f.project, sess.ID, "linear", "")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		time.Sleep(100 * time.Millisecond)
		if _, _, err := f.app.SignIn.SubmitCredentials(ctx, l.Token, map[string]string{"api_key": apiKey}); err != nil {
			t.Error(err)
		}
	})
	res := f.run(t, sess, metatools.WaitForConnections, `{"toolkits":["linear"],"timeout_seconds":60}`)
	wg.Wait()
	out := decode[struct {
		AllConnected bool `json:"all_connected"`
		Results      map[string]struct {
			Status             string `json:"status"`
			ConnectedAccountID string `json:"connected_account_id"`
		} `json:"results"`
	}](t, res)
	if res.Error != "" || !out.AllConnected || out.Results["linear"].Status != "connected" || out.Results["linear"].ConnectedAccountID != l.AccountID {
		t.Errorf("got %q %+v, want linear connected as %s", res.Error, out, l.AccountID)
	}
	// Nothing pending: it says so at once.
	res = f.run(t, sess, metatools.WaitForConnections, `{"toolkits":["gmail"],"timeout_seconds":1}`)
	if res.Error != "" || !strings.Contains(res.Summary, "no connection of gmail is pending") {
		t.Errorf("nothing pending: got %q / %q", res.Error, res.Summary)
	}
}

type multiOut struct {
	Results []struct {
		Index              int             `json:"index"`
		ToolSlug           string          `json:"tool_slug"`
		Successful         bool            `json:"successful"`
		Data               json.RawMessage `json:"data"`
		Error              *string         `json:"error"`
		ConnectedAccountID string          `json:"connected_account_id"`
	} `json:"results"`
	TotalCount    int  `json:"total_count"`
	SuccessCount  int  `json:"success_count"`
	ErrorCount    int  `json:"error_count"`
	AllSuccessful bool `json:"all_successful"`
}

// TestMultiExecuteLimits: between 1 and MaxCalls calls; a request outside
// that runs none of them.
func TestMultiExecuteLimits(t *testing.T) {
	f := newFixture(t)
	f.connect(t, "u1", "")
	sess := f.session(t, "u1", sessions.Config{})
	call := `{"tool_slug":"LINEAR_GET_CURRENT_USER","arguments":{}}`
	calls := func(n int) string {
		return `{"tools":[` + strings.TrimSuffix(strings.Repeat(call+",", n), ",") + `]}`
	}
	for _, n := range []int{0, metatools.MaxCalls + 1} {
		res := f.run(t, sess, metatools.MultiExecuteTool, calls(n))
		if want := fmt.Sprintf("tools must list between 1 and %d tool calls, got %d", metatools.MaxCalls, n); res.Error != want {
			t.Errorf("%d calls: got %q, want %q", n, res.Error, want)
		}
	}
	if n := f.calls.Load(); n != 0 {
		t.Fatalf("refused requests reached the upstream %d times", n)
	}
	res := f.run(t, sess, metatools.MultiExecuteTool, calls(metatools.MaxCalls))
	out := decode[multiOut](t, res)
	if res.Error != "" || out.TotalCount != metatools.MaxCalls || out.SuccessCount != metatools.MaxCalls || !out.AllSuccessful {
		t.Errorf("%d calls: got %q, %d of %d succeeded", metatools.MaxCalls, res.Error, out.SuccessCount, out.TotalCount)
	}
	if n := f.calls.Load(); n != metatools.MaxCalls {
		t.Errorf("the upstream got %d calls, want %d", n, metatools.MaxCalls)
	}
	if res := f.run(t, sess, metatools.MultiExecuteTool, `{"tools":{}}`); !strings.HasPrefix(res.Error, "invalid arguments: tools") {
		t.Errorf("tools as an object: got %q", res.Error)
	}
}

// TestMultiExecuteErrors: each call gets its own result, in order; a call
// that fails does not fail the others; the result fails only when every
// call does, with the one call's message when there is one.
func TestMultiExecuteErrors(t *testing.T) {
	f := newFixture(t)
	acct := f.connect(t, "u1", "")
	sess := f.session(t, "u1", sessions.Config{})
	res := f.run(t, sess, metatools.MultiExecuteTool, `{"tools":[
		{"tool_slug":"LINEAR_GET_CURRENT_USER","arguments":{}},
		{"tool_slug":"","arguments":{}},
		{"tool_slug":"LINEAR_GET_CURRENT_USER","arguments":"[1]"},
		{"tool_slug":"NOT_A_TOOL","arguments":{}},
		{"tool_slug":"GMAIL_SEND_EMAIL","arguments":{"recipient_email":"a@b.example","body":"hi"}}
	]}`)
	if res.Error != "" {
		t.Fatalf("one call succeeded, yet the result failed: %s", res.Error)
	}
	out := decode[multiOut](t, res)
	if out.TotalCount != 5 || out.SuccessCount != 1 || out.ErrorCount != 4 || out.AllSuccessful {
		t.Fatalf("got %d of %d succeeded, %d failed, all %v; want 1 of 5, 4 failed", out.SuccessCount, out.TotalCount, out.ErrorCount, out.AllSuccessful)
	}
	ok := out.Results[0]
	if !ok.Successful || ok.ConnectedAccountID != acct.ID || !strings.Contains(string(ok.Data), "alice@work.example") {
		t.Errorf("the good call: %+v, want success with the upstream's data through %s", ok, acct.ID)
	}
	for i, want := range map[int]string{
		1: "tool_slug is required",
		2: "arguments must be a JSON object",
		3: "NOT_A_TOOL",
		4: "gmail",
	} {
		r := out.Results[i]
		if r.Index != i || r.Successful || r.Error == nil || !strings.Contains(*r.Error, want) {
			t.Errorf("call %d: %+v, want a failure mentioning %q", i, r, want)
		}
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("the upstream got %d calls, want 1: failed calls never reach it", n)
	}

	single := f.run(t, sess, metatools.MultiExecuteTool, `{"tools":[{"tool_slug":"","arguments":{}}]}`)
	if single.Error != "tool_slug is required" {
		t.Errorf("one failing call: got %q, want its own message", single.Error)
	}
	all := f.run(t, sess, metatools.MultiExecuteTool, `{"tools":[{"tool_slug":""},{"tool_slug":"NOT_A_TOOL"}]}`)
	if !strings.HasPrefix(all.Error, "0 of 2 calls succeeded.") {
		t.Errorf("every call failing: got %q, want the summary as the error", all.Error)
	}
}

// authconfigsInput is a Linear API key auth config whose API is the
// upstream at baseURL.
func authconfigsInput(baseURL string) authconfigs.CreateInput {
	return authconfigs.CreateInput{Toolkit: "linear", Type: "use_custom_auth", AuthScheme: "API_KEY",
		Credentials: map[string]any{"base_url": baseURL}}
}
