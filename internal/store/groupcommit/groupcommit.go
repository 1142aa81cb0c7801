// Package groupcommit writes what concurrent callers hand it in shared
// transactions: while one batch commits, the next gathers, so under load
// many inserts pay for one commit and one round trip, and a caller alone
// waits for nothing but its own write.
//
// The commit delay. Callers that arrive further apart than a commit takes
// (closed-loop clients across a network, each with its own request to
// parse) would each find the worker idle and pay a commit of their own.
// So, like PostgreSQL's commit_delay and commit_siblings, a worker that
// takes a batch smaller than its maximum waits up to the Writer's delay
// for more, but only while writes are concurrent: when two Write calls
// were in progress at once within the last concurrentWindow. A caller
// alone, one write after another, is never in progress with another, so
// its write goes at once, as without a delay. The wait ends early when
// the batch is full.
//
// It is for writes whose caller must know they are durable before it
// answers (creating a session), unlike the execution log, which is written
// behind the call's back.
package groupcommit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// concurrentWindow is how long after two writes were last in progress at
// once a worker still waits for a batch to fill.
var concurrentWindow = time.Millisecond

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
	delay   time.Duration
	timeout time.Duration

	epoch    time.Time    // overlap counts from here
	inflight atomic.Int64 // Write calls in progress
	overlap  atomic.Int64 // nanoseconds from epoch to when two were last in progress at once
	waits    atomic.Int64 // batches that waited for more: for tests

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
// to max items; each batch gets timeout to commit. delay is the longest a
// worker waits for a batch to fill while writes are concurrent (see the
// package doc); zero never waits.
func New[T any](workers, max int, delay, timeout time.Duration, many func(context.Context, []T) error, one func(context.Context, T) error) *Writer[T] {
	w := &Writer[T]{many: many, one: one, max: max, delay: delay, timeout: timeout, in: make(chan *op[T], max*workers), epoch: time.Now()}
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
	if w.inflight.Add(1) > 1 {
		w.overlap.Store(int64(time.Since(w.epoch)))
	}
	defer w.inflight.Add(-1)
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
	var timer *time.Timer
	for first := range w.in {
		batch = append(batch[:0], first)
		// Take what is already waiting, never more than max; while
		// writes are concurrent, wait up to delay for more.
		batch = w.fill(batch, nil)
		if len(batch) < w.max && w.delay > 0 && w.concurrent() {
			w.waits.Add(1)
			if timer == nil {
				timer = time.NewTimer(w.delay)
			} else {
				timer.Reset(w.delay)
			}
			batch = w.fill(batch, timer.C)
			timer.Stop()
		}
		items = items[:0]
		for _, o := range batch {
			items = append(items, o.item)
		}
		w.write(batch, items)
		clear(items) // let the items go
	}
}

// fill adds to batch what comes in until the batch holds max or in is
// closed, and, with until nil, until nothing more is waiting, or else
// until until fires.
func (w *Writer[T]) fill(batch []*op[T], until <-chan time.Time) []*op[T] {
	for len(batch) < w.max {
		var o *op[T]
		var ok bool
		if until == nil {
			select {
			case o, ok = <-w.in:
			default:
				return batch
			}
		} else {
			select {
			case o, ok = <-w.in:
			case <-until:
				return batch
			}
		}
		if !ok {
			return batch
		}
		batch = append(batch, o)
	}
	return batch
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

// concurrent reports whether two Write calls were in progress at once
// within the last concurrentWindow.
func (w *Writer[T]) concurrent() bool {
	at := w.overlap.Load()
	return at != 0 && time.Duration(int64(time.Since(w.epoch))-at) < concurrentWindow
}

// try runs fn with the Writer's timeout.
func (w *Writer[T]) try(fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), w.timeout)
	defer cancel()
	return fn(ctx)
}
