// Package oauth runs the OAuth 2.0 client side of a connection: the
// authorization request with PKCE, the code exchange, refreshes, and the
// identity call that tells which upstream account was connected.
//
// Providers that follow RFC 6749 go through golang.org/x/oauth2. Token
// requests that it cannot make are made here with net/http: a JSON body
// with HTTP Basic client authentication (Notion), a token nested in the
// response (Slack's user token under "authed_user"), and errors sent with
// HTTP 200 (Slack's "ok": false).
//
// Threats and defences:
//   - A stolen or injected authorization code is useless without the PKCE
//     code verifier (RFC 7636), which never leaves the server: Start is
//     given a fresh verifier per link and only its S256 challenge goes to
//     the browser.
//   - Cross-site request forgery on the callback (RFC 6749 §10.12) is
//     stopped by a random, single-use, expiring state bound to one link; the
//     accounts package stores only the state's hash and burns it on first use.
//   - Provider error bodies can echo codes or tokens, so errors from this
//     package carry the OAuth error code (RFC 6749 §5.2) and never the body.
//   - A token response with HTTP 200 is not taken for a success: Slack
//     answers every error that way, with "ok": false. Only an access token
//     found where the provider puts it counts; Slack's top-level token is
//     the bot's, never taken for the user's.
//   - Error codes read from provider answers are kept only when they look
//     like codes (a short run of letters, digits, "_", "-", "."), since they
//     reach the end user's error page.
//   - A provider answer that redirects the token, refresh or identity call
//     elsewhere (169.254.169.254, the private network, another host) to
//     get the client secret, a refresh token or an access token, or to
//     make an internal service's answer the account's identity: every call
//     goes through an egress client for the endpoint's own host, which
//     follows redirects only on that host and connects only to public
//     addresses (loopback only when the operator allows it).
//   - A refresh token that the provider refuses (invalid_grant, or Slack's
//     invalid_refresh_token) is reported as ErrRefreshRefused so the account
//     moves to EXPIRED instead of being retried forever.
package oauth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/switchboard-dev/switchboard/internal/egress"
)

// Client is one OAuth 2.0 client registration at one provider, as an auth
// config and its toolkit describe it.
type Client struct {
	ClientID     string
	ClientSecret string
	AuthURL      string
	TokenURL     string
	RedirectURL  string
	Scopes       []string
	// ScopeSeparator joins Scopes in the authorization request; RFC 6749
	// §3.3 says space, a few providers (Slack, Linear) want a comma.
	ScopeSeparator string
	// ScopeParam is the authorization request parameter that carries the
	// scopes; empty means "scope" (RFC 6749 §3.3). Slack takes the scopes
	// of the user's token in "user_scope".
	ScopeParam string
	// AuthStyle says how the client authenticates at the token endpoint:
	// AuthStyleInParams in the body, otherwise HTTP Basic (RFC 6749
	// §2.3.1).
	AuthStyle oauth2.AuthStyle
	// TokenEncoding is how token requests are encoded; empty means
	// TokenForm.
	TokenEncoding TokenEncoding
	// TokenResponsePath, when set, is the dotted path of the object in the
	// token response that holds the token fields: Slack nests the user
	// token under "authed_user". Empty means the top level (RFC 6749 §5.1).
	TokenResponsePath string
	// AuthParams are extra authorization request parameters, such as
	// Google's access_type=offline.
	AuthParams map[string]string
	// PKCE reports whether to send a PKCE S256 challenge (RFC 7636); every
	// provider that supports it gets one.
	PKCE bool
	// LoginHintParam, when set, is the parameter ForAccount puts the
	// account's identity in ("login_hint", OpenID Connect Core §3.1.2.1).
	LoginHintParam string
	// SelectAccount reports whether ForAccount asks for the provider's
	// account chooser (prompt=select_account).
	SelectAccount bool
	// Identity describes the call that names the connected account.
	Identity Identity
	// Now, when set, is the clock token expiries are computed with.
	Now func() time.Time
}

// TokenEncoding is how a token request's parameters are sent.
type TokenEncoding string

// Token request encodings.
const (
	// TokenForm is application/x-www-form-urlencoded (RFC 6749 §4.1.3).
	TokenForm TokenEncoding = "form"
	// TokenJSON is a JSON object of strings, which Notion requires.
	TokenJSON TokenEncoding = "json"
)

// Identity names the upstream account: usually an HTTP call, made with
// the new access token, whose JSON answer Extract reads; for providers
// whose token response names the account, that response.
type Identity struct {
	URL    string
	Method string
	// Body is sent as JSON when not empty (a GraphQL query, for example).
	Body string
	// FromTokenResponse reports whether Extract reads the token response
	// of the code exchange instead of an answer from URL: Exchange then
	// names the account and no identity call is made. Notion's current
	// user is the integration's bot, so only its token response tells who
	// connected.
	FromTokenResponse bool
	// Extract returns the display name and the stable id from the answer.
	Extract func(body []byte) (display, id string, err error)
}

// Grant is what an authorization code exchange yields.
type Grant struct {
	Token Token
	// Display and IdentityID name the account, read from the token
	// response when Identity.FromTokenResponse is set; otherwise empty.
	Display, IdentityID string
	// IdentityErr says why the token response did not name the account.
	// The token is good regardless.
	IdentityErr error
}

// Token is what the store keeps (sealed) for an OAuth2 account.
type Token struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	Scope        string    `json:"scope,omitempty"`
	// RefreshExpiry is when the refresh token runs out, when the provider
	// says (refresh_token_expires_in, as GitHub, Microsoft and others
	// answer); zero when it does not.
	RefreshExpiry time.Time `json:"refresh_expiry,omitzero"`
}

// ErrUnauthorized reports that a provider answered a call made with an
// access token with 401 (RFC 6750 §3.1, invalid_token).
var ErrUnauthorized = errors.New("the provider refused the access token (HTTP 401)")

// ErrRefreshRefused reports that the provider refused a refresh token
// (revoked, expired, or already used).
var ErrRefreshRefused = errors.New("provider refused the refresh token")

// ProviderError is an OAuth error the provider answered with.
type ProviderError struct {
	// Code is the RFC 6749 error code, such as invalid_grant.
	Code string
	// Status is the HTTP status of the answer.
	Status int
}

func (e *ProviderError) Error() string {
	return fmt.Sprintf("provider answered %s (HTTP %d)", e.Code, e.Status)
}

func (c Client) config() *oauth2.Config {
	scopes := c.Scopes
	if c.ScopeSeparator != "" && c.ScopeSeparator != " " && len(scopes) > 0 {
		scopes = []string{strings.Join(scopes, c.ScopeSeparator)}
	}
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: c.AuthURL, TokenURL: c.TokenURL, AuthStyle: c.AuthStyle},
		RedirectURL:  c.RedirectURL,
		Scopes:       scopes,
	}
}

// NewState returns a random state for an authorization request and the
// hash under which it is stored.
func NewState() (state, hash string) {
	state = rand.Text()
	return state, HashState(state)
}

// HashState returns the stored form of a state.
func HashState(state string) string {
	h := sha256.Sum256([]byte(state))
	return hex.EncodeToString(h[:])
}

// NewVerifier returns a fresh PKCE code verifier (RFC 7636 §4.1).
func NewVerifier() string { return oauth2.GenerateVerifier() }

// AuthCodeURL returns the provider URL that starts an authorization code
// flow, with a PKCE S256 challenge (RFC 7636 §4.2) when the provider takes
// one.
func (c Client) AuthCodeURL(state, verifier string) string {
	cfg := c.config()
	var opts []oauth2.AuthCodeOption
	if c.PKCE {
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	}
	if p := c.ScopeParam; p != "" && p != "scope" {
		// x/oauth2 knows only "scope"; Slack's user scopes go elsewhere.
		cfg.Scopes = nil
		if len(c.Scopes) > 0 {
			opts = append(opts, oauth2.SetAuthURLParam(p, strings.Join(c.Scopes, c.separator())))
		}
	}
	for k, v := range c.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	return cfg.AuthCodeURL(state, opts...)
}

// ForAccount returns the client for the re-authorization of the account
// whose recorded identity is hint: the authorization request names it in
// LoginHintParam and, with SelectAccount, adds select_account to the
// prompt, so the provider offers that account rather than whichever the
// browser is signed in to. The identity the callback gets is still checked
// against the account's; a hint is not a guarantee.
func (c Client) ForAccount(hint string) Client {
	if (c.LoginHintParam == "" || hint == "") && !c.SelectAccount {
		return c
	}
	params := make(map[string]string, len(c.AuthParams)+2)
	for k, v := range c.AuthParams {
		params[k] = v
	}
	if c.LoginHintParam != "" && hint != "" {
		params[c.LoginHintParam] = hint
	}
	if c.SelectAccount {
		// prompt is a space-delimited list (OpenID Connect Core §3.1.2.1).
		if p := params["prompt"]; p != "" && !slices.Contains(strings.Fields(p), "select_account") {
			params["prompt"] = "select_account " + p
		} else if p == "" {
			params["prompt"] = "select_account"
		}
	}
	c.AuthParams = params
	return c
}

func (c Client) separator() string {
	if c.ScopeSeparator == "" {
		return " "
	}
	return c.ScopeSeparator
}

// standard reports whether x/oauth2 can make c's token requests: a form
// body, and an RFC 6749 §5.1 response with the token at the top level
// that nothing else needs to read.
func (c Client) standard() bool {
	return (c.TokenEncoding == "" || c.TokenEncoding == TokenForm) &&
		c.TokenResponsePath == "" && !c.Identity.FromTokenResponse
}

// Exchange trades an authorization code for tokens (RFC 6749 §4.1.3). When
// the identity comes from the token response, it names the account too.
// The call goes through eg's client for the token URL's host; nil eg
// reaches public https hosts only.
func (c Client) Exchange(ctx context.Context, eg *egress.Clients, code, verifier string) (Grant, error) {
	if !c.standard() {
		params := map[string]string{"grant_type": "authorization_code", "code": code}
		if c.RedirectURL != "" {
			params["redirect_uri"] = c.RedirectURL
		}
		if c.PKCE {
			params["code_verifier"] = verifier
		}
		raw, tok, err := c.tokenRequest(ctx, eg, params, false)
		if err != nil {
			return Grant{}, fmt.Errorf("exchange code: %w", err)
		}
		g := Grant{Token: tok}
		if in := c.Identity; in.FromTokenResponse && in.Extract != nil {
			g.Display, g.IdentityID, g.IdentityErr = in.Extract(raw)
		}
		return g, nil
	}
	ctx = c.withTokenClient(ctx, eg)
	var opts []oauth2.AuthCodeOption
	if c.PKCE {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	t, err := c.config().Exchange(ctx, code, opts...)
	if err != nil {
		return Grant{}, fmt.Errorf("exchange code: %w", cleanError(err))
	}
	return Grant{Token: c.fromOAuth2(t, "")}, nil
}

// Refresh trades a refresh token for new tokens (RFC 6749 §6). When the
// provider does not rotate the refresh token, the old one is kept. The
// call goes through eg, as for Exchange.
func (c Client) Refresh(ctx context.Context, eg *egress.Clients, old Token) (Token, error) {
	if old.RefreshToken == "" {
		return Token{}, fmt.Errorf("refresh token: %w: the account has no refresh token", ErrRefreshRefused)
	}
	var tok Token
	var err error
	if c.standard() {
		ctx = c.withTokenClient(ctx, eg)
		src := c.config().TokenSource(ctx, &oauth2.Token{RefreshToken: old.RefreshToken, Expiry: time.Unix(1, 0)})
		var t *oauth2.Token
		if t, err = src.Token(); err == nil {
			tok = c.fromOAuth2(t, old.Scope)
		}
		err = cleanError(err)
	} else {
		_, tok, err = c.tokenRequest(ctx, eg, map[string]string{"grant_type": "refresh_token", "refresh_token": old.RefreshToken}, true)
	}
	if err != nil {
		if pe, ok := errors.AsType[*ProviderError](err); ok && refused(pe.Code) {
			return Token{}, fmt.Errorf("refresh token: %w (%v)", ErrRefreshRefused, pe)
		}
		return Token{}, fmt.Errorf("refresh token: %w", err)
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = old.RefreshToken
	}
	if tok.Scope == "" {
		tok.Scope = old.Scope
	}
	return tok, nil
}

// withTokenClient makes x/oauth2 send its token requests with the egress
// client of the token endpoint's host. It always sets one: without it,
// x/oauth2 would use http.DefaultClient, which follows any redirect to
// any address.
func (c Client) withTokenClient(ctx context.Context, eg *egress.Clients) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, orDefault(eg).ForURL(c.TokenURL))
}

// defaultEgress serves callers that pass no clients: public https hosts
// only.
var defaultEgress = &egress.Clients{}

func orDefault(eg *egress.Clients) *egress.Clients {
	if eg == nil {
		return defaultEgress
	}
	return eg
}

// refused reports whether a token endpoint error code means the refresh
// token is dead: invalid_grant (RFC 6749 §5.2), or Slack's
// invalid_refresh_token.
func refused(code string) bool {
	return code == "invalid_grant" || code == "invalid_refresh_token"
}

func (c Client) fromOAuth2(t *oauth2.Token, scope string) Token {
	if s, ok := t.Extra("scope").(string); ok && s != "" {
		scope = s
	}
	expiry := t.Expiry
	// x/oauth2 dates the expiry with the wall clock; date it with ours.
	if c.Now != nil && t.ExpiresIn > 0 {
		expiry = c.Now().Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	tok := Token{
		AccessToken:  t.AccessToken,
		RefreshToken: t.RefreshToken,
		TokenType:    t.TokenType,
		Expiry:       expiry.UTC(),
		Scope:        scope,
	}
	// JSON answers decode numbers as float64, form-encoded ones as text.
	raw := t.Extra("refresh_token_expires_in")
	if f, ok := raw.(float64); ok && f > 0 && f < 1<<40 {
		raw = strconv.FormatInt(int64(f), 10)
	}
	if n := seconds(raw); n > 0 && tok.RefreshToken != "" {
		tok.RefreshExpiry = c.now().Add(time.Duration(n) * time.Second).UTC()
	}
	return tok
}

// maxTokenResponse bounds how much of a token response is read.
const maxTokenResponse = 1 << 20

// tokenRequest makes a token request (RFC 6749 §4.1.3, §6) the way c's
// provider wants it, for the providers x/oauth2 cannot serve, and returns
// the response body with the token read from it. With refresh set, a
// token at the top level is accepted when TokenResponsePath holds none:
// Slack answers the refresh of a user token with the token at the top
// level, typed "user", while its code exchange puts the bot's token there.
func (c Client) tokenRequest(ctx context.Context, eg *egress.Clients, params map[string]string, refresh bool) ([]byte, Token, error) {
	hc := orDefault(eg).ForURL(c.TokenURL)
	basic := c.AuthStyle != oauth2.AuthStyleInParams
	if !basic {
		params["client_id"] = c.ClientID
		if c.ClientSecret != "" {
			params["client_secret"] = c.ClientSecret
		}
	}
	var body []byte
	var contentType string
	switch c.TokenEncoding {
	case TokenJSON:
		b, err := json.Marshal(params)
		if err != nil {
			return nil, Token{}, fmt.Errorf("encode token request: %w", err)
		}
		body, contentType = b, "application/json"
	default:
		form := url.Values{}
		for k, v := range params {
			form.Set(k, v)
		}
		body, contentType = []byte(form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, bytes.NewReader(body))
	if err != nil {
		return nil, Token{}, fmt.Errorf("build token request: %w", err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	if basic {
		// RFC 6749 §2.3.1: both are form-encoded before Basic encoding,
		// as x/oauth2 does; real ids and secrets have nothing to escape.
		req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.ClientSecret))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, Token{}, fmt.Errorf("call token endpoint: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return nil, Token{}, fmt.Errorf("read token response: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, Token{}, &ProviderError{Code: "unexpected_response", Status: resp.StatusCode}
	}
	if code, failed := errorCode(doc); failed || resp.StatusCode/100 != 2 {
		return nil, Token{}, &ProviderError{Code: code, Status: resp.StatusCode}
	}
	obj := doc
	if path := c.TokenResponsePath; path != "" {
		nested, _ := dig(doc, path).(map[string]any)
		switch {
		case stringField(nested, "access_token") != "":
			obj = nested
		case refresh && stringField(doc, "access_token") != "":
		default:
			return nil, Token{}, fmt.Errorf("read token response: no access token at %s", path)
		}
	}
	tok := Token{
		AccessToken:  stringField(obj, "access_token"),
		RefreshToken: stringField(obj, "refresh_token"), // Notion sends null
		TokenType:    stringField(obj, "token_type"),
		Scope:        stringField(obj, "scope"),
	}
	if tok.AccessToken == "" {
		return nil, Token{}, errors.New("read token response: no access token")
	}
	if n := seconds(obj["expires_in"]); n > 0 {
		tok.Expiry = c.now().Add(time.Duration(n) * time.Second).UTC()
	}
	if n := seconds(obj["refresh_token_expires_in"]); n > 0 && tok.RefreshToken != "" {
		tok.RefreshExpiry = c.now().Add(time.Duration(n) * time.Second).UTC()
	}
	return raw, tok, nil
}

func (c Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// errorCode reads the error of a token endpoint answer, and reports
// whether it is one: an RFC 6749 §5.2 "error" (Slack's too, whose answer
// also has "ok": false with HTTP 200), or Notion's API error object
// {"object": "error", "code": …}. An error whose code is missing or does
// not look like one gets "unexpected_response".
func errorCode(doc map[string]any) (code string, failed bool) {
	if ok, isBool := doc["ok"].(bool); isBool && !ok {
		failed = true
	}
	if e, isString := doc["error"].(string); isString && e != "" {
		code, failed = e, true
	} else if doc["object"] == "error" {
		code, failed = stringField(doc, "code"), true
	}
	return safeCode(code), failed
}

// safeCode returns code if it looks like an error code, and
// "unexpected_response" if not: codes are shown to end users, and a
// provider could put anything there.
func safeCode(code string) string {
	if code == "" || len(code) > 64 {
		return "unexpected_response"
	}
	for _, r := range code {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-' || r == '.') {
			return "unexpected_response"
		}
	}
	return code
}

// dig returns the value at a dotted path of object keys, or nil.
func dig(doc map[string]any, path string) any {
	var v any = doc
	for key := range strings.SplitSeq(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[key]
	}
	return v
}

func stringField(obj map[string]any, key string) string {
	s, _ := obj[key].(string)
	return s
}

// seconds reads expires_in, a number or, from some providers, a string.
func seconds(v any) int64 {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = v.String()
	case string:
		s = v
	default:
		return 0
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f < 1<<40 {
		return int64(f)
	}
	return 0
}

// cleanError keeps the OAuth error code of a token endpoint failure and
// drops the response body, which may echo secrets.
func cleanError(err error) error {
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return &ProviderError{Code: safeCode(re.ErrorCode), Status: status}
	}
	return err
}

// Identify names the account of a grant: from the token response when the
// identity comes from there, otherwise with FetchIdentity.
func (c Client) Identify(ctx context.Context, eg *egress.Clients, g Grant) (display, id string, err error) {
	if c.Identity.FromTokenResponse {
		return g.Display, g.IdentityID, g.IdentityErr
	}
	return c.FetchIdentity(ctx, eg, g.Token.AccessToken)
}

// FetchIdentity calls the identity endpoint with an access token and
// returns the account's display name and stable id. The call goes through
// eg's client for the identity URL's host; nil eg reaches public https
// hosts only.
func (c Client) FetchIdentity(ctx context.Context, eg *egress.Clients, accessToken string) (display, id string, err error) {
	return c.FetchIdentityWith(ctx, eg, func(req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+accessToken)
		return nil
	})
}

// FetchIdentityWith is FetchIdentity with the credential put on the
// request by authorize: an API key, a bearer token or basic auth, sent as
// the toolkit's tool calls send it. A 401 is ErrUnauthorized.
func (c Client) FetchIdentityWith(ctx context.Context, eg *egress.Clients, authorize func(*http.Request) error) (display, id string, err error) {
	in := c.Identity
	if in.URL == "" || in.FromTokenResponse {
		return "", "", nil
	}
	hc := orDefault(eg).ForURL(in.URL)
	method := in.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if in.Body != "" {
		body = bytes.NewReader([]byte(in.Body))
	}
	req, err := http.NewRequestWithContext(ctx, method, in.URL, body)
	if err != nil {
		return "", "", fmt.Errorf("build identity request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if err := authorize(req); err != nil {
		return "", "", fmt.Errorf("authorize identity request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("call identity endpoint: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", "", fmt.Errorf("read identity answer: %w", err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		return "", "", fmt.Errorf("call identity endpoint: %w", ErrUnauthorized)
	}
	if resp.StatusCode/100 != 2 {
		return "", "", fmt.Errorf("call identity endpoint: HTTP %d", resp.StatusCode)
	}
	if in.Extract == nil {
		return "", "", nil
	}
	if !json.Valid(b) {
		return "", "", errors.New("identity endpoint answered with something other than JSON")
	}
	// Slack answers errors with HTTP 200 and "ok": false.
	var env struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(b, &env) == nil && env.OK != nil && !*env.OK {
		return "", "", fmt.Errorf("call identity endpoint: provider answered %s", safeCode(env.Error))
	}
	return in.Extract(b)
}
