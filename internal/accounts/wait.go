package accounts

import (
	"context"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// hub fans the store's account-change stream out to waiters in this
// process. Whatever instance changed the account, the store delivers the
// id here (LISTEN/NOTIFY on PostgreSQL), so a waiter on any instance wakes.
type hub struct {
	mu      sync.Mutex
	waiters map[string]map[chan struct{}]struct{}
	// all are the Changes subscribers, who hear of every id.
	all map[chan string]struct{}
}

// Start subscribes to account changes until ctx ends. Without it, Wait
// still works by re-reading the account once a second.
func (s *Service) Start(ctx context.Context) error {
	ch, err := s.Store.AccountChanges(ctx)
	if err != nil {
		return err
	}
	h := s.getHub()
	go func() {
		for id := range ch {
			h.notify(id)
		}
	}()
	return nil
}

func (s *Service) getHub() *hub {
	// The hub is made on first use; Service values are built as literals.
	s.hubOnce.Do(func() { s.hub = &hub{waiters: map[string]map[chan struct{}]struct{}{}} })
	return s.hub
}

func (h *hub) subscribe(id string) (chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.waiters[id] == nil {
		h.waiters[id] = map[chan struct{}]struct{}{}
	}
	h.waiters[id][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.waiters[id], ch)
		if len(h.waiters[id]) == 0 {
			delete(h.waiters, id)
		}
		h.mu.Unlock()
	}
}

func (h *hub) notify(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.all {
		select {
		case ch <- id:
		default:
		}
	}
	for ch := range h.waiters[id] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// changesBuffer is how many ids a Changes subscriber may fall behind by
// before ids are dropped for it.
const changesBuffer = 64

// Changes delivers the id of every account whose status changes, on any
// instance, until stop is called. Delivery is best effort, as the store's:
// a slow reader misses ids, so readers re-read what they watch now and
// then.
func (s *Service) Changes() (changes <-chan string, stop func()) {
	h := s.getHub()
	ch := make(chan string, changesBuffer)
	h.mu.Lock()
	if h.all == nil {
		h.all = map[chan string]struct{}{}
	}
	h.all[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.all, ch)
		h.mu.Unlock()
	}
}

// pending reports whether an account is still waiting for its user.
func pending(status string) bool {
	return status == store.StatusInitiated || status == "INITIALIZING"
}

// Wait returns the account as soon as it leaves INITIATED, or as it is
// once max has passed or ctx ends.
func (s *Service) Wait(ctx context.Context, projectID, id string, max time.Duration) (store.Account, error) {
	changed, unsubscribe := s.getHub().subscribe(id)
	defer unsubscribe()
	timeout := time.NewTimer(max)
	defer timeout.Stop()
	// Notifications can be missed (a reconnecting listener), so re-read
	// now and then as well.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		a, err := s.Get(ctx, projectID, id)
		if err != nil || !pending(a.Status) {
			return a, err
		}
		select {
		case <-changed:
		case <-tick.C:
		case <-timeout.C:
			return a, nil
		case <-ctx.Done():
			return a, nil
		}
	}
}
