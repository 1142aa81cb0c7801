// Command switchboard-bench measures the real switchboard binary from the
// outside, as users run it: a separate process on 127.0.0.1, driven over
// HTTP, with its memory read from /proc. It prints each figure and its
// ratio to a baseline measured in the same run, interleaved with it.
//
//	switchboard-bench catalog [-bin PATH] [-rounds N] [-toolkits N] [-tools N]
//	switchboard-bench execute [-bin PATH] [-n N] [-window D] [-rounds N] [-stores sqlite,postgres] [-only creates|slow] [-cpuprofile PREFIX]
//	switchboard-bench scale [-bin PATH] [-accounts N] [-sessions N] [-n N] [-rounds N] [-stores sqlite,postgres]
//
// catalog measures a catalog of many tools loaded from SWITCHBOARD_TOOLKITS_DIR
// (by default 100 toolkits of 50 tools: 5,000 tools) against the built-in
// catalog alone: start time until the first tool is served, resident memory,
// tool search latency through the API, and a reload under load, in which
// eight clients read tools while the directory is rewritten, and every
// request must succeed.
//
// execute measures what a tool call costs against the least a forwarding
// router must do: the client (this process), the real binary, a fake
// upstream answering GitHub's GET /user body, and a bare
// httputil.ReverseProxy hop that only adds the credential, all separate
// processes on 127.0.0.1. Interleaved in one run, per store: cached
// execute through a pinned session against the hop (p50, p99, and
// throughput with 8 clients, with the server's CPU time per execute from
// /proc), the same with an upstream that takes 2 ms, session creates per
// second with 8 clients, and how soon a long-polling wait returns after
// the hosted form posts. PostgreSQL runs in a throwaway cluster
// (Debian's postgresql-15 binaries). With -against OTHER it measures
// instead a server of this binary against one of OTHER, loaded in turn
// (execute p50, throughput and CPU, session creates), to tell whether a
// change pays; -logs does the same with execution logs on against off.
//
// scale seeds a database of each store with -accounts accounts (1,000,000:
// four per user, mixed statuses, a chosen default for one user in ten) and
// -sessions sessions (100,000) in bulk (one transaction of prepared
// INSERTs on SQLite, COPY on PostgreSQL), beside an empty database that
// has only what the binary made itself, and measures against the empty
// one the binary's start time until it serves and its resident memory
// then, interleaved; and, in-process, the store's DefaultAccount of random
// users against GetAccount of random accounts (p50, p99), with the plan of
// the default-account query.
//
// Without -bin it builds ./cmd/switchboard first, so run it from the
// module root: go run ./cmd/switchboard-bench catalog.
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

const usage = `usage: switchboard-bench catalog [-bin PATH] [-rounds N] [-toolkits N] [-tools N]
       switchboard-bench execute [-bin PATH] [-n N] [-window D] [-rounds N] [-stores sqlite,postgres] [-execution-logs=false] [-logs | -against BIN] [-cpuprofile PREFIX]
       switchboard-bench scale [-bin PATH] [-accounts N] [-sessions N] [-n N] [-rounds N] [-stores sqlite,postgres]`

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case cmdUpstream:
		return serveUpstream(args[1:])
	case cmdHop:
		return serveHop(args[1:])
	case "catalog", "execute", "scale":
	default:
		return errors.New(usage)
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	bin := fs.String("bin", "", "the switchboard binary; built from ./cmd/switchboard when empty")
	rounds := fs.Int("rounds", 5, "catalog: interleaved start rounds per catalog; execute: throughput windows per op")
	nToolkits := fs.Int("toolkits", 100, "catalog: synthetic toolkits in the directory")
	nTools := fs.Int("tools", 50, "catalog: tools per synthetic toolkit")
	n := fs.Int("n", 2000, "execute: latency samples per op")
	window := fs.Duration("window", time.Second, "execute: length of one throughput window")
	stores := fs.String("stores", "sqlite,postgres", "execute: the stores to measure, in order")
	nAccounts := fs.Int("accounts", 1_000_000, "scale: accounts to seed")
	nSessions := fs.Int("sessions", 100_000, "scale: sessions to seed")
	profile := fs.String("cpuprofile", "", "execute: write the server's CPU profile under the throughput load to PREFIX-STORE.pprof")
	logs := fs.Bool("logs", false, "execute: measure execute throughput and CPU with SWITCHBOARD_EXECUTION_LOGS on against off (two servers per store, interleaved windows) instead")
	against := fs.String("against", "", "execute: measure the binary against this other one instead (two servers per store, same settings, interleaved): execute throughput, CPU and p50, session creates and their CPU")
	execLogs := fs.Bool("execution-logs", true, "execute: run the server with execution logs (SWITCHBOARD_EXECUTION_LOGS)")
	only := fs.String("only", "", `execute: measure only "creates" (session creates) or "slow" (the 2 ms upstream's latencies)`)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *only != "" && *only != "creates" && *only != "slow" {
		return fmt.Errorf("-only: %q is neither creates nor slow", *only)
	}
	if *rounds < 1 || *nToolkits < 1 || *nTools < 1 || *n < 10 || *window <= 0 {
		return errors.New("-rounds, -toolkits and -tools must be at least 1, -n at least 10, -window positive")
	}
	var storeList []string
	for _, st := range strings.Split(*stores, ",") {
		if st != "sqlite" && st != "postgres" {
			return fmt.Errorf("-stores: %q is neither sqlite nor postgres", st)
		}
		storeList = append(storeList, st)
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
	if args[0] == "scale" {
		if *nAccounts < accountsPerUser || *nSessions < 1 {
			return fmt.Errorf("-accounts must be at least %d, -sessions at least 1", accountsPerUser)
		}
		return scaleBench(ctx, stdout, scaleRun{bin: *bin, work: work, accounts: *nAccounts, sessions: *nSessions, n: *n, rounds: *rounds, stores: storeList})
	}
	if args[0] == "execute" && *logs {
		return logsBench(ctx, stdout, execRun{bin: *bin, work: work, n: *n, window: *window, rounds: *rounds, stores: storeList, profile: *profile})
	}
	if args[0] == "execute" && *against != "" {
		return againstBench(ctx, stdout, execRun{bin: *bin, work: work, n: *n, window: *window, rounds: *rounds, stores: storeList, profile: *profile, noExecutionLogs: !*execLogs}, *against)
	}
	if args[0] == "execute" {
		return executeBench(ctx, stdout, execRun{bin: *bin, work: work, n: *n, window: *window, rounds: *rounds, stores: storeList, profile: *profile, noExecutionLogs: !*execLogs, only: *only})
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
