package oauthserver

import (
	"net/http"
	"strings"
)

// bearerToken returns the access token of an "Authorization: Bearer"
// header (RFC 6750 §2.1). The scheme is matched case-insensitively (RFC
// 7235 §2.1), unlike the library's resolver.
func bearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// authorizeResource answers 401 with a RFC 6750 §3 challenge unless the
// request carries a valid access token, and returns the token's user.
func (p *Provider) authorizeResource(w http.ResponseWriter, r *http.Request) *user {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil
	}
	return p.tokenUser(w, r)
}

// tokenUser answers 401 unless the request carries a valid access token,
// and returns the token's user.
func (p *Provider) tokenUser(w http.ResponseWriter, r *http.Request) *user {
	tok, ok := bearerToken(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oauthtest"`)
		// No error code when the request had no credentials (RFC 6750 §3.1).
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error_description": "Missing Bearer access token"})
		return nil
	}
	ti, err := p.manager.LoadAccessToken(r.Context(), tok)
	p.mu.Lock()
	var u *user
	desc := p.accessNote[tok]
	if err == nil {
		u = p.subs[ti.GetUserID()]
	} else if mu, note := p.machineUserLocked(tok); mu != nil || note != "" {
		u, desc = mu, note
	}
	p.mu.Unlock()
	if u == nil {
		if desc == "" {
			desc = "The access token is invalid, expired or revoked"
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="oauthtest", error="invalid_token", error_description="`+desc+`"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": desc})
		return nil
	}
	return u
}

func (p *Provider) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	if u := p.authorizeResource(w, r); u != nil {
		writeJSON(w, http.StatusOK, map[string]string{
			"sub": u.Subject, "email": u.Email, "login": u.Login, "name": u.Name,
		})
	}
}

func (p *Provider) handleGmailProfile(w http.ResponseWriter, r *http.Request) {
	if u := p.authorizeResource(w, r); u != nil {
		writeJSON(w, http.StatusOK, map[string]any{
			"emailAddress": u.Email, "messagesTotal": 0, "threadsTotal": 0, "historyId": "1",
		})
	}
}

// Protect makes h a resource server of this provider: requests without a
// valid access token get the RFC 6750 §3 401 challenge, and h learns whose
// token the request carried. Tests build fake provider APIs with it.
func (p *Provider) Protect(h func(w http.ResponseWriter, r *http.Request, u User)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := p.tokenUser(w, r); u != nil {
			h(w, r, User{Subject: u.Subject, Login: u.Login, Email: u.Email, Name: u.Name})
		}
	})
}
