// Command switchboard-bench measures the real switchboard binary from the
// outside, as users run it: a separate process on 127.0.0.1, driven over
// HTTP, with its memory read from /proc. It prints each figure and its
// ratio to a baseline measured in the same run, interleaved with it.
//
//	switchboard-bench catalog [-bin PATH] [-rounds N] [-toolkits N] [-tools N]
//
// catalog measures a catalog of many tools loaded from SWITCHBOARD_TOOLKITS_DIR
// (by default 100 toolkits of 50 tools: 5,000 tools) against the built-in
// catalog alone: start time until the first tool is served, resident memory,
// tool search latency through the API, and a reload under load, in which
// eight clients read tools while the directory is rewritten, and every
// request must succeed. Without -bin it builds ./cmd/switchboard first, so
// run it from the module root: go run ./cmd/switchboard-bench catalog.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard-bench:", err)
		os.Exit(1)
	}
}

const usage = "usage: switchboard-bench catalog [-bin PATH] [-rounds N] [-toolkits N] [-tools N]"

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "catalog" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("catalog", flag.ContinueOnError)
	bin := fs.String("bin", "", "the switchboard binary; built from ./cmd/switchboard when empty")
	rounds := fs.Int("rounds", 5, "interleaved start rounds per catalog")
	nToolkits := fs.Int("toolkits", 100, "synthetic toolkits in the directory")
	nTools := fs.Int("tools", 50, "tools per synthetic toolkit")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *rounds < 1 || *nToolkits < 1 || *nTools < 1 {
		return errors.New("-rounds, -toolkits and -tools must be at least 1")
	}
	work, err := os.MkdirTemp("", "switchboard-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if *bin == "" {
		*bin = filepath.Join(work, "switchboard")
		fmt.Fprintln(stdout, "building ./cmd/switchboard ...")
		build := exec.CommandContext(ctx, "go", "build", "-o", *bin, "./cmd/switchboard")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/switchboard (run from the module root, or pass -bin): %w", err)
		}
	}
	return catalog(ctx, stdout, catalogRun{bin: *bin, work: work, rounds: *rounds, toolkits: *nToolkits, tools: *nTools})
}

// machine names the machine a run was made on, for the report.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d CPUs visible to Go", model, numCPU())
}

// ms formats d in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
