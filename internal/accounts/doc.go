// Package accounts owns connected accounts: their lifecycle (INITIATED →
// ACTIVE, FAILED, EXPIRED, INACTIVE, each transition with a reason), links
// and the hosted OAuth2 and credential-form flows that complete them,
// aliases, refreshes, waiting for a connection, and the selection rule: a
// user's default account for a toolkit is the most recently connected
// ACTIVE one, resolved when asked.
package accounts
