package toolkits

import (
	"net/http"
	"testing"
	"time"
)

func TestThrottled(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	for _, tc := range []struct {
		name      string
		status    int
		h         http.Header
		throttled bool
		hasRetry  bool
		seconds   int64
	}{
		{"429 with seconds", 429, hdr("Retry-After", "30"), true, true, 30},
		{"429 with an HTTP date", 429, hdr("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat)), true, true, 90},
		{"429 with a past date", 429, hdr("Retry-After", now.Add(-time.Hour).Format(http.TimeFormat)), true, true, 0},
		{"429 with a Unix reset", 429, hdr("X-RateLimit-Reset", "1796644845"), true, true, 45}, // now + 45s
		{"429 with seconds to reset", 429, hdr("X-RateLimit-Reset", "12"), true, true, 12},
		{"429 with RateLimit-Reset", 429, hdr("RateLimit-Reset", "7"), true, true, 7},
		{"429 with a fractional reset-after", 429, hdr("X-RateLimit-Reset-After", "1.2"), true, true, 2},
		{"Retry-After wins", 429, hdr("Retry-After", "5", "X-RateLimit-Reset", "1796644845"), true, true, 5},
		{"a bad Retry-After falls through", 429, hdr("Retry-After", "soon", "RateLimit-Reset", "3"), true, true, 3},
		{"429 saying nothing", 429, hdr(), true, false, 0},
		{"429 with nonsense", 429, hdr("Retry-After", "-4", "X-RateLimit-Reset", "NaN"), true, false, 0},
		{"GitHub's 403", 403, hdr("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1796644805"), true, true, 5},
		{"a plain 403", 403, hdr("X-RateLimit-Reset", "1796644805"), false, false, 0},
		{"a 503 with Retry-After", 503, hdr("Retry-After", "30"), false, false, 0},
		{"200", 200, hdr("X-RateLimit-Remaining", "0"), false, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th, ok := Throttled(tc.status, tc.h, now)
			if ok != tc.throttled || th.HasRetry != tc.hasRetry || th.RetryAfterSeconds() != tc.seconds {
				t.Errorf("got %v %+v (%ds), want throttled %v, retry known %v, %ds", ok, th, th.RetryAfterSeconds(), tc.throttled, tc.hasRetry, tc.seconds)
			}
		})
	}
}
