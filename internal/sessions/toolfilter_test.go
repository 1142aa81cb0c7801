package sessions_test

import (
	"context"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// TestStoredToolOptionsThatDoNotParseRefuseEveryTool reads a session
// stored before its tools option was checked, with one that cannot be
// enforced: the session refuses every tool instead of running them all.
func TestStoredToolOptionsThatDoNotParseRefuseEveryTool(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rec := store.Session{ID: "trs_legacy", ProjectID: f.project.ID, UserID: "u1", ConfigVersion: 1,
		Config:    []byte(`{"toolkits":{},"manage_connections":{"enabled":true},"multi_account":{"enabled":false},"passthrough":{"tools":{"gmail":{"enable":"GMAIL_SEND_EMAIL"}}}}`),
		CreatedAt: f.now, UpdatedAt: f.now}
	if err := f.st.CreateSession(ctx, rec); err != nil {
		t.Fatal(err)
	}
	sess, err := f.sessions.Get(ctx, f.project.ID, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tools, err := f.sessions.Tools(ctx, sess); err != nil || len(tools) != 0 {
		t.Errorf("a session with an unparsable tools option lists %d tools, want none", len(tools))
	}
	tool, _ := f.sessions.Catalog.For(ctx, f.project.ID).Tool("GMAIL_SEND_EMAIL")
	if err := sess.ToolAllowed(tool); err == nil {
		t.Errorf("ToolAllowed(%s) = nil, want %s", tool.Slug, sessions.CodeToolNotAllowed)
	}

	// A valid stored option is enforced as written.
	rec.ID = "trs_legacy_ok"
	rec.Config = []byte(`{"toolkits":{},"manage_connections":{"enabled":true},"multi_account":{"enabled":false},"passthrough":{"tools":{"gmail":{"enable":["GMAIL_SEND_EMAIL"]}}}}`)
	if err := f.st.CreateSession(ctx, rec); err != nil {
		t.Fatal(err)
	}
	sess, err = f.sessions.Get(ctx, f.project.ID, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.ToolAllowed(tool); err != nil {
		t.Errorf("ToolAllowed(%s): %v, want allowed", tool.Slug, err)
	}
	profile, _ := f.sessions.Catalog.For(ctx, f.project.ID).Tool("GMAIL_GET_PROFILE")
	if err := sess.ToolAllowed(profile); err == nil {
		t.Errorf("ToolAllowed(%s) = nil, want refused", profile.Slug)
	}
}
