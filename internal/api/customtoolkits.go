package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/catalog"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/wire"
)

// maxToolkitBody bounds a custom toolkit's definition: an imported API of
// a thousand operations is a few megabytes.
const maxToolkitBody = 16 << 20

// toolkitDocument reads a toolkit file from the request body. It is JSON,
// or YAML when the Content-Type says so; the name it gets is what errors
// call it.
func toolkitDocument(r *http.Request) (string, []byte, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxToolkitBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return "", nil, problem.Invalidf("body_too_large", "", "the toolkit definition is larger than %d bytes", maxToolkitBody)
		}
		return "", nil, problem.Invalidf("invalid_request", "", "could not read the request body")
	}
	if err := checkBody(raw); err != nil {
		return "", nil, err
	}
	name := "body.json"
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/yaml" || mt == "application/x-yaml" || mt == "text/yaml" {
		name = "body.yaml"
	}
	return name, raw, nil
}

func (s *Server) createCustomToolkit(w http.ResponseWriter, r *http.Request, p store.Project) error {
	name, doc, err := toolkitDocument(r)
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.CustomToolkitCreate, TargetType: store.AuditToolkit, Snapshot: customToolkitView})
	c, err := s.Catalogs.Create(ctx, p.ID, name, doc)
	if err != nil {
		return err
	}
	finish(customToolkitAudit(c))
	writeJSON(w, http.StatusCreated, customToolkitJSON(c))
	return nil
}

func (s *Server) replaceCustomToolkit(w http.ResponseWriter, r *http.Request, p store.Project) error {
	name, doc, err := toolkitDocument(r)
	if err != nil {
		return err
	}
	before, err := s.Catalogs.Get(r.Context(), p.ID, r.PathValue("slug"))
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.CustomToolkitUpdate, TargetType: store.AuditToolkit, TargetID: before.Slug,
		Before: customToolkitAudit(before), Snapshot: customToolkitView})
	c, err := s.Catalogs.Replace(ctx, p.ID, r.PathValue("slug"), name, doc)
	if err != nil {
		return err
	}
	finish(customToolkitAudit(c))
	writeJSON(w, http.StatusOK, customToolkitJSON(c))
	return nil
}

func (s *Server) listCustomToolkits(w http.ResponseWriter, r *http.Request, p store.Project) error {
	if err := checkRequest(r); err != nil {
		return err
	}
	cs, err := s.Catalogs.List(r.Context(), p.ID)
	if err != nil {
		return err
	}
	out := wire.CustomToolkitList{Items: make([]wire.CustomToolkit, 0, len(cs))}
	for _, c := range cs {
		out.Items = append(out.Items, customToolkitJSON(c))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getCustomToolkit(w http.ResponseWriter, r *http.Request, p store.Project) error {
	c, err := s.Catalogs.Get(r.Context(), p.ID, r.PathValue("slug"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, customToolkitJSON(c))
	return nil
}

func (s *Server) deleteCustomToolkit(w http.ResponseWriter, r *http.Request, p store.Project) error {
	before, err := s.Catalogs.Get(r.Context(), p.ID, r.PathValue("slug"))
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.CustomToolkitDelete, TargetType: store.AuditToolkit, TargetID: before.Slug,
		Before: customToolkitAudit(before)})
	if err := s.Catalogs.Delete(ctx, p.ID, before.Slug); err != nil {
		return err
	}
	finish(nil)
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}

// syncCustomToolkit lists an MCP toolkit's tools on its server, as the
// named connected account, and stores them: Composio's
// POST /api/v3.1/custom/toolkits/sync.
func (s *Server) syncCustomToolkit(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var present map[string]json.RawMessage
	if err := decode(r, &present); err != nil {
		return err
	}
	for k := range present {
		if k != "slug" && k != "connected_account_id" {
			return problem.Invalidf("unknown_field", k, "unknown field %q: a sync takes slug and connected_account_id", k)
		}
	}
	raw, _ := json.Marshal(present)
	var req wire.CustomToolkitSyncRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return problem.Invalidf("invalid_request", "", "slug and connected_account_id must be strings")
	}
	if req.Slug == "" {
		return problem.Invalidf("missing_field", "slug", "slug is required: the custom toolkit to sync")
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.CustomToolkitSync, TargetType: store.AuditToolkit, TargetID: strings.ToLower(req.Slug),
		Snapshot: customToolkitView})
	c, err := s.Execute.SyncMCP(ctx, p, req.Slug, req.ConnectedAccountID)
	if err != nil {
		return err
	}
	finish(customToolkitAudit(c))
	writeJSON(w, http.StatusOK, wire.CustomToolkitSync{Slug: c.Slug, SyncedCount: len(c.Definition.Tools), Version: c.Definition.Version})
	return nil
}

func customToolkitAudit(c catalog.Custom) any {
	return audit.CustomToolkit(c.Slug, c.Definition.Name, len(c.Definition.Tools), c.Raw)
}

// customToolkitView is the audit snapshot of a custom toolkit record, as
// customToolkitAudit sees the toolkit it holds.
var customToolkitView = audit.View(func(t store.CustomToolkit) any {
	def, err := toolkits.Parse(t.Slug+".json", t.Definition)
	if err != nil {
		return nil
	}
	return audit.CustomToolkit(t.Slug, def.Name, len(def.Tools), t.Definition)
})

func customToolkitJSON(c catalog.Custom) wire.CustomToolkit {
	return wire.CustomToolkit{Slug: c.Slug, Name: c.Definition.Name, ToolsCount: len(c.Definition.Tools),
		Definition: c.Raw, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Problem: c.Problem}
}
