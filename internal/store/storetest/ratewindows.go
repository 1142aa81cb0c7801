package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// testRateWindows: a counter counts within its window, starts again at one
// in a later window, counts an earlier start toward its own window, keeps
// keys and projects apart, and loses no hit among parallel callers.
func testRateWindows(t *testing.T, s store.Store) {
	ctx := t.Context()
	p1 := mustCreateProject(t, s, newProject("proj_rate1"))
	p2 := mustCreateProject(t, s, newProject("proj_rate2"))
	// Window starts are kept to the millisecond.
	w0, w1 := at(10).Truncate(time.Millisecond), at(11).Truncate(time.Millisecond)
	hit := func(project, key string, start time.Time, wantHits int64, wantStart time.Time) {
		t.Helper()
		n, got, err := s.HitRateWindow(ctx, project, key, start)
		wantNoErr(t, "HitRateWindow", err)
		if n != wantHits || !got.Equal(wantStart) || got.Location() != time.UTC {
			t.Fatalf("HitRateWindow(%s, %s, %v): got %d at %v, want %d at %v (UTC)", project, key, start, n, got, wantHits, wantStart)
		}
	}
	hit(p1.ID, "project", w0, 1, w0)
	hit(p1.ID, "project", w0, 2, w0)
	hit(p1.ID, "user:a", w0, 1, w0)  // another key
	hit(p2.ID, "project", w0, 1, w0) // another project
	hit(p1.ID, "project", w1, 1, w1) // the next window starts over
	hit(p1.ID, "project", w0, 2, w1) // a clock behind counts toward the current window
	hit(p1.ID, "project", w1, 3, w1) // and the window goes on
	hit(p2.ID, "project", w0, 2, w0) // untouched by p1's windows
	hit(p1.ID, "user:a", w0, 2, w0)  // nor by its other keys
	wantErr(t, "HitRateWindow with a NUL key", func() error {
		_, _, err := s.HitRateWindow(ctx, p1.ID, "a\x00b", w0)
		return err
	}(), store.ErrInvalid)

	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Go(func() {
			for range each {
				if _, _, err := s.HitRateWindow(ctx, p2.ID, "parallel", w0); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("parallel HitRateWindow: %v", err)
	}
	hit(p2.ID, "parallel", w0, workers*each+1, w0)
}
