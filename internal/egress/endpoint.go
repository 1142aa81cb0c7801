package egress

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// ErrEndpoint is matched (errors.Is) by every error ResolveEndpoint returns
// for an endpoint it refuses: the caller's mistake or attack, not a fault of
// the server. The error's text says why, in a sentence that starts with
// "endpoint" and does not repeat the endpoint.
var ErrEndpoint = errors.New("endpoint refused")

// MaxEndpointLen is the longest endpoint ResolveEndpoint accepts, in bytes.
const MaxEndpointLen = 8 << 10

// endpointError is a reason for refusing an endpoint.
type endpointError string

func (e endpointError) Error() string        { return string(e) }
func (e endpointError) Is(target error) bool { return target == ErrEndpoint }

func refuse(reason string) error { return endpointError(reason) }

// ResolveEndpoint joins a caller-supplied endpoint to a toolkit's API base
// URL. The result always has the base's scheme and host (port included), and
// its path is the base path or lies under it, segment by segment.
//
// The endpoint is a path with an optional query: "/users/me/profile" and
// "users/me/profile" both name base path + "/users/me/profile", and
// "/repos/o/r/issues?state=open" keeps its query. A path is always relative
// to the base path, even when it starts with "/". An absolute URL is
// accepted only if its scheme, host and port are the base's and its path is
// the base path or under it; the part after the base path is then used as
// above. An endpoint whose first segment contains ":" reads as a URL scheme
// (RFC 3986 §4.2), so "messages:batchModify" is refused while
// "/messages:batchModify" is a path.
//
// ResolveEndpoint refuses, and never repairs, anything that could be read as
// another host or another path by some parser or server: see the package
// documentation. Spaces and non-ASCII bytes must be percent-encoded, and
// so must any character of a path segment outside RFC 3986's pchar; a fragment
// is refused because an unencoded "#" is almost always a value that lost
// its encoding (a Slack channel, say) and dropping it would change the
// request. Refusals match ErrEndpoint; a base URL that is not an absolute
// http or https URL is a configuration error and does not.
func ResolveEndpoint(base *url.URL, endpoint string) (*url.URL, error) {
	basePath, err := checkBase(base)
	if err != nil {
		return nil, err
	}
	if endpoint == "" {
		return nil, refuse("endpoint is empty")
	}
	if len(endpoint) > MaxEndpointLen {
		return nil, refuse(fmt.Sprintf("endpoint is longer than %d bytes", MaxEndpointLen))
	}
	for i := 0; i < len(endpoint); i++ {
		switch c := endpoint[i]; {
		case c == ' ':
			return nil, refuse("endpoint contains a space; percent-encode it as %20")
		case c < 0x20 || c == 0x7f:
			return nil, refuse("endpoint contains a control character")
		case c == '\\':
			return nil, refuse(`endpoint contains a backslash (\)`)
		case c == '#':
			return nil, refuse("endpoint contains a fragment (#); percent-encode a # in a value as %23")
		case c >= 0x80:
			return nil, refuse("endpoint contains a non-ASCII byte; percent-encode it as UTF-8")
		}
	}
	path, query, _ := strings.Cut(endpoint, "?")
	if err := checkQuery(query); err != nil {
		return nil, err
	}

	// tail is what follows the base path: "" or "/...".
	var tail string
	if scheme, rest, ok := cutScheme(path); ok {
		tail, err = absoluteTail(base, basePath, scheme, rest)
		if err != nil {
			return nil, err
		}
	} else {
		switch {
		case strings.HasPrefix(path, "//"):
			return nil, refuse("endpoint is a scheme-relative URL (//host); give a path such as /users/me")
		case path == "" || path[0] == '/':
			tail = path
		default:
			tail = "/" + path
		}
	}
	if err := checkPath(tail); err != nil {
		return nil, err
	}

	raw := base.Scheme + "://" + base.Host + basePath + tail
	if query != "" {
		raw += "?" + query
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, refuse("endpoint is not a valid URL path and query")
	}
	if err := contained(base, basePath, u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkBase validates the base URL and returns its escaped path without a
// trailing slash.
func checkBase(base *url.URL) (string, error) {
	switch {
	case base == nil:
		return "", errors.New("egress: base URL is missing")
	case base.Scheme != "https" && base.Scheme != "http":
		return "", errors.New("egress: base URL must be an absolute http or https URL")
	case base.Host == "" || base.Opaque != "":
		return "", errors.New("egress: base URL has no host")
	case base.User != nil:
		return "", errors.New("egress: base URL must not contain user info")
	case base.RawQuery != "" || base.ForceQuery || base.Fragment != "":
		return "", errors.New("egress: base URL must not have a query or fragment")
	}
	p := strings.TrimSuffix(base.EscapedPath(), "/")
	if p != "" && p[0] != '/' {
		return "", errors.New("egress: base URL path must start with /")
	}
	if err := checkPath(p); err != nil {
		return "", fmt.Errorf("egress: base URL path: %v", err) // not ErrEndpoint: a configuration error
	}
	return p, nil
}

// cutScheme splits a URI scheme (RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT /
// "+" / "-" / "." ) ":") off the front of s.
func cutScheme(s string) (scheme, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return s[:i], s[i+1:], true
		default:
			return "", "", false
		}
	}
	return "", "", false
}

// absoluteTail checks an absolute URL (split after its scheme, query
// already removed) against the base and returns its path after the base
// path.
func absoluteTail(base *url.URL, basePath, scheme, rest string) (string, error) {
	if !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "http") {
		return "", refuse("endpoint has a URL scheme other than http or https; to send a path whose first segment contains a colon, start it with /")
	}
	if !strings.EqualFold(scheme, base.Scheme) {
		return "", refuse("endpoint URL's scheme is not the toolkit's (" + base.Scheme + ")")
	}
	if !strings.HasPrefix(rest, "//") {
		return "", refuse("endpoint URL must have the form " + base.Scheme + "://host/path")
	}
	authority, path := rest[2:], ""
	if i := strings.IndexByte(authority, '/'); i >= 0 {
		authority, path = authority[:i], authority[i:]
	}
	if authority == "" {
		return "", refuse("endpoint URL has no host")
	}
	for i := 0; i < len(authority); i++ {
		switch c := authority[i]; {
		case c == '@':
			return "", refuse("endpoint URL contains user info (@)")
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '-', c == ':', c == '[', c == ']':
		default:
			return "", refuse(fmt.Sprintf("endpoint URL's host contains %q", c))
		}
	}
	if canonicalHost(base.Scheme, authority) != canonicalHost(base.Scheme, base.Host) {
		return "", refuse("endpoint URL's host or port is not the toolkit's (" + base.Host + ")")
	}
	if path != basePath && !strings.HasPrefix(path, basePath+"/") {
		return "", refuse("endpoint URL's path is not under the toolkit's base path (" + basePath + ")")
	}
	return path[len(basePath):], nil
}

// canonicalHost lower-cases a host[:port] and drops the scheme's default
// port (RFC 3986 §6.2.3), so equal authorities compare equal.
func canonicalHost(scheme, host string) string {
	host = strings.ToLower(host)
	switch scheme {
	case "https":
		host = strings.TrimSuffix(host, ":443")
	case "http":
		host = strings.TrimSuffix(host, ":80")
	}
	return host
}

// checkQuery checks that every percent sign in the query starts an escape.
// The query cannot change the host or the path, and the caller's bytes
// were already restricted to printable ASCII.
func checkQuery(q string) error {
	for i := 0; i < len(q); i++ {
		if q[i] == '%' && (i+2 >= len(q) || !isHex(q[i+1]) || !isHex(q[i+2])) {
			return refuse("endpoint query has an invalid percent-encoding")
		}
	}
	return nil
}

// checkPath checks an escaped path that is "" or starts with "/": every
// segment must be safe, and only the last may be empty (a trailing slash).
func checkPath(p string) error {
	if p == "" {
		return nil
	}
	rest := p[1:]
	for {
		seg, after, more := strings.Cut(rest, "/")
		if seg == "" && more {
			return refuse("endpoint path has an empty segment (//)")
		}
		if err := checkSegment(seg); err != nil {
			return err
		}
		if !more {
			return nil
		}
		rest = after
	}
}

// checkSegment checks one escaped path segment, and every layer of
// percent-decoding of it: a server or proxy that decodes once more than
// expected must still see no dot segment, slash, backslash or control
// character.
func checkSegment(seg string) error {
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; !isPathChar(c) && c != '%' {
			return refuse(fmt.Sprintf("endpoint path contains %q; percent-encode it", c))
		}
	}
	if dotSegment(seg) {
		return refuse("endpoint path has a dot segment (. or ..)")
	}
	if strings.IndexByte(seg, '%') < 0 {
		return nil
	}
	s := seg
	for layer := 0; ; layer++ {
		d, err := url.PathUnescape(s)
		if err != nil {
			if layer == 0 {
				return refuse("endpoint path has an invalid percent-encoding")
			}
			return nil // "100%25" decodes to "100%", which decodes no further
		}
		if d == s {
			return nil
		}
		if err := checkDecoded(d); err != nil {
			return err
		}
		s = d
	}
}

// checkDecoded checks a percent-decoded path segment.
func checkDecoded(d string) error {
	if strings.ContainsAny(d, `/\`) {
		return refuse("endpoint path has an encoded slash or backslash (%2F, %5C)")
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; c < 0x20 || c == 0x7f {
			return refuse("endpoint path has an encoded control character")
		}
	}
	if dotSegment(d) {
		return refuse("endpoint path has an encoded dot segment (%2E)")
	}
	if !utf8.ValidString(d) {
		return refuse("endpoint path decodes to invalid UTF-8")
	}
	for _, r := range d {
		if lookalike(r) {
			return refuse(fmt.Sprintf("endpoint path has %U, which some servers read as . / \\ or %%", r))
		}
	}
	return nil
}

// dotSegment reports whether a segment would be read as "." or "..": only
// dots, possibly with spaces (Windows trims trailing dots and spaces), or
// that followed by path parameters (";", which Tomcat and other Java
// servers strip before resolving: "..;/").
func dotSegment(s string) bool {
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	dot := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.':
			dot = true
		case ' ':
		default:
			return false
		}
	}
	return dot
}

// lookalike reports whether r folds into ".", "/", "\" or "%" under NFKC
// normalization or is commonly confused with them.
func lookalike(r rune) bool {
	switch r {
	case '\uFF0E', '\uFE52', '\u2024', '\u2025', '\u2026', '\u3002', '\uFF61', // full stops, leaders
		'\uFF0F', '\u2215', '\u2044', '\u29F8', // solidus
		'\uFF3C', '\uFE68', '\u2216', '\u29F9', // reverse solidus
		'\uFF05', '\uFE6A': // percent sign
		return true
	}
	return false
}

// isPathChar reports whether c may appear unencoded in a path segment:
// RFC 3986 §3.3 pchar = unreserved / sub-delims / ":" / "@" ("%" is
// checked separately).
func isPathChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', // unreserved
		'!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', // sub-delims
		':', '@':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// contained checks the result once more as the HTTP client will see it,
// so that no mistake above can send a request elsewhere.
func contained(base *url.URL, basePath string, u *url.URL) error {
	p := u.EscapedPath()
	if u.Scheme != base.Scheme || u.Host != base.Host || u.User != nil || u.Opaque != "" || u.Fragment != "" ||
		(p != basePath && !strings.HasPrefix(p, basePath+"/")) {
		return errors.New("egress: resolved URL left the base URL")
	}
	return nil
}
