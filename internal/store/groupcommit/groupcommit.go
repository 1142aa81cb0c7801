// Package groupcommit writes what concurrent callers hand it in shared
// transactions: while one batch commits, the next gathers, so under load
// many inserts pay for one commit and one round trip, and a caller alone
// waits for nothing but its own write.
//
// It is for writes whose caller must know they are durable before it
// answers (creating a session), unlike the execution log, which is written
// behind the call's back.
package groupcommit

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrClosed is returned to a caller that hands a write to a closed Writer.
var ErrClosed = errors.New("groupcommit: writer closed")

// Writer gathers items and writes them with its functions. The zero value
// is not usable; call New.
type Writer[T any] struct {
	// many writes a batch of two or more items in one transaction: all of
	// them or none.
	many func(ctx context.Context, items []T) error
	// one writes a single item; a batch that failed is written again item
	// by item, so that each caller gets its own item's error.
	one func(ctx context.Context, item T) error

	max     int
	timeout time.Duration

	in     chan *op[T]
	mu     sync.RWMutex // held for reading while sending on in; Close takes it to close in
	closed bool
	done   sync.WaitGroup
}

type op[T any] struct {
	item T
	err  chan error
}

// New starts a Writer with workers goroutines, each writing batches of up
// to max items; each batch gets timeout to commit.
func New[T any](workers, max int, timeout time.Duration, many func(context.Context, []T) error, one func(context.Context, T) error) *Writer[T] {
	w := &Writer[T]{many: many, one: one, max: max, timeout: timeout, in: make(chan *op[T], max*workers)}
	w.done.Add(workers)
	for range workers {
		go w.run()
	}
	return w
}

// Write hands item to the next batch and waits until it is committed or
// has failed. Once handed over, the write runs to its end even when ctx is
// done first, so that a caller never returns an error for a write that
// then commits; ctx only bounds the wait to hand it over.
func (w *Writer[T]) Write(ctx context.Context, item T) error {
	o := &op[T]{item: item, err: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.in <- o:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	return <-o.err
}

// Close writes what was handed over and stops the workers.
func (w *Writer[T]) Close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.in)
	}
	w.mu.Unlock()
	w.done.Wait()
}

func (w *Writer[T]) run() {
	defer w.done.Done()
	batch := make([]*op[T], 0, w.max)
	items := make([]T, 0, w.max)
	for first := range w.in {
		batch = append(batch[:0], first)
		// Take what is already waiting, never more than max, and never
		// wait for more: a write alone goes at once.
	gather:
		for len(batch) < w.max {
			select {
			case o, ok := <-w.in:
				if !ok {
					break gather
				}
				batch = append(batch, o)
			default:
				break gather
			}
		}
		items = items[:0]
		for _, o := range batch {
			items = append(items, o.item)
		}
		w.write(batch, items)
		clear(items) // let the items go
	}
}

func (w *Writer[T]) write(batch []*op[T], items []T) {
	if len(batch) > 1 && w.try(func(ctx context.Context) error { return w.many(ctx, items) }) == nil {
		for _, o := range batch {
			o.err <- nil
		}
		return
	}
	for _, o := range batch {
		o.err <- w.try(func(ctx context.Context) error { return w.one(ctx, o.item) })
	}
}

// try runs fn with the Writer's timeout.
func (w *Writer[T]) try(fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), w.timeout)
	defer cancel()
	return fn(ctx)
}
