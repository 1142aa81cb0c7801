package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// toolkitSchema serves the JSON Schema of the toolkit format at
// toolkits.SchemaPath. It is public, with no API key: editors and
// importers fetch it, and it holds nothing of any project.
func (s *Server) toolkitSchema() http.Handler {
	body := toolkits.JSONSchema()
	failed := func(w http.ResponseWriter, r *http.Request) { writeError(w, r, s.Logger, errors.New("panic")) }
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		reqlog.Serve(s.Logger, rw, r, failed, func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "application/schema+json")
			h.Set("Content-Length", strconv.Itoa(len(body)))
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Cache-Control", "public, max-age=300")
			w.WriteHeader(http.StatusOK)
			if r.Method != http.MethodHead {
				w.Write(body)
			}
		})
	})
}
