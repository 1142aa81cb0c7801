package accounts

import (
	"context"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// Rotator re-seals ciphertext under the active key; the vault implements it.
type Rotator interface {
	Sealer
	NeedsRotation(blob []byte) bool
}

// Reseal re-encrypts, under the vault's active key, every account
// credential of a project still sealed with an older key, and returns how
// many it re-sealed. It is the background half of key rotation: add the
// new key as SWITCHBOARD_ENCRYPTION_KEY with the old one in
// SWITCHBOARD_OLD_ENCRYPTION_KEYS, run it, then retire the old key.
func (s *Service) Reseal(ctx context.Context, r Rotator, projectID string) (int, error) {
	n := 0
	cursor := ""
	for {
		page, err := s.Store.ListAccounts(ctx, projectID, store.AccountFilter{Cursor: cursor, Limit: 500})
		if err != nil {
			return n, fmt.Errorf("list accounts to reseal: %w", err)
		}
		for _, a := range page.Items {
			if a.SealedCredentials == nil || !r.NeedsRotation(a.SealedCredentials) {
				continue
			}
			_, err := s.Store.UpdateAccount(ctx, projectID, a.ID, func(cur store.Account) (store.Account, error) {
				if cur.SealedCredentials == nil || !r.NeedsRotation(cur.SealedCredentials) {
					return cur, nil
				}
				plain, err := r.Open(cur.SealedCredentials, credentialsAAD(cur)...)
				if err != nil {
					return cur, fmt.Errorf("open credentials of %s: %w", cur.ID, err)
				}
				sealed, err := r.Seal(plain, credentialsAAD(cur)...)
				if err != nil {
					return cur, err
				}
				cur.SealedCredentials = sealed
				return cur, nil
			})
			if err != nil {
				return n, err
			}
			n++
		}
		if page.NextCursor == "" {
			return n, nil
		}
		cursor = page.NextCursor
	}
}
