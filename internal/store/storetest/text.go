package storetest

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// badTexts are strings no backend can keep as text: PostgreSQL refuses NUL
// in text columns and SQLite would store both and hand back bytes that are
// not a string.
var badTexts = map[string]string{
	"NUL":           "user\x00one",
	"invalid UTF-8": "user\xff\xfeone",
}

// testInvalidText: every write of a record holding bad text and every
// lookup by bad text is ErrInvalid, on every backend alike, and a refused
// write changes nothing.
func testInvalidText(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := mustCreateProject(t, s, newProject("p1"))
	ac := mustCreateAuthConfig(t, s, newAuthConfig(p.ID, "ac1", "github", at(1)))
	acct := mustCreateAccount(t, s, newAccount(p.ID, "ca1", ac, "u1", at(2)))
	sess := mustCreateSession(t, s, newSession(p.ID, "s1", "u1"))

	for name, bad := range badTexts {
		t.Run(name, func(t *testing.T) {
			proj := newProject("p-bad")
			proj.Name = bad
			wantErr(t, "CreateProject", s.CreateProject(ctx, proj), store.ErrInvalid)
			_, err := s.GetProject(ctx, bad)
			wantErr(t, "GetProject", err, store.ErrInvalid)

			c := newAuthConfig(p.ID, "ac-bad", "github", at(3))
			c.Params["subdomain"] = bad
			wantErr(t, "CreateAuthConfig with a bad parameter", s.CreateAuthConfig(ctx, c), store.ErrInvalid)
			_, err = s.GetAuthConfig(ctx, p.ID, "ac-bad")
			wantErr(t, "GetAuthConfig of the refused config", err, store.ErrNotFound)

			a := newAccount(p.ID, "ca-bad", ac, bad, at(3))
			wantErr(t, "CreateAccount with a bad user id", s.CreateAccount(ctx, a), store.ErrInvalid)
			a = newAccount(p.ID, "ca-bad", ac, "u1", at(3))
			a.Alias = bad
			wantErr(t, "CreateAccount with a bad alias", s.CreateAccount(ctx, a), store.ErrInvalid)
			_, err = s.GetAccount(ctx, p.ID, "ca-bad")
			wantErr(t, "GetAccount of the refused account", err, store.ErrNotFound)

			_, err = s.GetAccount(ctx, p.ID, bad)
			wantErr(t, "GetAccount by a bad id", err, store.ErrInvalid)
			_, err = s.ListAccounts(ctx, p.ID, store.AccountFilter{UserIDs: []string{"u1", bad}})
			wantErr(t, "ListAccounts by a bad user id", err, store.ErrInvalid)
			_, err = s.ListAccounts(ctx, p.ID, store.AccountFilter{Aliases: []string{bad}})
			wantErr(t, "ListAccounts by a bad alias", err, store.ErrInvalid)
			_, err = s.DefaultAccount(ctx, p.ID, bad, "github")
			wantErr(t, "DefaultAccount of a bad user id", err, store.ErrInvalid)
			_, err = s.ListAuthConfigs(ctx, p.ID, store.AuthConfigFilter{Search: bad})
			wantErr(t, "ListAuthConfigs by a bad search", err, store.ErrInvalid)

			_, err = s.UpdateAccount(ctx, p.ID, acct.ID, func(a store.Account) (store.Account, error) {
				a.Alias = bad
				return a, nil
			})
			wantErr(t, "UpdateAccount to a bad alias", err, store.ErrInvalid)
			if got := mustGetAccount(t, s, p.ID, acct.ID); got.Alias != acct.Alias {
				t.Errorf("after a refused update the alias is %q, want %q", got.Alias, acct.Alias)
			}

			bs := newSession(p.ID, "s-bad", bad)
			wantErr(t, "CreateSession with a bad user id", s.CreateSession(ctx, bs), store.ErrInvalid)
			_, err = s.GetSession(ctx, p.ID, bad)
			wantErr(t, "GetSession by a bad id", err, store.ErrInvalid)
			_, err = s.UpdateSession(ctx, p.ID, sess.ID, func(v store.Session) (store.Session, error) {
				v.UserID = bad
				return v, nil
			})
			wantErr(t, "UpdateSession to a bad user id", err, store.ErrInvalid)

			wantErr(t, "CreateCustomToolkit with a bad slug", s.CreateCustomToolkit(ctx, newCustomToolkit(p.ID, bad)), store.ErrInvalid)
			_, err = s.GetCustomToolkit(ctx, p.ID, bad)
			wantErr(t, "GetCustomToolkit by a bad slug", err, store.ErrInvalid)

			l := newLink(p.ID, "h-bad", acct.ID, at(3), at(13))
			l.CallbackURL = "https://app.example.com/cb?x=" + bad
			wantErr(t, "CreateLink with a bad callback", s.CreateLink(ctx, l), store.ErrInvalid)
			_, err = s.GetLink(ctx, bad)
			wantErr(t, "GetLink by a bad hash", err, store.ErrInvalid)
		})
	}
}
