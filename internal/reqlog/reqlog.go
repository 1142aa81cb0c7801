// Package reqlog gathers what the layers serving a request have to say
// into the one log record written for it, the way a tracing span gathers
// attributes: the HTTP layer starts a Record and writes it when the
// answer is sent, and the domain adds to it (a tool execution adds its log
// id, tool, account and upstream status) instead of writing a record of
// its own.
package reqlog

import (
	"context"
	"log/slog"
	"sync"
)

// Record holds the attributes added to a request's record. It is safe for
// concurrent use.
type Record struct {
	mu    sync.Mutex
	attrs []slog.Attr
	// projectID is the project the request turned out to be for, set by
	// WithProjectID, so the access record names it although it is
	// written with the request's first context.
	projectID string
}

type key struct{}

// NewContext returns ctx carrying r. A nil r hides any record ctx carries:
// code that does several things in one request, each worth its own record,
// runs them with such a context.
func NewContext(ctx context.Context, r *Record) context.Context {
	return context.WithValue(ctx, key{}, r)
}

// Add adds attrs to the record ctx carries; without one, it logs them
// with l as a record of their own, with message msg.
func Add(ctx context.Context, l *slog.Logger, msg string, attrs ...slog.Attr) {
	r, _ := ctx.Value(key{}).(*Record)
	if r == nil {
		l.LogAttrs(ctx, slog.LevelInfo, msg, attrs...)
		return
	}
	r.mu.Lock()
	r.attrs = append(r.attrs, attrs...)
	r.mu.Unlock()
}

// Log writes the request's record with l: attrs, then what was added.
func (r *Record) Log(ctx context.Context, l *slog.Logger, msg string, attrs ...slog.Attr) {
	r.mu.Lock()
	attrs = append(attrs, r.attrs...)
	r.mu.Unlock()
	// The project WithProjectID set on r is named through ctx's record
	// (ProjectID).
	l.LogAttrs(ctx, slog.LevelInfo, msg, attrs...)
}
