package execute

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAnswer reads answers of every size around MaxResponse, with
// and without a known length: up to the limit they are read whole, past
// it they fail, and a spent budget fails at once; on an error nothing
// stays taken from the budget.
func TestReadAnswer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		size    int
		known   bool
		budget  int64
		wantErr error
	}{
		{"empty", 0, false, DefaultMemory, nil},
		{"small, length unknown", 1000, false, DefaultMemory, nil},
		{"small, length known", 1000, true, DefaultMemory, nil},
		{"at the limit, length unknown", MaxResponse, false, DefaultMemory, nil},
		{"at the limit, length known", MaxResponse, true, DefaultMemory, nil},
		{"one byte over, length unknown", MaxResponse + 1, false, DefaultMemory, errTooLarge},
		{"one byte over, length known", MaxResponse + 1, true, DefaultMemory, errTooLarge},
		{"far over, length unknown", 3 * MaxResponse, false, DefaultMemory, errTooLarge},
		{"one byte over, last bytes with EOF", MaxResponse + 1, false, DefaultMemory, errTooLarge},
		{"at the limit, last bytes with EOF", MaxResponse, false, DefaultMemory, nil},
		{"budget spent, length known", 1000, true, 500, ErrBusy},
		{"budget spent while reading", 1 << 20, false, 1 << 19, ErrBusy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := bytes.Repeat([]byte{'x'}, tc.size)
			length := int64(-1)
			if tc.known {
				length = int64(tc.size)
			}
			mem := NewMemory(tc.budget)
			var r io.Reader = bytes.NewReader(body)
			if strings.HasSuffix(tc.name, "with EOF") {
				r = iotest.DataErrReader(r)
			}
			raw, held, err := readAnswer(r, length, mem)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if raw != nil || held != 0 || mem.Used() != 0 {
					t.Errorf("after %v: %d bytes, held %d, budget used %d; want nothing", err, len(raw), held, mem.Used())
				}
				return
			}
			if !bytes.Equal(raw, body) {
				t.Errorf("read %d bytes, want the %d sent", len(raw), len(body))
			}
			if held < int64(len(raw)) || held != mem.Used() || held > MaxResponse+1 {
				t.Errorf("held %d for %d bytes, budget used %d", held, len(raw), mem.Used())
			}
			mem.Give(held)
		})
	}
}

// TestMemoryTake never lets the budget go over its limit.
func TestMemoryTake(t *testing.T) {
	m := NewMemory(10)
	if !m.Take(6) || m.Take(5) || !m.Take(4) || m.Take(1) {
		t.Fatalf("takes of 6, 5, 4, 1 from 10: used %d", m.Used())
	}
	m.Give(10)
	if m.Used() != 0 || m.Peak() != 10 {
		t.Errorf("used %d, peak %d; want 0 and 10", m.Used(), m.Peak())
	}
}
