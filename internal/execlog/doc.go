// Package execlog keeps the record of every tool execution: execute hands
// each finished call to a Writer, which redacts its arguments and answer
// by the request log's rules (reqlog.RedactJSON) and stores the records in
// batches, one transaction a batch (group commit), so that a call never
// waits for its log write; a sweeper deletes records older than the
// configured retention; Service answers the logs API's searches.
//
// What a crash can lose: records are queued in memory (at most QueueSize)
// until the writer's next batch commits: it gathers a batch for Linger
// (10ms) after its first record, then writes it in one transaction. Close
// flushes the queue, so a graceful shutdown loses nothing; a kill -9 or a
// power cut loses the records still queued or in the batch being written,
// in practice those of the last 10 to 20 milliseconds of calls. The calls themselves are
// not affected: the log is a record of what happened, not part of it. A
// full queue makes the next call wait for room (backpressure) instead of
// dropping its record; a batch the database refuses is retried, then
// dropped and counted in an error log.
package execlog
