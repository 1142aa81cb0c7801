package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/remotemcp"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// SetMCPTools stores tools, as a remote MCP server listed them, as the
// tools of the project's MCP toolkit slug (one with an mcp section),
// replacing the ones it had: what a sync does once it has the list. Every
// instance then serves them through the project's catalog. The new
// definition goes through Replace's checks; a tool the format cannot
// represent (a name without a slug, two names with one slug, an
// oversized schema) refuses the whole list, naming each, and nothing is
// stored: a partial sync would hide tools without saying so.
func (s *Service) SetMCPTools(ctx context.Context, projectID, slug string, tools []remotemcp.Tool) (Custom, error) {
	c, err := s.Get(ctx, projectID, slug)
	if err != nil {
		return Custom{}, err
	}
	def := c.Definition
	if def.MCP == nil {
		return Custom{}, notMCP(c.Slug)
	}
	defs, problems := MCPToolDefinitions(def.Slug, tools)
	if len(problems) > 0 {
		return Custom{}, problem.Invalidf("mcp_tools_unrepresentable", "tools",
			"the MCP server lists tools Switchboard cannot serve, so nothing was synced: %s", strings.Join(problems, "; ")).
			WithFix("Rename or shrink those tools on the server, then sync again")
	}
	def.Tools = defs
	def.Errors = toolkits.ErrorsMCP
	def.Version = nextVersion(def.Version, s.now().UTC().Format("20060102"))
	if len(defs) == 0 {
		def.Errors, def.Version = "", ""
	}
	raw, err := json.Marshal(def)
	if err != nil {
		return Custom{}, fmt.Errorf("encode custom toolkit %s: %w", def.Slug, err)
	}
	return s.Replace(ctx, projectID, def.Slug, def.Slug+".json", raw)
}

// IsMCP reports whether c is an MCP toolkit.
func (c Custom) IsMCP() bool { return c.Definition.MCP != nil }

func notMCP(slug string) error {
	return problem.Invalidf("not_an_mcp_toolkit", "slug", "custom toolkit %s has no mcp section, so it has no MCP server to sync from", slug).
		WithFix("Add an mcp section with the server's url (PUT /api/v3.1/custom_toolkits/%s)", slug)
}

// MCPToolDefinitions turns the tools a remote MCP server lists into tool
// definitions of the MCP toolkit slug: the slug from the name
// (toolkits.MCPToolSlug), the remote name kept for the call, the title
// (else the name) as the name, the schemas as the server sent them, and
// the annotations as tags (readOnlyHint implying the other write hints
// are moot, as the format has it). It returns the problems of the tools
// it cannot represent instead, each naming the tool.
func MCPToolDefinitions(slug string, tools []remotemcp.Tool) ([]toolkits.ToolDefinition, []string) {
	var out []toolkits.ToolDefinition
	var problems []string
	bySlug := map[string]string{}
	for _, t := range tools {
		ts, ok := toolkits.MCPToolSlug(slug, t.Name)
		if !ok {
			problems = append(problems, fmt.Sprintf("tool %s: the name must be 1 to %d of A-Z a-z 0-9 _ - .", strconv.QuoteToASCII(shorten(t.Name)), toolkits.MaxMCPToolName))
			continue
		}
		if other, dup := bySlug[ts]; dup {
			problems = append(problems, fmt.Sprintf("tools %q and %q would both be %s", other, t.Name, ts))
			continue
		}
		bySlug[ts] = t.Name
		for _, sc := range []struct {
			what string
			raw  json.RawMessage
		}{{"input", t.InputSchema}, {"output", t.OutputSchema}} {
			if len(sc.raw) > toolkits.MaxMCPSchema {
				problems = append(problems, fmt.Sprintf("tool %q: its %s schema is %d bytes, more than %d", t.Name, sc.what, len(sc.raw), toolkits.MaxMCPSchema))
			}
		}
		name := strings.TrimSpace(t.Title)
		if name == "" {
			name = t.Name
		}
		desc := strings.TrimSpace(t.Description)
		if desc == "" {
			desc = name + " (the MCP server gives no description)"
		}
		output := t.OutputSchema
		if len(output) == 0 {
			output = json.RawMessage(`{"type":"object"}`)
		}
		out = append(out, toolkits.ToolDefinition{
			Slug: ts, Name: name, Description: desc, Tags: mcpTags(t),
			Input: t.InputSchema, Output: output, MCP: &toolkits.MCPTool{Name: t.Name},
		})
	}
	slices.SortFunc(out, func(a, b toolkits.ToolDefinition) int { return strings.Compare(a.Slug, b.Slug) })
	return out, problems
}

// mcpTags are a remote tool's annotations as the format's tags.
func mcpTags(t remotemcp.Tool) []string {
	var tags []string
	if t.ReadOnly {
		tags = append(tags, toolkits.TagReadOnly)
	} else {
		if t.Destructive {
			tags = append(tags, toolkits.TagDestructive)
		}
		if t.Idempotent {
			tags = append(tags, toolkits.TagIdempotent)
		}
	}
	if t.OpenWorld {
		tags = append(tags, toolkits.TagOpenWorld)
	}
	return tags
}

// nextVersion is the version of a new sync on day (YYYYMMDD): day_00, or
// the next number after old's when old is of the same day.
func nextVersion(old, day string) string {
	if d, n, ok := strings.Cut(old, "_"); ok && d == day {
		if i, err := strconv.Atoi(n); err == nil && i < 99 {
			return fmt.Sprintf("%s_%02d", day, i+1)
		}
		return old
	}
	return day + "_00"
}

// shorten keeps a server's name short enough for a message.
func shorten(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
