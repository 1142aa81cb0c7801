package accounts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/switchboard-dev/switchboard/internal/metrics"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/projects"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// Service manages connected accounts.
type Service struct {
	Store       store.Store
	AuthConfigs *authconfigs.Service
	Catalog     toolkits.Catalogs
	// Egress makes the calls to providers (token exchange, refresh,
	// identity); nil reaches public https hosts only.
	Egress *egress.Clients
	Now    func() time.Time
	// PublicURL is the server's public base URL, without a trailing slash.
	PublicURL string
	// LinkTTL is how long a link stays usable.
	LinkTTL time.Duration
	Logger  *slog.Logger
	// Metrics counts token refreshes; nil counts nothing.
	Metrics *metrics.Metrics

	flight          singleflight.Group
	tokens          parsedCache[oauth.Token]
	fields          parsedCache[map[string]string]
	refreshFailures failureCounts

	hubOnce sync.Once
	hub     *hub
}

// Reasons recorded with status transitions.
const (
	ReasonAwaiting = "Waiting for the user to complete the connection"
	ReasonDisabled = "Disabled through the API"
	ReasonEnabled  = "Enabled through the API"
)

// CallbackPath is the OAuth redirect URI path, the one Composio users
// already register with their OAuth apps.
const CallbackPath = "/api/v3/toolkits/auth/callback"

// RedirectURI is the OAuth callback URL of this server.
func (s *Service) RedirectURI() string { return s.PublicURL + CallbackPath }

// LinkURL is the hosted page of a link.
func (s *Service) LinkURL(token string) string { return s.PublicURL + "/link/" + token }

func (s *Service) now() time.Time { return s.Now().UTC() }

// HashLinkToken is the key the store finds a link by: the lower-case hex
// SHA-256 of its token. The store never holds the token itself, so a copy
// of the database does not open anyone's links.
func HashLinkToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// LinkInput asks for a new connection.
type LinkInput struct {
	UserID string
	// AuthConfigID names the auth config; when empty, Toolkit picks the
	// project's enabled one for that toolkit.
	AuthConfigID string
	Toolkit      string
	CallbackURL  string
	Alias        string
	// SessionID is the session asking, if any.
	SessionID string
}

// Link creates an INITIATED account and a link the user opens to connect it.
func (s *Service) Link(ctx context.Context, p store.Project, in LinkInput) (store.Account, store.Link, error) {
	if strings.TrimSpace(in.UserID) == "" {
		return store.Account{}, store.Link{}, problem.Invalidf("user_id_required", "user_id", "user_id is required").
			WithFix("Pass your application's id for the end user as user_id")
	}
	if err := validAlias(in.Alias); err != nil {
		return store.Account{}, store.Link{}, err
	}
	if in.CallbackURL != "" && !projects.CallbackAllowed(p, in.CallbackURL) {
		return store.Account{}, store.Link{}, problem.Invalidf("callback_url_not_allowed", "callback_url",
			"callback_url %q is not in the project's callback URL allowlist", in.CallbackURL).
			WithFix("Add the URL's origin and path to the allowlist with `switchboard projects callback-urls`, or omit callback_url to show a success page")
	}
	var ac store.AuthConfig
	var err error
	if in.AuthConfigID != "" {
		ac, err = s.AuthConfigs.Get(ctx, p.ID, in.AuthConfigID)
		if err == nil && in.Toolkit != "" && ac.ToolkitSlug != in.Toolkit {
			err = problem.Invalidf("auth_config_toolkit_mismatch", "auth_config_id", "auth config %s is for %s, not %s", ac.ID, ac.ToolkitSlug, in.Toolkit)
		}
	} else {
		ac, err = s.AuthConfigs.ForToolkit(ctx, p.ID, in.Toolkit)
	}
	if err != nil {
		return store.Account{}, store.Link{}, err
	}
	if tk, ok := s.Catalog.For(ctx, p.ID).Get(ac.ToolkitSlug); ok && tk.NoAuth() {
		// An auth config made before its toolkit became NO_AUTH.
		return store.Account{}, store.Link{}, authconfigs.NoAuth(tk.Slug, "auth_config_id")
	}
	if ac.Status != store.AuthConfigEnabled {
		return store.Account{}, store.Link{}, problem.Invalidf("auth_config_disabled", "auth_config_id", "auth config %s is disabled", ac.ID).
			WithFix("Enable it with PATCH /api/v3.1/auth_configs/%s/ENABLED", ac.ID)
	}
	now := s.now()
	a := store.Account{
		ID:           ids.New(ids.Account, 12),
		ProjectID:    p.ID,
		UserID:       in.UserID,
		ToolkitSlug:  ac.ToolkitSlug,
		AuthConfigID: ac.ID,
		Status:       store.StatusInitiated,
		StatusReason: ReasonAwaiting,
		Alias:        in.Alias,
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	if err := s.Store.CreateAccount(ctx, a); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return store.Account{}, store.Link{}, aliasTaken(in.Alias, in.UserID, ac.ToolkitSlug)
		}
		return store.Account{}, store.Link{}, fmt.Errorf("create account: %w", err)
	}
	l, err := s.newLink(ctx, a, in.SessionID, in.CallbackURL)
	if err != nil {
		return store.Account{}, store.Link{}, err
	}
	return a, l, nil
}

func (s *Service) newLink(ctx context.Context, a store.Account, sessionID, callbackURL string) (store.Link, error) {
	now := s.now()
	token := ids.New(ids.Link, 24)
	l := store.Link{
		Token:       token,
		TokenHash:   HashLinkToken(token),
		ProjectID:   a.ProjectID,
		AccountID:   a.ID,
		SessionID:   sessionID,
		CallbackURL: callbackURL,
		ExpiresAt:   now.Add(s.LinkTTL),
		CreatedAt:   now,
	}
	if err := s.Store.CreateLink(ctx, l); err != nil {
		return store.Link{}, fmt.Errorf("create link: %w", err)
	}
	return l, nil
}

// Reauthorize starts a new link for an existing account, so an EXPIRED
// (or FAILED) account can become ACTIVE again under the same id.
func (s *Service) Reauthorize(ctx context.Context, p store.Project, id, callbackURL string) (store.Account, store.Link, error) {
	a, err := s.Get(ctx, p.ID, id)
	if err != nil {
		return store.Account{}, store.Link{}, err
	}
	if callbackURL != "" && !projects.CallbackAllowed(p, callbackURL) {
		return store.Account{}, store.Link{}, problem.Invalidf("callback_url_not_allowed", "redirect_url", "redirect_url %q is not in the project's callback URL allowlist", callbackURL)
	}
	if a.Status == store.StatusFailed {
		a, err = s.Store.UpdateAccount(ctx, p.ID, id, func(a store.Account) (store.Account, error) {
			a.Status, a.StatusReason, a.UpdatedAt = store.StatusInitiated, ReasonAwaiting, s.now()
			return a, nil
		})
		if err != nil {
			return store.Account{}, store.Link{}, fmt.Errorf("restart account: %w", err)
		}
	}
	l, err := s.newLink(ctx, a, "", callbackURL)
	return a, l, err
}

func aliasTaken(alias, user, toolkit string) error {
	return problem.Invalidf("alias_taken", "alias", "alias %q is already used by another %s account of user %s", alias, toolkit, user).
		WithFix("Pick another alias, or rename the other account first")
}

func validAlias(alias string) error {
	if alias == "" {
		return nil
	}
	if len(alias) > 64 || strings.HasPrefix(alias, ids.Account) || strings.TrimSpace(alias) != alias {
		return problem.Invalidf("invalid_alias", "alias", "alias %q must be 1 to 64 characters, without surrounding spaces, and must not start with %q", alias, ids.Account)
	}
	return nil
}

// Get returns an account of the project.
func (s *Service) Get(ctx context.Context, projectID, id string) (store.Account, error) {
	a, err := s.Store.GetAccount(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Account{}, notFound(id)
	}
	return a, err
}

func notFound(id string) error {
	return problem.NotFoundf("connected_account_not_found", "connected account %s not found", id).
		WithFix("List the project's accounts with GET /api/v3.1/connected_accounts")
}

// List lists a project's accounts.
func (s *Service) List(ctx context.Context, projectID string, f store.AccountFilter) (store.Page[store.Account], error) {
	return s.Store.ListAccounts(ctx, projectID, f)
}

// Delete deletes an account and its credentials for good.
func (s *Service) Delete(ctx context.Context, projectID, id string) error {
	err := s.Store.DeleteAccount(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(id)
	}
	return err
}

// SetAlias renames an account; an empty alias clears it.
func (s *Service) SetAlias(ctx context.Context, projectID, id, alias string) (store.Account, error) {
	if err := validAlias(alias); err != nil {
		return store.Account{}, err
	}
	a, err := s.Store.UpdateAccount(ctx, projectID, id, func(a store.Account) (store.Account, error) {
		a.Alias = alias
		a.UpdatedAt = s.now()
		return a, nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Account{}, notFound(id)
	case errors.Is(err, store.ErrConflict):
		cur, _ := s.Store.GetAccount(ctx, projectID, id)
		return store.Account{}, aliasTaken(alias, cur.UserID, cur.ToolkitSlug)
	}
	return a, err
}

// SetEnabled disables an ACTIVE account (INACTIVE) or enables an INACTIVE
// one (ACTIVE). Enabling or disabling an account already in that state
// changes nothing.
func (s *Service) SetEnabled(ctx context.Context, projectID, id string, enabled bool) (store.Account, error) {
	a, err := s.Store.UpdateAccount(ctx, projectID, id, func(a store.Account) (store.Account, error) {
		now := s.now()
		switch {
		case enabled && a.Status == store.StatusInactive:
			a.Status, a.StatusReason = store.StatusActive, ReasonEnabled
			a.ConnectedAt = &now
		case !enabled && a.Status == store.StatusActive:
			a.Status, a.StatusReason = store.StatusInactive, ReasonDisabled
		case enabled && a.Status == store.StatusActive, !enabled && a.Status == store.StatusInactive:
			return a, nil
		default:
			return a, problem.Invalidf("invalid_status_transition", "enabled",
				"account %s is %s; only ACTIVE accounts can be disabled and only INACTIVE ones enabled", a.ID, a.Status)
		}
		a.UpdatedAt = now
		return a, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.Account{}, notFound(id)
	}
	return a, err
}

// Resolve finds the account of a user and toolkit that ref names, by id or
// by alias.
func (s *Service) Resolve(ctx context.Context, projectID, userID, toolkit, ref string) (store.Account, error) {
	f := store.AccountFilter{UserIDs: []string{userID}, ToolkitSlugs: []string{toolkit}, Limit: 1}
	if strings.HasPrefix(ref, ids.Account) {
		f.IDs = []string{ref}
	} else {
		f.Aliases = []string{ref}
	}
	page, err := s.Store.ListAccounts(ctx, projectID, f)
	if err != nil {
		return store.Account{}, fmt.Errorf("resolve account %s: %w", ref, err)
	}
	if len(page.Items) == 0 {
		return store.Account{}, store.ErrNotFound
	}
	return page.Items[0], nil
}

// Credentials decodes an account's credentials into v; the store's
// barrier has opened them.
func (s *Service) Credentials(a store.Account, v any) error {
	if store.Unopened(a.Credentials, a.SealedCredentials) {
		return fmt.Errorf("credentials of %s: %w", a.ID, store.ErrUnopened)
	}
	if a.Credentials == nil {
		return errors.New("open credentials: the account has none")
	}
	return json.Unmarshal(a.Credentials, v)
}

// ForgetCredentials empties the caches of parsed tokens and fields.
func (s *Service) ForgetCredentials() {
	s.tokens.clear()
	s.fields.clear()
}

// Fields returns an account's credentials that are fields (an API key, a
// bearer token, a username and password: map[string]string), as
// Credentials would decode them, parsed once per credential and then kept
// like OAuth tokens. The map is shared: callers must not change it.
func (s *Service) Fields(a store.Account) (map[string]string, error) {
	if v, ok := s.fields.get(a.ID, a.Credentials); ok {
		return v, nil
	}
	var v map[string]string
	if err := s.Credentials(a, &v); err != nil {
		return nil, err
	}
	s.fields.put(a.ID, a.Credentials, v)
	return v, nil
}

// parsedCache holds parsed credentials by account id, each with the
// plaintext it was parsed from, so a changed credential is never served
// from it.
type parsedCache[T any] struct {
	mu sync.Mutex
	m  map[string]parsedEntry[T]
}

type parsedEntry[T any] struct {
	plain []byte
	v     T
}

// maxTokens bounds each cache; past it, an arbitrary entry makes room.
const maxTokens = 10000

func (c *parsedCache[T]) get(id string, plain []byte) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || !bytes.Equal(e.plain, plain) {
		var zero T
		return zero, false
	}
	return e.v, true
}

func (c *parsedCache[T]) put(id string, plain []byte, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]parsedEntry[T]{}
	}
	if len(c.m) >= maxTokens {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[id] = parsedEntry[T]{plain: bytes.Clone(plain), v: v}
}

func (c *parsedCache[T]) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

// EncodeCredentials is the JSON the store's barrier seals, the inverse of
// Credentials.
func EncodeCredentials(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode credentials: %w", err)
	}
	return b, nil
}

// PendingLink returns the session's newest link for a toolkit that can
// still complete, with its token opened; ErrNotFound when there is none,
// or when the newest one's token can no longer be opened (made before
// tokens were sealed, or sealed by a retired key).
func (s *Service) PendingLink(ctx context.Context, projectID, sessionID, toolkit string) (store.Link, error) {
	l, err := s.Store.PendingLink(ctx, projectID, sessionID, toolkit, s.now())
	if err != nil {
		return store.Link{}, err
	}
	if l.Token == "" {
		// Made before tokens were sealed, or sealed by a key retired
		// since: the caller makes a new link.
		return store.Link{}, fmt.Errorf("pending link whose token cannot be opened: %w", store.ErrNotFound)
	}
	return l, nil
}

// SweepStale fails every INITIATED account whose link expired, and every
// INITIATED account left without a link for longer than a link lives (a
// create interrupted between the account and its link).
func (s *Service) SweepStale(ctx context.Context) (int, error) {
	now := s.now()
	return s.Store.FailStaleAccounts(ctx, now, now.Add(-s.LinkTTL), s.staleReason())
}

// staleReason is the reason of an account whose link expired unused,
// naming the link lifetime this server gives its links.
func (s *Service) staleReason() string {
	return "Connection initiation did not complete within " + humanDuration(s.LinkTTL) + ", the lifetime of its link"
}

// humanDuration writes d in whole hours or minutes when it is one, as
// "1 minute" or "2 hours", and in Go's notation otherwise.
func humanDuration(d time.Duration) string {
	unit := func(n int64, name string) string {
		if n == 1 {
			return "1 " + name
		}
		return fmt.Sprintf("%d %ss", n, name)
	}
	switch {
	case d > 0 && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d > 0 && d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	case d > 0 && d%time.Second == 0:
		return unit(int64(d/time.Second), "second")
	}
	return d.String()
}

// RunSweeper sweeps stale accounts and writes the due expiring warnings
// every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.SweepStale(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("sweep stale accounts", "err", err)
		} else if n > 0 {
			s.Logger.Info("failed stale accounts", "count", n)
		}
		if n, err := s.WarnExpiring(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("warn of expiring refresh tokens", "err", err)
		} else if n > 0 {
			s.Logger.Info("warned of expiring refresh tokens", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
