package remotemcp

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Limits of a Client.
const (
	// MaxResponse is the most bytes of one HTTP response body Tools or
	// Call reads, JSON-RPC envelope and event-stream framing included:
	// 8 MiB, as execute.MaxResponse. A larger answer fails with
	// ErrTooLarge; it is never cut short.
	MaxResponse = 8 << 20
	// MaxTools is the most tools Tools returns; a server listing more
	// fails with ErrTooLarge rather than being synced in part.
	MaxTools = 2000
	// MaxToolsBytes is the most response bytes one Tools reads over all
	// its pages: 16 MiB, room for MaxTools tools of 8 KiB each.
	MaxToolsBytes = 16 << 20
	// MaxPages is the most tools/list pages one Tools follows.
	MaxPages = 100
)

// Server is one remote MCP server as one connected account reaches it.
type Server struct {
	// URL is the server's Streamable HTTP endpoint.
	URL string
	// Header holds the account's authentication headers, computed by the
	// caller from its credentials: "Authorization: Bearer …" for a bearer
	// token or an OAuth2 access token, or an API key header such as
	// "X-API-Key". They are sent on every request to URL and never
	// appear in an error. Headers the protocol owns (Content-Type,
	// Accept, Mcp-Session-Id, MCP-Protocol-Version) are not overridden.
	Header http.Header
}

// Tool is a tool a remote server lists.
type Tool struct {
	Name string
	// Title is the tool's title, or else its annotations' title.
	Title       string
	Description string
	// InputSchema is the JSON Schema object of the arguments, as the
	// server sent it; {"type":"object"} when the server sent none.
	InputSchema json.RawMessage
	// OutputSchema is the JSON Schema of the structured result, nil when
	// the server sent none.
	OutputSchema json.RawMessage
	// The hints of the tool's annotations, with the defaults of MCP
	// 2025-06-18 (server/tools, ToolAnnotations) when absent: ReadOnly
	// false, Destructive true unless ReadOnly, Idempotent false,
	// OpenWorld true. They are the server's claims, not guarantees.
	ReadOnly    bool
	Destructive bool
	Idempotent  bool
	OpenWorld   bool
}

// Result is what a tool call returned.
type Result struct {
	// IsError reports whether the tool reported a failure; Text and
	// Content then describe it. A tool failure is not a Go error.
	IsError bool
	// Text is the text of the result's text content items, joined with
	// newlines.
	Text string
	// Structured is the structuredContent, as the server sent it; nil
	// when the server sent none.
	Structured json.RawMessage
	// Content is the content array, as the server sent it; "[]" when the
	// server sent none.
	Content json.RawMessage
}

// Tools lists the tools of srv, following nextCursor until the last page,
// within MaxPages, MaxTools and MaxToolsBytes.
func (c *Client) Tools(ctx context.Context, srv Server) ([]Tool, error) {
	var tools []Tool
	err := c.do(ctx, srv, "tools/list", MaxToolsBytes, func(ctx context.Context, s *session, p *probe) error {
		tools = tools[:0]
		names := map[string]bool{}
		cursors := map[string]bool{}
		cursor := ""
		for page := 1; ; page++ {
			res, err := s.cs.ListTools(ctx, &gomcp.ListToolsParams{Cursor: cursor})
			if err != nil {
				return err
			}
			wire, err := wireTools(res, p.takeRaw())
			if err != nil {
				return protocolError(srv, "tools/list", "decode the tool list: %v", err)
			}
			// The SDK drops tools it finds invalid; so do we.
			valid := map[string]bool{}
			for _, t := range res.Tools {
				valid[t.Name] = true
			}
			for _, w := range wire {
				if !valid[w.Name] {
					continue
				}
				if names[w.Name] {
					return protocolError(srv, "tools/list", "tool %q is listed twice", w.Name)
				}
				names[w.Name] = true
				t, err := w.tool()
				if err != nil {
					return protocolError(srv, "tools/list", "tool %q: %v", w.Name, err)
				}
				tools = append(tools, t)
			}
			if len(tools) > MaxTools {
				return &Error{Kind: ErrTooLarge, Op: "tools/list", Host: hostOf(srv.URL), detail: "more than " + strconv.Itoa(MaxTools) + " tools"}
			}
			next := res.NextCursor
			if next == "" {
				return nil
			}
			if cursors[next] {
				return protocolError(srv, "tools/list", "nextCursor repeats an earlier cursor")
			}
			if page >= MaxPages {
				return &Error{Kind: ErrTooLarge, Op: "tools/list", Host: hostOf(srv.URL), detail: "more than " + strconv.Itoa(MaxPages) + " pages"}
			}
			cursors[next] = true
			cursor = next
		}
	})
	if err != nil {
		return nil, err
	}
	return tools, nil
}

// Call calls the tool name of srv with args. A tool that fails returns a
// Result with IsError set and a nil error.
func (c *Client) Call(ctx context.Context, srv Server, name string, args map[string]any) (Result, error) {
	var r Result
	err := c.do(ctx, srv, "tools/call", MaxResponse, func(ctx context.Context, s *session, p *probe) error {
		res, err := s.cs.CallTool(ctx, &gomcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			return err
		}
		r, err = resultOf(res, p.takeRaw())
		if err != nil {
			return protocolError(srv, "tools/call", "decode the result: %v", err)
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return r, nil
}

// do runs one operation on a session for srv, classifying its failure.
// A reused session the server no longer knows (HTTP 404 for its
// Mcp-Session-Id: MCP 2025-06-18 basic/transports, session management)
// is dropped and the operation tried once more on a new one; the server
// did not run the request, so even a tool call is safe to resend.
func (c *Client) do(ctx context.Context, srv Server, op string, limit int64, f func(context.Context, *session, *probe) error) error {
	for attempt := 0; ; attempt++ {
		opCtx, cancel := detached(ctx)
		p := &probe{limit: limit, mem: c.Memory, cancel: cancel, want: op}
		opCtx = context.WithValue(opCtx, probeKey{}, p)
		s, reused, err := c.acquire(opCtx, srv)
		if err != nil {
			p.finish()
			cancel()
			return classify(ctx, srv, "initialize", p, err)
		}
		err = f(opCtx, s, p)
		s.conn.forgetProbe(p)
		p.finish()
		cancel()
		// A JSON-RPC error leaves the session sound; anything else may
		// have broken it.
		var wire *jsonrpc.Error
		c.release(s, err != nil && !errors.As(err, &wire))
		if err == nil {
			return nil
		}
		if mine, ok := errors.AsType[*Error](err); ok {
			return mine
		}
		if reused && attempt == 0 && ctx.Err() == nil && errors.Is(err, gomcp.ErrSessionMissing) {
			continue
		}
		return classify(ctx, srv, op, p, err)
	}
}

// detached returns a context with ctx's deadline and cancellation but
// none of its values. The SDK keeps its own state in context values (the
// protocol version its server side negotiated, read again by its client
// side for outgoing requests), so a call made while serving an MCP
// request, as Switchboard's MCP endpoint does, would otherwise send that
// request's protocol version to the remote server.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	var (
		out    context.Context
		cancel context.CancelFunc
	)
	if d, ok := ctx.Deadline(); ok {
		out, cancel = context.WithDeadline(context.Background(), d)
	} else {
		out, cancel = context.WithCancel(context.Background())
	}
	stop := context.AfterFunc(ctx, cancel)
	return out, func() {
		stop()
		cancel()
	}
}

// keyOf is the session cache key of srv: a hash of the URL and headers,
// so the credentials are not kept in the map or shown by a dump of it.
func keyOf(srv Server) [32]byte {
	h := sha256.New()
	h.Write([]byte(srv.URL))
	keys := make([]string, 0, len(srv.Header))
	for k := range srv.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(k))
		for _, v := range srv.Header[k] {
			h.Write([]byte{1})
			h.Write([]byte(v))
		}
	}
	var key [32]byte
	h.Sum(key[:0])
	return key
}

// wireTool is a tool as the server sent it.
type wireTool struct {
	Name         string          `json:"name"`
	Title        string          `json:"title"`
	Description  string          `json:"description"`
	InputSchema  json.RawMessage `json:"inputSchema"`
	OutputSchema json.RawMessage `json:"outputSchema"`
	Annotations  *struct {
		Title           string `json:"title"`
		ReadOnlyHint    *bool  `json:"readOnlyHint"`
		DestructiveHint *bool  `json:"destructiveHint"`
		IdempotentHint  *bool  `json:"idempotentHint"`
		OpenWorldHint   *bool  `json:"openWorldHint"`
	} `json:"annotations"`
}

// wireTools decodes a tools/list result from its raw JSON, or, when the
// SDK answered from its own cache and there is none, from the SDK's
// decoding.
func wireTools(res *gomcp.ListToolsResult, raw []byte) ([]wireTool, error) {
	if raw == nil {
		var err error
		if raw, err = json.Marshal(res); err != nil {
			return nil, err
		}
	}
	var page struct {
		Tools []wireTool `json:"tools"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, err
	}
	return page.Tools, nil
}

func (w wireTool) tool() (Tool, error) {
	t := Tool{Name: w.Name, Title: w.Title, Description: w.Description, Destructive: true, OpenWorld: true}
	if w.Name == "" {
		return Tool{}, errors.New("no name")
	}
	switch {
	case isNull(w.InputSchema):
		t.InputSchema = json.RawMessage(`{"type":"object"}`)
	case !isObject(w.InputSchema):
		return Tool{}, errors.New("the input schema is not a JSON object")
	default:
		t.InputSchema = w.InputSchema
	}
	if !isNull(w.OutputSchema) {
		if !isObject(w.OutputSchema) {
			return Tool{}, errors.New("the output schema is not a JSON object")
		}
		t.OutputSchema = w.OutputSchema
	}
	if a := w.Annotations; a != nil {
		if t.Title == "" {
			t.Title = a.Title
		}
		t.ReadOnly = a.ReadOnlyHint != nil && *a.ReadOnlyHint
		t.Destructive = a.DestructiveHint == nil || *a.DestructiveHint
		t.Idempotent = a.IdempotentHint != nil && *a.IdempotentHint
		t.OpenWorld = a.OpenWorldHint == nil || *a.OpenWorldHint
	}
	// destructiveHint is meaningful only when readOnlyHint is false.
	t.Destructive = t.Destructive && !t.ReadOnly
	return t, nil
}

// resultOf builds a Result from a tools/call result's raw JSON, or from
// the SDK's decoding when there is none.
func resultOf(res *gomcp.CallToolResult, raw []byte) (Result, error) {
	var w struct {
		Content           json.RawMessage `json:"content"`
		StructuredContent json.RawMessage `json:"structuredContent"`
		IsError           bool            `json:"isError"`
	}
	if raw == nil {
		var err error
		if raw, err = json.Marshal(res); err != nil {
			return Result{}, err
		}
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return Result{}, err
	}
	r := Result{IsError: w.IsError, Content: w.Content}
	if isNull(r.Content) {
		r.Content = json.RawMessage(`[]`)
	}
	if !isNull(w.StructuredContent) {
		r.Structured = w.StructuredContent
	}
	var texts []string
	for _, c := range res.Content {
		if t, ok := c.(*gomcp.TextContent); ok {
			texts = append(texts, t.Text)
		}
	}
	r.Text = strings.Join(texts, "\n")
	return r, nil
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

func isObject(raw json.RawMessage) bool {
	return strings.HasPrefix(strings.TrimSpace(string(raw)), "{")
}
