package sdk

import (
	"context"
	"github.com/switchboard-dev/switchboard/wire"
	"net/http"
)

// APIKeysService manages the API keys of the caller's project; it needs an
// admin key.
type APIKeysService struct{ c *Client }

// APIKeys returns the API keys API.
func (c *Client) APIKeys() *APIKeysService { return &APIKeysService{c: c} }

// Create makes an API key: POST /api/v3.1/api_keys. scope is "admin" or
// "runtime" (empty for admin). The answer's Key is the only time the key
// is shown.
func (s *APIKeysService) Create(ctx context.Context, name, scope string) (*wire.APIKey, error) {
	var out wire.APIKey
	if err := s.c.do(ctx, http.MethodPost, apiPath("api_keys"), nil, wire.APIKeyCreateRequest{Name: name, Scope: scope}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// List lists the project's keys, revoked ones included: GET /api/v3.1/api_keys.
func (s *APIKeysService) List(ctx context.Context) ([]wire.APIKey, error) {
	var out wire.APIKeyList
	if err := s.c.do(ctx, http.MethodGet, apiPath("api_keys"), nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// Revoke revokes a key for good: DELETE /api/v3.1/api_keys/{id}.
func (s *APIKeysService) Revoke(ctx context.Context, id string) error {
	seg, err := segment("API key id", id)
	if err != nil {
		return err
	}
	return s.c.do(ctx, http.MethodDelete, apiPath("api_keys", seg), nil, nil, nil)
}
