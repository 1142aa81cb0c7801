// Package oauthserver is a real, standards-following OAuth 2.0 authorization
// server that stands in for providers such as Google or GitHub: the tests
// run it on 127.0.0.1 (through internal/oauth/oauthtest) and `switchboard
// demo` serves it beside its demo API, so a newcomer connects accounts with
// no outside OAuth client.
//
// The provider implements the authorization code grant (RFC 6749 §4.1) with
// mandatory PKCE using the S256 method (RFC 7636), refresh tokens with
// rotation and reuse detection (OAuth 2.0 Security Best Current Practice
// §4.14), Bearer-protected resource endpoints (RFC 6750) and an HTML sign-in
// and consent page that Consent drives like an end user's browser.
//
// It is built on github.com/go-oauth2/oauth2/v4 (server, manage and store
// packages, with the in-memory token store). Where that library is lenient or
// deviates from the RFCs, this package checks the request by hand first; each
// such place says so in a comment. The main ones are: client_id and
// redirect_uri are checked before anything redirects (the library would
// redirect to an unvalidated URI); redirect URIs match exactly (the library
// matches a host suffix); error statuses follow RFC 6749 §5.2 (the library
// answers 401 for invalid_grant); client authentication accepts HTTP Basic
// with form-encoded credentials or client_secret_post and is enforced on the
// refresh grant too (the library skips it there); a refresh token is bound to
// the client it was issued to; a refresh cannot widen the scope; a code is
// single-use atomically, and a replayed code revokes the tokens issued from
// it.
//
// It also implements the client credentials grant (RFC 6749 §4.4) by hand,
// for clients registered with RegisterMachineClient: the client
// authenticates as for the other grants, may ask for known scopes, and gets
// an access token without a refresh token (§4.4.3), which the resource
// endpoints accept as the client's own: Protect's handler sees a User whose
// Login is the client id and whose Subject is "client:" and the id.
package oauthserver
