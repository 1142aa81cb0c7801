package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/switchboard-dev/switchboard/internal/execute"
	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/wire"
)

func toolJSON(cat *toolkits.Catalog, t toolkits.Tool) wire.Tool {
	tk, _ := cat.Get(t.Toolkit)
	out := wire.Tool{
		Slug:              t.Slug,
		Name:              t.Name,
		Description:       t.Description,
		InputParameters:   t.InputSchema,
		OutputParameters:  t.OutputSchema,
		Tags:              slices.Clone(t.Tags),
		Toolkit:           wire.ToolToolkit{Slug: tk.Slug, Name: tk.Name, Logo: tk.Logo},
		Version:           t.Version,
		AvailableVersions: []string{t.Version},
		Scopes:            append([]string{}, t.Scopes...),
		NoAuth:            t.NoAuth,
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	return out
}

func (s *Server) listTools(w http.ResponseWriter, r *http.Request, p store.Project) error {
	n, err := limit(r, 20, 10000)
	if err != nil {
		return err
	}
	cat := s.Catalog.For(r.Context(), p.ID)
	tools := cat.FindTools(toolkits.ToolQuery{
		Search: r.URL.Query().Get("search"), Toolkits: csv(r, "toolkit_slug"), Slugs: csv(r, "tool_slugs"), Tags: csv(r, "tags"),
	})
	items := []wire.Tool{}
	for _, t := range tools {
		items = append(items, toolJSON(cat, t))
	}
	page, err := paginate(items, r.URL.Query().Get("cursor"), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) getTool(w http.ResponseWriter, r *http.Request, p store.Project) error {
	cat := s.Catalog.For(r.Context(), p.ID)
	t, ok := cat.Tool(r.PathValue("slug"))
	if !ok {
		return execute.ToolNotFound(r.PathValue("slug"))
	}
	writeJSON(w, http.StatusOK, toolJSON(cat, t))
	return nil
}

func errPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) executeTool(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.ToolExecuteRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.Execute.Execute(r.Context(), p, execute.Call{
		Tool: r.PathValue("slug"), Arguments: req.Arguments, UserID: req.UserID, ConnectedAccountID: req.ConnectedAccountID,
	})
	if err != nil {
		return err
	}
	limitHeaders(w, r)
	writeExecuted(w, wire.ToolExecuteResponse{Data: dataPlaceholder, Error: errPtr(res.Error), Successful: res.Error == "", LogID: res.LogID,
		ErrorDetails: metatools.ErrorDetails(res)}, res.Data)
	return nil
}

func (s *Server) proxy(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.ProxyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	return s.writeProxy(w, r, p, execute.ProxyCall{ConnectedAccountID: req.ConnectedAccountID, Toolkit: req.ToolkitSlug}, req)
}

func (s *Server) sessionProxy(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.ProxyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.ToolkitSlug == "" {
		return problem.Invalidf("toolkit_required", "toolkit_slug", "toolkit_slug is required")
	}
	return s.writeProxy(w, r, p, execute.ProxyCall{SessionID: r.PathValue("id"), Toolkit: req.ToolkitSlug, Account: req.Account}, req)
}

func (s *Server) writeProxy(w http.ResponseWriter, r *http.Request, p store.Project, c execute.ProxyCall, req wire.ProxyRequest) error {
	c.Endpoint, c.Method, c.Body = req.Endpoint, req.Method, req.Body
	for _, prm := range req.Parameters {
		c.Parameters = append(c.Parameters, execute.Parameter{Name: prm.Name, Type: prm.Type, Value: prm.Value})
	}
	res, err := s.Execute.Proxy(r.Context(), p, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.ProxyResponse{Status: res.Status, Data: res.Data, Headers: res.Headers, Error: errPtr(res.Error), LogID: res.LogID})
	return nil
}

func (s *Server) sessionExecute(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.SessionExecuteRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.ToolSlug == "" {
		return problem.Invalidf("invalid_request", "tool_slug", "tool_slug is required")
	}
	// Meta tools go through this same endpoint (the SDKs' session.execute).
	if metatools.IsMeta(req.ToolSlug) {
		return s.runMeta(w, r, p, req.ToolSlug, req.Arguments)
	}
	res, err := s.Execute.Execute(r.Context(), p, execute.Call{
		Tool: req.ToolSlug, Arguments: req.Arguments, SessionID: r.PathValue("id"), Account: req.Account,
	})
	if err != nil {
		return err
	}
	out := wire.SessionExecuteResponse{Data: dataPlaceholder, Error: errPtr(res.Error), LogID: res.LogID, ResultType: "completed",
		ErrorDetails: metatools.ErrorDetails(res)}
	if res.Error != "" {
		out.ResultType = "failed"
	}
	limitHeaders(w, r)
	writeExecuted(w, out, res.Data)
	return nil
}

func (s *Server) sessionExecuteMeta(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.SessionExecuteMetaRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Slug == "" {
		return problem.Invalidf("invalid_request", "slug", "slug is required")
	}
	return s.runMeta(w, r, p, req.Slug, req.Arguments)
}

// runMeta runs a meta tool in the request's session and answers as a
// session execute does: a tool that failed is HTTP 200 with error set.
func (s *Server) runMeta(w http.ResponseWriter, r *http.Request, p store.Project, slug string, args map[string]any) error {
	sess, err := s.Sessions.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return problem.Invalidf("invalid_request", "arguments", "arguments must be a JSON object")
	}
	// A wait for connections may outlast the server's write timeout, as
	// over MCP.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(metatools.MaxWait + time.Minute))
	res, err := s.Meta.Run(r.Context(), p, sess, slug, raw, nil)
	if err != nil {
		return err
	}
	data := res.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	out := wire.SessionExecuteResponse{Data: data, Error: errPtr(res.Error), LogID: res.LogID, ResultType: "completed"}
	if res.Error != "" {
		out.ResultType = "failed"
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) sessionTools(w http.ResponseWriter, r *http.Request, p store.Project) error {
	n, err := limit(r, 500, 1000)
	if err != nil {
		return err
	}
	sess, err := s.Sessions.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	tools, err := s.Sessions.Tools(r.Context(), sess)
	if err != nil {
		return err
	}
	cat := s.Catalog.For(r.Context(), p.ID)
	items := []wire.Tool{}
	for _, t := range tools {
		items = append(items, toolJSON(cat, t))
	}
	page, err := paginate(items, r.URL.Query().Get("cursor"), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) sessionSearch(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.SearchRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if len(req.Queries) == 0 {
		return problem.Invalidf("invalid_request", "queries", "queries must name at least one use case")
	}
	sess, err := s.Sessions.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	res, err := s.search(r.Context(), sess, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// search runs a session search, shaped as the Composio wire does.
func (s *Server) search(ctx context.Context, sess sessions.Session, req wire.SearchRequest) (wire.SearchResponse, error) {
	useCases := make([]string, len(req.Queries))
	for i, q := range req.Queries {
		useCases[i] = q.UseCase
	}
	out, _, err := s.Meta.Search(ctx, sess, useCases, req.Toolkits)
	return out, err
}
