package egress

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// counted is an httptest server that counts the connections it accepts
// and the requests it serves by path.
type counted struct {
	*httptest.Server
	conns atomic.Int64
	mu    sync.Mutex
	hits  map[string]int
}

func newCounted(t *testing.T, h http.HandlerFunc) *counted {
	t.Helper()
	c := &counted{hits: map[string]int{}}
	c.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.hits[r.URL.Path]++
		c.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		io.WriteString(w, "ok")
	}))
	c.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			c.conns.Add(1)
		}
	}
	c.Start()
	t.Cleanup(c.Close)
	return c
}

func (c *counted) host() string { return strings.TrimPrefix(c.URL, "http://") }

func (c *counted) port() string {
	_, port, _ := net.SplitHostPort(c.host())
	return port
}

func (c *counted) hitsOf(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits[path]
}

func get(t *testing.T, client *http.Client, rawURL string) (*http.Response, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer secret-token")
	resp, err := client.Do(req)
	if err != nil {
		return resp, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestRedirects(t *testing.T) {
	other := newCounted(t, nil)
	var allowed *counted
	allowed = newCounted(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-other-port":
			http.Redirect(w, r, other.URL+"/stolen", http.StatusFound)
		case "/to-other-name":
			http.Redirect(w, r, "http://localhost:"+allowed.port()+"/stolen", http.StatusFound)
		case "/to-https":
			http.Redirect(w, r, "https://"+allowed.host()+"/stolen", http.StatusMovedPermanently)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusTemporaryRedirect)
		case "/to-scheme-relative":
			http.Redirect(w, r, "//"+other.host()+"/stolen", http.StatusFound)
		case "/same-host":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/chain":
			http.Redirect(w, r, "/chain2", http.StatusFound)
		case "/chain2":
			http.Redirect(w, r, "/chain3", http.StatusFound)
		case "/chain3":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/ok":
			if r.Header.Get("Authorization") != "Bearer secret-token" {
				http.Error(w, "no credentials", http.StatusUnauthorized)
				return
			}
			io.WriteString(w, "ok")
		}
	})
	client := NewClient(Options{AllowedHost: allowed.host(), AllowLoopback: true})

	tests := []struct {
		path       string
		wantErr    error
		wantStatus int
		wantBody   string
	}{
		{"/same-host", nil, 200, "ok"},
		{"/chain", nil, 200, "ok"},
		{"/to-other-port", ErrRedirect, http.StatusFound, ""},
		{"/to-other-name", ErrRedirect, http.StatusFound, ""},
		{"/to-https", ErrRedirect, http.StatusMovedPermanently, ""},
		{"/to-metadata", ErrRedirect, http.StatusTemporaryRedirect, ""},
		{"/to-scheme-relative", ErrRedirect, http.StatusFound, ""},
		{"/loop", ErrRedirect, http.StatusFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body, err := get(t, client, allowed.URL+tt.path)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("GET %s: got error %v, want %v", tt.path, err, tt.wantErr)
			}
			if resp == nil {
				t.Fatalf("GET %s: got no response, want the redirect response", tt.path)
			}
			if resp.StatusCode != tt.wantStatus || body != tt.wantBody {
				t.Errorf("GET %s: got %d %q, want %d %q", tt.path, resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			// http.Client's *url.Error names the redirect's URL; what
			// egress adds must not (it may be a signed URL).
			var ue *url.Error
			if err != nil && (!errors.As(err, &ue) || strings.Contains(ue.Err.Error(), "stolen")) {
				t.Errorf("GET %s: got error %q, want a *url.Error whose cause omits the location", tt.path, err)
			}
		})
	}
	if got := other.conns.Load(); got != 0 {
		t.Errorf("the other server got %d connections, want 0", got)
	}
	if got := allowed.hitsOf("/stolen"); got != 0 {
		t.Errorf("the allowed server got %d requests for /stolen through another name, want 0", got)
	}
	if got, want := allowed.hitsOf("/loop"), MaxRedirects+1; got != want {
		t.Errorf("the loop was requested %d times, want %d", got, want)
	}
}

func TestOtherHostRefusedBeforeDial(t *testing.T) {
	allowed := newCounted(t, nil)
	other := newCounted(t, nil)
	client := NewClient(Options{AllowedHost: allowed.host(), AllowLoopback: true})

	tests := []struct {
		name, url, hostHeader string
	}{
		{"other port", other.URL + "/x", ""},
		{"other name, same port", "http://localhost:" + allowed.port() + "/x", ""},
		{"no port", "http://127.0.0.1/x", ""},
		{"metadata", "http://169.254.169.254/latest/meta-data/", ""},
		{"Host header", allowed.URL + "/x", "internal.example"},
		{"Host header with port", allowed.URL + "/x", "127.0.0.1:1"},
	}
	before := allowed.conns.Load()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, tt.url, strings.NewReader("body"))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = tt.hostHeader
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			if !errors.Is(err, ErrHostNotAllowed) {
				t.Errorf("POST %s (Host %q): got error %v, want ErrHostNotAllowed", tt.url, tt.hostHeader, err)
			}
		})
	}
	if got := other.conns.Load(); got != 0 {
		t.Errorf("the other server got %d connections, want 0", got)
	}
	if got := allowed.conns.Load() - before; got != 0 {
		t.Errorf("the allowed server got %d connections for refused requests, want 0", got)
	}

	// The allowed host itself works, in any case and with its default port
	// spelled out.
	if _, body, err := get(t, client, strings.ToUpper(allowed.URL)+"/x"); err != nil || body != "ok" {
		t.Errorf("GET allowed host: got %q, %v, want ok", body, err)
	}
	if _, _, err := get(t, NewClient(Options{}), allowed.URL); !errors.Is(err, ErrHostNotAllowed) {
		t.Errorf("GET with no allowed host: got error %v, want ErrHostNotAllowed", err)
	}
}

func TestDialGuardRefusesLoopback(t *testing.T) {
	srv := newCounted(t, nil)
	port := srv.port()
	tests := []struct {
		name, host    string
		allowLoopback bool
		wantErr       error
	}{
		{"literal", "127.0.0.1:" + port, false, ErrBlockedAddress},
		{"localhost", "localhost:" + port, false, ErrBlockedAddress},
		{"literal allowed", "127.0.0.1:" + port, true, nil},
		{"localhost allowed", "localhost:" + port, true, nil},
		// RFC 6761 §6.3: a localhost subdomain is loopback without a lookup.
		{"localhost subdomain", "acme.localhost:" + port, false, ErrBlockedAddress},
		{"localhost subdomain allowed", "acme.localhost:" + port, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.conns.Load()
			client := NewClient(Options{AllowedHost: tt.host, AllowLoopback: tt.allowLoopback})
			_, body, err := get(t, client, "http://"+tt.host+"/")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("GET %s with AllowLoopback %v: got error %v, want %v", tt.host, tt.allowLoopback, err, tt.wantErr)
			}
			if err == nil && body != "ok" {
				t.Errorf("got body %q, want ok", body)
			}
			if got := srv.conns.Load() - before; err != nil && got != 0 {
				t.Errorf("refused request made %d connections, want 0", got)
			}
		})
	}
}

// TestPlainHTTPOnlyToLoopback: a client for a public host speaks only
// https; a request for http:// is refused before anything is sent.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	srv := newCounted(t, nil)
	host := "api.plain.test:" + srv.port()
	client := NewClient(Options{AllowedHost: host, AllowLoopback: true, Resolver: fakeDNS(netip.MustParseAddr("8.8.8.8"))})
	before := srv.conns.Load()
	if _, _, err := get(t, client, "http://"+host+"/"); !errors.Is(err, ErrHostNotAllowed) {
		t.Errorf("GET http://%s: got error %v, want ErrHostNotAllowed", host, err)
	}
	if got := srv.conns.Load() - before; got != 0 {
		t.Errorf("refused request made %d connections, want 0", got)
	}
}

// TestDialGuardRefusesRebinding: a name that DNS answers with an address
// of another kind (a public name with loopback or a private address, a
// loopback name with a public one) is refused at connect time, whatever
// AllowLoopback says.
func TestDialGuardRefusesRebinding(t *testing.T) {
	srv := newCounted(t, nil)
	public := "api.rebind.test:" + srv.port()
	local := "api.localhost:" + srv.port()
	tests := []struct {
		name, host    string
		answer        string
		allowLoopback bool
		wantErr       error
	}{
		{"loopback", public, "127.0.0.1", false, ErrBlockedAddress},
		{"loopback with AllowLoopback", public, "127.0.0.1", true, ErrBlockedAddress},
		{"metadata", public, "169.254.169.254", true, ErrBlockedAddress},
		{"mapped loopback", public, "::ffff:127.0.0.1", true, ErrBlockedAddress},
		{"private", public, "10.0.0.1", true, ErrBlockedAddress},
		{"documentation", public, "192.0.2.2", true, ErrBlockedAddress},
		{"unique local", public, "fd00::2", true, ErrBlockedAddress},
		// A localhost name is never looked up (RFC 6761 §6.3): whatever
		// DNS answers, it reaches 127.0.0.1 and nothing else.
		{"loopback name, public answer", local, "8.8.8.8", true, nil},
		{"loopback name without AllowLoopback", local, "127.0.0.1", false, ErrBlockedAddress},
		// The control: the fake DNS does lead to the server.
		{"loopback name allowed", local, "127.0.0.1", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.conns.Load()
			client := NewClient(Options{
				AllowedHost:   tt.host,
				AllowLoopback: tt.allowLoopback,
				Resolver:      fakeDNS(netip.MustParseAddr(tt.answer)),
			})
			_, body, err := get(t, client, "http://"+tt.host+"/")
			if tt.host == public {
				// Plain http to a public name is refused before the
				// dial; the dial check is what is tested here.
				_, body, err = get(t, client, "https://"+tt.host+"/")
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("GET %s resolving to %s: got error %v, want %v", tt.host, tt.answer, err, tt.wantErr)
			}
			if err == nil && body != "ok" {
				t.Errorf("got body %q, want ok", body)
			}
			if got := srv.conns.Load() - before; err != nil && got != 0 {
				t.Errorf("refused request made %d connections, want 0", got)
			}
		})
	}
}

// fakeDNS returns a resolver whose DNS server, reached over an in-memory
// pipe, answers every query for any name with addr (as an A or AAAA
// record).
func fakeDNS(addr netip.Addr) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(context.Context, string, string) (net.Conn, error) {
			client, server := net.Pipe()
			go serveDNS(server, addr)
			return client, nil // not a PacketConn: RFC 1035 §4.2.2 TCP framing
		},
	}
}

func serveDNS(c net.Conn, addr netip.Addr) {
	defer c.Close()
	for {
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		r := dnsAnswer(q, addr)
		if r == nil {
			return
		}
		if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(r))), r...)); err != nil {
			return
		}
	}
}

// dnsAnswer answers a one-question query (RFC 1035 §4.1).
func dnsAnswer(q []byte, addr netip.Addr) []byte {
	if len(q) < 12 {
		return nil
	}
	i := 12
	for i < len(q) && q[i] != 0 {
		i += int(q[i]) + 1
	}
	i++ // the root label
	if i+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i:])
	var answers uint16
	if qtype == 1 && addr.Is4() || qtype == 28 && addr.Is6() {
		answers = 1
	}
	r := append([]byte{}, q[0], q[1], 0x81, 0x80) // id; response, recursion desired and available, no error
	r = binary.BigEndian.AppendUint16(r, 1)
	r = binary.BigEndian.AppendUint16(r, answers)
	r = append(r, 0, 0, 0, 0)
	r = append(r, q[12:i+4]...) // the question
	if answers == 1 {
		r = append(r, 0xc0, 12) // the name: a pointer to the question's
		r = binary.BigEndian.AppendUint16(r, qtype)
		r = binary.BigEndian.AppendUint16(r, 1) // class IN
		r = binary.BigEndian.AppendUint32(r, 60)
		b := addr.AsSlice()
		r = binary.BigEndian.AppendUint16(r, uint16(len(b)))
		r = append(r, b...)
	}
	return r
}

func TestTransportSettings(t *testing.T) {
	c := NewClient(Options{AllowedHost: "api.github.com"})
	tr := c.Transport.(*guard).next
	if tr.Proxy != nil {
		t.Error("got a Proxy function, want none: HTTP_PROXY must not apply")
	}
	if tr.DialContext == nil || tr.DialTLSContext != nil || tr.DialTLS != nil || tr.Dial != nil {
		t.Error("want exactly the guarded DialContext")
	}
	if tr.MaxIdleConnsPerHost != 64 {
		t.Errorf("got MaxIdleConnsPerHost %d, want 64", tr.MaxIdleConnsPerHost)
	}
	if tr.TLSHandshakeTimeout != 10*time.Second || tr.ResponseHeaderTimeout != 30*time.Second {
		t.Errorf("got TLS handshake timeout %v and response header timeout %v, want 10s and 30s", tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout)
	}
	if g := c.Transport.(*guard); g.timeout != DefaultTimeout {
		t.Errorf("got timeout %v, want %v", g.timeout, DefaultTimeout)
	}
	if g := NewClient(Options{Timeout: 5 * time.Second}).Transport.(*guard); g.timeout != 5*time.Second {
		t.Errorf("got timeout %v, want 5s", g.timeout)
	}
}

// TestTimeout checks that the timeout bounds reading the body too: an
// upstream that sends its headers and then stalls is cut off.
func TestTimeout(t *testing.T) {
	stall := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("{"))
		w.(http.Flusher).Flush()
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(stall)
	u := mustURL(t, srv.URL)
	c := NewClient(Options{AllowedHost: u.Host, AllowLoopback: true, Timeout: 200 * time.Millisecond})
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("reading a stalled body: got %v, want the deadline exceeded", err)
	}
}

func TestClients(t *testing.T) {
	var cs Clients
	gmail, local := mustURL(t, gmail), mustURL(t, local)

	var wg sync.WaitGroup
	got := make([]*http.Client, 16)
	for i := range got {
		wg.Go(func() { got[i] = cs.For(gmail) })
	}
	wg.Wait()
	for i, c := range got {
		if c != got[0] {
			t.Fatalf("client %d differs from client 0: want one cached client per host", i)
		}
	}
	if cs.Client("GMAIL.googleapis.com") != got[0] {
		t.Error("got another client for the same host in upper case, want the cached one")
	}
	if cs.ForURL(gmail.String()+"/users/me") != got[0] {
		t.Error("ForURL: got another client for the same host, want the cached one")
	}
	if cs.For(local) == got[0] {
		t.Error("got the gmail client for another host")
	}

	// AllowLoopback decides whether a loopback base is reached at all; a
	// public name that resolves to loopback never is.
	srv := newCounted(t, nil)
	base := mustURL(t, srv.URL)
	if _, _, err := get(t, cs.For(base), srv.URL+"/"); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("GET loopback base without AllowLoopback: got error %v, want ErrBlockedAddress", err)
	}
	dev := Clients{AllowLoopback: true}
	if _, body, err := get(t, dev.For(base), srv.URL+"/"); err != nil || body != "ok" {
		t.Errorf("GET loopback base with AllowLoopback: got %q, %v, want ok", body, err)
	}
	rebinding := Clients{AllowLoopback: true, Resolver: fakeDNS(netip.MustParseAddr("127.0.0.1"))}
	name := mustURL(t, "https://api.rebind.test:"+srv.port())
	if _, _, err := get(t, rebinding.For(name), name.String()+"/"); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("GET public name resolving to 127.0.0.1: got error %v, want ErrBlockedAddress", err)
	}
	if _, _, err := get(t, cs.For(nil), srv.URL); !errors.Is(err, ErrHostNotAllowed) {
		t.Errorf("GET through For(nil): got error %v, want ErrHostNotAllowed", err)
	}
	if _, _, err := get(t, cs.ForURL("://bad"), srv.URL); !errors.Is(err, ErrHostNotAllowed) {
		t.Errorf("GET through ForURL of a bad URL: got error %v, want ErrHostNotAllowed", err)
	}
	cs.CloseIdleConnections()
}

// TestClientsBounded: the cache does not grow without bound.
func TestClientsBounded(t *testing.T) {
	var cs Clients
	for i := range maxClients + 10 {
		cs.Client(fmt.Sprintf("h%d.example", i))
	}
	if got := len(cs.clients); got > maxClients {
		t.Errorf("got %d cached clients, want at most %d", got, maxClients)
	}
}

// TestClientsLoopbackHosts: a listed loopback host is reachable with
// AllowLoopback off, and only that host and port: another loopback
// server on the same address is refused.
func TestClientsLoopbackHosts(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }
	listed := httptest.NewServer(http.HandlerFunc(ok))
	defer listed.Close()
	other := httptest.NewServer(http.HandlerFunc(ok))
	defer other.Close()
	host := strings.TrimPrefix(listed.URL, "http://")
	c := &Clients{LoopbackHosts: []string{host}}
	resp, err := c.ForURL(listed.URL).Get(listed.URL + "/x")
	if err != nil {
		t.Fatalf("GET the listed host: %v", err)
	}
	resp.Body.Close()
	if _, err := c.ForURL(other.URL).Get(other.URL + "/x"); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("GET another loopback server: got %v, want ErrBlockedAddress", err)
	}
	for _, tc := range []struct {
		hosts []string
		host  string
		want  bool
	}{
		{[]string{"127.0.0.1:8081"}, "127.0.0.1:8081", true},
		{[]string{"127.0.0.1:8081"}, "127.0.0.1:8082", false},
		{[]string{"127.0.0.1:8081"}, "127.0.0.1", false},
		{[]string{"127.0.0.1:80"}, "127.0.0.1", true},
		{[]string{"LOCALHOST:9"}, "localhost:9", true},
		{[]string{"example.com:443"}, "example.com:443", false}, // not loopback: never listed
		{nil, "127.0.0.1:8081", false},
	} {
		if got := ListedLoopback(tc.hosts, tc.host); got != tc.want {
			t.Errorf("ListedLoopback(%q, %q) = %v, want %v", tc.hosts, tc.host, got, tc.want)
		}
	}
}

// TestLoopbackOnly: a LoopbackOnly client never leaves the machine. For a
// host that is not loopback it refuses the request before anything is
// sent, DNS lookup included, and its dialer refuses every address; a
// loopback host is reached as without the option (AllowLoopback still
// decides).
func TestLoopbackOnly(t *testing.T) {
	srv := newCounted(t, nil)
	var lookups atomic.Int32
	dns := fakeDNS(netip.MustParseAddr("8.8.8.8"))
	counting := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		lookups.Add(1)
		return dns.Dial(ctx, network, address)
	}}
	for _, raw := range []string{"https://api.vendor.test/me", "https://api.vendor.test:" + srv.port() + "/me", "https://8.8.8.8/me", "https://[2607:f8b0::1]/me"} {
		t.Run(raw, func(t *testing.T) {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			client := NewClient(Options{AllowedHost: u.Host, AllowLoopback: true, LoopbackOnly: true, Resolver: counting})
			_, _, err = get(t, client, raw)
			if !errors.Is(err, ErrLoopbackOnly) || !errors.Is(err, ErrBlockedAddress) {
				t.Fatalf("GET %s: got error %v, want ErrLoopbackOnly (an ErrBlockedAddress)", raw, err)
			}
			if !strings.Contains(err.Error(), "loopback-only") || !strings.Contains(err.Error(), u.Host) {
				t.Errorf("GET %s: error %q does not say the client is loopback-only and which host it refused", raw, err)
			}
		})
	}
	if got := lookups.Load(); got != 0 {
		t.Errorf("refused requests made %d DNS lookups, want 0", got)
	}
	if got := srv.conns.Load(); got != 0 {
		t.Errorf("refused requests made %d connections, want 0", got)
	}

	// Through Clients, as the test servers use it: loopback still works,
	// with AllowLoopback, and nothing else does.
	cs := &Clients{AllowLoopback: true, LoopbackOnly: true, Resolver: counting}
	if _, body, err := get(t, cs.ForURL(srv.URL), srv.URL+"/x"); err != nil || body != "ok" {
		t.Errorf("GET %s: got %q, %v, want ok", srv.URL, body, err)
	}
	if _, _, err := get(t, cs.ForURL("https://api.github.com"), "https://api.github.com/user"); !errors.Is(err, ErrLoopbackOnly) {
		t.Errorf("GET api.github.com through loopback-only Clients: got error %v, want ErrLoopbackOnly", err)
	}
	strict := &Clients{LoopbackOnly: true}
	if _, _, err := get(t, strict.ForURL(srv.URL), srv.URL+"/x"); !errors.Is(err, ErrBlockedAddress) || errors.Is(err, ErrLoopbackOnly) {
		t.Errorf("GET %s without AllowLoopback: got error %v, want the usual loopback refusal", srv.URL, err)
	}
	if got := lookups.Load(); got != 0 {
		t.Errorf("made %d DNS lookups, want 0", got)
	}

	// The dialer refuses on its own too, whatever the guard lets through:
	// every address, public or loopback, in the mode of such a client.
	if m := modeFor("api.github.com", true, true); m != dialOffHost {
		t.Fatalf("modeFor(api.github.com, LoopbackOnly) = %d, want dialOffHost", m)
	}
	for _, addr := range []string{"8.8.8.8:443", "[2607:f8b0::1]:443", "127.0.0.1:" + srv.port()} {
		if err := dialControl(dialOffHost)(context.Background(), "tcp", addr, nil); !errors.Is(err, ErrLoopbackOnly) {
			t.Errorf("dial %s in a loopback-only client for a public host: got error %v, want ErrLoopbackOnly", addr, err)
		}
	}
}
