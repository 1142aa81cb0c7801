package api

import (
	"bytes"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// This file is the one parser of what a request carries outside its JSON
// body (the path and the query), and the text rule for the body: every
// handler reads its parameters through these functions, so a value is
// either what the caller meant or a 400 that names the field.

// checkRequest refuses a request whose path or query holds text no store
// can keep (a NUL byte or invalid UTF-8) or a query that does not parse,
// before any handler sees it.
func checkRequest(r *http.Request) error {
	if err := checkText("path", r.URL.Path); err != nil {
		return err
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return problem.Invalidf("invalid_request", "", "the query string is not valid URL encoding: %v", err).
			WithFix("Percent-encode query values (RFC 3986)")
	}
	for name, values := range q {
		if err := checkText("query parameter name", name); err != nil {
			return err
		}
		for _, v := range values {
			if err := checkText(name, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkText refuses s, the value of field, when the store would refuse it
// (store.BadText).
func checkText(field, s string) error {
	if why := store.BadText(s); why != "" {
		return problem.Invalidf("invalid_text", field, "%s %s, which no field accepts", field, why).
			WithFix("Send %s as UTF-8 text without NUL characters (%%00 or \\u0000)", field)
	}
	return nil
}

// checkBody refuses a JSON body that is not UTF-8 or that holds an escaped
// NUL (\u0000) in any string. encoding/json would turn invalid UTF-8 into
// U+FFFD silently and keep the NUL, so both are checked on the bytes.
func checkBody(raw []byte) error {
	if !utf8.Valid(raw) {
		return problem.Invalidf("invalid_text", "", "the request body is not valid UTF-8 text").
			WithFix("Encode the JSON body as UTF-8")
	}
	// Outside strings valid JSON has no backslash; inside, each escape is
	// a backslash and the character after it, so stepping over pairs
	// finds every escaped NUL and never the text "\\u0000".
	for i := bytes.IndexByte(raw, '\\'); i >= 0 && i+1 < len(raw); {
		if raw[i+1] == 'u' && bytes.HasPrefix(raw[i+2:], []byte("0000")) {
			return problem.Invalidf("invalid_text", "", "the request body holds a NUL character (\\u0000) at byte %d, which no field accepts", i).
				WithFix("Remove the \\u0000 escape from the JSON body")
		}
		next := bytes.IndexByte(raw[i+2:], '\\')
		if next < 0 {
			break
		}
		i += 2 + next
	}
	return nil
}

// csv splits a comma-joined query parameter, as the SDKs send arrays.
func csv(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// limit reads the limit parameter: a whole number from 1 to max, def when
// absent. The Python SDK sends "10.0", so a whole number written as a
// decimal is taken; NaN, infinities, fractions and values out of range
// are refused, never clamped.
func limit(r *http.Request, def, max int) (int, error) {
	raw := r.URL.Query().Get("limit")
	if raw == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || f != math.Trunc(f) || f < 1 || f > float64(max) {
		return 0, problem.Invalidf("invalid_request", "limit", "limit must be a whole number from 1 to %d, got %q", max, raw).
			WithFix("Pass a whole number from 1 to %d and follow next_cursor for more", max)
	}
	return int(f), nil
}

// seconds reads an optional duration parameter given in seconds (a finite
// number from 0 to max); ok is false when it is absent.
func seconds(r *http.Request, name string, max time.Duration) (d time.Duration, ok bool, err error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return 0, false, nil
	}
	f, perr := strconv.ParseFloat(raw, 64)
	if perr != nil || math.IsNaN(f) || f < 0 || f > max.Seconds() {
		return 0, false, problem.Invalidf("invalid_request", name, "%s must be a number of seconds from 0 to %s, got %q",
			name, strconv.FormatFloat(max.Seconds(), 'f', -1, 64), raw)
	}
	return time.Duration(f * float64(time.Second)), true, nil
}

// boolParam reads an optional boolean query parameter.
func boolParam(r *http.Request, name string) (*bool, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return nil, problem.Invalidf("invalid_request", name, "%s must be true or false, got %q", name, raw)
	}
	return &b, nil
}
