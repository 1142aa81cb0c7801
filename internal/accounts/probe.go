package accounts

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// This file checks that accounts' credentials still work: on demand
// (Verify, the check_account meta tool) and in the background (RunProber),
// with the toolkit's cheap identity call.

// ReasonRejected is the reason of an account whose provider refused its
// access token even after a refresh.
const ReasonRejected = "The provider refused the account's access token (HTTP 401) even after a refresh; the user must connect again"

// Expire moves an ACTIVE account to EXPIRED with the reason, and records
// that it needs re-authorization. An account in another status is left
// as it is.
func (s *Service) Expire(ctx context.Context, projectID, id, reason string) (store.Account, error) {
	a, err := s.Store.UpdateAccount(ctx, projectID, id, func(a store.Account) (store.Account, error) {
		if a.Status != store.StatusActive {
			return a, errSkip
		}
		now := s.now()
		a.Status, a.StatusReason, a.UpdatedAt = store.StatusExpired, reason, now
		a.Health, a.HealthError = store.HealthNeedsReauth, reason
		return a, nil
	})
	if errors.Is(err, errSkip) {
		return s.Get(ctx, projectID, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return store.Account{}, notFound(id)
	}
	return a, err
}

// Verify checks an ACTIVE OAuth2 account's credentials with its toolkit's
// identity call, refreshing the token first when it expired and once more
// when the provider answers 401. It records the outcome (Health,
// VerifiedAt, HealthError) and returns the account as it is now:
//   - the call works: ok, verified now;
//   - 401 after a refresh, or a refused refresh: EXPIRED, needs_reauth;
//   - anything else (the provider unreachable, an odd answer): the last
//     error, health unchanged, so one outage does not expire anyone.
//
// An account whose toolkit has no identity call to make with its token is
// marked unverified, which the prober then passes over; one that is not
// ACTIVE is returned as it is.
func (s *Service) Verify(ctx context.Context, projectID, id string) (store.Account, error) {
	a, err := s.Get(ctx, projectID, id)
	if err != nil || a.Status != store.StatusActive {
		return a, err
	}
	ac, err := s.AuthConfigs.Get(ctx, projectID, a.AuthConfigID)
	if err != nil {
		return a, err
	}
	if ac.AuthScheme != string(toolkits.ModeOAuth2) {
		return s.verifyForm(ctx, a, ac)
	}
	client, err := s.AuthConfigs.OAuthClient(ctx, ac, s.RedirectURI())
	if err != nil {
		return s.recordHealth(ctx, a, "", "the auth config's OAuth settings are incomplete")
	}
	if client.Identity.URL == "" || client.Identity.FromTokenResponse {
		return s.recordHealth(ctx, a, store.HealthUnverified, "the toolkit has no identity call to check the token with")
	}
	rejected := ""
	for attempt := 0; ; attempt++ {
		tok, err := s.Token(ctx, a, rejected)
		if err != nil {
			if p, ok := problem.As(err); ok && p.Code == "connected_account_expired" {
				return s.recordHealth(ctx, a, store.HealthNeedsReauth, p.Message)
			}
			return s.recordHealth(ctx, a, "", "the token could not be refreshed: "+cleanMessage(err))
		}
		_, _, err = client.FetchIdentity(ctx, s.Egress, tok.AccessToken)
		switch {
		case err == nil:
			return s.recordHealth(ctx, a, store.HealthOK, "")
		case errors.Is(err, oauth.ErrUnauthorized) && attempt == 0:
			rejected = tok.AccessToken
			continue
		case errors.Is(err, oauth.ErrUnauthorized):
			return s.Expire(ctx, projectID, id, ReasonRejected)
		}
		return s.recordHealth(ctx, a, "", cleanMessage(err))
	}
}

// verifyForm checks the credentials of an account connected through a
// form (API key, bearer token, basic auth) with its toolkit's identity
// request: ok when it works; needs_reauth, with the account left ACTIVE as
// tool calls leave it, when the provider answers 401 (there is no token to
// refresh, only the user can give a new key); otherwise the error, health
// unchanged.
func (s *Service) verifyForm(ctx context.Context, a store.Account, ac store.AuthConfig) (store.Account, error) {
	tk, ok := s.Catalog.For(ctx, a.ProjectID).Get(a.ToolkitSlug)
	if !ok {
		return s.recordHealth(ctx, a, "", "the toolkit is no longer in the catalog")
	}
	scheme, ok := tk.Scheme(toolkits.Mode(ac.AuthScheme))
	if !ok {
		return s.recordHealth(ctx, a, store.HealthUnverified, ErrNoIdentityCall.Error())
	}
	var fields map[string]string
	if err := s.Credentials(a, &fields); err != nil {
		return s.recordHealth(ctx, a, "", cleanMessage(err))
	}
	_, _, err := s.IdentifyForm(ctx, ac, tk, scheme, fields)
	switch {
	case err == nil:
		return s.recordHealth(ctx, a, store.HealthOK, "")
	case errors.Is(err, ErrNoIdentityCall):
		return s.recordHealth(ctx, a, store.HealthUnverified, err.Error())
	case errors.Is(err, oauth.ErrUnauthorized):
		return s.recordHealth(ctx, a, store.HealthNeedsReauth, ReasonKeyRefused)
	}
	return s.recordHealth(ctx, a, "", cleanMessage(err))
}

// cleanMessage is an error as an account may record it: a known error's
// text, never an upstream body (FetchIdentity's errors carry none).
func cleanMessage(err error) string {
	if p, ok := problem.As(err); ok {
		return p.Message
	}
	return err.Error()
}

// recordHealth stores a check's outcome: health "" keeps the last one and
// only records the error.
func (s *Service) recordHealth(ctx context.Context, a store.Account, health, lastErr string) (store.Account, error) {
	out, err := s.Store.UpdateAccount(ctx, a.ProjectID, a.ID, func(a store.Account) (store.Account, error) {
		now := s.now()
		switch health {
		case store.HealthOK:
			a.Health, a.VerifiedAt, a.HealthError = health, &now, ""
		case "":
			a.HealthError = lastErr
		default:
			a.Health, a.HealthError = health, lastErr
		}
		return a, nil
	})
	if err != nil {
		return a, fmt.Errorf("record health of %s: %w", a.ID, err)
	}
	return out, nil
}

// ProbeOptions configure the background prober.
type ProbeOptions struct {
	// Interval is how often an instance looks for accounts to probe; each
	// wait is jittered by up to half of it, so instances drift apart.
	Interval time.Duration
	// Stale is how long a verification holds: an account verified more
	// recently is not probed.
	Stale time.Duration
	// Batch bounds how many accounts one round probes.
	Batch int
}

// probeLease is how long a claimed account stays this instance's to
// probe; a crashed instance's claims lapse after it.
const probeLease = 5 * time.Minute

// RunProber verifies stale ACTIVE accounts until ctx ends: each round it
// claims up to Batch accounts not verified within Stale (ClaimProbes, so
// several instances sharing a database never probe one account at once)
// and verifies them one by one.
func (s *Service) RunProber(ctx context.Context, o ProbeOptions) {
	for {
		wait := o.Interval + rand.N(o.Interval/2+1)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		n, err := s.ProbeOnce(ctx, o)
		if err != nil && ctx.Err() == nil {
			s.Logger.Warn("probe accounts", "err", err)
		} else if n > 0 {
			s.Logger.Debug("probed accounts", "count", n)
		}
	}
}

// ProbeOnce is one round of RunProber; it returns how many accounts it
// verified.
func (s *Service) ProbeOnce(ctx context.Context, o ProbeOptions) (int, error) {
	now := s.now()
	claimed, err := s.Store.ClaimProbes(ctx, now, now.Add(-o.Stale), now.Add(probeLease), o.Batch)
	if err != nil {
		return 0, fmt.Errorf("claim accounts to probe: %w", err)
	}
	for _, a := range claimed {
		if ctx.Err() != nil {
			break
		}
		if _, err := s.Verify(ctx, a.ProjectID, a.ID); err != nil {
			s.Logger.Warn("probe account", "account_id", a.ID, "err", err)
		}
	}
	return len(claimed), nil
}
