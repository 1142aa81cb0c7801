// Package remotemcp is the client half of remote MCP servers as toolkits
// (Composio's Custom MCP): it lists the tools of a server a user
// registered by its Streamable HTTP URL, and calls them, each time as one
// connected account. The caller turns the account's credentials (none, an
// API key header, a bearer token, an OAuth2 access token) into the
// Server's Header, so two accounts of one user reach the server as two
// identities. It speaks MCP through the official Go SDK's client; the
// catalog (syncing a server's tools into toolkits) and execute (choosing
// the account, refreshing its token) are the callers' part.
//
// # Egress
//
// Every request goes through the egress client for the server's URL
// (Client.Egress): its allowed host, address rules, https-only and
// timeouts all apply. The SDK needs an HTTP client whose transport adds
// the account's headers, so the package uses a copy of the egress client
// whose transport adds them in front of the egress guard; it builds no
// client or transport of its own.
//
// # Limits
//
//   - One HTTP response body may be at most MaxResponse (8 MiB), as in
//     execute; a larger answer fails with ErrTooLarge and is never cut
//     short.
//   - Tools reads at most MaxToolsBytes (16 MiB) over all its pages,
//     follows at most MaxPages (100) pages and returns at most MaxTools
//     (2,000) tools; past any of them it fails with ErrTooLarge instead
//     of syncing part of the list. A repeated cursor or a tool listed
//     twice is ErrProtocol.
//   - Client.Memory, if set (the process's execute.Memory), is charged
//     for the bytes of the answers being read and given back when the
//     call returns; a spent budget is ErrBusy.
//   - The caller's context bounds each call, connecting included; the
//     egress client's timeout bounds each HTTP request.
//
// Results keep the server's JSON bytes (schemas, content,
// structuredContent) instead of the SDK's decoding, which turns numbers
// into float64 and loses integers past 2^53.
//
// # Errors
//
// Every error is an *Error matching one kind with errors.Is:
// ErrUnauthorized (HTTP 401 or 403, with the WWW-Authenticate challenge),
// ErrUnreachable (no connection, no answer in time, HTTP 429 or 5xx),
// ErrProtocol (a JSON-RPC error, an unexpected status or body),
// ErrTooLarge, ErrBusy, ErrClosed. A tool that ran and failed is a
// Result with IsError, not an error. An error's text names the host,
// never the URL's query, and has every header value, token and query
// value redacted from whatever server text it carries.
//
// # Sessions
//
// Connecting costs one or more round trips before the call itself
// (server/discover under MCP 2026-07-28; initialize and the initialized
// notification, and a DELETE when done, for earlier versions), so a
// Client keeps the session of each (URL, credential) open and reuses it:
// docs/benchmarks.md ("Remote MCP") has the measured difference. Sessions
// are keyed by a SHA-256 of the URL and headers, never the credentials
// themselves. An unused session is closed after IdleTimeout (2 minutes by
// default); at most MaxSessions (64) stay open, the one unused longest
// making room for a new one, and a call that finds all of them busy gets
// a session of its own, closed after it. A changed credential (a
// refreshed token) is a new key; the old session idles out. A session
// that fails other than with a JSON-RPC error is dropped, and one the
// server has forgotten (HTTP 404, MCP basic/transports "session
// management") is replaced and the call sent once more, which is safe
// because the server ran nothing. Concurrent calls share a session; an
// oversized answer can break the SDK's session, so a call in flight on
// it at that moment may fail too. MaxSessions < 0 turns reuse off.
//
// A call returns as soon as its answer is decided (or its context ends);
// closing a dropped session happens off the caller's path. Close waits
// for those closes, which the SDK bounds (5 s for the DELETE that ends a
// session on a server that does not answer).
package remotemcp
