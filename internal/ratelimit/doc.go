// Package ratelimit enforces each project's API request budget, and the
// budgets of tool executions per end user and per connected account
// (Execute): at most N per fixed window, counted in the store
// (store.HitRateWindow), so instances sharing one PostgreSQL database share
// the count without another service. A Report gathers every counter one
// request was counted on, so its answer carries the tightest's headers. It says what the Composio headers
// (X-RateLimit, X-RateLimit-Remaining, X-RateLimit-Window-Size and, on 429,
// Retry-After) carry.
//
// How exact it is: every request is counted by one atomic upsert on the
// project's row, so across instances no request is lost or counted twice
// and no more than N are let through in one window. Windows are fixed,
// multiples of the window length on every instance, so a burst straddling a boundary can see up to
// 2N in one window's length; instances' clocks decide which window a
// request falls in, and a clock behind the row's window counts toward it.
package ratelimit
