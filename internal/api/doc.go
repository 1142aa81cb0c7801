// Package api is Switchboard's REST surface, wire-compatible with the
// Composio v3.1 API for what it implements: routes under /api/v3.1 (and
// /api/v3 for older SDKs), x-api-key authentication, JSON bodies, and the
// {"error":{...}} envelope. Handlers decode, validate, call the domain and
// encode; they hold no SQL, crypto or upstream HTTP.
package api
