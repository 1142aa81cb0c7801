// Package mcp serves every Tool Router session as a Model Context Protocol
// server, over the Streamable HTTP transport of the official MCP Go SDK, at
// {public URL}/tool_router/v3/{session_id}/mcp (the mcp.url of the session
// create response).
//
// It only translates: each meta tool runs through metatools.Service.Run,
// which the REST session execute and execute_meta endpoints call too, and
// each direct tool through execute.Service.Execute, as REST's execute
// does; errors carry the same messages REST gives. What is MCP's own is
// here: the tool definitions (schemas, annotations), the rendering of a
// result as MCP content, progress notifications while a tool waits, and
// recovering a tool handler's panic.
//
// # Authentication
//
// A request carries a project API key as the x-api-key header (what the
// official Composio SDKs attach to session.mcp) or as
// "Authorization: Bearer <key>". A missing, unknown or revoked key is
// refused with 401. A session the key's project cannot see (another
// project's, a deleted one, or none at all) is refused with 404 and the
// same message in every case, so a refusal never tells whether a session
// exists elsewhere. Refusals are JSON-RPC error objects, which MCP clients
// show as they are.
//
// # Stateless
//
// The SDK's handler runs in stateless mode: it issues no Mcp-Session-Id,
// and each POST is served on its own by a server built for that request
// from the session as stored. Any Switchboard instance behind a load
// balancer can therefore serve any request, and a change to the session
// (a pin, a toolkit) applies to the next call. The cost is what stateless
// MCP cannot do: no standalone GET stream (405) and no server-to-client
// requests (sampling, elicitation), which these tools do not use. Progress
// notifications still reach a client that asks for them, on the response
// stream of its own request.
//
// # Tools
//
// The meta tools have Composio's names and semantics:
//
//   - COMPOSIO_SEARCH_TOOLS: tools for each use case, with their input
//     schemas and each toolkit's connection status and accounts. Hidden
//     when the session sets search.enable false.
//   - COMPOSIO_GET_TOOL_SCHEMAS: the input schemas of named tools. Hidden
//     with COMPOSIO_SEARCH_TOOLS.
//   - COMPOSIO_MANAGE_CONNECTIONS: for each toolkit, the user's accounts
//     and the one the session uses, and an authorization link (the session
//     link flow, with an optional alias) for a toolkit without an ACTIVE
//     account. Hidden when manage_connections.enable is false.
//   - COMPOSIO_WAIT_FOR_CONNECTIONS: waits until the given toolkits have an
//     ACTIVE account for the session; only when the session sets
//     manage_connections.enable_wait_for_connections.
//   - COMPOSIO_MULTI_EXECUTE_TOOL: up to 50 tool calls at once, each with
//     its own result or error and, in multi-account mode, its own account.
//     Hidden when the session sets execute.enable_multi_execute false.
//
// The session's own tools are exposed directly as MCP tools too, named by
// their slugs, when the session's preload option asks for them, as
// Composio's direct-tools preset does: preload {"tools": "all"} exposes
// every tool of the session's toolkits, preload {"tools": ["GMAIL_SEND_EMAIL",
// ...]} those tools only. In multi-account mode each direct tool takes an
// extra optional "account" argument (an account id or alias), unless its
// own schema has one.
//
// # Results
//
// A result's structured content is a JSON object; its text content is a
// one-paragraph summary followed by the same JSON, for clients that pass
// only text to the model. Failures are tool results with isError set and
// the message REST would give, e.g. "gmail has no connected account for
// user_123; authorize it with this link: …". Requests that name no known
// tool, or are not JSON-RPC, are protocol errors.
package mcp
