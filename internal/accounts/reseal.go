package accounts

import (
	"context"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// Reseal re-encrypts, under the vault's active key, every account
// credential of a project still sealed with an older key, and returns how
// many it re-sealed. It is the background half of key rotation: add the
// new key as SWITCHBOARD_ENCRYPTION_KEY with the old one in
// SWITCHBOARD_OLD_ENCRYPTION_KEYS, run it, then retire the old key.
func (s *Service) Reseal(ctx context.Context, r authconfigs.Resealer, projectID string) (int, error) {
	n := 0
	list := func(cursor string) (store.Page[store.Account], error) {
		return s.Store.ListAccounts(ctx, projectID, store.AccountFilter{Cursor: cursor, Limit: 500})
	}
	err := store.Walk(list, func(a store.Account) error {
		if a.SealedCredentials == nil {
			return nil
		}
		changed := false
		_, err := s.Store.UpdateAccount(ctx, projectID, a.ID, func(cur store.Account) (store.Account, error) {
			if cur.SealedCredentials == nil {
				return cur, nil
			}
			sealed, did, err := r.Reseal(cur.SealedCredentials, credentialsAAD(cur)...)
			if err != nil {
				return cur, fmt.Errorf("reseal credentials of %s: %w", cur.ID, err)
			}
			cur.SealedCredentials, changed = sealed, did
			return cur, nil
		})
		if changed {
			n++
		}
		return err
	})
	return n, err
}
