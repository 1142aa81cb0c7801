// Package api is Switchboard's REST surface, wire-compatible with the
// Composio v3.1 API for what it implements: routes under /api/v3.1 (and
// /api/v3 for older SDKs), x-api-key authentication, JSON bodies, and the
// {"error":{...}} envelope. Handlers decode, validate, call the domain and
// encode; they hold no SQL, crypto or upstream HTTP.
package api

// The OpenAPI 3.1 document of the API (openapi.go) is built from
// operations, a table beside the route table (routes) that names each
// route's operationId, summary, query parameters and request and response
// wire types; the JSON Schemas come from the wire types by reflection.
// It is served without a key at /api/v3.1/openapi.json and committed as
// docs/openapi.json. Tests fail when a route lacks an entry or an entry
// lacks a route, when docs/openapi.json is stale, and (in internal/e2e)
// when recorded traffic does not match it; .ci/run fuzzes the served
// document with schemathesis.
