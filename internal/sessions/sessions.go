// Package sessions owns Tool Router sessions: a user id plus configuration
// (which toolkits, which auth configs, which pinned accounts). A session
// uses one account per toolkit: the pinned one, or else the user's most
// recently connected ACTIVE one, resolved at each use. Pins are validated
// whenever they are set and are never silently replaced; authorizing a
// toolkit through a session moves its pin to the new account.
//
// The package owns the account-selection rule in one place (select.go):
// Select decides, for a call in a session or outside one, which account
// it uses or why none can be (a Refusal, with its Fix), and only reads;
// Offer makes the link a refusal's fix calls for, as a separate step the
// caller takes. Search and Status describe a session's tools and toolkit
// connections for the meta tools.
package sessions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/projects"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// Config is a session's configuration, stored as JSON.
type Config struct {
	// Toolkits limits the session to these toolkits (Enabled) or to all
	// but these (Disabled); both empty means every toolkit.
	Toolkits ToolkitFilter `json:"toolkits"`
	// AuthConfigs picks the auth config per toolkit for new connections.
	AuthConfigs map[string]string `json:"auth_configs,omitempty"`
	// Pins are the pinned account ids per toolkit; one unless multi-account.
	Pins              map[string][]string `json:"pins,omitempty"`
	ManageConnections ManageConnections   `json:"manage_connections"`
	MultiAccount      MultiAccount        `json:"multi_account"`
	// Passthrough keeps request fields as given, to echo them: tools, tags,
	// workbench, preload, search, execute. Other parts read some of them
	// (Filters, MetaTools, the MCP preload).
	Passthrough map[string]json.RawMessage `json:"passthrough,omitempty"`
	// Filters are the tools and tags options, parsed from Passthrough when
	// the session is validated or read.
	Filters ToolFilters `json:"-"`
}

// ToolkitFilter is an enable or disable list.
type ToolkitFilter struct {
	Enabled  []string `json:"enabled,omitempty"`
	Disabled []string `json:"disabled,omitempty"`
}

// Allows reports whether the filter lets a toolkit through.
func (f ToolkitFilter) Allows(slug string) bool {
	if len(f.Enabled) > 0 {
		return slices.Contains(f.Enabled, slug)
	}
	return !slices.Contains(f.Disabled, slug)
}

// ManageConnections configures in-chat connection management.
type ManageConnections struct {
	Enabled            bool   `json:"enabled"`
	CallbackURL        string `json:"callback_url,omitempty"`
	WaitForConnections bool   `json:"wait_for_connections,omitempty"`
}

// MultiAccount lets a session use several accounts of a toolkit.
type MultiAccount struct {
	Enabled                  bool `json:"enabled"`
	MaxAccountsPerToolkit    int  `json:"max_accounts_per_toolkit,omitempty"`
	RequireExplicitSelection bool `json:"require_explicit_selection,omitempty"`
}

// maxPins is how many accounts a toolkit may pin.
func (c Config) maxPins() int {
	if !c.MultiAccount.Enabled {
		return 1
	}
	if c.MultiAccount.MaxAccountsPerToolkit > 0 {
		return c.MultiAccount.MaxAccountsPerToolkit
	}
	return 5
}

// Session is a session with its decoded configuration.
type Session struct {
	store.Session
	Config Config
}

// Service manages sessions.
type Service struct {
	Store       store.Store
	Accounts    *accounts.Service
	AuthConfigs *authconfigs.Service
	Catalog     toolkits.Catalogs
	Now         func() time.Time

	decodedMu    sync.Mutex
	decodedCache map[decodedKey]Session
}

func decode(s store.Session) (Session, error) {
	var c Config
	if err := json.Unmarshal(s.Config, &c); err != nil {
		return Session{}, fmt.Errorf("decode session config of %s: %w", s.ID, err)
	}
	return Session{Session: s, Config: c}, nil
}

// Create validates a configuration and stores a new session. Nothing is
// stored when any part is invalid.
func (s *Service) Create(ctx context.Context, p store.Project, userID string, c Config) (Session, error) {
	if strings.TrimSpace(userID) == "" {
		return Session{}, problem.Invalidf("user_id_required", "user_id", "user_id is required").
			WithFix("Pass your application's id for the end user as user_id")
	}
	c, err := s.validate(ctx, p.ID, userID, c)
	if err != nil {
		return Session{}, err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return Session{}, fmt.Errorf("encode session config: %w", err)
	}
	now := s.Now().UTC()
	// Ordered ids: the sessions table and its id index grow at one end, so
	// a batch of creates dirties a few pages rather than one per session
	// (SQLite's creates per second, issue 12: 1.10-1.14x).
	rec := store.Session{ID: ids.NewOrdered(ids.Session, now, 12), ProjectID: p.ID, UserID: userID, Config: raw, ConfigVersion: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.CreateSession(ctx, rec); err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	return Session{Session: rec, Config: c}, nil
}

// Get returns a session of the project.
func (s *Service) Get(ctx context.Context, projectID, id string) (Session, error) {
	sess, err := s.getShared(ctx, projectID, id)
	if err != nil {
		return Session{}, err
	}
	sess.Config = sess.Config.clone()
	return sess, nil
}

// getShared is Get for callers that only read: the configuration's maps
// and slices are those of the decoded-session cache, shared with other
// calls, and must not be changed. Select, on every tool call, saves the
// copies.
func (s *Service) getShared(ctx context.Context, projectID, id string) (Session, error) {
	rec, err := s.Store.GetSession(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, notFound(id)
	}
	if err != nil {
		return Session{}, err
	}
	return s.decodedShared(ctx, rec)
}

// Limits of a page of sessions.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)

// List returns one page of a project's sessions, newest first.
func (s *Service) List(ctx context.Context, projectID string, f store.SessionFilter) (store.Page[Session], error) {
	if f.Limit < 0 || f.Limit > MaxListLimit {
		return store.Page[Session]{}, problem.Invalidf("invalid_limit", "limit", "limit %d is out of range: use 1 to %d", f.Limit, MaxListLimit)
	}
	if f.Limit == 0 {
		f.Limit = DefaultListLimit
	}
	page, err := s.Store.ListSessions(ctx, projectID, f)
	if errors.Is(err, store.ErrInvalid) {
		return store.Page[Session]{}, problem.Invalidf("invalid_cursor", "cursor", "the cursor was not issued by this list").
			WithFix("Pass the next cursor from the previous page unchanged, with the same filters")
	}
	if err != nil {
		return store.Page[Session]{}, err
	}
	out := store.Page[Session]{NextCursor: page.NextCursor, Total: page.Total, Items: make([]Session, 0, len(page.Items))}
	for _, rec := range page.Items {
		sess, err := s.decoded(ctx, rec)
		if err != nil {
			return store.Page[Session]{}, err
		}
		out.Items = append(out.Items, sess)
	}
	return out, nil
}

// decoded decodes a session's configuration, reusing the last decoding
// of the same version: a session is read on every tool call, and its
// configuration only changes with its version.
func (s *Service) decoded(ctx context.Context, rec store.Session) (Session, error) {
	sess, err := s.decodedShared(ctx, rec)
	if err != nil {
		return Session{}, err
	}
	sess.Config = sess.Config.clone()
	return sess, nil
}

// decodedShared is decoded without the copy: the configuration's maps
// and slices are the cache's, for callers that only read.
func (s *Service) decodedShared(ctx context.Context, rec store.Session) (Session, error) {
	key := decodedKey{rec.ProjectID, rec.ID, rec.ConfigVersion}
	s.decodedMu.Lock()
	d, ok := s.decodedCache[key]
	s.decodedMu.Unlock()
	if ok && bytes.Equal(d.Session.Config, rec.Config) {
		return Session{Session: rec, Config: d.Config}, nil
	}
	d, err := decode(rec)
	if err != nil {
		return Session{}, err
	}
	// Stored options were checked when they were set, except in sessions
	// stored before the check existed; those refuse every tool rather than
	// run unrestricted.
	d.Config.Filters, err = ParseToolFilters(s.Catalog.For(ctx, rec.ProjectID), d.Config.Passthrough["tools"], d.Config.Passthrough["tags"])
	if err != nil {
		d.Config.Filters = ToolFilters{invalid: err}
	}
	s.decodedMu.Lock()
	if s.decodedCache == nil || len(s.decodedCache) >= maxDecoded {
		s.decodedCache = map[decodedKey]Session{}
	}
	s.decodedCache[key] = d
	s.decodedMu.Unlock()
	return Session{Session: rec, Config: d.Config}, nil
}

type decodedKey struct {
	project, id string
	version     int
}

// maxDecoded bounds the decoded-session cache; past it, it starts over.
const maxDecoded = 10000

// clone copies the maps and slices of a configuration, so callers may
// change theirs.
func (c Config) clone() Config {
	c.Toolkits.Enabled = slices.Clone(c.Toolkits.Enabled)
	c.Toolkits.Disabled = slices.Clone(c.Toolkits.Disabled)
	c.AuthConfigs = maps(c.AuthConfigs)
	c.Pins = pinsCopy(c.Pins)
	if c.Passthrough != nil {
		p := make(map[string]json.RawMessage, len(c.Passthrough))
		for k, v := range c.Passthrough {
			p[k] = v
		}
		c.Passthrough = p
	}
	return c
}

func notFound(id string) error {
	return problem.NotFoundf("session_not_found", "session %s not found", id).
		WithFix("Create a session with POST /api/v3.1/tool_router/session")
}

// Update applies edit to a session's configuration, validates the result
// and stores it with the next config version. userID, when not nil, is
// the user the caller says the session is for: a session's user never
// changes, so another one is refused.
func (s *Service) Update(ctx context.Context, projectID, id string, userID *string, edit func(*Config)) (Session, error) {
	cur, err := s.Get(ctx, projectID, id)
	if err != nil {
		return Session{}, err
	}
	if userID != nil && *userID != cur.UserID {
		return Session{}, problem.Invalidf("invalid_request", "user_id", "a session's user_id cannot change").
			WithFix("Create a new session for user %s", *userID)
	}
	next := cur.Config
	next.AuthConfigs = maps(cur.Config.AuthConfigs)
	next.Pins = pinsCopy(cur.Config.Pins)
	edit(&next)
	next, err = s.validate(ctx, projectID, cur.UserID, next)
	if err != nil {
		return Session{}, err
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return Session{}, fmt.Errorf("encode session config: %w", err)
	}
	rec, err := s.Store.UpdateSession(ctx, projectID, id, func(old store.Session) (store.Session, error) {
		old.Config, old.ConfigVersion, old.UpdatedAt = raw, old.ConfigVersion+1, s.Now().UTC()
		return old, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, notFound(id)
	}
	if err != nil {
		return Session{}, err
	}
	return Session{Session: rec, Config: next}, nil
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func pinsCopy(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

// Delete deletes a session.
func (s *Service) Delete(ctx context.Context, projectID, id string) error {
	err := s.Store.DeleteSession(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(id)
	}
	return err
}

func (s *Service) knownToolkit(ctx context.Context, projectID, slug, field string) error {
	if _, ok := s.Catalog.For(ctx, projectID).Get(slug); !ok {
		return problem.Invalidf("toolkit_not_found", field, "unknown toolkit %q", slug).
			WithFix("List the toolkits with GET /api/v3.1/toolkits")
	}
	return nil
}

// validate checks a configuration for a user and returns it normalized:
// pins given by alias become account ids.
func (s *Service) validate(ctx context.Context, projectID, userID string, c Config) (Config, error) {
	for _, slug := range append(slices.Clone(c.Toolkits.Enabled), c.Toolkits.Disabled...) {
		if err := s.knownToolkit(ctx, projectID, slug, "toolkits"); err != nil {
			return c, err
		}
	}
	filters, err := ParseToolFilters(s.Catalog.For(ctx, projectID), c.Passthrough["tools"], c.Passthrough["tags"])
	if err != nil {
		return c, err
	}
	c.Filters = filters
	if err := checkWorkbench(c.Passthrough["workbench"]); err != nil {
		return c, err
	}
	if cb := c.ManageConnections.CallbackURL; cb != "" {
		p, err := s.Store.GetProject(ctx, projectID)
		if err != nil {
			return c, fmt.Errorf("get project: %w", err)
		}
		if !projects.CallbackAllowed(p, cb) {
			return c, problem.Invalidf("callback_url_not_allowed", "manage_connections.callback_url",
				"callback_url %q is not in the project's callback URL allowlist", cb).
				WithFix("Add the URL's origin and path to the allowlist with `switchboard projects callback-urls`, or omit callback_url to show a success page")
		}
	}
	if ma := c.MultiAccount; ma.Enabled && ma.MaxAccountsPerToolkit != 0 && (ma.MaxAccountsPerToolkit < 2 || ma.MaxAccountsPerToolkit > 10) {
		return c, problem.Invalidf("invalid_multi_account", "multi_account.max_accounts_per_toolkit", "max_accounts_per_toolkit must be between 2 and 10, got %d", ma.MaxAccountsPerToolkit)
	}
	for slug, acID := range c.AuthConfigs {
		if err := s.knownToolkit(ctx, projectID, slug, "auth_configs"); err != nil {
			return c, err
		}
		if s.noAuth(ctx, projectID, slug) {
			return c, authconfigs.NoAuth(slug, "auth_configs."+slug)
		}
		ac, err := s.AuthConfigs.Get(ctx, projectID, acID)
		if err != nil {
			return c, problem.Invalidf("auth_config_not_found", "auth_configs."+slug, "auth config %s does not exist in this project", acID)
		}
		if ac.ToolkitSlug != slug {
			return c, problem.Invalidf("auth_config_toolkit_mismatch", "auth_configs."+slug, "auth config %s is for %s, not %s", acID, ac.ToolkitSlug, slug)
		}
	}
	for slug, refs := range c.Pins {
		if err := s.knownToolkit(ctx, projectID, slug, "connected_accounts"); err != nil {
			return c, err
		}
		if s.noAuth(ctx, projectID, slug) && len(refs) > 0 {
			return c, authconfigs.NoAuth(slug, "connected_accounts."+slug)
		}
		if len(refs) == 0 {
			delete(c.Pins, slug)
			continue
		}
		if len(refs) > c.maxPins() {
			return c, problem.Invalidf("too_many_accounts", "connected_accounts."+slug,
				"%d accounts pinned for %s, but a session without multi_account uses one account per toolkit", len(refs), slug).
				WithFix("Pin one account, or enable multi_account")
		}
		resolved := make([]string, 0, len(refs))
		for _, ref := range refs {
			a, err := s.validPin(ctx, projectID, userID, slug, ref, c.AuthConfigs[slug])
			if err != nil {
				return c, err
			}
			if !slices.Contains(resolved, a.ID) {
				resolved = append(resolved, a.ID)
			}
		}
		c.Pins[slug] = resolved
	}
	return c, nil
}

// validPin checks that ref names an ACTIVE account of this project, user
// and toolkit. Another project's or user's account is reported exactly as
// a missing one, so a pin reveals nothing about accounts the caller does
// not own.
func (s *Service) validPin(ctx context.Context, projectID, userID, toolkit, ref, authConfigID string) (store.Account, error) {
	field := "connected_accounts." + toolkit
	a, err := s.Accounts.Resolve(ctx, projectID, userID, toolkit, ref)
	if errors.Is(err, store.ErrNotFound) {
		return store.Account{}, problem.Invalidf("connected_account_not_usable", field,
			"connected account %s is not a %s account of user %s", ref, toolkit, userID).
			WithFix("Pin an account that user %s connected for %s; list them with GET /api/v3.1/connected_accounts?user_ids=%s&toolkit_slugs=%s", userID, toolkit, userID, toolkit)
	}
	if err != nil {
		return store.Account{}, err
	}
	if a.Status != store.StatusActive {
		return store.Account{}, problem.Invalidf("connected_account_not_active", field,
			"connected account %s is %s, not ACTIVE: %s", a.ID, a.Status, a.StatusReason).
			WithFix("Pin an ACTIVE account, or ask the user to connect again")
	}
	if authConfigID != "" && a.AuthConfigID != authConfigID {
		return store.Account{}, problem.Invalidf("auth_config_mismatch", field,
			"connected account %s uses auth config %s, but the session sets %s for %s", a.ID, a.AuthConfigID, authConfigID, toolkit)
	}
	return a, nil
}

// checkWorkbench refuses a workbench option that turns the workbench on:
// Switchboard has no code sandbox, and an option it does not enforce is
// refused rather than echoed. Absent, null, or {"enable": false} (what
// Composio's direct-tools preset sends) are fine.
func checkWorkbench(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var w struct {
		Enable *bool `json:"enable"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return problem.Invalidf("invalid_request", "workbench", "workbench must be an object")
	}
	if w.Enable == nil || *w.Enable {
		return problem.Invalidf("unsupported_field", "workbench.enable", "Switchboard has no workbench (code sandbox); workbench.enable must be false").
			WithFix(`Omit workbench or send {"enable": false}`)
	}
	return nil
}
