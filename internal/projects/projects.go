// Package projects owns tenants and their API keys. A key is shown once,
// when it is made, and stored only as a SHA-256 hash plus a short display
// prefix; a lookup hashes the presented key and compares hashes, so the
// database never holds a usable key.
package projects

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// KeyPrefix starts every API key Switchboard generates.
const KeyPrefix = "sb_"

// maxPrefix is how many leading characters of a key are stored to tell keys
// apart in a listing: few enough not to help anyone guess a key.
const maxPrefix = 4

// Scopes of an API key. An admin key may do everything; a runtime key may
// run the application (sessions, links, execute, proxy, reading accounts,
// toolkits and tools) but not change how the project is set up: auth
// configs, keys, projects or webhooks. The api package names the scope each
// route needs.
const (
	ScopeAdmin   = "admin"
	ScopeRuntime = "runtime"
)

// ValidScope reports whether s names a scope.
func ValidScope(s string) bool { return s == ScopeAdmin || s == ScopeRuntime }

// Allows reports whether a key of scope have may call a route that needs
// scope need. A key stored without a scope is admin, as every key was
// before scopes existed.
func Allows(have, need string) bool {
	return have == ScopeAdmin || have == "" || have == need
}

// InsufficientScope is the error for a key whose scope does not allow a
// route.
func InsufficientScope(have, need string) *problem.Error {
	return &problem.Error{
		Kind:    problem.Forbidden,
		Code:    "insufficient_scope",
		Message: fmt.Sprintf("this request needs an API key with the %s scope; the key sent has the %s scope", need, have),
		Fix:     "Send an admin key of the project; `switchboard keys create -scope admin` makes one",
	}
}

// Service manages projects and API keys.
type Service struct {
	Store store.Store
	Now   func() time.Time
}

// ErrBadKey reports a missing, unknown or revoked API key.
var ErrBadKey = &problem.Error{
	Kind:    problem.Unauthenticated,
	Code:    "invalid_api_key",
	Message: "the x-api-key header is missing, unknown or revoked",
	Fix:     "Send a valid project API key in the x-api-key header; `switchboard keys create` makes one",
}

// HashKey returns the stored hash of an API key.
func HashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// Authenticate returns the project an API key belongs to.
func (s *Service) Authenticate(ctx context.Context, key string) (store.Project, error) {
	p, _, err := s.AuthenticateKey(ctx, key)
	return p, err
}

// AuthenticateKey returns the project an API key belongs to and the key's
// record, whose Scope says what it may do (admin for a key stored without
// one).
func (s *Service) AuthenticateKey(ctx context.Context, key string) (store.Project, store.APIKey, error) {
	if key == "" {
		return store.Project{}, store.APIKey{}, ErrBadKey
	}
	k, err := s.Store.GetAPIKeyByHash(ctx, HashKey(key))
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.RevokedAt != nil) {
		return store.Project{}, store.APIKey{}, ErrBadKey
	}
	if err != nil {
		return store.Project{}, store.APIKey{}, fmt.Errorf("look up api key: %w", err)
	}
	if k.Scope == "" {
		k.Scope = ScopeAdmin
	}
	p, err := s.Store.GetProject(ctx, k.ProjectID)
	if err != nil {
		return store.Project{}, store.APIKey{}, fmt.Errorf("get project of api key: %w", err)
	}
	return p, k, nil
}

// Key returns a project and its live API key by the key's id: what a
// console session, which holds the key's id and never the key, checks on
// every request. A missing or revoked key is ErrBadKey, so revoking a key
// ends the console sessions signed in with it.
func (s *Service) Key(ctx context.Context, projectID, keyID string) (store.Project, store.APIKey, error) {
	keys, err := s.ListKeys(ctx, projectID)
	if err != nil {
		return store.Project{}, store.APIKey{}, err
	}
	for _, k := range keys {
		if k.ID != keyID {
			continue
		}
		if k.RevokedAt != nil {
			break
		}
		p, err := s.Store.GetProject(ctx, projectID)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			return store.Project{}, store.APIKey{}, fmt.Errorf("get project %s: %w", projectID, err)
		}
		return p, k, nil
	}
	return store.Project{}, store.APIKey{}, ErrBadKey
}

// CreateProject makes a project.
func (s *Service) CreateProject(ctx context.Context, name string) (store.Project, error) {
	now := s.Now().UTC()
	p := store.Project{ID: ids.New(ids.Project, 12), Name: name, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.CreateProject(ctx, p); err != nil {
		return store.Project{}, fmt.Errorf("create project: %w", err)
	}
	return p, nil
}

// CreateKey makes an admin API key for a project, as CreateScopedKey does.
func (s *Service) CreateKey(ctx context.Context, projectID, name, key string) (string, store.APIKey, error) {
	return s.CreateScopedKey(ctx, projectID, name, key, ScopeAdmin)
}

// CreateScopedKey makes an API key with a scope (ScopeAdmin when empty)
// for a project and returns it with its record. When key is empty a random
// one is generated; the plaintext is never stored, only its hash and its
// first 4 characters.
func (s *Service) CreateScopedKey(ctx context.Context, projectID, name, key, scope string) (string, store.APIKey, error) {
	if scope == "" {
		scope = ScopeAdmin
	}
	if !ValidScope(scope) {
		return "", store.APIKey{}, problem.Invalidf("invalid_scope", "scope", "scope %q is not a key scope: use %q or %q", scope, ScopeAdmin, ScopeRuntime)
	}
	if key == "" {
		key = ids.New(KeyPrefix, 40)
	}
	if len(key) < 16 {
		return "", store.APIKey{}, problem.Invalidf("api_key_too_short", "key", "an API key must have at least 16 characters")
	}
	if _, err := s.Store.GetProject(ctx, projectID); err != nil {
		return "", store.APIKey{}, fmt.Errorf("get project %s: %w", projectID, err)
	}
	k := store.APIKey{
		ID:        ids.New(ids.APIKey, 12),
		ProjectID: projectID,
		Name:      name,
		Prefix:    key[:min(len(key), maxPrefix)],
		Hash:      HashKey(key),
		Scope:     scope,
		CreatedAt: s.Now().UTC(),
	}
	if err := s.Store.CreateAPIKey(ctx, k); err != nil {
		return "", store.APIKey{}, fmt.Errorf("create api key: %w", err)
	}
	return key, k, nil
}

// ListKeys lists a project's API keys, revoked ones included.
func (s *Service) ListKeys(ctx context.Context, projectID string) ([]store.APIKey, error) {
	keys, err := s.Store.ListAPIKeys(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	for i := range keys {
		if keys[i].Scope == "" {
			keys[i].Scope = ScopeAdmin
		}
	}
	return keys, nil
}

// RevokeKey revokes an API key of a project.
func (s *Service) RevokeKey(ctx context.Context, projectID, keyID string) error {
	if err := s.Store.RevokeAPIKey(ctx, projectID, keyID, s.Now().UTC()); err != nil {
		return fmt.Errorf("revoke api key %s: %w", keyID, err)
	}
	return nil
}

// Bootstrap makes the default project and its first API key when the
// store has no project yet. It returns the key (the given one, or a
// generated one when bootstrapKey is empty) and whether it did anything.
func (s *Service) Bootstrap(ctx context.Context, bootstrapKey string) (string, bool, error) {
	ps, err := s.Store.ListProjects(ctx)
	if err != nil {
		return "", false, fmt.Errorf("list projects: %w", err)
	}
	if len(ps) > 0 {
		return "", false, nil
	}
	p, err := s.CreateProject(ctx, "Default")
	if err != nil {
		return "", false, err
	}
	key, _, err := s.CreateKey(ctx, p.ID, "bootstrap", bootstrapKey)
	if err != nil {
		return "", false, err
	}
	return key, true, nil
}

// SetCallbackURLs replaces a project's callback URL allowlist.
func (s *Service) SetCallbackURLs(ctx context.Context, projectID string, urls []string) (store.Project, error) {
	for _, u := range urls {
		if !validCallbackBase(u) {
			return store.Project{}, problem.Invalidf("invalid_callback_url", "callback_urls", "%q is not an absolute http(s) URL without query or fragment", u)
		}
	}
	return s.Store.UpdateProject(ctx, projectID, func(p store.Project) (store.Project, error) {
		p.CallbackURLs = urls
		p.UpdatedAt = s.Now().UTC()
		return p, nil
	})
}

func validCallbackBase(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil
}

// CallbackAllowed reports whether a link's callback URL may be redirected
// to: it must be an absolute http(s) URL with the scheme, host and port of
// an allowlist entry and a path under the entry's path. The path is
// compared as a browser will follow it: percent-decoded, with its dot
// segments resolved, so /cb/../evil and /cb/%2e%2e/evil are not under /cb.
// Forms that browsers and servers read differently are refused outright:
// encoded slashes or backslashes, backslashes, double encoding, userinfo,
// whitespace and control characters. An empty allowlist allows nothing, so
// a project must opt in to redirects.
func CallbackAllowed(p store.Project, raw string) bool {
	u, clean, ok := normalCallback(raw)
	if !ok {
		return false
	}
	for _, entry := range p.CallbackURLs {
		e, err := url.Parse(entry)
		if err != nil {
			continue
		}
		if !strings.EqualFold(e.Scheme, u.Scheme) || !strings.EqualFold(e.Host, u.Host) {
			continue
		}
		base := strings.TrimRight(e.Path, "/")
		if base == "" || clean == base || strings.HasPrefix(clean, base+"/") {
			return true
		}
	}
	return false
}

// normalCallback parses a callback URL and returns its decoded path with
// dot segments resolved (RFC 3986 section 5.2.4), or false for a URL that
// is not a plain absolute http(s) URL.
func normalCallback(raw string) (*url.URL, string, bool) {
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '\\' }) {
		return nil, "", false
	}
	// Before the query: the query may carry an encoded URL of its own.
	head, _, _ := strings.Cut(raw, "?")
	head, _, _ = strings.Cut(head, "#")
	lower := strings.ToLower(head)
	if strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") {
		return nil, "", false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, "", false
	}
	// A % left after decoding is double encoding (%252e), which a server
	// behind the callback might decode again.
	if strings.Contains(u.Path, "%") {
		return nil, "", false
	}
	clean := "/"
	if u.Path != "" {
		clean = path.Clean(u.Path)
		if !strings.HasPrefix(clean, "/") {
			return nil, "", false
		}
	}
	return u, clean, true
}
