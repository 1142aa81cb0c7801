package ratelimit

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// Limiter counts requests against Limit per Window on one counter per
// project (Take) or per project and id (TakeFor: an end user, a connected
// account). A nil *Limiter, or one with Limit 0, limits nothing.
type Limiter struct {
	Store  store.Store
	Limit  int64
	Window time.Duration
	Now    func() time.Time
	// Scope names what TakeFor counts per id, "user" or "account"; it
	// prefixes the counter's key and names the limit in a refusal.
	Scope string
}

// projectKey is the counter of a project's whole API.
const projectKey = "project"

// Decision is the state of a counter's window after one request.
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
// headers carry, and it is added to ctx's Report if there is one. With no
// limit set it returns a zero Decision, nil.
func (l *Limiter) Take(ctx context.Context, projectID string) (Decision, error) {
	if l == nil || l.Limit <= 0 {
		return Decision{}, nil
	}
	return l.take(ctx, projectID, projectKey, fmt.Sprintf("Rate limit exceeded. Limit: %d requests per %s", l.Limit, l.Window))
}

// TakeFor counts one call of the project's l.Scope id, such as a user id
// or a connected account id, as Take counts the project's requests. An
// empty id (a call with no user, a toolkit with no account) is not
// counted.
func (l *Limiter) TakeFor(ctx context.Context, projectID, id string) (Decision, error) {
	if l == nil || l.Limit <= 0 || id == "" {
		return Decision{}, nil
	}
	return l.take(ctx, projectID, l.Scope+":"+id,
		fmt.Sprintf("Rate limit exceeded for %s %s. Limit: %d tool executions per %s", l.Scope, id, l.Limit, l.Window))
}

func (l *Limiter) take(ctx context.Context, projectID, key, refusal string) (Decision, error) {
	now := l.Now().UTC()
	start := now.Truncate(l.Window)
	hits, at, err := l.Store.HitRateWindow(ctx, projectID, key, start)
	if err != nil {
		return Decision{}, fmt.Errorf("count request: %w", err)
	}
	d := Decision{Limit: l.Limit, Remaining: max(0, l.Limit-hits), Window: l.Window, Allowed: hits <= l.Limit}
	d.Reset = max(at.Add(l.Window).Sub(now), 0)
	if r, ok := ctx.Value(reportKey{}).(*Report); ok {
		r.add(d)
	}
	if d.Allowed {
		return d, nil
	}
	return d, &problem.Error{Kind: problem.TooManyRequests, Code: "rate_limited", Message: refusal,
		Fix: fmt.Sprintf("wait %d seconds (Retry-After) before trying again", d.RetryAfter())}
}

// Execute are the budgets of tool executions per end user and per
// connected account (SWITCHBOARD_RATE_LIMIT_USER, _ACCOUNT). A nil
// *Execute limits nothing.
type Execute struct {
	User    *Limiter
	Account *Limiter
}

// Take counts one tool execution of the user and of the account (either
// may be empty: not counted) and returns the first refusal. Both are
// counted even when one refuses, as refused requests are.
func (e *Execute) Take(ctx context.Context, projectID, userID, accountID string) error {
	if e == nil {
		return nil
	}
	_, errUser := e.User.TakeFor(ctx, projectID, userID)
	_, errAccount := e.Account.TakeFor(ctx, projectID, accountID)
	if errUser != nil {
		return errUser
	}
	return errAccount
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

type reportKey struct{}

// Report collects the decisions of every counter one request was counted
// on (the project's, then its tool execution's user and account), so
// that its answer carries the headers of the tightest.
type Report struct {
	mu   sync.Mutex
	best Decision
}

// WithReport returns a context whose counts are added to the returned
// Report.
func WithReport(ctx context.Context) (context.Context, *Report) {
	r := &Report{}
	return context.WithValue(ctx, reportKey{}, r), r
}

func (r *Report) add(d Decision) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if tighter(d, r.best) {
		r.best = d
	}
}

// tighter reports whether a says more than b: a refusal over an allowance,
// then fewer requests left, then a later reset. Any decision is tighter
// than none.
func tighter(a, b Decision) bool {
	switch {
	case b.Limit == 0:
		return a.Limit != 0
	case a.Allowed != b.Allowed:
		return !a.Allowed
	case a.Remaining != b.Remaining:
		return a.Remaining < b.Remaining
	}
	return a.Reset > b.Reset
}

// ReportOf returns the Report of ctx (WithReport), if it has one.
func ReportOf(ctx context.Context) (*Report, bool) {
	r, ok := ctx.Value(reportKey{}).(*Report)
	return r, ok
}

// Tightest is the decision the request's headers carry; zero when no
// limit counted it.
func (r *Report) Tightest() Decision {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.best
}
