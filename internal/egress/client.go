package egress

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Limits of the clients NewClient builds.
const (
	// DefaultTimeout bounds a request, reading the response body
	// included, when Options.Timeout is zero.
	DefaultTimeout = 60 * time.Second
	// MaxRedirects is how many same-host redirects a client follows.
	MaxRedirects = 3

	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 30 * time.Second
	idleConnTimeout       = 90 * time.Second
	maxIdleConnsPerHost   = 64
	maxResponseHeaderSize = 1 << 20
)

var (
	// ErrHostNotAllowed is matched (errors.Is) by the error of a request
	// to any host but the client's allowed host; it is refused before
	// dialing.
	ErrHostNotAllowed = errors.New("egress: host not allowed")
	// ErrRedirect is matched by the error of a request whose response
	// redirects to another scheme, host or port, or redirects more than
	// MaxRedirects times. The redirect is not followed; the client returns
	// the redirect response, its body closed, alongside the error. The
	// *url.Error that http.Client wraps the error in names the redirect's
	// URL, which may be signed: show callers only its Err.
	ErrRedirect = errors.New("egress: redirect refused")
)

// Options configures a client for one upstream host.
type Options struct {
	// AllowedHost is the host requests may go to, with the port if the
	// URL has one, as in URL.Host: "gmail.googleapis.com",
	// "127.0.0.1:8080". It is compared case-insensitively, default ports
	// aside. Empty refuses every request.
	AllowedHost string
	// AllowLoopback lets a client whose AllowedHost is loopback
	// (IsLoopbackHost: 127.0.0.1, [::1], localhost) connect to loopback
	// addresses, over https or plain http. It is the operator's
	// SWITCHBOARD_EGRESS_ALLOW_LOOPBACK, for local development and tests.
	// Without it such a client connects nowhere. A client for any other
	// host connects only to public addresses, over https; private,
	// link-local, metadata, documentation, multicast, reserved and
	// unspecified addresses are refused always.
	AllowLoopback bool
	// LoopbackOnly makes the client refuse every destination that is not
	// loopback (ErrLoopbackOnly): a client whose AllowedHost is not
	// loopback sends nothing, not even a DNS query, and its dialer
	// refuses every address. It is for tests, whose servers must never
	// reach a real vendor whatever toolkit they connect: an identity
	// request to api.github.com fails at once instead of depending on
	// whether the machine has internet. It changes nothing for loopback
	// hosts, which still need AllowLoopback.
	LoopbackOnly bool
	// Timeout bounds each request, reading the response body included (a
	// followed redirect is a new request); zero means DefaultTimeout.
	Timeout time.Duration
	// Resolver resolves host names; nil means net.DefaultResolver. Tests
	// use it to make a name resolve to a chosen address. Whatever it
	// answers, the address connected to is checked.
	Resolver *net.Resolver
	// RootCAs, when set, are the certificate authorities https servers
	// are verified against instead of the system's: a private CA, or the
	// certificate of a test server.
	RootCAs *x509.CertPool
}

// NewClient returns a client that sends requests only to o.AllowedHost,
// over https (plain http only to a loopback host with o.AllowLoopback),
// connects only to public addresses (loopback ones for a loopback host
// with o.AllowLoopback), follows only same-host redirects, uses no proxy,
// and times out. The client pools connections (up to 64 idle ones) and is
// safe for concurrent use: build it once per host and reuse it, as Clients
// does.
func NewClient(o Options) *http.Client {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	mode := modeFor(o.AllowedHost, o.AllowLoopback, o.LoopbackOnly)
	dialer := &net.Dialer{
		Timeout:        dialTimeout,
		KeepAlive:      30 * time.Second,
		Resolver:       o.Resolver,
		ControlContext: dialControl(mode),
	}
	tr := &http.Transport{
		// Never http.ProxyFromEnvironment: HTTP_PROXY would route the
		// credentials through whatever it names.
		Proxy:                  nil,
		DialContext:            localhostDialer(dialer),
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs},
		TLSHandshakeTimeout:    tlsHandshakeTimeout,
		ResponseHeaderTimeout:  responseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        idleConnTimeout,
		MaxIdleConns:           maxIdleConnsPerHost,
		MaxIdleConnsPerHost:    maxIdleConnsPerHost,
		MaxResponseHeaderBytes: maxResponseHeaderSize,
	}
	// The timeout is a context deadline that the guard sets, not
	// http.Client.Timeout, which starts a goroutine and a timer for every
	// request: about 3% of a tool execution's latency in BenchmarkExecute.
	return &http.Client{
		Transport:     &guard{allowed: o.AllowedHost, mode: mode, timeout: timeout, next: tr},
		CheckRedirect: checkRedirect,
	}
}

// localhostDialer dials with d, sending a localhost name ("localhost",
// "acme.localhost") to 127.0.0.1 without a lookup: RFC 6761 §6.3 says
// such names are loopback and resolvers should not be asked, and most
// resolvers do not know the subdomains. The dialer's control still checks
// the address, so only a client allowed loopback connects.
func localhostDialer(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && IsLoopbackHost(host) {
			if _, err := netip.ParseAddr(host); err != nil {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
		}
		return d.DialContext(ctx, network, addr)
	}
}

// guard refuses requests to hosts other than the allowed one before they
// reach the transport, redirects included, and bounds each request's
// time until its response body is closed.
type guard struct {
	allowed string
	// mode is what the dialer allows. It also decides the scheme: plain
	// http only to a loopback host with AllowLoopback, where no network
	// lies between.
	mode    dialMode
	timeout time.Duration
	next    *http.Transport
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.check(req); err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, err
	}
	ctx, cancel := context.WithTimeout(req.Context(), g.timeout)
	resp, err := g.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends a request's deadline when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func (g *guard) check(req *http.Request) error {
	u := req.URL
	if u == nil {
		return fmt.Errorf("%w: request has no URL", ErrHostNotAllowed)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("%w: scheme %q", ErrHostNotAllowed, u.Scheme)
	}
	host := canonicalHost(u.Scheme, u.Host)
	if g.allowed == "" || host != canonicalHost(u.Scheme, g.allowed) {
		return fmt.Errorf("%w: %q", ErrHostNotAllowed, u.Host)
	}
	switch g.mode {
	case dialNone:
		// The dialer would refuse it too; say why before trying.
		return fmt.Errorf("%w: %q is loopback and SWITCHBOARD_EGRESS_ALLOW_LOOPBACK is off", ErrBlockedAddress, u.Host)
	case dialOffHost:
		// Refused before the DNS lookup, which would itself tell the
		// resolver which vendor a test was about to call.
		return fmt.Errorf("%w: %q is not a loopback host", ErrLoopbackOnly, u.Host)
	}
	if u.Scheme == "http" && g.mode != dialLoopback {
		return fmt.Errorf("%w: plain http is allowed only to loopback, with SWITCHBOARD_EGRESS_ALLOW_LOOPBACK on; use https", ErrHostNotAllowed)
	}
	// A Host header naming another virtual host on the same address would
	// reach a service other than the allowed one.
	if req.Host != "" && canonicalHost(u.Scheme, req.Host) != host {
		return fmt.Errorf("%w: Host header %q", ErrHostNotAllowed, req.Host)
	}
	return nil
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// transport.
func (g *guard) CloseIdleConnections() { g.next.CloseIdleConnections() }

// checkRedirect follows a redirect only to the scheme, host and port of the
// original request, so the credentials on it (which http.Client copies to
// same-host redirects) never reach another host, and only MaxRedirects
// times.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return fmt.Errorf("%w: more than %d redirects", ErrRedirect, MaxRedirects)
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || canonicalHost(req.URL.Scheme, req.URL.Host) != canonicalHost(first.Scheme, first.Host) {
		// The location is not in the error: it may be a signed URL.
		return fmt.Errorf("%w: it leads to another host, port or scheme", ErrRedirect)
	}
	return nil
}

// Clients caches one client per upstream host, so that connections are
// pooled across calls. The zero value is ready to use and reaches public
// https hosts only; it is safe for concurrent use. Set the fields before
// the first call. Every outbound call of Switchboard goes through one
// Clients: tool executions, the proxy, and the OAuth token, refresh and
// identity calls.
type Clients struct {
	// Timeout, Resolver, AllowLoopback, LoopbackOnly and RootCAs go into
	// the Options of every client.
	Timeout       time.Duration
	Resolver      *net.Resolver
	AllowLoopback bool
	LoopbackOnly  bool
	RootCAs       *x509.CertPool
	// LoopbackHosts are loopback hosts with their ports ("127.0.0.1:8081")
	// whose clients may connect to loopback even with AllowLoopback off:
	// `switchboard demo` lists its own provider's listener here, and only
	// it, so the demo reaches that and no other local service.
	LoopbackHosts []string

	mu      sync.Mutex
	clients map[string]*http.Client
}

// maxClients bounds the cache; base URLs come from configuration, so this
// is only reached if something creates hosts without bound.
const maxClients = 256

// For returns the client for an upstream URL, such as a toolkit's base
// URL: allowed to reach base.Host only. A nil base gets a client that
// refuses every request.
func (c *Clients) For(base *url.URL) *http.Client {
	if base == nil {
		return c.Client("")
	}
	return c.Client(base.Host)
}

// ForURL is For of a URL string; a URL that does not parse gets a client
// that refuses every request.
func (c *Clients) ForURL(raw string) *http.Client {
	u, err := url.Parse(raw)
	if err != nil {
		return c.Client("")
	}
	return c.For(u)
}

// Client returns the cached client for host, building it with NewClient
// on first use.
func (c *Clients) Client(host string) *http.Client {
	k := strings.ToLower(host)
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[k]; ok {
		return cl
	}
	if c.clients == nil {
		c.clients = make(map[string]*http.Client)
	}
	if len(c.clients) >= maxClients {
		for old, cl := range c.clients { // evict any one; callers may still hold it
			cl.CloseIdleConnections()
			delete(c.clients, old)
			break
		}
	}
	allow := c.AllowLoopback || ListedLoopback(c.LoopbackHosts, host)
	cl := NewClient(Options{AllowedHost: host, AllowLoopback: allow, LoopbackOnly: c.LoopbackOnly, Timeout: c.Timeout, Resolver: c.Resolver, RootCAs: c.RootCAs})
	c.clients[k] = cl
	return cl
}

// CloseIdleConnections closes the idle connections of every cached client.
func (c *Clients) CloseIdleConnections() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cl := range c.clients {
		cl.CloseIdleConnections()
	}
}
