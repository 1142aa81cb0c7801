package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/toolkits/openapi"
	"github.com/switchboard-dev/switchboard/internal/toolkits/synth"
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

// TestToolkitsImportProgress: a long import prints its progress on
// stderr, never on stdout, which stays exactly the toolkit file; below
// the threshold it prints none. The threshold is zero here, so that the
// test does not depend on how fast the machine is, and an hour for the
// import that must print nothing.
func TestToolkitsImportProgress(t *testing.T) {
	const n = 600
	doc := filepath.Join(t.TempDir(), "synthetic.json")
	if err := os.WriteFile(doc, synth.OpenAPI(n), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-slug", "synthetic", "-version", "20260101_00", doc}
	progress := regexp.MustCompile(`(?m)^(parsing the document \(\d+\.\d kB\)\.\.\.|parsed the document \(\d+\.\d kB\) in \d+\.\d s|built [\d,]+ of 600 operations( in \d+\.\d s)?|checking 600 tools\.\.\.|checked 600 tools in \d+\.\d s)$`)

	var stdout, stderr bytes.Buffer
	if err := importToolkit(args, &stdout, &stderr, 0); err != nil {
		t.Fatalf("import: %v; stderr: %s", err, stderr.String())
	}
	for _, want := range []string{"parsed the document (", "built 600 of 600 operations in ", "checked 600 tools in ", "imported 600 tools"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr has no %q:\n%s", want, stderr.String())
		}
	}
	if got := len(progress.FindAllString(stderr.String(), -1)); got < 5 {
		t.Errorf("stderr has %d progress lines, want at least 5:\n%s", got, stderr.String())
	}
	var f openapi.File
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil || dec.More() {
		t.Fatalf("stdout is not exactly the toolkit file: %v", err)
	}
	if len(f.Tools) != n {
		t.Errorf("the file has %d tools, want %d", len(f.Tools), n)
	}

	stdout.Reset()
	stderr.Reset()
	if err := importToolkit(args, &stdout, &stderr, time.Hour); err != nil {
		t.Fatalf("import: %v; stderr: %s", err, stderr.String())
	}
	if m := progress.FindAllString(stderr.String(), -1); len(m) != 0 || !strings.Contains(stderr.String(), "imported 600 tools") {
		t.Errorf("an import under the threshold printed progress %q; stderr:\n%s", m, stderr.String())
	}
	if !json.Valid(stdout.Bytes()) {
		t.Errorf("stdout is not the toolkit file")
	}
}
