// Package e2e holds Switchboard's end-to-end tests: real servers on
// 127.0.0.1 with real SQLite and PostgreSQL, a real OAuth2 provider, and
// the Go SDK and the official Composio SDKs as clients.
package e2e
