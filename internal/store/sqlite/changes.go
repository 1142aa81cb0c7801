package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// subscriberBuffer is how many ids a subscriber may fall behind by before
// ids are dropped for it. Delivery is best effort: waiters re-read the
// account, so a dropped id only delays a waiter until its next poll.
const subscriberBuffer = 64

// broadcaster fans account ids out to AccountChanges subscribers in this
// process. It is fed after commit, so a subscriber never sees an id before
// the change is readable.
type broadcaster struct {
	mu     sync.Mutex
	subs   map[chan string]struct{}
	closed bool
}

// errClosed reports a call on a closed Store.
var errClosed = errors.New("store closed")

func newBroadcaster() *broadcaster {
	return &broadcaster{subs: make(map[chan string]struct{})}
}

// subscribe returns a channel of ids that is closed when ctx ends or the
// broadcaster is closed, whichever comes first.
func (b *broadcaster) subscribe(ctx context.Context) (<-chan string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errClosed
	}
	ch := make(chan string, subscriberBuffer)
	b.subs[ch] = struct{}{}
	context.AfterFunc(ctx, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		// publish sends under mu, so no send can follow this close; close
		// may have closed ch already.
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	})
	return ch, nil
}

// close closes every subscriber's channel and refuses new subscribers.
func (b *broadcaster) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}

// publish sends ids to every subscriber without blocking: a full channel
// misses them.
func (b *broadcaster) publish(ids ...string) {
	if len(ids) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		for _, id := range ids {
			select {
			case ch <- id:
			default:
			}
		}
	}
}

// AccountChanges delivers the ids of accounts whose status changed through
// UpdateAccount or FailStaleAccounts on this Store, until ctx ends or the
// Store is closed. It is subscribed when it returns. Only this process is
// covered; see the package doc.
func (s *Store) AccountChanges(ctx context.Context) (<-chan string, error) {
	ch, err := s.changes.subscribe(ctx)
	if err != nil {
		return nil, fmt.Errorf("subscribe to account changes: %w", err)
	}
	return ch, nil
}
