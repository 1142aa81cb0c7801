package toolkits

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Throttle is an upstream's refusal of a call for its rate limit.
type Throttle struct {
	// RetryAfter is how long the upstream asked to wait, zero or more;
	// meaningful when HasRetry.
	RetryAfter time.Duration
	// HasRetry reports whether the upstream said when to retry.
	HasRetry bool
}

// unixTimeFloor tells X-RateLimit-Reset as a Unix time (GitHub, Twitter)
// from one as seconds to wait (some APIs send that under the same name):
// no wait is a billion seconds (31 years).
const unixTimeFloor = 1e9

// Throttled reports whether an answer refuses a call for the upstream's
// rate limit: HTTP 429 (RFC 6585 §4), or GitHub's 403 with
// X-RateLimit-Remaining 0. When it does, the Throttle says when to retry,
// the first of these the answer has:
//
//   - Retry-After, seconds or an HTTP date (RFC 9110 §10.2.3);
//   - RateLimit-Reset or X-RateLimit-Reset-After, seconds to wait
//     (the IETF RateLimit header fields draft; Discord);
//   - X-RateLimit-Reset, a Unix time in seconds (GitHub), or seconds to
//     wait when smaller than a billion.
//
// A date or Unix time in the past is a wait of zero; a value that does not
// parse is skipped.
func Throttled(status int, h http.Header, now time.Time) (Throttle, bool) {
	if status != http.StatusTooManyRequests && (status != http.StatusForbidden || strings.TrimSpace(h.Get("X-RateLimit-Remaining")) != "0") {
		return Throttle{}, false
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			return Throttle{RetryAfter: seconds(float64(n)), HasRetry: true}, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return Throttle{RetryAfter: max(t.Sub(now), 0), HasRetry: true}, true
		}
	}
	for _, k := range []string{"RateLimit-Reset", "X-RateLimit-Reset-After"} {
		if f, ok := number(h.Get(k)); ok {
			return Throttle{RetryAfter: seconds(f), HasRetry: true}, true
		}
	}
	if f, ok := number(h.Get("X-RateLimit-Reset")); ok {
		if f >= unixTimeFloor {
			sec, frac := math.Modf(f)
			at := time.Unix(int64(sec), int64(frac*1e9))
			return Throttle{RetryAfter: max(at.Sub(now), 0), HasRetry: true}, true
		}
		return Throttle{RetryAfter: seconds(f), HasRetry: true}, true
	}
	return Throttle{}, true
}

// RetryAfterSeconds is the wait in whole seconds, rounded up.
func (t Throttle) RetryAfterSeconds() int64 {
	return int64((t.RetryAfter + time.Second - 1) / time.Second)
}

// number parses a non-negative decimal number up to 1e11 (a Unix time
// three thousand years on); anything else is not one.
func number(v string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f > 1e11 {
		return 0, false
	}
	return f, true
}

func seconds(f float64) time.Duration {
	return time.Duration(f * float64(time.Second))
}
