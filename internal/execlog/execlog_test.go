package execlog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
)

func newStore(t *testing.T) store.Store { return newStoreB(t) }

func newStoreB(t testing.TB) store.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	st := store.Guard(s, sqlite.Unavailable)
	now := time.Now().UTC()
	if err := st.CreateProject(t.Context(), store.Project{ID: "p1", Name: "p", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return st
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func entry(id string, at time.Time) Entry {
	return Entry{Log: store.ExecutionLog{ID: id, ProjectID: "p1", ToolSlug: "GMAIL_SEND_EMAIL", ToolkitSlug: "gmail",
		Status: store.LogSuccess, StartedAt: at, EndedAt: at}}
}

// TestWriterGroupCommit: entries added from many goroutines are all
// stored, in fewer transactions than entries, and Close writes what is
// still queued.
func TestWriterGroupCommit(t *testing.T) {
	st := newStore(t)
	w := &Writer{store: st, logger: quiet, queue: make(chan Entry, 64), linger: time.Millisecond, done: make(chan struct{})}
	var mu sync.Mutex
	batches := 0
	w.flushed = func(int) { mu.Lock(); batches++; mu.Unlock() }
	go w.run()
	const n = 2000
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range n / 8 {
				w.Add(t.Context(), entry(fmt.Sprintf("log_%d_%d", g, i), time.Now()))
			}
		})
	}
	wg.Wait()
	if err := w.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.Add(t.Context(), entry("log_after_close", time.Now())) // dropped, and no panic
	got := 0
	err := store.Walk(func(c string) (store.Page[store.ExecutionLog], error) {
		return st.ListExecutionLogs(t.Context(), "p1", store.ExecutionLogFilter{Cursor: c, Limit: 100})
	}, func(store.ExecutionLog) error { got++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Errorf("stored %d logs, want %d", got, n)
	}
	if batches >= n {
		t.Errorf("%d transactions for %d logs: want batches", batches, n)
	}
	t.Logf("%d logs in %d transactions", n, batches)
}

// TestWriterRedacts: arguments, answers and errors are stored redacted,
// a large answer only as its size, and bad text made storable.
func TestWriterRedacts(t *testing.T) {
	st := newStore(t)
	w := NewWriter(st, quiet, 0)
	e := entry("log_1", time.Now())
	e.Arguments = map[string]any{"to": "bob@example.com", "api_key": "sk-live-123", "nested": map[string]any{"refresh_token": "rt-9"}}
	e.Response = Body([]byte(`{"id":"m1","access_token":"at-1","note":"open https://sb.example.com/link/lk_secret1 to connect"}`))
	e.Log.Error = "bad \x00byte and https://sb.example.com/link/lk_secret2"
	w.Add(t.Context(), e)
	big := entry("log_2", time.Now())
	big.Response = Body([]byte(`"` + strings.Repeat("x", MaxBody) + `"`))
	w.Add(t.Context(), big)
	if err := w.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetExecutionLog(t.Context(), "p1", "log_1")
	if err != nil {
		t.Fatal(err)
	}
	all := string(got.Arguments) + string(got.Response) + got.Error
	for _, secret := range []string{"sk-live-123", "rt-9", "at-1", "lk_secret1", "lk_secret2", "\x00"} {
		if strings.Contains(all, secret) {
			t.Errorf("stored log holds %q: %s", secret, all)
		}
	}
	for _, kept := range []string{"bob@example.com", `"id":"m1"`} {
		if !strings.Contains(all, kept) {
			t.Errorf("stored log lost %q: %s", kept, all)
		}
	}
	gotBig, err := st.GetExecutionLog(t.Context(), "p1", "log_2")
	if err != nil {
		t.Fatal(err)
	}
	var note map[string]any
	if err := json.Unmarshal(gotBig.Response, &note); err != nil || note["bytes"] != float64(MaxBody+2) {
		t.Errorf("large answer stored as %s, want a note of its %d bytes", gotBig.Response, MaxBody+2)
	}
}

// TestAddWaitsForRoom: a full queue makes Add wait, and a call that ends
// while waiting drops its record instead of blocking for good.
func TestAddWaitsForRoom(t *testing.T) {
	w := &Writer{logger: quiet, queue: make(chan Entry, 1), done: make(chan struct{})} // no writer goroutine
	w.Add(t.Context(), entry("log_1", time.Now()))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	go func() { w.Add(ctx, entry("log_2", time.Now())); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Add on a full queue did not return when its context ended")
	}
	if len(w.queue) != 1 {
		t.Errorf("queue holds %d entries, want 1", len(w.queue))
	}
}

func TestSweep(t *testing.T) {
	st := newStore(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var logs []store.ExecutionLog
	for i := range 2500 {
		logs = append(logs, entry(fmt.Sprintf("log_old_%d", i), now.Add(-48*time.Hour)).Log)
	}
	logs = append(logs, entry("log_new", now.Add(-time.Hour)).Log)
	if err := st.AppendExecutionLogs(t.Context(), logs); err != nil {
		t.Fatal(err)
	}
	s := &Service{Store: st, Logger: quiet, Now: func() time.Time { return now }, Retention: 24 * time.Hour}
	n, err := s.Sweep(t.Context())
	if err != nil || n != 2500 {
		t.Fatalf("Sweep = %d, %v; want 2500 deleted", n, err)
	}
	page, err := st.ListExecutionLogs(t.Context(), "p1", store.ExecutionLogFilter{})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != "log_new" {
		t.Errorf("after the sweep: %+v, %v; want log_new only", page.Items, err)
	}
}

func TestSearchValidate(t *testing.T) {
	tests := []struct {
		q     Search
		field string // "" for a valid search
	}{
		{Search{}, ""},
		{Search{Limit: 101}, "limit"},
		{Search{Conditions: []store.Condition{{Field: "sandbox_id", Op: "==", Value: "x"}}}, "filters[0].field"},
		{Search{Conditions: []store.Condition{{Field: "tool_slug", Op: "==", Value: "X"}, {Field: "colour", Op: "==", Value: "x"}}}, "filters[1].field"},
		{Search{Conditions: []store.Condition{{Field: "tool_slug", Op: "=~", Value: "x"}}}, "filters[0].operator"},
		{Search{Conditions: []store.Condition{{Field: "status", Op: "==", Value: "error"}}}, "filters[0].value"},
		{Search{From: time.Unix(10, 0), To: time.Unix(5, 0)}, "time_range"},
	}
	for _, tt := range tests {
		err := tt.q.Validate()
		p, _ := problem.As(err)
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("Validate(%+v) = %v, want nil", tt.q, err)
		case tt.field != "" && (p == nil || p.Field != tt.field || p.Kind != problem.Invalid):
			t.Errorf("Validate(%+v) = %v, want an invalid %s", tt.q, err, tt.field)
		}
	}
}

// slowStore is a real store whose log writes wait until released.
type slowStore struct {
	store.Store
	release chan struct{}
}

func (s slowStore) AppendExecutionLogs(ctx context.Context, logs []store.ExecutionLog) error {
	<-s.release
	return s.Store.AppendExecutionLogs(ctx, logs)
}

// TestAddDoesNotWaitForTheStore: while the database is slow to write, Add
// returns at once (up to the queue's size), and the records are written
// once it answers.
func TestAddDoesNotWaitForTheStore(t *testing.T) {
	st := slowStore{Store: newStore(t), release: make(chan struct{})}
	w := NewWriter(st, quiet, 100)
	done := make(chan struct{})
	go func() {
		for i := range 50 {
			w.Add(t.Context(), entry(fmt.Sprintf("log_%d", i), time.Now()))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Add waited for the store's write")
	}
	close(st.release)
	if err := w.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	page, err := st.ListExecutionLogs(t.Context(), "p1", store.ExecutionLogFilter{Limit: 100})
	if err != nil || len(page.Items) != 50 {
		t.Errorf("stored %d logs (%v), want 50", len(page.Items), err)
	}
}
