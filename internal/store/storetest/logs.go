package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

func newExecutionLog(projectID, id string, minute int) store.ExecutionLog {
	return store.ExecutionLog{ID: id, ProjectID: projectID, ToolSlug: "GMAIL_SEND_EMAIL", ToolkitSlug: "gmail",
		ConnectedAccountID: "ca_1", AuthConfigID: "ac_1", UserID: "user-1", SessionID: "trs_1", RequestID: "req_" + id,
		Status: store.LogSuccess, UpstreamStatus: 200, Arguments: []byte(`{"to":"a@example.com"}`), Response: []byte(`{}`),
		StartedAt: at(minute), EndedAt: at(minute).Add(1500 * time.Millisecond)}
}

func logIDs(ls []store.ExecutionLog) []string {
	ids := []string{}
	for _, l := range ls {
		ids = append(ids, l.ID)
	}
	return ids
}

func testExecutionLogs(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	wantNoErr(t, "AppendExecutionLogs of none", s.AppendExecutionLogs(ctx, nil))

	a := newExecutionLog("p1", "log_a", 1)
	b := newExecutionLog("p1", "log_b", 2)
	b.ToolSlug, b.ToolkitSlug, b.Status, b.Error, b.UpstreamStatus = "GITHUB_GET_REPO", "github", store.LogFailed, "not found", 404
	b.ConnectedAccountID, b.UserID, b.SessionID, b.Arguments, b.Response = "ca_2", "user-2", "", nil, nil
	c := newExecutionLog("p1", "log_c", 3)
	other := newExecutionLog("p2", "log_x", 2)
	wantNoErr(t, "AppendExecutionLogs", s.AppendExecutionLogs(ctx, []store.ExecutionLog{a, b, c, other}))

	got, err := s.GetExecutionLog(ctx, "p1", "log_b")
	wantNoErr(t, "GetExecutionLog", err)
	if d := diff(b, got); d != "" {
		t.Errorf("GetExecutionLog mismatch (-want +got):\n%s", d)
	}
	_, err = s.GetExecutionLog(ctx, "p1", "log_x")
	wantErr(t, "GetExecutionLog of another project's log", err, store.ErrNotFound)
	wantErr(t, "AppendExecutionLogs with a taken id", s.AppendExecutionLogs(ctx, []store.ExecutionLog{newExecutionLog("p1", "log_new", 9), a}), store.ErrConflict)
	_, err = s.GetExecutionLog(ctx, "p1", "log_new")
	wantErr(t, "GetExecutionLog of a log in a failed batch", err, store.ErrNotFound)

	tests := []struct {
		name string
		f    store.ExecutionLogFilter
		want []string
	}{
		{"all, newest first", store.ExecutionLogFilter{}, []string{"log_c", "log_b", "log_a"}},
		{"tool ==", store.ExecutionLogFilter{Conditions: []store.Condition{{Field: store.LogFieldTool, Op: store.OpEqual, Value: "GITHUB_GET_REPO"}}}, []string{"log_b"}},
		{"toolkit !=", store.ExecutionLogFilter{Conditions: []store.Condition{{Field: store.LogFieldToolkit, Op: store.OpNotEqual, Value: "github"}}}, []string{"log_c", "log_a"}},
		{"status", store.ExecutionLogFilter{Conditions: []store.Condition{{Field: store.LogFieldStatus, Op: store.OpEqual, Value: store.LogFailed}}}, []string{"log_b"}},
		{"account contains", store.ExecutionLogFilter{Conditions: []store.Condition{{Field: store.LogFieldAccount, Op: store.OpContains, Value: "_2"}}}, []string{"log_b"}},
		{"user not_contains", store.ExecutionLogFilter{Conditions: []store.Condition{{Field: store.LogFieldUser, Op: store.OpNotContains, Value: "-2"}}}, []string{"log_c", "log_a"}},
		{"contains is case-sensitive", store.ExecutionLogFilter{Conditions: []store.Condition{{Field: store.LogFieldTool, Op: store.OpContains, Value: "gmail"}}}, []string{}},
		{"session and auth config", store.ExecutionLogFilter{Conditions: []store.Condition{
			{Field: store.LogFieldSession, Op: store.OpEqual, Value: "trs_1"}, {Field: store.LogFieldAuthConfig, Op: store.OpEqual, Value: "ac_1"}}}, []string{"log_c", "log_a"}},
		{"request id", store.ExecutionLogFilter{Conditions: []store.Condition{{Field: store.LogFieldRequest, Op: store.OpEqual, Value: "req_log_a"}}}, []string{"log_a"}},
		{"log id", store.ExecutionLogFilter{Conditions: []store.Condition{{Field: store.LogFieldID, Op: store.OpEqual, Value: "log_c"}}}, []string{"log_c"}},
		{"time range", store.ExecutionLogFilter{From: at(2), To: at(3)}, []string{"log_b"}},
		{"from only", store.ExecutionLogFilter{From: at(2)}, []string{"log_c", "log_b"}},
	}
	for _, tt := range tests {
		page, err := s.ListExecutionLogs(ctx, "p1", tt.f)
		wantNoErr(t, "ListExecutionLogs "+tt.name, err)
		if d := diff(tt.want, logIDs(page.Items)); d != "" {
			t.Errorf("ListExecutionLogs %s (-want +got):\n%s", tt.name, d)
		}
	}

	for _, f := range []store.ExecutionLogFilter{
		{Conditions: []store.Condition{{Field: "sandbox_id", Op: store.OpEqual, Value: "x"}}},
		{Conditions: []store.Condition{{Field: store.LogFieldTool, Op: "like", Value: "x"}}},
		{Cursor: "not-a-cursor"},
	} {
		_, err := s.ListExecutionLogs(ctx, "p1", f)
		wantErr(t, fmt.Sprintf("ListExecutionLogs(%+v)", f), err, store.ErrInvalid)
	}

	// Pages of two, with a tie on the time broken by id.
	tie := newExecutionLog("p1", "log_d", 3)
	wantNoErr(t, "AppendExecutionLogs", s.AppendExecutionLogs(ctx, []store.ExecutionLog{tie}))
	var walked []string
	wantNoErr(t, "walk execution logs", store.Walk(func(cursor string) (store.Page[store.ExecutionLog], error) {
		page, err := s.ListExecutionLogs(ctx, "p1", store.ExecutionLogFilter{Cursor: cursor, Limit: 2})
		if err == nil && len(page.Items) > 2 {
			t.Errorf("page of %d logs, want at most 2", len(page.Items))
		}
		return page, err
	}, func(l store.ExecutionLog) error { walked = append(walked, l.ID); return nil }))
	if d := diff([]string{"log_d", "log_c", "log_b", "log_a"}, walked); d != "" {
		t.Errorf("paged logs (-want +got):\n%s", d)
	}

	// Retention: logs that started before the time go, in every project,
	// at most limit at a time.
	n, err := s.DeleteExecutionLogs(ctx, at(3), 1)
	wantNoErr(t, "DeleteExecutionLogs", err)
	if n != 1 {
		t.Errorf("DeleteExecutionLogs with limit 1 deleted %d, want 1", n)
	}
	n, err = s.DeleteExecutionLogs(ctx, at(3), 100)
	wantNoErr(t, "DeleteExecutionLogs", err)
	if n != 2 {
		t.Errorf("DeleteExecutionLogs deleted %d, want the 2 left before the time", n)
	}
	page, err := s.ListExecutionLogs(ctx, "p1", store.ExecutionLogFilter{})
	wantNoErr(t, "ListExecutionLogs", err)
	if d := diff([]string{"log_d", "log_c"}, logIDs(page.Items)); d != "" {
		t.Errorf("logs after retention (-want +got):\n%s", d)
	}
	_, err = s.GetExecutionLog(ctx, "p2", "log_x")
	wantErr(t, "GetExecutionLog of a deleted log of another project", err, store.ErrNotFound)
}

func testAudit(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	entry := func(project, id, action, target string, minute int) store.AuditEntry {
		return store.AuditEntry{ID: id, ProjectID: project, Action: action, TargetType: "auth_config", TargetID: target,
			KeyID: "key_1", SourceAddress: "127.0.0.1", RequestID: "req_" + id,
			Before: []byte(`{"name":"old"}`), After: []byte(`{"name":"new"}`), CreatedAt: at(minute)}
	}
	e1 := entry("p1", "aud_1", "auth_config.create", "ac_1", 1)
	e1.Before = nil
	e2 := entry("p1", "aud_2", "auth_config.update", "ac_1", 2)
	e3 := entry("p1", "aud_3", "api_key.create", "key_2", 3)
	e3.TargetType, e3.KeyID = "api_key", "key_2"
	e4 := entry("p2", "aud_4", "auth_config.create", "ac_9", 2)
	for _, e := range []store.AuditEntry{e3, e1, e2, e4} {
		wantNoErr(t, "AppendAudit", s.AppendAudit(ctx, e))
	}
	wantErr(t, "AppendAudit with a taken id", s.AppendAudit(ctx, e1), store.ErrConflict)

	page, err := s.ListAudit(ctx, "p1", store.AuditFilter{})
	wantNoErr(t, "ListAudit", err)
	if d := diff([]store.AuditEntry{e1, e2, e3}, page.Items); d != "" {
		t.Errorf("ListAudit, oldest first (-want +got):\n%s", d)
	}
	tests := []struct {
		name string
		f    store.AuditFilter
		want []store.AuditEntry
	}{
		{"action", store.AuditFilter{Actions: []string{"auth_config.update", "api_key.create"}}, []store.AuditEntry{e2, e3}},
		{"target type", store.AuditFilter{TargetTypes: []string{"api_key"}}, []store.AuditEntry{e3}},
		{"target id", store.AuditFilter{TargetIDs: []string{"ac_1"}}, []store.AuditEntry{e1, e2}},
		{"key", store.AuditFilter{KeyIDs: []string{"key_1"}}, []store.AuditEntry{e1, e2}},
		{"time range", store.AuditFilter{From: at(2), To: at(3)}, []store.AuditEntry{e2}},
		{"another project's target", store.AuditFilter{TargetIDs: []string{"ac_9"}}, []store.AuditEntry{}},
	}
	for _, tt := range tests {
		page, err := s.ListAudit(ctx, "p1", tt.f)
		wantNoErr(t, "ListAudit "+tt.name, err)
		if d := diff(tt.want, page.Items); d != "" {
			t.Errorf("ListAudit %s (-want +got):\n%s", tt.name, d)
		}
	}
	first, err := s.ListAudit(ctx, "p1", store.AuditFilter{Limit: 2})
	wantNoErr(t, "ListAudit page 1", err)
	second, err := s.ListAudit(ctx, "p1", store.AuditFilter{Limit: 2, Cursor: first.NextCursor})
	wantNoErr(t, "ListAudit page 2", err)
	if d := diff([]store.AuditEntry{e3}, second.Items); d != "" || first.NextCursor == "" || second.NextCursor != "" {
		t.Errorf("ListAudit pages: cursor %q then %q, second page (-want +got):\n%s", first.NextCursor, second.NextCursor, d)
	}
	_, err = s.ListAudit(ctx, "p1", store.AuditFilter{Cursor: "bogus"})
	wantErr(t, "ListAudit with a bad cursor", err, store.ErrInvalid)

	newest, err := s.ListAudit(ctx, "p1", store.AuditFilter{Newest: true, Limit: 2})
	wantNoErr(t, "ListAudit newest first", err)
	older, err := s.ListAudit(ctx, "p1", store.AuditFilter{Newest: true, Limit: 2, Cursor: newest.NextCursor})
	wantNoErr(t, "ListAudit newest first, page 2", err)
	if d := diff([]store.AuditEntry{e3, e2, e1}, append(newest.Items, older.Items...)); d != "" || older.NextCursor != "" {
		t.Errorf("ListAudit newest first (-want +got):\n%s", d)
	}
	_, err = s.ListAudit(ctx, "p1", store.AuditFilter{Cursor: first.NextCursor, Newest: true})
	wantErr(t, "ListAudit newest first with an oldest-first cursor", err, store.ErrInvalid)
}

// testExecutionLogBatches: batches of many sizes, which a backend may cut
// into statements of several row counts, store every log whole, in one
// transaction: a taken id anywhere in a batch stores none of it.
func testExecutionLogBatches(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	n := 0
	batch := func(size int) []store.ExecutionLog {
		ls := make([]store.ExecutionLog, size)
		for i := range ls {
			ls[i] = newExecutionLog("p1", fmt.Sprintf("log_%04d", n), n)
			ls[i].Error, ls[i].UpstreamStatus = fmt.Sprintf("error %d", n), 200+n%300
			n++
		}
		return ls
	}
	var all []store.ExecutionLog
	for _, size := range []int{1, 3, 31, 33, 100, 227, 300} {
		ls := batch(size)
		wantNoErr(t, fmt.Sprintf("AppendExecutionLogs of %d", size), s.AppendExecutionLogs(ctx, ls))
		all = append(all, ls...)
	}
	for _, i := range []int{0, 34, 67, 68, 167, 300, 394, 395, len(all) - 1} {
		got, err := s.GetExecutionLog(ctx, "p1", all[i].ID)
		wantNoErr(t, "GetExecutionLog "+all[i].ID, err)
		if d := diff(all[i], got); d != "" {
			t.Errorf("GetExecutionLog %s mismatch (-want +got):\n%s", all[i].ID, d)
		}
	}
	page, err := s.ListExecutionLogs(ctx, "p1", store.ExecutionLogFilter{From: all[0].StartedAt, Limit: 1000})
	wantNoErr(t, "ListExecutionLogs", err)
	if len(page.Items) != len(all) {
		t.Errorf("ListExecutionLogs: got %d logs, want %d", len(page.Items), len(all))
	}

	failed := batch(200)
	failed[150] = all[10]
	wantErr(t, "AppendExecutionLogs of 200 with a taken id", s.AppendExecutionLogs(ctx, failed), store.ErrConflict)
	for _, i := range []int{0, 149, 151, 199} {
		_, err := s.GetExecutionLog(ctx, "p1", failed[i].ID)
		wantErr(t, "GetExecutionLog of a log in a failed batch", err, store.ErrNotFound)
	}
}
