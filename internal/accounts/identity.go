package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// This file is what an account's upstream identity decides: which older
// account a reconnection of the same identity replaces (its twin), and
// which other users connected the same identity.

// Duplicate policies of an auth config (store.AuthConfig.DuplicatePolicy):
// what connecting an upstream identity that an ACTIVE account of the same
// user and auth config already has does.
const (
	// PolicySupersede makes the new account replace the old one: the old
	// one becomes INACTIVE, superseded by the new, which takes its alias
	// and its place as the default; sessions pinned to the old one use the
	// new one. It is the default.
	PolicySupersede = "supersede"
	// PolicyAllow keeps both ACTIVE.
	PolicyAllow = "allow"
	// PolicyReject refuses the new connection; the old account stays.
	PolicyReject = "reject"
)

// Policy is the effective duplicate policy of an auth config.
func Policy(ac store.AuthConfig) string {
	if ac.DuplicatePolicy == "" {
		return PolicySupersede
	}
	return ac.DuplicatePolicy
}

// ReasonSuperseded is the reason of an account a reconnection of its
// upstream identity replaced.
func ReasonSuperseded(by string) string { return "superseded by " + by }

// Twins returns the ACTIVE accounts other than a of a's user, toolkit and
// auth config whose upstream identity is identityID: the accounts a new
// connection of that identity would duplicate. An unknown identity has
// none.
func (s *Service) Twins(ctx context.Context, a store.Account, identityID string) ([]store.Account, error) {
	if identityID == "" {
		return nil, nil
	}
	var out []store.Account
	err := store.Walk(func(cursor string) (store.Page[store.Account], error) {
		return s.Store.ListAccounts(ctx, a.ProjectID, store.AccountFilter{
			UserIDs: []string{a.UserID}, ToolkitSlugs: []string{a.ToolkitSlug}, AuthConfigIDs: []string{a.AuthConfigID},
			IdentityIDs: []string{identityID}, Statuses: []string{store.StatusActive},
			OrderBy: store.OrderConnectedAt, Cursor: cursor, Limit: 100,
		})
	}, func(t store.Account) error {
		if t.ID != a.ID {
			out = append(out, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find accounts of the same identity: %w", err)
	}
	return out, nil
}

// DuplicateError refuses a connection under PolicyReject: the identity is
// already connected as Twin.
type DuplicateError struct {
	Identity string
	Twin     store.Account
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s is already connected as %s, and the auth config's duplicate_policy is reject", e.Identity, e.Twin.ID)
}

// CheckDuplicate refuses, with a *DuplicateError, to connect account a as
// upstream identity identityID (display names it) when its auth config's
// policy is reject and an ACTIVE twin exists.
func (s *Service) CheckDuplicate(ctx context.Context, a store.Account, display, identityID string) error {
	ac, err := s.Store.GetAuthConfig(ctx, a.ProjectID, a.AuthConfigID)
	if err != nil {
		return fmt.Errorf("get auth config of %s: %w", a.ID, err)
	}
	if Policy(ac) != PolicyReject {
		return nil
	}
	twins, err := s.Twins(ctx, a, identityID)
	if err != nil || len(twins) == 0 {
		return err
	}
	if display == "" {
		display = identityID
	}
	return &DuplicateError{Identity: display, Twin: twins[0]}
}

// Takeover is what an account connecting an identity takes from the twins
// it supersedes (Supersede): the alias of one of them, when it has none,
// and the default mark. Twins are the superseded accounts as they were,
// for Restore.
type Takeover struct {
	Alias     string
	IsDefault bool
	Twins     []store.Account
}

// Apply gives a what the takeover moved to it; the caller writes a.
func (t Takeover) Apply(a store.Account) store.Account {
	if a.Alias == "" && t.Alias != "" {
		a.Alias = t.Alias
	}
	a.IsDefault = a.IsDefault || t.IsDefault
	return a
}

// Supersede applies the auth config's duplicate policy to account a,
// about to become ACTIVE with upstream identity identityID: under
// PolicySupersede every ACTIVE twin becomes INACTIVE, superseded by a,
// giving up its alias (when a has none, so that a can take it) and its
// default mark. The caller then activates a with Takeover.Apply in the
// same write, so that nobody sees a ACTIVE beside an ACTIVE twin, or
// without the alias it took; if that write fails, Restore puts the twins
// back.
func (s *Service) Supersede(ctx context.Context, a store.Account, identityID string) (Takeover, error) {
	var tk Takeover
	ac, err := s.Store.GetAuthConfig(ctx, a.ProjectID, a.AuthConfigID)
	if err != nil {
		return tk, fmt.Errorf("get auth config of %s: %w", a.ID, err)
	}
	if Policy(ac) != PolicySupersede {
		return tk, nil
	}
	twins, err := s.Twins(ctx, a, identityID)
	if err != nil {
		return tk, err
	}
	for _, t := range twins {
		var was store.Account
		_, err := s.Store.UpdateAccount(ctx, a.ProjectID, t.ID, func(t store.Account) (store.Account, error) {
			if t.Status != store.StatusActive {
				return t, errSkip
			}
			was = t
			t.Status, t.StatusReason, t.SupersededBy = store.StatusInactive, ReasonSuperseded(a.ID), a.ID
			t.IsDefault, t.UpdatedAt = false, s.now()
			if a.Alias == "" && tk.Alias == "" && t.Alias != "" {
				tk.Alias, t.Alias = t.Alias, ""
			}
			return t, nil
		})
		if errors.Is(err, errSkip) || errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			s.Restore(ctx, tk)
			return Takeover{}, fmt.Errorf("supersede %s: %w", t.ID, err)
		}
		tk.IsDefault = tk.IsDefault || was.IsDefault
		tk.Twins = append(tk.Twins, was)
	}
	return tk, nil
}

// Restore undoes Supersede for an account that did not become ACTIVE: each
// twin it superseded is ACTIVE again, with its alias, default mark and
// reason, unless it changed since.
func (s *Service) Restore(ctx context.Context, tk Takeover) {
	for _, was := range tk.Twins {
		_, err := s.Store.UpdateAccount(ctx, was.ProjectID, was.ID, func(t store.Account) (store.Account, error) {
			if t.Status != store.StatusInactive || t.SupersededBy == "" {
				return t, errSkip
			}
			t.Status, t.StatusReason, t.SupersededBy = was.Status, was.StatusReason, ""
			t.Alias, t.IsDefault, t.UpdatedAt = was.Alias, was.IsDefault, s.now()
			return t, nil
		})
		if err != nil && !errors.Is(err, errSkip) {
			s.Logger.WarnContext(ctx, "restore superseded account", "account_id", was.ID, "err", err)
		}
	}
}

var errSkip = errors.New("skip")

// maxSupersessions bounds how far Current follows superseded accounts.
const maxSupersessions = 16

// Current follows a superseded account to the account that replaced it,
// and that one's replacement, and so on: what a pin of a now means. An
// account not superseded is returned as it is.
func (s *Service) Current(ctx context.Context, a store.Account) (store.Account, error) {
	for range maxSupersessions {
		if a.Status != store.StatusInactive || a.SupersededBy == "" {
			return a, nil
		}
		next, err := s.Store.GetAccount(ctx, a.ProjectID, a.SupersededBy)
		if errors.Is(err, store.ErrNotFound) {
			return a, nil
		}
		if err != nil {
			return a, fmt.Errorf("follow %s to %s: %w", a.ID, a.SupersededBy, err)
		}
		a = next
	}
	return a, nil
}

// SharedIdentities returns, for each account in as that records an
// upstream identity, the other user ids of the project that have an
// account of the same toolkit with that identity: the same person (or
// team account) connected under two user ids, which Switchboard reports
// but never merges.
func (s *Service) SharedIdentities(ctx context.Context, projectID string, as []store.Account) (map[string][]string, error) {
	byToolkit := map[string][]string{}
	for _, a := range as {
		if a.IdentityID != "" && !slices.Contains(byToolkit[a.ToolkitSlug], a.IdentityID) {
			byToolkit[a.ToolkitSlug] = append(byToolkit[a.ToolkitSlug], a.IdentityID)
		}
	}
	users := map[[2]string][]string{} // toolkit, identity → user ids
	for toolkit, idents := range byToolkit {
		err := store.Walk(func(cursor string) (store.Page[store.Account], error) {
			return s.Store.ListAccounts(ctx, projectID, store.AccountFilter{
				ToolkitSlugs: []string{toolkit}, IdentityIDs: idents, Cursor: cursor, Limit: 500,
			})
		}, func(o store.Account) error {
			k := [2]string{toolkit, o.IdentityID}
			if !slices.Contains(users[k], o.UserID) {
				users[k] = append(users[k], o.UserID)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("find shared identities: %w", err)
		}
	}
	out := map[string][]string{}
	for _, a := range as {
		for _, u := range users[[2]string{a.ToolkitSlug, a.IdentityID}] {
			if u != a.UserID {
				out[a.ID] = append(out[a.ID], u)
			}
		}
		slices.Sort(out[a.ID])
	}
	return out, nil
}

// SetDefault makes an ACTIVE account its user's default for its toolkit,
// or with on false stops it being the default. The user's previous
// default stops being one.
func (s *Service) SetDefault(ctx context.Context, projectID, id string, on bool) (store.Account, error) {
	a, err := s.Store.UpdateAccount(ctx, projectID, id, func(a store.Account) (store.Account, error) {
		if on && a.Status != store.StatusActive {
			return a, problem.Invalidf("account_not_active", "is_default",
				"account %s is %s; only an ACTIVE account can be the default", a.ID, a.Status).
				WithFix("Re-authorize or enable it first, or choose another account")
		}
		if a.IsDefault == on {
			return a, errSkip
		}
		a.IsDefault, a.UpdatedAt = on, s.now()
		return a, nil
	})
	switch {
	case errors.Is(err, errSkip):
		return s.Get(ctx, projectID, id)
	case errors.Is(err, store.ErrNotFound):
		return store.Account{}, notFound(id)
	}
	return a, err
}

// Default returns the account a user's calls of a toolkit use when
// nothing names one: the account the user chose as the toolkit's default,
// in whatever status it is (a chosen account is reported, never silently
// replaced), else the user's most recently connected ACTIVE one; followed
// through supersessions; false when there is neither. It is one store
// query (store.Store.DefaultAccount); the chosen one has IsDefault set.
func (s *Service) Default(ctx context.Context, projectID, userID, toolkit string) (store.Account, bool, error) {
	a, err := s.Store.DefaultAccount(ctx, projectID, userID, toolkit)
	if errors.Is(err, store.ErrNotFound) {
		return store.Account{}, false, nil
	}
	if err != nil {
		return store.Account{}, false, fmt.Errorf("find default account: %w", err)
	}
	a, err = s.Current(ctx, a)
	return a, err == nil, err
}

// ReasonKeyRefused is the health error of an account connected through a
// form whose provider no longer takes its credentials.
const ReasonKeyRefused = "The provider refused the account's credentials (HTTP 401); the user must connect the account again with valid ones"

// ErrNoIdentityCall is IdentifyForm's answer for credentials it has no
// identity request to make with.
var ErrNoIdentityCall = errors.New("the toolkit has no identity call for this auth scheme")

// IdentifyForm names the upstream account of the credentials of a form
// (API key, bearer token, basic auth) of auth config ac: the toolkit's
// identity request, made with them as its tool calls carry them
// (toolkits.AuthScheme.Authorize) and with the toolkit's headers. A
// toolkit without an identity request (or whose identity comes from an
// OAuth2 token response) calls nothing: ErrNoIdentityCall. The request
// goes where the credentials go: under the auth config's base_url
// override when it has one, and not at all (ErrNoIdentityCall) when the
// identity URL is not under the toolkit's base URL and so has no place
// under the override. A 401 is oauth.ErrUnauthorized: the provider refused
// the credentials.
func (s *Service) IdentifyForm(ctx context.Context, ac store.AuthConfig, tk toolkits.Toolkit, scheme toolkits.AuthScheme, fields map[string]string) (display, identityID string, err error) {
	in := tk.Identity
	if in == nil || in.Source != toolkits.FromEndpoint {
		return "", "", ErrNoIdentityCall
	}
	base, url, err := tk.URLs(fields)
	if err != nil {
		return "", "", fmt.Errorf("fill identity URL: %w", err)
	}
	if override := strings.TrimRight(ac.Params["base_url"], "/"); override != "" {
		rest, under := strings.CutPrefix(url, base)
		if !under || (rest != "" && !strings.HasPrefix(rest, "/")) {
			return "", "", ErrNoIdentityCall
		}
		url = override + rest
	}
	c := oauth.Client{Identity: oauth.Identity{URL: url, Method: in.Method, Body: string(in.Body), Extract: in.Extract}}
	return c.FetchIdentityWith(ctx, s.Egress, func(req *http.Request) error {
		for k, v := range tk.Headers {
			req.Header.Set(k, v)
		}
		return scheme.Authorize(req, fields)
	})
}
