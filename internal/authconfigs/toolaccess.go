package authconfigs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// ToolAccess is an auth config's tool_access_config as a request gives it.
// A nil list leaves the setting as it is.
type ToolAccess struct {
	// ForExecution lists the only tools that may run with the auth
	// config's accounts; empty allows every tool of the toolkit.
	ForExecution *[]string
	// ForAccountCreation would pick the scopes a new connection asks for
	// from tools; Switchboard asks for the auth config's scopes, so a
	// non-empty list is refused rather than ignored.
	ForAccountCreation []string
}

// CodeToolNotAllowed is the error code of a tool that a session's options
// or an auth config's tool access refuse.
const CodeToolNotAllowed = "tool_not_allowed"

// checkToolAccess validates a ToolAccess for a toolkit and returns the
// normalized execution list (nil when not given).
func (s *Service) checkToolAccess(ctx context.Context, projectID, toolkit string, in *ToolAccess, field string) (*[]string, error) {
	if in == nil {
		return nil, nil
	}
	if len(in.ForAccountCreation) > 0 {
		return nil, problem.Invalidf("unsupported_field", field+".tools_for_connected_account_creation",
			"tools_for_connected_account_creation is not supported: a connection asks for the auth config's scopes, not scopes derived from tools").
			WithFix("Leave tools_for_connected_account_creation empty and set the scopes in credentials.scopes")
	}
	if in.ForExecution == nil {
		return nil, nil
	}
	out := make([]string, 0, len(*in.ForExecution))
	cat := s.Catalog.For(ctx, projectID)
	for _, slug := range *in.ForExecution {
		t, ok := cat.Tool(slug)
		if !ok {
			t, ok = cat.Tool(strings.ToUpper(slug))
		}
		if !ok || t.Toolkit != toolkit {
			return nil, problem.Invalidf("invalid_tool_filter", field+".tools_available_for_execution",
				"tools_available_for_execution names %q, which is not a tool of %s", slug, toolkit).
				WithFix("List the toolkit's tools with GET /api/v3.1/tools?toolkit_slug=%s", toolkit)
		}
		if !slices.Contains(out, t.Slug) {
			out = append(out, t.Slug)
		}
	}
	return &out, nil
}

// ToolAllowed returns why auth config c refuses to run tool t with its
// accounts, or nil when it allows it: c lists tools for execution and t
// is not one of them.
func ToolAllowed(c store.AuthConfig, t toolkits.Tool) error {
	if len(c.ToolsForExecution) == 0 || slices.Contains(c.ToolsForExecution, t.Slug) {
		return nil
	}
	return (&problem.Error{Kind: problem.Forbidden, Code: CodeToolNotAllowed, Message: fmt.Sprintf(
		"tool %s is not allowed with auth config %s: its tool_access_config allows only %s",
		t.Slug, c.ID, strings.Join(c.ToolsForExecution, ", "))}).
		WithFix("Add the tool to tools_available_for_execution with PATCH /api/v3.1/auth_configs/%s", c.ID)
}
