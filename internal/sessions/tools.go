package sessions

import (
	"context"
	"encoding/json"

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
	for _, t := range s.Catalog.Tools() {
		if acc.Exposes(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// The meta tools a session may expose, as Composio names them.
const (
	MetaSearchTools        = "COMPOSIO_SEARCH_TOOLS"
	MetaGetToolSchemas     = "COMPOSIO_GET_TOOL_SCHEMAS"
	MetaManageConnections  = "COMPOSIO_MANAGE_CONNECTIONS"
	MetaWaitForConnections = "COMPOSIO_WAIT_FOR_CONNECTIONS"
	MetaMultiExecuteTool   = "COMPOSIO_MULTI_EXECUTE_TOOL"
)

// MetaTools lists the meta tools a session exposes: search and its
// schemas unless search.enable is false, multi-execute unless
// execute.enable_multi_execute is false, connection management when
// manage_connections is enabled, and waiting when it also enables waiting.
func (c Config) MetaTools() []string {
	var search struct {
		Enable *bool `json:"enable"`
	}
	var exec struct {
		EnableMultiExecute *bool `json:"enable_multi_execute"`
	}
	json.Unmarshal(c.Passthrough["search"], &search)
	json.Unmarshal(c.Passthrough["execute"], &exec)
	var out []string
	if search.Enable == nil || *search.Enable {
		out = append(out, MetaSearchTools, MetaGetToolSchemas)
	}
	if exec.EnableMultiExecute == nil || *exec.EnableMultiExecute {
		out = append(out, MetaMultiExecuteTool)
	}
	if c.ManageConnections.Enabled {
		out = append(out, MetaManageConnections)
		if c.ManageConnections.WaitForConnections {
			out = append(out, MetaWaitForConnections)
		}
	}
	return out
}
