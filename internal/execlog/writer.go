package execlog

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// Defaults of a Writer.
const (
	// QueueSize bounds the records waiting to be written.
	QueueSize = 4096
	// MaxBatch bounds the records of one transaction.
	MaxBatch = 512
	// Linger is how long the writer waits, after the first record of a
	// batch, for more before it writes: a transaction costs about as much
	// for one record as for hundreds, so waiting a little saves most of
	// the database's work under load, at the price of this much more a
	// crash can lose.
	Linger = 10 * time.Millisecond
	// MaxBody bounds the bytes of arguments or an answer kept in a record;
	// a larger one is kept as a note of its size.
	MaxBody = 32 << 10
)

// Entry is one finished call, as execute hands it over: the record
// without its JSON, plus the arguments and answer, redacted and encoded
// by the writer, off the call's path.
type Entry struct {
	Log store.ExecutionLog
	// Arguments are the call's arguments, decoded JSON values. The writer
	// only reads them.
	Arguments map[string]any
	// Response is the answer's JSON, at most MaxBody bytes (see Body).
	Response json.RawMessage
}

// Body returns what an Entry keeps of an answer: a copy of raw, which the
// caller may reuse, or, past MaxBody, a note of its size.
func Body(raw []byte) json.RawMessage {
	if len(raw) > MaxBody {
		return tooLarge(len(raw))
	}
	return append(json.RawMessage(nil), raw...)
}

func tooLarge(n int) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"not_kept": "larger than the log keeps", "bytes": n})
	return b
}

// Writer stores entries in batches. Add queues; one goroutine (Run)
// writes. The zero value is not usable: make one with NewWriter.
type Writer struct {
	store  store.Logs
	logger *slog.Logger
	queue  chan Entry
	linger time.Duration

	mu     sync.RWMutex // held for reading by Add, for writing by Close
	closed bool
	done   chan struct{}
	// flushed, when not nil, is called after each batch (tests).
	flushed func(n int)
}

// NewWriter returns a writer to st and starts its goroutine; Close stops
// it.
func NewWriter(st store.Logs, logger *slog.Logger, queueSize int) *Writer {
	if queueSize <= 0 {
		queueSize = QueueSize
	}
	w := &Writer{store: st, logger: logger, queue: make(chan Entry, queueSize), linger: Linger, done: make(chan struct{})}
	go w.run()
	return w
}

// Add queues e. It waits only when the queue is full, until there is
// room or ctx ends (the record is then dropped and counted in a warning).
// After Close it drops e.
func (w *Writer) Add(ctx context.Context, e Entry) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return
	}
	select {
	case w.queue <- e:
		return
	default:
	}
	select {
	case w.queue <- e:
	case <-ctx.Done():
		w.logger.Warn("execution log dropped: the log queue is full and the call ended", "log_id", e.Log.ID)
	}
}

// Close stops accepting entries, writes every queued one and returns when
// they are stored or ctx ends.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run writes batches: it waits for one entry, then takes the others that
// arrive within the linger (up to MaxBatch) and writes them in one
// transaction. While a batch is written, the next one gathers in the
// queue. Once the queue is closed it writes what is left without
// lingering.
func (w *Writer) run() {
	defer close(w.done)
	batch := make([]store.ExecutionLog, 0, MaxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for e := range w.queue {
		batch = append(batch[:0], encode(e))
		timer.Reset(w.linger)
	more:
		for len(batch) < MaxBatch {
			select {
			case e, ok := <-w.queue:
				if !ok {
					break more
				}
				batch = append(batch, encode(e))
			case <-timer.C:
				break more
			}
		}
		timer.Stop()
		w.write(batch)
	}
}

// write stores a batch, retrying twice on an error.
func (w *Writer) write(batch []store.ExecutionLog) {
	var err error
	for attempt, wait := 0, 100*time.Millisecond; attempt < 3; attempt, wait = attempt+1, wait*4 {
		if attempt > 0 {
			time.Sleep(wait)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = w.store.AppendExecutionLogs(ctx, batch)
		cancel()
		if err == nil {
			break
		}
	}
	if err != nil {
		w.logger.Error("execution logs dropped: the store refused their batch", "count", len(batch), "error", err)
	}
	if w.flushed != nil {
		w.flushed(len(batch))
	}
}

// encode turns an entry into its record: text made storable, arguments
// and answer redacted.
func encode(e Entry) store.ExecutionLog {
	l := e.Log
	// The ids and slugs were checked as text when the request came in;
	// the error may quote an upstream's answer.
	if l.Error != "" {
		l.Error = reqlog.RedactValue(storable(l.Error)).(string)
	}
	if e.Arguments != nil {
		if raw, err := json.Marshal(e.Arguments); err == nil {
			if len(raw) > MaxBody {
				l.Arguments = tooLarge(len(raw))
			} else {
				l.Arguments = reqlog.RedactJSON(raw)
			}
		}
	}
	if len(e.Response) > 0 {
		l.Response = reqlog.RedactJSON(e.Response)
	}
	return l
}

// storable returns s as text every store keeps: valid UTF-8 without NUL
// (store.BadText), which an upstream's error text need not be.
func storable(s string) string {
	if store.BadText(s) == "" {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}
