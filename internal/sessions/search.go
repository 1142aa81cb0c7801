package sessions

import (
	"cmp"
	"context"
	"slices"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// SearchResult is what a search found for one use case.
type SearchResult struct {
	UseCase  string
	Primary  []toolkits.Tool
	Related  []toolkits.Tool
	Toolkits []string
}

// ToolkitStatus tells an agent whether a toolkit it found can run, and
// with which accounts.
type ToolkitStatus struct {
	Toolkit toolkits.Toolkit
	// Connected reports whether the toolkit's tools can run: the session
	// has an ACTIVE account for it, or it needs none (NoAuth).
	Connected   bool
	NoAuth      bool
	Message     string
	Accounts    []store.Account
	ActiveID    string
	ActiveState string
}

// connectedBoost multiplies the search score of a tool whose toolkit the
// session's user has an ACTIVE account of: with Gmail connected and
// Outlook not, "send an email" should find Gmail's tool first, while a
// much better match elsewhere still wins.
const connectedBoost = 1.5

// Search finds tools for each use case among the session's toolkits (or
// the given subset) and reports each found toolkit's connection status.
// Tools of toolkits the user has connected rank higher (connectedBoost).
func (s *Service) Search(ctx context.Context, sess Session, useCases []string, only []string) ([]SearchResult, []ToolkitStatus, error) {
	access, err := s.Access(ctx, sess)
	if err != nil {
		return nil, nil, err
	}
	cat := s.Catalog.For(ctx, sess.ProjectID)
	var allowed []string
	for _, tk := range cat.List() {
		if sess.Config.Toolkits.Allows(tk.Slug) && (len(only) == 0 || slices.Contains(only, tk.Slug)) {
			allowed = append(allowed, tk.Slug)
		}
	}
	var results []SearchResult
	var order []string
	connected := map[string]bool{}
	for _, q := range useCases {
		res := SearchResult{UseCase: q}
		if len(allowed) > 0 {
			matches, err := s.preferConnected(ctx, sess, cat.SearchTools(q, allowed, 0), connected)
			if err != nil {
				return nil, nil, err
			}
			var found []toolkits.ToolMatch
			for _, m := range matches {
				if len(found) < 8 && access.Exposes(m.Tool) {
					found = append(found, m)
				}
			}
			for i, m := range found {
				if i < 3 {
					res.Primary = append(res.Primary, m.Tool)
				} else {
					res.Related = append(res.Related, m.Tool)
				}
				if !slices.Contains(res.Toolkits, m.Tool.Toolkit) {
					res.Toolkits = append(res.Toolkits, m.Tool.Toolkit)
				}
				if !slices.Contains(order, m.Tool.Toolkit) {
					order = append(order, m.Tool.Toolkit)
				}
			}
		}
		results = append(results, res)
	}
	var statuses []ToolkitStatus
	for _, slug := range order {
		st, err := s.Status(ctx, sess, slug)
		if err != nil {
			return nil, nil, err
		}
		statuses = append(statuses, st)
	}
	return results, statuses, nil
}

// preferConnected boosts the matches among the first few dozen whose
// toolkit the session's user has an ACTIVE account of, and reorders them.
// connected caches what it learnt, by toolkit.
func (s *Service) preferConnected(ctx context.Context, sess Session, matches []toolkits.ToolMatch, connected map[string]bool) ([]toolkits.ToolMatch, error) {
	const considered = 32 // far more than a search returns
	head := matches[:min(len(matches), considered)]
	for i, m := range head {
		ok, seen := connected[m.Tool.Toolkit]
		if !seen {
			act, err := s.AccountFor(ctx, sess, m.Tool.Toolkit)
			if err != nil {
				return nil, err
			}
			ok = act != nil && act.Status == store.StatusActive
			connected[m.Tool.Toolkit] = ok
		}
		if ok {
			head[i].Score *= connectedBoost
		}
	}
	slices.SortStableFunc(head, func(a, b toolkits.ToolMatch) int { return cmp.Compare(b.Score, a.Score) })
	return matches, nil
}

// Status describes a toolkit's accounts for a session's user: the one the
// session uses, and all of them.
func (s *Service) Status(ctx context.Context, sess Session, slug string) (ToolkitStatus, error) {
	tk, _ := s.Catalog.For(ctx, sess.ProjectID).Get(slug)
	if tk.NoAuth() {
		return ToolkitStatus{Toolkit: tk, Connected: true, NoAuth: true,
			Message: "Needs no connection: its tools run without an account"}, nil
	}
	act, err := s.AccountFor(ctx, sess, slug)
	if err != nil {
		return ToolkitStatus{}, err
	}
	st := ToolkitStatus{Toolkit: tk}
	switch {
	case act == nil:
		st.Message = "No connected account for " + sess.UserID
	case act.Status != store.StatusActive:
		st.ActiveID, st.ActiveState = act.ID, act.Status
		st.Message = "The session's account " + act.ID + " is " + act.Status
	default:
		st.Connected, st.ActiveID, st.ActiveState = true, act.ID, act.Status
		name := act.Identity
		if name == "" {
			name = act.ID
		}
		st.Message = "Connected as " + name
	}
	page, err := s.Accounts.List(ctx, sess.ProjectID, store.AccountFilter{
		UserIDs: []string{sess.UserID}, ToolkitSlugs: []string{slug}, OrderBy: store.OrderConnectedAt, Limit: 20,
	})
	if err != nil {
		return st, err
	}
	st.Accounts = page.Items
	return st, nil
}
