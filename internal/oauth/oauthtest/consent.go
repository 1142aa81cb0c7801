package oauthtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/oauthserver"
)

// maxPage bounds how much of a page Consent reads.
const maxPage = 1 << 20

var (
	formRE  = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	inputRE = regexp.MustCompile(`<input\b([^>]*)>`)
	attrRE  = regexp.MustCompile(`([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*"([^"]*)"`)
	errorRE = regexp.MustCompile(`(?s)<p id="oauthtest-error">(.*?)</p>`)
	tagRE   = regexp.MustCompile(`<[^>]*>`)
)

// Consent plays the end user's browser through an authorization: with a
// fresh cookie jar it GETs startURL and follows redirects (startURL is
// typically the relying party's own "connect" page, which redirects to the
// provider's /authorize), finds the provider's sign-in form, submits login
// and password with the decision Allow (allow true) or Deny, and follows the
// redirects back to the client's callback and beyond.
//
// It returns the final response, whose body the caller must close; its
// Request.URL is the final URL. Redirects are followed only to loopback
// hosts (127.0.0.0/8, ::1, localhost): a redirect anywhere else ends the walk
// and that 3xx response is returned, so its Location header can be checked
// without any traffic leaving the machine.
//
// client supplies the Transport and Timeout (nil means the defaults); its
// Jar and CheckRedirect are not used. Consent fails if the walk from startURL
// does not end at the provider's form, or if the provider rejects the
// credentials, in which case the error contains the provider's message.
func Consent(ctx context.Context, client *http.Client, startURL, login, password string, allow bool) (*http.Response, error) {
	start, err := url.Parse(startURL)
	if err != nil {
		return nil, fmt.Errorf("oauthtest: consent: %w", err)
	}
	if !isLoopback(start.Hostname()) {
		return nil, fmt.Errorf("oauthtest: consent: refusing to visit %s: not a loopback host", startURL)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Jar: jar, CheckRedirect: loopbackRedirects}
	if client != nil {
		c.Transport = client.Transport
		c.Timeout = client.Timeout
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, startURL, nil)
	if err != nil {
		return nil, fmt.Errorf("oauthtest: consent: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oauthtest: consent: GET %s: %w", startURL, err)
	}
	page, err := io.ReadAll(io.LimitReader(resp.Body, maxPage))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("oauthtest: consent: reading %s: %w", resp.Request.URL, err)
	}
	f, ok := parseForm(page)
	if !ok {
		return nil, fmt.Errorf("oauthtest: consent: %s led to %s (status %d, Location %q), not to the provider's sign-in form: %s",
			startURL, resp.Request.URL, resp.StatusCode, resp.Header.Get("Location"), pageSummary(page))
	}
	action, err := resp.Request.URL.Parse(f.action)
	if err != nil {
		return nil, fmt.Errorf("oauthtest: consent: form action %q: %w", f.action, err)
	}

	vals := f.fields
	if f.hasLogin {
		vals.Set("login", login)
		vals.Set("password", password)
	}
	if allow {
		vals.Set("decision", "allow")
	} else {
		vals.Set("decision", "deny")
	}
	post, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(vals.Encode()))
	if err != nil {
		return nil, fmt.Errorf("oauthtest: consent: %w", err)
	}
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = c.Do(post)
	if err != nil {
		return nil, fmt.Errorf("oauthtest: consent: POST %s: %w", action, err)
	}

	// Still on the provider's form: the sign-in was refused.
	if u := resp.Request.URL; u.Host == action.Host && u.Path == action.Path {
		page, err := io.ReadAll(io.LimitReader(resp.Body, maxPage))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("oauthtest: consent: reading %s: %w", u, err)
		}
		if _, ok := parseForm(page); ok {
			return nil, fmt.Errorf("oauthtest: consent: the provider refused the sign-in of %q: %s", login, pageSummary(page))
		}
		resp.Body = io.NopCloser(bytes.NewReader(page))
	}
	return resp, nil
}

func loopbackRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if !isLoopback(req.URL.Hostname()) {
		return http.ErrUseLastResponse
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

type parsedForm struct {
	action   string
	fields   url.Values // hidden inputs
	hasLogin bool
}

// parseForm finds the provider's sign-in form. The provider writes that HTML
// itself (with html/template, which always double-quotes attributes), so
// regular expressions suffice.
func parseForm(page []byte) (parsedForm, bool) {
	for _, m := range formRE.FindAllSubmatch(page, -1) {
		attrs := parseAttrs(m[1])
		if attrs["id"] != oauthserver.FormID {
			continue
		}
		f := parsedForm{action: attrs["action"], fields: url.Values{}}
		for _, in := range inputRE.FindAllSubmatch(m[2], -1) {
			a := parseAttrs(in[1])
			switch {
			case a["type"] == "hidden" && a["name"] != "":
				f.fields.Add(a["name"], a["value"])
			case a["name"] == "login":
				f.hasLogin = true
			}
		}
		return f, true
	}
	return parsedForm{}, false
}

func parseAttrs(b []byte) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllSubmatch(b, -1) {
		out[strings.ToLower(string(m[1]))] = html.UnescapeString(string(m[2]))
	}
	return out
}

// pageSummary is the provider's error message if the page has one, else the
// start of the page's text.
func pageSummary(page []byte) string {
	if m := errorRE.FindSubmatch(page); m != nil {
		return strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(string(m[1]), "")))
	}
	text := strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(string(page), " "))), " ")
	if len(text) > 300 {
		text = text[:300] + "…"
	}
	return fmt.Sprintf("%q", text)
}
