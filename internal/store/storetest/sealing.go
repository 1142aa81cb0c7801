package storetest

import (
	"bytes"
	"context"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// secretTwins names, per record type, each plaintext secret field and the
// Sealed* field a backend stores it in. TestSealing checks the list against
// the record types, so a new Sealed* field without an entry fails.
var secretTwins = map[string]map[string]string{
	"Account":             {"Credentials": "SealedCredentials"},
	"AuthConfig":          {"Secrets": "SealedSecrets"},
	"Link":                {"Token": "SealedToken", "Verifier": "SealedVerifier"},
	"WebhookSubscription": {"Secret": "SealedSecret", "PreviousSecret": "SealedPreviousSecret"},
}

// RunSealing checks a barrier: every secret written through barrier(s)
// reaches s, the backend, sealed (the plaintext field empty, the sealed one
// holding neither the plaintext nor its bytes), and comes back through the
// barrier as written. newStore opens a fresh backend.
func RunSealing(t *testing.T, newStore func(t *testing.T) store.Store, barrier func(store.Store) store.Store) {
	t.Run("EverySealedFieldHasATwin", func(t *testing.T) {
		for _, rec := range []any{store.Project{}, store.APIKey{}, store.AuthConfig{}, store.Account{}, store.Link{}, store.Session{}, store.VaultCheck{}, store.WebhookSubscription{}, store.Event{}, store.Delivery{}, store.DeliveryAttempt{}} {
			typ := reflect.TypeOf(rec)
			twins := secretTwins[typ.Name()]
			for i := range typ.NumField() {
				name := typ.Field(i).Name
				if !strings.HasPrefix(name, "Sealed") || typ.Name() == "VaultCheck" {
					continue
				}
				if !slices.Contains(slices.Collect(maps.Values(twins)), name) {
					t.Errorf("%s.%s is a sealed field that the barrier check does not know; add its plaintext twin to secretTwins and to the barrier", typ.Name(), name)
				}
			}
			for plain, sealed := range twins {
				if _, ok := typ.FieldByName(plain); !ok {
					t.Errorf("%s has no field %s", typ.Name(), plain)
				}
				if _, ok := typ.FieldByName(sealed); !ok {
					t.Errorf("%s has no field %s", typ.Name(), sealed)
				}
			}
		}
	})
	t.Run("NothingReachesTheBackendUnsealed", func(t *testing.T) {
		ctx := t.Context()
		rec := &recorder{Store: newStore(t)}
		s := barrier(rec)
		p := mustCreateProject(t, s, newProject("p1"))
		c := newAuthConfig(p.ID, "ac1", "github", at(1))
		c.SealedSecrets, c.Secrets = nil, []byte(`{"client_secret":"cs-plain-1"}`)
		mustCreateAuthConfig(t, s, c)
		a := newAccount(p.ID, "ca1", c, "u1", at(2))
		a.SealedCredentials, a.Credentials = nil, []byte(`{"access_token":"at-plain-1"}`)
		mustCreateAccount(t, s, a)
		l := newLink(p.ID, "h1", a.ID, at(3), at(13))
		l.SealedToken, l.Token = nil, "lt-plain-1"
		mustCreateLink(t, s, l)

		_, err := s.UpdateAuthConfig(ctx, p.ID, c.ID, func(c store.AuthConfig) (store.AuthConfig, error) {
			c.Secrets = []byte(`{"client_secret":"cs-plain-2"}`)
			return c, nil
		})
		wantNoErr(t, "UpdateAuthConfig", err)
		_, err = s.UpdateAccount(ctx, p.ID, a.ID, func(a store.Account) (store.Account, error) {
			a.Credentials = []byte(`{"access_token":"at-plain-2"}`)
			return a, nil
		})
		wantNoErr(t, "UpdateAccount", err)
		_, err = s.UpdateLink(ctx, l.TokenHash, func(l store.Link) (store.Link, error) {
			l.Verifier = "pv-plain-1"
			return l, nil
		})
		wantNoErr(t, "UpdateLink", err)
		w := newSubscription(p.ID, "ws1", at(4))
		w.SealedSecret, w.Secret = nil, []byte("ws-plain-1")
		wantNoErr(t, "CreateWebhookSubscription", s.CreateWebhookSubscription(ctx, w))
		_, err = s.UpdateWebhookSubscription(ctx, p.ID, w.ID, func(w store.WebhookSubscription) (store.WebhookSubscription, error) {
			w.PreviousSecret, w.Secret = w.Secret, []byte("ws-plain-2")
			return w, nil
		})
		wantNoErr(t, "UpdateWebhookSubscription", err)

		plains := []string{"cs-plain-1", "cs-plain-2", "at-plain-1", "at-plain-2", "lt-plain-1", "pv-plain-1", "ws-plain-1", "ws-plain-2"}
		for _, w := range rec.written() {
			v := reflect.ValueOf(w)
			for plain, sealed := range secretTwins[v.Type().Name()] {
				if !v.FieldByName(plain).IsZero() {
					t.Errorf("%s.%s reached the backend in plaintext", v.Type().Name(), plain)
				}
				blob := v.FieldByName(sealed).Bytes()
				for _, p := range plains {
					if bytes.Contains(blob, []byte(p)) {
						t.Errorf("%s.%s reached the backend holding %q", v.Type().Name(), sealed, p)
					}
				}
			}
		}
		if len(rec.written()) < 8 {
			t.Errorf("the backend saw %d writes, want at least 8", len(rec.written()))
		}
		gotW, err := s.GetWebhookSubscription(ctx, p.ID, w.ID)
		wantNoErr(t, "GetWebhookSubscription", err)
		if string(gotW.Secret) != "ws-plain-2" || string(gotW.PreviousSecret) != "ws-plain-1" || gotW.SealedSecret != nil || gotW.SealedPreviousSecret != nil {
			t.Errorf("webhook subscription through the barrier: secret %q, previous %q", gotW.Secret, gotW.PreviousSecret)
		}

		gotC, err := s.GetAuthConfig(ctx, p.ID, c.ID)
		wantNoErr(t, "GetAuthConfig", err)
		gotA := mustGetAccount(t, s, p.ID, a.ID)
		gotL, err := s.GetLink(ctx, l.TokenHash)
		wantNoErr(t, "GetLink", err)
		if string(gotC.Secrets) != `{"client_secret":"cs-plain-2"}` || gotC.SealedSecrets != nil {
			t.Errorf("auth config through the barrier: secrets %q, sealed %d bytes", gotC.Secrets, len(gotC.SealedSecrets))
		}
		if string(gotA.Credentials) != `{"access_token":"at-plain-2"}` || gotA.SealedCredentials != nil {
			t.Errorf("account through the barrier: credentials %q, sealed %d bytes", gotA.Credentials, len(gotA.SealedCredentials))
		}
		if gotL.Token != "lt-plain-1" || gotL.Verifier != "pv-plain-1" || gotL.SealedToken != nil || gotL.SealedVerifier != nil {
			t.Errorf("link through the barrier: token %q, verifier %q", gotL.Token, gotL.Verifier)
		}
		raw, err := rec.Store.GetAccount(ctx, p.ID, a.ID)
		wantNoErr(t, "backend GetAccount", err)
		if raw.Credentials != nil || len(raw.SealedCredentials) == 0 {
			t.Errorf("the backend holds credentials %q and %d sealed bytes", raw.Credentials, len(raw.SealedCredentials))
		}
	})
}

// recorder is a backend that keeps every record written to it.
type recorder struct {
	store.Store
	mu   sync.Mutex
	recs []any
}

func (r *recorder) keep(v any) {
	r.mu.Lock()
	r.recs = append(r.recs, v)
	r.mu.Unlock()
}

func (r *recorder) written() []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]any(nil), r.recs...)
}

func (r *recorder) CreateAuthConfig(ctx context.Context, c store.AuthConfig) error {
	r.keep(c)
	return r.Store.CreateAuthConfig(ctx, c)
}

func (r *recorder) CreateAccount(ctx context.Context, a store.Account) error {
	r.keep(a)
	return r.Store.CreateAccount(ctx, a)
}

func (r *recorder) CreateLink(ctx context.Context, l store.Link) error {
	r.keep(l)
	return r.Store.CreateLink(ctx, l)
}

func (r *recorder) UpdateAuthConfig(ctx context.Context, projectID, id string, fn func(store.AuthConfig) (store.AuthConfig, error)) (store.AuthConfig, error) {
	return r.Store.UpdateAuthConfig(ctx, projectID, id, func(c store.AuthConfig) (store.AuthConfig, error) {
		c, err := fn(c)
		r.keep(c)
		return c, err
	})
}

func (r *recorder) UpdateAccount(ctx context.Context, projectID, id string, fn func(store.Account) (store.Account, error)) (store.Account, error) {
	return r.Store.UpdateAccount(ctx, projectID, id, func(a store.Account) (store.Account, error) {
		a, err := fn(a)
		r.keep(a)
		return a, err
	})
}

func (r *recorder) UpdateLink(ctx context.Context, tokenHash string, fn func(store.Link) (store.Link, error)) (store.Link, error) {
	return r.Store.UpdateLink(ctx, tokenHash, func(l store.Link) (store.Link, error) {
		l, err := fn(l)
		r.keep(l)
		return l, err
	})
}

func (r *recorder) CreateWebhookSubscription(ctx context.Context, w store.WebhookSubscription) error {
	r.keep(w)
	return r.Store.CreateWebhookSubscription(ctx, w)
}

func (r *recorder) UpdateWebhookSubscription(ctx context.Context, projectID, id string, fn func(store.WebhookSubscription) (store.WebhookSubscription, error)) (store.WebhookSubscription, error) {
	return r.Store.UpdateWebhookSubscription(ctx, projectID, id, func(w store.WebhookSubscription) (store.WebhookSubscription, error) {
		w, err := fn(w)
		r.keep(w)
		return w, err
	})
}
