package authconfigs

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// credentialHostFields are the settings of an auth config that name a
// host which receives credentials: base_url gets every connected
// account's token or key on each call; token_url gets the client secret,
// authorization codes and refresh tokens; userinfo_url gets access
// tokens; authorization_url is where end users sign in and grant access.
var credentialHostFields = []string{"base_url", "authorization_url", "token_url", "userinfo_url"}

// oauthEndpointFields are the OAuth endpoints an auth config may override;
// each must lie on one of the toolkit's own sites (toolkitSites).
var oauthEndpointFields = []string{"authorization_url", "token_url", "userinfo_url"}

// checkEndpoint checks an endpoint URL setting when it is configured:
// egress.CheckURL (https, or plain http to loopback; loopback only when
// the operator allows it; never a private, link-local or other non-public
// address), and for an OAuth endpoint, the toolkit's own sites.
//
// The link page redirects the end user's browser to authorization_url,
// and token_url and userinfo_url receive the client secret, codes and
// tokens: an OAuth endpoint on any other host would make Switchboard an
// open redirector, or send those to a host the toolkit does not name. So
// an OAuth endpoint must be on the host of one of the toolkit's own URLs
// or a subdomain of its registrable domain (siteOf): accounts.google.com
// and oauth2.googleapis.com for Gmail, github.com and api.github.com for
// GitHub. Loopback hosts are accepted too when loopback is allowed, for
// providers run beside Switchboard in development and tests.
func (s *Service) checkEndpoint(tk toolkits.Toolkit, key, raw string) error {
	field := "auth_config.credentials." + key
	allowLoopback := s.AllowLoopback || egress.ListedLoopbackURL(s.LoopbackHosts, raw)
	u, err := egress.CheckURL(raw, allowLoopback)
	if err != nil {
		// The URL is not repeated: it may carry user info.
		return problem.Invalidf("invalid_endpoint", field, "%s: %s", key, strings.TrimPrefix(err.Error(), egress.ErrURL.Error()+": "))
	}
	if !isOAuthEndpoint(key) || (allowLoopback && egress.IsLoopbackHost(u.Host)) {
		return nil
	}
	sites := toolkitSites(tk)
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	for _, site := range sites {
		if host == site || strings.HasSuffix(host, "."+site) {
			return nil
		}
	}
	return problem.Invalidf("endpoint_host_not_allowed", field,
		"%s must be on one of the %s toolkit's own hosts (%s or a subdomain), not %s",
		key, tk.Slug, strings.Join(sites, ", "), u.Hostname()).
		WithFix("Leave %s out to use the toolkit's default, or give a URL on %s", key, strings.Join(sites, " or "))
}

func isOAuthEndpoint(key string) bool { return slices.Contains(oauthEndpointFields, key) }

// toolkitSites returns the registrable domains (siteOf) of every URL the
// toolkit itself declares: its base URL, OAuth endpoints and identity
// call, without duplicates.
func toolkitSites(tk toolkits.Toolkit) []string {
	urls := []string{tk.BaseURL}
	for _, sc := range tk.AuthSchemes {
		if sc.OAuth2 != nil {
			urls = append(urls, sc.OAuth2.AuthorizationURL, sc.OAuth2.TokenURL)
		}
	}
	if tk.Identity != nil {
		urls = append(urls, tk.Identity.URL)
	}
	var sites []string
	for _, raw := range urls {
		u, err := url.Parse(toolkits.TemplateSample(raw))
		if err != nil || u.Hostname() == "" {
			continue // "$cover" and other non-URLs
		}
		site := siteOf(u.Hostname())
		if !slices.Contains(sites, site) {
			sites = append(sites, site)
		}
	}
	return sites
}

// siteOf returns the registrable domain of a host name: its last two
// labels ("accounts.google.com" → "google.com"), or three under a
// two-letter country code whose second level is a common public one
// ("login.example.co.uk" → "example.co.uk"). An IP address, or a name of
// two labels or fewer, is its own site. Only the built-in catalog's hosts
// go through it, and TestToolkitSites pins what they yield, so the
// approximation of the public suffix list is reviewed where it matters.
func siteOf(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if _, err := netip.ParseAddr(host); err == nil {
		return host
	}
	labels := strings.Split(host, ".")
	n := 2
	if len(labels) >= 3 && len(labels[len(labels)-1]) == 2 {
		switch labels[len(labels)-2] {
		case "co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go":
			n = 3
		}
	}
	if len(labels) <= n {
		return host
	}
	return strings.Join(labels[len(labels)-n:], ".")
}

// changedCredentialHosts returns the credential-host fields whose scheme,
// host or port differ between old and next, in credentialHostFields order.
func (s *Service) changedCredentialHosts(cat *toolkits.Catalog, old, next store.AuthConfig) []string {
	same := true
	for _, k := range credentialHostFields {
		same = same && old.Params[k] == next.Params[k]
	}
	if same {
		return nil // the common case: a new name, scopes, status or secret
	}
	// Without the toolkit (gone from the catalog, or a caller with no
	// catalog) the defaults are unknown: every changed override counts.
	tk, _ := cat.Get(old.ToolkitSlug)
	var changed []string
	for _, k := range credentialHostFields {
		if origin(effectiveURL(old, tk, k)) != origin(effectiveURL(next, tk, k)) {
			changed = append(changed, k)
		}
	}
	return changed
}

// hostChange is the credential-host rule's refusal of a change of field k
// from old to next of an auth config with n accounts.
func (s *Service) hostChange(cat *toolkits.Catalog, old, next store.AuthConfig, k string, n int) error {
	tk, _ := cat.Get(old.ToolkitSlug)
	return (&problem.Error{
		Kind: problem.Invalid, Code: "credential_host_change", Field: "auth_config.credentials." + k,
		Message: fmt.Sprintf("auth config %s has %d connected account(s); changing %s from host %s to %s would send their credentials to a new host",
			old.ID, n, k, hostOf(effectiveURL(old, tk, k)), hostOf(effectiveURL(next, tk, k))),
	}).WithFix("Create a new auth config with the new %s (POST /api/v3.1/auth_configs) and connect the accounts again through it, or delete this config's connected accounts first", k)
}

// effectiveURL is the URL an auth config's setting k resolves to: the
// override, or the toolkit's default.
func effectiveURL(c store.AuthConfig, tk toolkits.Toolkit, k string) string {
	if v := c.Params[k]; v != "" {
		return v
	}
	switch k {
	case "base_url":
		return tk.BaseURL
	case "userinfo_url":
		if tk.Identity != nil {
			return tk.Identity.URL
		}
		return ""
	}
	sc, ok := tk.Scheme(toolkits.Mode(c.AuthScheme))
	if !ok || sc.OAuth2 == nil {
		return ""
	}
	if k == "authorization_url" {
		return sc.OAuth2.AuthorizationURL
	}
	return sc.OAuth2.TokenURL
}

// origin is a URL's scheme and canonical host and port (RFC 6454), or the
// raw string if it is not an absolute URL.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	host := strings.ToLower(u.Host)
	switch u.Scheme {
	case "https":
		host = strings.TrimSuffix(host, ":443")
	case "http":
		host = strings.TrimSuffix(host, ":80")
	}
	return strings.ToLower(u.Scheme) + "://" + host
}

// hostOf names a URL's host for a message; "none" when there is none.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "none"
	}
	return u.Host
}

// errHostChange stops an update transaction whose change moves a
// credential-receiving host, so that the accounts are counted outside it.
var errHostChange = errors.New("authconfigs: credential host change")

// update is the one way this package changes a stored auth config: fn
// changes the current value, and the credential-host rule (see Update) is
// applied to the result. A change that moves a credential-receiving host is first
// refused inside the store's transaction; the config's accounts are then
// counted outside it (no second connection is held while one is in a
// transaction), and only with none is the update run again, allowed to
// move hosts. An account connected between the count and that second run
// is authorized through the new hosts' flow only if its link was opened
// after the change; that narrow window is accepted.
func (s *Service) update(ctx context.Context, projectID, id string, fn func(store.AuthConfig) (store.AuthConfig, error)) (store.AuthConfig, error) {
	// The catalog is read before the transaction, which must not wait
	// for another connection.
	cat := s.Catalog.For(ctx, projectID)
	run := func(allowHostChange bool) (store.AuthConfig, error) {
		return s.Store.UpdateAuthConfig(ctx, projectID, id, func(old store.AuthConfig) (store.AuthConfig, error) {
			next, err := fn(old)
			if err != nil {
				return old, err
			}
			if !allowHostChange && len(s.changedCredentialHosts(cat, old, next)) > 0 {
				return old, errHostChange
			}
			return next, nil
		})
	}
	c, err := run(false)
	if errors.Is(err, errHostChange) {
		old, gerr := s.Store.GetAuthConfig(ctx, projectID, id)
		if gerr != nil {
			err = gerr
		} else {
			counts, cerr := s.Store.CountAccounts(ctx, projectID, []string{id})
			if cerr != nil {
				return store.AuthConfig{}, fmt.Errorf("count accounts of auth config: %w", cerr)
			}
			if n := counts[id]; n > 0 {
				next, ferr := fn(old)
				if ferr != nil {
					return store.AuthConfig{}, ferr
				}
				if changed := s.changedCredentialHosts(cat, old, next); len(changed) > 0 {
					return store.AuthConfig{}, s.hostChange(cat, old, next, changed[0], n)
				}
				// Another change in between made this one keep the hosts:
				// run it again under the rule, never with it lifted.
				if c, err = run(false); errors.Is(err, errHostChange) {
					err = &problem.Error{Kind: problem.Unavailable, Code: "credential_host_change",
						Message: "auth config " + id + " changed while this update ran; try again"}
				}
			} else {
				c, err = run(true)
			}
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return store.AuthConfig{}, notFound(id)
	}
	return c, err
}
