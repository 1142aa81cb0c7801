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
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// KeyPrefix starts every API key Switchboard generates.
const KeyPrefix = "sb_"

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
	if key == "" {
		return store.Project{}, ErrBadKey
	}
	k, err := s.Store.GetAPIKeyByHash(ctx, HashKey(key))
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.RevokedAt != nil) {
		return store.Project{}, ErrBadKey
	}
	if err != nil {
		return store.Project{}, fmt.Errorf("look up api key: %w", err)
	}
	p, err := s.Store.GetProject(ctx, k.ProjectID)
	if err != nil {
		return store.Project{}, fmt.Errorf("get project of api key: %w", err)
	}
	return p, nil
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

// CreateKey makes an API key for a project and returns it with its
// record. When key is empty a random one is generated; the plaintext is
// never stored.
func (s *Service) CreateKey(ctx context.Context, projectID, name, key string) (string, store.APIKey, error) {
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
		Prefix:    key[:min(len(key), 10)],
		Hash:      HashKey(key),
		CreatedAt: s.Now().UTC(),
	}
	if err := s.Store.CreateAPIKey(ctx, k); err != nil {
		return "", store.APIKey{}, fmt.Errorf("create api key: %w", err)
	}
	return key, k, nil
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
// an allowlist entry and a path under the entry's path. An empty allowlist
// allows nothing, so a project must opt in to redirects.
func CallbackAllowed(p store.Project, raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
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
		base := strings.TrimRight(e.EscapedPath(), "/")
		path := u.EscapedPath()
		if base == "" || path == base || strings.HasPrefix(path, base+"/") {
			return true
		}
	}
	return false
}
