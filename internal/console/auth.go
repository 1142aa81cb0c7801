package console

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/projects"
	"github.com/switchboard-dev/switchboard/internal/reqlog"
)

// Sealer seals small blobs bound to an owner named by aad and opens them
// again; the vault's keyring is one. A blob changed, moved to another aad
// or sealed by an unknown key does not open.
type Sealer interface {
	Seal(plaintext []byte, aad ...string) ([]byte, error)
	Open(blob []byte, aad ...string) ([]byte, error)
}

// Cookies and lifetimes.
const (
	sessionCookie = "sb_console"
	signinCookie  = "sb_console_signin"
	// SessionTTL is how long a console session lasts; signing in again
	// starts a new one.
	SessionTTL = 8 * time.Hour
	// signinTTL bounds how long a sign-in form may stay open.
	signinTTL = time.Hour

	// sealLabel starts the AAD of every console ticket; the kind follows,
	// so a sign-in ticket never opens as a session.
	sealLabel     = "switchboard console ticket v1"
	kindSession   = "session"
	kindSignin    = "signin"
	defaultTarget = Path + "/accounts"
)

// ticket is what a console cookie holds, sealed: never the API key.
type ticket struct {
	ProjectID string `json:"p,omitempty"`
	KeyID     string `json:"k,omitempty"`
	CSRF      string `json:"c"`
	Expires   int64  `json:"e"`
}

func (s *Server) seal(kind string, t ticket) (string, error) {
	raw, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("encode console ticket: %w", err)
	}
	blob, err := s.Sealer.Seal(raw, sealLabel, kind)
	if err != nil {
		return "", fmt.Errorf("seal console ticket: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(blob), nil
}

// open returns the unexpired ticket of kind in the named cookie, if any.
func (s *Server) open(r *http.Request, name, kind string) (ticket, bool) {
	c, err := r.Cookie(name)
	if err != nil {
		return ticket{}, false
	}
	blob, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return ticket{}, false
	}
	raw, err := s.Sealer.Open(blob, sealLabel, kind)
	if err != nil {
		return ticket{}, false
	}
	var t ticket
	if json.Unmarshal(raw, &t) != nil || t.CSRF == "" || s.now().Unix() >= t.Expires {
		return ticket{}, false
	}
	return t, true
}

// secureCookies reports whether cookies get the Secure attribute.
func (s *Server) secureCookies(r *http.Request) bool { return s.SecureCookies || r.TLS != nil }

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, expires time.Time) {
	c := &http.Cookie{Name: name, Value: value, Path: Path, HttpOnly: true, Secure: s.secureCookies(r),
		SameSite: http.SameSiteStrictMode}
	if value == "" {
		c.MaxAge = -1
	} else {
		// Max-Age, not Expires: the browser's clock need not agree with
		// the server's. The sealed expiry is what counts.
		c.MaxAge = max(1, int(expires.Sub(s.now()).Seconds()))
	}
	http.SetCookie(w, c)
}

// viewer returns who the session cookie signs in, or nil when nobody is
// (no cookie, a forged or expired one, or a key since revoked).
func (s *Server) viewer(r *http.Request) (*viewer, error) {
	t, ok := s.open(r, sessionCookie, kindSession)
	if !ok {
		return nil, nil
	}
	p, k, err := s.Projects.Key(r.Context(), t.ProjectID, t.KeyID)
	if errors.Is(err, projects.ErrBadKey) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if k.Scope != projects.ScopeAdmin {
		return nil, nil
	}
	return &viewer{Project: p, Key: k, CSRF: t.CSRF, Expires: time.Unix(t.Expires, 0).UTC()}, nil
}

// startSession sets the session cookie for a project's key and returns
// the session's CSRF token.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, projectID, keyID string) (string, error) {
	expires := s.now().Add(SessionTTL)
	csrf := rand.Text()
	value, err := s.seal(kindSession, ticket{ProjectID: projectID, KeyID: keyID, CSRF: csrf, Expires: expires.Unix()})
	if err != nil {
		return "", err
	}
	s.setCookie(w, r, sessionCookie, value, expires)
	return csrf, nil
}

type signinPage struct {
	CSRF  string
	Next  string
	Error string
}

// signinForm shows the sign-in form, with a CSRF token of its own: a
// sign-in ticket in a cookie and the same token in the form.
func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) {
	if v, err := s.viewer(r); err == nil && v != nil {
		http.Redirect(w, r, target(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.showSignin(w, r, http.StatusOK, target(r.URL.Query().Get("next")), "")
}

func (s *Server) showSignin(w http.ResponseWriter, r *http.Request, status int, next, msg string) {
	t, ok := s.open(r, signinCookie, kindSignin)
	if !ok {
		expires := s.now().Add(signinTTL)
		t = ticket{CSRF: rand.Text(), Expires: expires.Unix()}
		value, err := s.seal(kindSignin, t)
		if err != nil {
			s.renderError(w, r, nil, err)
			return
		}
		s.setCookie(w, r, signinCookie, value, expires)
	}
	s.render(w, status, "signin.html", signinPage{CSRF: t.CSRF, Next: next, Error: msg})
}

// signin checks an admin API key and starts a session for its project.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	next := target(r.PostFormValue("next"))
	t, ok := s.open(r, signinCookie, kindSignin)
	if !ok || !sameToken(r.PostFormValue("csrf"), t.CSRF) {
		// A fresh ticket comes with the form shown again.
		s.setCookie(w, r, signinCookie, "", time.Time{})
		r.Header.Del("Cookie")
		s.showSignin(w, r, http.StatusForbidden, next, "The sign-in form expired or was not sent from this page. Enter the key again.")
		return
	}
	key := strings.TrimSpace(r.PostFormValue("api_key"))
	p, k, err := s.Projects.AuthenticateKey(r.Context(), key)
	if errors.Is(err, projects.ErrBadKey) {
		s.showSignin(w, r, http.StatusUnauthorized, next, "That API key is not valid: it is unknown, revoked or mistyped. Paste a project admin key (it starts with sb_).")
		return
	}
	if err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	if k.Scope != projects.ScopeAdmin {
		s.showSignin(w, r, http.StatusForbidden, next, fmt.Sprintf("That key has the %s scope; the console needs an admin key (switchboard keys create -scope admin makes one).", k.Scope))
		return
	}
	if _, err := s.startSession(w, r, p.ID, k.ID); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	s.setCookie(w, r, signinCookie, "", time.Time{})
	ctx := audit.WithActor(r.Context(), audit.Actor{KeyID: k.ID, SourceAddress: sourceAddress(r), RequestID: reqlog.RequestID(r.Context())})
	s.Audit.Record(ctx, p.ID, audit.Act{Action: audit.ConsoleSignIn, TargetType: "api_key", TargetID: k.ID})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signout ends the session in this browser.
func (s *Server) signout(w http.ResponseWriter, r *http.Request, v *viewer) error {
	s.setCookie(w, r, sessionCookie, "", time.Time{})
	http.Redirect(w, r, Path+"/signin", http.StatusSeeOther)
	return nil
}

// target returns next when it is a console page, else the accounts list:
// the sign-in form never redirects off the console.
func target(next string) string {
	if !strings.HasPrefix(next, Path+"/") || strings.HasPrefix(next, Path+"/signin") ||
		strings.ContainsAny(next, "\\\r\n\t") || strings.Contains(next, "//") {
		return defaultTarget
	}
	return next
}
