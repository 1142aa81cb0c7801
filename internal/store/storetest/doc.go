// Package storetest owns the conformance suite for store.Store backends.
//
// Every backend's tests call Run with a function that returns a fresh, empty
// store; the suite checks the contract written in the store package doc, the
// same way for every backend and with no per-backend skips.
//
// Beyond the package doc of store, the suite pins down these details, so that
// backends agree on them:
//
//   - A Limit of zero or less lists every matching item on one page.
//   - Ties in a list order are broken by ID, in the same direction as the
//     order itself.
//   - Ids are unique per project; whether an id may repeat across projects is
//     left to the backend, so the suite never reuses an id across projects.
//   - An API key's Hash is a unique key: a second key with the same hash is
//     an ErrConflict.
//   - FailStaleAccounts sets UpdatedAt to now on the accounts it moves.
//   - AccountChanges is subscribed when it returns: a change committed after
//     it returns is delivered.
//   - LockAccount gives up with an error, without calling fn, when ctx ends
//     while it waits for the lock.
//   - Nil and empty maps and slices may be returned for one another, except
//     byte slices: ciphertext and hashes round-trip exactly, nil stays nil and
//     empty stays empty.
//
// The package also holds the default-account benchmark that every backend
// runs: BenchAccounts is its million accounts, which a backend loads in bulk
// its own way, and BenchDefaultAccount measures DefaultAccount against
// GetAccount on the filled store and reports the ratio as x_pk.
package storetest
