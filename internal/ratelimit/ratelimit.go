package ratelimit

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// Limiter counts a project's requests against Limit per Window. A nil
// *Limiter, or one with Limit 0, limits nothing.
type Limiter struct {
	Store  store.Store
	Limit  int64
	Window time.Duration
	Now    func() time.Time
}

// projectKey is the counter of a project's whole API.
const projectKey = "project"

// Decision is the state of a project's window after one request.
type Decision struct {
	Limit     int64
	Remaining int64
	Window    time.Duration
	// Reset is how long until the window ends.
	Reset time.Duration
	// Allowed reports whether the request is within the limit.
	Allowed bool
}

// Take counts one request of the project. A refused request is a
// problem.TooManyRequests error; either way the Decision says what the
// headers carry. With no limit set it returns a zero Decision, nil.
func (l *Limiter) Take(ctx context.Context, projectID string) (Decision, error) {
	if l == nil || l.Limit <= 0 {
		return Decision{}, nil
	}
	now := l.Now().UTC()
	start := now.Truncate(l.Window)
	hits, at, err := l.Store.HitRateWindow(ctx, projectID, projectKey, start)
	if err != nil {
		return Decision{}, fmt.Errorf("count request: %w", err)
	}
	d := Decision{Limit: l.Limit, Remaining: max(0, l.Limit-hits), Window: l.Window, Allowed: hits <= l.Limit}
	d.Reset = max(at.Add(l.Window).Sub(now), 0)
	if d.Allowed {
		return d, nil
	}
	return d, &problem.Error{Kind: problem.TooManyRequests, Code: "rate_limited",
		Message: fmt.Sprintf("Rate limit exceeded. Limit: %d requests per %s", l.Limit, l.Window),
		Fix:     fmt.Sprintf("wait %d seconds (Retry-After) before trying again", d.RetryAfter())}
}

// RetryAfter is the Retry-After value: whole seconds until the window
// resets, at least 1.
func (d Decision) RetryAfter() int64 {
	return max(1, int64((d.Reset+time.Second-1)/time.Second))
}

// SetHeaders writes the Composio rate-limit headers of d on h; Retry-After
// only when the request was refused. A zero Decision (no limit) writes
// none.
func (d Decision) SetHeaders(h http.Header) {
	if d.Limit == 0 {
		return
	}
	h.Set("X-RateLimit", strconv.FormatInt(d.Limit, 10))
	h.Set("X-RateLimit-Remaining", strconv.FormatInt(d.Remaining, 10))
	h.Set("X-RateLimit-Window-Size", strconv.FormatInt(int64(d.Window/time.Second), 10)+"s")
	if !d.Allowed {
		h.Set("Retry-After", strconv.FormatInt(d.RetryAfter(), 10))
	}
}
