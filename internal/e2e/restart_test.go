package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

// TestRestartKeepsAccounts connects accounts, restarts the server on the
// same data directory (with its generated key file), and uses them again.
func TestRestartKeepsAccounts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	s := startServer(t, serverOptions{DataDir: dir, KeyFile: true, Listener: l})
	p := provider(t, s)
	gmailConfig(t, s.Client, p)
	ctx := ctxT(t)
	sess, err := s.Client.Create(ctx, "user_123")
	if err != nil {
		t.Fatal(err)
	}
	ca1 := connect(t, sess, work)
	ca2 := connect(t, sess, personal)
	pinned, err := s.Client.Create(ctx, "user_123", sdk.WithConnectedAccounts(map[string]string{"gmail": ca1.ID}))
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "encryption.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v, want mode 0600", info, err)
	}
	s.Stop()

	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s = startServer(t, serverOptions{DataDir: dir, KeyFile: true, Listener: l})
	for _, id := range []string{ca1.ID, ca2.ID} {
		if _, err := s.Client.ConnectedAccounts().Refresh(ctx, id); err != nil {
			t.Errorf("refresh %s after restart: %v", id, err)
		}
	}
	sess, err = s.Client.Session(ctx, sess.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got := activeGmail(t, sess); got != ca2.ID {
		t.Errorf("after restart the session uses %s, want %s", got, ca2.ID)
	}
	pinned, err = s.Client.Session(ctx, pinned.ID())
	if err != nil {
		t.Fatal(err)
	}
	if got := activeGmail(t, pinned); got != ca1.ID {
		t.Errorf("after restart the pinned session uses %s, want %s", got, ca1.ID)
	}
}

// process is a switchboard binary running as its own process.
type process struct {
	URL string
	cmd *exec.Cmd
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "switchboard")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/switchboard-dev/switchboard/cmd/switchboard").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startProcess runs `switchboard serve` on PostgreSQL and waits until it
// is ready.
func startProcess(t *testing.T, bin, dbURL string) *process {
	t.Helper()
	return startProcessEnv(t, bin, "SWITCHBOARD_DATABASE_URL="+dbURL)
}

// startProcessEnv runs `switchboard serve` with the test's key, the
// bootstrap key and loopback egress, plus env (which names the store),
// and waits until it is ready.
func startProcessEnv(t *testing.T, bin string, env ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"SWITCHBOARD_ADDR="+addr,
		"SWITCHBOARD_ENCRYPTION_KEY="+testEncryptionKey,
		"SWITCHBOARD_BOOTSTRAP_API_KEY="+testKey,
		"SWITCHBOARD_EGRESS_ALLOW_LOOPBACK=true", // the test provider runs on 127.0.0.1
	)
	cmd.Env = append(cmd.Env, env...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if os.Getenv("SWITCHBOARD_TEST_LOG") != "" {
				fmt.Fprintln(os.Stderr, addr, sc.Text())
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})
	p := &process{URL: "http://" + addr, cmd: cmd}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("switchboard on %s never became ready", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTwoInstancesOnePostgres runs two switchboard processes on one
// database: a link created through one completes through the other, and
// waiters on both see it.
func TestTwoInstancesOnePostgres(t *testing.T) {
	dbURL := postgrestest.URL(t)
	bin := buildBinary(t)
	a := startProcess(t, bin, dbURL)
	b := startProcess(t, bin, dbURL)
	ca, cb := sdk.New(testKey, a.URL), sdk.New(testKey, b.URL)
	p := provider(t, &server{URL: a.URL}, &server{URL: b.URL})
	gmailConfig(t, ca, p)
	ctx := ctxT(t)

	sess, err := ca.Create(ctx, "user_123")
	if err != nil {
		t.Fatal(err)
	}
	req, err := sess.Authorize(ctx, "gmail")
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		who string
		a   *wire.ConnectedAccount
		err error
	}
	results := make(chan result, 2)
	for who, c := range map[string]*sdk.Client{"a": ca, "b": cb} {
		go func() {
			acct, err := c.ConnectedAccounts().WaitForConnection(ctx, req.ID)
			results <- result{who, acct, err}
		}()
	}
	// The user opens the link on instance b; the provider calls b back.
	link := strings.Replace(req.RedirectURL, a.URL, b.URL, 1)
	resp := consent(t, link, work, true)
	if resp.StatusCode != 200 {
		t.Fatalf("consent through b: %d %s", resp.StatusCode, body(resp))
	}
	for range 2 {
		r := <-results
		if r.err != nil || r.a.Status != "ACTIVE" {
			t.Errorf("waiter on %s: %v %v, want ACTIVE", r.who, r.a, r.err)
		}
	}
	// Both instances resolve the session the same way.
	for who, c := range map[string]*sdk.Client{"a": ca, "b": cb} {
		s, err := c.Session(ctx, sess.ID())
		if err != nil {
			t.Fatal(err)
		}
		if got := activeGmail(t, s); got != req.ID {
			t.Errorf("instance %s: session uses %q, want %s", who, got, req.ID)
		}
	}
	// Refreshes from both instances at once never reuse a rotated token.
	errs := make(chan error, 6)
	for i := range 6 {
		c := ca
		if i%2 == 1 {
			c = cb
		}
		go func() {
			_, err := c.ConnectedAccounts().Refresh(context.Background(), req.ID)
			errs <- err
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent refresh: %v", err)
		}
	}
	if n := p.RefreshAttempts(); n != p.RefreshCount() {
		t.Errorf("provider saw %d refresh attempts but %d successes: a rotated refresh token was reused", n, p.RefreshCount())
	}
	if acct, err := ca.ConnectedAccounts().Get(ctx, req.ID); err != nil || acct.Status != "ACTIVE" {
		t.Errorf("after concurrent refreshes: %v %v, want ACTIVE", acct, err)
	}
}

// TestKeyRotation rotates the root key without downtime: the server runs
// with the new key and the old one, `switchboard reseal` re-encrypts what
// the old key sealed, and then a server with the new key alone still uses
// every account and auth config.
func TestKeyRotation(t *testing.T) {
	const newKey = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
	dir := filepath.Join(t.TempDir(), "data")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	s := startServer(t, serverOptions{DataDir: dir, Listener: l})
	p := provider(t, s)
	gmailConfig(t, s.Client, p)
	sess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	ca := connect(t, sess, work)
	other := connect(t, sess, personal)
	s.Stop()

	// Both keys: old ciphertext still opens, new writes use the new key.
	l, _ = net.Listen("tcp", addr)
	s = startServer(t, serverOptions{DataDir: dir, Listener: l, EncryptionKey: newKey, OldEncryptionKeys: testEncryptionKey})
	if _, err := s.Client.ConnectedAccounts().Refresh(ctxT(t), ca.ID); err != nil {
		t.Fatalf("refresh with both keys: %v", err)
	}
	s.Stop()

	cmd := exec.Command(buildBinary(t), "reseal")
	cmd.Env = append(os.Environ(), "SWITCHBOARD_DATA_DIR="+dir, "SWITCHBOARD_ENCRYPTION_KEY="+newKey, "SWITCHBOARD_OLD_ENCRYPTION_KEYS="+testEncryptionKey)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Re-sealed 1 account credentials and 1 auth config secrets") {
		t.Fatalf("reseal: %v\n%s", err, out)
	}

	// The new key alone.
	l, _ = net.Listen("tcp", addr)
	s = startServer(t, serverOptions{DataDir: dir, Listener: l, EncryptionKey: newKey})
	for _, id := range []string{ca.ID, other.ID} {
		if _, err := s.Client.ConnectedAccounts().Refresh(ctxT(t), id); err != nil {
			t.Errorf("refresh %s with the new key alone: %v", id, err)
		}
	}
}
