package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ErrUnavailable reports that the database did not answer: it is down,
// unreachable or refusing connections. The request may succeed when
// retried; nothing was changed, or the change was rolled back.
var ErrUnavailable = errors.New("the database is unavailable")

// Guarded is a Store behind the two rules every backend shares, so that
// neither is left to each backend's driver:
//
//   - Text: every string a call stores or looks up (ids, user ids, aliases,
//     names, parameters, filters) is valid UTF-8 without NUL bytes.
//     PostgreSQL refuses NUL in text and SQLite stores anything, so without
//     the rule the same request fails with an internal error on one and
//     stores what the other cannot read back. Bad text is ErrInvalid, and
//     nothing is written.
//   - Outages: an error that the backend's classifier says means "the
//     database did not answer" is wrapped as ErrUnavailable, so callers can
//     tell an outage (retry later) from a bug.
type Guarded struct {
	s           Store
	unavailable func(error) bool
	// observe, when set, is told of every call: its method's name, how
	// long the backend took and the (classified) error.
	observe func(op string, took time.Duration, err error)
}

// Observe makes g tell fn of every call to the backend: the Store method's
// name, how long it took and its error. It is the one place the calls of
// both backends pass through; the metrics package times them here. Call
// it before g is used.
func (g *Guarded) Observe(fn func(op string, took time.Duration, err error)) { g.observe = fn }

// opNames caches the Store method name of each call closure's code.
var opNames sync.Map // uintptr -> string

// opName returns the name of the Guarded method whose closure call is
// (the compiler names it "....(*Guarded).Method.funcN"), or "" for the
// methods not timed.
func opName(call any) string {
	pc := reflect.ValueOf(call).Pointer()
	if v, ok := opNames.Load(pc); ok {
		return v.(string)
	}
	name := "unknown"
	if f := runtime.FuncForPC(pc); f != nil {
		n := f.Name()
		if i := strings.Index(n, "(*Guarded)."); i >= 0 {
			n = n[i+len("(*Guarded)."):]
			n, _, _ = strings.Cut(n, ".")
			name = n
		}
	}
	if name == "LockAccount" || name == "AccountChanges" {
		// Their calls last as long as the caller's function or the
		// subscription, not a query.
		name = ""
	}
	opNames.Store(pc, name)
	return name
}

// Guard wraps s. unavailable reports whether a backend error means the
// database did not answer; nil means no error does.
func Guard(s Store, unavailable func(error) bool) *Guarded {
	if unavailable == nil {
		unavailable = func(error) bool { return false }
	}
	return &Guarded{s: s, unavailable: unavailable}
}

// BadText says why s cannot be kept as text, the rule every layer applies:
// "holds a NUL character" or "is not valid UTF-8 text"; "" when it can.
func BadText(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "holds a NUL character"
	case !utf8.ValidString(s):
		return "is not valid UTF-8 text"
	}
	return ""
}

// checkText reports bad text (BadText) in field as ErrInvalid.
func checkText(field, s string) error {
	if why := BadText(s); why != "" {
		return fmt.Errorf("%w: %s %s", ErrInvalid, field, why)
	}
	return nil
}

// checkArgs checks name/value pairs of string arguments.
func checkArgs(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := checkText(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

var timeType = reflect.TypeFor[time.Time]()

// checkRecord checks every string a record holds: string fields, strings
// in slices and maps, and pointers to them. Byte fields are ciphertext or
// opaque bytes and are not text.
func checkRecord(rec any) error {
	return checkValue(reflect.TypeOf(rec).Name(), reflect.ValueOf(rec))
}

func checkValue(path string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		return checkText(path, v.String())
	case reflect.Pointer:
		if !v.IsNil() {
			return checkValue(path, v.Elem())
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i := range v.Len() {
			if err := checkValue(fmt.Sprintf("%s[%d]", path, i), v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			key := fmt.Sprintf("%s key", path)
			if err := checkValue(key, it.Key()); err != nil {
				return err
			}
			if err := checkValue(fmt.Sprintf("%s[%q]", path, it.Key().String()), it.Value()); err != nil {
				return err
			}
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return nil
		}
		for i := range v.NumField() {
			if err := checkValue(path+"."+v.Type().Field(i).Name, v.Field(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// classify turns a backend error that means "the database did not answer"
// into ErrUnavailable, keeping the cause.
func (g *Guarded) classify(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) || errors.Is(err, ErrInvalid) ||
		errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		return err
	}
	if g.unavailable(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// checked wraps an update function so that what it returns is checked
// before the backend writes it.
func checked[T any](fn func(T) (T, error)) func(T) (T, error) {
	return func(old T) (T, error) {
		v, err := fn(old)
		if err == nil {
			err = checkRecord(v)
		}
		return v, err
	}
}

func guard1[T any](g *Guarded, check error, call func() (T, error)) (T, error) {
	if check != nil {
		var zero T
		return zero, check
	}
	if g.observe == nil {
		v, err := call()
		return v, g.classify(err)
	}
	start := time.Now()
	v, err := call()
	err = g.classify(err)
	if op := opName(call); op != "" {
		g.observe(op, time.Since(start), err)
	}
	return v, err
}

func (g *Guarded) guard0(check error, call func() error) error {
	if check != nil {
		return check
	}
	if g.observe == nil {
		return g.classify(call())
	}
	start := time.Now()
	err := g.classify(call())
	if op := opName(call); op != "" {
		g.observe(op, time.Since(start), err)
	}
	return err
}

func (g *Guarded) CreateProject(ctx context.Context, p Project) error {
	return g.guard0(checkRecord(p), func() error { return g.s.CreateProject(ctx, p) })
}

func (g *Guarded) GetProject(ctx context.Context, id string) (Project, error) {
	return guard1(g, checkArgs("project id", id), func() (Project, error) { return g.s.GetProject(ctx, id) })
}

func (g *Guarded) ListProjects(ctx context.Context) ([]Project, error) {
	return guard1(g, nil, func() ([]Project, error) { return g.s.ListProjects(ctx) })
}

func (g *Guarded) UpdateProject(ctx context.Context, id string, fn func(Project) (Project, error)) (Project, error) {
	return guard1(g, checkArgs("project id", id), func() (Project, error) { return g.s.UpdateProject(ctx, id, checked(fn)) })
}

func (g *Guarded) CreateAPIKey(ctx context.Context, k APIKey) error {
	return g.guard0(checkRecord(k), func() error { return g.s.CreateAPIKey(ctx, k) })
}

func (g *Guarded) GetAPIKeyByHash(ctx context.Context, hash []byte) (APIKey, error) {
	return guard1(g, nil, func() (APIKey, error) { return g.s.GetAPIKeyByHash(ctx, hash) })
}

func (g *Guarded) ListAPIKeys(ctx context.Context, projectID string) ([]APIKey, error) {
	return guard1(g, checkArgs("project id", projectID), func() ([]APIKey, error) { return g.s.ListAPIKeys(ctx, projectID) })
}

func (g *Guarded) RevokeAPIKey(ctx context.Context, projectID, id string, at time.Time) error {
	return g.guard0(checkArgs("project id", projectID, "api key id", id), func() error { return g.s.RevokeAPIKey(ctx, projectID, id, at) })
}

func (g *Guarded) CreateAuthConfig(ctx context.Context, c AuthConfig) error {
	return g.guard0(checkRecord(c), func() error { return g.s.CreateAuthConfig(ctx, c) })
}

func (g *Guarded) GetAuthConfig(ctx context.Context, projectID, id string) (AuthConfig, error) {
	return guard1(g, checkArgs("project id", projectID, "auth config id", id), func() (AuthConfig, error) { return g.s.GetAuthConfig(ctx, projectID, id) })
}

func (g *Guarded) ListAuthConfigs(ctx context.Context, projectID string, f AuthConfigFilter) (Page[AuthConfig], error) {
	check := errors.Join(checkArgs("project id", projectID), checkRecord(f))
	return guard1(g, check, func() (Page[AuthConfig], error) { return g.s.ListAuthConfigs(ctx, projectID, f) })
}

func (g *Guarded) UpdateAuthConfig(ctx context.Context, projectID, id string, fn func(AuthConfig) (AuthConfig, error)) (AuthConfig, error) {
	return guard1(g, checkArgs("project id", projectID, "auth config id", id), func() (AuthConfig, error) {
		return g.s.UpdateAuthConfig(ctx, projectID, id, checked(fn))
	})
}

func (g *Guarded) DeleteAuthConfig(ctx context.Context, projectID, id string) error {
	return g.guard0(checkArgs("project id", projectID, "auth config id", id), func() error { return g.s.DeleteAuthConfig(ctx, projectID, id) })
}

func (g *Guarded) CountAccounts(ctx context.Context, projectID string, authConfigIDs []string) (map[string]int, error) {
	check := errors.Join(checkArgs("project id", projectID), checkValue("auth config ids", reflect.ValueOf(authConfigIDs)))
	return guard1(g, check, func() (map[string]int, error) { return g.s.CountAccounts(ctx, projectID, authConfigIDs) })
}

func (g *Guarded) CreateAccount(ctx context.Context, a Account) error {
	return g.guard0(checkRecord(a), func() error { return g.s.CreateAccount(ctx, a) })
}

func (g *Guarded) GetAccount(ctx context.Context, projectID, id string) (Account, error) {
	return guard1(g, checkArgs("project id", projectID, "account id", id), func() (Account, error) { return g.s.GetAccount(ctx, projectID, id) })
}

func (g *Guarded) ListAccounts(ctx context.Context, projectID string, f AccountFilter) (Page[Account], error) {
	check := errors.Join(checkArgs("project id", projectID), checkRecord(f))
	return guard1(g, check, func() (Page[Account], error) { return g.s.ListAccounts(ctx, projectID, f) })
}

func (g *Guarded) DefaultAccount(ctx context.Context, projectID, userID, toolkit string) (Account, error) {
	check := checkArgs("project id", projectID, "user id", userID, "toolkit", toolkit)
	return guard1(g, check, func() (Account, error) { return g.s.DefaultAccount(ctx, projectID, userID, toolkit) })
}

func (g *Guarded) UpdateAccount(ctx context.Context, projectID, id string, fn func(Account) (Account, error)) (Account, error) {
	return guard1(g, checkArgs("project id", projectID, "account id", id), func() (Account, error) {
		return g.s.UpdateAccount(ctx, projectID, id, checked(fn))
	})
}

func (g *Guarded) DeleteAccount(ctx context.Context, projectID, id string) error {
	return g.guard0(checkArgs("project id", projectID, "account id", id), func() error { return g.s.DeleteAccount(ctx, projectID, id) })
}

func (g *Guarded) FailStaleAccounts(ctx context.Context, now, unlinkedBefore time.Time, reason string) (int, error) {
	return guard1(g, checkArgs("reason", reason), func() (int, error) { return g.s.FailStaleAccounts(ctx, now, unlinkedBefore, reason) })
}

func (g *Guarded) ClaimProbes(ctx context.Context, now, verifiedBefore, leaseUntil time.Time, limit int) ([]Account, error) {
	return guard1(g, nil, func() ([]Account, error) { return g.s.ClaimProbes(ctx, now, verifiedBefore, leaseUntil, limit) })
}

func (g *Guarded) AccountChanges(ctx context.Context) (<-chan string, error) {
	return guard1(g, nil, func() (<-chan string, error) { return g.s.AccountChanges(ctx) })
}

func (g *Guarded) LockAccount(ctx context.Context, projectID, id string, fn func(ctx context.Context) error) error {
	return g.guard0(checkArgs("project id", projectID, "account id", id), func() error { return g.s.LockAccount(ctx, projectID, id, fn) })
}

func (g *Guarded) CreateLink(ctx context.Context, l Link) error {
	return g.guard0(checkRecord(l), func() error { return g.s.CreateLink(ctx, l) })
}

func (g *Guarded) GetLink(ctx context.Context, tokenHash string) (Link, error) {
	return guard1(g, checkArgs("link token hash", tokenHash), func() (Link, error) { return g.s.GetLink(ctx, tokenHash) })
}

func (g *Guarded) GetLinkByState(ctx context.Context, stateHash string) (Link, error) {
	return guard1(g, checkArgs("state hash", stateHash), func() (Link, error) { return g.s.GetLinkByState(ctx, stateHash) })
}

func (g *Guarded) PendingLink(ctx context.Context, projectID, sessionID, toolkit string, now time.Time) (Link, error) {
	check := checkArgs("project id", projectID, "session id", sessionID, "toolkit", toolkit)
	return guard1(g, check, func() (Link, error) { return g.s.PendingLink(ctx, projectID, sessionID, toolkit, now) })
}

func (g *Guarded) UpdateLink(ctx context.Context, tokenHash string, fn func(Link) (Link, error)) (Link, error) {
	return guard1(g, checkArgs("link token hash", tokenHash), func() (Link, error) { return g.s.UpdateLink(ctx, tokenHash, checked(fn)) })
}

func (g *Guarded) ListVaultChecks(ctx context.Context) ([]VaultCheck, error) {
	return guard1(g, nil, func() ([]VaultCheck, error) { return g.s.ListVaultChecks(ctx) })
}

func (g *Guarded) AddVaultCheck(ctx context.Context, c VaultCheck) error {
	return g.guard0(checkRecord(c), func() error { return g.s.AddVaultCheck(ctx, c) })
}

func (g *Guarded) CreateCustomToolkit(ctx context.Context, t CustomToolkit) error {
	return g.guard0(checkRecord(t), func() error { return g.s.CreateCustomToolkit(ctx, t) })
}

func (g *Guarded) GetCustomToolkit(ctx context.Context, projectID, slug string) (CustomToolkit, error) {
	return guard1(g, checkArgs("project id", projectID, "toolkit slug", slug), func() (CustomToolkit, error) {
		return g.s.GetCustomToolkit(ctx, projectID, slug)
	})
}

func (g *Guarded) ListCustomToolkits(ctx context.Context, projectID string) ([]CustomToolkit, error) {
	return guard1(g, checkArgs("project id", projectID), func() ([]CustomToolkit, error) { return g.s.ListCustomToolkits(ctx, projectID) })
}

func (g *Guarded) UpdateCustomToolkit(ctx context.Context, projectID, slug string, fn func(CustomToolkit) (CustomToolkit, error)) (CustomToolkit, error) {
	return guard1(g, checkArgs("project id", projectID, "toolkit slug", slug), func() (CustomToolkit, error) {
		return g.s.UpdateCustomToolkit(ctx, projectID, slug, checked(fn))
	})
}

func (g *Guarded) DeleteCustomToolkit(ctx context.Context, projectID, slug string) error {
	return g.guard0(checkArgs("project id", projectID, "toolkit slug", slug), func() error { return g.s.DeleteCustomToolkit(ctx, projectID, slug) })
}

func (g *Guarded) CreateSession(ctx context.Context, s Session) error {
	return g.guard0(checkRecord(s), func() error { return g.s.CreateSession(ctx, s) })
}

func (g *Guarded) GetSession(ctx context.Context, projectID, id string) (Session, error) {
	return guard1(g, checkArgs("project id", projectID, "session id", id), func() (Session, error) { return g.s.GetSession(ctx, projectID, id) })
}

func (g *Guarded) UpdateSession(ctx context.Context, projectID, id string, fn func(Session) (Session, error)) (Session, error) {
	return guard1(g, checkArgs("project id", projectID, "session id", id), func() (Session, error) {
		return g.s.UpdateSession(ctx, projectID, id, checked(fn))
	})
}

func (g *Guarded) DeleteSession(ctx context.Context, projectID, id string) error {
	return g.guard0(checkArgs("project id", projectID, "session id", id), func() error { return g.s.DeleteSession(ctx, projectID, id) })
}

func (g *Guarded) ListSessions(ctx context.Context, projectID string, f SessionFilter) (Page[Session], error) {
	check := checkArgs("project id", projectID)
	if check == nil {
		check = checkRecord(f)
	}
	return guard1(g, check, func() (Page[Session], error) { return g.s.ListSessions(ctx, projectID, f) })
}

func (g *Guarded) Ping(ctx context.Context) error { return g.classify(g.s.Ping(ctx)) }

func (g *Guarded) Close() error { return g.s.Close() }

func (g *Guarded) AppendExecutionLogs(ctx context.Context, logs []ExecutionLog) error {
	// The batches are large and frequent: their fields are checked by
	// name, without checkRecord's reflection.
	var check error
	for _, l := range logs {
		if check = checkArgs("id", l.ID, "project id", l.ProjectID, "tool slug", l.ToolSlug, "toolkit slug", l.ToolkitSlug,
			"connected account id", l.ConnectedAccountID, "auth config id", l.AuthConfigID, "user id", l.UserID,
			"session id", l.SessionID, "request id", l.RequestID, "status", l.Status, "error", l.Error); check != nil {
			break
		}
	}
	return g.guard0(check, func() error { return g.s.AppendExecutionLogs(ctx, logs) })
}

func (g *Guarded) GetExecutionLog(ctx context.Context, projectID, id string) (ExecutionLog, error) {
	return guard1(g, checkArgs("project id", projectID, "log id", id), func() (ExecutionLog, error) {
		return g.s.GetExecutionLog(ctx, projectID, id)
	})
}

func (g *Guarded) ListExecutionLogs(ctx context.Context, projectID string, f ExecutionLogFilter) (Page[ExecutionLog], error) {
	check := checkArgs("project id", projectID)
	if check == nil {
		check = checkRecord(f)
	}
	return guard1(g, check, func() (Page[ExecutionLog], error) { return g.s.ListExecutionLogs(ctx, projectID, f) })
}

func (g *Guarded) DeleteExecutionLogs(ctx context.Context, before time.Time, limit int) (int, error) {
	return guard1(g, nil, func() (int, error) { return g.s.DeleteExecutionLogs(ctx, before, limit) })
}

func (g *Guarded) AppendAudit(ctx context.Context, e AuditEntry) error {
	return g.guard0(checkRecord(e), func() error { return g.s.AppendAudit(ctx, e) })
}

func (g *Guarded) ListAudit(ctx context.Context, projectID string, f AuditFilter) (Page[AuditEntry], error) {
	check := checkArgs("project id", projectID)
	if check == nil {
		check = checkRecord(f)
	}
	return guard1(g, check, func() (Page[AuditEntry], error) { return g.s.ListAudit(ctx, projectID, f) })
}

func (g *Guarded) HitRateWindow(ctx context.Context, projectID, key string, start time.Time) (int64, time.Time, error) {
	type hit struct {
		n     int64
		start time.Time
	}
	h, err := guard1(g, checkArgs("project_id", projectID, "key", key), func() (hit, error) {
		n, at, err := g.s.HitRateWindow(ctx, projectID, key, start)
		return hit{n, at}, err
	})
	return h.n, h.start, err
}

// PoolStats reports the wrapped backend's pools, if it reports them.
func (g *Guarded) PoolStats() []PoolStats {
	if p, ok := g.s.(PoolStatser); ok {
		return p.PoolStats()
	}
	return nil
}
