package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// ciphertexts are the byte values every credential column must keep exactly.
var ciphertexts = []struct {
	name string
	b    []byte
}{
	{"Nil", nil},
	{"Empty", []byte{}},
	{"NUL", []byte{0}},
	{"AllBytes", allBytes()},
	{"NotUTF8", []byte{0xff, 0xfe, 0xc3, 0x28, 0x00, 'x'}},
	{"LooksLikeJSON", []byte(`{"access_token":"not really"}`)},
}

func allBytes() []byte {
	b := make([]byte, 512)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// sameBytes reports whether got is want, telling nil and empty apart.
func sameBytes(want, got []byte) bool {
	return (want == nil) == (got == nil) && bytes.Equal(want, got)
}

func describeBytes(b []byte) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprintf("%d bytes %x", len(b), b)
}

// sealedField is one ciphertext column: set stores b in a new record,
// update replaces it, and get reads it back.
type sealedField struct {
	name   string
	seed   func(t *testing.T, s store.Store)
	set    func(t *testing.T, s store.Store, id string, b []byte)
	update func(ctx context.Context, s store.Store, id string, b []byte) ([]byte, error)
	get    func(ctx context.Context, s store.Store, id string) ([]byte, error)
}

var sealedFields = []sealedField{
	{
		name: "WebhookSubscription.SealedSecret",
		seed: func(t *testing.T, s store.Store) {
			mustCreateProject(t, s, newProject("p1"))
		},
		set: func(t *testing.T, s store.Store, id string, b []byte) {
			w := newSubscription("p1", id, at(0))
			w.SealedSecret, w.SealedPreviousSecret = b, b
			mustCreateSubscription(t, s, w)
		},
		update: func(ctx context.Context, s store.Store, id string, b []byte) ([]byte, error) {
			w, err := s.UpdateWebhookSubscription(ctx, "p1", id, func(w store.WebhookSubscription) (store.WebhookSubscription, error) {
				w.SealedSecret, w.SealedPreviousSecret = b, b
				return w, nil
			})
			return w.SealedSecret, err
		},
		get: func(ctx context.Context, s store.Store, id string) ([]byte, error) {
			w, err := s.GetWebhookSubscription(ctx, "p1", id)
			if err != nil {
				return nil, err
			}
			if !sameBytes(w.SealedSecret, w.SealedPreviousSecret) {
				return nil, fmt.Errorf("SealedPreviousSecret %s, SealedSecret %s", describeBytes(w.SealedPreviousSecret), describeBytes(w.SealedSecret))
			}
			list, err := s.ListWebhookSubscriptions(ctx, "p1")
			if err != nil {
				return nil, err
			}
			for _, listed := range list {
				if listed.ID == id && !sameBytes(w.SealedSecret, listed.SealedSecret) {
					return nil, fmt.Errorf("ListWebhookSubscriptions gave %s, GetWebhookSubscription %s",
						describeBytes(listed.SealedSecret), describeBytes(w.SealedSecret))
				}
			}
			return w.SealedSecret, nil
		},
	},
	{
		name: "AuthConfig.SealedSecrets",
		seed: func(t *testing.T, s store.Store) {
			mustCreateProject(t, s, newProject("p1"))
		},
		set: func(t *testing.T, s store.Store, id string, b []byte) {
			c := newAuthConfig("p1", id, "github", at(0))
			c.SealedSecrets = b
			mustCreateAuthConfig(t, s, c)
		},
		update: func(ctx context.Context, s store.Store, id string, b []byte) ([]byte, error) {
			c, err := s.UpdateAuthConfig(ctx, "p1", id, func(c store.AuthConfig) (store.AuthConfig, error) {
				c.SealedSecrets = b
				return c, nil
			})
			return c.SealedSecrets, err
		},
		get: func(ctx context.Context, s store.Store, id string) ([]byte, error) {
			c, err := s.GetAuthConfig(ctx, "p1", id)
			if err != nil {
				return nil, err
			}
			page, err := s.ListAuthConfigs(ctx, "p1", store.AuthConfigFilter{IncludeDisabled: true})
			if err != nil {
				return nil, err
			}
			for _, listed := range page.Items {
				if listed.ID == id && !sameBytes(c.SealedSecrets, listed.SealedSecrets) {
					return nil, fmt.Errorf("ListAuthConfigs gave %s, GetAuthConfig %s",
						describeBytes(listed.SealedSecrets), describeBytes(c.SealedSecrets))
				}
			}
			return c.SealedSecrets, nil
		},
	},
	{
		name: "Account.SealedCredentials",
		seed: func(t *testing.T, s store.Store) {
			mustCreateProject(t, s, newProject("p1"))
			mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(0)))
		},
		set: func(t *testing.T, s store.Store, id string, b []byte) {
			a := newAccount("p1", id, newAuthConfig("p1", "ac1", "github", at(0)), id, at(1))
			a.SealedCredentials = b
			mustCreateAccount(t, s, a)
		},
		update: func(ctx context.Context, s store.Store, id string, b []byte) ([]byte, error) {
			a, err := s.UpdateAccount(ctx, "p1", id, func(a store.Account) (store.Account, error) {
				a.SealedCredentials = b
				return a, nil
			})
			return a.SealedCredentials, err
		},
		get: func(ctx context.Context, s store.Store, id string) ([]byte, error) {
			a, err := s.GetAccount(ctx, "p1", id)
			if err != nil {
				return nil, err
			}
			page, err := s.ListAccounts(ctx, "p1", store.AccountFilter{IDs: []string{id}})
			if err != nil {
				return nil, err
			}
			if len(page.Items) != 1 || !sameBytes(a.SealedCredentials, page.Items[0].SealedCredentials) {
				return nil, fmt.Errorf("ListAccounts disagrees with GetAccount (%s)", describeBytes(a.SealedCredentials))
			}
			return a.SealedCredentials, nil
		},
	},
	{
		name: "Link.SealedVerifier",
		seed: func(t *testing.T, s store.Store) {
			mustCreateProject(t, s, newProject("p1"))
			c := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(0)))
			mustCreateAccount(t, s, newAccount("p1", "a1", c, "u1", at(1)))
		},
		set: func(t *testing.T, s store.Store, token string, b []byte) {
			l := newLink("p1", token, "a1", at(1), at(11))
			l.SealedVerifier = b
			l.StateHash = "state-" + token
			mustCreateLink(t, s, l)
		},
		update: func(ctx context.Context, s store.Store, token string, b []byte) ([]byte, error) {
			l, err := s.UpdateLink(ctx, token, func(l store.Link) (store.Link, error) {
				l.SealedVerifier = b
				return l, nil
			})
			return l.SealedVerifier, err
		},
		get: func(ctx context.Context, s store.Store, token string) ([]byte, error) {
			l, err := s.GetLink(ctx, token)
			if err != nil {
				return nil, err
			}
			byState, err := s.GetLinkByState(ctx, "state-"+token)
			if err != nil {
				return nil, err
			}
			if !sameBytes(l.SealedVerifier, byState.SealedVerifier) {
				return nil, fmt.Errorf("GetLinkByState disagrees with GetLink (%s)", describeBytes(l.SealedVerifier))
			}
			return l.SealedVerifier, nil
		},
	},
}

func (f sealedField) subtestName() string { return f.name }

// testCiphertext checks that a credential column holds opaque bytes:
// whatever the vault wrote comes back exactly, with nil and empty kept apart.
func testCiphertext(t *testing.T, s store.Store, f sealedField) {
	ctx := t.Context()
	f.seed(t, s)
	for _, c := range ciphertexts {
		id := "create-" + c.name
		f.set(t, s, id, c.b)
		got, err := f.get(ctx, s, id)
		wantNoErr(t, "get "+f.name, err)
		if !sameBytes(c.b, got) {
			t.Errorf("%s stored as %s: got %s back", c.name, describeBytes(c.b), describeBytes(got))
		}
	}

	// One record goes through the values in turn, so that nil, empty and
	// non-empty each replace one another.
	f.set(t, s, "updated", []byte("initial"))
	for _, i := range []int{0, 1, 2, 3, 4, 5, 0, 3, 1, 0} {
		c := ciphertexts[i]
		ret, err := f.update(ctx, s, "updated", c.b)
		wantNoErr(t, "update "+f.name, err)
		if !sameBytes(c.b, ret) {
			t.Errorf("update to %s: returned %s", c.name, describeBytes(ret))
		}
		got, err := f.get(ctx, s, "updated")
		wantNoErr(t, "get "+f.name, err)
		if !sameBytes(c.b, got) {
			t.Errorf("updated to %s (%s): got %s back", c.name, describeBytes(c.b), describeBytes(got))
		}
	}
}

// testAPIKeyHashBytes checks that API key hashes are matched as exact bytes.
func testAPIKeyHashBytes(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	for i, c := range ciphertexts[2:] { // a hash is never nil or empty
		k := newAPIKey("p1", fmt.Sprint("k", i))
		k.Hash = c.b
		mustCreateAPIKey(t, s, k)
		got, err := s.GetAPIKeyByHash(ctx, c.b)
		wantNoErr(t, "GetAPIKeyByHash("+c.name+")", err)
		if got.ID != k.ID || !sameBytes(c.b, got.Hash) {
			t.Errorf("GetAPIKeyByHash(%s): got key %q with hash %s, want %q", c.name, got.ID, describeBytes(got.Hash), k.ID)
		}
	}
	sum := sha256.Sum256([]byte("sb_live_0123456789"))
	k := newAPIKey("p1", "sha")
	k.Hash = sum[:]
	mustCreateAPIKey(t, s, k)
	// A prefix of a stored hash must not match it.
	_, err := s.GetAPIKeyByHash(ctx, sum[:16])
	wantErr(t, "GetAPIKeyByHash(prefix of a hash)", err, store.ErrNotFound)
	got, err := s.GetAPIKeyByHash(ctx, sum[:])
	wantNoErr(t, "GetAPIKeyByHash", err)
	if got.ID != "sha" {
		t.Errorf("GetAPIKeyByHash: got key %q, want %q", got.ID, "sha")
	}
}
