package vault

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Redacted is what a Secret prints, marshals and logs as.
const Redacted = "[REDACTED]"

const redactedJSON = `"` + Redacted + `"`

// Secret holds a token, API key or client secret. It prints, marshals and
// logs as Redacted; Reveal returns the value. Secrets are compared with
// Equal: == does not compile.
//
// The value sits behind a pointer so that even fmt's reflection over an
// unexported Secret field, which cannot call its methods, prints an address
// and not the value.
//
// Marshalling loses the value on purpose, so a struct holding Secrets cannot
// be stored with SealJSON (it refuses); seal the revealed strings instead.
type Secret struct {
	_ [0]func() // makes Secret incomparable
	v *string
}

// NewSecret returns a Secret holding s.
func NewSecret(s string) Secret { return Secret{v: &s} }

// Reveal returns the secret value. Never log or format its result.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether s is empty. It also makes a Secret field with the
// omitzero JSON option disappear when empty.
func (s Secret) IsZero() bool { return s.Reveal() == "" }

// Equal reports whether s and o hold the same value, in time that depends
// only on the lengths of the two values.
func (s Secret) Equal(o Secret) bool {
	return subtle.ConstantTimeCompare([]byte(s.Reveal()), []byte(o.Reveal())) == 1
}

// String returns Redacted.
func (Secret) String() string { return Redacted }

// GoString returns Redacted.
func (Secret) GoString() string { return Redacted }

// Format writes Redacted for every verb, %v, %+v, %#v, %s, %q and %x
// included.
func (Secret) Format(f fmt.State, _ rune) { io.WriteString(f, Redacted) }

// LogValue implements slog.LogValuer: a Secret logs as Redacted.
func (Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON encodes a Secret as the JSON string "[REDACTED]".
func (Secret) MarshalJSON() ([]byte, error) { return []byte(redactedJSON), nil }

// MarshalText encodes a Secret as Redacted, for text-based encoders other
// than encoding/json (encoding/xml, for one).
func (Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// UnmarshalJSON decodes a JSON string (or null, as empty) into a Secret, so
// request bodies can carry secrets into Secret fields.
func (s *Secret) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = Secret{}
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		// The input may be the secret itself: don't quote it.
		return fmt.Errorf("vault: a secret must be a JSON string")
	}
	*s = NewSecret(v)
	return nil
}
