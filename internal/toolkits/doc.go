// Package toolkits owns the catalog of built-in toolkits: the third-party
// services Switchboard can connect to, with their auth schemes, OAuth 2.0
// endpoints and quirks, API base URLs, and the identity call that names a
// connected account.
//
// The definitions are declarative JSON files, one per toolkit, under defs/
// and embedded in the binary. Builtin parses and validates them into a
// Catalog; nothing happens at package init. The JSON field names of the
// types here are the definition format, not the Composio wire format, which
// the api package maps to.
//
// The facts in the definitions (endpoints, scopes, token request styles,
// identity fields) come from the shared upstream reference spec/toolkits.md,
// which cites the providers' documentation. Tools are not part of the
// catalog yet.
package toolkits
