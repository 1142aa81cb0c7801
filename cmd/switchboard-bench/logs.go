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

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
)

// logsBench measures what execution logs cost the execute path: per
// store, two servers from one binary, one with SWITCHBOARD_EXECUTION_LOGS
// on and one with it off, each on its own database, loaded in turn
// (interleaved throughput windows, 8 clients) with the same execute of
// the fake upstream.
func logsBench(ctx context.Context, w io.Writer, r execRun) error {
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
	fmt.Fprintf(w, "machine: %s\nprocesses: client (this), two switchboards (execution logs on, off), fake upstream; 127.0.0.1\n\n", machine())
	fmt.Fprintf(w, "| store | execute throughput, logs on / off | CPU per execute, logs on / off |\n| --- | --- | --- |\n")
	for _, st := range r.stores {
		var rps [2]float64
		var cpu [2]time.Duration
		if err := func() error {
			var execs [2]func() error
			var pids [2]int
			for i, on := range []bool{true, false} {
				srv, exec, stop, err := logsServer(ctx, r, st, dir, token, up.url, on, i)
				if err != nil {
					return err
				}
				defer stop()
				execs[i], pids[i] = exec, srv.cmd.Process.Pid
			}
			got, per, err := throughputCPU(r.window, r.rounds, execs[:], pids[:])
			if err != nil {
				return err
			}
			rps[0], rps[1] = got[0], got[1]
			cpu[0], cpu[1] = per[0][0], per[1][0]
			return nil
		}(); err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
		fmt.Fprintf(w, "| %s | %.0f / %.0f req/s = %.2fx | %.0f µs / %.0f µs = %.2fx |\n", st, rps[0], rps[1], rps[0]/rps[1],
			float64(cpu[0])/1e3, float64(cpu[1])/1e3, ratio(cpu[0], cpu[1]))
	}
	return nil
}

// logsServer starts one server of the logs benchmark, with execution logs
// on or off, and returns it with its execute call and what stops it. With
// r.profile set, the server with logs on serves pprof and its CPU profile
// under the load is written to PREFIX-STORE.pprof.
func logsServer(ctx context.Context, r execRun, st, dir, token, upstream string, logs bool, n int) (*server, func() error, func(), error) {
	cfg := serverConfig{bin: r.bin, dataDir: filepath.Join(r.work, "data-logs-"+st+"-"+strconv.Itoa(n)), toolkitsDir: dir, key: newKey(),
		env: []string{"SWITCHBOARD_EGRESS_ALLOW_LOOPBACK=true", "SWITCHBOARD_EXECUTION_LOGS=" + strconv.FormatBool(logs)}}
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	debugAddr := ""
	if r.profile != "" && logs {
		port, err := freePort()
		if err != nil {
			return nil, nil, stop, err
		}
		debugAddr = "127.0.0.1:" + strconv.Itoa(port)
		cfg.env = append(cfg.env, "SWITCHBOARD_DEBUG_ADDR="+debugAddr)
	}
	if st == "postgres" {
		dbURL, stopPG, err := postgrestest.Start()
		if err != nil {
			return nil, nil, stop, fmt.Errorf("start PostgreSQL (Debian's postgresql-15 package): %w", err)
		}
		stops = append(stops, func() { stopPG() })
		cfg.env = append(cfg.env, "SWITCHBOARD_DATABASE_URL="+dbURL, "SWITCHBOARD_ENCRYPTION_KEY="+encryptionKey())
	}
	began := time.Now()
	srv, err := start(ctx, cfg)
	if err != nil {
		return nil, nil, stop, err
	}
	stops = append(stops, func() { srv.stop() })
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	if _, err := srv.waitReady(hc, began, "/api/v3.1/toolkits/benchgh"); err != nil {
		return nil, nil, stop, err
	}
	status, body, err := srv.send(hc, http.MethodPost, "/api/v3.1/auth_configs",
		`{"toolkit":{"slug":"benchgh"},"auth_config":{"type":"use_custom_auth","authScheme":"BEARER_TOKEN","credentials":{"base_url":"`+upstream+`"}}}`)
	if err != nil || status != http.StatusCreated && status != http.StatusOK {
		return nil, nil, stop, fmt.Errorf("create auth config: %d %s %v", status, body, err)
	}
	var ac struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	json.Unmarshal(body, &ac)
	status, body, err = srv.send(hc, http.MethodPost, "/api/v3.1/connected_accounts",
		`{"auth_config":{"id":"`+ac.AuthConfig.ID+`"},"connection":{"user_id":"user_bench","state":{"authScheme":"BEARER_TOKEN","val":{"token":"`+token+`"}}}}`)
	if err != nil || status != http.StatusCreated && status != http.StatusOK {
		return nil, nil, stop, fmt.Errorf("create connected account: %d %s %v", status, body, err)
	}
	var ca struct{ ID string }
	json.Unmarshal(body, &ca)
	sess, err := sdk.New(srv.key, srv.base, sdk.WithHTTPClient(hc)).Create(ctx, "user_bench", sdk.WithConnectedAccounts(map[string]string{"benchgh": ca.ID}))
	if err != nil {
		return nil, nil, stop, err
	}
	path := "/api/v3.1/tool_router/session/" + sess.ID() + "/execute"
	url := srv.base + path
	payload := []byte(`{"tool_slug":"BENCHGH_GET_THE_AUTHENTICATED_USER","arguments":{}}`)
	exec := func() error {
		rq, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		rq.Header.Set("x-api-key", srv.key)
		rq.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(rq)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("execute: %d", resp.StatusCode)
		}
		return nil
	}
	if _, err := srv.executeReachesUpstream(hc, path, string(payload)); err != nil {
		return nil, nil, stop, err
	}
	if debugAddr != "" {
		secs := max(int((r.window * time.Duration(r.rounds) * 2).Seconds()), 1)
		path := r.profile + "-" + st + ".pprof"
		done := make(chan error, 1)
		go func() { done <- saveProfile(debugAddr, secs, path) }()
		stops = append(stops, func() { <-done })
	}
	return srv, exec, stop, nil
}
