package e2e

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
)

// TestLinkTokensAtRest: a link token is in the URL its caller gets and
// nowhere else: not in any database file, not in the server's log, even
// after the link was opened, handed out again (to an agent, in a tool
// error) and used up.
func TestLinkTokensAtRest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var log logBuffer
	s := startServer(t, serverOptions{DataDir: dir, Log: &log})
	p := provider(t, s)
	gmailConfig(t, s.Client, p)
	ctx := ctxT(t)
	sess, err := s.Client.Create(ctx, "user_123")
	if err != nil {
		t.Fatal(err)
	}
	first, err := sess.Authorize(ctx, "gmail")
	if err != nil {
		t.Fatal(err)
	}
	_, token, ok := strings.Cut(first.RedirectURL, "/link/")
	if !ok || len(token) < 20 {
		t.Fatalf("redirect URL %q has no link token", first.RedirectURL)
	}
	// An agent asking to connect again gets the same pending link: the
	// store keeps the token sealed, so it can be handed out again without
	// being stored in plain text.
	proj, err := s.App.Projects.Authenticate(ctx, testKey)
	if err != nil {
		t.Fatal(err)
	}
	_, pending, err := s.App.Sessions.Connect(ctx, proj, sess.ID(), "gmail", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.App.Accounts.LinkURL(pending.Token); got != first.RedirectURL {
		t.Errorf("connect again: got link %s, want the pending %s", got, first.RedirectURL)
	}
	// A tool call without an account tells the agent the link to open;
	// the answer has it, the log record of the call does not.
	if r := sessionExec(t, s, sess.ID(), "GMAIL_GET_PROFILE", `{}`, ""); !strings.Contains(r.err(), first.RedirectURL) {
		t.Errorf("execute without an account: got error %q, want it to give the pending link", r.err())
	}
	if resp := consent(t, first.RedirectURL, work, true); resp.StatusCode != 200 {
		t.Fatalf("consent: got %d %s", resp.StatusCode, body(resp))
	}
	if resp := get(t, first.RedirectURL); resp.StatusCode != 410 {
		t.Errorf("used link: got %d, want 410", resp.StatusCode)
	}
	if resp := get(t, s.URL+"/link/"+token+"x"); resp.StatusCode != 404 {
		t.Errorf("unknown link: got %d, want 404", resp.StatusCode)
	}

	s.Stop()
	if strings.Contains(log.String(), token) {
		t.Errorf("the server's log holds a link token")
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), token) {
			t.Errorf("%s holds a link token in plain text", filepath.Base(path))
		}
		return nil
	})
}

// TestInterruptedCreateExpires: an INITIATED account whose create stopped
// before its link was stored does not stay pending for ever: once a link
// would have expired, the sweep fails it.
func TestInterruptedCreateExpires(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var dsn string
			if backend == "postgres" {
				dsn = postgrestest.URL(t)
			}
			now := time.Now()
			s := startServer(t, serverOptions{DatabaseURL: dsn, LinkTTL: 5 * time.Minute, Now: func() time.Time { return now }})
			p := provider(t, s)
			ac := gmailConfig(t, s.Client, p)
			projectID := defaultProject(t, s)
			// What a create leaves when it stops between the account and
			// its link.
			orphan := store.Account{
				ID: "ca_orphan", ProjectID: projectID, UserID: "user_123", ToolkitSlug: "gmail", AuthConfigID: ac,
				Status: store.StatusInitiated, StatusReason: accounts.ReasonAwaiting, CreatedAt: now.UTC(), UpdatedAt: now.UTC(),
			}
			if err := s.App.Store.CreateAccount(context.Background(), orphan); err != nil {
				t.Fatal(err)
			}
			sweep := func() int {
				n, err := s.App.Accounts.SweepStale(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := sweep(); n != 0 {
				t.Errorf("sweep right after the create: moved %d, want 0", n)
			}
			now = now.Add(6 * time.Minute)
			if n := sweep(); n != 1 {
				t.Errorf("sweep after a link's lifetime: moved %d, want 1", n)
			}
			a, err := s.Client.ConnectedAccounts().Get(ctxT(t), orphan.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != store.StatusFailed {
				t.Errorf("orphan account: got status %s, want %s", a.Status, store.StatusFailed)
			}
		})
	}
}

// TestRuntimeKeyThroughSDK: an admin key makes a runtime key with the Go
// SDK; the runtime key runs a session and is refused the auth configs and
// the keys, with an error that names the scope it lacks.
func TestRuntimeKeyThroughSDK(t *testing.T) {
	s := startServer(t, serverOptions{})
	ctx := ctxT(t)
	gmailConfig(t, s.Client, provider(t, s))
	k, err := s.Client.APIKeys().Create(ctx, "agent", "runtime")
	if err != nil || k.Scope != "runtime" || k.Key == "" || len(k.Prefix) > 4 {
		t.Fatalf("create a runtime key: %+v, %v", k, err)
	}
	rt := sdk.New(k.Key, s.URL)
	sess, err := rt.Create(ctx, "user_123")
	if err != nil {
		t.Fatalf("a runtime key creates a session: %v", err)
	}
	if _, err := sess.Authorize(ctx, "gmail"); err != nil {
		t.Errorf("a runtime key makes a link: %v", err)
	}
	_, err = rt.AuthConfigs().List(ctx, sdk.ListAuthConfigsParams{})
	if ae, ok := errors.AsType[*sdk.APIError](err); !ok || ae.Status != 403 || ae.Slug != "insufficient_scope" || !strings.Contains(ae.Message, "admin") {
		t.Errorf("a runtime key lists auth configs: got %v, want 403 insufficient_scope", err)
	}
	_, err = rt.APIKeys().Create(ctx, "escalate", "admin")
	if ae, ok := errors.AsType[*sdk.APIError](err); !ok || ae.Status != 403 {
		t.Errorf("a runtime key makes an admin key: got %v, want 403", err)
	}
	keys, err := s.Client.APIKeys().List(ctx)
	if err != nil || len(keys) != 2 {
		t.Fatalf("list keys: %v %v, want the bootstrap key and the runtime key", keys, err)
	}
	if err := s.Client.APIKeys().Revoke(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Create(ctx, "user_123"); err == nil {
		t.Errorf("a revoked runtime key still creates sessions")
	}
}

// TestPendingLinkAfterKeyRetired: a pending link whose token was sealed by
// a key retired since is not handed out again (its token cannot be
// opened); asking to connect makes a new link instead of failing.
func TestPendingLinkAfterKeyRetired(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := startServer(t, serverOptions{DataDir: dir})
	gmailConfig(t, s.Client, provider(t, s))
	ctx := ctxT(t)
	sess, err := s.Client.Create(ctx, "user_123")
	if err != nil {
		t.Fatal(err)
	}
	old, err := sess.Authorize(ctx, "gmail")
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	s = startServer(t, serverOptions{DataDir: dir, EncryptionKey: otherEncryptionKey, OldEncryptionKeys: testEncryptionKey})
	s.Stop()
	s = startServer(t, serverOptions{DataDir: dir, EncryptionKey: otherEncryptionKey})
	proj, err := s.App.Projects.Authenticate(ctx, testKey)
	if err != nil {
		t.Fatal(err)
	}
	_, l, err := s.App.Sessions.Connect(ctx, proj, sess.ID(), "gmail", "")
	if err != nil {
		t.Fatalf("connect after the key that sealed the pending link was retired: %v", err)
	}
	if l.Token == "" || strings.HasSuffix(old.RedirectURL, "/"+l.Token) {
		t.Errorf("connect: got link token %q, want a new link", l.Token)
	}
}
