package metatools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/execute"
	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// The meta tools' names, as Composio names them: the one set REST, MCP
// and the session listing use.
const (
	SearchTools        = "COMPOSIO_SEARCH_TOOLS"
	GetToolSchemas     = "COMPOSIO_GET_TOOL_SCHEMAS"
	ManageConnections  = "COMPOSIO_MANAGE_CONNECTIONS"
	WaitForConnections = "COMPOSIO_WAIT_FOR_CONNECTIONS"
	MultiExecuteTool   = "COMPOSIO_MULTI_EXECUTE_TOOL"
	// CheckAccount is Switchboard's own meta tool, not Composio's: it
	// checks that an account's credentials still work and, when they do
	// not, gives the link that re-authorizes it. Sessions that manage
	// connections have it, beside the Composio ones.
	CheckAccount = "SWITCHBOARD_CHECK_ACCOUNT"
)

// Exposed lists the meta tools a session exposes: search and its
// schemas unless search.enable is false, multi-execute unless
// execute.enable_multi_execute is false, connection management when
// manage_connections is enabled, and waiting when it also enables waiting.
func Exposed(c sessions.Config) []string {
	var search struct {
		Enable *bool `json:"enable"`
	}
	var exec struct {
		EnableMultiExecute *bool `json:"enable_multi_execute"`
	}
	json.Unmarshal(c.Passthrough["search"], &search)
	json.Unmarshal(c.Passthrough["execute"], &exec)
	var out []string
	if search.Enable == nil || *search.Enable {
		out = append(out, SearchTools, GetToolSchemas)
	}
	if exec.EnableMultiExecute == nil || *exec.EnableMultiExecute {
		out = append(out, MultiExecuteTool)
	}
	if c.ManageConnections.Enabled {
		out = append(out, ManageConnections)
		if c.ManageConnections.WaitForConnections {
			out = append(out, WaitForConnections)
		}
	}
	return out
}

// prefix starts the slug of every Composio meta tool.
const prefix = "COMPOSIO_"

// IsMeta reports whether a tool slug names a Composio meta tool (any
// COMPOSIO_* slug, including those Switchboard does not provide).
func IsMeta(slug string) bool {
	s := strings.ToUpper(strings.TrimSpace(slug))
	return strings.HasPrefix(s, prefix) || s == CheckAccount
}

// Waits for connections last DefaultWait unless the call asks otherwise,
// and never more than MaxWait.
const (
	DefaultWait = 60 * time.Second
	MaxWait     = 300 * time.Second
)

// MaxCalls is how many tool calls one COMPOSIO_MULTI_EXECUTE_TOOL takes;
// a request with more is refused before any call runs.
const MaxCalls = 50

// MaxAnswer is the most bytes of results (the data of the calls) one
// COMPOSIO_MULTI_EXECUTE_TOOL returns: 16 MiB, two answers of
// execute.MaxResponse. Results are kept as calls finish; a result that
// would take the answer over MaxAnswer is dropped, its call reported as
// failed with its log id and a message saying why.
const MaxAnswer = 16 << 20

// InternalError is what a tool says about a failure that is not the
// caller's; the log has the cause.
const InternalError = "internal error; the server log has the cause"

// Service runs meta tools.
type Service struct {
	Sessions *sessions.Service
	Accounts *accounts.Service
	Execute  *execute.Service
	Catalog  toolkits.Catalogs
	Logger   *slog.Logger
	// Parallel bounds how many calls of one COMPOSIO_MULTI_EXECUTE_TOOL run
	// at once; default 8.
	Parallel int
	// Now is the clock search results report; default time.Now.
	Now func() time.Time
}

// Result is what a meta tool returns.
type Result struct {
	// Data is the tool's structured output, a JSON object.
	Data json.RawMessage
	// Summary is a one-paragraph account of Data, for clients that show a
	// model only text. For a failure it is the error message.
	Summary string
	// Error says why the tool failed; "" when it succeeded. Data still
	// holds what the tool found (e.g. each call of a multi-execute).
	Error string
	// LogID names the run in the server log.
	LogID string
}

// NewResult is a successful result: v, a value that encodes as a JSON
// object, with a summary of it.
func NewResult(summary string, v any) Result {
	return Result{Data: Marshal(v), Summary: summary}
}

// Failure is a failed result: the message, and v (when not nil) as data.
// Without v the data is {"successful": false, "error": msg}.
func Failure(msg string, v any) Result {
	if v == nil {
		v = map[string]any{"successful": false, "error": msg}
	}
	return Result{Data: Marshal(v), Summary: msg, Error: msg}
}

// Waiting is called when a meta tool starts waiting (for connections) for
// up to total; the function it returns is called when the wait ends. The
// MCP surface sends progress notifications meanwhile.
type Waiting func(total time.Duration) (stop func())

// run is one meta tool call: the caller's project and the session as
// loaded for the request.
type run struct {
	s       *Service
	p       store.Project
	sess    sessions.Session
	waiting Waiting
}

// Run runs the meta tool slug with its arguments (a JSON object; empty or
// null is {}) in a session. waiting may be nil. The error is for a slug
// that names no meta tool; everything else, including a meta tool the
// session does not expose, is in the Result.
func (s *Service) Run(ctx context.Context, p store.Project, sess sessions.Session, slug string, args json.RawMessage, waiting Waiting) (Result, error) {
	name := strings.ToUpper(strings.TrimSpace(slug))
	if !IsMeta(name) {
		return Result{}, problem.Invalidf("not_a_meta_tool", "slug", "%s is not a meta tool; meta tools are named COMPOSIO_*", slug).
			WithFix("Run a toolkit's tool with POST /api/v3.1/tool_router/session/%s/execute", sess.ID)
	}
	start := time.Now()
	r := &run{s: s, p: p, sess: sess, waiting: waiting}
	var res Result
	exposed := Exposed(sess.Config)
	if sess.Config.ManageConnections.Enabled {
		exposed = append(exposed, CheckAccount)
	}
	switch {
	case !slices.Contains([]string{SearchTools, GetToolSchemas, ManageConnections, WaitForConnections, MultiExecuteTool, CheckAccount}, name):
		res = Failure(fmt.Sprintf("meta tool %s is not available in Switchboard; the meta tools are %s, %s, %s, %s and %s",
			name, SearchTools, GetToolSchemas, ManageConnections, WaitForConnections, MultiExecuteTool), nil)
	case !slices.Contains(exposed, name):
		res = Failure(fmt.Sprintf("meta tool %s is not enabled in session %s; it exposes %s", name, sess.ID, list(exposed)), nil)
	default:
		res = r.dispatch(ctx, name, args)
	}
	res.LogID = ids.New("log_", 16)
	attrs := []slog.Attr{slog.String("log_id", res.LogID), slog.String("tool", name), slog.String("session_id", sess.ID),
		slog.Bool("successful", res.Error == ""), slog.Int64("tool_ms", time.Since(start).Milliseconds())}
	reqlog.Add(ctx, s.logger(), "meta tool executed", attrs...)
	return res, nil
}

func (r *run) dispatch(ctx context.Context, name string, args json.RawMessage) Result {
	switch name {
	case SearchTools:
		return r.search(ctx, args)
	case GetToolSchemas:
		return r.schemas(ctx, args)
	case ManageConnections:
		return r.manage(ctx, args)
	case WaitForConnections:
		return r.wait(ctx, args)
	case CheckAccount:
		return r.checkAccount(ctx, args)
	default:
		return r.multiExecute(ctx, args)
	}
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// recoverAs, deferred in every goroutine a tool starts, turns a panic
// into an internal error reported through set, and logs it.
func (r *run) recoverAs(ctx context.Context, what string, set func(msg string)) {
	if v := recover(); v != nil {
		r.s.logger().ErrorContext(ctx, "meta tool panic", "tool", what, "session_id", r.sess.ID,
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		set(InternalError)
	}
}

// decodeArgs reads a tool's arguments into v; absent arguments are {}.
func decodeArgs(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		raw = json.RawMessage("{}")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
			return fmt.Errorf("invalid arguments: %s must not be a JSON %s", te.Field, te.Value)
		}
		return fmt.Errorf("invalid arguments: %v", err)
	}
	return nil
}

// Arguments reads a tool call's arguments: a JSON object, absent ({}), or
// a string holding a JSON object, as models sometimes send.
func Arguments(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]any{}, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	var args map[string]any
	if err := json.Unmarshal(raw, &args); err != nil || args == nil {
		return nil, fmt.Errorf("arguments must be a JSON object")
	}
	return args, nil
}

// Marshal encodes v as JSON without HTML escaping (links keep their &),
// as every meta tool and MCP result is written.
func Marshal(v any) json.RawMessage {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return json.RawMessage(`{}`)
	}
	return json.RawMessage(strings.TrimSpace(b.String()))
}

// message is what a tool says about a domain error.
func (r *run) message(ctx context.Context, err error) string {
	return Message(ctx, r.s.logger(), r.sess.ID, err)
}

// Message is what an agent is told about an error of a tool call, over
// the meta tools and MCP alike: a refusal's text (problem.Text, the
// message REST gives and its fix); anything else is logged with the
// session id and reported as InternalError.
func Message(ctx context.Context, log *slog.Logger, sessionID string, err error) string {
	if p, ok := problem.Of(err); ok {
		return p.Text()
	}
	log.ErrorContext(ctx, "tool call failed", "err", err, "session_id", sessionID)
	return InternalError
}

// toolkitError reports why a toolkit cannot be used in the session, with
// the messages REST gives, or "" when it can.
func (r *run) toolkitError(ctx context.Context, slug string) (canonical, msg string) {
	tk, ok := r.s.Catalog.For(ctx, r.p.ID).Get(slug)
	if !ok {
		return slug, fmt.Sprintf("unknown toolkit %q", slug)
	}
	if !r.sess.Config.Toolkits.Allows(tk.Slug) {
		return tk.Slug, fmt.Sprintf("toolkit %s is not enabled in session %s", tk.Slug, r.sess.ID)
	}
	return tk.Slug, ""
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
