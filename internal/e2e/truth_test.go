package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestStaleReasonNamesTheLinkTTL lets a link of a server configured with a
// one-minute link lifetime expire: the swept account's reason names that
// lifetime, not the default.
func TestStaleReasonNamesTheLinkTTL(t *testing.T) {
	now := time.Now()
	s := startServer(t, serverOptions{LinkTTL: time.Minute, Now: func() time.Time { return now }})
	p := provider(t, s)
	gmailConfig(t, s.Client, p)
	ctx := ctxT(t)
	sess, err := s.Client.Create(ctx, "user_123")
	if err != nil {
		t.Fatal(err)
	}
	req, err := sess.Authorize(ctx, "gmail")
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	if n, err := s.App.Accounts.SweepStale(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v, want 1", n, err)
	}
	a, err := s.Client.ConnectedAccounts().Get(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := deref(a.StatusReason); a.Status != "FAILED" || !strings.Contains(r, "within 1 minute") || strings.Contains(r, "10 minutes") {
		t.Errorf("stale account: %s %q, want FAILED naming the 1 minute link lifetime", a.Status, r)
	}
}
