package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/wire"
)

// passthroughFields are session fields stored and echoed, not interpreted.
var passthroughFields = []string{"tools", "tags", "workbench", "preload", "search", "execute"}

// applySessionRequest copies the fields present in a create or update
// body onto a session configuration. present tells which keys the body
// had, so a PATCH changes only those; a null resets a field.
func applySessionRequest(c *sessions.Config, req wire.SessionCreateRequest, present map[string]json.RawMessage) {
	has := func(k string) bool { _, ok := present[k]; return ok }
	isNull := func(k string) bool { return string(present[k]) == "null" }
	if has("toolkits") {
		c.Toolkits = sessions.ToolkitFilter{}
		if req.Toolkits != nil {
			c.Toolkits = sessions.ToolkitFilter{Enabled: req.Toolkits.Enable, Disabled: req.Toolkits.Disable}
		}
	}
	if has("auth_configs") {
		c.AuthConfigs = req.AuthConfigs
	}
	if has("connected_accounts") {
		c.Pins = map[string][]string{}
		for tk, list := range req.ConnectedAccounts {
			c.Pins[tk] = []string(list)
		}
	}
	if has("manage_connections") {
		c.ManageConnections = sessions.ManageConnections{Enabled: true}
		if m := req.ManageConnections; m != nil && !isNull("manage_connections") {
			if m.Enable != nil {
				c.ManageConnections.Enabled = *m.Enable
			}
			c.ManageConnections.CallbackURL = m.CallbackURL
			c.ManageConnections.WaitForConnections = m.EnableWaitForConnections != nil && *m.EnableWaitForConnections
		}
	}
	if has("multi_account") {
		c.MultiAccount = sessions.MultiAccount{}
		if m := req.MultiAccount; m != nil {
			c.MultiAccount = sessions.MultiAccount{Enabled: m.Enable, MaxAccountsPerToolkit: m.MaxAccountsPerToolkit, RequireExplicitSelection: m.RequireExplicitSelection}
		}
	}
	for _, k := range passthroughFields {
		if !has(k) {
			continue
		}
		if c.Passthrough == nil {
			c.Passthrough = map[string]json.RawMessage{}
		}
		if isNull(k) {
			delete(c.Passthrough, k)
		} else {
			c.Passthrough[k] = present[k]
		}
	}
}

func decodeSessionRequest(r *http.Request) (wire.SessionCreateRequest, map[string]json.RawMessage, error) {
	raw, err := requestBody(r)
	if err != nil {
		return wire.SessionCreateRequest{}, nil, err
	}
	var present map[string]json.RawMessage
	if err := decodeJSON(raw, &present); err != nil {
		return wire.SessionCreateRequest{}, nil, err
	}
	if present == nil {
		return wire.SessionCreateRequest{}, nil, problem.Invalidf("invalid_json", "", "the request body must be a JSON object")
	}
	var req wire.SessionCreateRequest
	if len(present) == 0 {
		return req, present, nil // an empty body or {}
	}
	// The body is one checked JSON object: decode it again as the request.
	if err := json.Unmarshal(raw, &req); err != nil {
		var te *json.UnmarshalTypeError
		field := ""
		if ok := asTypeError(err, &te); ok {
			field = te.Field
		}
		return req, nil, problem.Invalidf("invalid_json", field, "invalid session request: %v", err).
			WithFix(`Send e.g. {"user_id":"user_123","connected_accounts":{"gmail":["ca_…"]}}`)
	}
	return req, present, nil
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request, p store.Project) error {
	req, present, err := decodeSessionRequest(r)
	if err != nil {
		return err
	}
	c := sessions.Config{ManageConnections: sessions.ManageConnections{Enabled: true}}
	applySessionRequest(&c, req, present)
	sess, err := s.Sessions.Create(r.Context(), p, req.UserID, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.sessionJSON(sess))
	return nil
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request, p store.Project) error {
	sess, err := s.Sessions.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.sessionJSON(sess))
	return nil
}

func (s *Server) updateSession(w http.ResponseWriter, r *http.Request, p store.Project) error {
	req, present, err := decodeSessionRequest(r)
	if err != nil {
		return err
	}
	var userID *string
	if _, ok := present["user_id"]; ok {
		userID = &req.UserID
	}
	sess, err := s.Sessions.Update(r.Context(), p.ID, r.PathValue("id"), userID, func(c *sessions.Config) {
		applySessionRequest(c, req, present)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.sessionJSON(sess))
	return nil
}

func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request, p store.Project) error {
	id := r.PathValue("id")
	if err := s.Sessions.Delete(r.Context(), p.ID, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.SessionDeleted{SessionID: id, Deleted: true})
	return nil
}

func (s *Server) sessionLink(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.SessionLinkRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	a, l, err := s.Sessions.Authorize(r.Context(), p, r.PathValue("id"), req.Toolkit, req.CallbackURL, req.Alias)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.linkJSON(a, l))
	return nil
}

func (s *Server) linkJSON(a store.Account, l store.Link) wire.LinkResponse {
	return wire.LinkResponse{
		ConnectedAccountID: a.ID,
		LinkToken:          l.Token,
		RedirectURL:        s.Accounts.LinkURL(l.Token),
		ExpiresAt:          l.ExpiresAt,
	}
}

func (s *Server) sessionToolkits(w http.ResponseWriter, r *http.Request, p store.Project) error {
	isConnected, err := boolParam(r, "is_connected")
	if err != nil {
		return err
	}
	n, err := limit(r, 50, 1000)
	if err != nil {
		return err
	}
	states, err := s.Sessions.Toolkits(r.Context(), p.ID, r.PathValue("id"), sessions.ToolkitsFilter{
		Toolkits:    csv(r, "toolkits"),
		IsConnected: isConnected,
		Search:      r.URL.Query().Get("search"),
	})
	if err != nil {
		return err
	}
	cat := s.Catalog.For(r.Context(), p.ID)
	items := make([]wire.SessionToolkit, 0, len(states))
	for _, st := range states {
		items = append(items, s.sessionToolkitJSON(r.Context(), cat, st))
	}
	page, err := paginate(items, r.URL.Query().Get("cursor"), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) sessionToolkitJSON(ctx context.Context, cat *toolkits.Catalog, st sessions.ToolkitState) wire.SessionToolkit {
	tk, _ := cat.Get(st.Slug)
	item := wire.SessionToolkit{
		Slug:                       tk.Slug,
		Name:                       tk.Name,
		Enabled:                    true,
		ComposioManagedAuthSchemes: []string{},
		Meta:                       wire.ToolkitMetaBrief{Description: tk.Description, Logo: tk.Logo},
		IsNoAuth:                   st.NoAuth,
	}
	if a := st.Account; a != nil {
		item.ConnectedAccount = &wire.SessionToolkitAccount{
			ID:        a.ID,
			Status:    a.Status,
			UserID:    a.UserID,
			Alias:     optional(a.Alias),
			CreatedAt: a.CreatedAt,
			AuthConfig: wire.AuthConfigRef{
				ID:         a.AuthConfigID,
				AuthScheme: s.authScheme(ctx, a.ProjectID, a.AuthConfigID),
			},
			Identity:  a.Identity,
			IsDefault: a.IsDefault,
		}
	}
	return item
}

func (s *Server) sessionJSON(sess sessions.Session) wire.Session {
	c := sess.Config
	out := wire.Session{
		SessionID:       sess.ID,
		MCP:             wire.SessionMCP{Type: "http", URL: s.PublicURL + "/tool_router/v3/" + sess.ID + "/mcp"},
		ToolRouterTools: metatools.Exposed(c),
		ConfigVersion:   sess.ConfigVersion,
		Warnings:        []wire.Warning{},
		Config: wire.SessionConfig{
			UserID:            sess.UserID,
			AuthConfigs:       orEmpty(c.AuthConfigs),
			ConnectedAccounts: map[string][]string{},
			ManageConnections: wire.ManageConnectionsConfig{
				Enabled:                  c.ManageConnections.Enabled,
				CallbackURL:              c.ManageConnections.CallbackURL,
				EnableWaitForConnections: c.ManageConnections.WaitForConnections,
			},
			MultiAccount: wire.MultiAccount{
				Enable:                   c.MultiAccount.Enabled,
				MaxAccountsPerToolkit:    c.MultiAccount.MaxAccountsPerToolkit,
				RequireExplicitSelection: c.MultiAccount.RequireExplicitSelection,
			},
			Tools:     c.Passthrough["tools"],
			Tags:      c.Passthrough["tags"],
			Workbench: orRaw(c.Passthrough["workbench"], `{"enable":false}`),
			Preload:   orRaw(c.Passthrough["preload"], `{"tools":[]}`),
			Search:    orRaw(c.Passthrough["search"], `{"enable":true}`),
			Execute:   orRaw(c.Passthrough["execute"], `{"enable_multi_execute":true}`),
		},
	}
	if len(c.Toolkits.Enabled) > 0 || len(c.Toolkits.Disabled) > 0 {
		out.Config.Toolkits = &wire.EnabledDisabled{Enabled: c.Toolkits.Enabled, Disabled: c.Toolkits.Disabled}
	}
	for tk, pins := range c.Pins {
		out.Config.ConnectedAccounts[tk] = slices.Clone(pins)
	}
	return out
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func orRaw(v json.RawMessage, def string) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage(def)
	}
	return v
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
