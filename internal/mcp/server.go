package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/execute"
	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/projects"
	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/internal/sessions"
)

// Path is the pattern of a session's MCP endpoint.
const Path = "/tool_router/v3/{id}/mcp"

// Server is the MCP surface.
type Server struct {
	Projects *projects.Service
	Sessions *sessions.Service
	Execute  *execute.Service
	// Meta runs the meta tools.
	Meta   *metatools.Service
	Logger *slog.Logger
	// Version is the server version reported to clients; default "dev".
	Version string

	once    sync.Once
	handler http.Handler
}

// Mount registers the session MCP endpoint on mux, for every method: the
// SDK's handler answers those it does not serve.
func (s *Server) Mount(mux *http.ServeMux) {
	mux.Handle(Path, s)
}

// writeBudget is how long an MCP response may take to write: the longest
// wait for connections plus a margin. The HTTP server's own write timeout
// is shorter, for the REST API.
const writeBudget = metatools.MaxWait + time.Minute

type ctxKey int

const serverKey ctxKey = iota

// ServeHTTP authenticates the request, finds the session and serves it
// with an MCP server built for this request.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	s.once.Do(func() {
		s.handler = gomcp.NewStreamableHTTPHandler(func(r *http.Request) *gomcp.Server {
			srv, _ := r.Context().Value(serverKey).(*gomcp.Server)
			return srv
		}, &gomcp.StreamableHTTPOptions{
			Stateless: true,
			// Switchboard is often behind a reverse proxy on loopback that
			// sends the public Host; every request carries an API key, which
			// a DNS-rebinding page does not have.
			DisableLocalhostProtection: true,
			Logger:                     s.Logger,
		})
	})
	failed := func(w http.ResponseWriter, r *http.Request) {
		refuse(w, nil, reqlog.RequestID(r.Context()), errors.New("panic"))
	}
	reqlog.Serve(s.Logger, rw, r, failed, s.serve)
}

// serve authenticates one MCP request, finds its session and hands it to
// the SDK's handler.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rid := reqlog.RequestID(ctx)
	p, err := s.Projects.Authenticate(ctx, apiKey(r))
	if err != nil {
		s.refuse(ctx, w, r, rid, err)
		return
	}
	ctx = reqlog.WithProjectID(ctx, p.ID)
	sess, err := s.Sessions.Get(ctx, p.ID, r.PathValue("id"))
	if err != nil {
		s.refuse(ctx, w, r, rid, err)
		return
	}
	// A wait for connections outlasts the server's write timeout.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(writeBudget))
	srv := s.build(ctx, p, sess)
	if isListen(r) {
		// The watch ends with the listen request.
		go s.watchLinks(ctx, srv, p, sess.ID)
	}
	s.handler.ServeHTTP(w, r.WithContext(context.WithValue(ctx, serverKey, srv)))
}

// apiKey reads the x-api-key header, or else a bearer token.
func apiKey(r *http.Request) string {
	if k := r.Header.Get("x-api-key"); k != "" {
		return k
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(token)
	}
	return ""
}

// refuse answers a request that cannot reach a session, logging causes
// that are not the caller's.
func (s *Server) refuse(ctx context.Context, w http.ResponseWriter, r *http.Request, rid string, err error) {
	if _, ok := problem.As(err); !ok {
		s.Logger.ErrorContext(ctx, "mcp request failed", "err", err)
	}
	refuse(w, r, rid, err)
}

// maxPeek bounds how much of a refused request's body is read to find
// the id to answer.
const maxPeek = 1 << 20

// requestID returns the JSON-RPC id of the request in r's body, or nil.
// An error answer carries it, so that clients (the Go SDK's among them)
// match the error to their request and show its message; JSON-RPC allows
// null only when the id cannot be read.
func requestID(r *http.Request) json.RawMessage {
	if r == nil || r.Body == nil || r.Method != http.MethodPost {
		return nil
	}
	var msg struct {
		ID json.RawMessage `json:"id"`
	}
	if json.NewDecoder(io.LimitReader(r.Body, maxPeek)).Decode(&msg) != nil || len(msg.ID) == 0 || string(msg.ID) == "null" {
		return nil
	}
	return msg.ID
}

// JSON-RPC error codes of refusals, in the range the JSON-RPC 2.0
// specification reserves for implementation-defined server errors.
const (
	codeUnauthenticated = -32001
	codeNotFound        = -32002
	codeUnavailable     = -32003
	codeInvalidParams   = -32602
	codeInternal        = -32603
)

type rpcError struct {
	JSONRPC string `json:"jsonrpc"`
	ID      any    `json:"id"`
	Error   struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    struct {
			Slug      string `json:"slug"`
			Status    int    `json:"status"`
			RequestID string `json:"request_id"`
			Fix       string `json:"suggested_fix,omitempty"`
		} `json:"data"`
	} `json:"error"`
}

// refuse writes err as a JSON-RPC error with the HTTP status of its kind,
// answering the request in r (when not nil).
func refuse(w http.ResponseWriter, r *http.Request, rid string, err error) {
	status, code := http.StatusInternalServerError, codeInternal
	var body rpcError
	body.JSONRPC = "2.0"
	if id := requestID(r); id != nil {
		body.ID = id
	}
	body.Error.Message = "internal error; the request id identifies it in the server log"
	body.Error.Data.Slug = "internal_error"
	if p, ok := problem.Of(err); ok {
		switch {
		case p.Kind == problem.Unauthenticated:
			// No WWW-Authenticate: it would send MCP clients looking for an
			// OAuth authorization server; the key is a project API key.
			status, code = http.StatusUnauthorized, codeUnauthenticated
		case p.Kind == problem.NotFound:
			status, code = http.StatusNotFound, codeNotFound
		case p.Kind == problem.Invalid:
			status, code = http.StatusBadRequest, codeInvalidParams
		case p.Code == problem.StoreUnavailable:
			status, code = http.StatusServiceUnavailable, codeUnavailable
			w.Header().Set("Retry-After", strconv.Itoa(int(problem.RetryAfter.Seconds())))
		}
		if status != http.StatusInternalServerError {
			body.Error.Message, body.Error.Data.Slug, body.Error.Data.Fix = p.Message, p.Code, p.Fix
		}
	}
	body.Error.Code, body.Error.Data.Status, body.Error.Data.RequestID = code, status, rid
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}
