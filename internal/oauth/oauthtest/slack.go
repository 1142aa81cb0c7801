package oauthtest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Paths of the Slack fake, as on slack.com.
const (
	SlackAuthorizePath = "/oauth/v2/authorize"
	SlackTokenPath     = "/api/oauth.v2.access"
	SlackAuthTestPath  = "/api/auth.test"
)

// SlackTokenTTL is the lifetime of a rotating Slack token: 12 hours.
const SlackTokenTTL = 12 * time.Hour

// SlackUser is the person who installs the app, and their workspace.
type SlackUser struct {
	ID, Name, TeamID, TeamName string
}

// SlackOptions configure a Slack fake.
type SlackOptions struct {
	// ClientID, ClientSecret and RedirectURI are the one registered app.
	ClientID, ClientSecret, RedirectURI string
	// Installer is who every authorization is for.
	Installer SlackUser
	// BotToken makes the code exchange answer a bot token at the top
	// level too, as Slack does when bot scopes are requested.
	BotToken bool
	// NestedRefresh makes a refresh answer the new user token under
	// "authed_user", as the code exchange does. By default it is at the
	// top level with token_type "user", which is what Slack's Node SDK
	// (OAuthV2TokenRefreshResponse) reads.
	NestedRefresh bool
}

// Slack is a hand-written fake of Slack's OAuth v2 endpoints for
// "granular" apps with token rotation on (toolkits.md §5), on 127.0.0.1:
//
//   - /oauth/v2/authorize asks nobody: it checks the request and redirects
//     back at once with a code for the installer and the state. Scopes
//     must be comma-separated; "scope" holds bot scopes and "user_scope"
//     user scopes.
//   - /api/oauth.v2.access takes a form or JSON body, and the client's
//     credentials as HTTP Basic or as client_id/client_secret parameters.
//     It answers every error with HTTP 200, "ok": false and an "error"
//     code (invalid_code, bad_client_secret, bad_redirect_uri,
//     invalid_refresh_token…). The user token is nested under
//     "authed_user"; it expires in 12 hours and comes with a refresh
//     token that is good for one refresh.
//   - /api/auth.test names the owner of a Bearer user token, or answers
//     "ok": false with invalid_auth.
type Slack struct {
	URL  string
	opts SlackOptions

	mu         sync.Mutex
	codes      map[string]slackCode
	refresh    map[string]string // live refresh token → user scope
	access     map[string]bool   // live user access tokens
	authorizes []url.Values
	requests   []TokenRequest
	refreshes  int
}

type slackCode struct {
	redirectURI, userScope, botScope string
}

// TokenRequest is a token request a fake received, for tests to check
// how the client made it.
type TokenRequest struct {
	// ContentType is the media type of the body, without parameters.
	ContentType string
	// Basic reports whether the client authenticated with HTTP Basic.
	Basic bool
	// Params are the body's parameters, the client's credentials left out.
	Params map[string]string
}

// NewSlack starts a Slack fake on 127.0.0.1 and closes it when the test
// ends.
func NewSlack(t testing.TB, o SlackOptions) *Slack {
	t.Helper()
	s := &Slack{opts: o, codes: map[string]slackCode{}, refresh: map[string]string{}, access: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+SlackAuthorizePath, s.authorize)
	mux.HandleFunc("POST "+SlackTokenPath, s.token)
	mux.HandleFunc(SlackAuthTestPath, s.authTest)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// AuthorizeURL is the fake's authorization endpoint.
func (s *Slack) AuthorizeURL() string { return s.URL + SlackAuthorizePath }

// TokenURL is the fake's token endpoint, oauth.v2.access.
func (s *Slack) TokenURL() string { return s.URL + SlackTokenPath }

// AuthTestURL is the fake's auth.test method.
func (s *Slack) AuthTestURL() string { return s.URL + SlackAuthTestPath }

// Authorizes returns the query of every authorization request so far.
func (s *Slack) Authorizes() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.authorizes)
}

// TokenRequests returns every token request so far.
func (s *Slack) TokenRequests() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// RefreshCount is the number of successful refreshes.
func (s *Slack) RefreshCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

// RevokeAll makes every refresh and access token issued so far invalid.
func (s *Slack) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
	clear(s.access)
}

func (s *Slack) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.authorizes = append(s.authorizes, q)
	s.mu.Unlock()
	// Without a known client and redirect URI there is nowhere safe to
	// redirect to.
	if q.Get("client_id") != s.opts.ClientID {
		http.Error(w, "invalid_client_id", http.StatusBadRequest)
		return
	}
	if ru := q.Get("redirect_uri"); ru != "" && ru != s.opts.RedirectURI {
		http.Error(w, "bad_redirect_uri", http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {q.Get("state")}}
	userScope, botScope := q.Get("user_scope"), q.Get("scope")
	if (userScope == "" && botScope == "") || !slackScopes(userScope) || !slackScopes(botScope) {
		back.Set("error", "invalid_scope")
	} else {
		code := fakeRandom("")
		s.mu.Lock()
		s.codes[code] = slackCode{redirectURI: q.Get("redirect_uri"), userScope: userScope, botScope: botScope}
		s.mu.Unlock()
		back.Set("code", code)
	}
	http.Redirect(w, r, s.opts.RedirectURI+"?"+back.Encode(), http.StatusFound)
}

// slackScopes reports whether list is empty or a comma-separated list of
// scopes, such as "chat:write,channels:read".
func slackScopes(list string) bool {
	if list == "" {
		return true
	}
	for sc := range strings.SplitSeq(list, ",") {
		if sc == "" || strings.ContainsAny(sc, " +") {
			return false
		}
	}
	return true
}

func (s *Slack) token(w http.ResponseWriter, r *http.Request) {
	params, ctype, ok := readTokenParams(r)
	if !ok {
		slackFail(w, "invalid_arguments")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = params["client_id"], params["client_secret"]
	}
	delete(params, "client_id")
	delete(params, "client_secret")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, TokenRequest{ContentType: ctype, Basic: basic, Params: maps.Clone(params)})
	switch {
	case id != s.opts.ClientID:
		slackFail(w, "invalid_client_id")
		return
	case subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) != 1:
		slackFail(w, "bad_client_secret")
		return
	}
	switch params["grant_type"] {
	case "", "authorization_code":
		s.exchangeLocked(w, params)
	case "refresh_token":
		s.refreshLocked(w, params)
	default:
		slackFail(w, "invalid_grant_type")
	}
}

func (s *Slack) exchangeLocked(w http.ResponseWriter, params map[string]string) {
	c, ok := s.codes[params["code"]]
	if !ok {
		slackFail(w, "invalid_code")
		return
	}
	delete(s.codes, params["code"]) // single use
	if c.redirectURI != "" && params["redirect_uri"] != c.redirectURI {
		slackFail(w, "bad_redirect_uri")
		return
	}
	u := s.opts.Installer
	authed := map[string]any{"id": u.ID}
	if c.userScope != "" {
		maps.Copy(authed, s.issueLocked(c.userScope))
	}
	resp := map[string]any{
		"ok":                    true,
		"app_id":                "A0FAKEAPP",
		"authed_user":           authed,
		"team":                  map[string]any{"id": u.TeamID, "name": u.TeamName},
		"enterprise":            nil,
		"is_enterprise_install": false,
	}
	if s.opts.BotToken || c.botScope != "" {
		resp["access_token"] = fakeRandom("xoxb-")
		resp["token_type"] = "bot"
		resp["scope"] = c.botScope
		resp["bot_user_id"] = "UFAKEBOT"
	}
	writeJSON(w, http.StatusOK, resp)
}

// issueLocked issues a rotating user token with scope, and returns its
// fields as Slack names them.
func (s *Slack) issueLocked(scope string) map[string]any {
	at, rt := fakeRandom("xoxe.xoxp-1-"), fakeRandom("xoxe-1-")
	s.access[at] = true
	s.refresh[rt] = scope
	return map[string]any{
		"access_token":  at,
		"token_type":    "user",
		"scope":         scope,
		"expires_in":    int(SlackTokenTTL / time.Second),
		"refresh_token": rt,
	}
}

func (s *Slack) refreshLocked(w http.ResponseWriter, params map[string]string) {
	scope, ok := s.refresh[params["refresh_token"]]
	if !ok {
		slackFail(w, "invalid_refresh_token")
		return
	}
	delete(s.refresh, params["refresh_token"]) // rotation: good once
	s.refreshes++
	u := s.opts.Installer
	tok := s.issueLocked(scope)
	resp := map[string]any{
		"ok":                    true,
		"app_id":                "A0FAKEAPP",
		"team":                  map[string]any{"id": u.TeamID, "name": u.TeamName},
		"enterprise":            nil,
		"is_enterprise_install": false,
	}
	if s.opts.NestedRefresh {
		tok["id"] = u.ID
		resp["authed_user"] = tok
	} else {
		maps.Copy(resp, tok)
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Slack) authTest(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		slackFail(w, "not_authed")
		return
	}
	s.mu.Lock()
	live := s.access[tok]
	s.mu.Unlock()
	if !live {
		slackFail(w, "invalid_auth")
		return
	}
	u := s.opts.Installer
	writeJSON(w, http.StatusOK, map[string]any{
		"ok":                    true,
		"url":                   "https://" + strings.ToLower(u.TeamName) + ".slack.com/",
		"team":                  u.TeamName,
		"user":                  u.Name,
		"team_id":               u.TeamID,
		"user_id":               u.ID,
		"is_enterprise_install": false,
	})
}

// slackFail answers a Slack Web API error: HTTP 200 with "ok": false.
func slackFail(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": code})
}

// readTokenParams reads a token request body that is form-encoded or a
// JSON object of strings, and returns its media type.
func readTokenParams(r *http.Request) (map[string]string, string, bool) {
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	params := map[string]string{}
	switch ctype {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, ctype, false
		}
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
	case "application/json":
		if err := json.NewDecoder(r.Body).Decode(&params); err != nil {
			return nil, ctype, false
		}
	default:
		return nil, ctype, false
	}
	return params, ctype, true
}

// fakeRandom returns prefix followed by random characters.
func fakeRandom(prefix string) string {
	return fmt.Sprintf("%s%s", prefix, strings.ToLower(rand.Text()))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store") // RFC 6749 §5.1
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
