package openapi

import (
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/logtest"
	"github.com/switchboard-dev/switchboard/internal/toolkits/synth"
)

// TestImportProgress: an import of a large generated document reports
// every step, in order, and a ProgressWriter with no threshold prints
// them all.
func TestImportProgress(t *testing.T) {
	const n = 801
	data := synth.OpenAPI(n)
	var got []Progress
	var out logtest.Buffer
	pw := NewProgressWriter(&out, 0)
	f, _, err := Import(data, Options{Version: version, Progress: func(p Progress) {
		got = append(got, p)
		pw.Report(p)
	}})
	pw.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tools) != n {
		t.Fatalf("imported %d tools, want %d", len(f.Tools), n)
	}
	if len(got) != 2+n+2 {
		t.Fatalf("got %d progress reports, want %d", len(got), 2+n+2)
	}
	ignore := func(p Progress) Progress { p.Elapsed = 0; return p }
	want := []Progress{{Stage: StageParse, Bytes: len(data)}, {Stage: StageParse, Finished: true, Bytes: len(data)}}
	for i := range n {
		want = append(want, Progress{Stage: StageBuild, Done: i + 1, Total: n})
	}
	want = append(want, Progress{Stage: StageCheck, Total: n}, Progress{Stage: StageCheck, Finished: true, Done: n, Total: n})
	var norm []Progress
	for _, p := range got {
		norm = append(norm, ignore(p))
	}
	if d := cmp.Diff(want, norm); d != "" {
		t.Errorf("progress reports (-want +got):\n%s", d)
	}

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	patterns := []string{
		`^parsing the document \(\d+\.\d kB\)\.\.\.$`,
		`^parsed the document \(\d+\.\d kB\) in \d+\.\d s$`,
		`^built 1 of 801 operations$`,
	}
	for i, p := range patterns {
		if i >= len(lines) || !regexp.MustCompile(p).MatchString(lines[i]) {
			t.Errorf("line %d: got %q, want %s\n%s", i, lines[min(i, len(lines)-1)], p, out.String())
		}
	}
	tail := []string{`^built 801 of 801 operations in \d+\.\d s$`, `^checking 801 tools\.\.\.$`, `^checked 801 tools in \d+\.\d s$`}
	for i, p := range tail {
		j := len(lines) - len(tail) + i
		if j < 0 || !regexp.MustCompile(p).MatchString(lines[j]) {
			t.Errorf("line %d from the end: got %q, want %s\n%s", len(tail)-i, lines[max(j, 0)], p, out.String())
		}
	}
}

// TestProgressWriterThreshold: nothing is printed before the threshold;
// when it passes mid-step the current step is printed at once, and the
// steps after it as they come, build steps at most every half second.
// A writer stopped before the threshold never prints.
func TestProgressWriterThreshold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out logtest.Buffer
		pw := NewProgressWriter(&out, time.Second)
		pw.Report(Progress{Stage: StageParse, Bytes: 12_900_000})
		time.Sleep(999 * time.Millisecond)
		synctest.Wait()
		if s := out.String(); s != "" {
			t.Fatalf("before the threshold: printed %q", s)
		}
		time.Sleep(2 * time.Millisecond)
		synctest.Wait()
		if got, want := out.String(), "parsing the document (12.9 MB)...\n"; got != want {
			t.Fatalf("at the threshold: got %q, want %q", got, want)
		}
		time.Sleep(1100 * time.Millisecond)
		pw.Report(Progress{Stage: StageParse, Finished: true, Bytes: 12_900_000, Elapsed: 2100 * time.Millisecond})
		for i := range 1100 {
			pw.Report(Progress{Stage: StageBuild, Done: i + 1, Total: 1100, Elapsed: time.Duration(i) * time.Millisecond})
			time.Sleep(time.Millisecond)
		}
		pw.Stop()
		pw.Report(Progress{Stage: StageCheck, Total: 1100})
		want := strings.Join([]string{
			"parsing the document (12.9 MB)...",
			"parsed the document (12.9 MB) in 2.1 s",
			"built 1 of 1,100 operations",
			"built 501 of 1,100 operations",
			"built 1,001 of 1,100 operations",
			"built 1,100 of 1,100 operations in 1.1 s",
		}, "\n") + "\n"
		if d := cmp.Diff(want, out.String()); d != "" {
			t.Errorf("printed (-want +got):\n%s", d)
		}

		var fast logtest.Buffer
		pw = NewProgressWriter(&fast, time.Second)
		pw.Report(Progress{Stage: StageParse, Bytes: 100})
		pw.Report(Progress{Stage: StageBuild, Done: 1, Total: 1})
		pw.Stop()
		time.Sleep(time.Hour)
		synctest.Wait()
		if s := fast.String(); s != "" {
			t.Errorf("a fast import printed %q", s)
		}
	})
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1024: "1,024", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
