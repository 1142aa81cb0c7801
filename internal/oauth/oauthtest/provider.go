// Package oauthtest runs internal/oauthserver's OAuth 2.0 authorization
// server on 127.0.0.1 for tests, closed when the test ends, and drives its
// sign-in page like an end user's browser (Consent). It also has fakes of
// providers with their own quirks (Slack, Notion). See oauthserver for
// what the provider implements.
package oauthtest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/oauthserver"
)

// Endpoint paths served by a Provider.
const (
	AuthorizePath    = oauthserver.AuthorizePath
	TokenPath        = oauthserver.TokenPath
	UserinfoPath     = oauthserver.UserinfoPath
	GmailProfilePath = oauthserver.GmailProfilePath
)

// DefaultAccessTokenTTL is the access token lifetime used unless
// WithAccessTokenTTL says otherwise.
const DefaultAccessTokenTTL = oauthserver.DefaultAccessTokenTTL

type (
	// Option configures a Provider.
	Option = oauthserver.Option
	// User is an end-user identity at the provider.
	User = oauthserver.User
	// IssuedToken records one token response the provider sent.
	IssuedToken = oauthserver.IssuedToken
)

// Options of oauthserver, under their old names.
var (
	DefaultScopes       = oauthserver.DefaultScopes
	WithScopes          = oauthserver.WithScopes
	WithAccessTokenTTL  = oauthserver.WithAccessTokenTTL
	WithRefreshTokenTTL = oauthserver.WithRefreshTokenTTL
)

// Provider is an oauthserver.Provider served on 127.0.0.1 for one test;
// its set-up methods fail the test instead of returning errors.
type Provider struct {
	*oauthserver.Provider
	t testing.TB
}

// NewProvider starts a provider on 127.0.0.1 and closes it when the test
// ends. It has no clients and no users until RegisterClient and AddUser.
func NewProvider(t testing.TB, opts ...Option) *Provider {
	t.Helper()
	var inner *oauthserver.Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	inner = oauthserver.New(srv.URL, opts...)
	return &Provider{Provider: inner, t: t}
}

// RegisterClient is oauthserver's RegisterClient, failing the test on a
// bad client id or redirect URI.
func (p *Provider) RegisterClient(id, secret, redirectURI string) {
	p.t.Helper()
	if err := p.Provider.RegisterClient(id, secret, redirectURI); err != nil {
		p.t.Fatal(err)
	}
}

// RegisterMachineClient is oauthserver's RegisterMachineClient, failing
// the test without an id and a secret.
func (p *Provider) RegisterMachineClient(id, secret string) {
	p.t.Helper()
	if err := p.Provider.RegisterMachineClient(id, secret); err != nil {
		p.t.Fatal(err)
	}
}

// AddUser is oauthserver's AddUser, failing the test on an empty login.
func (p *Provider) AddUser(login, password, email string) User {
	p.t.Helper()
	u, err := p.Provider.AddUser(login, password, email)
	if err != nil {
		p.t.Fatal(err)
	}
	return u
}

// RevokeUser is oauthserver's RevokeUser, failing the test for an
// unknown login.
func (p *Provider) RevokeUser(login string) {
	p.t.Helper()
	if err := p.Provider.RevokeUser(login); err != nil {
		p.t.Fatal(err)
	}
}
