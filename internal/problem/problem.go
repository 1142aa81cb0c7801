// Package problem is the typed error that domain packages return for a
// request that cannot be served as asked: what kind of failure it is, a
// stable machine code, a message a person can act on, and a suggested fix.
// The api package turns it into the JSON error body; the wrapped cause is
// logged and never sent.
package problem

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// Kind says which class of failure an Error is; the api maps it to a status.
type Kind int

// Kinds of failure.
const (
	// Invalid means the request itself is wrong (400).
	Invalid Kind = iota
	// NotFound means the thing named does not exist for this caller (404).
	NotFound
	// Unauthenticated means no valid API key was given (401).
	Unauthenticated
	// Forbidden means the caller may not do this (403).
	Forbidden
	// Gone means the thing existed but can no longer be used (410).
	Gone
	// Unavailable means a dependency failed; the request may be retried (503).
	Unavailable
	// TooManyRequests means a rate limit refused the request; it may be
	// retried once the window resets (429).
	TooManyRequests
)

// Error is a failure with a message fit to show the caller.
type Error struct {
	Kind Kind
	// Code is a stable snake_case slug such as "connected_account_not_found".
	Code string
	// Message says what went wrong, in words a person can act on.
	Message string
	// Fix suggests what to do instead; it may be empty.
	Fix string
	// Field names the request field at fault, if one is.
	Field string
	// Err is the underlying cause; it is logged, never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Invalidf returns an Invalid error about a request field.
func Invalidf(code, field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a NotFound error.
func NotFoundf(code, format string, args ...any) *Error {
	return &Error{Kind: NotFound, Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithFix returns e with a suggested fix.
func (e *Error) WithFix(format string, args ...any) *Error {
	e.Fix = fmt.Sprintf(format, args...)
	return e
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	return errors.AsType[*Error](err)
}

// StoreUnavailable is the code of a request refused because the database
// did not answer; the request may be retried after RetryAfter.
const StoreUnavailable = "store_unavailable"

// RetryAfter is how long a caller refused with StoreUnavailable should wait
// before trying again.
const RetryAfter = 2 * time.Second

// Of returns err as an *Error when it is one or when it is one of the
// store's sentinels that mean the same to every caller: ErrNotFound (404),
// ErrInvalid (400: text the store refuses, such as a NUL byte) and
// ErrUnavailable (503 store_unavailable). Anything else is not for the
// caller to see: ok is false.
func Of(err error) (p *Error, ok bool) {
	if p, ok := As(err); ok {
		return p, true
	}
	switch {
	case errors.Is(err, store.ErrUnavailable):
		return &Error{Kind: Unavailable, Code: StoreUnavailable, Err: err,
			Message: "the database is not answering; nothing was changed, try again in a moment"}, true
	case errors.Is(err, store.ErrInvalid):
		msg := err.Error()
		if _, after, found := strings.Cut(msg, store.ErrInvalid.Error()+": "); found {
			msg = after
		}
		return &Error{Kind: Invalid, Code: "invalid_request", Err: err,
			Message: "the request holds a value that cannot be stored: " + msg}, true
	case errors.Is(err, store.ErrNotFound):
		return &Error{Kind: NotFound, Code: "not_found", Message: "not found"}, true
	}
	return nil, false
}

// Text is what an agent is told about a refusal, over REST, MCP and the
// meta tools alike: the message, then the suggested fix when there is one.
func (e *Error) Text() string {
	if e.Fix == "" {
		return e.Message
	}
	sep := ". "
	if strings.HasSuffix(e.Message, ".") {
		sep = " "
	}
	return e.Message + sep + e.Fix
}
