package e2e

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

// ownerOf is the login whose token reached the fake API, as the tool's
// output reports it.
func ownerOf(t *testing.T, r *sdk.ExecuteResult) string {
	t.Helper()
	var data struct {
		Owner string `json:"owner"`
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatalf("data %s: %v", r.Data, err)
	}
	return data.Owner
}

// mustExecute runs a tool through the SDK and fails the test on a Go error.
func mustExecute(t *testing.T, sess *sdk.Session, tool string, args map[string]any, opts ...sdk.ExecuteOption) *sdk.ExecuteResult {
	t.Helper()
	r, err := sess.Execute(ctxT(t), tool, args, opts...)
	if err != nil {
		t.Fatalf("execute %s: %v", tool, err)
	}
	if !strings.HasPrefix(r.LogID, "log_") {
		t.Errorf("execute %s: log id %q", tool, r.LogID)
	}
	return r
}

// TestSDKExecute: the Go SDK runs tools with the account the session
// chooses, and reports failed tools as results.
func TestSDKExecute(t *testing.T) {
	f := newExecFixture(t, serverOptions{})
	s, ctx := f.s, ctxT(t)

	t.Run("default account", func(t *testing.T) {
		r := mustExecute(t, f.session, "GMAIL_GET_PROFILE", nil)
		if !r.Successful() || ownerOf(t, r) != personal.Login {
			t.Fatalf("got %+v, want %s's profile (the most recent account)", r, personal.Login)
		}
		var profile struct {
			EmailAddress string `json:"emailAddress"`
		}
		if err := json.Unmarshal(r.Data, &profile); err != nil || profile.EmailAddress != personal.Email {
			t.Errorf("got profile %s (%v), want %s", r.Data, err, personal.Email)
		}
		if got := f.api.last(); got.Login != personal.Login || got.Path != "/gmail/v1/users/me/profile" {
			t.Errorf("upstream saw %+v, want %s on /gmail/v1/users/me/profile", got, personal.Login)
		}
	})

	t.Run("pinned account", func(t *testing.T) {
		pinned, err := s.Client.Create(ctx, "user_123", sdk.WithConnectedAccounts(map[string]string{"gmail": f.ca1}))
		if err != nil {
			t.Fatal(err)
		}
		r := mustExecute(t, pinned, "GMAIL_SEND_EMAIL", map[string]any{
			"recipient_email": "bob@example.com", "subject": "hi", "body": "hello",
		})
		if !r.Successful() || ownerOf(t, r) != work.Login {
			t.Fatalf("got %+v, want a send as %s", r, work.Login)
		}
		up := f.api.last()
		if up.Login != work.Login || up.Method != "POST" || !strings.HasSuffix(up.Path, "/messages/send") {
			t.Errorf("upstream saw %+v, want %s POSTing a message", up, work.Login)
		}
	})

	t.Run("failed tool is a result", func(t *testing.T) {
		before := f.api.count()
		r, err := f.session.Execute(ctx, "GMAIL_SEND_EMAIL", map[string]any{"subject": "x"})
		if err != nil {
			t.Fatalf("got error %v, want a result", err)
		}
		if r.Successful() || !strings.Contains(r.Error, "recipient_email") {
			t.Errorf("got %+v, want an error about recipient_email", r)
		}
		if f.api.count() != before {
			t.Error("a call with invalid arguments reached the upstream")
		}
		// An account the single-account session does not use.
		r, err = f.session.Execute(ctx, "GMAIL_GET_PROFILE", nil, sdk.WithAccount(f.ca1))
		if err != nil || r.Successful() || !strings.Contains(r.Error, "multi_account") {
			t.Errorf("explicit account in a single-account session: got %+v, %v", r, err)
		}
	})

	t.Run("unknown tool is an error", func(t *testing.T) {
		r, err := f.session.Execute(ctx, "NOPE_TOOL", nil)
		var e *sdk.APIError
		if !errors.As(err, &e) || e.Status != 404 || r != nil {
			t.Errorf("got %+v, %v, want a 404 *APIError", r, err)
		}
	})

	t.Run("multi-account by alias", func(t *testing.T) {
		if _, err := s.Client.ConnectedAccounts().Update(ctx, f.ca1, wire.ConnectedAccountUpdateRequest{Alias: ptr("work")}); err != nil {
			t.Fatal(err)
		}
		multi, err := s.Client.Create(ctx, "user_123", sdk.WithMultiAccount(0, true))
		if err != nil {
			t.Fatal(err)
		}
		if !multi.Config.MultiAccount.Enable || !multi.Config.MultiAccount.RequireExplicitSelection {
			t.Fatalf("session config %+v, want multi-account with explicit selection", multi.Config.MultiAccount)
		}
		before := f.api.count()
		r := mustExecute(t, multi, "GMAIL_GET_PROFILE", nil)
		if r.Successful() || !strings.Contains(r.Error, f.ca1) || !strings.Contains(r.Error, f.ca2) {
			t.Errorf("no account chosen: got %+v, want an error listing both accounts", r)
		}
		if f.api.count() != before {
			t.Error("an ambiguous call reached the upstream")
		}
		for ref, want := range map[string]string{"work": work.Login, f.ca2: personal.Login} {
			r := mustExecute(t, multi, "GMAIL_GET_PROFILE", nil, sdk.WithAccount(ref))
			if !r.Successful() || ownerOf(t, r) != want || f.api.last().Login != want {
				t.Errorf("WithAccount(%s): got %+v via %+v, want %s", ref, r, f.api.last(), want)
			}
		}
		if r := mustExecute(t, multi, "GMAIL_GET_PROFILE", nil, sdk.WithAccount("nope")); !strings.Contains(r.Error, "not one of") {
			t.Errorf("WithAccount of an unknown alias: got %+v", r)
		}
	})

	t.Run("meta tool", func(t *testing.T) {
		r := mustExecute(t, f.session, "COMPOSIO_SEARCH_TOOLS", map[string]any{
			"queries": []map[string]any{{"use_case": "send an email"}},
		})
		var found wire.SearchResponse
		if err := json.Unmarshal(r.Data, &found); err != nil || !r.Successful() {
			t.Fatalf("got %+v (%v), want search results", r, err)
		}
		if len(found.Results) != 1 || !slices.Contains(found.Results[0].PrimaryToolSlugs, "GMAIL_SEND_EMAIL") {
			t.Errorf("got results %+v, want GMAIL_SEND_EMAIL", found.Results)
		}
	})

	t.Run("tools execute", func(t *testing.T) {
		tools := s.Client.Tools()
		r, err := tools.Execute(ctx, "GMAIL_GET_PROFILE", nil, sdk.WithConnectedAccountID(f.ca1))
		if err != nil || !r.Successful() || ownerOf(t, r) != work.Login || f.api.last().Login != work.Login {
			t.Errorf("by connected account: got %+v, %v, want %s", r, err, work.Login)
		}
		r, err = tools.Execute(ctx, "GMAIL_GET_PROFILE", nil, sdk.WithUserID("user_123"))
		if err != nil || ownerOf(t, r) != personal.Login {
			t.Errorf("by user: got %+v, %v, want %s", r, err, personal.Login)
		}
		r, err = tools.Execute(ctx, "GMAIL_SEND_EMAIL", map[string]any{"subject": "x"}, sdk.WithConnectedAccountID(f.ca1))
		if err != nil || r.Successful() || !strings.Contains(r.Error, "recipient_email") {
			t.Errorf("invalid arguments: got %+v, %v, want a failed result", r, err)
		}
		_, err = tools.Execute(ctx, "GMAIL_GET_PROFILE", nil, sdk.WithUserID("user_456"), sdk.WithConnectedAccountID(f.ca1))
		var e *sdk.APIError
		if !errors.As(err, &e) || e.Status != 404 || e.Code != 1803 {
			t.Errorf("another user's account: got %v, want a 404 *APIError with code 1803", err)
		}
		_, err = tools.Execute(ctx, "GMAIL_GET_PROFILE", nil)
		if !errors.As(err, &e) || e.Status != 400 {
			t.Errorf("no account named: got %v, want a 400 *APIError", err)
		}
	})

	t.Run("proxy", func(t *testing.T) {
		res, err := f.session.Proxy(ctx, "gmail", wire.ProxyRequest{
			Endpoint: "/users/me/labels", Method: "GET",
			Parameters: []wire.ProxyParameter{{Name: "q", Type: "query", Value: "a b"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := res.Data.(map[string]any)
		up := f.api.last()
		if res.Status != 200 || res.Error != nil || data["owner"] != personal.Login || up.Path != "/gmail/v1/users/me/labels" || up.Query != "q=a+b" {
			t.Errorf("got %+v, upstream saw %+v", res, up)
		}
		res, err = f.session.Proxy(ctx, "gmail", wire.ProxyRequest{Endpoint: "http://evil.example.com/x", Method: "GET"})
		if err == nil && (res.Error == nil || res.Status != 0) {
			t.Errorf("an endpoint off the toolkit's host: got %+v", res)
		}
	})
}

// TestSDKToolsAndSearch: the Go SDK lists a session's tools page by page
// and searches them.
func TestSDKToolsAndSearch(t *testing.T) {
	f := newExecFixture(t, serverOptions{})
	s, ctx := f.s, ctxT(t)

	// The catalog's gmail tools.
	catalog, err := s.Client.Tools().List(ctx, sdk.ListToolsParams{ToolkitSlugs: []string{"gmail"}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, tool := range catalog.Items {
		want = append(want, tool.Slug)
	}
	if !slices.Contains(want, "GMAIL_SEND_EMAIL") || catalog.NextCursor != "" {
		t.Fatalf("catalog gmail tools: %v (next %q)", want, catalog.NextCursor)
	}
	tool, err := s.Client.Tools().Get(ctx, "GMAIL_SEND_EMAIL")
	if err != nil || tool.Toolkit.Slug != "gmail" || !strings.Contains(string(tool.InputParameters), "recipient_email") {
		t.Errorf("tool get: %+v, %v", tool, err)
	}
	if _, err := s.Client.Tools().Get(ctx, "NOPE"); !sdk.IsNotFound(err) {
		t.Errorf("unknown tool: got %v, want a 404", err)
	}

	// A gmail session's tools, three a page, are exactly those.
	gmailOnly, err := s.Client.Create(ctx, "user_123", sdk.WithToolkits("gmail"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	cursor, pages := "", 0
	for {
		page, err := gmailOnly.Tools(ctx, sdk.ToolsCursor(cursor), sdk.ToolsLimit(3))
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) > 3 {
			t.Fatalf("page of %d tools, want at most 3", len(page.Items))
		}
		for _, tool := range page.Items {
			got = append(got, tool.Slug)
		}
		if pages++; page.NextCursor == "" || pages > 100 {
			if page.TotalItems != len(want) {
				t.Errorf("total_items %d, want %d", page.TotalItems, len(want))
			}
			break
		}
		cursor = page.NextCursor
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" || pages < 2 {
		t.Errorf("gmail session tools in %d pages differ from the catalog's (-want +got):\n%s", pages, diff)
	}
	// An unfiltered session has more than gmail's.
	all, err := f.session.Tools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if all.TotalItems <= len(want) || !slices.ContainsFunc(all.Items, func(t wire.Tool) bool { return t.Slug == "GITHUB_CREATE_AN_ISSUE" }) {
		t.Errorf("unfiltered session: %d tools, want gmail's %d and others", all.TotalItems, len(want))
	}

	// Search finds the tool and reports both accounts.
	res, err := f.session.Search(ctx, "send an email", "create a github issue")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 2 || len(res.Results[0].PrimaryToolSlugs) == 0 || res.Results[0].PrimaryToolSlugs[0] != "GMAIL_SEND_EMAIL" {
		t.Fatalf("search results: %+v", res.Results)
	}
	if !slices.Contains(res.Results[1].PrimaryToolSlugs, "GITHUB_CREATE_AN_ISSUE") {
		t.Errorf("second use case: %+v, want GITHUB_CREATE_AN_ISSUE", res.Results[1])
	}
	if !res.Success || res.Error != nil || res.Session.ID != f.session.ID() {
		t.Errorf("search: success %v, error %v, session %q", res.Success, res.Error, res.Session.ID)
	}
	i := slices.IndexFunc(res.ToolkitConnectionStatuses, func(st wire.ToolkitConnectionStatus) bool { return st.Toolkit == "gmail" })
	if i < 0 || !res.ToolkitConnectionStatuses[i].HasActiveConnection || len(res.ToolkitConnectionStatuses[i].Accounts) != 2 {
		t.Errorf("gmail status: %+v, want connected with 2 accounts", res.ToolkitConnectionStatuses)
	}
	if _, err := f.session.Search(ctx); err == nil {
		t.Error("search without a use case: got no error")
	}
}
