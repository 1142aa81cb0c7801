package execute

import (
	"context"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// pick finds the account a call must use by the selection rule (which
// sessions owns). A Result means the call cannot run and says why, with
// the link that fixes it where one does; an error means the request
// itself named something wrong.
func (s *Service) pick(ctx context.Context, p store.Project, c Call, tool *toolkits.Tool, toolkit, logID string) (store.Account, *Result, error) {
	a, refusal, err := s.Sessions.Select(ctx, p, sessions.Want{
		Toolkit: toolkit, Tool: tool, SessionID: c.SessionID, Account: c.Account,
		UserID: c.UserID, ConnectedAccountID: c.ConnectedAccountID,
	})
	if err != nil {
		return store.Account{}, nil, err
	}
	if refusal != nil {
		r := failed(logID, "%s", s.explain(ctx, p, refusal, logID))
		return store.Account{}, &r, nil
	}
	return a, nil, nil
}

// explain is a refusal as the agent reads it, with the link that fixes
// it, which it makes here, after the refusal was decided.
func (s *Service) explain(ctx context.Context, p store.Project, r *sessions.Refusal, logID string) string {
	link, err := s.Sessions.Offer(ctx, p, r)
	if _, expected := problem.As(err); err != nil && !expected && s.Logger != nil {
		s.Logger.WarnContext(ctx, "no link for a refused call", "log_id", logID, "error", err)
	}
	return r.Message(link, err)
}
