package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// hookReceiver is a webhook endpoint on 127.0.0.1 that keeps what it got.
type hookReceiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []hookDelivery
}

type hookDelivery struct {
	Header http.Header
	Body   []byte
	Type   string
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var p struct{ Type string }
		json.Unmarshal(b, &p)
		r.mu.Lock()
		r.got = append(r.got, hookDelivery{req.Header.Clone(), b, p.Type})
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

// wait returns the first delivery of the event type, waiting for the
// server's worker to send it.
func (r *hookReceiver) wait(t *testing.T, typ string) hookDelivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for _, d := range r.got {
			if d.Type == typ {
				r.mu.Unlock()
				return d
			}
		}
		r.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no %s delivery within 30s", typ)
	return hookDelivery{}
}

// apiCall makes a REST call with the test project's key.
func hookAPICall(t *testing.T, s *server, method, path string, in any, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, body)
	req.Header.Set("x-api-key", testKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

// TestOfficialSDKsVerifyWebhooks: the official SDKs' own webhook
// verification (Python composio.triggers.verify_webhook, TypeScript
// composio.triggers.verifyWebhook) accepts Switchboard's deliveries as
// they came and refuses them with the body tampered with or another
// secret. The deliveries are real: a subscription made through the API, an
// account connected through a link, then expired by a refused refresh, the server's worker
// posting to a receiver on 127.0.0.1.
func TestOfficialSDKsVerifyWebhooks(t *testing.T) {
	py := pythonSDK(t)
	nodeDir := nodeSDK(t)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			o := serverOptions{}
			if backend == "postgres" {
				o.DatabaseURL = postgrestest.URL(t)
			}
			s := startServer(t, o)
			p := provider(t, s)
			ac := gmailConfig(t, s.Client, p)
			rcv := newHookReceiver(t)

			var sub struct {
				ID, Secret string
				Version    string `json:"version"`
			}
			code := hookAPICall(t, s, "POST", "/api/v3/webhook_subscriptions", map[string]any{
				"webhook_url":    rcv.URL + "/hooks/composio",
				"enabled_events": []string{store.EventAccountActive, store.EventAccountExpired, store.EventAccountRefreshFailed},
			}, &sub)
			if code != http.StatusCreated || !strings.HasPrefix(sub.Secret, "whsec_") || sub.Version != "V3" {
				t.Fatalf("create subscription: %d %+v", code, sub)
			}

			req, err := s.Client.ConnectedAccounts().Link(ctxT(t), "user_123", ac)
			if err != nil {
				t.Fatal(err)
			}
			if resp := consent(t, req.RedirectURL, work, true); resp.StatusCode != 200 {
				t.Fatalf("consent: %d %s", resp.StatusCode, body(resp))
			}
			active := rcv.wait(t, store.EventAccountActive)
			// The provider revokes the user's grant: the next refresh is
			// refused, which records refresh_failed and expires the account.
			p.RevokeUser(work.Login)
			var refreshed map[string]any
			if code := hookAPICall(t, s, "POST", "/api/v3.1/connected_accounts/"+req.ID+"/refresh", map[string]any{}, &refreshed); code == http.StatusOK {
				t.Fatalf("refresh after the revocation: got %d %v, want it refused", code, refreshed)
			}
			failed := rcv.wait(t, store.EventAccountRefreshFailed)
			var fp struct {
				Data struct {
					ID, Status string
					Attempt    int    `json:"attempt"`
					ErrorClass string `json:"error_class"`
				}
			}
			json.Unmarshal(failed.Body, &fp)
			if fp.Data.ID != req.ID || fp.Data.Attempt != 1 || fp.Data.ErrorClass != "refused" {
				t.Errorf("refresh_failed data: got %+v, want attempt 1 of class refused for %s", fp.Data, req.ID)
			}
			expired := rcv.wait(t, store.EventAccountExpired)

			// This repository's script runs next to the installed SDK:
			// ESM resolves @composio/core from the script's directory.
			nodeRun := t.TempDir()
			if err := os.Symlink(filepath.Join(nodeDir, "node_modules"), filepath.Join(nodeRun, "node_modules")); err != nil {
				t.Fatal(err)
			}
			script, err := os.ReadFile(filepath.Join(repoRoot(t), "sdktest", "node", "webhooks.mjs"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(nodeRun, "webhooks.mjs"), script, 0o600); err != nil {
				t.Fatal(err)
			}

			for _, d := range []hookDelivery{active, failed, expired} {
				file := filepath.Join(t.TempDir(), "body.json")
				if err := os.WriteFile(file, d.Body, 0o600); err != nil {
					t.Fatal(err)
				}
				env := []string{
					"WEBHOOK_BODY_FILE=" + file, "WEBHOOK_ID=" + d.Header.Get("webhook-id"),
					"WEBHOOK_TIMESTAMP=" + d.Header.Get("webhook-timestamp"), "WEBHOOK_SIGNATURE=" + d.Header.Get("webhook-signature"),
					"WEBHOOK_SECRET=" + sub.Secret, "WEBHOOK_SUBSCRIPTION_ID=" + sub.ID,
				}
				for _, script := range [][]string{
					{py, filepath.Join(repoRoot(t), "sdktest", "python", "webhooks.py")},
					{"node", filepath.Join(nodeRun, "webhooks.mjs")},
				} {
					cmd := exec.Command(script[0], script[1:]...)
					cmd.Dir = filepath.Dir(script[1])
					cmd.Env = append(os.Environ(), append(env, "SWITCHBOARD_URL="+s.URL, "SWITCHBOARD_API_KEY="+testKey, "TELEMETRY_DISABLED=true")...)
					out, err := cmd.CombinedOutput()
					if err != nil || !strings.Contains(string(out), "RESULT ") {
						t.Errorf("%s on the %s delivery: %v\n%s", filepath.Base(script[1]), d.Type, err, out)
					}
				}
			}
		})
	}
}

// count returns how many deliveries the receiver got.
func (r *hookReceiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// all returns the deliveries the receiver got, in order.
func (r *hookReceiver) all() []hookDelivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}
