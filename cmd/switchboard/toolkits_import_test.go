package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/toolkits/openapi"
)

func TestToolkitsImport(t *testing.T) {
	doc := filepath.Join("..", "..", "internal", "toolkits", "openapi", "testdata", "github.json")
	out := filepath.Join(t.TempDir(), "github.json")
	var stdout, stderr bytes.Buffer
	args := []string{"toolkits", "import", "-slug", "github", "-auth-from", "github", "-version", "20260101_00",
		"-tags", "issues", "-paths", "/repos/*", doc, "-o", out}
	if err := run(context.Background(), args, &stdout, &stderr, func(string) string { return "" }); err != nil {
		t.Fatalf("run: %v; stderr: %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "imported 36 tools, skipped 0 operations") {
		t.Errorf("report: %s", stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var f openapi.File
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if _, err := openapi.Check(&f); err != nil {
		t.Errorf("the written file does not load: %v", err)
	}
	if len(f.Tools) != 36 || stdout.Len() != 0 {
		t.Errorf("%d tools, stdout %q", len(f.Tools), stdout.String())
	}

	stderr.Reset()
	err = run(context.Background(), []string{"toolkits", "import", "-slug", "github", doc}, &stdout, &stderr, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "no security scheme") {
		t.Errorf("GitHub without -auth-from: got %v, want the no-scheme error", err)
	}
}
