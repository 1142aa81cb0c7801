package sessions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// This file is the account-selection rule, in one place: which account a
// call uses (DESIGN.md, "Selection"), and, when none can be used, why and
// what fixes it. Selecting only reads; making the link a refusal calls for
// is a separate, explicit step (Offer).

// Want is what a call asks of the selection rule.
type Want struct {
	// Toolkit is the toolkit whose account the call needs.
	Toolkit string
	// Tool, when set, is the tool being called; a session's options may
	// refuse it before any account is looked at.
	Tool *toolkits.Tool
	// SessionID selects in a session; Account then names the account (id
	// or alias), which multi-account mode lets a call choose.
	SessionID string
	Account   string
	// UserID or ConnectedAccountID select outside a session.
	UserID             string
	ConnectedAccountID string
}

// Refusal says why no account can run a call, and what fixes it. It is a
// tool result for the agent, not a request error.
type Refusal struct {
	// Reason is why the call cannot run.
	Reason string
	// Fix is what fixes it.
	Fix Fix
}

// Fix is what ends a refusal. At most one of Connect and Reauthorize is
// set; either means a link fixes it (Offer makes it). Do, when set, is the
// instruction where no link does.
type Fix struct {
	// Connect is the toolkit the session SessionID's user must connect.
	Connect   string
	SessionID string
	// Reauthorize is the account the user must authorize again.
	Reauthorize string
	Do          string
}

// Message is the refusal as the agent reads it: the reason, then the fix,
// with link when Offer made one, or why it could not.
func (r *Refusal) Message(link string, linkErr error) string {
	msg := r.Reason
	switch {
	case r.Fix.Do != "":
		msg += "; " + r.Fix.Do
	case link != "" && r.Fix.Connect != "":
		msg += "; authorize it with this link: " + link
	case link != "":
		msg += "; re-authorize it with this link: " + link
	case r.Fix.Connect != "" && linkErr != nil:
		// Why no link could be made (no auth config, say) is the fix.
		if pe, ok := problem.As(linkErr); ok {
			msg += "; " + pe.Message
		}
	}
	return msg
}

// Offer makes the link that fixes a refusal: the session's pending link
// for the toolkit (or a new one), or a new link to re-authorize the
// account. It returns "" for a refusal no link fixes. This is the one
// write of selection, and it is the caller's to make: selecting never
// writes.
func (s *Service) Offer(ctx context.Context, p store.Project, r *Refusal) (string, error) {
	switch {
	case r.Fix.Connect != "":
		_, l, err := s.Connect(ctx, p, r.Fix.SessionID, r.Fix.Connect, "")
		if err != nil {
			return "", err
		}
		return s.Accounts.LinkURL(l.Token), nil
	case r.Fix.Reauthorize != "":
		_, l, err := s.Accounts.Reauthorize(ctx, p, r.Fix.Reauthorize, "")
		if err != nil {
			return "", err
		}
		return s.Accounts.LinkURL(l.Token), nil
	}
	return "", nil
}

// Select finds the account a call must use. A Refusal means the call
// cannot run and says why; an error means the request itself named
// something wrong (an unknown session or account, a tool the session
// refuses). It only reads.
func (s *Service) Select(ctx context.Context, p store.Project, w Want) (store.Account, *Refusal, error) {
	if w.SessionID == "" {
		return s.selectOutside(ctx, p, w)
	}
	sess, err := s.getShared(ctx, p.ID, w.SessionID) // Select only reads
	if err != nil {
		return store.Account{}, nil, err
	}
	if !sess.Config.Toolkits.Allows(w.Toolkit) {
		return store.Account{}, &Refusal{Reason: fmt.Sprintf("toolkit %s is not enabled in session %s", w.Toolkit, sess.ID)}, nil
	}
	// A tool the session's options refuse is refused before any account
	// is looked at.
	if w.Tool != nil {
		if err := sess.ToolAllowed(*w.Tool); err != nil {
			return store.Account{}, nil, err
		}
	}
	if s.noAuth(ctx, p.ID, w.Toolkit) {
		// A toolkit that needs no credentials runs without an account:
		// there is none to pick, connect or pin.
		if w.Account != "" {
			return store.Account{}, &Refusal{
				Reason: fmt.Sprintf("%s needs no connected account, so there is no account %s to use", w.Toolkit, w.Account),
				Fix:    Fix{Do: "call the tool without naming an account"},
			}, nil
		}
		return store.Account{}, nil, nil
	}
	if !sess.Config.MultiAccount.Enabled {
		return s.selectSingle(ctx, sess, w)
	}
	return s.selectMulti(ctx, sess, w)
}

// noAuth reports whether the project's catalog has toolkit as one that
// needs no credentials (toolkits.Toolkit.NoAuth).
func (s *Service) noAuth(ctx context.Context, projectID, toolkit string) bool {
	tk, ok := s.Catalog.For(ctx, projectID).Get(toolkit)
	return ok && tk.NoAuth()
}

// AccountNotFound is the error the official SDK maps to "connected account
// not found" (code 1803).
func AccountNotFound(format string, args ...any) error {
	return problem.NotFoundf("connected_account_not_found", format, args...).
		WithFix("List the user's accounts with GET /api/v3.1/connected_accounts?user_ids=…")
}

// selectOutside selects without a session: the named account, or else
// the user's default one (userDefault).
func (s *Service) selectOutside(ctx context.Context, p store.Project, w Want) (store.Account, *Refusal, error) {
	if s.noAuth(ctx, p.ID, w.Toolkit) {
		if w.ConnectedAccountID != "" {
			return store.Account{}, nil, authconfigs.NoAuth(w.Toolkit, "connected_account_id")
		}
		return store.Account{}, nil, nil
	}
	var a store.Account
	switch {
	case w.ConnectedAccountID != "":
		var err error
		a, err = s.Accounts.Get(ctx, p.ID, w.ConnectedAccountID)
		if err != nil || (w.UserID != "" && a.UserID != w.UserID) {
			return store.Account{}, nil, AccountNotFound("connected account %s not found", w.ConnectedAccountID)
		}
		if a, err = s.Accounts.Current(ctx, a); err != nil {
			return store.Account{}, nil, err
		}
		if a.ToolkitSlug != w.Toolkit {
			return store.Account{}, nil, problem.Invalidf("toolkit_mismatch", "connected_account_id",
				"connected account %s is a %s account; this tool needs %s", a.ID, a.ToolkitSlug, w.Toolkit)
		}
	case w.UserID != "":
		found, ok, err := s.userDefault(ctx, p.ID, w.UserID, w.Toolkit)
		if err != nil {
			return store.Account{}, nil, err
		}
		if !ok {
			return store.Account{}, nil, AccountNotFound("user %s has no ACTIVE %s account", w.UserID, w.Toolkit)
		}
		a = found
	default:
		return store.Account{}, nil, problem.Invalidf("user_id_required", "user_id", "name the account with user_id or connected_account_id")
	}
	if a.Status != store.StatusActive {
		return store.Account{}, Unusable(a), nil
	}
	return a, nil, nil
}

// selectSingle applies the rule of a session with one account per
// toolkit: its pin, or else the user's default (AccountFor).
func (s *Service) selectSingle(ctx context.Context, sess Session, w Want) (store.Account, *Refusal, error) {
	act, err := s.AccountFor(ctx, sess, w.Toolkit)
	if err != nil {
		return store.Account{}, nil, err
	}
	if act == nil {
		return store.Account{}, noAccount(sess, w.Toolkit), nil
	}
	if w.Account != "" && w.Account != act.ID && w.Account != act.Alias {
		return store.Account{}, &Refusal{
			Reason: fmt.Sprintf("session %s uses %s for %s, not %s", sess.ID, act.ID, w.Toolkit, w.Account),
			Fix:    Fix{Do: fmt.Sprintf("create a session pinned to %s, or enable multi_account", w.Account)},
		}, nil
	}
	if act.Status != store.StatusActive {
		return store.Account{}, Unusable(*act), nil
	}
	return *act, nil, nil
}

// selectMulti applies the rule of a multi-account session: the account
// the call names, among the candidates; else the first candidate, unless
// the session requires the call to choose.
func (s *Service) selectMulti(ctx context.Context, sess Session, w Want) (store.Account, *Refusal, error) {
	cands, err := s.candidates(ctx, sess, w.Toolkit)
	if err != nil {
		return store.Account{}, nil, err
	}
	if w.Account != "" {
		for _, c := range cands {
			if c.ID == w.Account || (c.Alias != "" && c.Alias == w.Account) {
				return c, nil, nil
			}
		}
		return store.Account{}, &Refusal{Reason: fmt.Sprintf("%s is not one of the %s accounts this session may use: %s", w.Account, w.Toolkit, describe(cands))}, nil
	}
	switch {
	case len(cands) == 0:
		return store.Account{}, noAccount(sess, w.Toolkit), nil
	case len(cands) > 1 && sess.Config.MultiAccount.RequireExplicitSelection:
		return store.Account{}, &Refusal{
			Reason: fmt.Sprintf("this session requires choosing a %s account", w.Toolkit),
			Fix:    Fix{Do: "pass account as one of " + describe(cands)},
		}, nil
	}
	return cands[0], nil, nil
}

// AccountFor returns the account a session uses for a toolkit: its pin
// (or the account that superseded it), or else the user's default
// (userDefault); nil when there is none. A pin that is no longer ACTIVE is
// returned as it is, never replaced, so callers check its status.
func (s *Service) AccountFor(ctx context.Context, sess Session, toolkit string) (*store.Account, error) {
	if pins := sess.Config.Pins[toolkit]; len(pins) > 0 {
		a, err := s.pinned(ctx, sess.ProjectID, pins[0])
		if errors.Is(err, store.ErrNotFound) {
			// The pinned account was deleted: report it as gone.
			return &store.Account{ID: pins[0], ProjectID: sess.ProjectID, UserID: sess.UserID, ToolkitSlug: toolkit,
				Status: "DELETED", StatusReason: "The pinned account was deleted"}, nil
		}
		if err != nil {
			return nil, err
		}
		return &a, nil
	}
	a, ok, err := s.userDefault(ctx, sess.ProjectID, sess.UserID, toolkit)
	if err != nil || !ok {
		return nil, err
	}
	return &a, nil
}

// pinned reads a pinned account, followed to the account that superseded
// it when the same upstream identity connected again.
func (s *Service) pinned(ctx context.Context, projectID, id string) (store.Account, error) {
	a, err := s.Store.GetAccount(ctx, projectID, id)
	if err != nil {
		return store.Account{}, err
	}
	return s.Accounts.Current(ctx, a)
}

// userDefault is the account a call uses when nothing names one: the
// account the user chose as the toolkit's default, in whatever status it
// is (a chosen account is never silently replaced), or else the user's
// most recently connected ACTIVE one (accounts.Service.Default, one store
// query).
func (s *Service) userDefault(ctx context.Context, projectID, userID, toolkit string) (store.Account, bool, error) {
	return s.Accounts.Default(ctx, projectID, userID, toolkit)
}

// candidates are the ACTIVE accounts a multi-account session may use for
// a toolkit: its pins, or else the user's accounts, most recent first, up
// to the session's maximum.
func (s *Service) candidates(ctx context.Context, sess Session, toolkit string) ([]store.Account, error) {
	if pins := sess.Config.Pins[toolkit]; len(pins) > 0 {
		var out []store.Account
		for _, id := range pins {
			a, err := s.pinned(ctx, sess.ProjectID, id)
			switch {
			case err == nil && a.Status == store.StatusActive && !slices.ContainsFunc(out, func(o store.Account) bool { return o.ID == a.ID }):
				out = append(out, a)
			case err != nil && !errors.Is(err, store.ErrNotFound):
				return nil, err
			}
		}
		return out, nil
	}
	page, err := s.Accounts.List(ctx, sess.ProjectID, store.AccountFilter{
		UserIDs: []string{sess.UserID}, ToolkitSlugs: []string{toolkit}, Statuses: []string{store.StatusActive},
		OrderBy: store.OrderConnectedAt, Limit: sess.Config.maxPins(),
	})
	// The user's chosen default comes first, so that it is what a call
	// that names no account uses.
	if err != nil {
		return nil, err
	}
	switch i := slices.IndexFunc(page.Items, func(a store.Account) bool { return a.IsDefault }); {
	case i > 0:
		d := page.Items[i]
		page.Items = append([]store.Account{d}, slices.Delete(page.Items, i, i+1)...)
	case i < 0:
		// A default connected before the newest few is still the first.
		d, ok, err := s.userDefault(ctx, sess.ProjectID, sess.UserID, toolkit)
		if err != nil {
			return nil, err
		}
		if ok && d.IsDefault && d.Status == store.StatusActive {
			page.Items = append([]store.Account{d}, page.Items[:min(len(page.Items), sess.Config.maxPins()-1)]...)
		}
	}
	return page.Items, nil
}

// noAccount is the refusal for a toolkit the session has no account for:
// connecting one fixes it.
func noAccount(sess Session, toolkit string) *Refusal {
	return &Refusal{
		Reason: fmt.Sprintf("%s has no connected account for %s", toolkit, sess.UserID),
		Fix:    Fix{Connect: toolkit, SessionID: sess.ID},
	}
}

// unusable is the refusal for an account that exists but is not ACTIVE.
func Unusable(a store.Account) *Refusal {
	r := &Refusal{Reason: fmt.Sprintf("connected account %s is %s", a.ID, a.Status)}
	if a.StatusReason != "" {
		r.Reason += ": " + a.StatusReason
	}
	switch a.Status {
	case store.StatusInactive:
		r.Fix.Do = "enable it with PATCH /api/v3.1/connected_accounts/" + a.ID + "/status"
	case store.StatusExpired, store.StatusFailed:
		r.Fix.Reauthorize = a.ID
	}
	return r
}

// describe lists accounts for an agent to choose from: each one's id,
// alias, identity, status and connected time.
func describe(as []store.Account) string {
	if len(as) == 0 {
		return "(none is ACTIVE)"
	}
	parts := make([]string, 0, len(as))
	for _, a := range as {
		extra := []string{}
		if a.Alias != "" {
			extra = append(extra, "alias "+a.Alias)
		}
		if a.Identity != "" {
			extra = append(extra, a.Identity)
		}
		extra = append(extra, a.Status)
		if a.ConnectedAt != nil {
			extra = append(extra, "connected "+a.ConnectedAt.UTC().Format(time.RFC3339))
		}
		if a.IsDefault {
			extra = append(extra, "default")
		}
		parts = append(parts, a.ID+" ("+strings.Join(extra, ", ")+")")
	}
	return strings.Join(parts, ", ")
}
