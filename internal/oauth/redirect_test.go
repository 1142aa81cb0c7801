package oauth_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/oauth"
)

// TestProviderRedirectsRefused: a provider whose token, refresh or
// identity answer redirects elsewhere (the metadata service, the private
// network, a documentation address, another host) does not get the
// request replayed there. The call fails; nothing from the other host
// becomes a token or the account's identity.
func TestProviderRedirectsRefused(t *testing.T) {
	var stolen atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/token":
			io.WriteString(w, `{"access_token":"other-host-token","token_type":"bearer","refresh_token":"other-refresh","expires_in":3600}`)
		default:
			io.WriteString(w, `{"emailAddress":"root@internal.example"}`)
		}
	}))
	defer other.Close()
	// The provider answers every call with a redirect to ?to=; 307 keeps
	// the method and body, as a hostile provider would want.
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusTemporaryRedirect)
	}))
	defer provider.Close()
	via := func(target string) string { return provider.URL + "/?to=" + url.QueryEscape(target) }

	targets := []struct{ name, url string }{
		{"metadata", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"},
		{"private", "http://10.0.0.1/"},
		{"documentation", "http://192.0.2.2/"},
		{"unique local", "http://[fd00::2]/"},
		{"another host", other.URL},
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := t.Context()
			// gmail goes through x/oauth2, notion through the package's
			// own token request.
			for _, slug := range []string{"gmail", "notion"} {
				c := clientFor(t, slug, provider.URL+"/authorize", via(tg.url+"/token"), via(tg.url+"/identity"))
				g, err := c.Exchange(ctx, local, "the-code", "verifier")
				if !errors.Is(err, egress.ErrRedirect) {
					t.Errorf("%s exchange redirected to %s: got %+v, %v; want egress.ErrRedirect", slug, tg.name, g.Token, err)
				}
				tok, err := c.Refresh(ctx, local, oauth.Token{AccessToken: "old", RefreshToken: "the-refresh-token"})
				if !errors.Is(err, egress.ErrRedirect) {
					t.Errorf("%s refresh redirected to %s: got %+v, %v; want egress.ErrRedirect", slug, tg.name, tok, err)
				}
			}
			c := clientFor(t, "gmail", provider.URL+"/authorize", provider.URL+"/token", via(tg.url+"/identity"))
			display, id, err := c.FetchIdentity(ctx, local, "the-access-token")
			if !errors.Is(err, egress.ErrRedirect) || display != "" || id != "" {
				t.Errorf("identity redirected to %s: got %q %q, %v; want egress.ErrRedirect and no identity", tg.name, display, id, err)
			}
		})
	}
	if n := stolen.Load(); n != 0 {
		t.Errorf("the other host got %d requests, want 0", n)
	}
}

// TestProviderOnLoopbackNeedsAllowLoopback: without the operator's
// SWITCHBOARD_EGRESS_ALLOW_LOOPBACK, a token endpoint on 127.0.0.1 is not
// called at all.
func TestProviderOnLoopbackNeedsAllowLoopback(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"at","token_type":"bearer"}`)
	}))
	defer srv.Close()
	for _, slug := range []string{"gmail", "notion"} {
		c := clientFor(t, slug, srv.URL+"/authorize", srv.URL+"/token", srv.URL+"/identity")
		for _, eg := range []*egress.Clients{nil, {LoopbackOnly: true}} {
			if _, err := c.Exchange(t.Context(), eg, "the-code", "verifier"); !errors.Is(err, egress.ErrBlockedAddress) {
				t.Errorf("%s exchange at 127.0.0.1 without AllowLoopback: got %v, want egress.ErrBlockedAddress", slug, err)
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback provider got %d requests, want 0", n)
	}
	// The control: with AllowLoopback the same call is made.
	c := clientFor(t, "gmail", srv.URL+"/authorize", srv.URL+"/token", srv.URL+"/identity")
	if _, err := c.Exchange(t.Context(), local, "the-code", "verifier"); err != nil {
		t.Errorf("exchange with AllowLoopback: %v", err)
	}
}
