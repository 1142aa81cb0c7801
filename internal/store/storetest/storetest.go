package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// Run runs the conformance suite against the backend that newStore opens.
// Each subtest calls newStore once and must get a fresh, empty store; newStore
// arranges for the store to be closed, typically with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"Ping", testPing},
		{"Projects", testProjects},
		{"APIKeys", testAPIKeys},
		{"AuthConfigs", testAuthConfigs},
		{"ListAuthConfigsFilters", testListAuthConfigsFilters},
		{"ListAuthConfigsCursor", testListAuthConfigsCursor},
		{"DeleteAuthConfigDeletesAccounts", testDeleteAuthConfigDeletesAccounts},
		{"CountAccounts", testCountAccounts},
		{"Accounts", testAccounts},
		{"AccountAliases", testAccountAliases},
		{"ListAccountsFilters", testListAccountsFilters},
		{"ListAccountsOrders", testListAccountsOrders},
		{"ListAccountsCursor", testListAccountsCursor},
		{"ListAccountsCursorTies", testListAccountsCursorTies},
		{"DefaultAccount", testDefaultAccount},
		{"AccountIdentityFields", testAccountIdentityFields},
		{"DefaultMark", testDefaultMark},
		{"ListAccountsByIdentity", testListAccountsByIdentity},
		{"ClaimProbes", testClaimProbes},
		{"InvalidListArguments", testInvalidListArguments},
		{"InvalidText", testInvalidText},
		{"FailStaleAccounts", testFailStaleAccounts},
		{"AccountChanges", testAccountChanges},
		{"LockAccount", testLockAccount},
		{"Links", testLinks},
		{"PendingLink", testPendingLink},
		{"Sessions", testSessions},
		{"ConcurrentSessions", testConcurrentSessions},
		{"CustomToolkits", testCustomToolkits},
		{"ExecutionLogs", testExecutionLogs},
		{"ExecutionLogBatches", testExecutionLogBatches},
		{"Audit", testAudit},
		{"AuditInTransaction", testAuditInTransaction},
		{"UTCRoundTrip", testUTCRoundTrip},
		{"SubMicrosecondTimes", testSubMicrosecondTimes},
		{"APIKeyHashBytes", testAPIKeyHashBytes},
		{"VaultChecks", testVaultChecks},
		{"RateWindows", testRateWindows},
		{"Tenancy", testTenancy},
		{"TenancyReferences", testTenancyReferences},
		{"WebhookSubscriptions", testWebhookSubscriptions},
		{"OutboxAccountEvents", testOutboxAccountEvents},
		{"OutboxLinkExpired", testOutboxLinkExpired},
		{"OutboxDeliveries", testOutboxDeliveries},
		{"OutboxParallelClaims", testOutboxParallelClaims},
		{"OutboxAuthConfigDelete", testOutboxAuthConfigDelete},
		{"OutboxHealthEvents", testOutboxHealthEvents},
		{"WarnExpiring", testWarnExpiring},
		{"DeleteEvents", testDeleteEvents},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newStore(t))
		})
	}
	// These run once per kind of record, each kind on a fresh store.
	forEach(t, "UpdateAbort", counterRecords, newStore, testUpdateAbort)
	forEach(t, "UpdateMissing", counterRecords, newStore, testUpdateMissing)
	forEach(t, "UpdateParallel", counterRecords, newStore, testUpdateParallel)
	forEach(t, "Ciphertext", sealedFields, newStore, testCiphertext)
}

// named is a table entry with a subtest name.
type named interface{ subtestName() string }

// forEach runs the subtest group with a subtest per item, each on a fresh
// store.
func forEach[T named](t *testing.T, group string, items []T, newStore func(t *testing.T) store.Store, run func(t *testing.T, s store.Store, item T)) {
	t.Run(group, func(t *testing.T) {
		for _, item := range items {
			t.Run(item.subtestName(), func(t *testing.T) {
				run(t, newStore(t), item)
			})
		}
	})
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: got %v, want nil", err)
	}
}

// t0 is the suite's epoch. It has microsecond precision, the precision every
// backend keeps, so stored times compare equal.
var t0 = time.Date(2025, time.March, 14, 15, 9, 26, 535897000, time.UTC)

// at returns t0 plus the given number of minutes.
func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

func ptr[T any](v T) *T { return &v }

// errAbort is what update functions return to abort an update.
var errAbort = errors.New("storetest: abort")

// waitTimeout bounds every wait for another goroutine or for a notification.
// It only keeps a broken backend from hanging the suite; no test asserts on
// how long anything takes.
const waitTimeout = 10 * time.Second

// equateEmpty treats nil and empty maps and slices as equal, except byte
// slices: for ciphertext, nil (no credentials) and empty are different values.
var equateEmpty = cmp.FilterValues(func(x, y any) bool {
	vx, vy := reflect.ValueOf(x), reflect.ValueOf(y)
	if !vx.IsValid() || !vy.IsValid() || vx.Type() != vy.Type() {
		return false
	}
	switch vx.Kind() {
	case reflect.Map:
	case reflect.Slice:
		if vx.Type().Elem().Kind() == reflect.Uint8 {
			return false
		}
	default:
		return false
	}
	return vx.Len() == 0 && vy.Len() == 0
}, cmp.Comparer(func(_, _ any) bool { return true }))

// diff reports the difference between want and got, or "" if they are equal.
// Times compare with time.Time.Equal, so the location does not matter here;
// testUTCRoundTrip checks locations.
func diff(want, got any) string { return cmp.Diff(want, got, equateEmpty) }

// Fixtures. Each returns a valid record; callers change what they need.

func newProject(id string) store.Project {
	return store.Project{
		ID:            id,
		Name:          "Project " + id,
		CallbackURLs:  []string{"https://app.example.com/callback", "http://localhost:3000/"},
		RevealSecrets: false,
		CreatedAt:     at(0),
		UpdatedAt:     at(0),
	}
}

func newAPIKey(projectID, id string) store.APIKey {
	return store.APIKey{
		ID:        id,
		ProjectID: projectID,
		Name:      "key " + id,
		Prefix:    "sb_" + id,
		Hash:      []byte("hash of " + projectID + "/" + id),
		Scope:     "admin",
		CreatedAt: at(1),
	}
}

func newAuthConfig(projectID, id, toolkit string, created time.Time) store.AuthConfig {
	return store.AuthConfig{
		ID:          id,
		ProjectID:   projectID,
		ToolkitSlug: toolkit,
		Name:        toolkit + " " + id,
		Type:        "default",
		AuthScheme:  "OAUTH2",
		Status:      store.AuthConfigEnabled,
		Params: map[string]string{
			"client_id": "client-" + id,
			"scopes":    "repo read:user",
		},
		SealedSecrets:          []byte{0x01, 0x00, 0xff, 's', 'e', 'a', 'l'},
		IsEnabledForToolRouter: true,
		CreatedAt:              created,
		UpdatedAt:              created,
	}
}

func newAccount(projectID, id string, c store.AuthConfig, userID string, created time.Time) store.Account {
	return store.Account{
		ID:                id,
		ProjectID:         projectID,
		UserID:            userID,
		ToolkitSlug:       c.ToolkitSlug,
		AuthConfigID:      c.ID,
		Status:            store.StatusActive,
		SealedCredentials: []byte{0x02, 0x00, 0x80, 'c', 'r', 'e', 'd'},
		TokenExpiresAt:    ptr(created.Add(time.Hour)),
		Identity:          userID + "@example.com",
		IdentityID:        "upstream-" + id,
		ConnectedAt:       ptr(created),
		CreatedAt:         created,
		UpdatedAt:         created,
	}
}

// newLink makes a link keyed by tokenHash; the store treats the hash as an
// opaque key, so tests pass readable ones.
func newLink(projectID, tokenHash, accountID string, created, expires time.Time) store.Link {
	return store.Link{
		TokenHash:   tokenHash,
		SealedToken: []byte("sealed:" + tokenHash),
		ProjectID:   projectID,
		AccountID:   accountID,
		CallbackURL: "https://app.example.com/callback?x=1",
		ExpiresAt:   expires,
		CreatedAt:   created,
	}
}

func newSession(projectID, id, userID string) store.Session {
	return store.Session{
		ID:            id,
		ProjectID:     projectID,
		UserID:        userID,
		Config:        []byte(`{"toolkits":["github"]}`),
		ConfigVersion: 1,
		CreatedAt:     at(2),
		UpdatedAt:     at(2),
	}
}

// Creation helpers fail the test on error.

func mustCreateProject(t *testing.T, s store.Store, p store.Project) store.Project {
	t.Helper()
	if err := s.CreateProject(t.Context(), p); err != nil {
		t.Fatalf("CreateProject(%q): %v", p.ID, err)
	}
	return p
}

func mustCreateAPIKey(t *testing.T, s store.Store, k store.APIKey) store.APIKey {
	t.Helper()
	if err := s.CreateAPIKey(t.Context(), k); err != nil {
		t.Fatalf("CreateAPIKey(%q): %v", k.ID, err)
	}
	return k
}

func mustCreateAuthConfig(t *testing.T, s store.Store, c store.AuthConfig) store.AuthConfig {
	t.Helper()
	if err := s.CreateAuthConfig(t.Context(), c); err != nil {
		t.Fatalf("CreateAuthConfig(%q): %v", c.ID, err)
	}
	return c
}

func mustCreateAccount(t *testing.T, s store.Store, a store.Account) store.Account {
	t.Helper()
	if err := s.CreateAccount(t.Context(), a); err != nil {
		t.Fatalf("CreateAccount(%q): %v", a.ID, err)
	}
	return a
}

func mustCreateLink(t *testing.T, s store.Store, l store.Link) store.Link {
	t.Helper()
	if err := s.CreateLink(t.Context(), l); err != nil {
		t.Fatalf("CreateLink(%q): %v", l.TokenHash, err)
	}
	return l
}

func mustCreateSession(t *testing.T, s store.Store, sess store.Session) store.Session {
	t.Helper()
	if err := s.CreateSession(t.Context(), sess); err != nil {
		t.Fatalf("CreateSession(%q): %v", sess.ID, err)
	}
	return sess
}

// mustGetAccount returns the account or fails the test.
func mustGetAccount(t *testing.T, s store.Store, projectID, id string) store.Account {
	t.Helper()
	a, err := s.GetAccount(t.Context(), projectID, id)
	if err != nil {
		t.Fatalf("GetAccount(%q, %q): %v", projectID, id, err)
	}
	return a
}

// wantErr fails the test unless errors.Is(err, want).
func wantErr(t *testing.T, call string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v", call, err, want)
	}
}

// wantNoErr fails the test now if err is not nil.
func wantNoErr(t *testing.T, call string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: got error %v, want nil", call, err)
	}
}

// accountIDs returns the ids of accounts, in order.
func accountIDs(as []store.Account) []string {
	ids := make([]string, 0, len(as))
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

// authConfigIDs returns the ids of configs, in order.
func authConfigIDs(cs []store.AuthConfig) []string {
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// walkPages lists every page of a list, following NextCursor, and checks the
// page invariants on the way: every page but the last is full, the last has
// an empty NextCursor, and Total is the same on every page. It returns the
// items of all pages in order.
func walkPages[T any](t *testing.T, wantTotal, limit int, list func(cursor string) (store.Page[T], error)) []T {
	t.Helper()
	var all []T
	cursor := ""
	for pageNo := 1; ; pageNo++ {
		if pageNo > wantTotal+2 {
			t.Fatalf("page %d: still not at the end after %d items; the cursor does not advance", pageNo, len(all))
		}
		page, err := list(cursor)
		if err != nil {
			t.Fatalf("page %d: list: %v", pageNo, err)
		}
		if page.Total != wantTotal {
			t.Errorf("page %d: got Total %d, want %d", pageNo, page.Total, wantTotal)
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			if len(all) != wantTotal {
				t.Errorf("page %d is the last: got %d items in all, want %d", pageNo, len(all), wantTotal)
			}
			if len(page.Items) > limit {
				t.Errorf("page %d: got %d items, want at most %d", pageNo, len(page.Items), limit)
			}
			return all
		}
		if len(page.Items) != limit {
			t.Errorf("page %d has a NextCursor: got %d items, want a full page of %d", pageNo, len(page.Items), limit)
		}
		if len(all) >= wantTotal {
			t.Errorf("page %d: got NextCursor %q after all %d items, want empty on the last page", pageNo, page.NextCursor, wantTotal)
		}
		cursor = page.NextCursor
	}
}

// duplicates returns the ids that occur more than once.
func duplicates(ids []string) []string {
	seen := map[string]bool{}
	var dup []string
	for _, id := range ids {
		if seen[id] && !slices.Contains(dup, id) {
			dup = append(dup, id)
		}
		seen[id] = true
	}
	return dup
}

// recvIDs reads ids from ch until it has seen every id in want, and fails the
// test if ch closes or waitTimeout passes first. Other ids are ignored:
// delivery is best effort and may include ids of unrelated changes.
func recvIDs(t *testing.T, ch <-chan string, want ...string) {
	t.Helper()
	missing := map[string]bool{}
	for _, id := range want {
		missing[id] = true
	}
	timeout := time.NewTimer(waitTimeout)
	defer timeout.Stop()
	for len(missing) > 0 {
		select {
		case id, ok := <-ch:
			if !ok {
				t.Fatalf("AccountChanges channel closed; still waiting for %v", keys(missing))
			}
			delete(missing, id)
		case <-timeout.C:
			t.Fatalf("AccountChanges: got no notification for %v within %v, want one for each", keys(missing), waitTimeout)
		}
	}
}

func keys(m map[string]bool) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// withTimeout returns a context that ends after waitTimeout.
func withTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// name formats a subtest name from parts.
func name(parts ...any) string { return fmt.Sprint(parts...) }
