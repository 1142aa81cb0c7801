package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// Refresh error classes, the error_class of a refresh_failed event.
const (
	// RefreshRefused: the provider refused the refresh token (revoked or
	// invalid); the account moves to EXPIRED.
	RefreshRefused = "refused"
	// RefreshUnavailable: the provider could not be reached or answered
	// with an error; the account stays ACTIVE and the next call retries.
	RefreshUnavailable = "unavailable"
)

// failureCounts counts each account's consecutive failed refreshes seen
// by this instance, the attempt of a refresh_failed event.
// TODO(issue 11): the account health the identity branch adds keeps this
// count in the store, so that it is one across instances and restarts.
type failureCounts struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *failureCounts) next(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	if len(c.m) >= maxTokens {
		clear(c.m)
	}
	c.m[id]++
	return c.m[id]
}

func (c *failureCounts) reset(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}

// refreshFailed appends a refresh_failed event for the account. It is not
// a change of the account's state (a refused token's change to EXPIRED
// writes its own event), so it goes to the outbox on its own; a failure
// to write it is logged, not returned: the caller's error matters more.
func (s *Service) refreshFailed(ctx context.Context, a store.Account, ac store.AuthConfig, cause error) {
	class := RefreshUnavailable
	if errors.Is(cause, oauth.ErrRefreshRefused) {
		class = RefreshRefused
	}
	e := store.AccountEvent(store.EventAccountRefreshFailed, nil, a, ac.AuthScheme, s.now())
	var d store.EventData
	if err := json.Unmarshal(e.Data, &d); err == nil {
		d.Attempt, d.ErrorClass = s.refreshFailures.next(a.ID), class
		e.Data, _ = json.Marshal(d)
	}
	if err := s.Store.AppendEvents(ctx, e); err != nil && s.Logger != nil {
		s.Logger.WarnContext(ctx, "record refresh failure event", "account_id", a.ID, "err", err)
	}
}
