package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/switchboard-dev/switchboard/internal/loadgen"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
)

// contender is one of the two servers of a paired run: a binary and
// whether it keeps execution logs.
type contender struct {
	label string
	bin   string
	logs  bool
}

// logsBench measures what execution logs cost the execute path: per
// store, two servers from one binary, one with SWITCHBOARD_EXECUTION_LOGS
// on and one with it off.
func logsBench(ctx context.Context, w io.Writer, r execRun) error {
	return pairBench(ctx, w, r, [2]contender{{"logs on", r.bin, true}, {"logs off", r.bin, false}})
}

// againstBench measures r.bin against another binary (-against), both
// with the same execution-log setting: the way to tell whether a change
// to the server pays, since both run under the same conditions.
func againstBench(ctx context.Context, w io.Writer, r execRun, other string) error {
	return pairBench(ctx, w, r, [2]contender{{"this", r.bin, !r.noExecutionLogs}, {"against", other, !r.noExecutionLogs}})
}

// pairBench measures two servers against each other: per store, each on
// its own database, loaded in turn with the same execute of the fake
// upstream (interleaved throughput windows, 8 clients, and the p50 of
// sequential calls interleaved call by call), then with session creates
// (interleaved windows, 8 clients).
func pairBench(ctx context.Context, w io.Writer, r execRun, vs [2]contender) error {
	token := newKey()
	up, err := startPart(ctx, cmdUpstream, "-token", token)
	if err != nil {
		return err
	}
	defer up.stop()
	dir := filepath.Join(r.work, "toolkits")
	if err := writeFiles(dir, map[string][]byte{"benchgh.json": benchToolkit("benchgh")}); err != nil {
		return err
	}
	a, b := vs[0].label, vs[1].label
	fmt.Fprintf(w, "machine: %s\nprocesses: client (this), two switchboards (%s, %s), fake upstream; 127.0.0.1\n\n", machine(), a, b)
	fmt.Fprintf(w, "| store | execute throughput, %[1]s / %[2]s | CPU per execute, %[1]s / %[2]s | execute p50, %[1]s / %[2]s | session creates, %[1]s / %[2]s | CPU per create, %[1]s / %[2]s |\n| --- | --- | --- | --- | --- | --- |\n", a, b)
	for _, st := range r.stores {
		var rps, crps [2]float64
		var cpu, ccpu, p50 [2]time.Duration
		if err := func() error {
			var execs, creates [2]func() error
			var pids [2]int
			for i, v := range vs {
				srv, exec, create, stop, err := pairServer(ctx, r, st, dir, token, up.url, v, i)
				if err != nil {
					return err
				}
				defer stop()
				execs[i], creates[i], pids[i] = exec, create, srv.cmd.Process.Pid
			}
			lat, err := loadgen.Interleave(r.n, execs[0], execs[1])
			if err != nil {
				return err
			}
			p50[0], p50[1] = quantile(lat[0], .5), quantile(lat[1], .5)
			got, per, err := throughputCPU(r.window, r.rounds, execs[:], pids[:])
			if err != nil {
				return err
			}
			rps[0], rps[1] = got[0], got[1]
			cpu[0], cpu[1] = per[0][0], per[1][0]
			got, per, err = throughputCPU(r.window, r.rounds, creates[:], pids[:])
			if err != nil {
				return err
			}
			crps[0], crps[1] = got[0], got[1]
			ccpu[0], ccpu[1] = per[0][0], per[1][0]
			return nil
		}(); err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
		fmt.Fprintf(w, "| %s | %.0f / %.0f req/s = %.2fx | %.0f µs / %.0f µs = %.2fx | %.2f ms / %.2f ms = %.2fx | %.0f / %.0f per s = %.2fx | %.0f µs / %.0f µs = %.2fx |\n", st,
			rps[0], rps[1], rps[0]/rps[1], micros(cpu[0]), micros(cpu[1]), ratio(cpu[0], cpu[1]),
			millis(p50[0]), millis(p50[1]), ratio(p50[0], p50[1]),
			crps[0], crps[1], crps[0]/crps[1], micros(ccpu[0]), micros(ccpu[1]), ratio(ccpu[0], ccpu[1]))
	}
	return nil
}

func micros(d time.Duration) float64 { return float64(d) / 1e3 }
func millis(d time.Duration) float64 { return float64(d) / 1e6 }

// pairServer starts server n of a paired run, of contender v, and returns
// it with its execute call, its session create call and what stops it.
// With r.profile set, the first server serves pprof and its CPU profile
// under the execute load is written to PREFIX-STORE.pprof.
func pairServer(ctx context.Context, r execRun, st, dir, token, upstream string, v contender, n int) (*server, func() error, func() error, func(), error) {
	cfg := serverConfig{bin: v.bin, dataDir: filepath.Join(r.work, "data-pair-"+st+"-"+strconv.Itoa(n)), toolkitsDir: dir, key: newKey(),
		env: []string{"SWITCHBOARD_EGRESS_ALLOW_LOOPBACK=true", "SWITCHBOARD_EXECUTION_LOGS=" + strconv.FormatBool(v.logs)}}
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	debugAddr := ""
	if r.profile != "" && n == 0 {
		port, err := freePort()
		if err != nil {
			return nil, nil, nil, stop, err
		}
		debugAddr = "127.0.0.1:" + strconv.Itoa(port)
		cfg.env = append(cfg.env, "SWITCHBOARD_DEBUG_ADDR="+debugAddr)
	}
	if st == "postgres" {
		dbURL, stopPG, err := postgrestest.Start()
		if err != nil {
			return nil, nil, nil, stop, fmt.Errorf("start PostgreSQL (Debian's postgresql-15 package): %w", err)
		}
		stops = append(stops, func() { stopPG() })
		cfg.env = append(cfg.env, "SWITCHBOARD_DATABASE_URL="+dbURL, "SWITCHBOARD_ENCRYPTION_KEY="+encryptionKey())
	}
	began := time.Now()
	srv, err := start(ctx, cfg)
	if err != nil {
		return nil, nil, nil, stop, err
	}
	stops = append(stops, func() { srv.stop() })
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	if _, err := srv.waitReady(hc, began, "/api/v3.1/toolkits/benchgh"); err != nil {
		return nil, nil, nil, stop, err
	}
	status, body, err := srv.send(hc, http.MethodPost, "/api/v3.1/auth_configs",
		`{"toolkit":{"slug":"benchgh"},"auth_config":{"type":"use_custom_auth","authScheme":"BEARER_TOKEN","credentials":{"base_url":"`+upstream+`"}}}`)
	if err != nil || status != http.StatusCreated && status != http.StatusOK {
		return nil, nil, nil, stop, fmt.Errorf("create auth config: %d %s %v", status, body, err)
	}
	var ac struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	json.Unmarshal(body, &ac)
	status, body, err = srv.send(hc, http.MethodPost, "/api/v3.1/connected_accounts",
		`{"auth_config":{"id":"`+ac.AuthConfig.ID+`"},"connection":{"user_id":"user_bench","state":{"authScheme":"BEARER_TOKEN","val":{"token":"`+token+`"}}}}`)
	if err != nil || status != http.StatusCreated && status != http.StatusOK {
		return nil, nil, nil, stop, fmt.Errorf("create connected account: %d %s %v", status, body, err)
	}
	var ca struct{ ID string }
	json.Unmarshal(body, &ca)
	sess, err := sdk.New(srv.key, srv.base, sdk.WithHTTPClient(hc)).Create(ctx, "user_bench", sdk.WithConnectedAccounts(map[string]string{"benchgh": ca.ID}))
	if err != nil {
		return nil, nil, nil, stop, err
	}
	path := "/api/v3.1/tool_router/session/" + sess.ID() + "/execute"
	payload := []byte(`{"tool_slug":"BENCHGH_GET_THE_AUTHENTICATED_USER","arguments":{}}`)
	exec := srv.post(hc, http.StatusOK, path, func() io.Reader { return bytes.NewReader(payload) })
	create := srv.creates(hc)
	if _, err := srv.executeReachesUpstream(hc, path, string(payload)); err != nil {
		return nil, nil, nil, stop, err
	}
	if debugAddr != "" {
		secs := max(int((r.window * time.Duration(r.rounds) * 2).Seconds()), 1)
		path := r.profile + "-" + st + ".pprof"
		done := make(chan error, 1)
		go func() { done <- saveProfile(debugAddr, secs, path) }()
		stops = append(stops, func() { <-done })
	}
	return srv, exec, create, stop, nil
}
