package openapi

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// Stage is a step of an import that Options.Progress hears about.
type Stage int

const (
	// StageParse is parsing the document and resolving its $refs
	// (kin-openapi), Swagger 2.0 conversion included: reported once when
	// it starts and once when it ends.
	StageParse Stage = iota
	// StageBuild is mapping the selected operations to tools: reported
	// after each operation.
	StageBuild
	// StageCheck is the catalog's strict check of the whole file:
	// reported once when it starts and once when it ends.
	StageCheck
)

// Progress is what an import reports to Options.Progress as it goes.
type Progress struct {
	Stage Stage
	// Finished is set on the report at the end of the stage.
	Finished bool
	// Bytes is the document's size (StageParse).
	Bytes int
	// Done and Total count the operations built so far and selected
	// (StageBuild), or the tools checked (StageCheck).
	Done, Total int
	// Elapsed is the time spent in the stage so far.
	Elapsed time.Duration
}

// report calls the callback, if any.
func report(fn func(Progress), p Progress) {
	if fn != nil {
		fn(p)
	}
}

// ProgressWriter prints an import's progress as lines of text ("parsed
// the document (12.9 MB) in 2.1 s", "built 1,024 of 1,100 operations"),
// but only once the import has taken longer than a threshold: a fast
// import prints nothing. From then on it prints the current step at once
// and every step after it, a build step at most every half second and its
// last one always. Its Report method is an Options.Progress; call Stop
// when the import returns. It is safe for concurrent use.
type ProgressWriter struct {
	w     io.Writer
	timer *time.Timer

	mu        sync.Mutex
	on        bool      // the threshold has passed
	stopped   bool      // Stop was called
	last      *Progress // the latest report
	lastBuild time.Time // when a build line was last printed
}

// buildEvery is how often a build line is printed at most.
const buildEvery = 500 * time.Millisecond

// NewProgressWriter returns a ProgressWriter printing to w once after has
// passed since now; after <= 0 prints every step.
func NewProgressWriter(w io.Writer, after time.Duration) *ProgressWriter {
	p := &ProgressWriter{w: w}
	if after <= 0 {
		p.on = true
		return p
	}
	p.timer = time.AfterFunc(after, p.wake)
	return p
}

// wake turns printing on when the threshold passes and prints where the
// import is, so a long step shows before it ends.
func (p *ProgressWriter) wake() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on || p.stopped {
		return
	}
	p.on = true
	if p.last != nil {
		p.print(*p.last)
	}
}

// Report prints pr if the threshold has passed.
func (p *ProgressWriter) Report(pr Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	p.last = &pr
	if !p.on {
		return
	}
	if pr.Stage == StageBuild && pr.Done < pr.Total && time.Since(p.lastBuild) < buildEvery {
		return
	}
	p.print(pr)
}

// Stop ends printing: nothing is printed after it returns.
func (p *ProgressWriter) Stop() {
	if p.timer != nil {
		p.timer.Stop()
	}
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
}

func (p *ProgressWriter) print(pr Progress) {
	var line string
	switch pr.Stage {
	case StageParse:
		if pr.Finished {
			line = fmt.Sprintf("parsed the document (%s) in %s", megabytes(pr.Bytes), seconds(pr.Elapsed))
		} else {
			line = fmt.Sprintf("parsing the document (%s)...", megabytes(pr.Bytes))
		}
	case StageBuild:
		p.lastBuild = time.Now()
		line = fmt.Sprintf("built %s of %s operations", thousands(pr.Done), thousands(pr.Total))
		if pr.Done == pr.Total {
			line += " in " + seconds(pr.Elapsed)
		}
	case StageCheck:
		if pr.Finished {
			line = fmt.Sprintf("checked %s tools in %s", thousands(pr.Total), seconds(pr.Elapsed))
		} else {
			line = fmt.Sprintf("checking %s tools...", thousands(pr.Total))
		}
	default:
		return
	}
	fmt.Fprintln(p.w, line)
}

// megabytes is n bytes in MB with one decimal ("12.9 MB"), or in kB
// below a megabyte ("6.1 kB").
func megabytes(n int) string {
	if n < 1e6 {
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + " kB"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
}

// seconds is d in seconds with one decimal ("2.1 s").
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s" }

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}
