package accounts

import (
	"context"
	"errors"
	"fmt"
	"github.com/switchboard-dev/switchboard/internal/metrics"
	"time"

	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// refreshMargin is how close to expiry a token is refreshed before use.
const refreshMargin = time.Minute

// Token returns a usable OAuth2 access token for an ACTIVE account,
// refreshing it first when it expires within a minute. rejected, when not
// empty, is an access token the provider just answered 401 to: unless the
// stored token is already another, fresh one, it is refreshed. Refreshes
// of one account are serialized across goroutines and instances, and the
// account is re-read under the lock, so a rotating refresh token is never
// used twice and one burst of calls causes one refresh.
// a is the account as the caller read it.
func (s *Service) Token(ctx context.Context, a store.Account, rejected string) (oauth.Token, error) {
	projectID, id := a.ProjectID, a.ID
	tok, ok := s.tokens.get(a.ID, a.Credentials)
	if !ok {
		if err := s.Credentials(a, &tok); err != nil {
			return oauth.Token{}, err
		}
		s.tokens.put(a.ID, a.Credentials, tok)
	}
	if tok.AccessToken != rejected && !expiresSoon(tok, s.now()) {
		return tok, nil
	}
	seen := rejected
	if seen == "" {
		seen = tok.AccessToken
	}
	return s.refreshShared(ctx, projectID, id, seen)
}

// refreshShared refreshes an account's token once for every caller in
// this process that asks at the same time (singleflight), under the
// cross-instance account lock. seen is the access token the caller found
// stale: if the stored one differs and is fresh, another goroutine or
// instance already refreshed, and no request goes to the provider.
func (s *Service) refreshShared(ctx context.Context, projectID, id, seen string) (oauth.Token, error) {
	ch := s.flight.DoChan(projectID+"/"+id, func() (any, error) {
		// The refresh outlives any one caller: others may be waiting on it,
		// and abandoning it halfway could lose a rotated refresh token.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		var tok oauth.Token
		err := s.Store.LockAccount(ctx, projectID, id, func(ctx context.Context) error {
			a, err := s.Get(ctx, projectID, id)
			if err != nil {
				return err
			}
			if a.Status != store.StatusActive {
				return notActive(a)
			}
			if err := s.Credentials(a, &tok); err != nil {
				return err
			}
			if tok.AccessToken != seen && !expiresSoon(tok, s.now()) {
				return nil
			}
			tok, err = s.refreshLocked(ctx, a, tok)
			return err
		})
		return tok, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return oauth.Token{}, r.Err
		}
		return r.Val.(oauth.Token), nil
	case <-ctx.Done():
		return oauth.Token{}, ctx.Err()
	}
}

// notActive is the error for using an account that is not ACTIVE.
func notActive(a store.Account) error {
	return problem.Invalidf("connected_account_not_active", "connected_account_id", "connected account %s is %s: %s", a.ID, a.Status, a.StatusReason).
		WithFix("Ask the user to connect the account again")
}

// Refresh refreshes an ACTIVE OAuth2 account's token now.
func (s *Service) Refresh(ctx context.Context, projectID, id string) (store.Account, error) {
	a, err := s.Get(ctx, projectID, id)
	if err != nil {
		return store.Account{}, err
	}
	var tok oauth.Token
	if err := s.Credentials(a, &tok); err != nil {
		return store.Account{}, err
	}
	if _, err := s.refreshShared(ctx, projectID, id, tok.AccessToken); err != nil {
		return store.Account{}, err
	}
	return s.Get(ctx, projectID, id)
}

func expiresSoon(t oauth.Token, now time.Time) bool {
	return !t.Expiry.IsZero() && t.Expiry.Before(now.Add(refreshMargin))
}

// refreshLocked refreshes under the account lock and stores the result. A
// refused refresh token moves the account to EXPIRED.
func (s *Service) refreshLocked(ctx context.Context, a store.Account, old oauth.Token) (oauth.Token, error) {
	ac, err := s.AuthConfigs.Get(ctx, a.ProjectID, a.AuthConfigID)
	if err != nil {
		return oauth.Token{}, err
	}
	if tk, ok := s.Catalog.For(ctx, a.ProjectID).Get(a.ToolkitSlug); ok {
		if sc, ok := tk.Scheme(toolkits.Mode(ac.AuthScheme)); ok && sc.ClientCredentials() {
			return s.refetchLocked(ctx, a, ac)
		}
	}
	client, err := s.AuthConfigs.OAuthClient(ctx, ac, s.RedirectURI())
	if err != nil {
		return oauth.Token{}, err
	}
	tok, err := client.Refresh(ctx, s.Egress, old)
	s.Metrics.Refresh(metrics.RefreshOutcome(err, errors.Is(err, oauth.ErrRefreshRefused)))
	if err != nil {
		s.refreshFailed(ctx, a, ac, err)
	} else {
		s.refreshFailures.reset(a.ID)
	}
	if errors.Is(err, oauth.ErrRefreshRefused) {
		return oauth.Token{}, s.expire(ctx, a, "The provider refused the refresh token (revoked or invalid); the user must connect again", err)
	}
	if err != nil {
		return oauth.Token{}, &problem.Error{Kind: problem.Unavailable, Code: "refresh_failed", Message: "the provider could not refresh the token; try again", Err: err}
	}
	// A provider may keep the refresh token (and its end) or issue a new
	// one, whose end it says or not.
	rotated := tok.RefreshToken != "" && tok.RefreshToken != old.RefreshToken
	if tok.RefreshToken == "" {
		tok.RefreshToken = old.RefreshToken
	}
	if !rotated && tok.RefreshExpiry.IsZero() {
		tok.RefreshExpiry = old.RefreshExpiry
	}
	if err := s.storeToken(ctx, a, tok, tok); err != nil {
		return oauth.Token{}, err
	}
	// A new end schedules a new warning, an end gone forgets the old one;
	// tokens with no stated end on either side leave nothing to write.
	if !tok.RefreshExpiry.Equal(old.RefreshExpiry) || rotated && !tok.RefreshExpiry.IsZero() {
		s.RecordRefreshExpiry(ctx, a, tok)
	}
	return tok, nil
}

// expire moves an account whose credentials the provider refused (cause)
// to EXPIRED with reason, and returns the error that says so.
func (s *Service) expire(ctx context.Context, a store.Account, reason string, cause error) error {
	if _, err := s.Store.UpdateAccount(ctx, a.ProjectID, a.ID, func(a store.Account) (store.Account, error) {
		a.Status, a.StatusReason, a.UpdatedAt = store.StatusExpired, reason, s.now()
		return a, nil
	}); err != nil {
		return fmt.Errorf("expire account: %w", err)
	}
	return &problem.Error{Kind: problem.Invalid, Code: "connected_account_expired", Message: "connected account " + a.ID + " expired: " + reason,
		Fix: "Re-authorize it with POST /api/v3.1/connected_accounts/" + a.ID + "/refresh", Err: cause}
}

// storeToken stores an account's new credentials, creds, which hold tok.
func (s *Service) storeToken(ctx context.Context, a store.Account, creds any, tok oauth.Token) error {
	plain, err := EncodeCredentials(creds)
	if err != nil {
		return err
	}
	var expiry *time.Time
	if !tok.Expiry.IsZero() {
		e := tok.Expiry
		expiry = &e
	}
	if _, err := s.Store.UpdateAccount(ctx, a.ProjectID, a.ID, func(a store.Account) (store.Account, error) {
		a.Credentials, a.TokenExpiresAt, a.UpdatedAt = plain, expiry, s.now()
		return a, nil
	}); err != nil {
		return fmt.Errorf("store token: %w", err)
	}
	return nil
}

// RefreshOrReauthorize is what a refresh request asks of an account: an
// ACTIVE OAuth2 account gets a fresh token; an EXPIRED or FAILED one gets
// a link to re-authorize it (returned, with the account it made
// INITIATED); anything else is refused.
func (s *Service) RefreshOrReauthorize(ctx context.Context, p store.Project, id, callbackURL string) (store.Account, *store.Link, error) {
	a, err := s.Get(ctx, p.ID, id)
	if err != nil {
		return store.Account{}, nil, err
	}
	switch a.Status {
	case store.StatusExpired, store.StatusFailed:
		a, l, err := s.Reauthorize(ctx, p, id, callbackURL)
		if err != nil {
			return store.Account{}, nil, err
		}
		return a, &l, nil
	case store.StatusActive:
		if ac, err := s.AuthConfigs.Get(ctx, p.ID, a.AuthConfigID); err != nil || ac.AuthScheme != "OAUTH2" {
			return store.Account{}, nil, problem.Invalidf("refresh_not_supported", "", "account %s does not use OAuth2; it has no token to refresh", id)
		}
		a, err = s.Refresh(ctx, p.ID, id)
		return a, nil, err
	}
	return store.Account{}, nil, problem.Invalidf("invalid_status_transition", "",
		"account %s is %s; only ACTIVE, EXPIRED and FAILED accounts can be refreshed", id, a.Status)
}

// ExpiryWarning returns when to warn that a refresh token issued at
// issued runs out at expires: 24 hours before, or, for a token that lives
// less than ten days, when a tenth of its lifetime is left.
func ExpiryWarning(issued, expires time.Time) time.Time {
	return expires.Add(-min(expiryWarningLead, expires.Sub(issued)/10))
}

// expiryWarningLead is the longest warning before a refresh token runs
// out.
const expiryWarningLead = 24 * time.Hour

// RecordRefreshExpiry schedules the expiring warning of a's refresh
// token from tok (RefreshExpiry zero forgets it). It never fails the
// write that stored tok: a schedule that cannot be written is logged, and
// that token is then not warned of.
func (s *Service) RecordRefreshExpiry(ctx context.Context, a store.Account, tok oauth.Token) {
	var expires, warn *time.Time
	if !tok.RefreshExpiry.IsZero() {
		e, w := tok.RefreshExpiry, ExpiryWarning(s.now(), tok.RefreshExpiry)
		expires, warn = &e, &w
	}
	if err := s.Store.SetRefreshExpiry(context.WithoutCancel(ctx), a.ProjectID, a.ID, expires, warn); err != nil {
		s.Logger.WarnContext(ctx, "refresh token expiry not recorded; no expiring warning will be sent for it", "account_id", a.ID, "err", err)
	}
}

// expiringBatch bounds the warnings one transaction writes.
const expiringBatch = 100

// WarnExpiring writes the expiring warnings due now, a batch at a time,
// and returns how many it wrote.
func (s *Service) WarnExpiring(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.Store.WarnExpiring(ctx, s.now(), expiringBatch)
		total += n
		if err != nil || n < expiringBatch {
			return total, err
		}
	}
}
