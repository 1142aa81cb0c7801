package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func newKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

func newRing(t testing.TB, active []byte, old ...[]byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(active, old...)
	if err != nil {
		t.Fatalf("NewKeyring: %v", err)
	}
	return k
}

var owner = []string{"proj_1", "ca_1", "access_token"}

func TestSeal_RoundTrip(t *testing.T) {
	k := newRing(t, newKey(t))
	for _, pt := range [][]byte{nil, {}, []byte("x"), bytes.Repeat([]byte("token"), 1000)} {
		blob, err := k.Seal(pt, owner...)
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		got, err := k.Open(blob, owner...)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, pt) {
			t.Errorf("Open(Seal(%d bytes)) = %d bytes, want the plaintext back", len(pt), len(got))
		}
		if want := headerSize + 12 + len(pt) + 16; len(blob) != want {
			t.Errorf("len(blob) = %d, want %d", len(blob), want)
		}
		if blob[0] != version1 {
			t.Errorf("blob version = %d, want %d", blob[0], version1)
		}
		if got, want := hex.EncodeToString(blob[1:headerSize]), k.ActiveKeyID(); got != want {
			t.Errorf("blob key id = %s, want the active key id %s", got, want)
		}
	}
}

func TestSeal_Confidential(t *testing.T) {
	k := newRing(t, newKey(t))
	secrets := []string{
		"ghp_0123456789abcdefghijklmnopqrstuvwxyz",
		"ya29.a0AfH6SMB-refresh-me-please",
		strings.Repeat("A", 64), // repetitive plaintext: no ECB-like pattern either
	}
	for _, s := range secrets {
		blob, err := k.Seal([]byte(s), owner...)
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		// The stored bytes must not contain the plaintext, nor any 8-byte
		// window of it, nor its common encodings.
		for i := 0; i+8 <= len(s); i++ {
			if bytes.Contains(blob, []byte(s[i:i+8])) {
				t.Fatalf("blob contains plaintext bytes %q", s[i:i+8])
			}
		}
		for _, enc := range []string{base64.StdEncoding.EncodeToString([]byte(s)), hex.EncodeToString([]byte(s))} {
			if bytes.Contains(blob, []byte(enc[:8])) {
				t.Errorf("blob contains an encoding of the plaintext")
			}
		}
		again, _ := k.Seal([]byte(s), owner...)
		if bytes.Equal(blob, again) {
			t.Errorf("two seals of the same plaintext are equal; want fresh random nonces")
		}
	}
}

func TestSeal_Integrity(t *testing.T) {
	k := newRing(t, newKey(t))
	blob, err := k.Seal([]byte("refresh-token-value"), owner...)
	if err != nil {
		t.Fatal(err)
	}
	// Every single flipped bit, in the header, the nonce, the ciphertext
	// and the tag, must make Open fail.
	for i := range blob {
		for bit := range 8 {
			bad := bytes.Clone(blob)
			bad[i] ^= 1 << bit
			if pt, err := k.Open(bad, owner...); err == nil {
				t.Fatalf("Open succeeded with byte %d bit %d flipped: got %q", i, bit, pt)
			} else if !errors.Is(err, ErrOpen) && !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("byte %d bit %d: err = %v, want ErrOpen or ErrUnknownKey", i, bit, err)
			}
		}
	}
	// Truncated and extended blobs fail too.
	for n := range len(blob) {
		if _, err := k.Open(blob[:n], owner...); err == nil {
			t.Fatalf("Open succeeded on the first %d of %d bytes", n, len(blob))
		}
	}
	if _, err := k.Open(append(bytes.Clone(blob), 0), owner...); err == nil {
		t.Fatalf("Open succeeded with a byte appended")
	}
}

func TestSeal_MoveIntegrity(t *testing.T) {
	k := newRing(t, newKey(t))
	blob, err := k.Seal([]byte("secret"), "proj_1", "ca_1", "access_token")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		aad  []string
	}{
		{"other project", []string{"proj_2", "ca_1", "access_token"}},
		{"other account", []string{"proj_1", "ca_2", "access_token"}},
		{"other field", []string{"proj_1", "ca_1", "refresh_token"}},
		{"parts reordered", []string{"ca_1", "proj_1", "access_token"}},
		{"part missing", []string{"proj_1", "ca_1"}},
		{"part added", []string{"proj_1", "ca_1", "access_token", ""}},
		{"boundary moved", []string{"proj_1c", "a_1", "access_token"}},
		{"parts joined", []string{"proj_1ca_1access_token"}},
		{"case changed", []string{"PROJ_1", "ca_1", "access_token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := k.Open(blob, tt.aad...); !errors.Is(err, ErrOpen) {
				t.Errorf("Open with AAD %q: err = %v, want ErrOpen", tt.aad, err)
			}
		})
	}
	// Boundary ambiguity in the other direction: ("ab","c") vs ("a","bc").
	b2, _ := k.Seal([]byte("x"), "ab", "c")
	if _, err := k.Open(b2, "a", "bc"); !errors.Is(err, ErrOpen) {
		t.Errorf(`Open(Seal("ab","c"), "a","bc"): err = %v, want ErrOpen`, err)
	}
	// A blob with no owner is refused both ways.
	if _, err := k.Seal([]byte("x")); !errors.Is(err, ErrNoOwner) {
		t.Errorf("Seal without AAD: err = %v, want ErrNoOwner", err)
	}
	if _, err := k.Open(blob); !errors.Is(err, ErrNoOwner) {
		t.Errorf("Open without AAD: err = %v, want ErrNoOwner", err)
	}
}

func TestKeyring_Rotation(t *testing.T) {
	k1, k2, k3 := newKey(t), newKey(t), newKey(t)
	old := newRing(t, k1)
	blobOld, err := old.Seal([]byte("sealed by k1"), owner...)
	if err != nil {
		t.Fatal(err)
	}
	if old.NeedsRotation(blobOld) {
		t.Errorf("NeedsRotation = true for a blob of the active key")
	}

	// Step 1: add k2 as the active key; k1 still opens.
	ring := newRing(t, k2, k1)
	if ring.ActiveKeyID() == old.ActiveKeyID() {
		t.Fatalf("two different keys have the same key id %s", ring.ActiveKeyID())
	}
	got, err := ring.Open(blobOld, owner...)
	if err != nil || string(got) != "sealed by k1" {
		t.Fatalf("new ring Open(old blob) = %q, %v; want the plaintext", got, err)
	}
	if !ring.NeedsRotation(blobOld) {
		t.Errorf("NeedsRotation(old blob) = false, want true")
	}

	// Step 2: re-seal in the background; the new blob uses k2.
	blobNew, err := ring.Seal(got, owner...)
	if err != nil {
		t.Fatal(err)
	}
	if ring.NeedsRotation(blobNew) {
		t.Errorf("NeedsRotation(re-sealed blob) = true, want false")
	}
	if _, err := old.Open(blobNew, owner...); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("old ring Open(new blob): err = %v, want ErrUnknownKey", err)
	}

	// Step 3: retire k1; its blobs no longer open, re-sealed ones do.
	retired := newRing(t, k2, k3)
	if _, err := retired.Open(blobOld, owner...); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("after retiring k1, Open(old blob): err = %v, want ErrUnknownKey", err)
	}
	if got, err := retired.Open(blobNew, owner...); err != nil || string(got) != "sealed by k1" {
		t.Errorf("after retiring k1, Open(re-sealed blob) = %q, %v", got, err)
	}

	// The same root key always derives the same key id.
	if again := newRing(t, k1); again.ActiveKeyID() != old.ActiveKeyID() {
		t.Errorf("key id of k1 changed between keyrings: %s, then %s", old.ActiveKeyID(), again.ActiveKeyID())
	}
	// A malformed header asks for rotation, so the job surfaces it.
	for _, b := range [][]byte{nil, {version1, 1, 2}, append([]byte{9}, blobNew[1:]...)} {
		if !ring.NeedsRotation(b) {
			t.Errorf("NeedsRotation(%x) = false, want true", b)
		}
	}
}

func TestNewKeyring_Errors(t *testing.T) {
	k := newKey(t)
	tests := []struct {
		name   string
		active []byte
		old    [][]byte
		want   string
	}{
		{"short active", k[:31], nil, "active key: key is 31 bytes, want 32"},
		{"long old", k, [][]byte{append(newKey(t), 0)}, "old key 1: key is 33 bytes, want 32"},
		{"nil active", nil, nil, "active key: key is 0 bytes"},
		{"duplicate", k, [][]byte{newKey(t), bytes.Clone(k)}, "key 2 has the same key id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewKeyring(tt.active, tt.old...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewKeyring: err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestKeyring_PrintsNoKeys(t *testing.T) {
	k := newRing(t, newKey(t), newKey(t))
	want := "vault.Keyring{active: " + k.ActiveKeyID() + ", keys: 2}"
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(verb, k); got != want {
			t.Errorf("Sprintf(%s, keyring) = %q, want %q", verb, got, want)
		}
		if got := fmt.Sprintf(verb, *k); got != want {
			t.Errorf("Sprintf(%s, *keyring) = %q, want %q", verb, got, want)
		}
	}
}

func TestParseKey(t *testing.T) {
	key := newKey(t)
	good := base64.StdEncoding.EncodeToString(key)
	tests := []struct {
		name, in, wantErr string
	}{
		{"ok", good, ""},
		{"trailing newline", good + "\n", ""},
		{"empty", "  \n", "key is empty"},
		{"not base64", "not-base64!!", "not standard base64"},
		{"url alphabet", strings.NewReplacer("+", "-", "/", "_").Replace(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xff}, 16))), "not standard base64"},
		{"unpadded", base64.RawStdEncoding.EncodeToString(key), "not standard base64"},
		{"16 bytes", base64.StdEncoding.EncodeToString(key[:16]), "key is 16 bytes, want 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKey(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseKey: %v", err)
				}
				if !bytes.Equal(got, key) {
					t.Errorf("ParseKey returned another key")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseKey: err = %v, want it to contain %q", err, tt.wantErr)
			}
			if err != nil && len(tt.in) > 8 && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
				t.Errorf("ParseKey error quotes the key: %v", err)
			}
		})
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "vault.key")
	key, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created || len(key) != KeySize {
		t.Fatalf("LoadOrCreateKeyFile(new) = %d bytes, created %v, %v; want a new 32-byte key", len(key), created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %#o, want 0600", fi.Mode().Perm())
	}
	again, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !bytes.Equal(again, key) {
		t.Fatalf("LoadOrCreateKeyFile(existing) = created %v, %v, same key %v; want the same key, not created", created, err, bytes.Equal(again, key))
	}
	if _, err := NewKeyring(key); err != nil {
		t.Errorf("generated key does not make a keyring: %v", err)
	}

	t.Run("group readable", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("permission bits mean nothing on Windows")
		}
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(path, 0o600)
		if _, _, err := LoadOrCreateKeyFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("LoadOrCreateKeyFile(mode 0640): err = %v, want a refusal naming chmod 600", err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.key")
		os.WriteFile(bad, []byte("hello\n"), 0o600)
		if _, _, err := LoadOrCreateKeyFile(bad); err == nil || !strings.Contains(err.Error(), "bad.key") {
			t.Errorf("LoadOrCreateKeyFile(garbage): err = %v, want an error naming the file", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "empty.key")
		os.WriteFile(empty, nil, 0o600)
		if _, _, err := LoadOrCreateKeyFile(empty); err == nil || !strings.Contains(err.Error(), "key is empty") {
			t.Errorf("LoadOrCreateKeyFile(empty file): err = %v, want key is empty", err)
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	k := newRing(b, newKey(b))
	for _, size := range []int{64, 4096} {
		pt := make([]byte, size)
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := k.Seal(pt, owner...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	k := newRing(b, newKey(b), newKey(b), newKey(b))
	for _, size := range []int{64, 4096} {
		blob, err := k.Seal(make([]byte, size), owner...)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := k.Open(blob, owner...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestKeyring_Reseal(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1}, KeySize), bytes.Repeat([]byte{2}, KeySize)
	before, err := NewKeyring(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := before.Seal([]byte("token"), "account", "p1", "ca1")
	if err != nil {
		t.Fatal(err)
	}
	after, err := NewKeyring(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	sealed, changed, err := after.Reseal(blob, "account", "p1", "ca1")
	if err != nil || !changed || after.NeedsRotation(sealed) {
		t.Fatalf("Reseal: changed %v, err %v, still old %v; want a blob under the new key", changed, err, after.NeedsRotation(sealed))
	}
	newOnly, _ := NewKeyring(newKey)
	if got, err := newOnly.Open(sealed, "account", "p1", "ca1"); err != nil || string(got) != "token" {
		t.Errorf("open with the new key alone: %q %v", got, err)
	}
	if again, changed, err := after.Reseal(sealed, "account", "p1", "ca1"); err != nil || changed || !bytes.Equal(again, sealed) {
		t.Errorf("resealing a current blob: changed %v, err %v", changed, err)
	}
	if _, _, err := after.Reseal(blob, "account", "p2", "ca1"); err == nil {
		t.Errorf("a blob moved to another owner was resealed")
	}
}

// TestVerifyChecks: the checks of the data's keys verify the same key and a
// keyring that holds it among old keys; any other key is ErrWrongKey, with
// an error naming key ids and never key material; a tampered check fails.
func TestVerifyChecks(t *testing.T) {
	keyA, keyB := bytes.Repeat([]byte{0xa1}, KeySize), bytes.Repeat([]byte{0xb2}, KeySize)
	ringA, err := NewKeyring(keyA)
	if err != nil {
		t.Fatal(err)
	}
	ringB, err := NewKeyring(keyB)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := NewKeyring(keyB, keyA)
	if err != nil {
		t.Fatal(err)
	}
	checkA, err := ringA.SealCheck()
	if err != nil {
		t.Fatal(err)
	}
	if KeyIDOf(checkA) != ringA.ActiveKeyID() {
		t.Errorf("KeyIDOf(check): got %s, want %s", KeyIDOf(checkA), ringA.ActiveKeyID())
	}
	if err := ringA.VerifyChecks(nil); err != nil {
		t.Errorf("no checks (a new store): got %v, want nil", err)
	}
	if err := ringA.VerifyChecks([][]byte{checkA}); err != nil {
		t.Errorf("the same key: got %v", err)
	}
	if err := rotated.VerifyChecks([][]byte{checkA}); err != nil {
		t.Errorf("the key as an old key: got %v", err)
	}
	err = ringB.VerifyChecks([][]byte{checkA})
	if !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), ringA.ActiveKeyID()) || !strings.Contains(err.Error(), ringB.ActiveKeyID()) {
		t.Errorf("another key: got %v, want ErrWrongKey naming both key ids", err)
	}
	if err != nil && (strings.Contains(err.Error(), base64.StdEncoding.EncodeToString(keyA)) || strings.Contains(err.Error(), base64.StdEncoding.EncodeToString(keyB))) {
		t.Errorf("the error holds key material: %v", err)
	}
	tampered := bytes.Clone(checkA)
	tampered[len(tampered)-1] ^= 1
	if err := ringA.VerifyChecks([][]byte{tampered}); err == nil || errors.Is(err, ErrWrongKey) {
		t.Errorf("a tampered check: got %v, want an open error", err)
	}
}
