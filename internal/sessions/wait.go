package sessions

import (
	"context"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// Connection is where a session's connection of a toolkit stands.
type Connection struct {
	// Account is the account the session uses for the toolkit (see
	// AccountFor), nil when there is none.
	Account *store.Account
	// Connected reports whether Account is ACTIVE, so tools can run.
	Connected bool
	// Pending is the user's newest connection of the toolkit that is still
	// waiting for the user (INITIATED) and was started after the session's
	// account connected; nil when there is none.
	Pending *store.Account
	// NoAuth reports that the toolkit needs no credentials: there is no
	// account to wait for, and its tools run (Connected is true).
	NoAuth bool
}

// waitSlice bounds one wait on a pending account, so that a connection
// completed through another pending link is noticed too.
const waitSlice = 5 * time.Second

// pinGrace is how long to keep looking after a waited account turned
// ACTIVE while the session does not use it yet: a pinned session's pin
// moves to the new account just after it is activated (Connected).
const pinGrace = 2 * time.Second

// WaitForConnection waits for the connection of a toolkit that the
// session's user was asked to complete: it returns once no connection is
// pending (the user finished it, declined it or let it expire) and the
// session uses the account that came of it, or once max has passed or ctx
// ended, with where the connection stands then.
//
// A pending connection counts only when it was started after the
// session's ACTIVE account connected: an older one was abandoned in favour
// of the account in use. So a toolkit already connected returns at once,
// unless a second account is being connected. Waiting wakes on the
// account-change notifications, so a connection completed through any
// instance ends it at once.
func (s *Service) WaitForConnection(ctx context.Context, projectID, id, toolkit string, max time.Duration) (Connection, error) {
	if s.noAuth(ctx, projectID, toolkit) {
		if _, err := s.Get(ctx, projectID, id); err != nil {
			return Connection{}, err
		}
		return Connection{Connected: true, NoAuth: true}, nil
	}
	deadline := time.Now().Add(max)
	var activated string // the waited account that became ACTIVE
	var grace time.Time
	for {
		// Re-read the session each round: completing a link may move its pin.
		sess, err := s.Get(ctx, projectID, id)
		if err != nil {
			return Connection{}, err
		}
		act, err := s.AccountFor(ctx, sess, toolkit)
		if err != nil {
			return Connection{}, err
		}
		c := Connection{Account: act, Connected: act != nil && act.Status == store.StatusActive}
		page, err := s.Accounts.List(ctx, projectID, store.AccountFilter{
			UserIDs: []string{sess.UserID}, ToolkitSlugs: []string{toolkit}, Statuses: []string{store.StatusInitiated},
			OrderBy: store.OrderCreatedAt, Limit: 1,
		})
		if err != nil {
			return Connection{}, err
		}
		if len(page.Items) > 0 {
			p := page.Items[0]
			if !c.Connected || act.ConnectedAt == nil || p.CreatedAt.After(*act.ConnectedAt) {
				c.Pending = &p
			}
		}
		if c.Pending == nil {
			settled := activated == "" || (act != nil && act.ID == activated)
			if settled || !time.Now().Before(grace) || !time.Now().Before(deadline) {
				return c, nil
			}
			select {
			case <-time.After(100 * time.Millisecond):
				continue
			case <-ctx.Done():
				return c, nil
			}
		}
		left := time.Until(deadline)
		if left <= 0 || ctx.Err() != nil {
			return c, nil
		}
		// Wait returns as soon as the account leaves INITIATED; an error
		// (the account was deleted meanwhile) only means: look again.
		if a, err := s.Accounts.Wait(ctx, projectID, c.Pending.ID, min(left, waitSlice)); err == nil && a.Status == store.StatusActive {
			activated, grace = a.ID, time.Now().Add(pinGrace)
		}
	}
}
