// Package demo is what `switchboard demo` serves beside Switchboard so a
// newcomer can try it with no outside account: an OAuth 2.0 provider
// (internal/oauthserver, with a page to pick one of two made-up
// identities), a tiny notes API protected by its tokens, and the demo
// toolkit, a toolkit file in the public format (docs/toolkit-format.md)
// embedded in the binary, whose tools call that API.
//
// The toolkit file names https URLs on demo.switchboard.test, a name that
// never resolves (RFC 6761 reserves .test); the demo's auth config points
// them at the demo's own loopback listener (AuthConfigCredentials), which
// is the one loopback host the demo lets egress reach.
//
// Everything the provider and the notes API hold is in memory: a restart
// forgets the tokens it issued and the notes.
package demo
