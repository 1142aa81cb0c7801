package toolkits

import (
	"strings"
	"testing"
)

// fileEdit is one broken variant of a toolkit file: old replaced by new,
// which Parse must refuse with an error containing want.
type fileEdit struct{ name, old, new, want string }

// checkEdits parses each edit of base, named file, as a subtest.
func checkEdits(t *testing.T, file, base string, edits []fileEdit) {
	t.Helper()
	for _, tt := range edits {
		t.Run(tt.name, func(t *testing.T) {
			y := strings.Replace(base, tt.old, tt.new, 1)
			if y == base {
				t.Fatalf("the edit %q does not apply", tt.old)
			}
			_, err := Parse(file, []byte(y))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
