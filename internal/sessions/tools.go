package sessions

import (
	"context"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// Tools returns the tools a session exposes, sorted by slug: every tool
// of the toolkits its configuration allows that its Access allows.
func (s *Service) Tools(ctx context.Context, sess Session) ([]toolkits.Tool, error) {
	acc, err := s.Access(ctx, sess)
	if err != nil {
		return nil, err
	}
	var out []toolkits.Tool
	for _, t := range s.Catalog.For(ctx, sess.ProjectID).Tools() {
		if acc.Exposes(t) {
			out = append(out, t)
		}
	}
	return out, nil
}
