package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// TestMCPNotifiedWhenLinkCompletes: an MCP client connected to a session
// (the official Go SDK, listening for tool changes) gets
// notifications/tools/list_changed when a pending link of that session
// completes, without calling anything; on PostgreSQL the link completes
// through another instance than the one holding the client's listen
// stream.
func TestMCPNotifiedWhenLinkCompletes(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			o := serverOptions{}
			if backend == "postgres" {
				o.DatabaseURL = postgrestest.URL(t)
			}
			s := startServer(t, o)
			other := s
			if backend == "postgres" {
				other = startServer(t, o)
			}
			p := provider(t, s, other)
			gmailConfigAt(t, s.Client, p, newFakeAPI(t, p))
			sessID := newSession(t, s, `{"user_id":"user_123","manage_connections":{"enable":true}}`)

			changed := make(chan struct{}, 16)
			client := gomcp.NewClient(&gomcp.Implementation{Name: "switchboard-e2e", Version: "0.0.0"}, &gomcp.ClientOptions{
				ToolListChangedHandler: func(_ context.Context, _ *gomcp.ToolListChangedRequest) { changed <- struct{}{} },
			})
			cs, err := client.Connect(ctxT(t), &gomcp.StreamableClientTransport{Endpoint: mcpURL(s, sessID),
				HTTPClient: &http.Client{Transport: keyTransport{http.Header{"X-Api-Key": {testKey}}}}, MaxRetries: -1}, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cs.Close() })

			conn := manage(t, cs, map[string]any{"toolkits": []string{"gmail"}})
			if !strings.HasPrefix(conn.ConnectedAccountID, "ca_") {
				t.Fatalf("manage connections made no link: %+v", conn)
			}
			select {
			case <-changed:
				t.Fatalf("notified before the link completed")
			case <-time.After(1500 * time.Millisecond):
			}
			link := strings.Replace(conn.RedirectURL, s.URL, other.URL, 1)
			if resp := consent(t, link, work, true); resp.StatusCode != http.StatusOK {
				t.Fatalf("consent: %d %s", resp.StatusCode, body(resp))
			}
			select {
			case <-changed:
			case <-time.After(15 * time.Second):
				t.Fatalf("no notifications/tools/list_changed within 15s of the link completing")
			}
		})
	}
}
