package remotemcp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// probe follows one operation (a Tools or a Call) through the HTTP
// exchanges the SDK makes for it: it bounds and counts the response bytes,
// remembers what the server answered (a refusal, an unavailable status),
// and holds the raw JSON-RPC result of the request the operation is
// about. It travels in the operation's context, which the SDK passes to
// every request it sends for the operation.
type probe struct {
	// limit is the most response bytes the whole operation may read.
	limit  int64
	mem    Budget
	cancel context.CancelFunc

	mu       sync.Mutex
	read     int64
	held     int64
	done     bool
	tooLarge bool
	busy     bool
	// status is the last non-2xx HTTP status, wwwAuth the
	// WWW-Authenticate header of a 401 or 403.
	status  int
	wwwAuth string
	// netErr is the last error of a request that got no response.
	netErr error
	// raw is the result of the last response to a request of method
	// want.
	want string
	raw  []byte
}

type probeKey struct{}

func probeOf(ctx context.Context) *probe {
	p, _ := ctx.Value(probeKey{}).(*probe)
	return p
}

// memChunk is how many bytes a probe takes from the budget at a time.
const memChunk = 64 << 10

// count records n more bytes read, reporting false when they exceed a
// limit or the budget; the probe then cancels the operation, so the
// caller returns at once instead of waiting for a response that will not
// come.
func (p *probe) count(n int64, body int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		// The SDK drains a stream after the answer; the operation's
		// memory is already given back.
		return true
	}
	p.read += n
	if p.read > p.limit || body > MaxResponse {
		p.tooLarge = true
		p.cancel()
		return false
	}
	if p.mem != nil && p.read > p.held {
		take := max(memChunk, p.read-p.held)
		if !p.mem.Take(take) {
			p.busy = true
			p.cancel()
			return false
		}
		p.held += take
	}
	return true
}

// finish gives back the memory the operation held.
func (p *probe) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.done = true
	if p.mem != nil && p.held > 0 {
		p.mem.Give(p.held)
	}
	p.held = 0
}

func (p *probe) noteResponse(resp *http.Response) {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status = resp.StatusCode
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		p.wwwAuth = resp.Header.Get("WWW-Authenticate")
	}
}

func (p *probe) noteNetErr(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.netErr = err
}

func (p *probe) setRaw(method string, raw []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if method == p.want {
		p.raw = raw
	}
}

// takeRaw returns and forgets the raw result last recorded.
func (p *probe) takeRaw() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	raw := p.raw
	p.raw = nil
	return raw
}

// errLimit is what a response body's Read returns past a limit; the SDK
// formats it into its own error, which classify replaces.
var errLimit = errors.New("response over the limit")

// roundTripper adds a server's headers to each request of one session
// and bounds each response, in front of the egress client's transport,
// which keeps every egress rule (allowed host, addresses, timeouts).
type roundTripper struct {
	next   http.RoundTripper
	header http.Header
	// version is the negotiated protocol version, for the
	// MCP-Protocol-Version header the SDK sets only on connections it
	// built itself.
	version atomic.Pointer[string]
}

func (t *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	p := probeOf(req.Context())
	if p != nil {
		p.mu.Lock()
		over := p.tooLarge || p.busy
		p.mu.Unlock()
		if over {
			// The SDK reconnects a broken stream; the answer is
			// already refused.
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, errLimit
		}
	}
	req = req.Clone(req.Context())
	for k, vs := range t.header {
		// Never override what the SDK set: content type, accept,
		// session id, protocol version.
		if _, ok := req.Header[k]; !ok {
			req.Header[k] = vs
		}
	}
	if v := t.version.Load(); v != nil && req.Header.Get("MCP-Protocol-Version") == "" {
		req.Header.Set("MCP-Protocol-Version", *v)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		if p != nil && !errors.Is(err, errLimit) {
			p.noteNetErr(err)
		}
		return nil, err
	}
	if p != nil {
		p.noteResponse(resp)
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, p: p}
	return resp, nil
}

// limitedBody counts a response's bytes against its operation and
// MaxResponse; a body without an operation (the DELETE that ends a
// session) is bounded by MaxResponse alone.
type limitedBody struct {
	io.ReadCloser
	p *probe
	n int64
}

func (b *limitedBody) Read(buf []byte) (int, error) {
	n, err := b.ReadCloser.Read(buf)
	b.n += int64(n)
	if b.p != nil {
		if !b.p.count(int64(n), b.n) {
			return 0, errLimit
		}
	} else if b.n > MaxResponse {
		return 0, errLimit
	}
	return n, err
}
