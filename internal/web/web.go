// Package web serves the hosted pages an end user sees while connecting
// an account: the link page (a redirect to the provider, or a credential
// form), the OAuth callback, and the success and error pages.
//
// Threats and defences:
//   - Cross-site form posts: browser routes sit behind
//     http.CrossOriginProtection, and forms post only to this origin
//     (CSP form-action 'self').
//   - Leaking the link token: pages send Referrer-Policy: no-referrer, so
//     the provider never sees the link URL, and Cache-Control: no-store.
//   - Script injection: html/template escapes every value, and the CSP
//     allows no script at all; pages cannot be framed (clickjacking).
//   - Open redirects: the only redirects are to the provider URL built from
//     the auth config, and to a callback URL that was checked against the
//     project's allowlist when the link was made.
//   - Information leaks: error pages show the account's recorded reason,
//     never provider bodies or internal errors.
package web

import (
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/signin"
	"github.com/switchboard-dev/switchboard/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// Server serves the hosted pages.
type Server struct {
	SignIn *signin.Service
	Logger *slog.Logger
	// SecureCookies marks the sign-in binding cookie Secure, for a public
	// URL that is https.
	SecureCookies bool
}

// Mount registers the browser routes on mux.
func (s *Server) Mount(mux *http.ServeMux) {
	protect := http.NewCrossOriginProtection()
	h := func(f http.HandlerFunc) http.Handler { return secure(protect.Handler(f)) }
	mux.Handle("GET /link/{token}", h(s.openLink))
	mux.Handle("POST /link/{token}", h(s.submitLink))
	mux.Handle("GET "+accounts.CallbackPath, h(s.callback))
	mux.Handle("GET /api/v3.1/toolkits/auth/callback", h(s.callback))
}

// secure adds the headers every hosted page carries.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

type formField struct {
	Name, Label, Description, Value string
	Secret, Required                bool
}

type formPage struct {
	Toolkit string
	// Initial stands in for the toolkit's logo: the pages load nothing
	// from other sites, so the provider's CDN never learns who connects.
	Initial string
	Action  string
	Fields  []formField
	Error   string
}

type messagePage struct {
	Title   string
	Message string
	Detail  string
}

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		s.Logger.Error("render page", "page", name, "err", err)
	}
}

// fail shows the error page for a flow error, or a generic one.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if fe, ok := errors.AsType[*signin.FlowError](err); ok {
		status := http.StatusBadRequest
		switch fe.Code {
		case "link_not_found", "state_unknown":
			status = http.StatusNotFound
		case "link_expired", "link_used", "state_replayed", "state_expired":
			status = http.StatusGone
		case signin.CodeOtherBrowser:
			status = http.StatusForbidden
		}
		s.render(w, status, "error.html", messagePage{Title: "Connection failed", Message: fe.Reason, Detail: fe.Code})
		return
	}
	if errors.Is(err, store.ErrUnavailable) {
		s.Logger.WarnContext(r.Context(), "hosted flow: store unavailable", "route", r.Pattern, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(int(problem.RetryAfter.Seconds())))
		s.render(w, http.StatusServiceUnavailable, "error.html", messagePage{Title: "Try again in a moment", Message: "The service is briefly unavailable; nothing was changed. Reload this page in a moment to continue."})
		return
	}
	// The route, not the path: a link path carries the link token.
	s.Logger.ErrorContext(r.Context(), "hosted flow failed", "route", r.Pattern, "err", err)
	s.render(w, http.StatusInternalServerError, "error.html", messagePage{Title: "Something went wrong", Message: "The connection could not be completed. Please try again later."})
}

func (s *Server) openLink(w http.ResponseWriter, r *http.Request) {
	page, err := s.SignIn.OpenLink(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if page.RedirectURL != "" {
		// The sign-in completes only in this browser: the callback must
		// bring the binding back (signin.CompleteOAuth). SameSite Lax
		// sends it on the provider's top-level redirect to the callback.
		http.SetCookie(w, &http.Cookie{
			Name: signin.BindingCookie(page.State), Value: page.Binding, Path: "/",
			Expires: *page.Link.StateExpiresAt, HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode,
		})
		http.Redirect(w, r, page.RedirectURL, http.StatusFound)
		return
	}
	s.render(w, http.StatusOK, "form.html", s.form(r, page.Form, nil, ""))
}

func (s *Server) form(r *http.Request, f *signin.CredentialForm, values map[string]string, msg string) formPage {
	p := formPage{Toolkit: f.Toolkit.Name, Action: r.URL.Path, Error: msg}
	if f.Toolkit.Name != "" {
		p.Initial = strings.ToUpper(f.Toolkit.Name[:1])
	}
	for _, fd := range f.Fields {
		ff := formField{Name: fd.Name, Label: fd.DisplayName, Description: fd.Description, Secret: fd.Secret, Required: fd.Required}
		if !fd.Secret {
			ff.Value = values[fd.Name]
		}
		p.Fields = append(p.Fields, ff)
	}
	return p
}

func (s *Server) submitLink(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, "error.html", messagePage{Title: "Connection failed", Message: "The form could not be read."})
		return
	}
	values := map[string]string{}
	for k, v := range r.PostForm {
		if len(v) > 0 {
			values[k] = v[0]
		}
	}
	target, a, err := s.SignIn.SubmitCredentials(r.Context(), r.PathValue("token"), values)
	if p, ok := problem.As(err); ok {
		// Show the form again with the message; nothing was stored.
		page, perr := s.SignIn.OpenLink(r.Context(), r.PathValue("token"))
		if perr != nil || page.Form == nil {
			s.fail(w, r, perr)
			return
		}
		s.render(w, http.StatusBadRequest, "form.html", s.form(r, page.Form, values, p.Message))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.done(w, r, target, a.ToolkitSlug)
}

func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := signin.CallbackInput{
		State:            q.Get("state"),
		Code:             q.Get("code"),
		Error:            q.Get("error"),
		ErrorDescription: q.Get("error_description"),
	}
	name := signin.BindingCookie(in.State)
	if c, err := r.Cookie(name); err == nil {
		in.Binding = c.Value
	}
	target, a, err := s.SignIn.CompleteOAuth(r.Context(), in)
	if fe, ok := errors.AsType[*signin.FlowError](err); !ok || fe.Code != signin.CodeOtherBrowser {
		// The sign-in is over, one way or the other: drop its binding.
		http.SetCookie(w, &http.Cookie{Name: name, Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.done(w, r, target, a.ToolkitSlug)
}

// done sends the browser to the application's callback URL, or shows the
// success page.
func (s *Server) done(w http.ResponseWriter, r *http.Request, target, toolkit string) {
	if target != "" {
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	s.render(w, http.StatusOK, "success.html", messagePage{Title: "Connected", Message: "Your " + toolkit + " account is connected. You can close this window."})
}
