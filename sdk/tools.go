package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/switchboard-dev/switchboard/wire"
	"net/http"
	"net/url"
)

// ExecuteResult is the outcome of a tool call. A tool that ran into an
// error (bad arguments, no usable account, an upstream failure) is a result
// with Error set, not a Go error: the API answers such calls with HTTP 200.
type ExecuteResult struct {
	// Data is the tool's output, a JSON object; json.Unmarshal it into
	// the shape the tool documents in its output parameters.
	Data json.RawMessage
	// Error says why the tool failed; it is empty when it succeeded.
	Error string
	// LogID names the call in the server's log.
	LogID string
}

// Successful reports whether the tool ran without error.
func (r *ExecuteResult) Successful() bool { return r.Error == "" }

// errNoMessage stands in for the error of a call the server marked as
// failed without saying why, so that Successful stays false.
const errNoMessage = "the tool failed without an error message"

// resultOf converts an execute answer; failed is the server's own verdict.
func resultOf(data json.RawMessage, errMsg *string, logID string, failed bool) *ExecuteResult {
	r := &ExecuteResult{Data: data, LogID: logID}
	if errMsg != nil {
		r.Error = *errMsg
	}
	if failed && r.Error == "" {
		r.Error = errNoMessage
	}
	return r
}

// ExecuteOption configures Session.Execute.
type ExecuteOption func(*wire.SessionExecuteRequest)

// WithAccount runs the tool with the session user's account idOrAlias,
// a connected account id (ca_...) or an alias such as "work". A
// multi-account session needs it when it may use several accounts of the
// tool's toolkit; a single-account session accepts only its own account.
func WithAccount(idOrAlias string) ExecuteOption {
	return func(r *wire.SessionExecuteRequest) { r.Account = idOrAlias }
}

// Execute runs a tool, or a meta tool such as COMPOSIO_SEARCH_TOOLS, in the
// session with args: POST /api/v3.1/tool_router/session/{id}/execute. The
// session chooses the account: the one pinned for the tool's toolkit, else
// the user's most recently connected ACTIVE one; in a multi-account
// session, WithAccount picks one. A tool that fails is a result whose
// Error is set; the error return is for non-2xx answers (an *APIError, as
// for an unknown tool) and transport failures. Execute is never retried.
func (s *Session) Execute(ctx context.Context, toolSlug string, args map[string]any, opts ...ExecuteOption) (*ExecuteResult, error) {
	c, seg, err := s.bound()
	if err != nil {
		return nil, err
	}
	if toolSlug == "" {
		return nil, errors.New("sdk: execute: tool slug is empty")
	}
	if args == nil {
		args = map[string]any{}
	}
	req := wire.SessionExecuteRequest{ToolSlug: toolSlug, Arguments: args}
	for _, opt := range opts {
		opt(&req)
	}
	var out wire.SessionExecuteResponse
	if err := c.do(ctx, http.MethodPost, apiPath("tool_router", "session", seg, "execute"), nil, req, &out); err != nil {
		return nil, err
	}
	return resultOf(out.Data, out.Error, out.LogID, out.ResultType == "failed"), nil
}

// ToolsOption picks a page of Session.Tools.
type ToolsOption func(url.Values)

// ToolsCursor continues a tool listing at a page's NextCursor.
func ToolsCursor(cursor string) ToolsOption {
	return func(q url.Values) { setCursor(q, cursor) }
}

// ToolsLimit sets the page size of a tool listing; Switchboard's default is
// 500 and its maximum 1000.
func ToolsLimit(n int) ToolsOption {
	return func(q url.Values) { setLimit(q, n) }
}

// Tools lists the tools of the session's toolkits:
// GET /api/v3.1/tool_router/session/{id}/tools. It returns one page;
// pass its NextCursor to ToolsCursor for the next.
func (s *Session) Tools(ctx context.Context, opts ...ToolsOption) (*Page[wire.Tool], error) {
	q := url.Values{}
	for _, opt := range opts {
		opt(q)
	}
	return sessionPage[wire.Tool](ctx, s, "tools", q)
}

// Search finds the session's tools for each use case, such as
// "send an email", and reports whether their toolkits are connected:
// POST /api/v3.1/tool_router/session/{id}/search. Results[i] answers
// useCases[i].
func (s *Session) Search(ctx context.Context, useCases ...string) (*wire.SearchResponse, error) {
	c, seg, err := s.bound()
	if err != nil {
		return nil, err
	}
	if len(useCases) == 0 {
		return nil, errors.New("sdk: search: no use case given")
	}
	req := wire.SearchRequest{Queries: make([]wire.SearchQuery, len(useCases))}
	for i, u := range useCases {
		req.Queries[i] = wire.SearchQuery{UseCase: u}
	}
	var out wire.SearchResponse
	if err := c.do(ctx, http.MethodPost, apiPath("tool_router", "session", seg, "search"), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Proxy sends a raw request to toolkit's API with the credentials of the
// account the session uses for it:
// POST /api/v3.1/tool_router/session/{id}/proxy_execute. req.Endpoint is
// a path under the toolkit's base URL; req.ToolkitSlug is set to toolkit,
// and req.Account picks the account as WithAccount does. A session chooses
// its own account, so a req.ConnectedAccountID is refused. The upstream's
// answer, whatever its status, is in Status, Headers and Data. A request
// the server would not send on (no usable account, an endpoint off the
// toolkit's host, an unreachable upstream) is a response whose Error is
// set; the error return is for non-2xx answers of Switchboard itself and
// transport failures. Proxy is never retried.
func (s *Session) Proxy(ctx context.Context, toolkit string, req wire.ProxyRequest) (*wire.ProxyResponse, error) {
	c, seg, err := s.bound()
	if err != nil {
		return nil, err
	}
	if toolkit == "" {
		return nil, errors.New("sdk: proxy: toolkit is empty")
	}
	if req.ConnectedAccountID != "" {
		return nil, errors.New("sdk: proxy: a session chooses the account; name it with Account, not ConnectedAccountID")
	}
	req.ToolkitSlug = toolkit
	var out wire.ProxyResponse
	if err := c.do(ctx, http.MethodPost, apiPath("tool_router", "session", seg, "proxy_execute"), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ToolsService reads the tool catalog and runs tools outside a session.
type ToolsService struct{ c *Client }

// Tools returns the tools API.
func (c *Client) Tools() *ToolsService { return &ToolsService{c: c} }

// ListToolsParams filters ToolsService.List. Empty fields are not sent;
// the lists match any of their values.
type ListToolsParams struct {
	ToolkitSlugs []string
	ToolSlugs    []string
	Tags         []string
	// Search ranks tools by how well they match a use case.
	Search string
	Cursor string
	Limit  int
}

// List lists tools of the catalog: GET /api/v3.1/tools. It returns one
// page; set Cursor to its NextCursor for the next.
func (s *ToolsService) List(ctx context.Context, p ListToolsParams) (*Page[wire.Tool], error) {
	q := url.Values{}
	setList(q, "toolkit_slug", p.ToolkitSlugs)
	setList(q, "tool_slugs", p.ToolSlugs)
	setList(q, "tags", p.Tags)
	if p.Search != "" {
		q.Set("search", p.Search)
	}
	setCursor(q, p.Cursor)
	setLimit(q, p.Limit)
	var out wire.ListResponse[wire.Tool]
	if err := s.c.do(ctx, http.MethodGet, apiPath("tools"), q, nil, &out); err != nil {
		return nil, err
	}
	return pageOf(&out), nil
}

// Get retrieves a tool with its input and output schemas:
// GET /api/v3.1/tools/{slug}.
func (s *ToolsService) Get(ctx context.Context, slug string) (*wire.Tool, error) {
	seg, err := segment("tool slug", slug)
	if err != nil {
		return nil, err
	}
	var out wire.Tool
	if err := s.c.do(ctx, http.MethodGet, apiPath("tools", seg), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ToolExecuteOption chooses the account ToolsService.Execute uses.
type ToolExecuteOption func(*wire.ToolExecuteRequest)

// WithUserID runs the tool as userID, with their most recently connected
// ACTIVE account of the tool's toolkit.
func WithUserID(userID string) ToolExecuteOption {
	return func(r *wire.ToolExecuteRequest) { r.UserID = userID }
}

// WithConnectedAccountID runs the tool with the connected account id. Given
// with WithUserID, the account must also belong to that user.
func WithConnectedAccountID(id string) ToolExecuteOption {
	return func(r *wire.ToolExecuteRequest) { r.ConnectedAccountID = id }
}

// Execute runs a tool outside any session with args:
// POST /api/v3.1/tools/execute/{slug}. Name the account with
// WithConnectedAccountID or WithUserID; without either, the server answers
// 400. As with Session.Execute, a tool that fails is a result whose Error
// is set, while an unknown tool or account is an *APIError. Execute is
// never retried.
func (s *ToolsService) Execute(ctx context.Context, slug string, args map[string]any, opts ...ToolExecuteOption) (*ExecuteResult, error) {
	seg, err := segment("tool slug", slug)
	if err != nil {
		return nil, err
	}
	if slug == "proxy" {
		// POST /tools/execute/proxy is the proxy route, not a tool.
		return nil, errors.New(`sdk: execute: "proxy" is not a tool slug`)
	}
	if args == nil {
		args = map[string]any{}
	}
	req := wire.ToolExecuteRequest{Arguments: args}
	for _, opt := range opts {
		opt(&req)
	}
	var out wire.ToolExecuteResponse
	if err := s.c.do(ctx, http.MethodPost, apiPath("tools", "execute", seg), nil, req, &out); err != nil {
		return nil, err
	}
	return resultOf(out.Data, out.Error, out.LogID, !out.Successful), nil
}
