package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// KeySize is the size in bytes of a root key.
const KeySize = 32

const (
	// version1 is the only blob format so far: AES-256-GCM with a random
	// nonce, under a key derived with HKDF-SHA-256.
	version1   byte = 1
	headerSize      = 1 + 4

	// HKDF info labels (RFC 5869 §3.2): one root key yields independent
	// subkeys for independent uses.
	infoSealKey = "switchboard vault v1 aes-256-gcm key"
	infoKeyID   = "switchboard vault v1 key id"

	// aadLabel starts every AAD so that no other use of the same key could
	// produce the same additional data.
	aadLabel = "switchboard vault v1"
)

// Errors that Open and Seal report. Callers use errors.Is.
var (
	// ErrOpen reports a blob that does not open: malformed, tampered
	// with, or sealed for another owner (different AAD). The causes are
	// deliberately not told apart.
	ErrOpen = errors.New("vault: blob does not open (tampered, malformed, or sealed for another owner)")
	// ErrUnknownKey reports a blob sealed by a key that is not in the
	// keyring, typically one retired before all its blobs were re-sealed.
	ErrUnknownKey = errors.New("vault: blob was sealed by a key that is not in the keyring")
	// ErrNoOwner reports a Seal or Open call without AAD. A blob without
	// an owner could be copied anywhere, so it is refused.
	ErrNoOwner = errors.New("vault: seal and open need at least one AAD part naming the owner")
)

type keyID [4]byte

type ringKey struct {
	id   keyID
	aead cipher.AEAD
}

// Keyring seals with its active key and opens with any of its keys. A
// Keyring keeps only derived keys, never the root keys it was built from. It
// is safe for concurrent use.
type Keyring struct {
	active ringKey
	keys   map[keyID]cipher.AEAD
}

// NewKeyring returns a keyring whose active key, the one that seals, is
// derived from active, and which also opens blobs sealed by the old keys.
// Every key must be KeySize bytes; the same key may not appear twice.
func NewKeyring(active []byte, old ...[]byte) (*Keyring, error) {
	k := &Keyring{keys: make(map[keyID]cipher.AEAD, 1+len(old))}
	for i, root := range append([][]byte{active}, old...) {
		rk, err := deriveKey(root)
		if err != nil {
			if i == 0 {
				return nil, fmt.Errorf("vault: active key: %w", err)
			}
			return nil, fmt.Errorf("vault: old key %d: %w", i, err)
		}
		if _, dup := k.keys[rk.id]; dup {
			// Either the same key twice or a 32-bit id collision; both
			// would make Open ambiguous.
			return nil, fmt.Errorf("vault: key %d has the same key id (%x) as an earlier key", i, rk.id)
		}
		k.keys[rk.id] = rk.aead
		if i == 0 {
			k.active = rk
		}
	}
	return k, nil
}

func deriveKey(root []byte) (ringKey, error) {
	if len(root) != KeySize {
		return ringKey{}, fmt.Errorf("key is %d bytes, want %d", len(root), KeySize)
	}
	// No salt: the root key is already uniformly random (RFC 5869 §3.1).
	sealKey, err := hkdf.Key(sha256.New, root, nil, infoSealKey, 32)
	if err != nil {
		return ringKey{}, fmt.Errorf("derive key: %w", err)
	}
	idBytes, err := hkdf.Key(sha256.New, root, nil, infoKeyID, len(keyID{}))
	if err != nil {
		return ringKey{}, fmt.Errorf("derive key id: %w", err)
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return ringKey{}, fmt.Errorf("new cipher: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return ringKey{}, fmt.Errorf("new gcm: %w", err)
	}
	return ringKey{id: keyID(idBytes), aead: aead}, nil
}

// ParseKey decodes a root key written as standard base64 (RFC 4648 §4,
// with padding) of exactly KeySize bytes. Surrounding white space, such as
// the newline at the end of a key file, is ignored.
func ParseKey(b64 string) ([]byte, error) {
	key, err := parseKey(b64)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return key, nil
}

func parseKey(b64 string) ([]byte, error) {
	s := strings.TrimSpace(b64)
	if s == "" {
		return nil, errors.New("key is empty")
	}
	key, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		// The base64 error names only an offset, never key material.
		return nil, fmt.Errorf("key is not standard base64: %w", err)
	}
	if len(key) != KeySize {
		clear(key)
		return nil, fmt.Errorf("key is %d bytes, want %d (generate one with: openssl rand -base64 32)", len(key), KeySize)
	}
	return key, nil
}

// ActiveKeyID returns the id of the key that seals, in hex, for logs and
// operator tools. It reveals nothing about the key.
func (k *Keyring) ActiveKeyID() string { return hex.EncodeToString(k.active.id[:]) }

// Seal encrypts plaintext with the active key and binds it to the owner
// named by aad, which Open must be given again. At least one aad part is
// required.
func (k *Keyring) Seal(plaintext []byte, aad ...string) ([]byte, error) {
	if len(aad) == 0 {
		return nil, ErrNoOwner
	}
	out := make([]byte, headerSize, headerSize+len(plaintext)+k.active.aead.Overhead())
	out[0] = version1
	copy(out[1:headerSize], k.active.id[:])
	// The nonce is nil: NewGCMWithRandomNonce draws it and prepends it.
	return k.active.aead.Seal(out, nil, plaintext, additionalData(out[:headerSize], aad)), nil
}

// Open decrypts a blob from Seal, given the same aad parts in the same
// order. It returns ErrUnknownKey when the blob's key is not in the ring and
// ErrOpen for anything else that fails.
func (k *Keyring) Open(blob []byte, aad ...string) ([]byte, error) {
	if len(aad) == 0 {
		return nil, ErrNoOwner
	}
	if len(blob) < headerSize || blob[0] != version1 {
		return nil, ErrOpen
	}
	aead, ok := k.keys[keyID(blob[1:headerSize])]
	if !ok {
		return nil, ErrUnknownKey
	}
	if len(blob) < headerSize+aead.Overhead() {
		return nil, ErrOpen
	}
	pt, err := aead.Open(nil, nil, blob[headerSize:], additionalData(blob[:headerSize], aad))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// NeedsRotation reports whether blob should be re-sealed: its header names
// a key other than the active one, or an older format. It reads only the
// header and does not authenticate the blob. A blob too short to have a
// header reports true, so a re-encryption job surfaces it through Open's
// error instead of skipping it.
func (k *Keyring) NeedsRotation(blob []byte) bool {
	if len(blob) < headerSize || blob[0] != version1 {
		return true
	}
	return keyID(blob[1:headerSize]) != k.active.id
}

// Reseal returns blob sealed again under the active key when it was
// sealed under another, and reports whether it did. The blob must open
// with aad, so a moved or tampered blob fails here too.
func (k *Keyring) Reseal(blob []byte, aad ...string) ([]byte, bool, error) {
	if !k.NeedsRotation(blob) {
		return blob, false, nil
	}
	plain, err := k.Open(blob, aad...)
	if err != nil {
		return nil, false, err
	}
	sealed, err := k.Seal(plain, aad...)
	if err != nil {
		return nil, false, err
	}
	return sealed, true, nil
}

// additionalData returns the AAD for a blob with the given header and owner
// parts: a fixed label, the header, then each part prefixed with its 4-byte
// big-endian length, so that no two different part lists encode alike
// ("ab","c" differs from "a","bc").
func additionalData(header []byte, parts []string) []byte {
	n := len(aadLabel) + len(header)
	for _, p := range parts {
		n += 4 + len(p)
	}
	b := make([]byte, 0, n)
	b = append(b, aadLabel...)
	b = append(b, header...)
	for _, p := range parts {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}

// String describes the keyring without any key material.
func (k Keyring) String() string {
	return fmt.Sprintf("vault.Keyring{active: %s, keys: %d}", k.ActiveKeyID(), len(k.keys))
}

// Format writes String for every verb, so that printing a Keyring with %v or
// %#v never walks into the derived keys.
func (k Keyring) Format(f fmt.State, _ rune) { fmt.Fprint(f, k.String()) }

// LogValue implements slog.LogValuer with String.
func (k Keyring) LogValue() slog.Value { return slog.StringValue(k.String()) }
