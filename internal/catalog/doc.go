// Package catalog owns the catalog each project sees and the project's
// custom toolkits. Every project shares the global catalog (the built-ins
// and the toolkits directory's, package toolkits); a project adds its own
// toolkits, stored as toolkit files (docs/toolkit-format.md) and validated
// exactly as the directory's are.
//
// For builds a project's view once per change and keeps it: a project
// without custom toolkits gets the global catalog itself. A change made
// through this instance shows at once; one made through another instance
// on the same database shows within TTL (DefaultTTL, two seconds), when
// the view asks the store whether the project's toolkits changed.
//
// A custom toolkit's slug (and its tools' slugs) may not be a global
// one's: such a definition is refused, and one stored before a toolkit of
// that slug appeared in the directory is left out of the view and
// reported (Custom.Problem), never shadowing the other. While a project
// has accounts of a custom toolkit, a new definition may not move the
// hosts their credentials go to (toolkits.CredentialHostsChanged), and
// the toolkit cannot be deleted.
//
// An MCP toolkit's tools are stored by SetMCPTools from what its server
// lists (MCPToolDefinitions turns the list into tool definitions); the
// listing itself, as a connected account, is execute's SyncMCP.
package catalog
