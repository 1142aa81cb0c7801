package execute

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// ProxyCall is a raw request to a toolkit's API with an account's
// credentials.
type ProxyCall struct {
	// SessionID and Toolkit pick the account as a session would, with
	// Account naming one in multi-account mode; ConnectedAccountID names it
	// directly.
	SessionID          string
	Toolkit            string
	Account            string
	ConnectedAccountID string
	// Endpoint is a path under the toolkit's base URL (or a URL on it).
	Endpoint   string
	Method     string
	Body       json.RawMessage
	Parameters []Parameter
}

// Parameter is a header or query parameter of a proxied request.
type Parameter struct {
	Name  string
	Type  string // "header" or "query"
	Value string
}

// ProxyResult is the upstream answer.
type ProxyResult struct {
	Status  int
	Data    any
	Headers map[string]string
	Error   string
	LogID   string
}

var proxyMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true}

// hopHeaders may not be set by a proxied request: they would override the
// credentials or confuse the transport.
var hopHeaders = map[string]bool{
	"Authorization": true, "Cookie": true, "Host": true, "Content-Length": true, "Connection": true,
	"Transfer-Encoding": true, "Proxy-Authorization": true, "X-Api-Key": true,
}

// proxyAllowed refuses a raw request where tool restrictions apply: a
// session whose tools or tags options limit the toolkit, or an auth config
// that allows only some tools. A proxied request can do what any tool
// does, so allowing it would undo the restriction.
func (s *Service) proxyAllowed(ctx context.Context, p store.Project, sessionID string, a store.Account, toolkit string) error {
	refuse := func(why string) error {
		return &problem.Error{Kind: problem.Forbidden, Code: authconfigs.CodeToolNotAllowed,
			Message: "a proxied request to " + toolkit + " is not allowed: " + why + ", and a raw request would get around that"}
	}
	if sessionID != "" {
		sess, err := s.Sessions.Get(ctx, p.ID, sessionID)
		if err != nil {
			return err
		}
		if sess.RestrictsToolkit(toolkit) {
			return refuse("session " + sess.ID + " limits the tools of " + toolkit)
		}
	}
	if a.ID == "" {
		return nil // a toolkit that needs no credentials has no auth config
	}
	ac, err := s.AuthConfigs.Get(ctx, p.ID, a.AuthConfigID)
	if err != nil {
		return fmt.Errorf("get auth config of %s: %w", a.ID, err)
	}
	if len(ac.ToolsForExecution) > 0 {
		return refuse("auth config " + ac.ID + " allows only some tools")
	}
	return nil
}

// noAuth reports whether the project's catalog has toolkit as one that
// needs no credentials.
func (s *Service) noAuth(ctx context.Context, projectID, toolkit string) bool {
	tk, ok := s.Catalog.For(ctx, projectID).Get(toolkit)
	return ok && tk.NoAuth()
}

// Proxy sends a raw request to the toolkit's API with the chosen account's
// credentials. The endpoint can never leave the toolkit's host.
func (s *Service) Proxy(ctx context.Context, p store.Project, c ProxyCall) (ProxyResult, error) {
	start := time.Now()
	// Log ids sort by time: the logs table grows at one end.
	logID := ids.NewOrdered("log_", start, 12)
	method := strings.ToUpper(c.Method)
	if method == "" {
		method = http.MethodGet
	}
	if !proxyMethods[method] {
		return ProxyResult{}, problem.Invalidf("invalid_request", "method", "method must be GET, POST, PUT, PATCH or DELETE, got %q", c.Method)
	}
	if c.Endpoint == "" {
		return ProxyResult{}, problem.Invalidf("invalid_request", "endpoint", "endpoint is required")
	}
	toolkit := c.Toolkit
	if c.SessionID == "" && c.ConnectedAccountID == "" && !s.noAuth(ctx, p.ID, toolkit) {
		return ProxyResult{}, problem.Invalidf("invalid_request", "connected_account_id", "connected_account_id is required")
	}
	if toolkit == "" && c.ConnectedAccountID != "" {
		a, err := s.Accounts.Get(ctx, p.ID, c.ConnectedAccountID)
		if err != nil {
			return ProxyResult{}, sessions.AccountNotFound("connected account %s not found", c.ConnectedAccountID)
		}
		toolkit = a.ToolkitSlug
	}
	tk, ok := s.Catalog.For(ctx, p.ID).Get(toolkit)
	if !ok {
		return ProxyResult{}, problem.Invalidf("toolkit_not_found", "toolkit_slug", "unknown toolkit %q", toolkit)
	}
	a, res, err := s.pick(ctx, p, Call{SessionID: c.SessionID, Account: c.Account, ConnectedAccountID: c.ConnectedAccountID}, nil, tk.Slug, logID)
	if err != nil {
		return ProxyResult{}, err
	}
	if res != nil {
		s.log(ctx, *res, "proxy:"+tk.Slug, start)
		s.recordProxy(ctx, p, c, method, tk.Slug, store.Account{}, *res, start)
		return ProxyResult{Error: res.Error, LogID: logID}, nil
	}
	if err := s.proxyAllowed(ctx, p, c.SessionID, a, tk.Slug); err != nil {
		return ProxyResult{}, err
	}
	if err := s.Limits.Take(ctx, p.ID, a.UserID, a.ID); err != nil {
		return ProxyResult{}, err
	}
	u := upstream{method: method, path: c.Endpoint, query: url.Values{}, header: http.Header{}}
	for _, prm := range c.Parameters {
		switch prm.Type {
		case "query":
			u.query.Add(prm.Name, prm.Value)
		case "header":
			name := http.CanonicalHeaderKey(prm.Name)
			if hopHeaders[name] {
				return ProxyResult{}, problem.Invalidf("invalid_request", "parameters", "header %s cannot be set on a proxied request", name)
			}
			u.header.Add(name, prm.Value)
		default:
			return ProxyResult{}, problem.Invalidf("invalid_request", "parameters", "parameter %s has type %q; use header or query", prm.Name, prm.Type)
		}
	}
	if len(c.Body) > 0 && string(c.Body) != "null" {
		u.body, u.contentType = c.Body, "application/json"
	}
	r := s.send(ctx, p, a, tk, u, logID)
	defer s.MemoryBudget().Give(r.held)
	out := ProxyResult{Status: r.Status, Error: r.Error, LogID: logID, Headers: map[string]string{}}
	for _, k := range []string{"Content-Type", "Retry-After", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", "Link"} {
		if v := r.header.Get(k); v != "" {
			out.Headers[strings.ToLower(k)] = v
		}
	}
	if len(r.raw) > 0 {
		var v any
		if json.Unmarshal(r.raw, &v) == nil {
			out.Data = v
		} else {
			out.Data = string(r.raw)
		}
	}
	res2 := Result{LogID: logID, AccountID: a.ID, Status: r.Status, Error: r.Error}
	s.log(ctx, res2, "proxy:"+tk.Slug, start)
	if r.Error == "" && len(r.raw) > 0 && json.Valid(r.raw) {
		res2.Data = r.raw
	}
	s.recordProxy(ctx, p, c, method, tk.Slug, a, res2, start)
	return out, nil
}

// recordProxy records a proxied request like a tool execution, under the
// tool slug proxy:TOOLKIT, with the method, endpoint, parameters and body
// as its arguments (header values are never kept: they may be
// credentials of the caller's own).
func (s *Service) recordProxy(ctx context.Context, p store.Project, c ProxyCall, method, toolkit string, a store.Account, r Result, start time.Time) {
	if s.Logs == nil {
		return
	}
	args := map[string]any{"method": method, "endpoint": c.Endpoint}
	var params []any
	for _, prm := range c.Parameters {
		v := prm.Value
		if prm.Type == "header" {
			v = "[NOT KEPT]"
		}
		params = append(params, map[string]any{"name": prm.Name, "type": prm.Type, "value": v})
	}
	if params != nil {
		args["parameters"] = params
	}
	if len(c.Body) > 0 && json.Valid(c.Body) {
		args["body"] = c.Body
	}
	s.record(ctx, p, Call{Tool: "proxy:" + toolkit, SessionID: c.SessionID}, toolkit, a, args, r, start)
}
