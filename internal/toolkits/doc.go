// Package toolkits owns the catalog of built-in toolkits and their tools: the
// third-party services Switchboard can connect to, with their auth schemes,
// OAuth 2.0 endpoints and quirks, API base URLs and the identity call that
// names a connected account; and the actions ("tools") an agent can call on
// them, with their JSON Schemas and the pure functions that turn a call's
// arguments into an upstream request and the answer into a result.
//
// Toolkits are defined in the toolkit format (docs/toolkit-format.md, a
// public contract with its JSON Schema in docs/toolkit.schema.json): one
// file per toolkit, <slug>.json, <slug>.yaml or <slug>.yml, holding one
// Definition: the toolkit's fields, the tools' version and error convention,
// and the tools. Parse reads one file, naming the file, line, JSON pointer
// and field of every problem; New and Catalog.With compile definitions into
// a Catalog, refusing a slug defined twice. The built-in toolkits are such
// files under defs/, embedded in the binary; Builtin parses and validates
// them, and nothing happens at package init. JSONSchema is the format's
// schema, which the server publishes at SchemaPath.
//
// A Catalog never changes. Callers hold a Source and read Current once per
// operation: a *Catalog is its own Source, and a Registry holds one that a
// Dir replaces whenever the files of SWITCHBOARD_TOOLKITS_DIR change. A
// broken file there is skipped, with its problems logged, and its toolkit
// is not served until it is fixed; the rest keep serving.
//
// Beyond the built-ins' needs the format has: NO_AUTH toolkits, whose
// tools run without a connected account (Toolkit.NoAuth); base URLs (and
// identity URLs) templated from a connection's non-secret fields, whose
// values FillURL checks to be DNS labels under the template's fixed suffix
// (template.go); OAUTH2 with the client credentials grant
// (AuthScheme.ClientCredentials), whose client id and secret are a
// connection's fields; and pagination hints on tools (Pagination), which
// end the tool's Description and give Tool.NextPage.
//
// The JSON field names of the types here are the definition format, not
// the Composio wire format, which the api package maps to.
//
// # Tool definitions
//
// Beside the toolkit's fields, a file holds the tools' version, the
// provider's error convention ("http", "slack" for HTTP 200 with ok:false,
// or "graphql" for errors[]) and the tools. Each tool has a slug, name,
// description, tags, an input and an output JSON Schema (type object), and a
// request mapping:
//
//	{
//	  "slug": "GITHUB_CREATE_AN_ISSUE",
//	  "name": "Create an issue",
//	  "description": "Opens a new issue in a repository. ...",
//	  "tags": ["openWorldHint"],
//	  "input": {"type": "object", "properties": {"owner": {...}, "repo": {...}, "title": {...}, "labels": {...}}, "required": ["owner", "repo", "title"]},
//	  "output": {"type": "object", "properties": {...}},
//	  "request": {
//	    "method": "POST",
//	    "path": "/repos/{owner}/{repo}/issues",
//	    "body": {"title": "$title", "labels": "$labels"}
//	  }
//	}
//
// In the request, "{arg}" in the path is replaced by the path-escaped
// argument, and "{arg...}" by a slash-separated path escaped segment by
// segment. A "$arg" string in query, form, body or GraphQL variables stands
// for an argument's value ("$$" escapes a literal "$"); an absent optional
// argument is left out, together with any object or array whose every
// reference is absent. query and form map parameter names to references or
// constants, and "arrays" says whether an array argument repeats the
// parameter or is comma-joined. "graphql" is a fixed query sent with
// "variables"; "encoder" names a Go encoder for bodies a template can't
// express (Gmail's RFC 2822 message, Calendar's computed event end);
// "require_any" lists groups of arguments of which a call must give one.
//
// Loading is strict: unknown fields, unknown schema keywords, references to
// undeclared arguments, declared arguments the request never uses, path
// placeholders that aren't required (or defaulted) string or integer
// arguments, tags outside the MCP hints, duplicate keys and duplicate slugs
// all fail.
//
// # MCP toolkits
//
// A definition with an mcp section (MCPServer) is a remote MCP server's:
// its tools name the server's tools (MCPTool) instead of a request, keep
// the server's own JSON Schemas (within MaxMCPSchema), and have slugs
// derived from the remote names (MCPToolSlug). Tool.MCPName is the remote
// name; package execute runs such tools through package remotemcp.
//
// The facts in the definitions (endpoints, scopes, token request styles,
// identity fields, each tool's upstream call) come from the shared upstream
// reference spec/toolkits.md, which cites the providers' documentation;
// tool slugs and argument names follow Composio's public ones where it
// gives them.
package toolkits
