package e2e

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// cutProxy forwards TCP connections to a PostgreSQL server until it is
// cut: then it drops every open connection and refuses new ones, as a
// database that went away does, until it is restored.
type cutProxy struct {
	l      net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{l: l, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { l.Close(); p.setCut(true) })
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

// setCut cuts (dropping every connection) or restores the proxy.
func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

// TestStoreOutageIs503: while PostgreSQL does not answer, reads and writes
// are 503 store_unavailable with Retry-After (never a bare 500), /readyz
// is 503, and once the database is back the same server answers again
// without a restart.
func TestStoreOutageIs503(t *testing.T) {
	dbURL := postgrestest.URL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.l.Addr().String()
	s := startServer(t, serverOptions{DatabaseURL: u.String()})

	call := func(method, path, body string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		req.Header.Set("x-api-key", testKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	requests := []struct{ method, path, body string }{
		{"GET", "/api/v3.1/connected_accounts", ""},
		{"POST", "/api/v3.1/tool_router/session", `{"user_id":"u1"}`},
		{"POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY"}}`},
	}
	for _, r := range requests {
		if code, _, b := call(r.method, r.path, r.body); code >= 300 {
			t.Fatalf("before the outage %s %s: %d %s", r.method, r.path, code, b)
		}
	}

	proxy.setCut(true)
	for _, r := range requests {
		code, h, b := call(r.method, r.path, r.body)
		if code != http.StatusServiceUnavailable || !strings.Contains(b, `"slug":"store_unavailable"`) {
			t.Errorf("during the outage %s %s: %d %s, want 503 store_unavailable", r.method, r.path, code, b)
		}
		if h.Get("Retry-After") == "" {
			t.Errorf("during the outage %s %s: no Retry-After", r.method, r.path)
		}
		if h.Get("x-should-retry") == "false" {
			t.Errorf("during the outage %s %s: x-should-retry false on a retryable answer", r.method, r.path)
		}
	}
	if code := readyz(t, s.URL); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the outage: %d, want 503", code)
	}

	proxy.setCut(false)
	for _, r := range requests {
		if code, _, b := call(r.method, r.path, r.body); code >= 300 {
			t.Errorf("after the outage %s %s: %d %s", r.method, r.path, code, b)
		}
	}
	if code := readyz(t, s.URL); code != http.StatusOK {
		t.Errorf("/readyz after the outage: %d, want 200", code)
	}
}

func readyz(t *testing.T, base string) int {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
