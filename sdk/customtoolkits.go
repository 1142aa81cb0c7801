package sdk

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/switchboard-dev/switchboard/wire"
)

// CustomToolkitsService manages the project's own toolkits: files in the
// toolkit format (docs/toolkit-format.md), under /api/v3.1/custom_toolkits,
// a Switchboard route, and Composio's sync of an MCP toolkit. All need an
// admin key.
type CustomToolkitsService struct{ c *Client }

// CustomToolkits returns the custom toolkits API.
func (c *Client) CustomToolkits() *CustomToolkitsService { return &CustomToolkitsService{c: c} }

// Create adds a toolkit from its definition, a JSON toolkit file:
// POST /api/v3.1/custom_toolkits.
func (s *CustomToolkitsService) Create(ctx context.Context, definition json.RawMessage) (*wire.CustomToolkit, error) {
	var out wire.CustomToolkit
	if err := s.c.do(ctx, http.MethodPost, apiPath("custom_toolkits"), nil, definition, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Replace replaces toolkit slug with a new definition:
// PUT /api/v3.1/custom_toolkits/{slug}.
func (s *CustomToolkitsService) Replace(ctx context.Context, slug string, definition json.RawMessage) (*wire.CustomToolkit, error) {
	seg, err := segment("toolkit slug", slug)
	if err != nil {
		return nil, err
	}
	var out wire.CustomToolkit
	if err := s.c.do(ctx, http.MethodPut, apiPath("custom_toolkits", seg), nil, definition, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get retrieves a custom toolkit: GET /api/v3.1/custom_toolkits/{slug}.
// A toolkit that does not exist is an error for which IsNotFound is true.
func (s *CustomToolkitsService) Get(ctx context.Context, slug string) (*wire.CustomToolkit, error) {
	seg, err := segment("toolkit slug", slug)
	if err != nil {
		return nil, err
	}
	var out wire.CustomToolkit
	if err := s.c.do(ctx, http.MethodGet, apiPath("custom_toolkits", seg), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// List returns the project's custom toolkits: GET /api/v3.1/custom_toolkits.
func (s *CustomToolkitsService) List(ctx context.Context) ([]wire.CustomToolkit, error) {
	var out wire.CustomToolkitList
	if err := s.c.do(ctx, http.MethodGet, apiPath("custom_toolkits"), nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// Delete removes a custom toolkit, which is refused while accounts of it
// exist: DELETE /api/v3.1/custom_toolkits/{slug}.
func (s *CustomToolkitsService) Delete(ctx context.Context, slug string) error {
	seg, err := segment("toolkit slug", slug)
	if err != nil {
		return err
	}
	return s.c.do(ctx, http.MethodDelete, apiPath("custom_toolkits", seg), nil, nil, nil)
}

// Sync lists an MCP toolkit's tools on its server again, as connected
// account accountID ("" for a server that needs no auth), and stores
// them: POST /api/v3.1/custom/toolkits/sync.
func (s *CustomToolkitsService) Sync(ctx context.Context, slug, accountID string) (*wire.CustomToolkitSync, error) {
	var out wire.CustomToolkitSync
	req := wire.CustomToolkitSyncRequest{Slug: slug, ConnectedAccountID: accountID}
	if err := s.c.do(ctx, http.MethodPost, apiPath("custom", "toolkits", "sync"), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
