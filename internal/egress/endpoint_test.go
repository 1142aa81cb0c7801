package egress

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

const (
	gmail  = "https://gmail.googleapis.com/gmail/v1"
	github = "https://api.github.com"
	local  = "http://127.0.0.1:8080/api"
)

func TestResolveEndpointAccepts(t *testing.T) {
	tests := []struct {
		base, endpoint, want string
	}{
		{gmail, "/users/me/profile", gmail + "/users/me/profile"},
		{gmail, "users/me/profile", gmail + "/users/me/profile"},
		{gmail, "/users/me/messages?q=is%3Aunread&maxResults=10", gmail + "/users/me/messages?q=is%3Aunread&maxResults=10"},
		{gmail, "/users/me/messages?q=is:unread+from:a@b.c", gmail + "/users/me/messages?q=is:unread+from:a@b.c"},
		{gmail, "/users/alice@example.com/profile", gmail + "/users/alice@example.com/profile"},
		{gmail, "/users/me/messages/", gmail + "/users/me/messages/"},
		{gmail, "/", gmail + "/"},
		{gmail, "?alt=json", gmail + "?alt=json"},
		{gmail, "?", gmail},
		{gmail, "/users/me/messages:batchModify", gmail + "/users/me/messages:batchModify"},
		{gmail, "/users/me;v=1/profile", gmail + "/users/me;v=1/profile"},
		{gmail, "/users/me/labels/a%20b", gmail + "/users/me/labels/a%20b"},
		{gmail, "/users/me/labels/100%25", gmail + "/users/me/labels/100%25"},
		{gmail, "/users/me/labels/a%3Fb%23c", gmail + "/users/me/labels/a%3Fb%23c"},
		{gmail, "/users/me/labels/%E2%9C%93", gmail + "/users/me/labels/%E2%9C%93"},
		{gmail, "/users/me/labels/.hidden/c..d/...x", gmail + "/users/me/labels/.hidden/c..d/...x"},
		{gmail, "/users/me/messages?next=https://evil.example/../x", gmail + "/users/me/messages?next=https://evil.example/../x"},
		// A host name as a path stays a path on the toolkit's host.
		{gmail, "evil.example", gmail + "/evil.example"},
		{gmail, "evil.example/x", gmail + "/evil.example/x"},
		{gmail, "1x:y", gmail + "/1x:y"},
		// Absolute URLs on the base.
		{gmail, gmail + "/users/me/profile", gmail + "/users/me/profile"},
		{gmail, "HTTPS://GMAIL.googleapis.com/gmail/v1/users/me/profile", gmail + "/users/me/profile"},
		{gmail, "https://gmail.googleapis.com:443/gmail/v1/users/me/profile", gmail + "/users/me/profile"},
		{gmail, gmail, gmail},
		{gmail, gmail + "/", gmail + "/"},
		{gmail, gmail + "?x=1", gmail + "?x=1"},
		{github, "/repos/o/r/issues?state=open", github + "/repos/o/r/issues?state=open"},
		{github, "repos/o/r", github + "/repos/o/r"},
		{github, "/repos/o/r/compare/main...feature", github + "/repos/o/r/compare/main...feature"},
		{github, "https://api.github.com/user", github + "/user"},
		{github, "https://api.github.com", github},
		{github, "https://api.github.com?@evil.example", github + "?@evil.example"},
		{github, "@evil.example", github + "/@evil.example"},
		{local, "/v1/x", local + "/v1/x"},
		{local, "http://127.0.0.1:8080/api/v1", local + "/v1"},
		{"https://slack.com/api/", "chat.postMessage", "https://slack.com/api/chat.postMessage"},
		{"http://localhost", "http://localhost:80/x", "http://localhost/x"},
		{"http://[::1]:9000", "/x", "http://[::1]:9000/x"},
	}
	for _, tt := range tests {
		t.Run(tt.base+" "+tt.endpoint, func(t *testing.T) {
			base := mustURL(t, tt.base)
			got, err := ResolveEndpoint(base, tt.endpoint)
			if err != nil {
				t.Fatalf("ResolveEndpoint(%q, %q): got error %v, want %s", tt.base, tt.endpoint, err, tt.want)
			}
			if got.String() != tt.want {
				t.Errorf("ResolveEndpoint(%q, %q) = %s, want %s", tt.base, tt.endpoint, got, tt.want)
			}
			if err := stays(base, got); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestResolveEndpointRefuses(t *testing.T) {
	tests := []struct {
		base, endpoint string
		why            string // a substring of the error
	}{
		{gmail, "", "empty"},
		{gmail, strings.Repeat("a", MaxEndpointLen+1), "longer than"},

		// Other hosts.
		{gmail, "https://evil.example/gmail/v1/x", "host or port"},
		{gmail, "https://evil.example?@gmail.googleapis.com/gmail/v1", "host or port"},
		{gmail, "https://gmail.googleapis.com.evil.example/gmail/v1/x", "host or port"},
		{gmail, "https://gmail.googleapis.com./gmail/v1/x", "host or port"},
		{gmail, "https://evilgmail.googleapis.com/gmail/v1/x", "host or port"},
		{gmail, "https://googleapis.com/gmail/v1/x", "host or port"},
		{gmail, "https://127.0.0.1/gmail/v1/x", "host or port"},
		{gmail, "https://[::1]/gmail/v1/x", "host or port"},
		{gmail, "https://169.254.169.254/latest/meta-data/", "host or port"},
		{github, "https://api.github.com.evil.example/", "host or port"},
		{github, "https://api.github.com:443.evil.example/", "host or port"},
		{local, "http://localhost:8080/api/x", "host or port"},
		{local, "http://[::ffff:127.0.0.1]:8080/api/x", "host or port"},
		{local, "http://2130706433:8080/api/x", "host or port"},
		{local, "http://127.1:8080/api/x", "host or port"},
		{local, "http://0x7f.0.0.1:8080/api/x", "host or port"},

		// Other ports.
		{gmail, "https://gmail.googleapis.com:8443/gmail/v1/x", "host or port"},
		{gmail, "https://gmail.googleapis.com:/gmail/v1/x", "host or port"},
		{gmail, "https://gmail.googleapis.com:0443/gmail/v1/x", "host or port"},
		{gmail, "https://gmail.googleapis.com:80/gmail/v1/x", "host or port"},
		{local, "http://127.0.0.1:8081/api/x", "host or port"},
		{local, "http://127.0.0.1/api/x", "host or port"},

		// Other schemes.
		{gmail, "http://gmail.googleapis.com/gmail/v1/x", "scheme is not the toolkit's"},
		{local, "https://127.0.0.1:8080/api/x", "scheme is not the toolkit's"},
		{gmail, "ftp://gmail.googleapis.com/gmail/v1/x", "scheme other than"},
		{gmail, "file:///etc/passwd", "scheme other than"},
		{gmail, "javascript:alert(1)", "scheme other than"},
		{gmail, "data:text/html,x", "scheme other than"},
		{gmail, "gopher://127.0.0.1:25/", "scheme other than"},
		{gmail, "ws://gmail.googleapis.com/gmail/v1/x", "scheme other than"},
		{gmail, "messages:batchModify", "scheme other than"},
		{gmail, "https:evil.example", "must have the form"},
		{gmail, "https:/evil.example/x", "must have the form"},
		{gmail, "https:///evil.example", "no host"},
		{gmail, "https://", "no host"},

		// Scheme-relative and backslashes.
		{gmail, "//evil.example/x", "scheme-relative"},
		{gmail, "//gmail.googleapis.com/gmail/v1/x", "scheme-relative"},
		{gmail, "///evil.example", "scheme-relative"},
		{github, "//api.github.com/user", "scheme-relative"},
		{gmail, `\\evil.example`, "backslash"},
		{gmail, `/\evil.example`, "backslash"},
		{gmail, `\/evil.example`, "backslash"},
		{gmail, `https:\\evil.example`, "backslash"},
		{gmail, `https://gmail.googleapis.com\@evil.example/`, "backslash"},
		{gmail, `https://evil.example\.gmail.googleapis.com/`, "backslash"},
		{gmail, `/users\..\..\x`, "backslash"},

		// User info.
		{gmail, "https://gmail.googleapis.com@evil.example/", "user info"},
		{gmail, "https://gmail.googleapis.com:443@evil.example/", "user info"},
		{gmail, "https://user:pw@gmail.googleapis.com/gmail/v1/x", "user info"},
		{gmail, "https://@gmail.googleapis.com/gmail/v1/x", "user info"},
		{github, "https://api.github.com@evil.example", "user info"},

		// Odd hosts.
		{gmail, "https://[fe80::1%25eth0]/gmail/v1", `contains '%'`},
		{local, "http://[::1%25lo]:8080/api", `contains '%'`},
		{gmail, "https://gmail%2egoogleapis.com/gmail/v1", `contains '%'`},
		{gmail, "https://gmail.googleapis.com%00.evil.example/", `contains '%'`},
		{gmail, "https://gmail.googleapis.com;.evil.example/", `contains ';'`},
		{gmail, "https://gmail.googleapis.com_evil/", `contains '_'`},

		// Paths outside the base path.
		{gmail, "https://gmail.googleapis.com/gmail/v1x/users", "not under"},
		{gmail, "https://gmail.googleapis.com/gmail", "not under"},
		{gmail, "https://gmail.googleapis.com/", "not under"},
		{gmail, "https://gmail.googleapis.com", "not under"},
		{gmail, "https://gmail.googleapis.com?x", "not under"},
		{gmail, "https://gmail.googleapis.com/GMAIL/v1/users", "not under"},
		{gmail, "https://gmail.googleapis.com/gmail/%761/users", "not under"},
		{gmail, "https://gmail.googleapis.com/gmail/v1@evil.example/", "not under"},
		{gmail, "https://gmail.googleapis.com/gmail/v1%2fx", "not under"},
		{gmail, "https://gmail.googleapis.com/upload/gmail/v1/x", "not under"},
		{local, "http://127.0.0.1:8080/apiv2/x", "not under"},

		// Dot segments.
		{gmail, "..", "dot segment"},
		{gmail, "../", "dot segment"},
		{gmail, "../../etc/passwd", "dot segment"},
		{gmail, "/..", "dot segment"},
		{gmail, "/../drive/v3/files", "dot segment"},
		{gmail, "users/../../x", "dot segment"},
		{gmail, "/users/me/..", "dot segment"},
		{gmail, "/users/me/../me/profile", "dot segment"},
		{gmail, ".", "dot segment"},
		{gmail, "./users/me", "dot segment"},
		{gmail, "/users/./me", "dot segment"},
		{gmail, "/...", "dot segment"},
		{gmail, "/..;/x", "dot segment"},
		{gmail, "/users/..;jsessionid=1/x", "dot segment"},
		{gmail, "https://gmail.googleapis.com/gmail/v1/../../drive/v3/files", "dot segment"},
		{local, "http://127.0.0.1:8080/api/../admin", "dot segment"},
		{gmail, "/users/me/..?x=1", "dot segment"},

		// Encoded dot segments.
		{gmail, "/%2e%2e/x", "encoded dot segment"},
		{gmail, "/%2E%2e/x", "encoded dot segment"},
		{gmail, "%2E%2e/", "encoded dot segment"},
		{gmail, "/.%2e/x", "encoded dot segment"},
		{gmail, "/%2e./x", "encoded dot segment"},
		{gmail, "/%2e/x", "encoded dot segment"},
		{gmail, "/users/me/%2e%2e", "encoded dot segment"},
		{gmail, "/%252e%252e/x", "encoded dot segment"},
		{gmail, "/%25252e%25252E/x", "encoded dot segment"},
		{gmail, "/%2e%2e;/x", "encoded dot segment"},
		{gmail, "/..%20/x", "encoded dot segment"},
		{gmail, "/%2e%2e%20%20/x", "encoded dot segment"},
		{gmail, "https://gmail.googleapis.com/gmail/v1/%2e%2e/x", "encoded dot segment"},

		// Encoded slashes and backslashes.
		{gmail, "/%2f%2fevil.example", "encoded slash"},
		{gmail, "/users%2fme", "encoded slash"},
		{gmail, "/users%2Fme", "encoded slash"},
		{gmail, "/..%2fdrive", "encoded slash"},
		{gmail, "%2e%2e%2fdrive", "encoded slash"},
		{gmail, "/%5c%5cevil.example", "encoded slash"},
		{gmail, "/users%5Cme", "encoded slash"},
		{gmail, "/%252f", "encoded slash"},
		{gmail, "/%255c..", "encoded slash"},

		// Unicode tricks.
		{gmail, "/%c0%ae%c0%ae/x", "invalid UTF-8"},
		{gmail, "/%c0%af", "invalid UTF-8"},
		{gmail, "/%e0%80%ae", "invalid UTF-8"},
		{gmail, "/%ff", "invalid UTF-8"},
		{gmail, "/%ef%bc%8e%ef%bc%8e/x", "U+FF0E"},
		{gmail, "/%ef%bc%8f", "U+FF0F"},
		{gmail, "/%ef%bc%bc", "U+FF3C"},
		{gmail, "/%e2%80%a5", "U+2025"},
		{gmail, "/%e2%88%95", "U+2215"},
		{gmail, "/%ef%bc%85%32%65", "U+FF05"},
		{gmail, "/．．/x", "non-ASCII"},
		{gmail, "/users/mé", "non-ASCII"},
		{gmail, "/users/me?q=José", "non-ASCII"},
		{gmail, "https://gmail.googleapis.com。evil.example/", "non-ASCII"},
		{gmail, "/users/me\u202e", "non-ASCII"},

		// Control characters, CRLF injection, spaces.
		{gmail, "/users/me\r\nHost: evil.example", "control character"},
		{gmail, "/users/me\n", "control character"},
		{gmail, "\t/users/me", "control character"},
		{gmail, "/users/me\x00", "control character"},
		{gmail, "/users/me\x7f", "control character"},
		{gmail, "/users/me?x=1\r\n", "control character"},
		{gmail, "https://gmail.googleapis.com\t.evil.example/", "control character"},
		{gmail, "/users/me%0d%0aX-Injected:%201", "encoded control character"},
		{gmail, "/users/me%00", "encoded control character"},
		{gmail, "/users/me%00.json", "encoded control character"},
		{gmail, "/..%00/x", "encoded control character"},
		{gmail, "/users/me%7f", "encoded control character"},
		{gmail, "/users/me%250a", "encoded control character"},
		{gmail, " /users/me", "space"},
		{gmail, "/users/me ", "space"},
		{gmail, "/users/me profile", "space"},
		{gmail, "/users/me?q=a b", "space"},
		{gmail, "https://evil.example /gmail/v1", "space"},

		// Fragments.
		{gmail, "/users/me#frag", "fragment"},
		{gmail, "#", "fragment"},
		{gmail, "/users/me?x=1#y", "fragment"},
		{gmail, "https://evil.example#@gmail.googleapis.com/gmail/v1", "fragment"},
		{gmail, gmail + "/users/me#x", "fragment"},

		// Empty segments.
		{gmail, "/users//me", "empty segment"},
		{gmail, "/users/me//", "empty segment"},
		{gmail, "users//me", "empty segment"},
		{gmail, gmail + "//x", "empty segment"},

		// Malformed percent-encoding.
		{gmail, "/users/me%", "invalid percent-encoding"},
		{gmail, "/users/me%2", "invalid percent-encoding"},
		{gmail, "/users/me%zz", "invalid percent-encoding"},
		{gmail, "/users/me?x=%zz", "query has an invalid percent-encoding"},
		{gmail, "/users/me?x=%", "query has an invalid percent-encoding"},
		{gmail, "/users/me?x=%4", "query has an invalid percent-encoding"},

		// Characters that must be encoded in a path.
		{gmail, "/users/<script>", `contains '<'`},
		{gmail, "/users/{id}", `contains '{'`},
		{gmail, `/users/me"`, `contains '"'`},
		{gmail, "/users/[::1]", `contains '['`},
		{gmail, "/users/me|x", `contains '|'`},
		{gmail, "/users/me^", `contains '^'`},
		{gmail, "/users/`x`", "contains '`'"},
	}
	for _, tt := range tests {
		t.Run(tt.base+" "+tt.endpoint, func(t *testing.T) {
			got, err := ResolveEndpoint(mustURL(t, tt.base), tt.endpoint)
			if err == nil {
				t.Fatalf("ResolveEndpoint(%q, %q) = %s, want an error about %q", tt.base, tt.endpoint, got, tt.why)
			}
			if !errors.Is(err, ErrEndpoint) {
				t.Errorf("ResolveEndpoint(%q, %q): got error %v, want one matching ErrEndpoint", tt.base, tt.endpoint, err)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("ResolveEndpoint(%q, %q): got error %q, want it to mention %q", tt.base, tt.endpoint, err, tt.why)
			}
			if !strings.HasPrefix(err.Error(), "endpoint ") {
				t.Errorf("got error %q, want it to start with \"endpoint \"", err)
			}
		})
	}
}

// TestResolveEndpointErrorsHideEndpoint: errors say why, and do not echo
// what the caller sent, which may carry secrets.
func TestResolveEndpointErrorsHideEndpoint(t *testing.T) {
	for _, endpoint := range []string{
		"https://token-abc123@evil.example/",
		"https://evil.example/token-abc123",
		"/token-abc123/../x",
		"/token-abc123/%2e%2e",
		"token-abc123:x",
	} {
		_, err := ResolveEndpoint(mustURL(t, gmail), endpoint)
		if err == nil || strings.Contains(err.Error(), "token-abc123") {
			t.Errorf("ResolveEndpoint(%q): got error %v, want an error without the endpoint", endpoint, err)
		}
	}
}

func TestResolveEndpointBadBase(t *testing.T) {
	tests := []struct {
		name string
		base *url.URL
	}{
		{"nil", nil},
		{"relative", &url.URL{Path: "/api"}},
		{"ftp", mustURL(t, "ftp://example.com/x")},
		{"upper-case scheme", &url.URL{Scheme: "HTTPS", Host: "example.com"}},
		{"no host", mustURL(t, "https:///x")},
		{"opaque", mustURL(t, "https:example.com")},
		{"user info", mustURL(t, "https://u:p@example.com/")},
		{"query", mustURL(t, "https://example.com/api?x=1")},
		{"fragment", mustURL(t, "https://example.com/api#x")},
		{"dot segment", mustURL(t, "https://example.com/api/../x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveEndpoint(tt.base, "/x")
			if err == nil {
				t.Fatalf("got %s, want an error", got)
			}
			if errors.Is(err, ErrEndpoint) {
				t.Errorf("got error %v matching ErrEndpoint, want a configuration error", err)
			}
		})
	}
}

// stays checks the promise of ResolveEndpoint on an accepted URL, as
// independently as possible from how it is implemented.
func stays(base, u *url.URL) error {
	again, err := url.Parse(u.String())
	if err != nil {
		return err
	}
	for _, v := range []*url.URL{u, again} {
		if v.Scheme != base.Scheme || v.Host != base.Host || v.User != nil || v.Opaque != "" || v.Fragment != "" {
			return fmt.Errorf("%s: left %s", u, base)
		}
		bp := strings.TrimSuffix(base.EscapedPath(), "/")
		p := v.EscapedPath()
		if p != bp && !strings.HasPrefix(p, bp+"/") {
			return fmt.Errorf("%s: path %s is not under %s", u, p, bp)
		}
		// Decode the path as often as it decodes: no layer may climb.
		for s := p; ; {
			for seg := range strings.SplitSeq(s, "/") {
				if seg == "." || seg == ".." {
					return fmt.Errorf("%s: has a dot segment once decoded: %s", u, s)
				}
			}
			if strings.ContainsAny(s, "\\\x00\r\n") {
				return fmt.Errorf("%s: decodes to %q", u, s)
			}
			d, err := url.PathUnescape(s)
			if err != nil || d == s {
				break
			}
			if strings.Count(d, "/") != strings.Count(p, "/") {
				return fmt.Errorf("%s: decodes to more segments: %s", u, d)
			}
			s = d
		}
	}
	return nil
}

// FuzzResolveEndpoint: whatever the endpoint, an accepted URL stays on the
// base's scheme, host and path.
func FuzzResolveEndpoint(f *testing.F) {
	for _, s := range []string{
		"/users/me/profile", "users/me?x=1", gmail + "/x", "//evil.example", `/\evil`,
		"/%2e%2e/", "/%252e%252e/", "https://a@b/", "/..;/", "/%c0%ae", "?#", "http:x",
		"/a/b/", "https://gmail.googleapis.com:443/gmail/v1/x", "/%ef%bc%8e",
	} {
		f.Add(s)
	}
	bases := []*url.URL{mustURL(f, gmail), mustURL(f, github), mustURL(f, local)}
	f.Fuzz(func(t *testing.T, endpoint string) {
		for _, base := range bases {
			u, err := ResolveEndpoint(base, endpoint)
			if err != nil {
				if !errors.Is(err, ErrEndpoint) {
					t.Fatalf("ResolveEndpoint(%s, %q): got error %v, want ErrEndpoint", base, endpoint, err)
				}
				continue
			}
			if err := stays(base, u); err != nil {
				t.Fatalf("ResolveEndpoint(%s, %q): %v", base, endpoint, err)
			}
		}
	})
}

// BenchmarkResolveEndpoint compares ResolveEndpoint with the unguarded
// url.JoinPath it replaces.
func BenchmarkResolveEndpoint(b *testing.B) {
	base := mustURL(b, gmail)
	for _, bb := range []struct{ name, endpoint string }{
		{"relative", "/users/me/messages/18c2f0a9b3d4e5f6"},
		{"query", "/users/me/messages?q=is%3Aunread&maxResults=10"},
		{"encoded", "/users/me/labels/a%20b%2Cc"},
		{"absolute", gmail + "/users/me/profile"},
		{"refused", "/users/%2e%2e/%2e%2e/drive/v3/files"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				ResolveEndpoint(base, bb.endpoint)
			}
		})
	}
	b.Run("baseline_JoinPath", func(b *testing.B) {
		for b.Loop() {
			base.JoinPath("/users/me/messages/18c2f0a9b3d4e5f6")
		}
	})
}
