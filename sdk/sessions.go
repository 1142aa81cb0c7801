package sdk

import (
	"context"
	"errors"
	"fmt"
	"github.com/switchboard-dev/switchboard/wire"
	"net/http"
	"net/url"
	"strconv"
)

// SessionOption configures a session in Client.Create and Session.Update.
type SessionOption func(*sessionSettings)

// sessionSettings collects the options given; nil means "not given".
type sessionSettings struct {
	toolkits          []string
	authConfigs       map[string]string
	connectedAccounts map[string]string
	manageConnections *wire.ManageConnectionsRequest
	multiAccount      *wire.MultiAccount
}

// WithConnectedAccounts pins one connected account per toolkit, as in
// {"gmail": "ca_work"}. The server checks that each account belongs to the
// session's user and toolkit, and answers 400 otherwise.
func WithConnectedAccounts(byToolkit map[string]string) SessionOption {
	return func(s *sessionSettings) { s.connectedAccounts = byToolkit }
}

// WithToolkits limits the session to the named toolkits.
func WithToolkits(slugs ...string) SessionOption {
	return func(s *sessionSettings) { s.toolkits = slugs }
}

// WithAuthConfigs chooses the auth config per toolkit, as in {"gmail": "ac_1"}.
func WithAuthConfigs(byToolkit map[string]string) SessionOption {
	return func(s *sessionSettings) { s.authConfigs = byToolkit }
}

// WithManageConnections turns the session's connection management tool on
// or off; callbackURL, if not empty, is where the end user lands after
// connecting. Create enables it when this option is not given, as the
// official SDKs do.
func WithManageConnections(enable bool, callbackURL string) SessionOption {
	return func(s *sessionSettings) {
		s.manageConnections = &wire.ManageConnectionsRequest{Enable: &enable, CallbackURL: callbackURL}
	}
}

// WithMultiAccount lets the session use several accounts per toolkit: a
// tool call names one with WithAccount, and otherwise gets the most
// recently connected one, unless requireExplicitSelection makes a call
// that could use several fail with the list of candidates. maxPerToolkit
// caps the candidates (0 means the server's default).
func WithMultiAccount(maxPerToolkit int, requireExplicitSelection bool) SessionOption {
	return func(s *sessionSettings) {
		s.multiAccount = &wire.MultiAccount{Enable: true, MaxAccountsPerToolkit: maxPerToolkit, RequireExplicitSelection: requireExplicitSelection}
	}
}

// sessionSettingsOf applies opts.
func sessionSettingsOf(opts []SessionOption) *sessionSettings {
	s := &sessionSettings{}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// pins converts pins to the wire form, which is always a list per toolkit.
func (s *sessionSettings) pins() map[string]wire.StringList {
	if s.connectedAccounts == nil {
		return nil
	}
	m := make(map[string]wire.StringList, len(s.connectedAccounts))
	for toolkit, id := range s.connectedAccounts {
		m[toolkit] = wire.StringList{id}
	}
	return m
}

// request is the settings given, in the wire form.
func (s *sessionSettings) request() wire.SessionUpdateRequest {
	return wire.SessionUpdateRequest{
		Toolkits:          s.enabled(),
		AuthConfigs:       s.authConfigs,
		ConnectedAccounts: s.pins(),
		ManageConnections: s.manageConnections,
		MultiAccount:      s.multiAccount,
	}
}

// enabled converts a toolkit list to the wire form.
func (s *sessionSettings) enabled() *wire.EnableDisable {
	if s.toolkits == nil {
		return nil
	}
	return &wire.EnableDisable{Enable: s.toolkits}
}

// Session is a Tool Router session bound to the client that made or
// fetched it, so that its methods can call the API.
type Session struct {
	wire.Session
	client *Client
}

// Create starts a Tool Router session for userID:
// POST /api/v3.1/tool_router/session.
func (c *Client) Create(ctx context.Context, userID string, opts ...SessionOption) (*Session, error) {
	if userID == "" {
		return nil, errors.New("sdk: create session: user id is empty")
	}
	req := wire.SessionCreateRequest{UserID: userID, SessionUpdateRequest: sessionSettingsOf(opts).request()}
	if req.ManageConnections == nil {
		enable := true
		req.ManageConnections = &wire.ManageConnectionsRequest{Enable: &enable}
	}
	var sess Session
	if err := c.do(ctx, http.MethodPost, apiPath("tool_router", "session"), nil, req, &sess); err != nil {
		return nil, err
	}
	sess.client = c
	return &sess, nil
}

// Session retrieves an existing session: GET /api/v3.1/tool_router/session/{id}.
func (c *Client) Session(ctx context.Context, id string) (*Session, error) {
	seg, err := segment("session id", id)
	if err != nil {
		return nil, err
	}
	var sess Session
	if err := c.do(ctx, http.MethodGet, apiPath("tool_router", "session", seg), nil, nil, &sess); err != nil {
		return nil, err
	}
	sess.client = c
	return &sess, nil
}

// ID returns the session's id (trs_...).
func (s *Session) ID() string { return s.SessionID }

// UserID returns the user the session acts for.
func (s *Session) UserID() string { return s.Config.UserID }

// MCPURL returns the session's Streamable HTTP MCP endpoint. MCP clients
// must send the API key as x-api-key.
func (s *Session) MCPURL() string { return s.MCP.URL }

// bound returns the session's client and escaped id.
func (s *Session) bound() (*Client, string, error) {
	if s.client == nil {
		return nil, "", errors.New("sdk: session was not returned by a Client")
	}
	seg, err := segment("session id", s.SessionID)
	return s.client, seg, err
}

// Update changes the session's configuration, sending only the options
// given: PATCH /api/v3.1/tool_router/session/{id}. On success s holds the
// new configuration. Update is not safe to call concurrently with other
// uses of s.
func (s *Session) Update(ctx context.Context, opts ...SessionOption) error {
	c, seg, err := s.bound()
	if err != nil {
		return err
	}
	o := sessionSettingsOf(opts)
	req := o.request()
	var sess Session
	if err := c.do(ctx, http.MethodPatch, apiPath("tool_router", "session", seg), nil, req, &sess); err != nil {
		return err
	}
	sess.client = c
	*s = sess
	return nil
}

// Delete ends the session: DELETE /api/v3.1/tool_router/session/{id}.
func (s *Session) Delete(ctx context.Context) error {
	c, seg, err := s.bound()
	if err != nil {
		return err
	}
	var out wire.SessionDeleted
	if err := c.do(ctx, http.MethodDelete, apiPath("tool_router", "session", seg), nil, nil, &out); err != nil {
		return err
	}
	if !out.Deleted {
		return fmt.Errorf("sdk: delete session %s: server did not confirm the deletion", s.SessionID)
	}
	return nil
}

// AuthorizeOption configures Session.Authorize and ConnectedAccountsService.Link.
type AuthorizeOption func(*authorizeSettings)

type authorizeSettings struct {
	callbackURL string
	alias       string
}

// WithCallbackURL is where the end user is sent after the flow; it must be
// on the project's allowlist.
func WithCallbackURL(u string) AuthorizeOption {
	return func(a *authorizeSettings) { a.callbackURL = u }
}

// WithAlias names the new account, unique per user and toolkit, such as
// "work" or "personal".
func WithAlias(alias string) AuthorizeOption {
	return func(a *authorizeSettings) { a.alias = alias }
}

func authorizeSettingsOf(opts []AuthorizeOption) *authorizeSettings {
	a := &authorizeSettings{}
	for _, opt := range opts {
		opt(a)
	}
	return a
}

// Authorize starts connecting a new account of the session's user to
// toolkit: POST /api/v3.1/tool_router/session/{id}/link. Every call creates
// a new connected account, even if one is already ACTIVE. Send the end user
// to the returned RedirectURL, then call WaitForConnection.
func (s *Session) Authorize(ctx context.Context, toolkit string, opts ...AuthorizeOption) (*ConnectionRequest, error) {
	c, seg, err := s.bound()
	if err != nil {
		return nil, err
	}
	if toolkit == "" {
		return nil, errors.New("sdk: authorize: toolkit is empty")
	}
	a := authorizeSettingsOf(opts)
	req := wire.SessionLinkRequest{Toolkit: toolkit, CallbackURL: a.callbackURL, Alias: a.alias}
	var out wire.LinkResponse
	if err := c.do(ctx, http.MethodPost, apiPath("tool_router", "session", seg, "link"), nil, req, &out); err != nil {
		return nil, err
	}
	return c.connectionRequest(&out), nil
}

// ToolkitsOption narrows Session.Toolkits.
type ToolkitsOption func(url.Values)

// FilterToolkits lists only the named toolkits, overriding the session's
// own toolkit filter.
func FilterToolkits(slugs ...string) ToolkitsOption {
	return func(q url.Values) { setList(q, "toolkits", slugs) }
}

// FilterConnected lists only toolkits that have (true) or lack (false) an
// active connected account.
func FilterConnected(connected bool) ToolkitsOption {
	return func(q url.Values) { q.Set("is_connected", strconv.FormatBool(connected)) }
}

// Cursor continues a listing at a page's NextCursor.
func Cursor(cursor string) ToolkitsOption {
	return func(q url.Values) { setCursor(q, cursor) }
}

// Limit sets the page size.
func Limit(n int) ToolkitsOption {
	return func(q url.Values) { setLimit(q, n) }
}

// Toolkits lists the session's toolkits, each with the connected account
// the session uses for it (nil when there is none):
// GET /api/v3.1/tool_router/session/{id}/toolkits. It returns one page.
func (s *Session) Toolkits(ctx context.Context, opts ...ToolkitsOption) (*Page[wire.SessionToolkit], error) {
	q := url.Values{}
	for _, opt := range opts {
		opt(q)
	}
	return sessionPage[wire.SessionToolkit](ctx, s, "toolkits", q)
}

// sessionPage gets one page of a session's toolkits or tools.
func sessionPage[T any](ctx context.Context, s *Session, what string, q url.Values) (*Page[T], error) {
	c, seg, err := s.bound()
	if err != nil {
		return nil, err
	}
	var out wire.ListResponse[T]
	if err := c.do(ctx, http.MethodGet, apiPath("tool_router", "session", seg, what), q, nil, &out); err != nil {
		return nil, err
	}
	return pageOf(&out), nil
}
