// Package audit keeps the audit log: one entry for every administrative
// act (auth configs, API keys, projects, account changes and deletion,
// custom toolkits), naming the acting API key, the source address and the
// request id, with the target's state before and after, redacted by the
// request log's rules (reqlog.RedactJSON). Entries are only ever added:
// the store has no update or delete for them, and the API only lists.
//
// An entry is written after the act succeeded, synchronously, so a
// crash between the two can lose that one entry; a failed write is
// logged as an error and does not undo or fail the act, which has already
// happened.
package audit
