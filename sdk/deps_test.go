package sdk

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies enforces the repository rule that the public SDK uses
// only the standard library and package wire, and imports nothing from
// internal/.
func TestDependencies(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goBin, "list", "-deps",
		"-f", "{{.ImportPath}} {{.Standard}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	const self = "github.com/switchboard-dev/switchboard/sdk"
	const wire = "github.com/switchboard-dev/switchboard/wire"
	seen := false
	for line := range strings.Lines(string(out)) {
		path, standard, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch {
		case path == self:
			seen = true
		case path == wire:
		case strings.Contains(path, "/internal/") && standard != "true":
			t.Errorf("sdk depends on %s; it must import nothing from internal/", path)
		case standard != "true":
			t.Errorf("sdk depends on %s; it must use only the standard library", path)
		}
	}
	if !seen {
		t.Errorf("go list -deps did not list %s:\n%s", self, out)
	}
}
