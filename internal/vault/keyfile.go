package vault

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// LoadOrCreateKeyFile returns the root key stored in the file at path, as
// standard base64 (see ParseKey). When the file does not exist it generates
// a key with crypto/rand, writes it with mode 0600 (creating missing parent
// directories with mode 0700), and reports created.
//
// It refuses an existing key file that its group or other users can read or
// write (mode & 0077 != 0), rather than just warning: whoever can read the
// key can read every credential (see the package doc). Fix it with
// chmod 600. The check is skipped on Windows, whose permission bits mean
// nothing.
//
// Two processes racing to create the file agree on one key: the file is
// created exclusively and the loser reads the winner's key.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	key, err = readKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}

	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("vault: create key file directory: %w", err)
	}
	key = make([]byte, KeySize)
	rand.Read(key) // never fails (crypto/rand, Go 1.24+)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		key, err = readKeyFile(path)
		return key, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("vault: create key file: %w", err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		// Don't leave an empty or partial key file behind.
		os.Remove(path)
		return nil, false, fmt.Errorf("vault: write key file: %w", werr)
	}
	return key, true, nil
}

func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vault: open key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("vault: stat key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("vault: key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("vault: key file %s has mode %#o, which lets other users read or change it; run chmod 600 on it", path, perm)
	}
	// A key file holds 45 bytes; anything much longer is not one.
	b, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return nil, fmt.Errorf("vault: read key file %s: %w", path, err)
	}
	defer clear(b)
	key, err := parseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("vault: key file %s: %w", path, err)
	}
	return key, nil
}
