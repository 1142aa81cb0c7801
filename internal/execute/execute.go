package execute

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/switchboard-dev/switchboard/internal/metrics"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/catalog"
	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/execlog"
	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/ratelimit"
	"github.com/switchboard-dev/switchboard/internal/remotemcp"
	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// Service executes tools.
type Service struct {
	Accounts    *accounts.Service
	AuthConfigs *authconfigs.Service
	Sessions    *sessions.Service
	Catalog     toolkits.Catalogs
	Egress      *egress.Clients
	Logger      *slog.Logger
	Now         func() time.Time
	// Memory is the budget of upstream answers held in memory at once;
	// default one of DefaultMemory bytes shared by the process.
	Memory *Memory
	// Remote calls the tools of MCP toolkits (mcp.go); its Memory should
	// be this Memory.
	Remote *remotemcp.Client
	// Custom keeps the projects' custom toolkits, where SyncMCP stores an
	// MCP toolkit's tools.
	Custom *catalog.Service
	// Logs receives the record of every execution and proxied request
	// (the execution logs API); nil records none.
	Logs *execlog.Writer
	// Metrics counts executions and times upstream calls; nil counts
	// nothing.
	Metrics *metrics.Metrics
	// Limits are the budgets of executions and proxied requests per end
	// user and per connected account; nil limits nothing.
	Limits *ratelimit.Execute
}

// MemoryBudget is the service's budget of upstream answer bytes.
func (s *Service) MemoryBudget() *Memory {
	if s.Memory == nil {
		return defaultMemory
	}
	return s.Memory
}

// Call is one tool execution.
type Call struct {
	Tool      string
	Arguments map[string]any
	// SessionID runs the call in a session; Account then optionally names
	// the account (id or alias) in multi-account mode.
	SessionID string
	Account   string
	// UserID or ConnectedAccountID pick the account outside a session.
	UserID             string
	ConnectedAccountID string
}

// Result is a tool's outcome. A failed call is a Result with Error set,
// not a Go error: the agent reads it and can act on it.
type Result struct {
	// Data is the tool's output, a JSON object; never nil.
	Data      json.RawMessage
	Error     string
	LogID     string
	AccountID string
	// Status is the upstream HTTP status, 0 when no request was sent.
	Status int
	// NextPage, for a successful call of a tool with a pagination hint
	// whose answer was not the last page, holds the arguments that get
	// the next page when added to the call's (toolkits.Tool.NextPage).
	NextPage map[string]any
	// Throttle, for a call the upstream refused for its rate limit, says
	// so and when to retry; nil otherwise.
	Throttle *toolkits.Throttle
}

// emptyObject is the data of a call that produced none.
var emptyObject = json.RawMessage(`{}`)

func failed(logID, format string, args ...any) Result {
	return Result{Data: emptyObject, Error: fmt.Sprintf(format, args...), LogID: logID}
}

// ToolNotFound is the error for an unknown tool slug.
func ToolNotFound(slug string) error {
	return problem.NotFoundf("tool_not_found", "tool %s not found", slug).
		WithFix("List the tools with GET /api/v3.1/tools")
}

// Execute runs a tool call. Go errors are for requests that name things
// that do not exist or may not be used; everything the tool itself runs
// into is in the Result.
func (s *Service) Execute(ctx context.Context, p store.Project, c Call) (result Result, execErr error) {
	start := time.Now()
	// Log ids sort by time: the logs table grows at one end.
	logID := ids.NewOrdered("log_", start, 12)
	cat := s.Catalog.For(ctx, p.ID) // one version of the toolkit for the whole call
	tool, ok := cat.Tool(c.Tool)
	if !ok {
		return Result{}, ToolNotFound(c.Tool)
	}
	tk, ok := cat.Get(tool.Toolkit)
	if !ok {
		return Result{}, fmt.Errorf("tool %s names missing toolkit %s", tool.Slug, tool.Toolkit)
	}
	defer func() { s.Metrics.Execute(tk.Slug, tool.Slug, metrics.ExecuteOutcome(result.Error, execErr)) }()
	a, res, err := s.pick(ctx, p, c, &tool, tk.Slug, logID)
	if err != nil || res != nil {
		if res != nil {
			s.log(ctx, *res, tool.Slug, start)
			s.record(ctx, p, c, tk.Slug, store.Account{}, c.Arguments, *res, start)
			return *res, nil
		}
		return Result{}, err
	}
	// The account's auth config may allow only some tools, in a session
	// or not. A toolkit that needs no credentials has neither.
	var ac store.AuthConfig
	if !tk.NoAuth() {
		ac, err = s.AuthConfigs.Get(ctx, p.ID, a.AuthConfigID)
		if err != nil {
			return Result{}, fmt.Errorf("get auth config of %s: %w", a.ID, err)
		}
		if err := authconfigs.ToolAllowed(ac, tool); err != nil {
			return Result{}, err
		}
	}
	if err := s.Limits.Take(ctx, p.ID, cmp.Or(a.UserID, c.UserID), a.ID); err != nil {
		return Result{}, err
	}
	args := c.Arguments
	if args == nil {
		args = map[string]any{}
	}
	if tool.MCPName() != "" {
		r := s.callMCP(ctx, p, a, ac, tk, tool, args, logID)
		r.AccountID = a.ID
		s.log(ctx, r, tool.Slug, start)
		s.record(ctx, p, c, tk.Slug, a, args, r, start)
		return r, nil
	}
	req, err := tool.BuildRequest(args)
	if err != nil {
		r := failed(logID, "invalid arguments for %s: %v", tool.Slug, err)
		r.AccountID = a.ID
		s.log(ctx, r, tool.Slug, start)
		s.record(ctx, p, c, tk.Slug, a, args, r, start)
		return r, nil
	}
	r := s.send(ctx, p, a, tk, upstream{method: req.Method, path: req.Path, query: req.Query, header: req.Header, body: req.Body, contentType: req.ContentType}, logID)
	defer s.MemoryBudget().Give(r.held)
	if r.Error == "" {
		r.Data, r.Error = tool.ParseResponse(r.Status, r.header, r.raw)
		// Data decoded and encoded again is a second copy of the answer,
		// often larger (escaped text), and counts too.
		if n := int64(len(r.Data)); n > 0 && (len(r.raw) == 0 || &r.Data[0] != &r.raw[0]) {
			if !s.MemoryBudget().Take(n) {
				r.Data, r.Error = emptyObject, ErrBusy.Error()
			} else {
				r.held += n
			}
		}
	}
	out := Result{Data: r.Data, Error: r.Error, LogID: logID, AccountID: a.ID, Status: r.Status}
	if out.Data == nil {
		out.Data = emptyObject
	}
	if out.Error == "" {
		out.NextPage, _ = tool.NextPage(args, r.header, out.Data)
	} else if th, ok := toolkits.Throttled(r.Status, r.header, s.Now()); ok {
		out.Throttle = &th
	}
	s.log(ctx, out, tool.Slug, start)
	s.record(ctx, p, c, tk.Slug, a, args, out, start)
	return out, nil
}

// record hands the execution's record to the log writer: the call's
// identifiers and outcome, its arguments and a copy of its answer, which
// the writer redacts and stores off this path.
func (s *Service) record(ctx context.Context, p store.Project, c Call, toolkit string, a store.Account, args map[string]any, r Result, start time.Time) {
	if s.Logs == nil {
		return
	}
	e := execlog.Entry{Log: store.ExecutionLog{
		ID: r.LogID, ProjectID: p.ID, ToolSlug: c.Tool, ToolkitSlug: toolkit,
		ConnectedAccountID: a.ID, AuthConfigID: a.AuthConfigID, UserID: a.UserID, SessionID: c.SessionID,
		RequestID: reqlog.RequestID(ctx), Status: store.LogSuccess, Error: r.Error, UpstreamStatus: r.Status,
		StartedAt: start.UTC(), EndedAt: time.Now().UTC(),
	}, Arguments: args}
	if e.Log.UserID == "" {
		e.Log.UserID = c.UserID
	}
	if r.Error != "" {
		e.Log.Status = store.LogFailed
	}
	if len(r.Data) > 0 {
		e.Response = execlog.Body(r.Data)
	}
	s.Logs.Add(ctx, e)
}

// log records an execution: in the record of the request that asked for
// it, or, when there is none, in a record of its own.
func (s *Service) log(ctx context.Context, r Result, what string, start time.Time) {
	attrs := []slog.Attr{slog.String("log_id", r.LogID), slog.String("tool", what), slog.String("account_id", r.AccountID),
		slog.Int("upstream_status", r.Status), slog.Int64("tool_ms", time.Since(start).Milliseconds())}
	if r.Error != "" {
		attrs = append(attrs, slog.String("tool_error", r.Error))
	}
	reqlog.Add(ctx, s.Logger, "tool executed", attrs...)
}

// upstream is a request relative to a toolkit's base URL.
type upstream struct {
	method      string
	path        string
	query       url.Values
	header      http.Header
	body        []byte
	contentType string
}

// sent is what came back.
type sent struct {
	Result
	header http.Header
	raw    []byte
	// held is what the answer took from the memory budget; the caller
	// gives it back when done with raw.
	held int64
}

// send adds the account's credentials and sends the request; an OAuth2
// 401 gets one refresh and one retry. A toolkit that needs no credentials
// is sent to its own base URL with none, and a is the zero Account.
func (s *Service) send(ctx context.Context, p store.Project, a store.Account, tk toolkits.Toolkit, u upstream, logID string) sent {
	var ac store.AuthConfig
	baseURL := tk.BaseURL
	if !tk.NoAuth() {
		var err error
		ac, err = s.AuthConfigs.Get(ctx, a.ProjectID, a.AuthConfigID)
		if err != nil {
			return sent{Result: failed(logID, "the auth config of account %s no longer exists", a.ID)}
		}
		baseURL = authconfigs.BaseURL(ac, tk)
		if toolkits.IsTemplate(baseURL) {
			// The toolkit's own templated base URL: the account's fields
			// name the host, checked again here as at connect time.
			values, err := s.Accounts.Fields(a)
			if err != nil {
				return sent{Result: failed(logID, "%s", message(err))}
			}
			filled, err := toolkits.FillURL(baseURL, values)
			if err != nil {
				return sent{Result: failed(logID, "connected account %s cannot call %s: its %v; connect the account again", a.ID, tk.Name, err)}
			}
			baseURL = filled
		}
	}
	base, err := url.Parse(baseURL)
	if err != nil || base.Host == "" {
		return sent{Result: failed(logID, "toolkit %s has no usable base URL", tk.Slug)}
	}
	target, err := egress.ResolveEndpoint(base, u.path)
	if err != nil {
		return sent{Result: failed(logID, "refused endpoint: %v", err)}
	}
	if len(u.query) > 0 {
		q := target.Query()
		for k, vs := range u.query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		target.RawQuery = q.Encode()
	}
	client := s.Egress.For(base)
	var used string // the access token of the last attempt
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, u.method, target.String(), bytes.NewReader(u.body))
		if err != nil {
			return sent{Result: failed(logID, "could not build the request: %v", err)}
		}
		for k, v := range tk.Headers {
			req.Header.Set(k, v)
		}
		for k, vs := range u.header {
			req.Header[k] = vs
		}
		if u.contentType != "" {
			req.Header.Set("Content-Type", u.contentType)
		}
		if req.Header.Get("Accept") == "" {
			req.Header.Set("Accept", "application/json")
		}
		rejected := ""
		if attempt > 0 {
			rejected = used
		}
		used, err = s.authorize(ctx, req, a, ac, tk, rejected)
		if err != nil {
			return sent{Result: failed(logID, "%s", s.credentialError(ctx, p, a, err))}
		}
		began := time.Now()
		resp, err := client.Do(req)
		s.Metrics.Upstream(tk.Slug, resp, time.Since(began))
		if err != nil {
			return sent{Result: failed(logID, "the %s API could not be reached: %v", tk.Name, cleanTransportError(err))}
		}
		raw, held, err := readAnswer(resp.Body, resp.ContentLength, s.MemoryBudget())
		resp.Body.Close()
		switch {
		case errors.Is(err, errTooLarge):
			return sent{Result: Result{Data: emptyObject, LogID: logID, Status: resp.StatusCode, Error: fmt.Sprintf(
				"the %s API's answer is larger than %d bytes (%d MiB), the most Switchboard reads of one answer; ask for less, e.g. a smaller page or fewer fields",
				tk.Name, MaxResponse, MaxResponse>>20)}}
		case errors.Is(err, ErrBusy):
			return sent{Result: Result{Data: emptyObject, Error: err.Error(), LogID: logID, Status: resp.StatusCode}}
		case err != nil:
			return sent{Result: failed(logID, "reading the %s API's answer failed", tk.Name)}
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 && ac.AuthScheme == string(toolkits.ModeOAuth2) {
			s.MemoryBudget().Give(held)
			continue // refresh once, retry once
		}
		if resp.StatusCode == http.StatusUnauthorized && ac.AuthScheme == string(toolkits.ModeOAuth2) {
			// A fresh token refused too: only the user can fix this.
			s.MemoryBudget().Give(held)
			expired, err := s.Accounts.Expire(ctx, a.ProjectID, a.ID, accounts.ReasonRejected)
			if err != nil {
				return sent{Result: failed(logID, "the %s API refused the account's refreshed token (HTTP 401)", tk.Name)}
			}
			return sent{Result: Result{Data: emptyObject, LogID: logID, Status: resp.StatusCode,
				Error: s.explain(ctx, p, sessions.Unusable(expired), logID)}}
		}
		return sent{Result: Result{Status: resp.StatusCode, LogID: logID}, header: resp.Header, raw: raw, held: held}
	}
}

// authorize puts the account's credential on the request as the toolkit's
// auth scheme declares, and returns the OAuth2 access token it used.
// rejected is the access token the provider refused on the last attempt.
func (s *Service) authorize(ctx context.Context, req *http.Request, a store.Account, ac store.AuthConfig, tk toolkits.Toolkit, rejected string) (string, error) {
	if tk.NoAuth() {
		return "", nil
	}
	scheme, ok := tk.Scheme(toolkits.Mode(ac.AuthScheme))
	if !ok {
		return "", fmt.Errorf("toolkit %s no longer supports %s", tk.Slug, ac.AuthScheme)
	}
	if scheme.Mode == toolkits.ModeOAuth2 {
		tok, err := s.Accounts.Token(ctx, a, rejected)
		if err != nil {
			return "", err
		}
		return tok.AccessToken, scheme.Apply.Set(req, tok.AccessToken)
	}
	creds, err := s.Accounts.Fields(a)
	if err != nil {
		return "", err
	}
	return "", scheme.Authorize(req, creds)
}

// credentialError explains why credentials could not be prepared; an
// account that stopped being usable gets its re-authorization link.
func (s *Service) credentialError(ctx context.Context, proj store.Project, a store.Account, err error) string {
	if p, ok := problem.As(err); ok && (p.Code == "connected_account_expired" || p.Code == "connected_account_not_active") {
		if cur, gerr := s.Accounts.Get(ctx, a.ProjectID, a.ID); gerr == nil {
			return s.explain(ctx, proj, sessions.Unusable(cur), "")
		}
	}
	return message(err)
}

// message is what an agent is told about an error.
func message(err error) string {
	if p, ok := problem.As(err); ok {
		return p.Text()
	}
	if errors.Is(err, oauth.ErrRefreshRefused) {
		return "the provider refused to refresh the token; the user must connect the account again"
	}
	return "the credentials could not be prepared"
}

// cleanTransportError keeps the kind of a transport failure and drops
// the URL, which may carry query parameters.
func cleanTransportError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	if i := strings.Index(msg, "?"); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
