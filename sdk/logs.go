package sdk

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/wire"
)

// LogsService searches the project's tool execution logs (Composio's
// logs API); it needs an admin key.
type LogsService struct{ c *Client }

// Logs returns the execution logs API.
func (c *Client) Logs() *LogsService { return &LogsService{c: c} }

// Search returns a page of logs, newest first: POST
// /api/v3.1/logs/tool_execution.
func (s *LogsService) Search(ctx context.Context, req wire.LogSearchRequest) (*wire.LogSearchResponse, error) {
	var out wire.LogSearchResponse
	if err := s.c.do(ctx, http.MethodPost, apiPath("logs", "tool_execution"), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns one log with its redacted arguments and answer: GET
// /api/v3.1/logs/tool_execution/{id}.
func (s *LogsService) Get(ctx context.Context, id string) (*wire.LogDetail, error) {
	seg, err := segment("log id", id)
	if err != nil {
		return nil, err
	}
	var out wire.LogDetail
	if err := s.c.do(ctx, http.MethodGet, apiPath("logs", "tool_execution", seg), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AuditService reads the project's audit log; it needs an admin key.
type AuditService struct{ c *Client }

// Audit returns the audit log API.
func (c *Client) Audit() *AuditService { return &AuditService{c: c} }

// AuditParams filter the audit log; empty fields match everything.
type AuditParams struct {
	Actions, TargetTypes, TargetIDs, KeyIDs []string
	// From (inclusive) and To (exclusive) bound the entries' times.
	From, To time.Time
	Cursor   string
	Limit    int
}

// List returns a page of the audit log, oldest first: GET
// /api/v3.1/audit_log.
func (s *AuditService) List(ctx context.Context, p AuditParams) (*wire.AuditList, error) {
	q := url.Values{}
	for name, vs := range map[string][]string{"action": p.Actions, "target_type": p.TargetTypes, "target_id": p.TargetIDs, "key_id": p.KeyIDs} {
		if len(vs) > 0 {
			q.Set(name, strings.Join(vs, ","))
		}
	}
	if !p.From.IsZero() {
		q.Set("from", p.From.UTC().Format(time.RFC3339Nano))
	}
	if !p.To.IsZero() {
		q.Set("to", p.To.UTC().Format(time.RFC3339Nano))
	}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	var out wire.AuditList
	if err := s.c.do(ctx, http.MethodGet, apiPath("audit_log"), q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
