package sessions_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// accounts lists every account of the fixture's project, to show that
// selecting wrote nothing.
func (f *fixture) allAccounts(t *testing.T) []store.Account {
	t.Helper()
	page, err := f.st.ListAccounts(context.Background(), f.project.ID, store.AccountFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func TestSelectRefusesWithoutWritingAndOfferMakesTheLink(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess, err := f.sessions.Create(ctx, f.project, "u1", sessions.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, r, err := f.sessions.Select(ctx, f.project, sessions.Want{SessionID: sess.ID, Toolkit: "gmail"})
	if err != nil || r == nil {
		t.Fatalf("Select with no account: refusal %v, err %v; want a refusal", r, err)
	}
	if r.Fix.Connect != "gmail" || r.Fix.SessionID != sess.ID || r.Fix.Reauthorize != "" {
		t.Errorf("fix = %+v, want connect gmail through %s", r.Fix, sess.ID)
	}
	if got := f.allAccounts(t); len(got) != 0 {
		t.Fatalf("Select wrote %d accounts; selecting must only read", len(got))
	}
	link, err := f.sessions.Offer(ctx, f.project, r)
	if err != nil || !strings.HasPrefix(link, "http://sb.test/link/") {
		t.Fatalf("Offer = %q, %v; want a link", link, err)
	}
	if got := f.allAccounts(t); len(got) != 1 || got[0].Status != store.StatusInitiated {
		t.Fatalf("after Offer: %+v, want one INITIATED account", got)
	}
	again, err := f.sessions.Offer(ctx, f.project, r)
	if err != nil || again != link {
		t.Errorf("a second Offer = %q, %v; want the pending link %q again", again, err, link)
	}
	if msg, want := r.Message(link, nil), "gmail has no connected account for u1; authorize it with this link: "+link; msg != want {
		t.Errorf("message = %q, want %q", msg, want)
	}
}

func TestSelectLeavesAFailedPinAsItIs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good := f.connected(t, "u1", "gmail", "", store.StatusActive)
	sess, err := f.sessions.Create(ctx, f.project, "u1", sessions.Config{Pins: map[string][]string{"gmail": {good.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.UpdateAccount(ctx, f.project.ID, good.ID, func(a store.Account) (store.Account, error) {
		a.Status, a.StatusReason = store.StatusFailed, "the provider said no"
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}
	_, r, err := f.sessions.Select(ctx, f.project, sessions.Want{SessionID: sess.ID, Toolkit: "gmail"})
	if err != nil || r == nil || r.Fix.Reauthorize != good.ID {
		t.Fatalf("Select of a FAILED pin: %+v, %v; want a refusal to re-authorize %s", r, err, good.ID)
	}
	if !strings.Contains(r.Reason, "FAILED: the provider said no") {
		t.Errorf("reason = %q, want the status and its reason", r.Reason)
	}
	if a, _ := f.st.GetAccount(ctx, f.project.ID, good.ID); a.Status != store.StatusFailed {
		t.Fatalf("Select changed the account to %s; selecting must only read", a.Status)
	}
	link, err := f.sessions.Offer(ctx, f.project, r)
	if err != nil || link == "" {
		t.Fatalf("Offer = %q, %v", link, err)
	}
	// Offering the re-authorization is the step that opens a link for the
	// account, which is what INITIATED means.
	if a, _ := f.st.GetAccount(ctx, f.project.ID, good.ID); a.Status != store.StatusInitiated {
		t.Errorf("after Offer the account is %s, want INITIATED", a.Status)
	}
	if msg := r.Message(link, nil); !strings.HasSuffix(msg, "; re-authorize it with this link: "+link) {
		t.Errorf("message = %q", msg)
	}
}

func TestSelectInMultiAccountSessions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	work := f.connected(t, "u1", "gmail", "work", store.StatusActive)
	personal := f.connected(t, "u1", "gmail", "personal", store.StatusActive)
	sess, err := f.sessions.Create(ctx, f.project, "u1", sessions.Config{
		MultiAccount: sessions.MultiAccount{Enabled: true, RequireExplicitSelection: true}})
	if err != nil {
		t.Fatal(err)
	}
	want := sessions.Want{SessionID: sess.ID, Toolkit: "gmail"}
	_, r, err := f.sessions.Select(ctx, f.project, want)
	if err != nil || r == nil || r.Fix.Do == "" || r.Fix.Connect != "" {
		t.Fatalf("no choice in a session that requires one: %+v, %v", r, err)
	}
	for _, id := range []string{work.ID, personal.ID, "alias work", "alias personal"} {
		if !strings.Contains(r.Message("", nil), id) {
			t.Errorf("message %q does not list %s", r.Message("", nil), id)
		}
	}
	want.Account = "work"
	if a, r, err := f.sessions.Select(ctx, f.project, want); err != nil || r != nil || a.ID != work.ID {
		t.Errorf("choosing alias work: %s, %+v, %v", a.ID, r, err)
	}
	want.Account = "ca_nobody"
	if _, r, err := f.sessions.Select(ctx, f.project, want); err != nil || r == nil || !strings.Contains(r.Reason, "is not one of the gmail accounts") {
		t.Errorf("choosing an unknown account: %+v, %v", r, err)
	}
}

func TestSelectOutsideASession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connected(t, "u1", "gmail", "", store.StatusActive)
	newest := f.connected(t, "u1", "gmail", "", store.StatusActive)
	other := f.connected(t, "u2", "gmail", "", store.StatusActive)
	disabled := f.connected(t, "u1", "gmail", "", store.StatusInactive)

	if a, r, err := f.sessions.Select(ctx, f.project, sessions.Want{UserID: "u1", Toolkit: "gmail"}); err != nil || r != nil || a.ID != newest.ID {
		t.Errorf("by user: %s, %+v, %v; want the most recent ACTIVE %s", a.ID, r, err, newest.ID)
	}
	// Another user's account is reported exactly as a missing one.
	_, _, err := f.sessions.Select(ctx, f.project, sessions.Want{UserID: "u1", ConnectedAccountID: other.ID, Toolkit: "gmail"})
	if pe, ok := problem.As(err); !ok || pe.Code != "connected_account_not_found" {
		t.Errorf("another user's account: %v, want connected_account_not_found", err)
	}
	_, _, err = f.sessions.Select(ctx, f.project, sessions.Want{ConnectedAccountID: newest.ID, Toolkit: "github"})
	if pe, ok := problem.As(err); !ok || pe.Code != "toolkit_mismatch" {
		t.Errorf("a gmail account for a github tool: %v, want toolkit_mismatch", err)
	}
	_, r, err := f.sessions.Select(ctx, f.project, sessions.Want{ConnectedAccountID: disabled.ID, Toolkit: "gmail"})
	if err != nil || r == nil || !strings.Contains(r.Fix.Do, "PATCH /api/v3.1/connected_accounts/"+disabled.ID+"/status") {
		t.Errorf("a disabled account: %+v, %v; want the fix to enable it", r, err)
	}
	if link, err := f.sessions.Offer(ctx, f.project, r); link != "" || err != nil {
		t.Errorf("Offer for a refusal no link fixes = %q, %v; want nothing", link, err)
	}
}
