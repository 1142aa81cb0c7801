// Package accounts owns connected accounts: their lifecycle (INITIATED →
// ACTIVE, FAILED, EXPIRED, INACTIVE, each transition with a reason),
// creating them with the link that connects them (and a new link to
// re-authorize one), get, list and delete, aliases and resolving an
// account by id or alias, enabling and disabling, OAuth2 token refresh
// with its parsed-token cache, and the sweeper that fails accounts whose
// link expired unused, and waiting for an account to leave INITIATED
// (Wait, woken on any instance by the store's account changes).
//
// It also owns what an account's upstream identity decides (identity.go):
// the duplicate policy that supersedes or refuses a reconnection of the
// same identity, following superseded accounts to their successors, the
// user's chosen default, and the same identity under other user ids; and
// health (health.go, probe.go): checking credentials with the identity
// call, on demand and in a leased background prober, and expiring an
// account whose refreshed token is refused. docs/accounts.md describes
// them.
//
// Completing a link (the hosted OAuth2 and credential-form flows) is
// package signin's, which builds on this one; this package does not know
// it.
package accounts
