package sqlite

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// firstMigration is the schema the golden migration test seeds.
const firstMigration = "0001_init"

// golden001 is a database as the first schema stored it, written the way
// that schema's code wrote rows: fixed-width UTC text times, JSON text,
// NULL and empty blobs apart. It is never changed: later migrations must
// keep these rows readable, whatever they add.
const golden001 = `
INSERT INTO projects (id, name, callback_urls, reveal_secrets, created_at, updated_at) VALUES
	('p1', 'Golden', '["https://app.example.com/cb"]', 1, '2025-01-02T03:04:05.123456Z', '2025-01-03T00:00:00.000000Z'),
	('p2', 'Other', '[]', 0, '2025-01-02T03:04:05.000000Z', '2025-01-02T03:04:05.000000Z');
INSERT INTO api_keys (id, project_id, name, prefix, hash, created_at, revoked_at) VALUES
	('k1', 'p1', 'ci', 'sb_k1', X'00ff10', '2025-01-02T04:00:00.000000Z', '2025-02-01T00:00:00.000000Z');
INSERT INTO auth_configs (id, project_id, toolkit_slug, name, type, auth_scheme, status, params,
	sealed_secrets, is_enabled_for_tool_router, created_at, updated_at) VALUES
	('ac1', 'p1', 'github', 'GitHub', 'custom', 'OAUTH2', 'ENABLED', '{"client_id":"cid","scopes":"repo"}',
		X'01000a', 1, '2025-01-02T05:00:00.000000Z', '2025-01-02T05:00:00.000000Z'),
	('ac2', 'p2', 'github', 'GitHub', 'default', 'OAUTH2', 'ENABLED', '{}',
		NULL, 0, '2025-01-02T05:00:00.000000Z', '2025-01-02T05:00:00.000000Z');
INSERT INTO accounts (id, project_id, user_id, toolkit_slug, auth_config_id, status, status_reason, alias,
	sealed_credentials, token_expires_at, identity, identity_id, connected_at, created_at, updated_at) VALUES
	('a1', 'p1', 'u1', 'github', 'ac1', 'ACTIVE', '', 'work',
		X'02000b', '2025-01-10T01:00:00.000000Z', 'octocat', '583231', '2025-01-10T00:00:00.000000Z',
		'2025-01-04T00:00:00.000000Z', '2025-01-10T00:00:00.000000Z'),
	('a2', 'p1', 'u1', 'github', 'ac1', 'ACTIVE', '', '',
		X'', NULL, '', '', '2025-01-09T00:00:00.000000Z',
		'2025-01-05T00:00:00.000000Z', '2025-01-09T00:00:00.000000Z'),
	('a3', 'p1', 'u1', 'github', 'ac1', 'EXPIRED', 'token revoked', '',
		NULL, NULL, 'octocat', '583231', '2025-01-20T00:00:00.000000Z',
		'2025-01-06T00:00:00.000000Z', '2025-01-21T00:00:00.000000Z'),
	('a4', 'p1', 'u2', 'github', 'ac1', 'ACTIVE', '', '',
		NULL, NULL, '', '', NULL,
		'2025-01-07T00:00:00.000000Z', '2025-01-07T00:00:00.000000Z'),
	('a5', 'p1', 'u1', 'github', 'ac1', 'INITIATED', '', '',
		NULL, NULL, '', '', NULL,
		'2025-01-08T00:00:00.000000Z', '2025-01-08T00:00:00.000000Z'),
	('x1', 'p2', 'u1', 'github', 'ac2', 'ACTIVE', '', '',
		NULL, NULL, '', '', '2025-02-01T00:00:00.000000Z',
		'2025-02-01T00:00:00.000000Z', '2025-02-01T00:00:00.000000Z');
INSERT INTO links (token, project_id, account_id, session_id, callback_url, expires_at, state_hash,
	sealed_verifier, state_expires_at, completed_at, created_at) VALUES
	('l1', 'p1', 'a5', 's1', 'https://app.example.com/cb?x=1', '2025-01-08T00:10:00.000000Z', 'abc123',
		X'03', '2025-01-08T00:20:00.000000Z', NULL, '2025-01-08T00:00:00.000000Z');
INSERT INTO sessions (id, project_id, user_id, config, config_version, created_at, updated_at) VALUES
	('s1', 'p1', 'u1', X'7b7d', 2, '2025-01-08T00:00:00.000000Z', '2025-01-08T00:00:01.000000Z');
`

// day returns a time on a day of January 2025, UTC.
func day(d, hour int) time.Time { return time.Date(2025, time.January, d, hour, 0, 0, 0, time.UTC) }

func timePtr(t time.Time) *time.Time { return &t }

// TestMigrateGolden applies the first migration only, seeds rows the way
// that schema's code wrote them, then opens the database again, which runs
// every later migration: the rows read back unchanged, and the queries that
// the later migrations serve answer over them.
func TestMigrateGolden(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "switchboard.db")

	old, err := open(ctx, path, firstMigration)
	if err != nil {
		t.Fatalf("open at %s: %v", firstMigration, err)
	}
	if got := slices.Sorted(maps.Keys(appliedMigrations(t, old))); !slices.Equal(got, []string{firstMigration}) {
		t.Fatalf("open at %s: got migrations %v applied, want only it", firstMigration, got)
	}
	if _, err := old.write.ExecContext(ctx, golden001); err != nil {
		t.Fatalf("seed the %s schema: %v", firstMigration, err)
	}
	if err := old.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open, migrating the seeded database: %v", err)
	}
	defer s.Close()
	if got, want := slices.Sorted(maps.Keys(appliedMigrations(t, s))), migrationVersions(t); !slices.Equal(got, want) {
		t.Errorf("after Open: got migrations %v applied, want %v", got, want)
	}

	wantProject := store.Project{
		ID: "p1", Name: "Golden", CallbackURLs: []string{"https://app.example.com/cb"}, RevealSecrets: true,
		CreatedAt: time.Date(2025, time.January, 2, 3, 4, 5, 123456000, time.UTC), UpdatedAt: day(3, 0),
	}
	if got, err := s.GetProject(ctx, "p1"); err != nil || !cmp.Equal(wantProject, got) {
		t.Errorf("GetProject(p1): got %+v, %v; want %+v", got, err, wantProject)
	}
	wantKey := store.APIKey{
		// 0004_keys_links_at_rest: existing keys are admin, and show at
		// most 4 characters.
		ID: "k1", ProjectID: "p1", Name: "ci", Prefix: "sb_k", Hash: []byte{0x00, 0xff, 0x10}, Scope: "admin",
		CreatedAt: day(2, 4), RevokedAt: timePtr(time.Date(2025, time.February, 1, 0, 0, 0, 0, time.UTC)),
	}
	if got, err := s.GetAPIKeyByHash(ctx, []byte{0x00, 0xff, 0x10}); err != nil || !cmp.Equal(wantKey, got) {
		t.Errorf("GetAPIKeyByHash: got %+v, %v; want %+v", got, err, wantKey)
	}
	wantConfig := store.AuthConfig{
		ID: "ac1", ProjectID: "p1", ToolkitSlug: "github", Name: "GitHub", Type: "custom", AuthScheme: "OAUTH2",
		Status: store.AuthConfigEnabled, Params: map[string]string{"client_id": "cid", "scopes": "repo"},
		SealedSecrets: []byte{0x01, 0x00, 0x0a}, IsEnabledForToolRouter: true, CreatedAt: day(2, 5), UpdatedAt: day(2, 5),
	}
	if got, err := s.GetAuthConfig(ctx, "p1", "ac1"); err != nil || !cmp.Equal(wantConfig, got) {
		t.Errorf("GetAuthConfig(ac1): got %+v, %v; want %+v", got, err, wantConfig)
	}

	account := func(id, user, status string, created int) store.Account {
		return store.Account{ID: id, ProjectID: "p1", UserID: user, ToolkitSlug: "github", AuthConfigID: "ac1",
			Status: status, CreatedAt: day(created, 0), UpdatedAt: day(created, 0)}
	}
	a1 := account("a1", "u1", store.StatusActive, 4)
	a1.Alias, a1.SealedCredentials, a1.TokenExpiresAt = "work", []byte{0x02, 0x00, 0x0b}, timePtr(day(10, 1))
	a1.Identity, a1.IdentityID, a1.ConnectedAt, a1.UpdatedAt = "octocat", "583231", timePtr(day(10, 0)), day(10, 0)
	a2 := account("a2", "u1", store.StatusActive, 5)
	a2.SealedCredentials, a2.ConnectedAt, a2.UpdatedAt = []byte{}, timePtr(day(9, 0)), day(9, 0)
	a3 := account("a3", "u1", store.StatusExpired, 6)
	a3.StatusReason, a3.Identity, a3.IdentityID = "token revoked", "octocat", "583231"
	a3.ConnectedAt, a3.UpdatedAt = timePtr(day(20, 0)), day(21, 0)
	a4 := account("a4", "u2", store.StatusActive, 7)
	a5 := account("a5", "u1", store.StatusInitiated, 8)
	for _, want := range []store.Account{a1, a2, a3, a4, a5} {
		if got, err := s.GetAccount(ctx, "p1", want.ID); err != nil || !cmp.Equal(want, got) {
			t.Errorf("GetAccount(%s): got %+v, %v; want %+v", want.ID, got, err, want)
		}
	}

	// 0004_keys_links_at_rest: the link is found by the SHA-256 of its
	// token, and, not yet called back, it forgets the OAuth state whose
	// verifier was sealed for the plaintext token.
	l1Hash := sha256.Sum256([]byte("l1"))
	wantLink := store.Link{
		TokenHash: hex.EncodeToString(l1Hash[:]), ProjectID: "p1", AccountID: "a5", SessionID: "s1",
		CallbackURL: "https://app.example.com/cb?x=1", ExpiresAt: time.Date(2025, time.January, 8, 0, 10, 0, 0, time.UTC),
		CreatedAt: day(8, 0),
	}
	if got, err := s.GetLink(ctx, wantLink.TokenHash); err != nil || !cmp.Equal(wantLink, got) {
		t.Errorf("GetLink(sha256(l1)): got %+v, %v; want %+v", got, err, wantLink)
	}
	if _, err := s.GetLinkByState(ctx, "abc123"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetLinkByState(abc123): got %v, want ErrNotFound", err)
	}
	if _, err := s.GetLink(ctx, "l1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetLink(l1), the plaintext token: got %v, want ErrNotFound", err)
	}
	wantSession := store.Session{
		ID: "s1", ProjectID: "p1", UserID: "u1", Config: []byte("{}"), ConfigVersion: 2,
		CreatedAt: day(8, 0), UpdatedAt: day(8, 0).Add(time.Second),
	}
	if got, err := s.GetSession(ctx, "p1", "s1"); err != nil || !cmp.Equal(wantSession, got) {
		t.Errorf("GetSession: got %+v, %v; want %+v", got, err, wantSession)
	}

	// 0002_accounts_user_toolkit serves these.
	latest := []struct {
		project, user string
		want          string // "" for ErrNotFound
	}{
		{"p1", "u1", "a1"}, // a3 connected later but is EXPIRED
		{"p1", "u2", "a4"}, // never connected, but ACTIVE
		{"p2", "u1", "x1"},
		{"p1", "u3", ""},
	}
	for _, tt := range latest {
		got, err := s.DefaultAccount(ctx, tt.project, tt.user, "github")
		if tt.want == "" {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DefaultAccount(%s, %s): got %q, %v; want ErrNotFound", tt.project, tt.user, got.ID, err)
			}
			continue
		}
		if err != nil || got.ID != tt.want {
			t.Errorf("DefaultAccount(%s, %s): got %q, %v; want %q", tt.project, tt.user, got.ID, err, tt.want)
		}
	}
	page, err := s.ListAccounts(ctx, "p1", store.AccountFilter{UserIDs: []string{"u1"}, ToolkitSlugs: []string{"github"}, Limit: 2})
	if err != nil {
		t.Fatalf("ListAccounts: %v", err)
	}
	if got, want := accountIDs(page.Items), []string{"a5", "a3"}; !slices.Equal(got, want) || page.Total != 4 {
		t.Errorf("ListAccounts(u1, github): got %v of %d, want %v of 4", got, page.Total, want)
	}
}

// migrationVersions returns the versions of the embedded migrations, in
// order.
func migrationVersions(t *testing.T) []string {
	t.Helper()
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("list migrations: %v, %d files", err, len(files))
	}
	var vs []string
	for _, f := range files {
		vs = append(vs, strings.TrimSuffix(filepath.Base(f), ".sql"))
	}
	return vs
}

func accountIDs(as []store.Account) []string {
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

// TestMigrateStopsAtVersion checks the test hook: open applies the
// migrations up to the one named, and refuses a name that is none.
func TestMigrateStopsAtVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "switchboard.db")
	if s, err := open(t.Context(), path, "0000_missing"); err == nil {
		s.Close()
		t.Errorf("open at a missing migration: got nil error, want one")
	}
	s, err := open(t.Context(), path, firstMigration)
	if err != nil {
		t.Fatalf("open at %s: %v", firstMigration, err)
	}
	defer s.Close()
	var n int
	err = s.read.QueryRowContext(t.Context(),
		`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'accounts_user_toolkit'`).Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("open at %s: got %d accounts_user_toolkit indexes (%v), want none yet", firstMigration, n, err)
	}
}
