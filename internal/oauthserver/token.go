package oauthserver

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"regexp"

	oauth2lib "github.com/go-oauth2/oauth2/v4"
	oerrors "github.com/go-oauth2/oauth2/v4/errors"
)

// codeVerifier is the syntax of a PKCE code_verifier (RFC 7636 §4.1).
var codeVerifier = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

type clientKey struct{}

// authenticatedClient is the library's ClientInfoHandler. handleToken has
// already authenticated the client by hand and put it in the context.
func authenticatedClient(r *http.Request) (string, string, error) {
	c, _ := r.Context().Value(clientKey{}).(*client)
	if c == nil {
		return "", "", oerrors.ErrInvalidClient
	}
	return c.id, c.secret, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store") // RFC 6749 §5.1
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeTokenError answers in the shape of RFC 6749 §5.2: HTTP 400, except
// 401 with a WWW-Authenticate challenge for invalid_client. (The library
// answers 401 for invalid_grant, unauthorized_client and
// unsupported_grant_type, which §5.2 does not allow.)
func writeTokenError(w http.ResponseWriter, code, description string) {
	status := http.StatusBadRequest
	switch code {
	case "invalid_client":
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="oauthtest"`)
	case "server_error":
		status = http.StatusInternalServerError
	case "temporarily_unavailable":
		status = http.StatusServiceUnavailable
	}
	body := map[string]string{"error": code}
	if description != "" {
		body["error_description"] = description
	}
	writeJSON(w, status, body)
}

func (p *Provider) writeLibraryError(w http.ResponseWriter, err error) {
	data, _, _ := p.oauth.GetErrorData(err)
	code, _ := data["error"].(string)
	desc, _ := data["error_description"].(string)
	if code == "" {
		code = "server_error"
	}
	writeTokenError(w, code, desc)
}

func (p *Provider) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeTokenError(w, "invalid_request", "The token endpoint accepts only POST")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		writeTokenError(w, "invalid_request", "The body must be application/x-www-form-urlencoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeTokenError(w, "invalid_request", "Malformed form body")
		return
	}
	// Parameters belong in the body (RFC 6749 §4.1.3, §6); the library reads
	// FormValue, which would also take them from the query string.
	r.Form = r.PostForm
	for k, vs := range r.PostForm {
		if len(vs) > 1 {
			writeTokenError(w, "invalid_request", "Parameter "+k+" is repeated")
			return
		}
	}
	gt := r.PostForm.Get("grant_type")
	switch gt {
	case "":
		writeTokenError(w, "invalid_request", "Missing grant_type")
		return
	case string(oauth2lib.AuthorizationCode), string(oauth2lib.Refreshing), string(oauth2lib.ClientCredentials):
	default:
		writeTokenError(w, "unsupported_grant_type", "Supported grant types are authorization_code, refresh_token and client_credentials")
		return
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	c, code, desc := p.authenticateClientLocked(r)
	if c == nil {
		writeTokenError(w, code, desc)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), clientKey{}, c))
	if p.machine[c.id] != (gt == string(oauth2lib.ClientCredentials)) {
		// A machine client has only this grant, and other clients not it.
		writeTokenError(w, "unauthorized_client", "The client may not use the "+gt+" grant")
		return
	}
	switch gt {
	case string(oauth2lib.ClientCredentials):
		p.clientCredentialsLocked(w, r, c)
	case string(oauth2lib.AuthorizationCode):
		p.exchangeCodeLocked(w, r, c)
	default:
		p.refreshLocked(w, r, c)
	}
}

// authenticateClientLocked authenticates the client by hand, per RFC 6749
// §2.3.1: HTTP Basic with form-encoded id and secret, or client_secret_post,
// but never both; a public client sends only client_id. The library accepts
// only Basic, does not decode it, and does not authenticate refresh requests
// at all.
func (p *Provider) authenticateClientLocked(r *http.Request) (*client, string, string) {
	postID := r.PostForm.Get("client_id")
	_, postSecret := r.PostForm["client_secret"]
	var id, secret string
	if r.Header.Get("Authorization") != "" {
		bid, bsecret, ok := r.BasicAuth()
		if !ok {
			return nil, "invalid_client", "Unsupported client authentication scheme"
		}
		var err1, err2 error
		id, err1 = url.QueryUnescape(bid)
		secret, err2 = url.QueryUnescape(bsecret)
		if err1 != nil || err2 != nil {
			return nil, "invalid_client", "Malformed client credentials"
		}
		if postSecret {
			return nil, "invalid_request", "Use only one client authentication method"
		}
		if postID != "" && postID != id {
			return nil, "invalid_request", "client_id does not match the authenticated client"
		}
	} else {
		id, secret = postID, r.PostForm.Get("client_secret")
		if id == "" {
			return nil, "invalid_client", "Client authentication is required"
		}
	}
	c := p.clientInfo[id]
	if c == nil || !c.VerifyPassword(secret) {
		return nil, "invalid_client", "Client authentication failed"
	}
	return c, "", ""
}

func (p *Provider) exchangeCodeLocked(w http.ResponseWriter, r *http.Request, c *client) {
	code := r.PostForm.Get("code")
	// RFC 6749 §4.1.2 and §10.5: a code used twice is refused, and the
	// tokens issued from it are revoked. The library only refuses it.
	if f := p.usedCodes[code]; f != nil {
		p.revokeFamilyLocked(f, true)
		writeTokenError(w, "invalid_grant", "The authorization code was already used; the tokens issued for it are revoked")
		return
	}
	if v := r.PostForm.Get("code_verifier"); v != "" && !codeVerifier.MatchString(v) {
		writeTokenError(w, "invalid_request", "code_verifier must be 43 to 128 unreserved characters (RFC 7636 §4.1)")
		return
	}
	gt, tgr, err := p.oauth.ValidationTokenRequest(r)
	if err != nil {
		p.writeLibraryError(w, err)
		return
	}
	ti, err := p.oauth.GetAccessToken(r.Context(), gt, tgr)
	if err != nil {
		p.writeLibraryError(w, err)
		return
	}
	f := &family{sub: ti.GetUserID(), clientID: c.id}
	p.usedCodes[code] = f
	p.recordLocked(f, ti, string(oauth2lib.AuthorizationCode))
	writeJSON(w, http.StatusOK, p.oauth.GetTokenData(ti))
}

// refreshLocked runs the refresh_token grant with rotation. The checks
// before the library call are by hand: the library neither binds a refresh
// token to its client nor detects the reuse of a rotated refresh token, for
// which the OAuth 2.0 Security BCP (§4.14.2) has the whole family revoked.
func (p *Provider) refreshLocked(w http.ResponseWriter, r *http.Request, c *client) {
	p.refreshTries++
	rt := r.PostForm.Get("refresh_token")
	if rt == "" {
		writeTokenError(w, "invalid_request", "Missing refresh_token")
		return
	}
	f := p.refreshIndex[rt]
	switch {
	case f == nil:
		writeTokenError(w, "invalid_grant", "Unknown refresh token")
		return
	case f.clientID != c.id:
		writeTokenError(w, "invalid_grant", "The refresh token was issued to another client")
		return
	case f.revoked:
		writeTokenError(w, "invalid_grant", "The refresh token was revoked")
		return
	case f.refresh != rt:
		p.revokeFamilyLocked(f, true)
		writeTokenError(w, "invalid_grant", "The refresh token was already used; all tokens of this grant are revoked")
		return
	}
	gt, tgr, err := p.oauth.ValidationTokenRequest(r)
	if err != nil {
		p.writeLibraryError(w, err)
		return
	}
	ti, err := p.oauth.GetAccessToken(r.Context(), gt, tgr)
	if err != nil {
		p.writeLibraryError(w, err)
		return
	}
	p.refreshes++
	p.recordLocked(f, ti, string(oauth2lib.Refreshing))
	writeJSON(w, http.StatusOK, p.oauth.GetTokenData(ti))
}
