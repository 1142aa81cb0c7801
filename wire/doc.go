// Package wire holds the JSON types of the Composio v3.1 REST API that
// Switchboard implements, one definition each. The servers (internal/api,
// internal/mcp, internal/metatools) encode them and the Go SDK (package
// sdk) decodes them, so client and server cannot drift apart, and no server
// package needs the client to speak its own API.
package wire
