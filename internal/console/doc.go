// Package console serves the operator's console in the browser at
// /console: server-rendered pages of one project (its API keys, auth
// configs, users and their connected accounts, sessions, execution logs,
// webhook deliveries and audit log) and three acts (delete an account,
// make a reconnect link, rotate an API key). It calls the same domain
// services the REST API does and holds no logic of its own beyond
// presenting them.
//
// Threats and defences:
//   - A stolen cookie replaying the API key: the session cookie never
//     holds the key. It holds the project id, the key's id, a CSRF secret
//     and an expiry, sealed by the vault (AES-256-GCM under a key derived
//     from the root key, bound by its AAD to this use), so it can be
//     neither read nor forged nor extended. Every request checks that the
//     key is still live and admin: revoking the key ends its sessions.
//   - Cross-site requests: the cookie is HttpOnly, SameSite=Strict and
//     Secure when the server is reached over TLS (or its public URL is
//     https); every POST, the sign-in form's included, carries a CSRF token
//     compared in constant time with the one sealed in the cookie, and
//     sits behind http.CrossOriginProtection.
//   - Script injection and framing: html/template escapes every value; the
//     CSP allows no script at all, styles only from this origin, forms
//     only to this origin, and no framing.
//   - Tenancy: every page and act is scoped to the signed-in key's
//     project; another project's account is a 404, exactly as a missing one.
//   - Secrets: the pages show no credential. A rotated key and a
//     reconnect link are shown once, on the answer to the POST that made
//     them, with Cache-Control: no-store on every page.
package console
