package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/catalog"
	"github.com/switchboard-dev/switchboard/internal/execlog"
	"github.com/switchboard-dev/switchboard/internal/execute"
	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/metrics"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/projects"
	"github.com/switchboard-dev/switchboard/internal/ratelimit"
	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/signin"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/internal/webhooks"
)

// Server is the REST API.
type Server struct {
	Projects    *projects.Service
	AuthConfigs *authconfigs.Service
	Accounts    *accounts.Service
	SignIn      *signin.Service
	Sessions    *sessions.Service
	Execute     *execute.Service
	Meta        *metatools.Service
	Catalog     toolkits.Catalogs
	// Catalogs keeps the projects' custom toolkits.
	Catalogs *catalog.Service
	Webhooks *webhooks.Service
	Logger   *slog.Logger
	// PublicURL is the server's public base URL, without a trailing slash.
	PublicURL string
	// ExecutionLogs answers the logs API; Audit keeps the audit log.
	ExecutionLogs *execlog.Service
	Audit         *audit.Service
	// Limits is each project's request budget; nil limits nothing.
	Limits *ratelimit.Limiter
	// Metrics counts the requests the budget refuses; nil counts nothing.
	Metrics *metrics.Metrics
}

// handler is an API handler: it gets the caller's project and returns an
// error for the adapter to write.
type handler func(w http.ResponseWriter, r *http.Request, p store.Project) error

// Scopes the routes need, from the projects package: admin routes change
// how the project is set up, runtime routes run the application.
const (
	admin   = projects.ScopeAdmin
	runtime = projects.ScopeRuntime
)

// apiRoute is one row of the route table: a method and path under the
// API prefix, the key scope it needs and its handler.
type apiRoute struct {
	pattern string
	scope   string
	h       handler
}

// routes is the route table. Each route names the key scope it needs;
// authed enforces it, so this table is the one place that says what a
// runtime key may do. Every route has an entry in operations
// (openapi.go), which documents it; a test keeps the two in step.
func (s *Server) routes() []apiRoute {
	return []apiRoute{
		{"POST /tool_router/session", runtime, s.createSession},
		{"GET /tool_router/session/{id}", runtime, s.getSession},
		{"PATCH /tool_router/session/{id}", runtime, s.updateSession},
		{"DELETE /tool_router/session/{id}", runtime, s.deleteSession},
		{"POST /tool_router/session/{id}/link", runtime, s.sessionLink},
		{"GET /tool_router/session/{id}/toolkits", runtime, s.sessionToolkits},
		{"GET /tool_router/session/{id}/tools", runtime, s.sessionTools},
		{"POST /tool_router/session/{id}/search", runtime, s.sessionSearch},
		{"POST /tool_router/session/{id}/execute", runtime, s.sessionExecute},
		{"POST /tool_router/session/{id}/execute_meta", runtime, s.sessionExecuteMeta},
		{"POST /tool_router/session/{id}/proxy_execute", runtime, s.sessionProxy},

		// Links (and the legacy create, which makes one) and a refresh
		// (which re-authorizes through a link) run the application;
		// renaming, disabling or deleting an account is administration.
		{"POST /connected_accounts/link", runtime, s.linkAccount},
		{"POST /connected_accounts", runtime, s.createAccount},
		{"GET /connected_accounts", runtime, s.listAccounts},
		{"GET /connected_accounts/{id}", runtime, s.getAccount},
		{"PATCH /connected_accounts/{id}", admin, s.updateAccount},
		{"DELETE /connected_accounts/{id}", admin, s.deleteAccount},
		{"PATCH /connected_accounts/{id}/status", admin, s.setAccountStatus},
		{"POST /connected_accounts/{id}/refresh", runtime, s.refreshAccount},
		// Switchboard's own: the user's chosen default account of a toolkit.
		{"PATCH /connected_accounts/{id}/default", runtime, s.setAccountDefault},

		// Auth configs hold the project's OAuth clients and their
		// secrets: only admin keys read or change them.
		{"POST /auth_configs", admin, s.createAuthConfig},
		{"GET /auth_configs", admin, s.listAuthConfigs},
		{"GET /auth_configs/{id}", admin, s.getAuthConfig},
		{"PATCH /auth_configs/{id}", admin, s.updateAuthConfig},
		{"DELETE /auth_configs/{id}", admin, s.deleteAuthConfig},
		{"PATCH /auth_configs/{id}/{status}", admin, s.setAuthConfigStatus},

		{"POST /api_keys", admin, s.createAPIKey},
		{"GET /api_keys", admin, s.listAPIKeys},
		{"DELETE /api_keys/{id}", admin, s.revokeAPIKey},

		// A project's own toolkits change what its keys can reach and
		// where its accounts' credentials go: administration.
		{"POST /custom_toolkits", admin, s.createCustomToolkit},
		{"GET /custom_toolkits", admin, s.listCustomToolkits},
		{"GET /custom_toolkits/{slug}", admin, s.getCustomToolkit},
		{"PUT /custom_toolkits/{slug}", admin, s.replaceCustomToolkit},
		{"DELETE /custom_toolkits/{slug}", admin, s.deleteCustomToolkit},
		{"POST /custom/toolkits/sync", admin, s.syncCustomToolkit},

		// Webhook subscriptions say where the project's events go and hold
		// their signing secrets: administration.
		{"POST /webhook_subscriptions", admin, s.createWebhook},
		{"GET /webhook_subscriptions", admin, s.listWebhooks},
		{"GET /webhook_subscriptions/event_types", admin, s.webhookEventTypes},
		{"GET /webhook_subscriptions/{id}", admin, s.getWebhook},
		{"PATCH /webhook_subscriptions/{id}", admin, s.updateWebhook},
		{"DELETE /webhook_subscriptions/{id}", admin, s.deleteWebhook},
		{"POST /webhook_subscriptions/{id}/rotate_secret", admin, s.rotateWebhookSecret},
		{"GET /webhook_subscriptions/{id}/deliveries", admin, s.listWebhookDeliveries},
		{"GET /webhook_subscriptions/{id}/deliveries/{delivery_id}", admin, s.getWebhookDelivery},
		{"POST /webhook_subscriptions/{id}/deliveries/{delivery_id}/replay", admin, s.replayWebhookDelivery},

		// The logs hold every user's arguments and answers (redacted),
		// and the audit log the project's administration: admin keys only.
		{"POST /logs/tool_execution", admin, s.searchLogs},
		{"GET /logs/tool_execution/{id}", admin, s.getLog},
		{"GET /audit_log", admin, s.listAudit},

		{"GET /toolkits", runtime, s.listToolkits},
		{"GET /toolkits/categories", runtime, s.listCategories},
		{"GET /toolkits/{slug}", runtime, s.getToolkit},

		{"GET /tools", runtime, s.listTools},
		{"GET /tools/{slug}", runtime, s.getTool},
		{"POST /tools/execute/proxy", runtime, s.proxy},
		{"POST /tools/execute/{slug}", runtime, s.executeTool},
	}
}

// Mount registers the API routes of routes under both prefixes, the
// public OpenAPI document and the toolkit format's schema on mux.
func (s *Server) Mount(mux *http.ServeMux) {
	// The toolkit format's JSON Schema is public: no key, no project.
	mux.Handle("GET "+toolkits.SchemaPath, s.toolkitSchema())
	for _, prefix := range []string{"/api/v3.1", "/api/v3"} {
		for _, rt := range s.routes() {
			method, path, _ := strings.Cut(rt.pattern, " ")
			mux.Handle(method+" "+prefix+path, s.authed(rt.scope, rt.h))
		}
		mux.Handle("GET "+prefix+OpenAPIPath, s.openAPI())

		// Anything else under the API prefix is a JSON 404, not the mux's
		// plain-text one.
		mux.Handle(prefix+"/", s.authed(runtime, func(w http.ResponseWriter, r *http.Request, _ store.Project) error {
			return problem.NotFoundf("route_not_found", "no API route %s %s", r.Method, r.URL.Path)
		}))
	}
}

// authed adapts a handler: through reqlog.Serve (the request wrapper REST
// and MCP share) it gets a request id, panic recovery and one access
// record; it authenticates the x-api-key header and writes errors as JSON.
//
// A key whose scope does not allow the route's scope gets 403
// insufficient_scope, before the handler runs.
func (s *Server) authed(scope string, h handler) http.Handler {
	failed := func(w http.ResponseWriter, r *http.Request) { writeError(w, r, s.Logger, errors.New("panic")) }
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		reqlog.Serve(s.Logger, rw, r, failed, func(w http.ResponseWriter, r *http.Request) {
			s.serve(w, r, scope, h)
		})
	})
}

// serve authenticates and runs one API request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, scope string, h handler) {
	// Every limit that counts the request (the project's here, a tool
	// execution's user and account further in) reports to rep, and the
	// answer carries the headers of the tightest.
	ctx, rep := ratelimit.WithReport(r.Context())
	r = r.WithContext(ctx)
	p, k, err := s.Projects.AuthenticateKey(ctx, r.Header.Get("x-api-key"))
	if err == nil && !projects.Allows(k.Scope, scope) {
		err = projects.InsufficientScope(k.Scope, scope)
	}
	if err == nil {
		err = s.limit(w, r, p.ID)
	}
	if err != nil {
		writeError(w, r, s.Logger, err)
		return
	}
	ctx = audit.WithActor(reqlog.WithProjectID(ctx, p.ID),
		audit.Actor{KeyID: k.ID, SourceAddress: sourceAddress(r), RequestID: reqlog.RequestID(ctx)})
	r = r.WithContext(ctx)
	if err := checkRequest(r); err != nil {
		writeError(w, r, s.Logger, err)
		return
	}
	if err := h(w, r, p); err != nil {
		rep.Tightest().SetHeaders(w.Header())
		if p, ok := problem.As(err); ok && p.Kind == problem.TooManyRequests {
			s.Metrics.RateLimited()
		}
		writeError(w, r, s.Logger, err)
	}
}

// limitHeaders writes the rate-limit headers of the tightest limit that
// counted the request, for handlers whose domain call counts it on more
// limits than the project's (tool executions).
func limitHeaders(w http.ResponseWriter, r *http.Request) {
	if rep, ok := ratelimit.ReportOf(r.Context()); ok {
		rep.Tightest().SetHeaders(w.Header())
	}
}

// limit counts the request against the project's budget and writes the
// rate-limit headers; over the budget it returns the 429 error.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, projectID string) error {
	d, err := s.Limits.Take(r.Context(), projectID)
	d.SetHeaders(w.Header())
	if p, ok := problem.As(err); ok && p.Kind == problem.TooManyRequests {
		s.Metrics.RateLimited()
	}
	return err
}

// maxBody bounds request bodies.
const maxBody = 1 << 20

// decode reads a JSON request body into v. An empty body decodes as {}.
// Unknown fields are accepted: the official SDKs send fields Switchboard
// does not use. Numbers in untyped fields (tool arguments) decode as
// json.Number, keeping them exact.
func decode(r *http.Request, v any) error {
	raw, err := requestBody(r)
	if err != nil {
		return err
	}
	return decodeJSON(raw, v)
}

// requestBody reads the request body, with the problem a client can act on when
// it cannot.
func requestBody(r *http.Request) ([]byte, error) {
	raw, err := readBody(r)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, problem.Invalidf("body_too_large", "", "the request body is larger than %d bytes", maxBody)
		}
		return nil, problem.Invalidf("invalid_request", "", "could not read the request body")
	}
	return raw, nil
}

// readBody reads a request body of at most maxBody bytes. A body of known
// length (the SDKs send Content-Length) is read into a buffer of its size
// in one go; others grow a buffer as they are read.
func readBody(r *http.Request) ([]byte, error) {
	if n := r.ContentLength; n > 0 && n <= maxBody {
		// The server stops the body at its Content-Length: a shorter body
		// is an error, and nothing follows it.
		raw := make([]byte, n)
		if _, err := io.ReadFull(r.Body, raw); err != nil {
			return nil, err
		}
		return raw, nil
	}
	return io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
}

// decodeJSON is decode on the bytes of a body: text checked, then decoded.
func decodeJSON(raw []byte, v any) error {
	if err := checkBody(raw); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	err := dec.Decode(v)
	if err == io.EOF {
		return json.Unmarshal([]byte("{}"), v)
	}
	if err == nil {
		if _, err = dec.Token(); err == io.EOF {
			return nil
		}
		if err == nil {
			err = errTrailingData
		}
	}
	var syntax *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return problem.Invalidf("invalid_json", te.Field, "field %s must be %s, not a JSON %s", te.Field, kindOf(te.Type.String()), te.Value)
	case errors.As(err, &syntax), errors.As(err, &te), err == io.ErrUnexpectedEOF, err == errTrailingData:
		return problem.Invalidf("invalid_json", "", "the request body is not valid JSON: %v", err).
			WithFix("Send a JSON object with Content-Type: application/json")
	}
	return problem.Invalidf("invalid_request", "", "could not read the request body")
}

var errTrailingData = errors.New("data after the JSON value")

func kindOf(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"), strings.HasPrefix(goType, "sdk.StringList"):
		return "an array"
	case strings.HasPrefix(goType, "map"), strings.HasPrefix(goType, "struct"), strings.HasPrefix(goType, "sdk."):
		return "an object"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "a boolean"
	}
	return "a " + goType
}
