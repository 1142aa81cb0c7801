package sdk

import (
	"context"
	"errors"
	"github.com/switchboard-dev/switchboard/wire"
	"net/http"
	"net/url"
)

// AuthConfigsService manages auth configs.
type AuthConfigsService struct{ c *Client }

// AuthConfigs returns the auth configs API.
func (c *Client) AuthConfigs() *AuthConfigsService { return &AuthConfigsService{c: c} }

// AuthConfigPage is one page of auth configs.
type AuthConfigPage = Page[wire.AuthConfig]

// ListAuthConfigsParams filters AuthConfigsService.List. Empty fields are
// not sent.
type ListAuthConfigsParams struct {
	ToolkitSlugs []string
	// ShowDisabled includes DISABLED auth configs.
	ShowDisabled bool
	Search       string
	Cursor       string
	Limit        int
}

// Create creates an auth config for toolkitSlug: POST /api/v3.1/auth_configs.
// A spec without Type uses use_composio_managed_auth, as the official SDKs do.
func (s *AuthConfigsService) Create(ctx context.Context, toolkitSlug string, spec wire.AuthConfigSpec) (*wire.AuthConfigCreateResponse, error) {
	if toolkitSlug == "" {
		return nil, errors.New("sdk: create auth config: toolkit slug is empty")
	}
	if spec.Type == "" {
		spec.Type = "use_composio_managed_auth"
	}
	var req wire.AuthConfigCreateRequest
	req.Toolkit.Slug = toolkitSlug
	req.AuthConfig = spec
	var out wire.AuthConfigCreateResponse
	if err := s.c.do(ctx, http.MethodPost, apiPath("auth_configs"), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get retrieves an auth config: GET /api/v3.1/auth_configs/{id}.
func (s *AuthConfigsService) Get(ctx context.Context, id string) (*wire.AuthConfig, error) {
	seg, err := segment("auth config id", id)
	if err != nil {
		return nil, err
	}
	var out wire.AuthConfig
	if err := s.c.do(ctx, http.MethodGet, apiPath("auth_configs", seg), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// List lists auth configs: GET /api/v3.1/auth_configs.
func (s *AuthConfigsService) List(ctx context.Context, p ListAuthConfigsParams) (*AuthConfigPage, error) {
	q := url.Values{}
	setList(q, "toolkit_slug", p.ToolkitSlugs)
	if p.ShowDisabled {
		q.Set("show_disabled", "true")
	}
	if p.Search != "" {
		q.Set("search", p.Search)
	}
	setCursor(q, p.Cursor)
	setLimit(q, p.Limit)
	var out wire.ListResponse[wire.AuthConfig]
	if err := s.c.do(ctx, http.MethodGet, apiPath("auth_configs"), q, nil, &out); err != nil {
		return nil, err
	}
	return pageOf(&out), nil
}

// Update changes an auth config: PATCH /api/v3.1/auth_configs/{id}.
func (s *AuthConfigsService) Update(ctx context.Context, id string, req wire.AuthConfigUpdateRequest) error {
	seg, err := segment("auth config id", id)
	if err != nil {
		return err
	}
	return s.c.do(ctx, http.MethodPatch, apiPath("auth_configs", seg), nil, req, nil)
}

// Delete deletes an auth config: DELETE /api/v3.1/auth_configs/{id}.
func (s *AuthConfigsService) Delete(ctx context.Context, id string) error {
	seg, err := segment("auth config id", id)
	if err != nil {
		return err
	}
	return s.c.do(ctx, http.MethodDelete, apiPath("auth_configs", seg), nil, nil, nil)
}

// Enable enables an auth config: PATCH /api/v3.1/auth_configs/{id}/ENABLED.
func (s *AuthConfigsService) Enable(ctx context.Context, id string) error {
	return s.setStatus(ctx, id, "ENABLED")
}

// Disable disables an auth config: PATCH /api/v3.1/auth_configs/{id}/DISABLED.
func (s *AuthConfigsService) Disable(ctx context.Context, id string) error {
	return s.setStatus(ctx, id, "DISABLED")
}

// setStatus sends the status in the path and no body, as the API expects.
func (s *AuthConfigsService) setStatus(ctx context.Context, id, status string) error {
	seg, err := segment("auth config id", id)
	if err != nil {
		return err
	}
	return s.c.do(ctx, http.MethodPatch, apiPath("auth_configs", seg, status), nil, nil, nil)
}
