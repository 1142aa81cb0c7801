package oauthserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	oauth2lib "github.com/go-oauth2/oauth2/v4"
	oerrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/go-oauth2/oauth2/v4/store"
	"golang.org/x/oauth2"
)

// Endpoint paths served by a Provider.
const (
	// AuthorizePath is the authorization endpoint (RFC 6749 §3.1).
	AuthorizePath = "/authorize"
	// TokenPath is the token endpoint (RFC 6749 §3.2).
	TokenPath = "/token"
	// UserinfoPath is the userinfo resource endpoint.
	UserinfoPath = "/userinfo"
	// GmailProfilePath is the Gmail-shaped profile resource endpoint.
	GmailProfilePath = "/gmail/v1/users/me/profile"
)

// DefaultAccessTokenTTL is the access token lifetime used unless
// WithAccessTokenTTL says otherwise.
const DefaultAccessTokenTTL = time.Hour

// defaultCodeTTL is the authorization code lifetime; RFC 6749 §4.1.2
// recommends at most ten minutes.
const defaultCodeTTL = 10 * time.Minute

// DefaultScopes returns the scopes a Provider accepts unless WithScopes
// replaces them: OpenID-style identity scopes, the common Gmail scopes and a
// few GitHub-style ones.
func DefaultScopes() []string {
	return []string{
		"openid", "email", "profile",
		"https://www.googleapis.com/auth/userinfo.email",
		"https://www.googleapis.com/auth/userinfo.profile",
		"https://www.googleapis.com/auth/gmail.readonly",
		"https://www.googleapis.com/auth/gmail.send",
		"https://www.googleapis.com/auth/gmail.modify",
		"https://mail.google.com/",
		"read:user", "user:email", "repo",
	}
}

// Option configures a Provider.
type Option func(*config)

type config struct {
	scopes     []string
	accessTTL  time.Duration
	refreshTTL time.Duration
	picker     bool
}

// WithIdentityPicker makes the sign-in page list the provider's users to
// choose from, with no password: anyone who reaches the page may sign in
// as any of them. It is for the demo, whose users are made-up identities
// on a loopback listener; never for a provider that guards anything.
func WithIdentityPicker() Option {
	return func(c *config) { c.picker = true }
}

// WithScopes replaces the set of scopes the provider accepts; a request for
// any other scope is answered with error=invalid_scope.
func WithScopes(scopes ...string) Option {
	return func(c *config) { c.scopes = slices.Clone(scopes) }
}

// WithAccessTokenTTL sets the access token lifetime reported as expires_in
// (default DefaultAccessTokenTTL). Use at least a second: expires_in is
// whole seconds, and 0 means "no expiry" to most clients.
func WithAccessTokenTTL(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.accessTTL = d
		}
	}
}

// WithRefreshTokenTTL sets the lifetime of each refresh token, counted from
// its issue (rotation issues a new one), which token responses report as
// refresh_token_expires_in. The default, 0, means refresh tokens never
// expire by time, as with Google, and the field is left out.
func WithRefreshTokenTTL(d time.Duration) Option {
	return func(c *config) {
		if d >= 0 {
			c.refreshTTL = d
		}
	}
}

// User is an end-user identity at the provider.
type User struct {
	// Subject is the stable, provider-unique user id returned as "sub"; it is
	// derived from Login, so the same login has the same subject in every
	// Provider.
	Subject string
	Login   string
	Email   string
	Name    string
}

type user struct {
	User
	password string
}

// IssuedToken records one token response the provider sent.
type IssuedToken struct {
	Login        string
	Subject      string
	ClientID     string
	Scope        string
	GrantType    string // "authorization_code", "refresh_token" or "client_credentials"
	AccessToken  string
	RefreshToken string
	IssuedAt     time.Time
}

// client is the provider's view of a registered OAuth client. It is never
// mutated after it is stored, so the library may read it without locks.
type client struct {
	id           string
	secret       string
	redirectURIs []string
}

func (c *client) GetID() string     { return c.id }
func (c *client) GetSecret() string { return c.secret }
func (c *client) IsPublic() bool    { return c.secret == "" }
func (c *client) GetUserID() string { return "" }

// GetDomain returns all registered redirect URIs separated by newlines (which
// a URI cannot contain); exactRedirectURI splits them again. The library only
// hands GetDomain to the redirect URI validator.
func (c *client) GetDomain() string { return strings.Join(c.redirectURIs, "\n") }

// VerifyPassword compares the client secret in constant time.
func (c *client) VerifyPassword(secret string) bool {
	return subtle.ConstantTimeCompare([]byte(secret), []byte(c.secret)) == 1
}

// exactRedirectURI replaces the library's DefaultValidateURI, which accepts
// any redirect URI whose host ends with the registered host. RFC 6749 §3.1.2.3
// and the Security BCP §4.1.3 require exact string matching.
func exactRedirectURI(registered, redirectURI string) error {
	if slices.Contains(strings.Split(registered, "\n"), redirectURI) {
		return nil
	}
	return oerrors.ErrInvalidRedirectURI
}

// family is one authorization grant: the tokens issued from one
// authorization code and all refreshes descending from it.
type family struct {
	sub      string
	clientID string
	refresh  string   // the only refresh token of the family that is valid
	access   []string // every access token issued in the family
	revoked  bool
}

type session struct {
	sub  string
	csrf string
}

// Provider is an OAuth 2.0 authorization server; Handler serves it.
type Provider struct {
	// URL is the provider's base URL, such as http://127.0.0.1:port,
	// without a trailing slash: where Handler is served.
	URL string

	cfg     config
	handler http.Handler
	oauth   *server.Server
	manager *manage.Manager
	clients *store.ClientStore

	// mu guards everything below. The token endpoint holds it for the whole
	// request, which makes code redemption and refresh rotation atomic: the
	// library's get-then-delete of a code is not.
	mu           sync.Mutex
	users        map[string]*user // by login
	subs         map[string]*user // by subject
	clientInfo   map[string]*client
	sessions     map[string]*session
	refreshIndex map[string]*family // every refresh token ever issued
	accessIndex  map[string]*family // every access token ever issued
	accessNote   map[string]string  // why an access token stopped working
	usedCodes    map[string]*family // redeemed authorization codes
	issued       []IssuedToken
	refreshes    int
	refreshTries int
	authorizes   []url.Values
	machine      map[string]bool         // clients allowed the client credentials grant
	machineToks  map[string]machineToken // access tokens of that grant
}

// Authorizes returns the parameters of every authorization request a
// browser made (GET), oldest first: what Switchboard's redirect asked for.
func (p *Provider) Authorizes() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]url.Values, len(p.authorizes))
	for i, v := range p.authorizes {
		out[i] = maps.Clone(v)
	}
	return out
}

// machineToken is an access token of the client credentials grant.
type machineToken struct {
	clientID string
	expires  time.Time
	note     string // why it stopped working, once it has
}

// New returns a provider to be served at baseURL (Handler). It has no
// clients and no users until RegisterClient and AddUser.
func New(baseURL string, opts ...Option) *Provider {
	cfg := config{scopes: DefaultScopes(), accessTTL: DefaultAccessTokenTTL}
	for _, o := range opts {
		o(&cfg)
	}

	p := &Provider{
		URL:          strings.TrimSuffix(baseURL, "/"),
		cfg:          cfg,
		clients:      store.NewClientStore(),
		users:        map[string]*user{},
		subs:         map[string]*user{},
		clientInfo:   map[string]*client{},
		sessions:     map[string]*session{},
		refreshIndex: map[string]*family{},
		accessIndex:  map[string]*family{},
		accessNote:   map[string]string{},
		usedCodes:    map[string]*family{},
		machine:      map[string]bool{},
		machineToks:  map[string]machineToken{},
	}

	m := manage.NewDefaultManager()
	m.SetAuthorizeCodeExp(defaultCodeTTL)
	m.SetAuthorizeCodeTokenCfg(&manage.Config{
		AccessTokenExp:    cfg.accessTTL,
		RefreshTokenExp:   cfg.refreshTTL,
		IsGenerateRefresh: true,
	})
	m.SetRefreshTokenCfg(&manage.RefreshingConfig{
		AccessTokenExp:     cfg.accessTTL,
		RefreshTokenExp:    cfg.refreshTTL,
		IsGenerateRefresh:  true, // rotation: every refresh issues a new refresh token
		IsResetRefreshTime: true, // the new refresh token's lifetime starts now
		IsRemoveRefreshing: true, // and the old one stops working
		IsRemoveAccess:     false,
	})
	m.SetValidateURIHandler(exactRedirectURI)
	m.MustTokenStorage(store.NewMemoryTokenStore())
	m.MapClientStorage(p.clients)
	p.manager = m

	s := server.NewServer(&server.Config{
		TokenType:                   "Bearer",
		AllowedResponseTypes:        []oauth2lib.ResponseType{oauth2lib.Code},
		AllowedGrantTypes:           []oauth2lib.GrantType{oauth2lib.AuthorizationCode, oauth2lib.Refreshing},
		AllowedCodeChallengeMethods: []oauth2lib.CodeChallengeMethod{oauth2lib.CodeChallengeS256},
		ForcePKCE:                   true,
	}, m)
	s.ClientInfoHandler = authenticatedClient
	if cfg.refreshTTL > 0 {
		// A refresh token that runs out says when, as GitHub's and
		// Microsoft's token endpoints do.
		s.ExtensionFieldsHandler = func(ti oauth2lib.TokenInfo) map[string]any {
			if ti.GetRefresh() == "" {
				return nil
			}
			return map[string]any{"refresh_token_expires_in": int64(ti.GetRefreshExpiresIn() / time.Second)}
		}
	}
	s.ClientAuthorizedHandler = func(_ string, gt oauth2lib.GrantType) (bool, error) {
		return gt == oauth2lib.AuthorizationCode || gt == oauth2lib.Refreshing, nil
	}
	s.ClientScopeHandler = func(tgr *oauth2lib.TokenGenerateRequest) (bool, error) {
		return p.scopeAllowed(tgr.Scope), nil
	}
	s.UserAuthorizationHandler = func(_ http.ResponseWriter, r *http.Request) (string, error) {
		sub, _ := r.Context().Value(userKey{}).(string)
		if sub == "" {
			return "", oerrors.ErrAccessDenied
		}
		return sub, nil
	}
	// The library refreshes with any scope unless this handler is set; RFC
	// 6749 §6 forbids scopes the original grant did not include.
	s.RefreshingScopeHandler = func(tgr *oauth2lib.TokenGenerateRequest, granted string) (bool, error) {
		have := strings.Split(granted, " ")
		for _, sc := range strings.Split(tgr.Scope, " ") {
			if !slices.Contains(have, sc) {
				return false, nil
			}
		}
		return true, nil
	}
	// Several library errors are not in its table of RFC error codes and
	// would come out as server_error; all of them mean invalid_grant.
	s.InternalErrorHandler = func(err error) *oerrors.Response {
		switch err {
		case oerrors.ErrInvalidAuthorizeCode, oerrors.ErrInvalidRedirectURI,
			oerrors.ErrInvalidRefreshToken, oerrors.ErrExpiredRefreshToken,
			oerrors.ErrMissingCodeVerifier, oerrors.ErrInvalidCodeChallenge,
			oerrors.ErrMissingCodeChallenge:
			return &oerrors.Response{
				Error:       oerrors.ErrInvalidGrant,
				Description: "The grant is invalid: " + err.Error(),
				StatusCode:  http.StatusBadRequest,
			}
		}
		return nil
	}
	p.oauth = s

	mux := http.NewServeMux()
	mux.HandleFunc(AuthorizePath, p.handleAuthorize)
	mux.HandleFunc(TokenPath, p.handleToken)
	mux.HandleFunc(UserinfoPath, p.handleUserinfo)
	mux.HandleFunc(GmailProfilePath, p.handleGmailProfile)
	p.handler = mux
	return p
}

// Handler serves the provider's endpoints (AuthorizePath, TokenPath,
// UserinfoPath, GmailProfilePath).
func (p *Provider) Handler() http.Handler { return p.handler }

type userKey struct{}

// AuthorizeURL returns the authorization endpoint URL.
func (p *Provider) AuthorizeURL() string { return p.URL + AuthorizePath }

// TokenURL returns the token endpoint URL.
func (p *Provider) TokenURL() string { return p.URL + TokenPath }

// UserinfoURL returns the URL of the userinfo endpoint, which answers
// {"sub","email","login","name"} for a Bearer access token.
func (p *Provider) UserinfoURL() string { return p.URL + UserinfoPath }

// GmailProfileURL returns the URL of the Gmail-shaped profile endpoint,
// which answers {"emailAddress","messagesTotal","threadsTotal","historyId"}.
func (p *Provider) GmailProfileURL() string { return p.URL + GmailProfilePath }

// Endpoint returns the provider's endpoints for golang.org/x/oauth2.
func (p *Provider) Endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{AuthURL: p.AuthorizeURL(), TokenURL: p.TokenURL()}
}

// RegisterClient registers a client, or updates it if id is known: secret
// replaces the old secret and redirectURI is added to the client's redirect
// URIs, which must match a request's redirect_uri exactly. An empty secret
// makes a public client, which sends only client_id to the token endpoint.
func (p *Provider) RegisterClient(id, secret, redirectURI string) error {
	u, err := url.Parse(redirectURI)
	if id == "" || err != nil || !u.IsAbs() || u.Fragment != "" || strings.Contains(redirectURI, "\n") {
		return fmt.Errorf("oauthserver: RegisterClient(%q, _, %q): need a client id and an absolute redirect URI without fragment (RFC 6749 §3.1.2)", id, redirectURI)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c := &client{id: id, secret: secret}
	if old := p.clientInfo[id]; old != nil {
		c.redirectURIs = slices.Clone(old.redirectURIs)
	}
	if !slices.Contains(c.redirectURIs, redirectURI) {
		c.redirectURIs = append(c.redirectURIs, redirectURI)
	}
	p.clientInfo[id] = c
	_ = p.clients.Set(id, c)
	return nil
}

// RegisterMachineClient registers a confidential client that may use the
// client credentials grant (RFC 6749 §4.4), and no other: it has no
// redirect URI. Calling it again replaces the secret.
func (p *Provider) RegisterMachineClient(id, secret string) error {
	if id == "" || secret == "" {
		return fmt.Errorf("oauthserver: RegisterMachineClient(%q, _): the grant needs a confidential client (RFC 6749 §4.4)", id)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c := &client{id: id, secret: secret}
	p.clientInfo[id] = c
	p.machine[id] = true
	_ = p.clients.Set(id, c)
	return nil
}

// clientCredentialsLocked runs the client credentials grant for an
// authenticated client (RFC 6749 §4.4.2, §4.4.3). p.mu must be held.
func (p *Provider) clientCredentialsLocked(w http.ResponseWriter, r *http.Request, c *client) {
	if !p.machine[c.id] {
		writeTokenError(w, "unauthorized_client", "The client may not use the client_credentials grant")
		return
	}
	scope := r.PostForm.Get("scope")
	if !p.scopeAllowed(scope) {
		writeTokenError(w, "invalid_scope", "Unknown scope")
		return
	}
	tok := "cc_" + randomToken()
	now := time.Now()
	p.machineToks[tok] = machineToken{clientID: c.id, expires: now.Add(p.cfg.accessTTL)}
	p.issued = append(p.issued, IssuedToken{ClientID: c.id, Subject: "client:" + c.id, Scope: scope,
		GrantType: "client_credentials", AccessToken: tok, IssuedAt: now})
	body := map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(p.cfg.accessTTL / time.Second)}
	if scope != "" {
		body["scope"] = scope
	}
	writeJSON(w, http.StatusOK, body)
}

// machineUser is the resource owner of a client credentials access token,
// the client itself, or nil with why the token does not work. p.mu must
// be held.
func (p *Provider) machineUserLocked(tok string) (*user, string) {
	mt, ok := p.machineToks[tok]
	switch {
	case !ok:
		return nil, ""
	case mt.note != "":
		return nil, mt.note
	case time.Now().After(mt.expires):
		return nil, "The access token expired"
	}
	return &user{User: User{Subject: "client:" + mt.clientID, Login: mt.clientID, Name: mt.clientID}}, ""
}

// AddUser adds an end user who can sign in with login and password, and
// returns the identity. Calling it again for the same login changes the
// password and email but keeps the subject.
func (p *Provider) AddUser(login, password, email string) (User, error) {
	if login == "" {
		return User{}, errors.New("oauthserver: AddUser needs a login")
	}
	sum := sha256.Sum256([]byte("oauthtest-subject:" + login))
	u := &user{
		User: User{
			Subject: fmt.Sprintf("1%020d", binary.BigEndian.Uint64(sum[:8])),
			Login:   login,
			Email:   email,
			Name:    login,
		},
		password: password,
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if other := p.subs[u.Subject]; other != nil && other.Login != login {
		return User{}, fmt.Errorf("oauthserver: subject collision between %q and %q", login, other.Login)
	}
	p.users[login] = u
	p.subs[u.Subject] = u
	return u.User, nil
}

// RefreshCount returns how many refresh_token grants succeeded.
func (p *Provider) RefreshCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refreshes
}

// RefreshAttempts returns how many refresh_token grant requests reached the
// provider with an authenticated client, successful or not.
func (p *Provider) RefreshAttempts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refreshTries
}

// IssuedTokens returns, oldest first, every token response the provider sent
// for the user with this login; an empty login means all users.
func (p *Provider) IssuedTokens(login string) []IssuedToken {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []IssuedToken
	for _, it := range p.issued {
		if login == "" || it.Login == login {
			out = append(out, it)
		}
	}
	return out
}

// RevokeUser revokes every refresh token issued so far to the user with
// this login, as if the user had removed the app's access at the provider:
// the next refresh of any of them fails with invalid_grant. Access tokens
// already issued keep working until they expire; call ExpireAccessTokens as
// well to make the next API call fail with 401. The user can still sign in
// and grant access anew.
func (p *Provider) RevokeUser(login string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.users[login]
	if u == nil {
		return fmt.Errorf("oauthserver: RevokeUser(%q): no such user", login)
	}
	seen := map[*family]bool{}
	for _, f := range p.refreshIndex {
		if f.sub == u.Subject && !seen[f] {
			seen[f] = true
			p.revokeFamilyLocked(f, false)
		}
	}
	return nil
}

// ExpireAccessTokens makes every access token issued so far expired, so the
// next call to a resource endpoint with any of them gets 401 invalid_token.
// Refresh tokens are unaffected, and tokens issued later work normally.
func (p *Provider) ExpireAccessTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for tok, mt := range p.machineToks {
		if mt.note == "" {
			mt.note = "The access token expired"
			p.machineToks[tok] = mt
		}
	}
	for tok := range p.accessIndex {
		_ = p.manager.RemoveAccessToken(context.Background(), tok)
		if p.accessNote[tok] == "" {
			p.accessNote[tok] = "The access token expired"
		}
	}
}

// revokeFamilyLocked makes the family's refresh token unusable and, with
// withAccess, its access tokens too. p.mu must be held.
func (p *Provider) revokeFamilyLocked(f *family, withAccess bool) {
	f.revoked = true
	if f.refresh != "" {
		_ = p.manager.RemoveRefreshToken(context.Background(), f.refresh)
	}
	if withAccess {
		for _, tok := range f.access {
			_ = p.manager.RemoveAccessToken(context.Background(), tok)
			if p.accessNote[tok] == "" {
				p.accessNote[tok] = "The access token was revoked"
			}
		}
	}
}

// recordLocked adds a successful token response to the ledger. p.mu must be
// held.
func (p *Provider) recordLocked(f *family, ti oauth2lib.TokenInfo, grant string) {
	f.refresh = ti.GetRefresh()
	f.access = append(f.access, ti.GetAccess())
	p.refreshIndex[ti.GetRefresh()] = f
	p.accessIndex[ti.GetAccess()] = f
	login := ""
	if u := p.subs[f.sub]; u != nil {
		login = u.Login
	}
	p.issued = append(p.issued, IssuedToken{
		Login:        login,
		Subject:      f.sub,
		ClientID:     f.clientID,
		Scope:        ti.GetScope(),
		GrantType:    grant,
		AccessToken:  ti.GetAccess(),
		RefreshToken: ti.GetRefresh(),
		IssuedAt:     ti.GetAccessCreateAt(),
	})
}

// scopeAllowed reports whether scope is an empty or single-space-delimited
// list of known scope tokens (RFC 6749 §3.3).
func (p *Provider) scopeAllowed(scope string) bool {
	if scope == "" {
		return true
	}
	for _, sc := range strings.Split(scope, " ") {
		if !slices.Contains(p.cfg.scopes, sc) {
			return false
		}
	}
	return true
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
