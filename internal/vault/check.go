package vault

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrWrongKey reports a keyring that opens none of the check values stored
// with the data: the data was sealed with other keys.
var ErrWrongKey = errors.New("vault: the encryption key does not match the stored data")

// checkValue is what a check seals. It is no secret: the check proves only
// that a key is the one that sealed it.
var checkValue = []byte("switchboard vault check v1")

var checkAAD = []string{"vault", "check"}

// SealCheck returns a check value sealed by the active key. Stored with
// the data (one per key), it lets a later start tell whether it was given
// a key that sealed the data, before it serves anything (VerifyChecks).
func (k *Keyring) SealCheck() ([]byte, error) { return k.Seal(checkValue, checkAAD...) }

// KeyIDOf returns the id, in hex, of the key whose header a blob names, or
// "" for a blob too short to have one. It does not authenticate the blob.
func KeyIDOf(blob []byte) string {
	if len(blob) < headerSize {
		return ""
	}
	return hex.EncodeToString(blob[1:headerSize])
}

// Holds reports whether blob's header names one of the keyring's keys. It
// does not authenticate the blob.
func (k *Keyring) Holds(blob []byte) bool {
	if len(blob) < headerSize {
		return false
	}
	_, ok := k.keys[keyID(blob[1:headerSize])]
	return ok
}

// VerifyChecks reports whether the keyring holds a key that sealed the
// stored data: nil when one of the checks opens to the check value, nil
// too when there are no checks (a new store), and otherwise an error
// wrapping ErrWrongKey that names the keyring's and the checks' key ids
// (ids only, never key material). A check of one of the keyring's keys
// that does not open is tampered with, and an error too.
func (k *Keyring) VerifyChecks(checks [][]byte) error {
	if len(checks) == 0 {
		return nil
	}
	var stored []string
	for _, c := range checks {
		pt, err := k.Open(c, checkAAD...)
		switch {
		case err == nil && bytes.Equal(pt, checkValue):
			return nil
		case errors.Is(err, ErrUnknownKey):
			stored = append(stored, KeyIDOf(c))
		default:
			return fmt.Errorf("vault: the check value of key %s does not open; the stored data may have been tampered with: %w", KeyIDOf(c), ErrOpen)
		}
	}
	return fmt.Errorf("%w: the configured keys (ids %s) are not the keys the data was sealed with (ids %s); set SWITCHBOARD_ENCRYPTION_KEY to the key this store was used with, or add it to SWITCHBOARD_OLD_ENCRYPTION_KEYS while rotating",
		ErrWrongKey, strings.Join(k.keyIDs(), ", "), strings.Join(stored, ", "))
}

// keyIDs lists the keyring's key ids in hex, the active one first.
func (k *Keyring) keyIDs() []string {
	ids := []string{k.ActiveKeyID()}
	for id := range k.keys {
		if id != k.active.id {
			ids = append(ids, hex.EncodeToString(id[:]))
		}
	}
	return ids
}
