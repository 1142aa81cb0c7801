package remotemcp

import (
	"context"
	"errors"
	"sync"
	"time"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/egress"
)

// Session policy defaults.
const (
	// DefaultIdleTimeout is how long an unused session stays open when
	// Client.IdleTimeout is zero.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultMaxSessions is how many sessions a Client keeps open when
	// Client.MaxSessions is zero.
	DefaultMaxSessions = 64
)

// Budget is a budget of answer bytes held in memory at once, shared with
// the rest of the process; *execute.Memory is one. Take reserves n bytes,
// reporting false (and reserving nothing) when that would exceed it; Give
// returns bytes taken.
type Budget interface {
	Take(n int64) bool
	Give(n int64)
}

// Client lists and calls the tools of remote MCP servers over the
// Streamable HTTP transport. It keeps one MCP session per server and
// credential (Server's URL and Header) open for reuse, closing it after
// IdleTimeout unused and keeping at most MaxSessions; see the package
// doc. Set the fields before the first call. A Client is safe for
// concurrent use; Close releases its sessions.
type Client struct {
	// Egress gives the HTTP client for a server's URL: the process's
	// egress.Clients. Required.
	Egress *egress.Clients
	// Memory, if set, is charged for the answers being read, as
	// execute's budget is; a spent budget fails the call with ErrBusy.
	Memory Budget
	// IdleTimeout closes a session unused this long; zero means
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxSessions bounds the sessions kept open; zero means
	// DefaultMaxSessions, negative keeps none (a new session for every
	// call, closed after it).
	MaxSessions int
	// Version is the client version reported to servers; default "dev".
	Version string

	// protocolVersion, if set, is the protocol version offered instead
	// of the SDK's latest; the benchmark measures both.
	protocolVersion string

	mu       sync.Mutex
	sessions map[[32]byte]*session
	closed   bool
	// closing tracks sessions being closed in the background.
	closing sync.WaitGroup
}

// session is one open MCP client session.
type session struct {
	key  [32]byte
	cs   *gomcp.ClientSession
	conn *conn

	// Guarded by Client.mu.
	cached bool // in Client.sessions
	uses   int
	gen    uint64 // which idle timer may close it
	last   time.Time
	idle   *time.Timer

	closeOnce sync.Once
}

func (s *session) close() {
	s.closeOnce.Do(func() { s.cs.Close() })
}

func (c *Client) idleTimeout() time.Duration {
	if c.IdleTimeout > 0 {
		return c.IdleTimeout
	}
	return DefaultIdleTimeout
}

func (c *Client) maxSessions() int {
	if c.MaxSessions == 0 {
		return DefaultMaxSessions
	}
	return max(c.MaxSessions, 0)
}

// acquire returns a session for srv, reporting whether it was open
// already.
func (c *Client) acquire(ctx context.Context, srv Server) (*session, bool, error) {
	key := keyOf(srv)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, false, ErrClosed
	}
	if s := c.sessions[key]; s != nil {
		s.uses++
		if s.idle != nil {
			s.idle.Stop()
			s.idle = nil
		}
		c.mu.Unlock()
		return s, true, nil
	}
	c.mu.Unlock()

	// Two calls that miss at once both connect; the second keeps its
	// session for its own call only. Waiting for the first instead would
	// tie one caller's deadline to another's.
	s, err := c.open(ctx, srv)
	if err != nil {
		return nil, false, err
	}
	s.key, s.uses = key, 1
	var evicted *session
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		c.closeLater(s)
		return nil, false, ErrClosed
	}
	if c.sessions[key] == nil && c.maxSessions() > 0 {
		if len(c.sessions) >= c.maxSessions() {
			evicted = c.oldestIdle()
			if evicted != nil {
				c.drop(evicted)
			}
		}
		if len(c.sessions) < c.maxSessions() {
			if c.sessions == nil {
				c.sessions = make(map[[32]byte]*session)
			}
			c.sessions[key] = s
			s.cached = true
		}
	}
	c.mu.Unlock()
	if evicted != nil {
		c.closeLater(evicted)
	}
	return s, false, nil
}

// oldestIdle is the cached session unused longest, nil when every one is
// in use. Called with c.mu held.
func (c *Client) oldestIdle() *session {
	var old *session
	for _, s := range c.sessions {
		if s.uses == 0 && (old == nil || s.last.Before(old.last)) {
			old = s
		}
	}
	return old
}

// drop removes s from the cache; whoever sees its uses reach zero closes
// it. Called with c.mu held.
func (c *Client) drop(s *session) {
	if c.sessions[s.key] == s {
		delete(c.sessions, s.key)
	}
	s.cached = false
	if s.idle != nil {
		s.idle.Stop()
		s.idle = nil
	}
}

// release ends a use of s. A broken session leaves the cache; an unused
// one out of the cache is closed, an unused one in it starts its idle
// timer.
func (c *Client) release(s *session, broken bool) {
	c.mu.Lock()
	s.uses--
	if broken && s.cached {
		c.drop(s)
	}
	closeNow := false
	if s.uses == 0 {
		if s.cached {
			s.last = time.Now()
			s.gen++
			gen := s.gen
			s.idle = time.AfterFunc(c.idleTimeout(), func() { c.expire(s, gen) })
		} else {
			closeNow = true
		}
	}
	c.mu.Unlock()
	if closeNow {
		c.closeLater(s)
	}
}

// closeLater closes s off the caller's path: closing a session may wait
// for the server (a DELETE, bounded by the SDK at 5 s, or the end of a
// stream the caller gave up on), and the caller's answer is already
// decided. Close waits for it.
func (c *Client) closeLater(s *session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked(s)
}

// closeLocked is closeLater with c.mu held. Before Close, the close is
// tracked for Close to wait for; after it (a call that was in flight
// returning), it is not, since Close has returned.
func (c *Client) closeLocked(s *session) {
	if c.closed {
		go s.close()
		return
	}
	c.closing.Go(s.close)
}

// expire closes s if it is still unused since the release that set
// timer gen.
func (c *Client) expire(s *session, gen uint64) {
	c.mu.Lock()
	if s.gen != gen || s.uses != 0 || !s.cached {
		c.mu.Unlock()
		return
	}
	c.drop(s)
	c.mu.Unlock()
	c.closeLater(s)
}

// Close closes every open session, the idle ones now and those in use
// when their call returns, and waits for the closes it started and those
// already under way. Later calls fail with ErrClosed.
func (c *Client) Close() error {
	c.mu.Lock()
	for _, s := range c.sessions {
		c.drop(s)
		if s.uses == 0 {
			c.closeLocked(s)
		}
	}
	c.closed = true
	c.mu.Unlock()
	c.closing.Wait()
	return nil
}

// open connects a new session to srv: the SDK's client on a copy of the
// egress client for srv.URL whose transport adds srv.Header in front of
// the egress guard, so every egress rule still applies.
func (c *Client) open(ctx context.Context, srv Server) (*session, error) {
	if c.Egress == nil {
		return nil, errors.New("remotemcp: Client.Egress is not set")
	}
	base := c.Egress.ForURL(srv.URL)
	rt := &roundTripper{next: base.Transport, header: srv.Header.Clone()}
	hc := *base // keeps the egress redirect check
	hc.Transport = rt
	tr := &transport{
		inner: &gomcp.StreamableClientTransport{
			Endpoint:   srv.URL,
			HTTPClient: &hc,
			// A call's stream that breaks is not resumed: the call
			// fails and the caller decides whether to repeat it.
			MaxRetries: -1,
			// Nothing here listens for server-initiated messages; the
			// tool list is synced on demand.
			DisableStandaloneSSE: true,
			MaxEventSize:         MaxResponse,
		},
		rt: rt,
	}
	version := c.Version
	if version == "" {
		version = "dev"
	}
	client := gomcp.NewClient(&gomcp.Implementation{Name: "switchboard", Version: version}, &gomcp.ClientOptions{
		// No roots, sampling or elicitation: the caller is not a user.
		Capabilities: &gomcp.ClientCapabilities{},
	})
	cs, err := client.Connect(ctx, tr, &gomcp.ClientSessionOptions{ProtocolVersion: c.protocolVersion})
	if err != nil {
		return nil, err
	}
	return &session{cs: cs, conn: tr.conn}, nil
}
