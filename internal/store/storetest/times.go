package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

var (
	zoneEast = time.FixedZone("UTC+05:30", 5*3600+30*60)
	zoneWest = time.FixedZone("UTC-07:00", -7*3600)
)

// checkUTC fails the test for every time.Time or *time.Time field of v
// (a struct, or a slice of structs) whose location is not time.UTC.
func checkUTC(t *testing.T, what string, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		for i := range rv.Len() {
			checkUTC(t, what, rv.Index(i).Interface())
		}
		return
	}
	timeType := reflect.TypeFor[time.Time]()
	for i := range rv.NumField() {
		f := rv.Field(i)
		field := rv.Type().Field(i).Name
		if f.Kind() == reflect.Pointer && f.Type().Elem() == timeType {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		if f.Type() != timeType {
			continue
		}
		if loc := f.Interface().(time.Time).Location(); loc != time.UTC {
			t.Errorf("%s: got %s in location %q, want UTC", what, field, loc)
		}
	}
}

// testUTCRoundTrip stores times given in other zones and checks that every
// read returns the same instants in UTC.
func testUTCRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	east := func(minutes int) time.Time { return at(minutes).In(zoneEast) }
	west := func(minutes int) time.Time { return at(minutes).In(zoneWest) }

	p := newProject("p1")
	p.CreatedAt, p.UpdatedAt = east(1), west(2)
	mustCreateProject(t, s, p)

	k := newAPIKey("p1", "k1")
	k.CreatedAt = east(3)
	mustCreateAPIKey(t, s, k)
	wantNoErr(t, "RevokeAPIKey", s.RevokeAPIKey(ctx, "p1", "k1", west(4)))
	k.RevokedAt = ptr(at(4))

	c := newAuthConfig("p1", "ac1", "github", east(5))
	c.UpdatedAt = west(6)
	mustCreateAuthConfig(t, s, c)

	a := newAccount("p1", "a1", c, "u1", west(7))
	a.UpdatedAt = east(8)
	a.TokenExpiresAt = ptr(west(9))
	a.ConnectedAt = ptr(east(10))
	mustCreateAccount(t, s, a)

	l := newLink("p1", "tok", "a1", east(11), west(12))
	l.StateHash = "abc"
	l.StateExpiresAt = ptr(east(13))
	l.CompletedAt = ptr(west(14))
	mustCreateLink(t, s, l)

	sess := newSession("p1", "s1", "u1")
	sess.CreatedAt, sess.UpdatedAt = west(15), east(16)
	mustCreateSession(t, s, sess)

	check := func(what string, want, got any) {
		t.Helper()
		if d := diff(want, got); d != "" {
			t.Errorf("%s: instants changed (-want +got):\n%s", what, d)
		}
		checkUTC(t, what, got)
	}

	gotP, err := s.GetProject(ctx, "p1")
	wantNoErr(t, "GetProject", err)
	check("GetProject", p, gotP)
	projects, err := s.ListProjects(ctx)
	wantNoErr(t, "ListProjects", err)
	check("ListProjects", []store.Project{p}, projects)
	gotP, err = s.UpdateProject(ctx, "p1", func(p store.Project) (store.Project, error) {
		p.UpdatedAt = west(17)
		return p, nil
	})
	wantNoErr(t, "UpdateProject", err)
	p.UpdatedAt = west(17)
	check("UpdateProject", p, gotP)

	gotK, err := s.GetAPIKeyByHash(ctx, k.Hash)
	wantNoErr(t, "GetAPIKeyByHash", err)
	check("GetAPIKeyByHash", k, gotK)
	keys, err := s.ListAPIKeys(ctx, "p1")
	wantNoErr(t, "ListAPIKeys", err)
	check("ListAPIKeys", []store.APIKey{k}, keys)

	gotC, err := s.GetAuthConfig(ctx, "p1", "ac1")
	wantNoErr(t, "GetAuthConfig", err)
	check("GetAuthConfig", c, gotC)
	configs, err := s.ListAuthConfigs(ctx, "p1", store.AuthConfigFilter{})
	wantNoErr(t, "ListAuthConfigs", err)
	check("ListAuthConfigs", []store.AuthConfig{c}, configs.Items)
	gotC, err = s.UpdateAuthConfig(ctx, "p1", "ac1", func(c store.AuthConfig) (store.AuthConfig, error) {
		c.UpdatedAt = east(18)
		return c, nil
	})
	wantNoErr(t, "UpdateAuthConfig", err)
	c.UpdatedAt = east(18)
	check("UpdateAuthConfig", c, gotC)

	check("GetAccount", a, mustGetAccount(t, s, "p1", "a1"))
	for _, orderBy := range accountOrders {
		accounts, err := s.ListAccounts(ctx, "p1", store.AccountFilter{OrderBy: orderBy})
		wantNoErr(t, "ListAccounts", err)
		check("ListAccounts by "+orderBy, []store.Account{a}, accounts.Items)
	}
	gotA, err := s.UpdateAccount(ctx, "p1", "a1", func(a store.Account) (store.Account, error) {
		a.UpdatedAt = west(19)
		a.TokenExpiresAt = ptr(east(20))
		a.ConnectedAt = ptr(west(21))
		return a, nil
	})
	wantNoErr(t, "UpdateAccount", err)
	a.UpdatedAt = west(19)
	a.TokenExpiresAt = ptr(east(20))
	a.ConnectedAt = ptr(west(21))
	check("UpdateAccount", a, gotA)

	gotL, err := s.GetLink(ctx, "tok")
	wantNoErr(t, "GetLink", err)
	check("GetLink", l, gotL)
	gotL, err = s.GetLinkByState(ctx, "abc")
	wantNoErr(t, "GetLinkByState", err)
	check("GetLinkByState", l, gotL)
	gotL, err = s.UpdateLink(ctx, "tok", func(l store.Link) (store.Link, error) {
		l.ExpiresAt = east(22)
		return l, nil
	})
	wantNoErr(t, "UpdateLink", err)
	l.ExpiresAt = east(22)
	check("UpdateLink", l, gotL)

	gotS, err := s.GetSession(ctx, "p1", "s1")
	wantNoErr(t, "GetSession", err)
	check("GetSession", sess, gotS)
	gotS, err = s.UpdateSession(ctx, "p1", "s1", func(sess store.Session) (store.Session, error) {
		sess.UpdatedAt = west(23)
		return sess, nil
	})
	wantNoErr(t, "UpdateSession", err)
	sess.UpdatedAt = west(23)
	check("UpdateSession", sess, gotS)

	// FailStaleAccounts takes now in any zone too.
	pending := newAccount("p1", "a2", c, "u2", east(30))
	pending.Status = store.StatusInitiated
	pending.ConnectedAt = nil
	mustCreateAccount(t, s, pending)
	mustCreateLink(t, s, newLink("p1", "tok2", "a2", east(30), west(31)))
	n, err := s.FailStaleAccounts(ctx, east(32), east(0), "expired")
	wantNoErr(t, "FailStaleAccounts", err)
	if n != 1 {
		t.Errorf("FailStaleAccounts with now in another zone: got %d moved, want 1", n)
	}
	failed := mustGetAccount(t, s, "p1", "a2")
	checkUTC(t, "GetAccount after FailStaleAccounts", failed)
	if !failed.UpdatedAt.Equal(at(32)) {
		t.Errorf("FailStaleAccounts: got UpdatedAt %v, want %v", failed.UpdatedAt, at(32))
	}
}

// testSubMicrosecondTimes stores times with nanoseconds. Backends keep at
// least microseconds, so what comes back is within a microsecond.
func testSubMicrosecondTimes(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	c := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(0)))
	nanos := func(minutes int) time.Time { return at(minutes).Add(789 * time.Nanosecond).In(zoneEast) }

	a := newAccount("p1", "a1", c, "u1", nanos(1))
	a.UpdatedAt = nanos(2)
	a.TokenExpiresAt = ptr(nanos(3))
	a.ConnectedAt = ptr(nanos(4))
	mustCreateAccount(t, s, a)
	l := newLink("p1", "tok", "a1", nanos(5), nanos(6))
	mustCreateLink(t, s, l)

	near := func(what string, want, got time.Time) {
		t.Helper()
		if d := got.Sub(want); d <= -time.Microsecond || d >= time.Microsecond {
			t.Errorf("%s: got %v, want %v to within a microsecond", what, got, want)
		}
		if got.Location() != time.UTC {
			t.Errorf("%s: got location %q, want UTC", what, got.Location())
		}
	}
	got := mustGetAccount(t, s, "p1", "a1")
	near("Account.CreatedAt", a.CreatedAt, got.CreatedAt)
	near("Account.UpdatedAt", a.UpdatedAt, got.UpdatedAt)
	if got.TokenExpiresAt == nil || got.ConnectedAt == nil {
		t.Fatalf("got TokenExpiresAt %v, ConnectedAt %v; want both set", got.TokenExpiresAt, got.ConnectedAt)
	}
	near("Account.TokenExpiresAt", *a.TokenExpiresAt, *got.TokenExpiresAt)
	near("Account.ConnectedAt", *a.ConnectedAt, *got.ConnectedAt)

	gotL, err := s.GetLink(ctx, "tok")
	wantNoErr(t, "GetLink", err)
	near("Link.CreatedAt", l.CreatedAt, gotL.CreatedAt)
	near("Link.ExpiresAt", l.ExpiresAt, gotL.ExpiresAt)
}
