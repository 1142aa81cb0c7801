// Package execute runs tool calls and proxied requests: it asks sessions'
// selection rule for the account a call must use (and, when there is
// none, for the link that fixes that, which it hands the agent), builds the
// upstream request from the tool's definition, adds that account's
// credentials as its toolkit declares, sends it through the egress guard,
// refreshes an OAuth2 token before it expires or once after a 401, and
// turns the answer into a result. Every execution is logged under a log id,
// without arguments, credentials or response bodies, in the request's log
// record; and, when the service has a log writer, handed to execlog as the
// record the logs API shows (arguments and answer redacted there, off the
// call's path).
//
// A tool of an MCP toolkit runs on its remote server instead (mcp.go),
// through remotemcp with the same account's credential, refresh and
// re-authorization; SyncMCP lists such a server's tools as an account and
// has the catalog store them.
package execute
