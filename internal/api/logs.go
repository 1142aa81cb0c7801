package api

import (
	"encoding/json"
	"math"
	"net/http"
	"time"

	"github.com/switchboard-dev/switchboard/internal/execlog"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/wire"
)

// logSearchFields are the fields of a log search body; any other is
// refused rather than ignored.
var logSearchFields = map[string]bool{"limit": true, "cursor": true, "filters": true, "time_range": true}

// searchLogs is Composio's POST /api/v3.1/logs/tool_execution.
func (s *Server) searchLogs(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var present map[string]json.RawMessage
	if err := decode(r, &present); err != nil {
		return err
	}
	for k := range present {
		if !logSearchFields[k] {
			return problem.Invalidf("unknown_field", k, "unknown field %q: a log search takes limit, cursor, filters and time_range", k)
		}
	}
	raw, _ := json.Marshal(present)
	var req wire.LogSearchRequest
	if err := decodeJSON(raw, &req); err != nil {
		return err
	}
	q, err := logSearch(req)
	if err != nil {
		return err
	}
	page, err := s.ExecutionLogs.List(r.Context(), p.ID, q)
	if err != nil {
		return err
	}
	out := wire.LogSearchResponse{Logs: make([]wire.LogEntry, 0, len(page.Items))}
	for _, l := range page.Items {
		out.Logs = append(out.Logs, logEntryJSON(l))
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// logSearch turns the wire search into the domain's.
func logSearch(req wire.LogSearchRequest) (execlog.Search, error) {
	var q execlog.Search
	if req.Limit != nil {
		if *req.Limit != math.Trunc(*req.Limit) || *req.Limit < 1 || *req.Limit > execlog.MaxLimit {
			return q, problem.Invalidf("invalid_limit", "limit", "limit must be a whole number from 1 to %d", execlog.MaxLimit)
		}
		q.Limit = int(*req.Limit)
	}
	if req.Cursor != nil {
		q.Cursor = *req.Cursor
	}
	for _, f := range req.Filter {
		q.Conditions = append(q.Conditions, store.Condition{Field: f.Field, Op: f.Operator, Value: f.Value})
	}
	if tr := req.Range; tr != nil {
		if tr.From == nil || tr.To == nil {
			return q, problem.Invalidf("invalid_time_range", "time_range", "time_range needs both from and to, in epoch milliseconds")
		}
		q.From, q.To = epochMillis(*tr.From), epochMillis(*tr.To)
		// to is inclusive on the wire: the store's bound is exclusive.
		q.To = q.To.Add(time.Millisecond)
	}
	return q, nil
}

func epochMillis(ms float64) time.Time {
	return time.UnixMicro(int64(ms * 1000)).UTC()
}

func millis(t time.Time) float64 { return float64(t.UnixMicro()) / 1000 }

func logEntryJSON(l store.ExecutionLog) wire.LogEntry {
	e := wire.LogEntry{ID: l.ID, Timestamp: l.StartedAt, Type: "tool.execution", Status: l.Status, Level: "info",
		Metadata: wire.LogMetadata{ToolSlug: l.ToolSlug, ToolkitSlug: l.ToolkitSlug, UserID: l.UserID,
			ConnectedAccountID: l.ConnectedAccountID, AuthConfigID: l.AuthConfigID, SessionID: l.SessionID,
			UpstreamStatus: l.UpstreamStatus, Error: l.Error},
		Metrics: map[string]any{"duration_ms": l.EndedAt.Sub(l.StartedAt).Milliseconds()},
	}
	if l.ConnectedAccountID != "" {
		e.Metadata.CredentialSource = "connected_account"
	}
	if l.Status == store.LogFailed {
		e.Level = "error"
		e.Message = l.ToolSlug + " failed: " + l.Error
	} else {
		e.Message = l.ToolSlug + " succeeded"
	}
	return e
}

// getLog is Composio's GET /api/v3.1/logs/tool_execution/{id}.
func (s *Server) getLog(w http.ResponseWriter, r *http.Request, p store.Project) error {
	l, err := s.ExecutionLogs.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := wire.LogDetail{LogEntry: logEntryJSON(l),
		Timings: wire.LogTimings{StartTime: millis(l.StartedAt), EndTime: millis(l.EndedAt)},
		Context: wire.LogContext{SessionID: l.SessionID, RequestID: l.RequestID},
		Data:    map[string]any{"request": map[string]any{"arguments": rawOrNull(l.Arguments)}, "response": rawOrNull(l.Response)},
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func rawOrNull(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}
