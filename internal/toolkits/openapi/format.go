package openapi

import "github.com/switchboard-dev/switchboard/internal/toolkits"

// The toolkit file Import produces is the catalog's own format: these are
// its types, under the names this package's API has used.

// File is one toolkit file (toolkits.Definition): the toolkit's fields
// plus the tools' version, the provider's error convention and the tools.
type File = toolkits.Definition

// Tool is one tool definition (toolkits.ToolDefinition).
type Tool = toolkits.ToolDefinition

// Request says how a tool's arguments become the upstream request
// (toolkits.RequestMapping).
type Request = toolkits.RequestMapping
