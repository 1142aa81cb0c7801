// Package ids makes the random identifiers Switchboard hands out: a type
// prefix (ca_, ac_, trs_, ln_, ...) followed by base62 characters from
// crypto/rand, so ids are unguessable as well as unique.
package ids

import (
	"crypto/rand"
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
	out := make([]byte, 0, len(prefix)+n)
	out = append(out, prefix...)
	buf := make([]byte, n+n/2+4)
	for len(out) < len(prefix)+n {
		rand.Read(buf)
		for _, c := range buf {
			// 62*4 = 248: drop bytes >= 248 so every character is equally likely.
			if c >= 248 {
				continue
			}
			out = append(out, alphabet[c%62])
			if len(out) == len(prefix)+n {
				break
			}
		}
	}
	return string(out)
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
	return New(prefix+string(ts[:]), n)
}
