package groupcommit

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// recorder is a store of ints that refuses odd ones, and records the
// batches it was given.
type recorder struct {
	mu      sync.Mutex
	stored  []int
	batches [][]int
	gate    chan struct{} // when set, writes wait for it
	started chan struct{} // a write waiting at the gate sends on it
}

func gated() *recorder {
	return &recorder{gate: make(chan struct{}), started: make(chan struct{}, 1)}
}

var errOdd = errors.New("odd")

func (r *recorder) many(_ context.Context, items []int) error {
	r.wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, slices.Clone(items))
	for _, it := range items {
		if it%2 == 1 {
			return errOdd // all or nothing
		}
	}
	r.stored = append(r.stored, items...)
	return nil
}

func (r *recorder) one(ctx context.Context, item int) error {
	r.wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	if item%2 == 1 {
		return errOdd
	}
	r.stored = append(r.stored, item)
	return nil
}

func (r *recorder) wait() {
	if r.gate != nil {
		select {
		case r.started <- struct{}{}:
		default:
		}
		<-r.gate
	}
}

func TestWritesGatherWhileOneCommits(t *testing.T) {
	r := gated()
	w := New(1, 8, 0, time.Minute, r.many, r.one)
	defer w.Close()
	errs := make([]error, 17)
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = w.Write(t.Context(), 0) }) // blocks the worker at the gate
	<-r.started                                         // the worker holds item 0
	for i := 1; i < len(errs); i++ {
		wg.Go(func() { errs[i] = w.Write(t.Context(), 2*i) })
	}
	for len(w.in) != cap(w.in) {
		time.Sleep(time.Millisecond) // the queue is full, the rest wait to enter it
	}
	close(r.gate)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	if len(r.stored) != len(errs) {
		t.Errorf("stored %d items, want %d", len(r.stored), len(errs))
	}
	// Item 0 went alone; the sixteen that queued meanwhile went in
	// batches of at most eight, the first of them full.
	var sizes []int
	for _, b := range r.batches {
		sizes = append(sizes, len(b))
	}
	if len(sizes) == 0 || sizes[0] != 8 || slices.Max(sizes) > 8 {
		t.Errorf("batches of %v, want a full first batch of 8 and none larger", sizes)
	}
}

func TestFailedBatchAnswersEachWrite(t *testing.T) {
	r := gated()
	w := New(1, 16, 0, time.Minute, r.many, r.one)
	defer w.Close()
	errs := make([]error, 9)
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = w.Write(t.Context(), 0) })
	<-r.started
	for i := 1; i < len(errs); i++ {
		wg.Go(func() { errs[i] = w.Write(t.Context(), i) }) // odd ones fail
	}
	for len(w.in) != len(errs)-1 {
		time.Sleep(time.Millisecond)
	}
	close(r.gate)
	wg.Wait()
	for i, err := range errs {
		if want := i%2 == 1; (err != nil) != want || (want && !errors.Is(err, errOdd)) {
			t.Errorf("write %d: %v, want failure %v", i, err, want)
		}
	}
	slices.Sort(r.stored)
	if want := []int{0, 2, 4, 6, 8}; !slices.Equal(r.stored, want) {
		t.Errorf("stored %v, want %v", r.stored, want)
	}
}

func TestClose(t *testing.T) {
	r := &recorder{}
	w := New(2, 4, 0, time.Minute, r.many, r.one)
	if err := w.Write(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
	w.Close()
	w.Close() // twice is fine
	if err := w.Write(t.Context(), 4); !errors.Is(err, ErrClosed) {
		t.Errorf("write after Close: %v, want ErrClosed", err)
	}
	if !slices.Equal(r.stored, []int{2}) {
		t.Errorf("stored %v", r.stored)
	}
}

func TestDoneBeforeHandover(t *testing.T) {
	r := gated()
	w := New(1, 1, 0, time.Minute, r.many, r.one)
	defer w.Close()
	defer close(r.gate)
	go w.Write(t.Context(), 0) // the worker waits at the gate
	<-r.started
	go w.Write(t.Context(), 2) // fills the queue of one
	for len(w.in) != 1 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if err := w.Write(ctx, 4); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("write with a full queue: %v, want the context's error", err)
	}
}

// A caller alone never waits for a batch to fill, however long the delay.
func TestDelayAloneGoesAtOnce(t *testing.T) {
	r := &recorder{}
	w := New(1, 8, time.Hour, time.Minute, r.many, r.one)
	defer w.Close()
	for i := range 20 {
		if err := w.Write(t.Context(), 2*i); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.waits.Load(); n != 0 {
		t.Errorf("%d batches waited for more, want none for a caller alone", n)
	}
	if len(r.stored) != 20 {
		t.Errorf("stored %d items, want 20", len(r.stored))
	}
}

// While writes are concurrent, a batch that is not full waits for more:
// three writes queued behind a commit do not go as a batch of three, but
// with the fourth that comes after them.
func TestDelayGathersWhileConcurrent(t *testing.T) {
	// The test's polling takes longer than the window; widen it.
	old := concurrentWindow
	concurrentWindow = time.Hour
	t.Cleanup(func() { concurrentWindow = old })
	r := gated()
	w := New(1, 4, time.Hour, time.Minute, r.many, r.one)
	defer w.Close()
	var wg sync.WaitGroup
	errs := make([]error, 5)
	wg.Go(func() { errs[0] = w.Write(t.Context(), 0) })
	<-r.started // the worker holds item 0
	for i := 1; i < 4; i++ {
		wg.Go(func() { errs[i] = w.Write(t.Context(), 2*i) })
	}
	for len(w.in) != 3 {
		time.Sleep(time.Millisecond)
	}
	close(r.gate)
	for w.waits.Load() == 0 {
		time.Sleep(time.Millisecond) // the worker waits with three
	}
	wg.Go(func() { errs[4] = w.Write(t.Context(), 8) })
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	var sizes []int
	for _, b := range r.batches {
		sizes = append(sizes, len(b))
	}
	if !slices.Equal(sizes, []int{4}) { // item 0 went alone, through one
		t.Errorf("batches of %v, want one batch of 4", sizes)
	}
}
