package sdk

import (
	"context"
	"fmt"
	"github.com/switchboard-dev/switchboard/wire"
	"net/http"
	"net/url"
)

// maxToolkitPages bounds ToolkitsService.List against a server whose
// cursors never end.
const maxToolkitPages = 100

// ToolkitsService reads the toolkit catalog.
type ToolkitsService struct{ c *Client }

// Toolkits returns the toolkits API.
func (c *Client) Toolkits() *ToolkitsService { return &ToolkitsService{c: c} }

// List returns every toolkit, following the pages of
// GET /api/v3.1/toolkits.
func (s *ToolkitsService) List(ctx context.Context) ([]wire.Toolkit, error) {
	var all []wire.Toolkit
	q := url.Values{}
	for range maxToolkitPages {
		var out wire.ListResponse[wire.Toolkit]
		if err := s.c.do(ctx, http.MethodGet, apiPath("toolkits"), q, nil, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Items...)
		if out.NextCursor == nil || *out.NextCursor == "" {
			return all, nil
		}
		q.Set("cursor", *out.NextCursor)
	}
	return nil, fmt.Errorf("sdk: list toolkits: more than %d pages", maxToolkitPages)
}

// Get retrieves a toolkit with its auth details: GET /api/v3.1/toolkits/{slug}.
func (s *ToolkitsService) Get(ctx context.Context, slug string) (*wire.Toolkit, error) {
	seg, err := segment("toolkit slug", slug)
	if err != nil {
		return nil, err
	}
	var out wire.Toolkit
	if err := s.c.do(ctx, http.MethodGet, apiPath("toolkits", seg), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
