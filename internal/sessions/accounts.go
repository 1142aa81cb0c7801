package sessions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// Authorize starts a connection of a toolkit for the session's user. The
// auth config is the session's choice for that toolkit, or the project's
// enabled one.
func (s *Service) Authorize(ctx context.Context, p store.Project, id, toolkit, callbackURL, alias string) (store.Account, store.Link, error) {
	sess, err := s.Get(ctx, p.ID, id)
	if err != nil {
		return store.Account{}, store.Link{}, err
	}
	if toolkit == "" {
		return store.Account{}, store.Link{}, problem.Invalidf("toolkit_required", "toolkit", "toolkit is required")
	}
	if err := s.knownToolkit(ctx, p.ID, toolkit, "toolkit"); err != nil {
		return store.Account{}, store.Link{}, err
	}
	if s.noAuth(ctx, p.ID, toolkit) {
		return store.Account{}, store.Link{}, authconfigs.NoAuth(toolkit, "toolkit")
	}
	if !sess.Config.Toolkits.Allows(toolkit) {
		return store.Account{}, store.Link{}, problem.Invalidf("toolkit_not_in_session", "toolkit", "toolkit %s is not enabled in session %s", toolkit, id).
			WithFix("Add it to the session's toolkits with PATCH /api/v3.1/tool_router/session/%s", id)
	}
	if callbackURL == "" {
		callbackURL = sess.Config.ManageConnections.CallbackURL
	}
	return s.Accounts.Link(ctx, p, accounts.LinkInput{
		UserID:       sess.UserID,
		AuthConfigID: sess.Config.AuthConfigs[toolkit],
		Toolkit:      toolkit,
		CallbackURL:  callbackURL,
		Alias:        alias,
		SessionID:    sess.ID,
	})
}

// Connected moves the session's pin for the account's toolkit to a newly
// connected account, when the link came from a session that pins that
// toolkit. Unpinned sessions need nothing: the new account is the most
// recent one.
func (s *Service) Connected(ctx context.Context, l store.Link, a store.Account) error {
	if l.SessionID == "" {
		return nil
	}
	sess, err := s.Get(ctx, l.ProjectID, l.SessionID)
	if err != nil || len(sess.Config.Pins[a.ToolkitSlug]) == 0 {
		return nil // deleted session, or nothing pinned
	}
	_, err = s.Update(ctx, l.ProjectID, l.SessionID, nil, func(c *Config) {
		pins := c.Pins[a.ToolkitSlug]
		if c.MultiAccount.Enabled {
			if !slices.Contains(pins, a.ID) {
				pins = append([]string{a.ID}, pins...)
			}
			c.Pins[a.ToolkitSlug] = pins[:min(len(pins), c.maxPins())]
			return
		}
		c.Pins[a.ToolkitSlug] = []string{a.ID}
	})
	if err != nil {
		return fmt.Errorf("move pin of session %s: %w", l.SessionID, err)
	}
	return nil
}

// ToolkitState is a toolkit of a session with the account the session
// uses for it.
type ToolkitState struct {
	Slug string
	// Account is the pinned account (in whatever status it is now) or the
	// user's most recent ACTIVE one; nil when there is none.
	Account *store.Account
	// NoAuth reports that the toolkit needs no credentials, so it has no
	// account and counts as connected.
	NoAuth bool
}

// ToolkitsFilter narrows a session's toolkit list.
type ToolkitsFilter struct {
	// Toolkits, when set, replaces the session's own toolkit list.
	Toolkits []string
	// IsConnected, when set, keeps only toolkits with (or without) an
	// ACTIVE account.
	IsConnected *bool
	Search      string
}

// Toolkits lists a session's toolkits, each with the account it uses.
func (s *Service) Toolkits(ctx context.Context, projectID, id string, f ToolkitsFilter) ([]ToolkitState, error) {
	sess, err := s.Get(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	var slugs []string
	switch {
	case len(f.Toolkits) > 0:
		for _, slug := range f.Toolkits {
			if err := s.knownToolkit(ctx, projectID, slug, "toolkits"); err != nil {
				return nil, err
			}
		}
		slugs = f.Toolkits
	default:
		for _, tk := range s.Catalog.For(ctx, projectID).List() {
			if sess.Config.Toolkits.Allows(tk.Slug) {
				slugs = append(slugs, tk.Slug)
			}
		}
	}
	out := make([]ToolkitState, 0, len(slugs))
	for _, slug := range slugs {
		if f.Search != "" && !matches(s.Catalog.For(ctx, projectID), slug, f.Search) {
			continue
		}
		if s.noAuth(ctx, projectID, slug) {
			// Usable without connecting, so it counts as connected.
			if f.IsConnected == nil || *f.IsConnected {
				out = append(out, ToolkitState{Slug: slug, NoAuth: true})
			}
			continue
		}
		a, err := s.AccountFor(ctx, sess, slug)
		if err != nil {
			return nil, err
		}
		if f.IsConnected != nil && *f.IsConnected != (a != nil && a.Status == store.StatusActive) {
			continue
		}
		out = append(out, ToolkitState{Slug: slug, Account: a})
	}
	return out, nil
}

// matches reports whether a toolkit's slug or name contains the search
// text, case-insensitively.
func matches(cat *toolkits.Catalog, slug, search string) bool {
	search = strings.ToLower(search)
	tk, _ := cat.Get(slug)
	return strings.Contains(slug, search) || strings.Contains(strings.ToLower(tk.Name), search)
}

// Connect returns a link for the session's user to connect a toolkit: the
// session's newest link for it that can still complete, or a new one. So
// an agent that asks again (or a tool call that keeps finding no account)
// hands out one link, not a new pending account per call. An alias asks
// for a new account with that alias, so it always starts a new link.
func (s *Service) Connect(ctx context.Context, p store.Project, id, toolkit, alias string) (store.Account, store.Link, error) {
	if alias == "" {
		l, err := s.Accounts.PendingLink(ctx, p.ID, id, toolkit)
		if err == nil {
			a, err := s.Store.GetAccount(ctx, p.ID, l.AccountID)
			if err == nil {
				return a, l, nil
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return store.Account{}, store.Link{}, err
		}
	}
	return s.Authorize(ctx, p, id, toolkit, "", alias)
}
