package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// options are the session settings that shape its MCP server. They come
// from the session fields REST stores as given (search, execute, preload)
// and from manage_connections.
type options struct {
	search, multiExecute, manage, wait bool
	// preloadAll exposes every session tool directly; preload the listed ones.
	preloadAll bool
	preload    []string
}

func optionsOf(c sessions.Config) options {
	meta := metatools.Exposed(c)
	o := options{
		search:       slices.Contains(meta, metatools.SearchTools),
		multiExecute: slices.Contains(meta, metatools.MultiExecuteTool),
		manage:       slices.Contains(meta, metatools.ManageConnections),
		wait:         slices.Contains(meta, metatools.WaitForConnections),
	}
	var preload struct {
		Tools json.RawMessage `json:"tools"`
	}
	if json.Unmarshal(c.Passthrough["preload"], &preload) == nil {
		var all string
		if json.Unmarshal(preload.Tools, &all) == nil {
			o.preloadAll = strings.EqualFold(all, "all")
		} else {
			json.Unmarshal(preload.Tools, &o.preload)
		}
	}
	return o
}

// call is one request's view of its session: the tools' handlers run
// with the caller's project and the session as loaded for the request.
type call struct {
	s    *Server
	p    store.Project
	sess sessions.Session
}

// build makes the MCP server of a session for one request.
func (s *Server) build(ctx context.Context, p store.Project, sess sessions.Session) *gomcp.Server {
	o := optionsOf(sess.Config)
	version := s.Version
	if version == "" {
		version = "dev"
	}
	srv := gomcp.NewServer(&gomcp.Implementation{Name: "switchboard", Title: "Switchboard tool router", Version: version},
		&gomcp.ServerOptions{Instructions: instructions(sess, o), Logger: s.Logger})
	c := &call{s: s, p: p, sess: sess}
	if o.search {
		c.add(srv, searchTool, c.meta(metatools.SearchTools))
		c.add(srv, schemasTool, c.meta(metatools.GetToolSchemas))
	}
	if o.manage {
		c.add(srv, manageTool, c.meta(metatools.ManageConnections))
		c.add(srv, checkTool, c.meta(metatools.CheckAccount))
	}
	if o.wait {
		c.add(srv, waitTool, c.meta(metatools.WaitForConnections))
	}
	if o.multiExecute {
		c.add(srv, multiExecuteTool, c.meta(metatools.MultiExecuteTool))
	}
	c.addDirectTools(ctx, srv, o)
	return srv
}

// add registers a tool whose handler's panics become tool errors: the SDK
// runs handlers outside the HTTP handler, where a panic would end the
// process.
func (c *call) add(srv *gomcp.Server, t *gomcp.Tool, h gomcp.ToolHandler) {
	srv.AddTool(t, func(ctx context.Context, req *gomcp.CallToolRequest) (res *gomcp.CallToolResult, err error) {
		defer c.recoverAs(ctx, t.Name, func(msg string) { res, err = failure(msg, nil), nil })
		return h(ctx, req)
	})
}

// recoverAs, deferred, turns a panic into an internal error reported
// through set, and logs it. (The goroutines a meta tool starts recover
// their own panics in metatools.)
func (c *call) recoverAs(ctx context.Context, what string, set func(msg string)) {
	if v := recover(); v != nil {
		c.s.Logger.ErrorContext(ctx, "mcp tool panic", "tool", what, "session_id", c.sess.ID,
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		set(internalError)
	}
}

// internalError is what a tool says about a failure that is not the
// caller's; the log has the cause.
const internalError = metatools.InternalError

// meta is the handler of a meta tool: it runs the tool in the session
// through metatools, sending progress while it waits for connections, and
// renders its result.
func (c *call) meta(name string) gomcp.ToolHandler {
	return func(ctx context.Context, req *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
		waiting := func(total time.Duration) func() { return c.progress(ctx, req, total) }
		res, err := c.s.Meta.Run(ctx, c.p, c.sess, name, req.Params.Arguments, waiting)
		if err != nil {
			return failure(c.message(ctx, err), nil), nil
		}
		return render(res), nil
	}
}

// instructions tell the model how to work with the session.
func instructions(sess sessions.Session, o options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "These tools act for user %s through their connected accounts (Gmail, GitHub, Slack, ...). ", sess.UserID)
	if o.search {
		b.WriteString("Find the tools for a task with " + metatools.SearchTools + " (one query per distinct task); it also says which toolkits are connected. ")
	}
	if o.manage {
		b.WriteString("When a toolkit has no active connection, call " + metatools.ManageConnections + " and give the user the link it returns")
		if o.wait {
			b.WriteString(", then call " + metatools.WaitForConnections + " until they finish")
		}
		b.WriteString(". ")
	}
	if o.multiExecute {
		b.WriteString("Run tools with " + metatools.MultiExecuteTool + ", several independent calls at once. ")
	}
	if sess.Config.MultiAccount.Enabled {
		b.WriteString("Several accounts per toolkit may be connected: name one by id or alias in a call's account field to choose it.")
	}
	return strings.TrimSpace(b.String())
}

// render is a tool result: its data as structured content, and as text
// its summary followed by the same JSON, for clients that show the model
// only text. A failed result is a tool error.
func render(r metatools.Result) *gomcp.CallToolResult {
	return &gomcp.CallToolResult{
		Content:           []gomcp.Content{&gomcp.TextContent{Text: r.Summary}, &gomcp.TextContent{Text: string(r.Data)}},
		StructuredContent: r.Data,
		IsError:           r.Error != "",
	}
}

// result is a successful tool result: v as structured content, with a
// summary.
func result(summary string, v any) *gomcp.CallToolResult {
	return render(metatools.NewResult(summary, v))
}

// failure is a tool error result: the message, and v (when not nil) as
// structured content.
func failure(msg string, v any) *gomcp.CallToolResult {
	return render(metatools.Failure(msg, v))
}

// message is what a tool says about a domain error (metatools.Message).
func (c *call) message(ctx context.Context, err error) string {
	return metatools.Message(ctx, c.s.Logger, c.sess.ID, err)
}

func ptr[T any](v T) *T { return &v }
