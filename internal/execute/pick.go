package execute

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// pick finds the account a call must use. A Result means the tool cannot
// run and says why (with a link to fix it where there is one); an error
// means the request itself named something wrong.
func (s *Service) pick(ctx context.Context, p store.Project, c Call, toolkit, logID string) (store.Account, *Result, error) {
	if c.SessionID != "" {
		sess, err := s.Sessions.Get(ctx, p.ID, c.SessionID)
		if err != nil {
			return store.Account{}, nil, err
		}
		// A tool the session's options refuse is refused before any
		// account is looked at (its toolkit being off is a Result below).
		if tool, ok := s.Catalog.Tool(c.Tool); ok && sess.Config.Toolkits.Allows(toolkit) {
			if err := sess.ToolAllowed(tool); err != nil {
				return store.Account{}, nil, err
			}
		}
		a, msg, err := s.inSession(ctx, p, sess, toolkit, c.Account)
		if err != nil || msg != "" {
			if msg != "" {
				r := failed(logID, "%s", msg)
				return store.Account{}, &r, nil
			}
			return store.Account{}, nil, err
		}
		return a, nil, nil
	}
	return s.outsideSession(ctx, p, c, toolkit, logID)
}

// accountNotFound is the error the official SDK maps to "connected account
// not found" (code 1803).
func accountNotFound(format string, args ...any) error {
	return problem.NotFoundf("connected_account_not_found", format, args...).
		WithFix("List the user's accounts with GET /api/v3.1/connected_accounts?user_ids=…")
}

func (s *Service) outsideSession(ctx context.Context, p store.Project, c Call, toolkit, logID string) (store.Account, *Result, error) {
	var a store.Account
	switch {
	case c.ConnectedAccountID != "":
		var err error
		a, err = s.Accounts.Get(ctx, p.ID, c.ConnectedAccountID)
		if err != nil || (c.UserID != "" && a.UserID != c.UserID) {
			return store.Account{}, nil, accountNotFound("connected account %s not found", c.ConnectedAccountID)
		}
		if a.ToolkitSlug != toolkit {
			return store.Account{}, nil, problem.Invalidf("toolkit_mismatch", "connected_account_id",
				"connected account %s is a %s account; this tool needs %s", a.ID, a.ToolkitSlug, toolkit)
		}
	case c.UserID != "":
		found, ok, err := s.Accounts.MostRecent(ctx, p.ID, c.UserID, toolkit)
		if err != nil {
			return store.Account{}, nil, err
		}
		if !ok {
			return store.Account{}, nil, accountNotFound("user %s has no ACTIVE %s account", c.UserID, toolkit)
		}
		a = found
	default:
		return store.Account{}, nil, problem.Invalidf("user_id_required", "user_id", "name the account with user_id or connected_account_id")
	}
	if a.Status != store.StatusActive {
		r := failed(logID, "%s", s.unusable(ctx, p, a))
		return store.Account{}, &r, nil
	}
	return a, nil, nil
}

// inSession applies the session's selection rules. msg, when set, is why
// the tool cannot run.
func (s *Service) inSession(ctx context.Context, p store.Project, sess sessions.Session, toolkit, ref string) (a store.Account, msg string, err error) {
	if !sess.Config.Toolkits.Allows(toolkit) {
		return a, fmt.Sprintf("toolkit %s is not enabled in session %s", toolkit, sess.ID), nil
	}
	if !sess.Config.MultiAccount.Enabled {
		act, err := s.Sessions.ActiveAccount(ctx, sess, toolkit)
		if err != nil {
			return a, "", err
		}
		if act == nil {
			return a, s.noAccount(ctx, p, sess, toolkit), nil
		}
		if ref != "" && ref != act.ID && ref != act.Alias {
			return a, fmt.Sprintf("session %s uses %s for %s, not %s; create a session pinned to %s, or enable multi_account", sess.ID, act.ID, toolkit, ref, ref), nil
		}
		if act.Status != store.StatusActive {
			return a, s.unusable(ctx, p, *act), nil
		}
		return *act, "", nil
	}
	cands, err := s.candidates(ctx, p, sess, toolkit)
	if err != nil {
		return a, "", err
	}
	if ref != "" {
		for _, c := range cands {
			if c.ID == ref || (c.Alias != "" && c.Alias == ref) {
				return c, "", nil
			}
		}
		return a, fmt.Sprintf("%s is not one of the %s accounts this session may use: %s", ref, toolkit, describe(cands)), nil
	}
	switch {
	case len(cands) == 0:
		return a, s.noAccount(ctx, p, sess, toolkit), nil
	case len(cands) > 1 && sess.Config.MultiAccount.RequireExplicitSelection:
		return a, fmt.Sprintf("this session requires choosing a %s account: pass account as one of %s", toolkit, describe(cands)), nil
	}
	return cands[0], "", nil
}

// candidates are the ACTIVE accounts a multi-account session may use for
// a toolkit: its pins, or else the user's accounts, most recent first, up
// to the session's maximum.
func (s *Service) candidates(ctx context.Context, p store.Project, sess sessions.Session, toolkit string) ([]store.Account, error) {
	max := sess.Config.MultiAccount.MaxAccountsPerToolkit
	if max == 0 {
		max = 5
	}
	if pins := sess.Config.Pins[toolkit]; len(pins) > 0 {
		var out []store.Account
		for _, id := range pins {
			a, err := s.Accounts.Get(ctx, p.ID, id)
			if err == nil && a.Status == store.StatusActive {
				out = append(out, a)
			} else if err != nil {
				if _, ok := problem.As(err); !ok {
					return nil, err
				}
			}
		}
		return out, nil
	}
	page, err := s.Accounts.List(ctx, p.ID, store.AccountFilter{
		UserIDs: []string{sess.UserID}, ToolkitSlugs: []string{toolkit}, Statuses: []string{store.StatusActive},
		OrderBy: store.OrderConnectedAt, Limit: max,
	})
	return page.Items, err
}

// describe lists accounts for an agent to choose from.
func describe(as []store.Account) string {
	if len(as) == 0 {
		return "(none is ACTIVE)"
	}
	parts := make([]string, 0, len(as))
	for _, a := range as {
		d := a.ID
		var extra []string
		if a.Alias != "" {
			extra = append(extra, "alias "+a.Alias)
		}
		if a.Identity != "" {
			extra = append(extra, a.Identity)
		}
		if len(extra) > 0 {
			d += " (" + strings.Join(extra, ", ") + ")"
		}
		parts = append(parts, d)
	}
	return strings.Join(parts, ", ")
}

// noAccount explains that a toolkit has no account and, where the project
// can connect one, gives the link to do it.
func (s *Service) noAccount(ctx context.Context, p store.Project, sess sessions.Session, toolkit string) string {
	msg := fmt.Sprintf("%s has no connected account for %s", toolkit, sess.UserID)
	_, l, err := s.Sessions.Connect(ctx, p, sess.ID, toolkit, "")
	if err != nil {
		if pe, ok := problem.As(err); ok {
			return msg + "; " + pe.Message
		}
		return msg
	}
	return msg + "; authorize it with this link: " + s.Accounts.LinkURL(l.Token)
}

// unusable explains why an account cannot be used and how to fix it.
func (s *Service) unusable(ctx context.Context, p store.Project, a store.Account) string {
	msg := fmt.Sprintf("connected account %s is %s", a.ID, a.Status)
	if a.StatusReason != "" {
		msg += ": " + a.StatusReason
	}
	switch a.Status {
	case store.StatusInactive:
		return msg + "; enable it with PATCH /api/v3.1/connected_accounts/" + a.ID + "/status"
	case store.StatusExpired, store.StatusFailed:
		if _, l, err := s.Accounts.Reauthorize(ctx, p, a.ID, ""); err == nil {
			return msg + "; re-authorize it with this link: " + s.Accounts.LinkURL(l.Token)
		}
	}
	return msg
}
