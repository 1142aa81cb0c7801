package remotemcp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"

	"github.com/switchboard-dev/switchboard/internal/egress"
)

// The kinds of failure, matched with errors.Is. Every error of Tools and
// Call is an *Error matching exactly one of them. A tool that ran and
// failed is not an error: its Result has IsError set.
var (
	// ErrUnauthorized: the server refused the credentials (HTTP 401 or
	// 403). Error.WWWAuthenticate carries the server's challenge, which
	// for an OAuth-protected server names its resource metadata (RFC
	// 9728 §5.1).
	ErrUnauthorized = errors.New("remote MCP server refused the credentials")
	// ErrUnreachable: the server could not be reached or did not answer
	// in time, or answered that it is unavailable (HTTP 429 or 5xx). A
	// deadline or cancellation of the caller's context also matches
	// context.DeadlineExceeded or context.Canceled; a URL the egress
	// rules refuse also matches egress.ErrHostNotAllowed or
	// egress.ErrBlockedAddress.
	ErrUnreachable = errors.New("remote MCP server unreachable")
	// ErrProtocol: the server answered, but not as an MCP server should:
	// a JSON-RPC error (Error.Code), an HTTP status the protocol does not
	// expect, a body that does not parse, a tool list that breaks its
	// own rules.
	ErrProtocol = errors.New("remote MCP server protocol error")
	// ErrTooLarge: an answer over MaxResponse, a tool list over
	// MaxToolsBytes or MaxTools. The answer is dropped, never cut short.
	ErrTooLarge = errors.New("remote MCP server answer too large")
	// ErrBusy: the Client's memory Budget was spent while the answer was
	// read. The request was sent; retry only if it is safe to repeat.
	ErrBusy = errors.New("remote MCP answer dropped: the memory budget for answers is spent")
	// ErrClosed: the Client was closed.
	ErrClosed = errors.New("remote MCP client closed")
)

// Error is a failure of Tools or Call. Its text names the operation and
// the server's host, never the URL's query, the credentials or an
// upstream body; a JSON-RPC error message from the server is included
// shortened, with any credential in it redacted.
type Error struct {
	// Kind is one of ErrUnauthorized, ErrUnreachable, ErrProtocol,
	// ErrTooLarge, ErrBusy, ErrClosed.
	Kind error
	// Op is the MCP method that failed: "initialize", "tools/list",
	// "tools/call".
	Op string
	// Host is the server URL's host.
	Host string
	// Status is the HTTP status that decided the failure, if any.
	Status int
	// Code is the JSON-RPC error code the server sent, if any.
	Code int64
	// WWWAuthenticate is the WWW-Authenticate header of a 401 or 403.
	WWWAuthenticate string

	detail string
	// also are sentinels of other packages the error matches: the
	// context's error, egress refusals.
	also []error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "remotemcp: %s on %s: %v", e.Op, e.Host, e.Kind)
	if e.detail != "" {
		b.WriteString(": ")
		b.WriteString(e.detail)
	}
	return b.String()
}

// Unwrap lets errors.Is match Kind and the sentinels listed with it; the
// underlying SDK and network errors are not kept, since their text can
// hold the URL.
func (e *Error) Unwrap() []error {
	return append([]error{e.Kind}, e.also...)
}

// maxDetail bounds the server-supplied text in an error.
const maxDetail = 200

// classify turns what the SDK returned for an operation, and what the
// probe saw of its HTTP exchanges, into an *Error.
func classify(ctx context.Context, srv Server, op string, p *probe, err error) error {
	e := &Error{Op: op, Host: hostOf(srv.URL)}
	p.mu.Lock()
	tooLarge, busy, status, wwwAuth, netErr := p.tooLarge, p.busy, p.status, p.wwwAuth, p.netErr
	p.mu.Unlock()
	red := redactor(srv)
	var wire *jsonrpc.Error
	switch {
	case errors.Is(err, ErrClosed):
		e.Kind = ErrClosed
	case tooLarge:
		e.Kind = ErrTooLarge
		e.detail = fmt.Sprintf("over %d bytes", p.limit)
	case busy:
		e.Kind = ErrBusy
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind, e.Status = ErrUnauthorized, status
		e.WWWAuthenticate = red(wwwAuth)
		e.detail = fmt.Sprintf("HTTP %d", status)
	case ctx.Err() != nil:
		e.Kind = ErrUnreachable
		e.also = append(e.also, ctx.Err())
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			e.detail = "no answer before the deadline"
		} else {
			e.detail = "canceled"
		}
	case netErr != nil:
		e.Kind = ErrUnreachable
		e.detail = "no response"
		for _, s := range []error{egress.ErrHostNotAllowed, egress.ErrBlockedAddress, egress.ErrRedirect, context.DeadlineExceeded} {
			if errors.Is(netErr, s) {
				e.also = append(e.also, s)
				e.detail = "no response: " + s.Error()
			}
		}
	case status == http.StatusTooManyRequests || status >= 500:
		e.Kind, e.Status = ErrUnreachable, status
		e.detail = fmt.Sprintf("HTTP %d", status)
	case errors.As(err, &wire):
		e.Kind, e.Code = ErrProtocol, wire.Code
		e.detail = fmt.Sprintf("JSON-RPC error %d: %s", wire.Code, red(shorten(wire.Message)))
	case status != 0:
		e.Kind, e.Status = ErrProtocol, status
		e.detail = fmt.Sprintf("HTTP %d", status)
	default:
		e.Kind = ErrProtocol
		if err != nil {
			e.detail = red(shorten(err.Error()))
		}
	}
	return e
}

// protocolError is an ErrProtocol of this package's own finding.
func protocolError(srv Server, op, format string, args ...any) error {
	return &Error{Kind: ErrProtocol, Op: op, Host: hostOf(srv.URL), detail: redactor(srv)(shorten(fmt.Sprintf(format, args...)))}
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "an unparsable URL"
	}
	return u.Host
}

// shorten keeps the first maxDetail bytes of s, on a rune boundary, with
// control characters replaced, so a server's text cannot forge lines in
// a log.
func shorten(s string) string {
	if len(s) > maxDetail {
		cut := maxDetail
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// minSecret is the shortest value redacted: shorter ones ("1", "on")
// would blank ordinary words and protect nothing.
const minSecret = 4

// redactor returns a function that replaces in a text every credential
// the server was given: each header value, the token after its scheme
// ("Bearer abc" → "abc"), and the URL's query values and password.
func redactor(srv Server) func(string) string {
	var secrets []string
	add := func(s string) {
		if len(s) >= minSecret {
			secrets = append(secrets, s)
		}
	}
	for _, vs := range srv.Header {
		for _, v := range vs {
			add(v)
			if _, tok, ok := strings.Cut(v, " "); ok {
				add(strings.TrimSpace(tok))
			}
		}
	}
	if u, err := url.Parse(srv.URL); err == nil {
		for _, vs := range u.Query() {
			for _, v := range vs {
				add(v)
				add(url.QueryEscape(v))
			}
		}
		if pw, ok := u.User.Password(); ok {
			add(pw)
		}
	}
	// The longest first, so a token inside a header value is not
	// replaced before the value that holds it.
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	return func(s string) string {
		for _, sec := range secrets {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
		return s
	}
}
