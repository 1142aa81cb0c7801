package metatools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/wire"
)

type searchInput struct {
	Queries []struct {
		UseCase string `json:"use_case"`
	} `json:"queries"`
	// UseCase is the older single-query form.
	UseCase  string   `json:"use_case"`
	Toolkits []string `json:"toolkits"`
}

// search is COMPOSIO_SEARCH_TOOLS: tools for each use case, with their
// input schemas and each found toolkit's connection status.
func (r *run) search(ctx context.Context, args json.RawMessage) Result {
	var in searchInput
	if err := decodeArgs(args, &in); err != nil {
		return Failure(err.Error(), nil)
	}
	var useCases []string
	if in.UseCase != "" {
		useCases = append(useCases, in.UseCase)
	}
	for _, q := range in.Queries {
		if strings.TrimSpace(q.UseCase) != "" {
			useCases = append(useCases, q.UseCase)
		}
	}
	if len(useCases) == 0 {
		return Failure("queries must name at least one use case", nil)
	}
	out, summary, err := r.s.Search(ctx, r.sess, useCases, in.Toolkits)
	if err != nil {
		return Failure(r.message(ctx, err), nil)
	}
	return NewResult(summary, out)
}

// Search finds tools for use cases among a session's toolkits and shapes
// the answer as Composio's search response, with a one-line summary. The
// REST search endpoint and COMPOSIO_SEARCH_TOOLS both answer with it.
func (s *Service) Search(ctx context.Context, sess sessions.Session, useCases, toolkits []string) (wire.SearchResponse, string, error) {
	results, statuses, err := s.Sessions.Search(ctx, sess, useCases, toolkits)
	if err != nil {
		return wire.SearchResponse{}, "", err
	}
	now := s.now().UTC()
	out := wire.SearchResponse{
		Success:                   true,
		Results:                   []wire.SearchResult{},
		ToolSchemas:               map[string]wire.SearchToolSchema{},
		ToolkitConnectionStatuses: []wire.ToolkitConnectionStatus{},
		NextStepsGuidance:         []string{},
		Session:                   wire.SearchSession{ID: sess.ID, Instructions: "Run the tools with " + MultiExecuteTool + "; connect a toolkit with " + ManageConnections + " first when it has no active connection."},
		TimeInfo:                  wire.SearchTimeInfo{CurrentTimeUTC: now.Format(time.RFC3339), CurrentTimeUTCEpochSeconds: now.Unix(), Message: "The current time is " + now.Format(time.RFC1123)},
	}
	var summary []string
	for i, sr := range results {
		res := wire.SearchResult{Index: i + 1, UseCase: sr.UseCase, PrimaryToolSlugs: []string{}, RelatedToolSlugs: []string{}, Toolkits: []string{}}
		for _, t := range sr.Primary {
			res.PrimaryToolSlugs = append(res.PrimaryToolSlugs, t.Slug)
		}
		for _, t := range sr.Related {
			res.RelatedToolSlugs = append(res.RelatedToolSlugs, t.Slug)
		}
		res.Toolkits = append(res.Toolkits, sr.Toolkits...)
		for _, t := range append(slices.Clone(sr.Primary), sr.Related...) {
			out.ToolSchemas[t.Slug] = wire.SearchToolSchema{ToolSlug: t.Slug, Toolkit: t.Toolkit, Description: t.Description,
				HasFullSchema: true, InputSchema: t.InputSchema}
		}
		out.Results = append(out.Results, res)
		found := "no matching tool"
		if len(res.PrimaryToolSlugs) > 0 {
			found = strings.Join(append(slices.Clone(res.PrimaryToolSlugs), res.RelatedToolSlugs...), ", ")
		}
		summary = append(summary, fmt.Sprintf("%q: %s.", sr.UseCase, found))
	}
	for _, st := range statuses {
		ws := wire.ToolkitConnectionStatus{Toolkit: st.Toolkit.Slug, Description: st.Toolkit.Description, HasActiveConnection: st.Connected, StatusMessage: st.Message}
		for _, a := range st.Accounts {
			ws.Accounts = append(ws.Accounts, wire.SearchAccountInfo{ID: a.ID, Alias: optional(a.Alias), Identity: a.Identity, Status: a.Status, Active: a.ID == st.ActiveID, IsDefault: a.IsDefault})
		}
		out.ToolkitConnectionStatuses = append(out.ToolkitConnectionStatuses, ws)
		if st.Connected {
			summary = append(summary, st.Toolkit.Slug+": "+st.Message+".")
		} else {
			summary = append(summary, st.Toolkit.Slug+": not connected ("+st.Message+"); connect it with "+ManageConnections+" first.")
			out.NextStepsGuidance = append(out.NextStepsGuidance, "Connect "+st.Toolkit.Slug+" with "+ManageConnections+" before running its tools.")
		}
	}
	return out, strings.Join(summary, " "), nil
}

// toolSchema is one tool's full schema.
type toolSchema struct {
	ToolSlug     string          `json:"tool_slug"`
	Toolkit      string          `json:"toolkit"`
	Name         string          `json:"name"`
	Description  string          `json:"description"`
	InputSchema  json.RawMessage `json:"input_schema"`
	OutputSchema json.RawMessage `json:"output_schema,omitempty"`
}

type schemasOutput struct {
	ToolSchemas map[string]toolSchema `json:"tool_schemas"`
	NotFound    []toolError           `json:"not_found"`
}

type toolError struct {
	ToolSlug string `json:"tool_slug"`
	Error    string `json:"error"`
}

// schemas is COMPOSIO_GET_TOOL_SCHEMAS: the full schemas of named tools.
func (r *run) schemas(ctx context.Context, args json.RawMessage) Result {
	var in struct {
		ToolSlugs []string `json:"tool_slugs"`
	}
	if err := decodeArgs(args, &in); err != nil {
		return Failure(err.Error(), nil)
	}
	if len(in.ToolSlugs) == 0 {
		return Failure("tool_slugs must name at least one tool", nil)
	}
	access, err := r.s.Sessions.Access(ctx, r.sess)
	if err != nil {
		return Failure(r.message(ctx, err), nil)
	}
	out := schemasOutput{ToolSchemas: map[string]toolSchema{}, NotFound: []toolError{}}
	var found, missing []string
	cat := r.s.Catalog.For(ctx, r.p.ID)
	for _, slug := range in.ToolSlugs {
		t, ok := cat.Tool(slug)
		switch {
		case !ok:
			out.NotFound = append(out.NotFound, toolError{slug, fmt.Sprintf("tool %s not found", slug)})
		case !r.sess.Config.Toolkits.Allows(t.Toolkit):
			out.NotFound = append(out.NotFound, toolError{slug, fmt.Sprintf("toolkit %s is not enabled in session %s", t.Toolkit, r.sess.ID)})
		case access.Check(t) != nil:
			out.NotFound = append(out.NotFound, toolError{slug, access.Check(t).Error()})
		default:
			out.ToolSchemas[t.Slug] = toolSchema{ToolSlug: t.Slug, Toolkit: t.Toolkit, Name: t.Name, Description: t.Description,
				InputSchema: t.InputSchema, OutputSchema: t.OutputSchema}
			found = append(found, t.Slug)
			continue
		}
		missing = append(missing, out.NotFound[len(out.NotFound)-1].Error)
	}
	if len(found) == 0 {
		return Failure(strings.Join(missing, "; "), out)
	}
	summary := "Schemas of " + strings.Join(found, ", ") + "."
	if len(missing) > 0 {
		summary += " " + strings.Join(missing, "; ") + "."
	}
	return NewResult(summary, out)
}
