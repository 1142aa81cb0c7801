package sessions

import "github.com/switchboard-dev/switchboard/internal/toolkits"

// Tools returns the tools a session exposes, sorted by slug: every tool
// of the toolkits its configuration allows.
func (s *Service) Tools(sess Session) []toolkits.Tool {
	var out []toolkits.Tool
	for _, t := range s.Catalog.Tools() {
		if sess.Config.Toolkits.Allows(t.Toolkit) {
			out = append(out, t)
		}
	}
	return out
}
