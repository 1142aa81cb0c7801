package remotemcp

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"
)

// transport wraps the SDK's Streamable HTTP client transport so that the
// connection it makes hands the raw JSON of each result to the operation
// that asked for it. The SDK decodes results into Go values (numbers into
// float64, losing integers past 2^53, and schemas into maps); Tool and
// Result keep the server's bytes instead.
type transport struct {
	inner *gomcp.StreamableClientTransport
	rt    *roundTripper
	// conn is the connection Connect made; the SDK connects once.
	conn *conn
}

func (t *transport) Connect(ctx context.Context) (gomcp.Connection, error) {
	c, err := t.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	t.conn = &conn{Connection: c, rt: t.rt, pending: map[jsonrpc.ID]pending{}}
	return t.conn, nil
}

type pending struct {
	p      *probe
	method string
}

// conn remembers which operation sent each request, and gives the
// operation the raw result of its response.
type conn struct {
	gomcp.Connection
	rt *roundTripper

	mu      sync.Mutex
	pending map[jsonrpc.ID]pending
}

func (c *conn) Write(ctx context.Context, msg jsonrpc.Message) error {
	req, ok := msg.(*jsonrpc.Request)
	if ok && req.IsCall() {
		c.mu.Lock()
		c.pending[req.ID] = pending{p: probeOf(ctx), method: req.Method}
		c.mu.Unlock()
	}
	err := c.Connection.Write(ctx, msg)
	if err != nil && ok && req.IsCall() {
		c.forget(req.ID)
	}
	return err
}

func (c *conn) forget(id jsonrpc.ID) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// forgetProbe drops the requests of an operation that ended without
// their responses (cancelled, failed).
func (c *conn) forgetProbe(p *probe) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, w := range c.pending {
		if w.p == p {
			delete(c.pending, id)
		}
	}
}

func (c *conn) Read(ctx context.Context) (jsonrpc.Message, error) {
	msg, err := c.Connection.Read(ctx)
	if err != nil {
		return msg, err
	}
	resp, ok := msg.(*jsonrpc.Response)
	if !ok || !resp.ID.IsValid() {
		return msg, nil
	}
	c.mu.Lock()
	w, found := c.pending[resp.ID]
	delete(c.pending, resp.ID)
	c.mu.Unlock()
	if !found || resp.Error != nil {
		return msg, nil
	}
	if w.method == "initialize" {
		// The connection is not the SDK's own, so the SDK cannot tell it
		// the negotiated version for the MCP-Protocol-Version header
		// (MCP 2025-06-18, basic/transports); the round tripper sets it.
		var init struct {
			ProtocolVersion string `json:"protocolVersion"`
		}
		if json.Unmarshal(resp.Result, &init) == nil && init.ProtocolVersion != "" {
			c.rt.version.Store(&init.ProtocolVersion)
		}
	}
	if w.p != nil {
		w.p.setRaw(w.method, resp.Result)
	}
	return msg, nil
}
