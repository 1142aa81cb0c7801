package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/execute"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/sdk"
)

func (s *Server) toolJSON(t toolkits.Tool) sdk.Tool {
	tk, _ := s.Catalog.Get(t.Toolkit)
	out := sdk.Tool{
		Slug:              t.Slug,
		Name:              t.Name,
		Description:       t.Description,
		InputParameters:   orRaw(t.InputSchema, `{"type":"object","properties":{}}`),
		OutputParameters:  orRaw(t.OutputSchema, `{"type":"object","properties":{}}`),
		Tags:              slices.Clone(t.Tags),
		Toolkit:           sdk.ToolToolkit{Slug: tk.Slug, Name: tk.Name, Logo: tk.Logo},
		Version:           t.Version,
		AvailableVersions: []string{t.Version},
		Scopes:            []string{},
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	return out
}

func (s *Server) listTools(w http.ResponseWriter, r *http.Request, _ store.Project) error {
	n, err := limit(r, 20, 10000)
	if err != nil {
		return err
	}
	slugs := csv(r, "tool_slugs")
	tags := csv(r, "tags")
	var tools []toolkits.Tool
	if q := r.URL.Query().Get("search"); q != "" {
		for _, m := range s.Catalog.SearchTools(q, csv(r, "toolkit_slug"), 10000) {
			tools = append(tools, m.Tool)
		}
	} else {
		tools = s.Catalog.Tools(csv(r, "toolkit_slug")...)
	}
	items := []sdk.Tool{}
	for _, t := range tools {
		if len(slugs) > 0 && !slices.ContainsFunc(slugs, func(x string) bool { return strings.EqualFold(x, t.Slug) }) {
			continue
		}
		if len(tags) > 0 && !slices.ContainsFunc(tags, func(x string) bool { return slices.Contains(t.Tags, x) }) {
			continue
		}
		items = append(items, s.toolJSON(t))
	}
	page, err := paginate(items, r.URL.Query().Get("cursor"), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) getTool(w http.ResponseWriter, r *http.Request, _ store.Project) error {
	t, ok := s.Catalog.Tool(r.PathValue("slug"))
	if !ok {
		return execute.ToolNotFound(r.PathValue("slug"))
	}
	writeJSON(w, http.StatusOK, s.toolJSON(t))
	return nil
}

func errPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) executeTool(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req sdk.ToolExecuteRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.Execute.Execute(r.Context(), p, execute.Call{
		Tool: r.PathValue("slug"), Arguments: req.Arguments, UserID: req.UserID, ConnectedAccountID: req.ConnectedAccountID,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sdk.ToolExecuteResponse{Data: res.Data, Error: errPtr(res.Error), Successful: res.Error == "", LogID: res.LogID})
	return nil
}

func (s *Server) proxy(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req sdk.ProxyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	return s.writeProxy(w, r, p, execute.ProxyCall{ConnectedAccountID: req.ConnectedAccountID, Toolkit: req.ToolkitSlug}, req)
}

func (s *Server) sessionProxy(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req sdk.ProxyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.ToolkitSlug == "" {
		return problem.Invalidf("toolkit_required", "toolkit_slug", "toolkit_slug is required")
	}
	return s.writeProxy(w, r, p, execute.ProxyCall{SessionID: r.PathValue("id"), Toolkit: req.ToolkitSlug, Account: req.Account}, req)
}

func (s *Server) writeProxy(w http.ResponseWriter, r *http.Request, p store.Project, c execute.ProxyCall, req sdk.ProxyRequest) error {
	c.Endpoint, c.Method, c.Body = req.Endpoint, req.Method, req.Body
	for _, prm := range req.Parameters {
		c.Parameters = append(c.Parameters, execute.Parameter{Name: prm.Name, Type: prm.Type, Value: prm.Value})
	}
	res, err := s.Execute.Proxy(r.Context(), p, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sdk.ProxyResponse{Status: res.Status, Data: res.Data, Headers: res.Headers, Error: errPtr(res.Error), LogID: res.LogID})
	return nil
}

func (s *Server) sessionExecute(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req sdk.SessionExecuteRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.ToolSlug == "" {
		return problem.Invalidf("invalid_request", "tool_slug", "tool_slug is required")
	}
	res, err := s.Execute.Execute(r.Context(), p, execute.Call{
		Tool: req.ToolSlug, Arguments: req.Arguments, SessionID: r.PathValue("id"), Account: req.Account,
	})
	if err != nil {
		return err
	}
	out := sdk.SessionExecuteResponse{Data: res.Data, Error: errPtr(res.Error), LogID: res.LogID, ResultType: "completed"}
	if res.Error != "" {
		out.ResultType = "failed"
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// sessionToolList returns the tools a session exposes: those of its
// toolkits.
func (s *Server) sessionToolList(ctx context.Context, sess sessions.Session) []toolkits.Tool {
	var out []toolkits.Tool
	for _, t := range s.Catalog.Tools() {
		if sess.Config.Toolkits.Allows(t.Toolkit) {
			out = append(out, t)
		}
	}
	return out
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
	items := []sdk.Tool{}
	for _, t := range s.sessionToolList(r.Context(), sess) {
		items = append(items, s.toolJSON(t))
	}
	page, err := paginate(items, r.URL.Query().Get("cursor"), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) sessionSearch(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req sdk.SearchRequest
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

// search finds tools for each use case among the session's toolkits and
// reports each found toolkit's connection status.
func (s *Server) search(ctx context.Context, sess sessions.Session, req sdk.SearchRequest) (sdk.SearchResponse, error) {
	var allowed []string
	for _, tk := range s.Catalog.List() {
		if sess.Config.Toolkits.Allows(tk.Slug) && (len(req.Toolkits) == 0 || slices.Contains(req.Toolkits, tk.Slug)) {
			allowed = append(allowed, tk.Slug)
		}
	}
	now := time.Now().UTC()
	out := sdk.SearchResponse{
		Success:                   true,
		Results:                   []sdk.SearchResult{},
		ToolSchemas:               map[string]sdk.SearchToolSchema{},
		ToolkitConnectionStatuses: []sdk.ToolkitConnectionStatus{},
		NextStepsGuidance:         []string{},
		Session:                   sdk.SearchSession{ID: sess.ID, Instructions: "Execute a tool with COMPOSIO_MULTI_EXECUTE_TOOL or the session's execute endpoint; connect a toolkit first when it has no active connection."},
		TimeInfo:                  sdk.SearchTimeInfo{CurrentTimeUTC: now.Format(time.RFC3339), CurrentTimeUTCEpochSeconds: now.Unix(), Message: "The current time is " + now.Format(time.RFC1123)},
	}
	found := map[string]bool{}
	var order []string
	for i, q := range req.Queries {
		res := sdk.SearchResult{Index: i + 1, UseCase: q.UseCase, PrimaryToolSlugs: []string{}, RelatedToolSlugs: []string{}, Toolkits: []string{}}
		if len(allowed) > 0 {
			for j, m := range s.Catalog.SearchTools(q.UseCase, allowed, 8) {
				if j < 3 {
					res.PrimaryToolSlugs = append(res.PrimaryToolSlugs, m.Tool.Slug)
				} else {
					res.RelatedToolSlugs = append(res.RelatedToolSlugs, m.Tool.Slug)
				}
				if !slices.Contains(res.Toolkits, m.Tool.Toolkit) {
					res.Toolkits = append(res.Toolkits, m.Tool.Toolkit)
				}
				out.ToolSchemas[m.Tool.Slug] = sdk.SearchToolSchema{ToolSlug: m.Tool.Slug, Toolkit: m.Tool.Toolkit, Description: m.Tool.Description,
					HasFullSchema: true, InputSchema: orRaw(m.Tool.InputSchema, `{"type":"object"}`)}
				if !found[m.Tool.Toolkit] {
					found[m.Tool.Toolkit] = true
					order = append(order, m.Tool.Toolkit)
				}
			}
		}
		out.Results = append(out.Results, res)
	}
	for _, slug := range order {
		st, err := s.connectionStatus(ctx, sess, slug)
		if err != nil {
			return out, err
		}
		out.ToolkitConnectionStatuses = append(out.ToolkitConnectionStatuses, st)
		if !st.HasActiveConnection {
			out.NextStepsGuidance = append(out.NextStepsGuidance, "Connect "+slug+" with COMPOSIO_MANAGE_CONNECTIONS (or the session's link endpoint) before running its tools.")
		}
	}
	return out, nil
}

// connectionStatus describes a toolkit's accounts for an agent.
func (s *Server) connectionStatus(ctx context.Context, sess sessions.Session, slug string) (sdk.ToolkitConnectionStatus, error) {
	tk, _ := s.Catalog.Get(slug)
	act, err := s.Sessions.ActiveAccount(ctx, sess, slug)
	if err != nil {
		return sdk.ToolkitConnectionStatus{}, err
	}
	st := sdk.ToolkitConnectionStatus{Toolkit: slug, Description: tk.Description}
	switch {
	case act == nil:
		st.StatusMessage = "No connected account for " + sess.UserID
	case act.Status != store.StatusActive:
		st.StatusMessage = "The session's account " + act.ID + " is " + act.Status
	default:
		st.HasActiveConnection = true
		st.StatusMessage = "Connected as " + orText(act.Identity, act.ID)
	}
	page, err := s.Accounts.List(ctx, sess.ProjectID, store.AccountFilter{UserIDs: []string{sess.UserID}, ToolkitSlugs: []string{slug}, OrderBy: store.OrderConnectedAt, Limit: 20})
	if err != nil {
		return st, err
	}
	for _, a := range page.Items {
		st.Accounts = append(st.Accounts, sdk.SearchAccountInfo{ID: a.ID, Alias: optional(a.Alias), Identity: a.Identity, Status: a.Status, Active: act != nil && act.ID == a.ID})
	}
	return st, nil
}

func orText(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
