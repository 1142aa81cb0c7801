package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// TestProberTwoInstances runs the background prober in two instances on
// one PostgreSQL database: every stale account is probed once, by one of
// them, in a round, as the upstream counts the identity requests of each
// account's key. There are more stale accounts than one instance claims
// in a round (50), so the instances' rounds overlap on them.
func TestProberTwoInstances(t *testing.T) {
	cat, err := toolkits.Load(keyIdentityCatalog)
	if err != nil {
		t.Fatal(err)
	}
	dsn := postgrestest.URL(t)
	up := newKeyUpstream(t)
	o := serverOptions{DatabaseURL: dsn, Catalog: cat, ProbeInterval: 10 * time.Second, ProbeStale: time.Hour}
	a, b := startServer(t, o), startServer(t, o)

	status, body := call(t, a, testKey, "POST", "/api/v3.1/auth_configs",
		`{"toolkit":{"slug":"keyid"},"auth_config":{"type":"use_custom_auth","authScheme":"API_KEY","credentials":{"base_url":"`+up.URL+`/v1"}}}`)
	if status != 201 {
		t.Fatalf("create auth config: %d %s", status, body)
	}
	var created struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	json.Unmarshal([]byte(body), &created)

	const accounts = 120
	ids := make([]string, accounts)
	for i := range accounts {
		// Half through each instance; each key is a person of its own.
		s := []*server{a, b}[i%2]
		status, body := call(t, s, testKey, "POST", "/api/v3.1/connected_accounts",
			fmt.Sprintf(`{"auth_config":{"id":"%s"},"connection":{"user_id":"user_%d","state":{"authScheme":"API_KEY","val":{"api_key":"k-user-%d"}}}}`, created.AuthConfig.ID, i, i))
		if status != 201 {
			t.Fatalf("create account %d: %d %s", i, status, body)
		}
		var ca accountJSON
		json.Unmarshal([]byte(body), &ca)
		ids[i] = ca.ID
	}
	for i := range accounts {
		if n := up.count(fmt.Sprintf("k-user-%d", i)); n != 1 {
			t.Fatalf("identity requests of k-user-%d after connecting: %d, want 1", i, n)
		}
	}

	// Every account's verification is two hours old, so stale for both
	// instances' probers.
	ctx := ctxT(t)
	project := defaultProject(t, a)
	old := time.Now().Add(-2 * time.Hour).UTC()
	for _, id := range ids {
		if _, err := a.App.Store.UpdateAccount(ctx, project, id, func(x store.Account) (store.Account, error) {
			x.VerifiedAt = &old
			return x, nil
		}); err != nil {
			t.Fatal(err)
		}
	}

	// Wait for the round(s) to reach every account: each key is then
	// probed exactly once more.
	deadline := time.Now().Add(90 * time.Second)
	for {
		done := 0
		for i := range accounts {
			if up.count(fmt.Sprintf("k-user-%d", i)) >= 2 {
				done++
			}
		}
		if done == accounts {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 90 s the probers had checked %d of %d stale accounts", done, accounts)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Give a second, overlapping claim the time to show itself.
	time.Sleep(2 * time.Second)
	for i := range accounts {
		if n := up.count(fmt.Sprintf("k-user-%d", i)); n != 2 {
			t.Errorf("k-user-%d: %d identity requests, want 2 (the connection and one probe)", i, n)
		}
	}
}
