// Package oauth runs the OAuth 2.0 client side of a connection with
// golang.org/x/oauth2: the authorization request with PKCE, the code
// exchange, refreshes, and the identity call that tells which upstream
// account was connected.
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
//   - A refresh token that the provider refuses (invalid_grant) is reported
//     as ErrRefreshRefused so the account moves to EXPIRED instead of being
//     retried forever.
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
	"strings"
	"time"

	"golang.org/x/oauth2"
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
	// AuthStyle says how the client authenticates at the token endpoint.
	AuthStyle oauth2.AuthStyle
	// AuthParams are extra authorization request parameters, such as
	// Google's access_type=offline.
	AuthParams map[string]string
	// PKCE reports whether to send a PKCE S256 challenge (RFC 7636); every
	// provider that supports it gets one.
	PKCE bool
	// Identity describes the call that names the connected account.
	Identity Identity
	// Now, when set, is the clock token expiries are computed with.
	Now func() time.Time
}

// Identity is an HTTP call, made with the new access token, whose JSON
// answer names the upstream account.
type Identity struct {
	URL    string
	Method string
	// Body is sent as JSON when not empty (a GraphQL query, for example).
	Body string
	// Extract returns the display name and the stable id from the answer.
	Extract func(body []byte) (display, id string, err error)
}

// Token is what the store keeps (sealed) for an OAuth2 account.
type Token struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	Scope        string    `json:"scope,omitempty"`
}

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
// flow with PKCE S256 (RFC 7636 §4.2).
func (c Client) AuthCodeURL(state, verifier string) string {
	var opts []oauth2.AuthCodeOption
	if c.PKCE {
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	}
	for k, v := range c.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	return c.config().AuthCodeURL(state, opts...)
}

// Exchange trades an authorization code for tokens (RFC 6749 §4.1.3).
func (c Client) Exchange(ctx context.Context, hc *http.Client, code, verifier string) (Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	var opts []oauth2.AuthCodeOption
	if c.PKCE {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	t, err := c.config().Exchange(ctx, code, opts...)
	if err != nil {
		return Token{}, fmt.Errorf("exchange code: %w", cleanError(err))
	}
	return c.fromOAuth2(t, ""), nil
}

// Refresh trades a refresh token for new tokens (RFC 6749 §6). When the
// provider does not rotate the refresh token, the old one is kept.
func (c Client) Refresh(ctx context.Context, hc *http.Client, old Token) (Token, error) {
	if old.RefreshToken == "" {
		return Token{}, fmt.Errorf("refresh token: %w: the account has no refresh token", ErrRefreshRefused)
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	src := c.config().TokenSource(ctx, &oauth2.Token{RefreshToken: old.RefreshToken, Expiry: time.Unix(1, 0)})
	t, err := src.Token()
	if err != nil {
		err = cleanError(err)
		if pe, ok := errors.AsType[*ProviderError](err); ok && pe.Code == "invalid_grant" {
			return Token{}, fmt.Errorf("refresh token: %w (%v)", ErrRefreshRefused, pe)
		}
		return Token{}, fmt.Errorf("refresh token: %w", err)
	}
	return c.fromOAuth2(t, old.Scope), nil
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
	return Token{
		AccessToken:  t.AccessToken,
		RefreshToken: t.RefreshToken,
		TokenType:    t.TokenType,
		Expiry:       expiry.UTC(),
		Scope:        scope,
	}
}

// cleanError keeps the OAuth error code of a token endpoint failure and
// drops the response body, which may echo secrets.
func cleanError(err error) error {
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		code := re.ErrorCode
		if code == "" {
			code = "unexpected_response"
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return &ProviderError{Code: code, Status: status}
	}
	return err
}

// FetchIdentity calls the identity endpoint with an access token and
// returns the account's display name and stable id.
func (c Client) FetchIdentity(ctx context.Context, hc *http.Client, accessToken string) (display, id string, err error) {
	in := c.Identity
	if in.URL == "" {
		return "", "", nil
	}
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
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
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
	if resp.StatusCode/100 != 2 {
		return "", "", fmt.Errorf("call identity endpoint: HTTP %d", resp.StatusCode)
	}
	if in.Extract == nil {
		return "", "", nil
	}
	if !json.Valid(b) {
		return "", "", errors.New("identity endpoint answered with something other than JSON")
	}
	return in.Extract(b)
}
