// Package cache wraps a store.Store with short-lived read caches for the
// lookups every API call repeats: the API key, its project, the session,
// the auth config, the account and the user's default account. It embeds
// the store, so every other method goes straight through.
//
// Consistency: writes made through the wrapper evict what they change at
// once, so an instance always sees its own writes. Account status changes
// made by other instances arrive through AccountChanges and evict the
// account and every default-account entry before the id is passed on.
// Anything else another instance changes (a session's pins, a revoked API
// key, an auth config) is seen after at most the TTL.
//
// Reads made while holding LockAccount bypass the cache: the refresh path
// must see the stored refresh token, never a copy, or a rotated token
// could be used twice.
package cache

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// Store is a caching store.Store.
type Store struct {
	store.Store
	ttl time.Duration

	keys     table[string, store.APIKey]
	projects table[string, store.Project]
	sessions table[[2]string, store.Session]
	configs  table[[2]string, store.AuthConfig]
	accounts table[[2]string, store.Account]
	latest   table[[3]string, latest]
}

// latest is a cached default-account answer, which may be "none".
type latest struct {
	account store.Account
	found   bool
}

// New wraps s with caches whose entries live for ttl.
func New(s store.Store, ttl time.Duration) *Store {
	return &Store{Store: s, ttl: ttl}
}

// Purge empties every cache.
func (c *Store) Purge() {
	c.keys.clear()
	c.projects.clear()
	c.sessions.clear()
	c.configs.clear()
	c.accounts.clear()
	c.latest.clear()
}

// table is a map whose entries expire.
type table[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]entry[V]
}

type entry[V any] struct {
	v       V
	expires time.Time
}

// maxEntries bounds each table; past it, the table starts over.
const maxEntries = 50000

func (t *table[K, V]) get(k K) (V, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[k]
	if !ok || time.Now().After(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (t *table[K, V]) put(k K, v V, ttl time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil || len(t.m) >= maxEntries {
		t.m = map[K]entry[V]{}
	}
	t.m[k] = entry[V]{v: v, expires: time.Now().Add(ttl)}
}

func (t *table[K, V]) del(k K) {
	t.mu.Lock()
	delete(t.m, k)
	t.mu.Unlock()
}

func (t *table[K, V]) clear() {
	t.mu.Lock()
	t.m = nil
	t.mu.Unlock()
}

type lockedKey struct{}

// locked reports whether ctx is inside LockAccount.
func locked(ctx context.Context) bool { return ctx.Value(lockedKey{}) != nil }

// LockAccount marks fn's context so reads inside it bypass the cache.
func (c *Store) LockAccount(ctx context.Context, projectID, id string, fn func(ctx context.Context) error) error {
	return c.Store.LockAccount(ctx, projectID, id, func(ctx context.Context) error {
		return fn(context.WithValue(ctx, lockedKey{}, true))
	})
}

// GetAPIKeyByHash caches keys by hash.
func (c *Store) GetAPIKeyByHash(ctx context.Context, hash []byte) (store.APIKey, error) {
	if k, ok := c.keys.get(string(hash)); ok {
		return k, nil
	}
	k, err := c.Store.GetAPIKeyByHash(ctx, hash)
	if err == nil {
		c.keys.put(string(hash), k, c.ttl)
	}
	return k, err
}

// RevokeAPIKey evicts every cached key: the cache is keyed by hash.
func (c *Store) RevokeAPIKey(ctx context.Context, projectID, id string, at time.Time) error {
	err := c.Store.RevokeAPIKey(ctx, projectID, id, at)
	c.keys.clear()
	return err
}

// GetProject caches projects.
func (c *Store) GetProject(ctx context.Context, id string) (store.Project, error) {
	if p, ok := c.projects.get(id); ok {
		return p, nil
	}
	p, err := c.Store.GetProject(ctx, id)
	if err == nil {
		c.projects.put(id, p, c.ttl)
	}
	return p, err
}

// UpdateProject evicts the project.
func (c *Store) UpdateProject(ctx context.Context, id string, fn func(store.Project) (store.Project, error)) (store.Project, error) {
	defer c.projects.del(id)
	return c.Store.UpdateProject(ctx, id, fn)
}

// GetSession caches sessions.
func (c *Store) GetSession(ctx context.Context, projectID, id string) (store.Session, error) {
	k := [2]string{projectID, id}
	if s, ok := c.sessions.get(k); ok {
		return s, nil
	}
	s, err := c.Store.GetSession(ctx, projectID, id)
	if err == nil {
		c.sessions.put(k, s, c.ttl)
	}
	return s, err
}

// UpdateSession evicts the session.
func (c *Store) UpdateSession(ctx context.Context, projectID, id string, fn func(store.Session) (store.Session, error)) (store.Session, error) {
	defer c.sessions.del([2]string{projectID, id})
	return c.Store.UpdateSession(ctx, projectID, id, fn)
}

// DeleteSession evicts the session.
func (c *Store) DeleteSession(ctx context.Context, projectID, id string) error {
	defer c.sessions.del([2]string{projectID, id})
	return c.Store.DeleteSession(ctx, projectID, id)
}

// GetAuthConfig caches auth configs.
func (c *Store) GetAuthConfig(ctx context.Context, projectID, id string) (store.AuthConfig, error) {
	k := [2]string{projectID, id}
	if ac, ok := c.configs.get(k); ok {
		return ac, nil
	}
	ac, err := c.Store.GetAuthConfig(ctx, projectID, id)
	if err == nil {
		c.configs.put(k, ac, c.ttl)
	}
	return ac, err
}

// UpdateAuthConfig evicts the auth config.
func (c *Store) UpdateAuthConfig(ctx context.Context, projectID, id string, fn func(store.AuthConfig) (store.AuthConfig, error)) (store.AuthConfig, error) {
	defer c.configs.del([2]string{projectID, id})
	return c.Store.UpdateAuthConfig(ctx, projectID, id, fn)
}

// DeleteAuthConfig evicts the config and every account: its accounts go
// with it.
func (c *Store) DeleteAuthConfig(ctx context.Context, projectID, id string) error {
	defer c.evictAccounts()
	defer c.configs.del([2]string{projectID, id})
	return c.Store.DeleteAuthConfig(ctx, projectID, id)
}

// EvictAccounts empties the account caches, so the next lookups of
// accounts and default accounts go to the store.
func (c *Store) EvictAccounts() { c.evictAccounts() }

func (c *Store) evictAccounts() {
	c.accounts.clear()
	c.latest.clear()
}

// GetAccount caches accounts, except inside LockAccount.
func (c *Store) GetAccount(ctx context.Context, projectID, id string) (store.Account, error) {
	if locked(ctx) {
		return c.Store.GetAccount(ctx, projectID, id)
	}
	k := [2]string{projectID, id}
	if a, ok := c.accounts.get(k); ok {
		return a, nil
	}
	a, err := c.Store.GetAccount(ctx, projectID, id)
	if err == nil {
		c.accounts.put(k, a, c.ttl)
	}
	return a, err
}

// DefaultAccount caches each user's default account, including the
// answer that there is none.
func (c *Store) DefaultAccount(ctx context.Context, projectID, userID, toolkit string) (store.Account, error) {
	if locked(ctx) {
		return c.Store.DefaultAccount(ctx, projectID, userID, toolkit)
	}
	k := [3]string{projectID, userID, toolkit}
	if l, ok := c.latest.get(k); ok {
		if !l.found {
			return store.Account{}, store.ErrNotFound
		}
		return l.account, nil
	}
	a, err := c.Store.DefaultAccount(ctx, projectID, userID, toolkit)
	switch {
	case err == nil:
		c.latest.put(k, latest{account: a, found: true}, c.ttl)
	case errors.Is(err, store.ErrNotFound):
		c.latest.put(k, latest{}, c.ttl)
	}
	return a, err
}

// CreateAccount evicts default accounts: the new one may become one.
func (c *Store) CreateAccount(ctx context.Context, a store.Account) error {
	defer c.latest.clear()
	return c.Store.CreateAccount(ctx, a)
}

// UpdateAccount evicts the account and the default accounts; an account
// made the default evicts every account, since the store cleared the
// default of the user's others.
func (c *Store) UpdateAccount(ctx context.Context, projectID, id string, fn func(store.Account) (store.Account, error)) (store.Account, error) {
	defer c.latest.clear()
	defer c.accounts.del([2]string{projectID, id})
	a, err := c.Store.UpdateAccount(ctx, projectID, id, fn)
	if err == nil && a.IsDefault {
		c.evictAccounts()
	}
	return a, err
}

// DeleteAccount evicts the account and the default accounts.
func (c *Store) DeleteAccount(ctx context.Context, projectID, id string) error {
	defer c.latest.clear()
	defer c.accounts.del([2]string{projectID, id})
	return c.Store.DeleteAccount(ctx, projectID, id)
}

// FailStaleAccounts evicts every account.
func (c *Store) FailStaleAccounts(ctx context.Context, now, unlinkedBefore time.Time, reason string) (int, error) {
	defer c.evictAccounts()
	return c.Store.FailStaleAccounts(ctx, now, unlinkedBefore, reason)
}

// AccountChanges evicts each changed account, and the default accounts,
// before passing its id on, so a waiter that re-reads sees the change.
func (c *Store) AccountChanges(ctx context.Context) (<-chan string, error) {
	in, err := c.Store.AccountChanges(ctx)
	if err != nil {
		return nil, err
	}
	out := make(chan string, 64)
	go func() {
		defer close(out)
		for id := range in {
			c.evictAccounts() // the project of id is unknown here
			select {
			case out <- id:
			default:
			}
		}
	}()
	return out, nil
}
