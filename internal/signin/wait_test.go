package signin_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// TestWaitWakesOnCompletion: a waiter on a pending account returns the
// account once its link completes, ACTIVE, well before its own limit.
func TestWaitWakesOnCompletion(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := f.accounts.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ac := f.apiKeyConfig(t)
	a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	type result struct {
		a   store.Account
		err error
	}
	done := make(chan result, 1)
	go func() {
		got, err := f.accounts.Wait(ctx, f.project.ID, a.ID, time.Minute)
		done <- result{got, err}
	}()
	if _, _, err := f.signin.SubmitCredentials(ctx, l.Token, map[string]string{"api_key": "k"}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.err != nil || r.a.ID != a.ID || r.a.Status != store.StatusActive {
			t.Errorf("Wait: got %v, %s %s; want %s ACTIVE", r.err, r.a.ID, r.a.Status, a.ID)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Wait did not return after the link completed")
	}
}

// TestWaitReturns: a waiter on an account that is not pending returns it
// as it is; one whose limit passes returns it still INITIATED; one on an
// unknown account gets the not-found error.
func TestWaitReturns(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ac := f.apiKeyConfig(t)
	active, err := f.signin.CreateWithCredentials(ctx, f.project, accounts.LinkInput{UserID: "u1", AuthConfigID: ac.ID}, "", map[string]string{"api_key": "k"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.accounts.Wait(ctx, f.project.ID, active.ID, time.Hour); err != nil || got.Status != store.StatusActive {
		t.Errorf("an ACTIVE account: got %v, %s; want it at once, ACTIVE", err, got.Status)
	}
	pending, _ := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	if got, err := f.accounts.Wait(ctx, f.project.ID, pending.ID, 20*time.Millisecond); err != nil || got.ID != pending.ID || got.Status != store.StatusInitiated {
		t.Errorf("a pending account past the limit: got %v, %s %s; want %s INITIATED", err, got.ID, got.Status, pending.ID)
	}
	_, err = f.accounts.Wait(ctx, f.project.ID, "ca_unknown", time.Hour)
	if p, ok := problem.As(err); !ok || p.Code != "connected_account_not_found" {
		t.Errorf("an unknown account: got %v, want connected_account_not_found", err)
	}
	// Another project's account is unknown too.
	if _, err := f.accounts.Wait(ctx, "proj_other", active.ID, time.Hour); err == nil {
		t.Error("waiting on another project's account succeeded")
	}
}
