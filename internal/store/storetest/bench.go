package storetest

import (
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// The default-account benchmark's data: BenchAccountCount accounts, most of
// them of BenchUsers users of project BenchProject across BenchToolkits, the
// rest in two other projects with the same user ids, so that a lookup that
// ignored the project would find them. Backends fill a store with it in bulk
// and hand it to BenchDefaultAccount.
const (
	BenchProject      = "bench"
	BenchUsers        = 100_000
	BenchAccountCount = 1_000_000
	// BenchDataVersion changes whenever the data below does, so that
	// backends that keep a filled database between runs fill a new one.
	BenchDataVersion = "1"

	// benchMainAccounts are BenchProject's: three or four per user and
	// toolkit. The others are benchOtherAccounts per other project.
	benchMainAccounts  = 950_000
	benchOtherAccounts = 25_000
)

// BenchToolkits are the toolkits of the benchmark's accounts.
var BenchToolkits = []string{"github", "gmail", "slack"}

// benchOtherProjects hold the accounts outside BenchProject.
var benchOtherProjects = []string{"bench-other-1", "bench-other-2"}

// benchEpoch is the creation time of the first benchmark account.
var benchEpoch = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

// benchSealed stands for sealed credentials, about as long as a vault blob
// of an OAuth token pair; every account shares it.
var benchSealed = func() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

// BenchProjects returns the projects of the benchmark data.
func BenchProjects() []store.Project {
	var ps []store.Project
	for _, id := range append([]string{BenchProject}, benchOtherProjects...) {
		ps = append(ps, store.Project{ID: id, Name: id, CreatedAt: benchEpoch, UpdatedAt: benchEpoch})
	}
	return ps
}

// BenchAuthConfigs returns the auth configs of the benchmark data: one per
// project and toolkit.
func BenchAuthConfigs() []store.AuthConfig {
	var cs []store.AuthConfig
	for _, p := range BenchProjects() {
		for _, k := range BenchToolkits {
			cs = append(cs, store.AuthConfig{
				ID: benchAuthConfigID(p.ID, k), ProjectID: p.ID, ToolkitSlug: k, Name: k,
				Type: "default", AuthScheme: "OAUTH2", Status: store.AuthConfigEnabled,
				CreatedAt: benchEpoch, UpdatedAt: benchEpoch,
			})
		}
	}
	return cs
}

func benchAuthConfigID(projectID, toolkit string) string { return "ac-" + projectID + "-" + toolkit }

// BenchUserID returns the id of user n of the benchmark data.
func BenchUserID(n int) string { return fmt.Sprintf("user-%06d", n) }

// benchAccountID returns the id of the nth account the data yields. Ids
// sort in that order, so bulk loads append to the id indexes.
func benchAccountID(n int) string { return fmt.Sprintf("acct-%07d", n) }

// BenchAccounts yields the BenchAccountCount accounts of the benchmark data,
// always the same, in id order. BenchProject's come first, user by user and
// toolkit by toolkit. Statuses are mixed: about 55% ACTIVE (a few of them
// never connected), 15% EXPIRED, 10% each INACTIVE, FAILED and INITIATED.
func BenchAccounts() iter.Seq[store.Account] {
	return func(yield func(store.Account) bool) {
		rng := rand.New(rand.NewPCG(20250314, 1))
		n := 0
		emit := func(projectID, userID, toolkit, alias string) bool {
			created := benchEpoch.Add(time.Duration(n) * 30 * time.Second)
			a := store.Account{
				ID: benchAccountID(n), ProjectID: projectID, UserID: userID, ToolkitSlug: toolkit,
				AuthConfigID: benchAuthConfigID(projectID, toolkit), Alias: alias,
				CreatedAt: created, UpdatedAt: created,
			}
			n++
			switch r := rng.IntN(100); {
			case r < 55:
				a.Status = store.StatusActive
			case r < 70:
				a.Status, a.StatusReason = store.StatusExpired, "refresh token revoked"
			case r < 80:
				a.Status = store.StatusInactive
			case r < 90:
				a.Status, a.StatusReason = store.StatusFailed, "access denied"
			default:
				a.Status = store.StatusInitiated
			}
			if a.Status != store.StatusFailed && a.Status != store.StatusInitiated && rng.IntN(50) != 0 {
				connected := created.Add(time.Duration(rng.Int64N(int64(7 * 24 * time.Hour))))
				expires := connected.Add(time.Hour)
				a.ConnectedAt, a.TokenExpiresAt = &connected, &expires
				a.SealedCredentials = benchSealed
				a.Identity, a.IdentityID = userID+"@example.com", fmt.Sprint(1_000_000+n)
				a.UpdatedAt = connected.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
			}
			return yield(a)
		}
		pair := 0
		for u := range BenchUsers {
			for _, k := range BenchToolkits {
				// 3 accounts for five pairs in six, 4 for the sixth:
				// 950,000 in all.
				count := 3
				if pair%6 == 0 {
					count = 4
				}
				for i := range count {
					alias := ""
					if i == 0 && u%10 == 0 {
						alias = "work"
					}
					if !emit(BenchProject, BenchUserID(u), k, alias) {
						return
					}
				}
				pair++
			}
		}
		for _, p := range benchOtherProjects {
			for i := range benchOtherAccounts {
				if !emit(p, BenchUserID(i/2), BenchToolkits[0], "") {
					return
				}
			}
		}
	}
}

// BenchDefaultAccount measures, on a store filled with the benchmark data,
// the default-account lookup (DefaultAccount) of random users and
// toolkits of BenchProject against GetAccount of random accounts of it, a
// primary-key lookup. Each iteration makes one call of each, in alternating
// order, and times them apart; it also times the list MostRecent used to run
// (ListAccounts with a count). It reports each call's mean time and the
// ratio of each to GetAccount's: x_pk is DefaultAccount's.
func BenchDefaultAccount(b *testing.B, s store.Store) {
	ctx := b.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	pk := func() error {
		_, err := s.GetAccount(ctx, BenchProject, benchAccountID(rng.IntN(benchMainAccounts)))
		return err
	}
	var found int
	latest := func() error {
		_, err := s.DefaultAccount(ctx, BenchProject, BenchUserID(rng.IntN(BenchUsers)), BenchToolkits[rng.IntN(len(BenchToolkits))])
		if err == nil {
			found++
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	list := func() error {
		_, err := s.ListAccounts(ctx, BenchProject, store.AccountFilter{
			UserIDs:      []string{BenchUserID(rng.IntN(BenchUsers))},
			ToolkitSlugs: []string{BenchToolkits[rng.IntN(len(BenchToolkits))]},
			Statuses:     []string{store.StatusActive},
			OrderBy:      store.OrderConnectedAt,
			Limit:        1,
		})
		return err
	}
	calls := []struct {
		name string
		fn   func() error
		took time.Duration
	}{{"GetAccount", pk, 0}, {"DefaultAccount", latest, 0}, {"ListAccounts", list, 0}}

	// Warm the connections and prepared statements of every call.
	for range 100 {
		for _, c := range calls {
			if err := c.fn(); err != nil {
				b.Fatalf("%s: %v", c.name, err)
			}
		}
	}
	found = 0

	n := 0
	for b.Loop() {
		for j := range calls {
			c := &calls[(n+j)%len(calls)]
			start := time.Now()
			err := c.fn()
			c.took += time.Since(start)
			if err != nil {
				b.Fatalf("%s: %v", c.name, err)
			}
		}
		n++
	}
	perCall := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n) }
	b.ReportMetric(perCall(calls[0].took), "pk_ns")
	b.ReportMetric(perCall(calls[1].took), "latest_ns")
	b.ReportMetric(perCall(calls[2].took), "list_ns")
	b.ReportMetric(float64(calls[1].took)/float64(calls[0].took), "x_pk")
	b.ReportMetric(float64(calls[2].took)/float64(calls[0].took), "list_x_pk")
	b.ReportMetric(float64(found)/float64(n), "found")
}
