package oauthserver

import (
	"context"
	"crypto/subtle"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

const sessionCookie = "oauthtest_session"

// FormID marks the id attribute of the provider's sign-in form, for clients
// that drive it (oauthtest.Consent).
const FormID = "oauthtest-authorize"

// authorizeParams are the authorization request parameters carried through
// the sign-in form, in the order they appear there.
var authorizeParams = []string{
	"client_id", "redirect_uri", "response_type", "scope", "state",
	"code_challenge", "code_challenge_method",
}

// s256Challenge is BASE64URL(SHA256(verifier)) without padding: always 43
// characters (RFC 7636 §4.2).
var s256Challenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

type authorizeRequest struct {
	clientID    string
	redirectURI string
	state       string
	scope       string
}

// authorizeError is an authorization request error. With redirect false the
// client or redirect URI could not be trusted, so RFC 6749 §4.1.2.1 forbids
// redirecting and the error is shown to the user instead.
type authorizeError struct {
	code        string
	description string
	redirect    bool
}

// parseAuthorizeRequest validates an authorization request by hand before
// the library sees it: the library redirects errors to the unvalidated
// redirect_uri, defaults a missing code_challenge_method to plain, and cannot
// tell invalid_scope from a bad client.
func (p *Provider) parseAuthorizeRequest(form url.Values) (*authorizeRequest, *authorizeError) {
	for _, k := range []string{"client_id", "redirect_uri"} {
		if len(form[k]) > 1 {
			return nil, &authorizeError{"invalid_request", "Parameter " + k + " is repeated", false}
		}
	}
	ar := &authorizeRequest{
		clientID:    form.Get("client_id"),
		redirectURI: form.Get("redirect_uri"),
		state:       form.Get("state"),
		scope:       form.Get("scope"),
	}
	if ar.clientID == "" {
		return nil, &authorizeError{"invalid_request", "Missing client_id", false}
	}
	p.mu.Lock()
	c := p.clientInfo[ar.clientID]
	p.mu.Unlock()
	if c == nil {
		return nil, &authorizeError{"invalid_client", "Unknown client_id", false}
	}
	// This provider requires redirect_uri even for clients with a single
	// registered URI, which RFC 6749 §3.1.2.3 permits.
	if ar.redirectURI == "" {
		return nil, &authorizeError{"invalid_request", "Missing redirect_uri", false}
	}
	if exactRedirectURI(c.GetDomain(), ar.redirectURI) != nil {
		return nil, &authorizeError{"invalid_request", "redirect_uri is not registered for this client", false}
	}

	// From here on errors go back to the client (RFC 6749 §4.1.2.1).
	for _, k := range authorizeParams[2:] {
		if len(form[k]) > 1 {
			return ar, &authorizeError{"invalid_request", "Parameter " + k + " is repeated", true}
		}
	}
	switch rt := form.Get("response_type"); {
	case rt == "":
		return ar, &authorizeError{"invalid_request", "Missing response_type", true}
	case rt != "code":
		return ar, &authorizeError{"unsupported_response_type", "Only response_type=code is supported", true}
	}
	cc := form.Get("code_challenge")
	if cc == "" {
		return ar, &authorizeError{"invalid_request", "PKCE is required: missing code_challenge", true}
	}
	// A missing method means plain (RFC 7636 §4.3), which is refused like
	// any other method but S256 (§4.4.1).
	if form.Get("code_challenge_method") != "S256" {
		return ar, &authorizeError{"invalid_request", "code_challenge_method must be S256", true}
	}
	if !s256Challenge.MatchString(cc) {
		return ar, &authorizeError{"invalid_request", "code_challenge is not a base64url S256 challenge", true}
	}
	if !p.scopeAllowed(ar.scope) {
		return ar, &authorizeError{"invalid_scope", "The requested scope is invalid, unknown, or malformed", true}
	}
	return ar, nil
}

func redirectError(w http.ResponseWriter, ar *authorizeRequest, e *authorizeError) {
	u, err := url.Parse(ar.redirectURI)
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	q := u.Query() // the registered URI's own query is kept (RFC 6749 §3.1.2)
	q.Set("error", e.code)
	q.Set("error_description", e.description)
	if ar.state != "" {
		q.Set("state", ar.state)
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusFound)
}

func (p *Provider) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY") // RFC 6749 §10.13
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		h.Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		p.renderError(w, &authorizeError{"invalid_request", "Malformed request", false})
		return
	}
	if r.Method == http.MethodGet {
		p.mu.Lock()
		p.authorizes = append(p.authorizes, r.Form)
		p.mu.Unlock()
	}
	ar, aerr := p.parseAuthorizeRequest(r.Form)
	if aerr != nil {
		if aerr.redirect {
			redirectError(w, ar, aerr)
		} else {
			p.renderError(w, aerr)
		}
		return
	}
	if r.Method == http.MethodGet {
		p.renderForm(w, r, ar, "")
		return
	}

	switch r.PostForm.Get("decision") {
	case "deny":
		redirectError(w, ar, &authorizeError{"access_denied", "The resource owner denied the request", true})
		return
	case "allow":
	default:
		p.renderForm(w, r, ar, "Choose Allow or Deny.")
		return
	}
	u, msg := p.signIn(w, r)
	if u == nil {
		p.renderForm(w, r, ar, msg)
		return
	}
	// The request is valid and approved: the library issues the code and
	// redirects with code and state.
	r = r.WithContext(context.WithValue(r.Context(), userKey{}, u.Subject))
	if err := p.oauth.HandleAuthorizeRequest(w, r); err != nil {
		http.Error(w, "oauthserver: "+err.Error(), http.StatusInternalServerError)
	}
}

// signIn authenticates the end user from the posted credentials, starting a
// session, or else from the session cookie plus the form's CSRF token.
func (p *Provider) signIn(w http.ResponseWriter, r *http.Request) (*user, string) {
	if login := r.PostForm.Get("login"); login != "" {
		p.mu.Lock()
		u := p.users[login]
		p.mu.Unlock()
		if p.cfg.picker && u == nil {
			return nil, "Choose one of the identities."
		}
		if !p.cfg.picker && (u == nil || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("password")), []byte(u.password)) != 1) {
			return nil, "Wrong login or password."
		}
		id := randomToken()
		p.mu.Lock()
		p.sessions[id] = &session{sub: u.Subject, csrf: randomToken()}
		p.mu.Unlock()
		http.SetCookie(w, &http.Cookie{
			Name: sessionCookie, Value: id, Path: "/",
			HttpOnly: true, SameSite: http.SameSiteLaxMode,
		})
		return u, ""
	}
	s := p.session(r)
	if s == nil {
		return nil, "Sign in to continue."
	}
	if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(s.csrf)) != 1 {
		return nil, "The form expired; try again."
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := p.subs[s.sub]; u != nil {
		return u, ""
	}
	return nil, "Sign in to continue."
}

func (p *Provider) session(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sessions[c.Value]
}

type hiddenField struct{ Name, Value string }

type formData struct {
	FormID   string
	Action   string
	ClientID string
	Scopes   []string
	Hidden   []hiddenField
	Login    string // signed-in user, if any
	Error    string
	// Identities are the users to pick from (WithIdentityPicker).
	Identities []User
}

var formTemplate = template.Must(template.New("form").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - oauthtest</title></head>
<body>
<h1>Sign in</h1>
<p>The application <strong>{{.ClientID}}</strong> asks for access to your account{{if .Scopes}}:{{end}}</p>
{{if .Scopes}}<ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Error}}<p id="oauthtest-error">{{.Error}}</p>{{end}}
<form id="{{.FormID}}" method="post" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}{{if .Login}}<p>Signed in as <strong>{{.Login}}</strong>.</p>
{{else if .Identities}}<fieldset><legend>Sign in as</legend>
{{range $i, $u := .Identities}}<p><label><input type="radio" name="login" value="{{$u.Login}}"{{if eq $i 0}} checked{{end}}> {{$u.Name}} &lt;{{$u.Email}}&gt;</label></p>
{{end}}</fieldset>
{{else}}<p><label>Login <input type="text" name="login" autocomplete="username"></label></p>
<p><label>Password <input type="password" name="password" autocomplete="current-password"></label></p>
{{end}}<p><button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button></p>
</form>
</body></html>
`))

var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Error - oauthtest</title></head>
<body><h1>Authorization error</h1>
<p id="oauthtest-error"><code>{{.code}}</code>: {{.description}}</p></body></html>
`))

// renderForm shows the sign-in form, or for a signed-in user the consent
// form, carrying the authorization request in hidden fields.
func (p *Provider) renderForm(w http.ResponseWriter, r *http.Request, ar *authorizeRequest, msg string) {
	d := formData{FormID: FormID, Action: AuthorizePath, ClientID: ar.clientID, Error: msg}
	if ar.scope != "" {
		d.Scopes = strings.Split(ar.scope, " ")
	}
	for _, k := range authorizeParams {
		if v := r.Form.Get(k); v != "" {
			d.Hidden = append(d.Hidden, hiddenField{k, v})
		}
	}
	if p.cfg.picker {
		p.mu.Lock()
		for _, u := range p.users {
			d.Identities = append(d.Identities, u.User)
		}
		p.mu.Unlock()
		slices.SortFunc(d.Identities, func(a, b User) int { return strings.Compare(a.Login, b.Login) })
	}
	// With the picker every authorization asks again, so one browser can
	// connect one identity after the other.
	if s := p.session(r); s != nil && !p.cfg.picker {
		p.mu.Lock()
		if u := p.subs[s.sub]; u != nil {
			d.Login = u.Login
			d.Hidden = append(d.Hidden, hiddenField{"csrf", s.csrf})
		}
		p.mu.Unlock()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = formTemplate.Execute(w, d)
}

func (p *Provider) renderError(w http.ResponseWriter, e *authorizeError) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = errorTemplate.Execute(w, map[string]string{"code": e.code, "description": e.description})
}
