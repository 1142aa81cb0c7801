package console

import (
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/execlog"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/projects"
	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/webhooks"
)

// Path is where the console is served.
const Path = "/console"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Server serves the console. Its services are the ones the REST API uses.
type Server struct {
	Projects      *projects.Service
	AuthConfigs   *authconfigs.Service
	Accounts      *accounts.Service
	Sessions      *sessions.Service
	ExecutionLogs *execlog.Service
	Audit         *audit.Service
	Webhooks      *webhooks.Service
	// Sealer seals the session and sign-in cookies; the vault's keyring.
	Sealer Sealer
	Logger *slog.Logger
	Now    func() time.Time
	// SecureCookies marks the cookies Secure even on a plain connection:
	// for a public URL that is https behind a TLS-terminating proxy.
	SecureCookies bool
}

// pages are the console's templates: each page with the layout, and the
// sign-in page alone.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		name := strings.TrimPrefix(n, "templates/")
		if name == "layout.html" {
			continue
		}
		files := []string{"templates/layout.html", n}
		if name == "signin.html" {
			files = files[1:]
		}
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, files...))
	}
	return out
}()

// Mount registers the console's routes on mux.
func (s *Server) Mount(mux *http.ServeMux) {
	protect := http.NewCrossOriginProtection()
	h := func(f http.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			failed := func(w http.ResponseWriter, r *http.Request) {
				s.renderError(w, r, nil, errors.New("panic"))
			}
			reqlog.Serve(s.Logger, rw, r, failed, func(w http.ResponseWriter, r *http.Request) {
				secure(protect.Handler(f)).ServeHTTP(w, r)
			})
		})
	}
	get := func(path string, f pageFunc) { mux.Handle("GET "+Path+path, h(s.page(f))) }
	post := func(path string, f pageFunc) { mux.Handle("POST "+Path+path, h(s.action(f))) }

	mux.Handle("GET "+Path+"/{$}", h(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Path+"/accounts", http.StatusSeeOther)
	}))
	mux.Handle("GET "+Path, h(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Path+"/accounts", http.StatusSeeOther)
	}))
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET "+Path+"/static/", h(http.StripPrefix(Path+"/static/", http.FileServerFS(static)).ServeHTTP))
	mux.Handle("GET "+Path+"/signin", h(s.signinForm))
	mux.Handle("POST "+Path+"/signin", h(s.signin))
	post("/signout", s.signout)

	get("/project", s.projectPage)
	post("/keys/{id}/rotate", s.rotateKey)
	get("/auth-configs", s.authConfigsPage)
	get("/accounts", s.accountsPage)
	get("/accounts/{id}", s.accountPage)
	post("/accounts/{id}/delete", s.deleteAccount)
	post("/accounts/{id}/reconnect", s.reconnectAccount)
	get("/sessions", s.sessionsPage)
	get("/logs", s.logsPage)
	get("/webhooks", s.webhooksPage)
	get("/webhooks/{id}", s.webhookPage)
	get("/audit", s.auditPage)
	mux.Handle(Path+"/", h(s.page(func(w http.ResponseWriter, r *http.Request, v *viewer) error {
		return problem.NotFoundf("page_not_found", "there is no console page at %s", r.URL.Path)
	})))
}

// secure adds the headers every console answer carries.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// viewer is who is signed in: the project, the key and the session's
// CSRF token.
type viewer struct {
	Project store.Project
	Key     store.APIKey
	CSRF    string
	// Expires is when the session ends.
	Expires time.Time
}

// pageFunc serves one page or act for a signed-in viewer.
type pageFunc func(w http.ResponseWriter, r *http.Request, v *viewer) error

// page runs f for a signed-in viewer; anyone else is sent to sign in.
func (s *Server) page(f pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.viewer(r)
		if err != nil {
			s.renderError(w, r, nil, err)
			return
		}
		if v == nil {
			next := Path + "/accounts"
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, Path+"/signin?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		ctx := audit.WithActor(reqlog.WithProjectID(r.Context(), v.Project.ID),
			audit.Actor{KeyID: v.Key.ID, SourceAddress: sourceAddress(r), RequestID: reqlog.RequestID(r.Context())})
		r = r.WithContext(ctx)
		if err := f(w, r, v); err != nil {
			s.renderError(w, r, v, err)
		}
	}
}

// action is page for a POST: the form must carry the session's CSRF
// token, or nothing is done.
func (s *Server) action(f pageFunc) http.HandlerFunc {
	return s.page(func(w http.ResponseWriter, r *http.Request, v *viewer) error {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if !sameToken(r.PostFormValue("csrf"), v.CSRF) {
			return errBadCSRF
		}
		return f(w, r, v)
	})
}

var errBadCSRF = &problem.Error{
	Kind:    problem.Forbidden,
	Code:    "csrf_token_invalid",
	Message: "the form's security token is missing or does not belong to this session, so nothing was done",
	Fix:     "Reload the page and submit the form again",
}

func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sourceAddress is the address the request came from, without its port.
func sourceAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// view is what every page of the layout gets.
type view struct {
	Title  string
	Nav    string
	Viewer *viewer
	Flash  *flash
	Data   any
}

// flash is the outcome of an act. Secret, when set, is shown once: a new
// API key or a reconnect link.
type flash struct {
	OK     bool
	Text   string
	Secret string
	Note   string
}

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	t, ok := pages[name]
	if !ok {
		panic("console: no template " + name)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	root := "layout"
	if name == "signin.html" {
		root = name
	}
	if err := t.ExecuteTemplate(w, root, data); err != nil {
		s.Logger.Error("render console page", "page", name, "err", err)
	}
}

// statusOf maps a problem kind to its HTTP status, as the REST API does.
var statusOf = map[problem.Kind]int{
	problem.Invalid:         http.StatusBadRequest,
	problem.NotFound:        http.StatusNotFound,
	problem.Unauthenticated: http.StatusUnauthorized,
	problem.Forbidden:       http.StatusForbidden,
	problem.Gone:            http.StatusGone,
	problem.Unavailable:     http.StatusServiceUnavailable,
	problem.TooManyRequests: http.StatusTooManyRequests,
}

type errorPage struct {
	Status  int
	Code    string
	Message string
	Fix     string
}

// renderError shows an error page: a problem's message and fix, or a
// generic message for anything else, whose cause is logged.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, v *viewer, err error) {
	page := errorPage{Status: http.StatusInternalServerError, Code: "internal_error",
		Message: "Something went wrong on the server; nothing was shown that should not be. Try again in a moment."}
	if pe, ok := errors.AsType[*problem.Error](err); ok {
		page = errorPage{Status: statusOf[pe.Kind], Code: pe.Code, Message: pe.Message, Fix: pe.Fix}
		if page.Status == 0 {
			page.Status = http.StatusBadRequest
		}
	} else if errors.Is(err, store.ErrUnavailable) {
		page = errorPage{Status: http.StatusServiceUnavailable, Code: "unavailable",
			Message: "The database is briefly unavailable; nothing was changed.", Fix: "Reload the page in a moment"}
	}
	if page.Status >= 500 {
		s.Logger.ErrorContext(r.Context(), "console page failed", "route", r.Pattern, "err", err)
	}
	s.render(w, page.Status, "error.html", view{Title: "Error", Viewer: v, Data: page})
}

// badCursor turns the store's refusal of a cursor into a problem.
func badCursor(err error) error {
	if errors.Is(err, store.ErrInvalid) {
		return problem.Invalidf("invalid_cursor", "cursor", "the page cursor is not one this console issued").
			WithFix("Start again from the first page")
	}
	return err
}

// pageURL returns the URL of a list page with the query q and cursor.
func pageURL(path string, q url.Values, cursor string) string {
	next := url.Values{}
	for k, vs := range q {
		if k != "cursor" && len(vs) > 0 && vs[0] != "" {
			next.Set(k, vs[0])
		}
	}
	if cursor != "" {
		next.Set("cursor", cursor)
	}
	if len(next) == 0 {
		return path
	}
	return path + "?" + next.Encode()
}

var funcs = template.FuncMap{
	"when": func(v any) string {
		switch t := v.(type) {
		case time.Time:
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		case *time.Time:
			if t == nil || t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		}
		return fmt.Sprint(v)
	},
	"lower": strings.ToLower,
	"or": func(s, alt string) string {
		if s == "" {
			return alt
		}
		return s
	},
}
