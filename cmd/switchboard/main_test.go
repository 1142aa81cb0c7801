package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestKeysLifecycle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"SWITCHBOARD_DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, &out, &errOut, getenv)
		return out.String() + errOut.String(), err
	}
	out, err := cli("projects", "create", "Acme")
	if err != nil {
		t.Fatalf("projects create: %v\n%s", err, out)
	}
	key := regexp.MustCompile(`sb_[0-9A-Za-z]{40}`).FindString(out)
	if key == "" {
		t.Fatalf("no key printed: %s", out)
	}
	out, err = cli("keys", "create", "-name", "ci")
	if err != nil {
		t.Fatalf("keys create: %v\n%s", err, out)
	}
	second := regexp.MustCompile(`sb_[0-9A-Za-z]{40}`).FindString(out)
	keyID := regexp.MustCompile(`key_[0-9A-Za-z]+`).FindString(out)
	out, err = cli("keys", "list")
	if err != nil || !strings.Contains(out, keyID) || strings.Contains(out, second) || strings.Contains(out, key) {
		t.Fatalf("keys list shows %q (err %v); want the id and never a whole key", out, err)
	}
	if out, err = cli("keys", "revoke", keyID); err != nil {
		t.Fatalf("keys revoke: %v\n%s", err, out)
	}
	out, _ = cli("keys", "list")
	if !regexp.MustCompile(keyID + `\s.*\d{4}-\d\d-\d\dT`).MatchString(out) {
		t.Errorf("revoked key not shown as revoked: %s", out)
	}
	if out, err = cli("projects", "callback-urls", "not a url"); err == nil {
		t.Errorf("a bad callback URL was accepted: %s", out)
	}
	if out, err = cli("projects", "callback-urls", "https://app.example.com/cb"); err != nil || !strings.Contains(out, "https://app.example.com/cb") {
		t.Errorf("callback-urls: %v %s", err, out)
	}
	if _, err := cli("nope"); err == nil {
		t.Errorf("an unknown command succeeded")
	}
}
