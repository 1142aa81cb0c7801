package sdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/switchboard-dev/switchboard/wire"
	"io"
	"net/http"
	"strings"
)

// APIError is a non-2xx answer of the API.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the stable numeric error code and Slug its name; both are
	// zero when the body was not a Switchboard or Composio error.
	Code         int
	Slug         string
	Message      string
	RequestID    string
	SuggestedFix string
	// Errors lists the invalid fields of the request, if any.
	Errors []wire.FieldError

	method, path string
}

// Error reads like
// "sdk: POST /api/v3.1/tool_router/session: 400 Bad Request: <message> (slug, code 1234; request req_1; fix: <fix>)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("sdk: ")
	if e.method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.method, e.path)
	}
	fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Errors {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	var details []string
	switch {
	case e.Slug != "" && e.Code != 0:
		details = append(details, fmt.Sprintf("%s, code %d", e.Slug, e.Code))
	case e.Slug != "":
		details = append(details, e.Slug)
	case e.Code != 0:
		details = append(details, fmt.Sprintf("code %d", e.Code))
	}
	if e.RequestID != "" {
		details = append(details, "request "+e.RequestID)
	}
	if e.SuggestedFix != "" {
		details = append(details, "fix: "+e.SuggestedFix)
	}
	if len(details) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(details, "; "))
	}
	return b.String()
}

// IsNotFound reports whether err is, or wraps, an *APIError with status 404.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// newAPIError decodes an error response. It understands the documented
// {"error":{...}} body and a flat {"message":...}; anything else leaves the
// message empty rather than echoing an unknown body.
func newAPIError(method, path string, resp *http.Response) *APIError {
	e := &APIError{Status: resp.StatusCode, method: method, path: path}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body struct {
		Error   *wire.ErrorDetail `json:"error"`
		Message string            `json:"message"`
	}
	if json.Unmarshal(raw, &body) == nil {
		if d := body.Error; d != nil {
			e.Code = d.Code
			e.Slug = d.Slug
			e.Message = d.Message
			e.RequestID = d.RequestID
			e.SuggestedFix = d.SuggestedFix
			e.Errors = d.Errors
		} else {
			e.Message = body.Message
		}
	}
	if e.RequestID == "" {
		e.RequestID = resp.Header.Get("X-Request-Id")
	}
	return e
}

// ConnectionFailedError reports that a connected account reached a status
// from which it will not become ACTIVE without a new authorization.
type ConnectionFailedError struct {
	AccountID string
	// Status is FAILED, EXPIRED, REVOKED or INACTIVE.
	Status string
	// Reason is the server's status_reason, if it gave one.
	Reason string
}

// Error reads like "sdk: connected account ca_1 is FAILED: consent denied".
func (e *ConnectionFailedError) Error() string {
	s := fmt.Sprintf("sdk: connected account %s is %s", e.AccountID, e.Status)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}
