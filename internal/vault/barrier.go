package vault

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// Barrier is the one layer that encrypts: a store.Store that seals every
// secret field of a record on its way to the backend and opens it on the
// way back, as OpenBao's barrier wraps its physical backend. Above it,
// records carry plaintext (Account.Credentials, AuthConfig.Secrets,
// Link.Token, Link.Verifier, WebhookSubscription.Secret and
// PreviousSecret) and never ciphertext; below it, the backend
// sees only the Sealed* twins. The domain packages hold no key and choose
// no additional data, so a secret cannot be stored in the clear by
// forgetting to seal it.
//
// Each blob is bound to its owner and field (see the aad functions), so a
// blob copied to another row does not open.
//
// A blob that does not open under the keyring (sealed by a key retired
// since, or damaged) is not an error on read: the record comes back with
// the plaintext empty and the Sealed* field kept, so a list still lists
// and the caller that needs the secret says why it cannot have it
// (store.Unopened). A write keeps such a blob as it is unless the caller sets a
// new plaintext.
type Barrier struct {
	store.Store
	keys *Keyring
}

// NewBarrier wraps s.
func NewBarrier(s store.Store, keys *Keyring) *Barrier {
	return &Barrier{Store: s, keys: keys}
}

func credentialsAAD(a store.Account) []string {
	return []string{"account", a.ProjectID, a.ID, "credentials"}
}

func secretsAAD(c store.AuthConfig) []string {
	return []string{"auth_config", c.ProjectID, c.ID, "secrets"}
}

func linkTokenAAD(l store.Link) []string {
	return []string{"link", l.ProjectID, l.TokenHash, "token"}
}

func verifierAAD(l store.Link) []string {
	return []string{"link", l.ProjectID, l.TokenHash, "pkce_verifier"}
}

// sealField returns what the backend stores for a secret: the sealed
// plaintext, or, with no plaintext, the blob that was there (nil for
// none). old is the plaintext the blob opened to, if it did: an unchanged
// plaintext under the active key keeps its blob.
func (b *Barrier) sealField(plain, old, blob []byte, aad []string) ([]byte, error) {
	if len(plain) == 0 {
		if old != nil {
			return nil, nil // the caller removed the secret
		}
		return blob, nil
	}
	if old != nil && bytes.Equal(plain, old) && !b.keys.NeedsRotation(blob) {
		return blob, nil
	}
	return b.keys.Seal(plain, aad...)
}

// openField opens a blob; a blob that does not open comes back as nil
// plaintext, the blob kept.
func (b *Barrier) openField(blob []byte, aad []string) (plain, keep []byte) {
	if len(blob) == 0 {
		return nil, blob
	}
	p, err := b.keys.Open(blob, aad...)
	if err != nil {
		return nil, blob
	}
	return p, nil
}

// Accounts.

func (b *Barrier) sealAccount(a store.Account, old []byte, blob []byte) (store.Account, error) {
	sealed, err := b.sealField(a.Credentials, old, blob, credentialsAAD(a))
	if err != nil {
		return a, fmt.Errorf("seal credentials: %w", err)
	}
	a.SealedCredentials, a.Credentials = sealed, nil
	return a, nil
}

func (b *Barrier) openAccount(a store.Account) store.Account {
	a.Credentials, a.SealedCredentials = b.openField(a.SealedCredentials, credentialsAAD(a))
	return a
}

func (b *Barrier) CreateAccount(ctx context.Context, a store.Account) error {
	a, err := b.sealAccount(a, nil, a.SealedCredentials)
	if err != nil {
		return err
	}
	return b.Store.CreateAccount(ctx, a)
}

func (b *Barrier) GetAccount(ctx context.Context, projectID, id string) (store.Account, error) {
	a, err := b.Store.GetAccount(ctx, projectID, id)
	return b.openAccount(a), err
}

func (b *Barrier) DefaultAccount(ctx context.Context, projectID, userID, toolkit string) (store.Account, error) {
	a, err := b.Store.DefaultAccount(ctx, projectID, userID, toolkit)
	return b.openAccount(a), err
}

func (b *Barrier) ClaimProbes(ctx context.Context, now, verifiedBefore, leaseUntil time.Time, limit int) ([]store.Account, error) {
	as, err := b.Store.ClaimProbes(ctx, now, verifiedBefore, leaseUntil, limit)
	for i := range as {
		as[i] = b.openAccount(as[i])
	}
	return as, err
}

func (b *Barrier) ListAccounts(ctx context.Context, projectID string, f store.AccountFilter) (store.Page[store.Account], error) {
	p, err := b.Store.ListAccounts(ctx, projectID, f)
	for i := range p.Items {
		p.Items[i] = b.openAccount(p.Items[i])
	}
	return p, err
}

func (b *Barrier) UpdateAccount(ctx context.Context, projectID, id string, fn func(store.Account) (store.Account, error)) (store.Account, error) {
	a, err := b.Store.UpdateAccount(ctx, projectID, id, func(cur store.Account) (store.Account, error) {
		opened := b.openAccount(cur)
		next, err := fn(opened)
		if err != nil {
			return next, err
		}
		return b.sealAccount(next, opened.Credentials, cur.SealedCredentials)
	})
	return b.openAccount(a), err
}

// Auth configs.

func (b *Barrier) sealAuthConfig(c store.AuthConfig, old []byte, blob []byte) (store.AuthConfig, error) {
	sealed, err := b.sealField(c.Secrets, old, blob, secretsAAD(c))
	if err != nil {
		return c, fmt.Errorf("seal auth config secrets: %w", err)
	}
	c.SealedSecrets, c.Secrets = sealed, nil
	return c, nil
}

func (b *Barrier) openAuthConfig(c store.AuthConfig) store.AuthConfig {
	c.Secrets, c.SealedSecrets = b.openField(c.SealedSecrets, secretsAAD(c))
	return c
}

func (b *Barrier) CreateAuthConfig(ctx context.Context, c store.AuthConfig) error {
	c, err := b.sealAuthConfig(c, nil, c.SealedSecrets)
	if err != nil {
		return err
	}
	return b.Store.CreateAuthConfig(ctx, c)
}

func (b *Barrier) GetAuthConfig(ctx context.Context, projectID, id string) (store.AuthConfig, error) {
	c, err := b.Store.GetAuthConfig(ctx, projectID, id)
	return b.openAuthConfig(c), err
}

func (b *Barrier) ListAuthConfigs(ctx context.Context, projectID string, f store.AuthConfigFilter) (store.Page[store.AuthConfig], error) {
	p, err := b.Store.ListAuthConfigs(ctx, projectID, f)
	for i := range p.Items {
		p.Items[i] = b.openAuthConfig(p.Items[i])
	}
	return p, err
}

func (b *Barrier) UpdateAuthConfig(ctx context.Context, projectID, id string, fn func(store.AuthConfig) (store.AuthConfig, error)) (store.AuthConfig, error) {
	c, err := b.Store.UpdateAuthConfig(ctx, projectID, id, func(cur store.AuthConfig) (store.AuthConfig, error) {
		opened := b.openAuthConfig(cur)
		next, err := fn(opened)
		if err != nil {
			return next, err
		}
		return b.sealAuthConfig(next, opened.Secrets, cur.SealedSecrets)
	})
	return b.openAuthConfig(c), err
}

// Links.

// sealLink seals l's token and verifier; cur is the stored link (its
// blobs) and opened is cur as openLink returned it.
func (b *Barrier) sealLink(l, opened, cur store.Link) (store.Link, error) {
	token, err := b.sealField([]byte(l.Token), []byte(opened.Token), cur.SealedToken, linkTokenAAD(l))
	if err != nil {
		return l, fmt.Errorf("seal link token: %w", err)
	}
	verifier, err := b.sealField([]byte(l.Verifier), []byte(opened.Verifier), cur.SealedVerifier, verifierAAD(l))
	if err != nil {
		return l, fmt.Errorf("seal PKCE verifier: %w", err)
	}
	l.SealedToken, l.SealedVerifier, l.Token, l.Verifier = token, verifier, "", ""
	return l, nil
}

func (b *Barrier) openLink(l store.Link) store.Link {
	var token, verifier []byte
	token, l.SealedToken = b.openField(l.SealedToken, linkTokenAAD(l))
	verifier, l.SealedVerifier = b.openField(l.SealedVerifier, verifierAAD(l))
	l.Token, l.Verifier = string(token), string(verifier)
	return l
}

func (b *Barrier) CreateLink(ctx context.Context, l store.Link) error {
	l, err := b.sealLink(l, store.Link{}, l)
	if err != nil {
		return err
	}
	return b.Store.CreateLink(ctx, l)
}

func (b *Barrier) GetLink(ctx context.Context, tokenHash string) (store.Link, error) {
	l, err := b.Store.GetLink(ctx, tokenHash)
	return b.openLink(l), err
}

func (b *Barrier) GetLinkByState(ctx context.Context, stateHash string) (store.Link, error) {
	l, err := b.Store.GetLinkByState(ctx, stateHash)
	return b.openLink(l), err
}

func (b *Barrier) PendingLink(ctx context.Context, projectID, sessionID, toolkit string, now time.Time) (store.Link, error) {
	l, err := b.Store.PendingLink(ctx, projectID, sessionID, toolkit, now)
	return b.openLink(l), err
}

func (b *Barrier) UpdateLink(ctx context.Context, tokenHash string, fn func(store.Link) (store.Link, error)) (store.Link, error) {
	l, err := b.Store.UpdateLink(ctx, tokenHash, func(cur store.Link) (store.Link, error) {
		opened := b.openLink(cur)
		next, err := fn(opened)
		if err != nil {
			return next, err
		}
		return b.sealLink(next, opened, cur)
	})
	return b.openLink(l), err
}

// Reseal seals again, under the active key, every account credential and
// auth config secret of a project that an older key sealed, and reports
// how many of each it resealed. It is the one re-encryption walk; run it after
// adding a new key, before retiring the old one. A blob that opens under
// no key of the ring stops it with an error naming the record.
func (b *Barrier) Reseal(ctx context.Context, projectID string) (accounts, configs int, err error) {
	n := 0
	err = store.Walk(func(cursor string) (store.Page[store.AuthConfig], error) {
		return b.Store.ListAuthConfigs(ctx, projectID, store.AuthConfigFilter{IncludeDisabled: true, Cursor: cursor, Limit: 500})
	}, func(c store.AuthConfig) error {
		if len(c.SealedSecrets) == 0 || !b.keys.NeedsRotation(c.SealedSecrets) {
			return nil
		}
		var did bool
		_, err := b.Store.UpdateAuthConfig(ctx, projectID, c.ID, func(cur store.AuthConfig) (store.AuthConfig, error) {
			sealed, changed, err := b.keys.Reseal(cur.SealedSecrets, secretsAAD(cur)...)
			if err != nil {
				return cur, fmt.Errorf("auth config %s: %w", cur.ID, err)
			}
			cur.SealedSecrets, did = sealed, changed
			return cur, nil
		})
		if did && err == nil {
			n++
		}
		return err
	})
	configs, n = n, 0
	if err != nil {
		return n, configs, fmt.Errorf("reseal auth configs: %w", err)
	}
	err = store.Walk(func(cursor string) (store.Page[store.Account], error) {
		return b.Store.ListAccounts(ctx, projectID, store.AccountFilter{Cursor: cursor, Limit: 500})
	}, func(a store.Account) error {
		if len(a.SealedCredentials) == 0 || !b.keys.NeedsRotation(a.SealedCredentials) {
			return nil
		}
		var did bool
		_, err := b.Store.UpdateAccount(ctx, projectID, a.ID, func(cur store.Account) (store.Account, error) {
			sealed, changed, err := b.keys.Reseal(cur.SealedCredentials, credentialsAAD(cur)...)
			if err != nil {
				return cur, fmt.Errorf("account %s: %w", cur.ID, err)
			}
			cur.SealedCredentials, did = sealed, changed
			return cur, nil
		})
		if did && err == nil {
			n++
		}
		return err
	})
	if err != nil {
		return n, configs, fmt.Errorf("reseal accounts: %w", err)
	}
	return n, configs, nil
}

// OpenRecord returns a record as a backend holds it the way the layers
// above the barrier see it: an account, auth config or webhook
// subscription with its sealed parts opened (as far as the keys open
// them); any other value unchanged. The audit log views records with it.
func (b *Barrier) OpenRecord(record any) any {
	switch r := record.(type) {
	case store.Account:
		return b.openAccount(r)
	case store.AuthConfig:
		return b.openAuthConfig(r)
	case store.WebhookSubscription:
		return b.openSubscription(r)
	}
	return record
}
