package reqlog

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

type idKey int

const (
	requestIDKey idKey = iota
	projectIDKey
)

// WithRequestID returns ctx naming the request it serves; Handler adds
// the id to every record made with it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the id WithRequestID set, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// WithProjectID returns ctx naming the project the request acts for.
func WithProjectID(ctx context.Context, id string) context.Context {
	if r, _ := ctx.Value(key{}).(*Record); r != nil {
		r.mu.Lock()
		r.projectID = id
		r.mu.Unlock()
	}
	return context.WithValue(ctx, projectIDKey, id)
}

// ProjectID returns the id WithProjectID set, or "". A context from
// before WithProjectID whose Record it set (the one a request's access
// record is written with) names that project too.
func ProjectID(ctx context.Context) string {
	if id, ok := ctx.Value(projectIDKey).(string); ok {
		return id
	}
	if r, _ := ctx.Value(key{}).(*Record); r != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.projectID
	}
	return ""
}

// Handler adds the request and project ids of the request to every log
// record made with its context, drops the value of any attribute whose
// key names a secret, and cuts link tokens out of link URLs in string
// values, whatever code logged them.
type Handler struct{ slog.Handler }

// secretKeys are attribute keys whose values never reach the log, alone
// or as a word of a snake_case key.
var secretKeys = []string{"token", "secret", "password", "authorization", "api_key", "apikey", "x-api-key", "cookie", "credential", "verifier"}

// secretKey reports whether an attribute key names a secret. Keys are
// nearly always the same few constants, so answers are remembered, up to
// maxKnownKeys of them.
func secretKey(k string) bool {
	if v, ok := knownKeys.Load(k); ok {
		return v.(bool)
	}
	secret := isSecretKey(k)
	if knownKeyCount.Add(1) <= maxKnownKeys {
		knownKeys.Store(k, secret)
	}
	return secret
}

const maxKnownKeys = 1024

var (
	knownKeys     sync.Map // key -> bool
	knownKeyCount atomic.Int64
)

func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range secretKeys {
		if strings.HasPrefix(k, s) && (len(k) == len(s) || k[len(s)] == '_') ||
			strings.HasSuffix(k, s) && k[len(k)-len(s)-1] == '_' {
			return true
		}
	}
	return false
}

// linkPath starts the path of a hosted link page; the segment after it is
// the link token, which must not reach the log even inside a message (a
// tool error that tells the agent which link to open).
const linkPath = "/link/"

// scrubLinks replaces the token after each linkPath in s.
func scrubLinks(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, linkPath)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+len(linkPath)])
		b.WriteString("[REDACTED]")
		s = s[i+len(linkPath):]
		end := strings.IndexFunc(s, func(r rune) bool {
			return !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		})
		if end < 0 {
			end = len(s)
		}
		s = s[end:]
	}
}

func hasLink(v slog.Value) bool {
	return v.Kind() == slog.KindString && strings.Contains(v.String(), linkPath)
}

// secret reports whether a, or an attribute of its group, names a secret
// or holds a link token.
func secret(a slog.Attr) bool {
	if secretKey(a.Key) || hasLink(a.Value) {
		return true
	}
	if a.Value.Kind() == slog.KindGroup {
		return slices.ContainsFunc(a.Value.Group(), secret)
	}
	return false
}

func redact(a slog.Attr) slog.Attr {
	if secretKey(a.Key) {
		return slog.String(a.Key, "[REDACTED]")
	}
	if hasLink(a.Value) {
		return slog.String(a.Key, scrubLinks(a.Value.String()))
	}
	if a.Value.Kind() == slog.KindGroup {
		attrs := a.Value.Group()
		out := make([]any, len(attrs))
		for i, g := range attrs {
			out[i] = redact(g)
		}
		return slog.Group(a.Key, out...)
	}
	return a
}

// Handle adds the ids, redacts and passes the record on. A record
// without secrets, which is nearly every one, is passed on as it is.
func (h Handler) Handle(ctx context.Context, r slog.Record) error {
	dirty := false
	r.Attrs(func(a slog.Attr) bool {
		dirty = secret(a)
		return !dirty
	})
	var clean slog.Record
	if dirty {
		clean = slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
		r.Attrs(func(a slog.Attr) bool {
			clean.AddAttrs(redact(a))
			return true
		})
	} else {
		clean = r.Clone()
	}
	if id := RequestID(ctx); id != "" {
		clean.AddAttrs(slog.String("request_id", id))
	}
	if id := ProjectID(ctx); id != "" {
		clean.AddAttrs(slog.String("project_id", id))
	}
	return h.Handler.Handle(ctx, clean)
}

// WithAttrs keeps the wrapper and redacts the attributes.
func (h Handler) WithAttrs(a []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(a))
	for i, x := range a {
		clean[i] = redact(x)
	}
	return Handler{h.Handler.WithAttrs(clean)}
}

// WithGroup keeps the wrapper.
func (h Handler) WithGroup(name string) slog.Handler {
	return Handler{h.Handler.WithGroup(name)}
}
