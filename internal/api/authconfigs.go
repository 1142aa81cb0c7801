package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/wire"
)

func (s *Server) createAuthConfig(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.AuthConfigCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Toolkit.Slug == "" {
		return problem.Invalidf("toolkit_required", "toolkit.slug", "toolkit.slug is required")
	}
	switch req.AuthConfig.Type {
	case "", "use_composio_managed_auth", "use_custom_auth":
	default:
		return problem.Invalidf("invalid_request", "auth_config.type", "auth_config.type must be use_custom_auth or use_composio_managed_auth, got %q", req.AuthConfig.Type)
	}
	if pc := req.AuthConfig.ProxyConfig; len(pc) > 0 && string(pc) != "null" {
		return problem.Invalidf("unsupported_field", "auth_config.proxy_config",
			"proxy_config is not supported: Switchboard sends upstream requests itself, through its egress rules").
			WithFix("Omit auth_config.proxy_config")
	}
	access, err := toolAccessOf(req.AuthConfig.ToolAccessConfig, "auth_config.tool_access_config")
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.AuthConfigCreate, TargetType: store.AuditAuthConfig, Snapshot: authConfigView})
	c, err := s.AuthConfigs.Create(ctx, p.ID, authconfigs.CreateInput{
		Toolkit:                req.Toolkit.Slug,
		Type:                   req.AuthConfig.Type,
		Name:                   req.AuthConfig.Name,
		AuthScheme:             req.AuthConfig.AuthScheme,
		Credentials:            req.AuthConfig.Credentials,
		IsEnabledForToolRouter: req.AuthConfig.IsEnabledForToolRouter,
		ToolAccess:             access,
		DuplicatePolicy:        req.AuthConfig.DuplicatePolicy,
	})
	if err != nil {
		return err
	}
	finish(audit.AuthConfig(c))
	writeJSON(w, http.StatusCreated, wire.AuthConfigCreateResponse{
		AuthConfig: wire.AuthConfigRef{ID: c.ID, AuthScheme: c.AuthScheme},
		Toolkit:    wire.ToolkitRef{Slug: c.ToolkitSlug},
	})
	return nil
}

func (s *Server) getAuthConfig(w http.ResponseWriter, r *http.Request, p store.Project) error {
	c, err := s.AuthConfigs.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeAuthConfig(w, r, c)
}

// writeAuthConfig answers with one auth config and its number of
// connected accounts.
func (s *Server) writeAuthConfig(w http.ResponseWriter, r *http.Request, c store.AuthConfig) error {
	n, err := s.AuthConfigs.Connections(r.Context(), c.ProjectID, c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.authConfigJSON(s.Catalog.For(r.Context(), c.ProjectID), c, n))
	return nil
}

func (s *Server) listAuthConfigs(w http.ResponseWriter, r *http.Request, p store.Project) error {
	n, err := limit(r, 20, 1000)
	if err != nil {
		return err
	}
	showDisabled, err := boolParam(r, "show_disabled")
	if err != nil {
		return err
	}
	managed, err := boolParam(r, "is_composio_managed")
	if err != nil {
		return err
	}
	f := store.AuthConfigFilter{
		ToolkitSlugs:    csv(r, "toolkit_slug"),
		IncludeDisabled: showDisabled != nil && *showDisabled,
		Search:          r.URL.Query().Get("search"),
		Cursor:          r.URL.Query().Get("cursor"),
		Limit:           n,
	}
	if managed != nil {
		f.Type = authconfigs.TypeCustom
		if *managed {
			f.Type = authconfigs.TypeDefault
		}
	}
	page, counts, err := s.AuthConfigs.List(r.Context(), p.ID, f)
	if err != nil {
		return badCursor(err)
	}
	cat := s.Catalog.For(r.Context(), p.ID)
	items := make([]wire.AuthConfig, 0, len(page.Items))
	for _, c := range page.Items {
		items = append(items, s.authConfigJSON(cat, c, counts[c.ID]))
	}
	writeJSON(w, http.StatusOK, listJSON(items, page.NextCursor, page.Total, n))
	return nil
}

func (s *Server) updateAuthConfig(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.AuthConfigUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	access, err := toolAccessOf(req.ToolAccessConfig, "tool_access_config")
	if err != nil {
		return err
	}
	in := authconfigs.UpdateInput{Name: req.Name, Credentials: req.Credentials, IsEnabledForToolRouter: req.IsEnabledForToolRouter,
		ToolAccess: access, DuplicatePolicy: req.DuplicatePolicy}
	if len(req.Scopes) > 0 && string(req.Scopes) != "null" {
		var one string
		var many []string
		switch {
		case json.Unmarshal(req.Scopes, &one) == nil:
		case json.Unmarshal(req.Scopes, &many) == nil:
			one = strings.Join(many, " ")
		default:
			return problem.Invalidf("invalid_json", "scopes", "scopes must be a string or an array of strings")
		}
		in.Scopes = &one
	}
	before, err := s.AuthConfigs.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.AuthConfigUpdate, TargetType: store.AuditAuthConfig, TargetID: before.ID,
		Before: audit.AuthConfig(before), Snapshot: authConfigView})
	c, err := s.AuthConfigs.Update(ctx, p.ID, before.ID, in)
	if err != nil {
		return err
	}
	finish(audit.AuthConfig(c))
	return s.writeAuthConfig(w, r, c)
}

func (s *Server) deleteAuthConfig(w http.ResponseWriter, r *http.Request, p store.Project) error {
	before, err := s.AuthConfigs.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.AuthConfigDelete, TargetType: store.AuditAuthConfig, TargetID: before.ID,
		Before: audit.AuthConfig(before)})
	if err := s.AuthConfigs.Delete(ctx, p.ID, before.ID); err != nil {
		return err
	}
	finish(nil)
	writeJSON(w, http.StatusOK, wire.Success{Success: true})
	return nil
}

func (s *Server) setAuthConfigStatus(w http.ResponseWriter, r *http.Request, p store.Project) error {
	before, err := s.AuthConfigs.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.AuthConfigStatus, TargetType: store.AuditAuthConfig, TargetID: before.ID,
		Before: audit.AuthConfig(before), Snapshot: authConfigView})
	c, err := s.AuthConfigs.SetStatus(ctx, p.ID, before.ID, r.PathValue("status"))
	if err != nil {
		return err
	}
	finish(audit.AuthConfig(c))
	writeJSON(w, http.StatusOK, wire.Success{Success: true})
	return nil
}

// authConfigJSON shows an auth config. Only non-secret settings appear in
// credentials; client_secret never does.
func (s *Server) authConfigJSON(cat *toolkits.Catalog, c store.AuthConfig, connections int) wire.AuthConfig {
	tk, _ := cat.Get(c.ToolkitSlug)
	creds := map[string]any{}
	for k, v := range c.Params {
		creds[k] = v
	}
	if (c.Secrets != nil || c.SealedSecrets != nil) && c.Type == authconfigs.TypeCustom {
		creds["client_secret"] = "[REDACTED]"
	}
	return wire.AuthConfig{
		ID:                     c.ID,
		UUID:                   c.ID,
		Name:                   c.Name,
		Type:                   c.Type,
		Status:                 c.Status,
		NoOfConnections:        connections,
		Toolkit:                wire.ToolkitRef{Slug: c.ToolkitSlug, Logo: tk.Logo},
		AuthScheme:             c.AuthScheme,
		IsComposioManaged:      false,
		IsEnabledForToolRouter: c.IsEnabledForToolRouter,
		Credentials:            creds,
		ExpectedInputFields:    []any{},
		CreatedBy:              "",
		CreatedAt:              c.CreatedAt,
		LastUpdatedAt:          c.UpdatedAt,
		ToolAccessConfig:       wire.ToolAccessConfig{ToolsAvailableForExecution: orNone(c.ToolsForExecution), ToolsForConnectedAccountCreation: []string{}},
		DuplicatePolicy:        accounts.Policy(c),
	}
}

func orNone(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// toolAccessOf decodes a tool_access_config; absent, null or {} is nil.
// Unknown keys are refused, so no setting is silently dropped.
func toolAccessOf(raw json.RawMessage, field string) (*authconfigs.ToolAccess, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var v struct {
		ToolsAvailableForExecution       *[]string `json:"tools_available_for_execution"`
		ToolsForConnectedAccountCreation []string  `json:"tools_for_connected_account_creation"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, problem.Invalidf("invalid_json", field,
			"%s must be an object with tools_available_for_execution and tools_for_connected_account_creation, lists of tool slugs: %v", field, err)
	}
	return &authconfigs.ToolAccess{ForExecution: v.ToolsAvailableForExecution, ForAccountCreation: v.ToolsForConnectedAccountCreation}, nil
}

// authConfigView is the audit snapshot of an auth config record.
var authConfigView = audit.View(audit.AuthConfig)
