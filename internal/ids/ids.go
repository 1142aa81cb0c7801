// Package ids makes the random identifiers Switchboard hands out: a type
// prefix (ca_, ac_, trs_, ln_, ...) followed by base62 characters from
// crypto/rand, so ids are unguessable as well as unique.
package ids

import (
	"crypto/rand"
	"strings"
	"sync"
	"time"
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Prefixes of the ids Switchboard hands out.
const (
	Project    = "proj_"
	APIKey     = "key_"
	AuthConfig = "ac_"
	Account    = "ca_"
	Link       = "ln_"
	Session    = "trs_"
	Request    = "req_"
)

// New returns prefix followed by n random base62 characters.
func New(prefix string, n int) string {
	return build(prefix, "", n)
}

// build returns prefix, then middle, then n random base62 characters, in
// one allocation.
func build(prefix, middle string, n int) string {
	var b strings.Builder
	b.Grow(len(prefix) + len(middle) + n)
	b.WriteString(prefix)
	b.WriteString(middle)
	e := chunks.Get().(*chunk)
	defer chunks.Put(e)
	for left := n; left > 0; {
		c := e.next()
		// 62*4 = 248: drop bytes >= 248 so every character is equally likely.
		if c >= 248 {
			continue
		}
		b.WriteByte(alphabet[c%62])
		left--
	}
	return b.String()
}

// chunk is crypto/rand output handed out byte by byte, each byte once.
// Reading a chunk at a time instead of a few bytes per id saves a
// getrandom system call per id (two per tool execution: the request's id
// and the log's); the bytes are crypto/rand's all the same.
type chunk struct {
	buf [256]byte
	off int
}

var chunks = sync.Pool{New: func() any { return &chunk{off: len(chunk{}.buf)} }}

func (e *chunk) next() byte {
	if e.off == len(e.buf) {
		rand.Read(e.buf[:])
		e.off = 0
	}
	c := e.buf[e.off]
	e.buf[e.off] = 0 // handed out: not kept
	e.off++
	return c
}

// orderedWidth is the width of the time part of an ordered id: 9 base62
// characters hold every microsecond until the year 2398.
const orderedWidth = 9

// NewOrdered returns prefix, t's microseconds since 1970 in orderedWidth
// base62 characters, then n random ones: ids made later sort later as
// text, so a table keyed by them grows at one end (an index of random ids
// dirties a page of its own for nearly every insert).
func NewOrdered(prefix string, t time.Time, n int) string {
	us := t.UnixMicro()
	var ts [orderedWidth]byte
	for i := orderedWidth - 1; i >= 0; i-- {
		ts[i] = alphabet[us%62]
		us /= 62
	}
	return build(prefix, string(ts[:]), n)
}
