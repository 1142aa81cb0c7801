package api

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/wire"
)

// begin starts an administrative act of the request (audit.Service.Begin):
// the act's store write, made with ctx, writes its audit entry in the same
// transaction. finish, called once the act succeeded, writes the entry of
// an act that wrote nothing, with after as its after view.
func (s *Server) begin(r *http.Request, p store.Project, act audit.Act) (ctx context.Context, finish func(after any)) {
	if s.Audit == nil {
		return r.Context(), func(any) {}
	}
	ctx, pending := s.Audit.Begin(r.Context(), p.ID, act)
	return ctx, func(after any) { pending.Finish(ctx, after) }
}

// sourceAddress is the address the request came from, without its port.
func sourceAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// auditQuery are the parameters GET /audit_log takes; any other is
// refused.
var auditQuery = map[string]bool{"action": true, "target_type": true, "target_id": true, "key_id": true,
	"from": true, "to": true, "cursor": true, "limit": true}

// listAudit is GET /api/v3.1/audit_log: the project's audit entries,
// oldest first, filtered by action, target, key and time (RFC 3339).
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request, p store.Project) error {
	for k := range r.URL.Query() {
		if !auditQuery[k] {
			return problem.Invalidf("unknown_parameter", k, "unknown parameter %q: the audit log is filtered by action, target_type, target_id, key_id, from and to", k)
		}
	}
	n, err := limit(r, audit.DefaultLimit, audit.MaxLimit)
	if err != nil {
		return err
	}
	f := store.AuditFilter{Actions: csv(r, "action"), TargetTypes: csv(r, "target_type"), TargetIDs: csv(r, "target_id"),
		KeyIDs: csv(r, "key_id"), Cursor: r.URL.Query().Get("cursor"), Limit: n}
	for _, b := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := r.URL.Query().Get(b.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return problem.Invalidf("invalid_time", b.name, "%s must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z", b.name)
			}
			*b.dst = t
		}
	}
	page, err := s.Audit.List(r.Context(), p.ID, f)
	if err != nil {
		return err
	}
	out := wire.AuditList{Items: make([]wire.AuditEntry, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, e := range page.Items {
		out.Items = append(out.Items, wire.AuditEntry{ID: e.ID, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID,
			KeyID: e.KeyID, SourceAddress: e.SourceAddress, RequestID: e.RequestID, Before: e.Before, After: e.After, CreatedAt: e.CreatedAt})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
