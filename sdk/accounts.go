package sdk

import (
	"context"
	"errors"
	"fmt"
	"github.com/switchboard-dev/switchboard/wire"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Connected account statuses.
const (
	StatusInitializing = "INITIALIZING"
	StatusInitiated    = "INITIATED"
	StatusActive       = "ACTIVE"
	StatusFailed       = "FAILED"
	StatusExpired      = "EXPIRED"
	StatusInactive     = "INACTIVE"
	StatusRevoked      = "REVOKED"
)

// maxWaitSeconds is the longest wait_seconds Switchboard honours.
const maxWaitSeconds = 30

// ConnectedAccountsService manages connected accounts.
type ConnectedAccountsService struct{ c *Client }

// ConnectedAccounts returns the connected accounts API.
func (c *Client) ConnectedAccounts() *ConnectedAccountsService {
	return &ConnectedAccountsService{c: c}
}

// AccountPage is one page of connected accounts.
type AccountPage = Page[wire.ConnectedAccount]

// ListAccountsParams filters ConnectedAccountsService.List. Empty fields
// are not sent; the lists match any of their values.
type ListAccountsParams struct {
	UserIDs       []string
	ToolkitSlugs  []string
	AuthConfigIDs []string
	Statuses      []string
	IDs           []string
	// OrderBy is created_at or updated_at; OrderDirection asc or desc.
	OrderBy        string
	OrderDirection string
	Cursor         string
	Limit          int
}

// List lists connected accounts: GET /api/v3.1/connected_accounts.
func (s *ConnectedAccountsService) List(ctx context.Context, p ListAccountsParams) (*AccountPage, error) {
	q := url.Values{}
	setList(q, "user_ids", p.UserIDs)
	setList(q, "toolkit_slugs", p.ToolkitSlugs)
	setList(q, "auth_config_ids", p.AuthConfigIDs)
	setList(q, "statuses", p.Statuses)
	setList(q, "connected_account_ids", p.IDs)
	if p.OrderBy != "" {
		q.Set("order_by", p.OrderBy)
	}
	if p.OrderDirection != "" {
		q.Set("order_direction", p.OrderDirection)
	}
	setCursor(q, p.Cursor)
	setLimit(q, p.Limit)
	var out wire.ListResponse[wire.ConnectedAccount]
	if err := s.c.do(ctx, http.MethodGet, apiPath("connected_accounts"), q, nil, &out); err != nil {
		return nil, err
	}
	return pageOf(&out), nil
}

// Get retrieves one connected account: GET /api/v3.1/connected_accounts/{id}.
func (s *ConnectedAccountsService) Get(ctx context.Context, id string) (*wire.ConnectedAccount, error) {
	return s.get(ctx, id, nil)
}

func (s *ConnectedAccountsService) get(ctx context.Context, id string, q url.Values) (*wire.ConnectedAccount, error) {
	seg, err := segment("connected account id", id)
	if err != nil {
		return nil, err
	}
	var out wire.ConnectedAccount
	if err := s.c.do(ctx, http.MethodGet, apiPath("connected_accounts", seg), q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Update changes an account's alias or experimental settings:
// PATCH /api/v3.1/connected_accounts/{id}.
func (s *ConnectedAccountsService) Update(ctx context.Context, id string, req wire.ConnectedAccountUpdateRequest) (*wire.ConnectedAccountUpdateResponse, error) {
	seg, err := segment("connected account id", id)
	if err != nil {
		return nil, err
	}
	var out wire.ConnectedAccountUpdateResponse
	if err := s.c.do(ctx, http.MethodPatch, apiPath("connected_accounts", seg), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes an account and its credentials for good:
// DELETE /api/v3.1/connected_accounts/{id}.
func (s *ConnectedAccountsService) Delete(ctx context.Context, id string) error {
	seg, err := segment("connected account id", id)
	if err != nil {
		return err
	}
	return s.c.do(ctx, http.MethodDelete, apiPath("connected_accounts", seg), nil, nil, nil)
}

// Enable makes an INACTIVE account ACTIVE again:
// PATCH /api/v3.1/connected_accounts/{id}/status.
func (s *ConnectedAccountsService) Enable(ctx context.Context, id string) error {
	return s.setEnabled(ctx, id, true)
}

// Disable makes an account INACTIVE, so no session uses it:
// PATCH /api/v3.1/connected_accounts/{id}/status.
func (s *ConnectedAccountsService) Disable(ctx context.Context, id string) error {
	return s.setEnabled(ctx, id, false)
}

func (s *ConnectedAccountsService) setEnabled(ctx context.Context, id string, enabled bool) error {
	seg, err := segment("connected account id", id)
	if err != nil {
		return err
	}
	return s.c.do(ctx, http.MethodPatch, apiPath("connected_accounts", seg, "status"), nil, wire.StatusRequest{Enabled: &enabled}, nil)
}

// SetDefault makes an ACTIVE account (on true) its user's chosen default
// for its toolkit, which sessions use wherever nothing pins or names an
// account, or stops it being the default (on false):
// PATCH /api/v3.1/connected_accounts/{id}/default, a Switchboard route.
func (s *ConnectedAccountsService) SetDefault(ctx context.Context, id string, on bool) (*wire.ConnectedAccount, error) {
	seg, err := segment("connected account id", id)
	if err != nil {
		return nil, err
	}
	var out wire.ConnectedAccount
	if err := s.c.do(ctx, http.MethodPatch, apiPath("connected_accounts", seg, "default"), nil, wire.ConnectedAccountDefaultRequest{IsDefault: &on}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Link starts connecting a new account of userID through authConfigID:
// POST /api/v3.1/connected_accounts/link. Unlike the official SDKs it does
// not first check for an existing ACTIVE account: users may have several.
func (s *ConnectedAccountsService) Link(ctx context.Context, userID, authConfigID string, opts ...AuthorizeOption) (*ConnectionRequest, error) {
	if userID == "" || authConfigID == "" {
		return nil, errors.New("sdk: link: user id and auth config id are required")
	}
	a := authorizeSettingsOf(opts)
	req := wire.ConnectedAccountLinkRequest{
		AuthConfigID: authConfigID,
		UserID:       userID,
		CallbackURL:  a.callbackURL,
		Alias:        a.alias,
	}
	var out wire.LinkResponse
	if err := s.c.do(ctx, http.MethodPost, apiPath("connected_accounts", "link"), nil, req, &out); err != nil {
		return nil, err
	}
	return s.c.connectionRequest(&out), nil
}

// Refresh refreshes an account's credentials now:
// POST /api/v3.1/connected_accounts/{id}/refresh.
func (s *ConnectedAccountsService) Refresh(ctx context.Context, id string) (*wire.RefreshResponse, error) {
	seg, err := segment("connected account id", id)
	if err != nil {
		return nil, err
	}
	var out wire.RefreshResponse
	if err := s.c.do(ctx, http.MethodPost, apiPath("connected_accounts", seg, "refresh"), nil, struct{}{}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ConnectionRequest is a started connection: the end user opens
// RedirectURL and completes the flow, and the account ID turns ACTIVE.
type ConnectionRequest struct {
	// ID is the new connected account's id.
	ID          string
	RedirectURL string
	LinkToken   string
	// ExpiresAt is when the link stops working; zero if not reported.
	ExpiresAt time.Time

	client *Client
}

func (c *Client) connectionRequest(r *wire.LinkResponse) *ConnectionRequest {
	return &ConnectionRequest{
		ID:          r.ConnectedAccountID,
		RedirectURL: r.RedirectURL,
		LinkToken:   r.LinkToken,
		ExpiresAt:   r.ExpiresAt,
		client:      c,
	}
}

// WaitForConnection waits until the end user completes the flow; see
// ConnectedAccountsService.WaitForConnection.
func (r *ConnectionRequest) WaitForConnection(ctx context.Context) (*wire.ConnectedAccount, error) {
	if r.client == nil {
		return nil, errors.New("sdk: connection request was not returned by a Client")
	}
	return r.client.ConnectedAccounts().WaitForConnection(ctx, r.ID)
}

// WaitForConnection waits until the account id is ACTIVE and returns it.
// If the account reaches FAILED, EXPIRED, REVOKED or INACTIVE instead, it
// returns a *ConnectionFailedError. It waits as long as ctx allows, so give
// ctx a deadline (links expire after 10 minutes by default).
//
// It uses Switchboard's long-poll: GET /api/v3.1/connected_accounts/{id}
// with wait_seconds, which the server answers as soon as the status leaves
// INITIATED/INITIALIZING, or after that many seconds. Against a server that
// answers at once, it polls once a second.
func (s *ConnectedAccountsService) WaitForConnection(ctx context.Context, id string) (*wire.ConnectedAccount, error) {
	c := s.c
	for {
		wait := c.waitSeconds(ctx)
		start := time.Now()
		acc, err := s.get(ctx, id, url.Values{"wait_seconds": {strconv.Itoa(wait)}})
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("sdk: wait for connected account %s: %w", id, ctx.Err())
			}
			return nil, err
		}
		switch acc.Status {
		case StatusActive:
			return acc, nil
		case StatusFailed, StatusExpired, StatusRevoked, StatusInactive:
			e := &ConnectionFailedError{AccountID: acc.ID, Status: acc.Status}
			if e.AccountID == "" {
				e.AccountID = id
			}
			if acc.StatusReason != nil {
				e.Reason = *acc.StatusReason
			}
			return nil, e
		}
		// Still pending. A server that held the request for the whole
		// wait has already spaced the polls; one that answered early
		// ignores wait_seconds, so pause before asking again.
		if wait == 0 || time.Since(start) < time.Duration(wait)*time.Second {
			if err := c.sleep(ctx, c.pollInterval); err != nil {
				return nil, fmt.Errorf("sdk: wait for connected account %s: %w", id, err)
			}
		}
	}
}

// waitSeconds picks wait_seconds: the server's maximum, shortened so the
// answer arrives before ctx's deadline and the HTTP client's timeout.
func (c *Client) waitSeconds(ctx context.Context) int {
	limit := maxWaitSeconds * time.Second
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(dl))
	}
	if t := c.httpClient.Timeout; t > 0 {
		limit = min(limit, t/2)
	}
	return max(0, int(limit/time.Second))
}
