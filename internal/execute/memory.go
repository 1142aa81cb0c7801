package execute

import (
	"errors"
	"io"
	"sync"
)

// MaxResponse is the most bytes of one upstream answer Switchboard reads:
// 8 MiB. A larger answer fails the call with a tool error saying so; it
// is never cut short into a body that no longer parses.
const MaxResponse = 8 << 20

// DefaultMemory is the process-wide budget of upstream answer bytes held
// in memory at once, when Service.Memory is not set: 256 MiB, room for 32
// answers of MaxResponse.
const DefaultMemory = 256 << 20

// Memory is a budget of bytes of upstream answers held in memory at once,
// shared by every request of a process. Each call takes the bytes of its
// answer as it reads it and gives them back when the call returns; a
// multi-execute takes the results it keeps again until its answer is
// built (see metatools). So many concurrent requests with large answers
// cannot together hold more than the budget, whatever each may hold on
// its own.
//
// Taking never waits. A request that already holds bytes and waited for
// more could deadlock with another request doing the same; instead, a call
// that finds the budget spent fails at once with ErrBusy, a tool error
// that says to retry. The budget counts the buffers answers are read into
// and the data decoded from them, not the copies made to encode a reply.
type Memory struct {
	limit int64

	mu   sync.Mutex
	used int64
	peak int64
}

// NewMemory returns a budget of limit bytes.
func NewMemory(limit int64) *Memory {
	return &Memory{limit: limit}
}

// defaultMemory is the budget of every Service without one of its own.
var defaultMemory = NewMemory(DefaultMemory)

// Limit is the budget's size in bytes.
func (m *Memory) Limit() int64 { return m.limit }

// Take reserves n bytes. It reports false, and reserves nothing, when that
// would exceed the limit.
func (m *Memory) Take(n int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n < 0 || m.used+n > m.limit {
		return false
	}
	m.used += n
	m.peak = max(m.peak, m.used)
	return true
}

// Give returns n bytes taken earlier.
func (m *Memory) Give(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.used -= n
	if m.used < 0 {
		panic("execute: memory budget given back more than was taken")
	}
}

// Used is the number of bytes reserved now.
func (m *Memory) Used() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.used
}

// Peak is the most bytes reserved at once since the budget was made.
func (m *Memory) Peak() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peak
}

// ErrBusy is a call's error when the memory budget is spent. The budget
// is taken as the answer is read, so the call was made.
var ErrBusy = errors.New("the call was made, but its answer was dropped: the server holds as many upstream answers in memory as it allows; retry in a moment if the call is safe to repeat")

// errTooLarge is an answer over MaxResponse.
var errTooLarge = errors.New("upstream answer over MaxResponse")

// readAnswer reads an upstream answer of at most MaxResponse bytes,
// taking the buffer it reads into from mem as the buffer grows. length is
// the answer's Content-Length, -1 when unknown. On success the caller
// gives back held when done with raw; on an error nothing stays taken.
func readAnswer(body io.Reader, length int64, mem *Memory) (raw []byte, held int64, err error) {
	if length > MaxResponse {
		return nil, 0, errTooLarge
	}
	// One byte over the limit tells a full answer from a larger one; a
	// known length needs no growing.
	size := int64(512)
	if length >= 0 {
		size = length + 1
	}
	for {
		if len(raw) > MaxResponse {
			mem.Give(held)
			return nil, 0, errTooLarge
		}
		if int64(len(raw)) == held {
			next := min(max(size, 2*held), MaxResponse+1)
			if !mem.Take(next - held) {
				mem.Give(held)
				return nil, 0, ErrBusy
			}
			grown := make([]byte, len(raw), next)
			copy(grown, raw)
			raw, held = grown, next
		}
		n, rerr := body.Read(raw[len(raw):held])
		raw = raw[:len(raw)+n]
		if rerr == io.EOF && len(raw) <= MaxResponse {
			return raw, held, nil
		}
		if rerr != nil && rerr != io.EOF {
			mem.Give(held)
			return nil, 0, rerr
		}
	}
}
