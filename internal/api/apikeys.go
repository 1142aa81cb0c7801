package api

import (
	"errors"
	"net/http"

	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/wire"
)

func apiKeyOf(k store.APIKey) wire.APIKey {
	return wire.APIKey{ID: k.ID, Name: k.Name, Scope: k.Scope, Prefix: k.Prefix, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

// createAPIKey makes a key of the caller's project; the answer is the only
// time the key is shown.
func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.APIKeyCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.APIKeyCreate, TargetType: store.AuditAPIKey, Snapshot: audit.View(audit.APIKey)})
	key, k, err := s.Projects.CreateScopedKey(ctx, p.ID, req.Name, "", req.Scope)
	if err != nil {
		return err
	}
	finish(audit.APIKey(k))
	out := apiKeyOf(k)
	out.Key = key
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request, p store.Project) error {
	keys, err := s.Projects.ListKeys(r.Context(), p.ID)
	if err != nil {
		return err
	}
	out := wire.APIKeyList{Items: make([]wire.APIKey, 0, len(keys))}
	for _, k := range keys {
		out.Items = append(out.Items, apiKeyOf(k))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request, p store.Project) error {
	id := r.PathValue("id")
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.APIKeyRevoke, TargetType: store.AuditAPIKey, TargetID: id})
	if err := s.Projects.RevokeKey(ctx, p.ID, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return problem.NotFoundf("api_key_not_found", "API key %s does not exist in this project", id)
		}
		return err
	}
	finish(nil)
	writeJSON(w, http.StatusOK, wire.Success{Success: true})
	return nil
}
