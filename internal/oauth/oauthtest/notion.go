package oauthtest

import (
	"crypto/subtle"
	"encoding/json"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Paths of the Notion fake, as on api.notion.com.
const (
	NotionAuthorizePath = "/v1/oauth/authorize"
	NotionTokenPath     = "/v1/oauth/token"
)

// NotionOptions configure a Notion fake.
type NotionOptions struct {
	// ClientID, ClientSecret and RedirectURI are the one public
	// integration.
	ClientID, ClientSecret, RedirectURI string
	// UserID, UserName and Email are the person who connects; an empty
	// Email is an integration without the "read user information
	// including email" capability.
	UserID, UserName, Email string
	// WorkspaceID, WorkspaceName and BotID are the workspace connected and
	// the integration's bot in it.
	WorkspaceID, WorkspaceName, BotID string
	// NoRefresh makes the token response carry "refresh_token": null.
	NoRefresh bool
}

// Notion is a hand-written fake of Notion's public-integration OAuth
// endpoints (toolkits.md §6), on 127.0.0.1:
//
//   - /v1/oauth/authorize asks nobody: it checks the request (owner=user,
//     response_type=code) and redirects back at once with a code and the
//     state.
//   - /v1/oauth/token wants a JSON body and the client's credentials as
//     HTTP Basic; anything else is refused with HTTP 400 or 401 and a
//     Notion error object {"object": "error", "status", "code",
//     "message"}. It answers the token with no expires_in, and with the
//     workspace, the bot and the owner, whose email is under
//     owner.user.person.email. A refresh rotates the refresh token.
type Notion struct {
	URL  string
	opts NotionOptions

	mu         sync.Mutex
	codes      map[string]string // code → redirect_uri of the authorization
	refresh    map[string]bool
	authorizes []url.Values
	requests   []TokenRequest
	refreshes  int
}

// NewNotion starts a Notion fake on 127.0.0.1 and closes it when the test
// ends.
func NewNotion(t testing.TB, o NotionOptions) *Notion {
	t.Helper()
	n := &Notion{opts: o, codes: map[string]string{}, refresh: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+NotionAuthorizePath, n.authorize)
	mux.HandleFunc("POST "+NotionTokenPath, n.token)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	n.URL = srv.URL
	return n
}

// AuthorizeURL is the fake's authorization endpoint.
func (n *Notion) AuthorizeURL() string { return n.URL + NotionAuthorizePath }

// TokenURL is the fake's token endpoint.
func (n *Notion) TokenURL() string { return n.URL + NotionTokenPath }

// Authorizes returns the query of every authorization request so far.
func (n *Notion) Authorizes() []url.Values {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.authorizes)
}

// TokenRequests returns every token request so far.
func (n *Notion) TokenRequests() []TokenRequest {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.requests)
}

// RefreshCount is the number of successful refreshes.
func (n *Notion) RefreshCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.refreshes
}

func (n *Notion) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n.mu.Lock()
	n.authorizes = append(n.authorizes, q)
	n.mu.Unlock()
	if q.Get("client_id") != n.opts.ClientID {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	if ru := q.Get("redirect_uri"); ru != "" && ru != n.opts.RedirectURI {
		http.Error(w, "redirect_uri is not registered", http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {q.Get("state")}}
	switch {
	case q.Get("response_type") != "code":
		back.Set("error", "unsupported_response_type")
	case q.Get("owner") != "user":
		back.Set("error", "invalid_request")
	default:
		code := fakeRandom("")
		n.mu.Lock()
		n.codes[code] = q.Get("redirect_uri")
		n.mu.Unlock()
		back.Set("code", code)
	}
	http.Redirect(w, r, n.opts.RedirectURI+"?"+back.Encode(), http.StatusFound)
}

func (n *Notion) token(w http.ResponseWriter, r *http.Request) {
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	params := map[string]string{}
	if ctype != "application/json" {
		notionFail(w, http.StatusBadRequest, "invalid_request", "Content-Type must be application/json.")
		return
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	// The body may hold other JSON values (external_account); only the
	// string fields matter here.
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		notionFail(w, http.StatusBadRequest, "invalid_json", "Error parsing JSON body.")
		return
	}
	for k, v := range body {
		if s, ok := v.(string); ok {
			params[k] = s
		}
	}
	id, secret, basic := r.BasicAuth()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.requests = append(n.requests, TokenRequest{ContentType: ctype, Basic: basic, Params: maps.Clone(params)})
	if !basic || id != n.opts.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(n.opts.ClientSecret)) != 1 {
		notionFail(w, http.StatusUnauthorized, "unauthorized", "Client authentication failed.")
		return
	}
	switch params["grant_type"] {
	case "authorization_code":
		ru, ok := n.codes[params["code"]]
		if !ok {
			notionFail(w, http.StatusBadRequest, "invalid_grant", "Invalid code.")
			return
		}
		delete(n.codes, params["code"])
		if ru != params["redirect_uri"] {
			notionFail(w, http.StatusBadRequest, "invalid_grant", "Invalid redirect_uri.")
			return
		}
	case "refresh_token":
		if !n.refresh[params["refresh_token"]] {
			notionFail(w, http.StatusBadRequest, "invalid_grant", "Invalid refresh token.")
			return
		}
		delete(n.refresh, params["refresh_token"])
		n.refreshes++
	default:
		notionFail(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type.")
		return
	}
	writeJSON(w, http.StatusOK, n.issueLocked())
}

func (n *Notion) issueLocked() map[string]any {
	o := n.opts
	var refresh any
	if !o.NoRefresh {
		rt := "nrt_" + fakeRandom("")
		n.refresh[rt] = true
		refresh = rt
	}
	person := map[string]any{}
	if o.Email != "" {
		person["email"] = o.Email
	}
	return map[string]any{
		"access_token":   "ntn_" + fakeRandom(""),
		"token_type":     "bearer",
		"refresh_token":  refresh,
		"bot_id":         o.BotID,
		"workspace_id":   o.WorkspaceID,
		"workspace_name": o.WorkspaceName,
		"workspace_icon": nil,
		"owner": map[string]any{
			"type": "user",
			"user": map[string]any{
				"object":     "user",
				"id":         o.UserID,
				"name":       o.UserName,
				"avatar_url": nil,
				"type":       "person",
				"person":     person,
			},
		},
		"duplicated_template_id": nil,
		"request_id":             strings.ToLower(fakeRandom("")),
	}
}

// notionFail answers a Notion error object.
func notionFail(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{
		"object":     "error",
		"status":     status,
		"code":       code,
		"message":    message,
		"request_id": fakeRandom(""),
	})
}
