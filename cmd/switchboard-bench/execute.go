package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/loadgen"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
)

// execRun is one run of the execute benchmark.
type execRun struct {
	bin, work string
	n         int           // latency samples per op
	window    time.Duration // one throughput window
	rounds    int           // throughput windows per op
	stores    []string
	// profile, when set, is where to write the server's CPU profile under
	// the throughput load, one file per store (profile-STORE.pprof).
	profile string
	// noExecutionLogs runs the server with SWITCHBOARD_EXECUTION_LOGS off,
	// to see the execute path's own cost apart from the log writer's.
	noExecutionLogs bool
	// only, when set, measures one part of the run: "creates" (session
	// creates) or "slow" (the 2 ms upstream's latencies).
	only string
}

// part is a separate helper process: the fake upstream or the hop.
type part struct {
	url string
	cmd *exec.Cmd
}

// startPart runs this program again with a hidden command and reads the
// URL it serves.
func startPart(ctx context.Context, args ...string) (*part, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		return nil, fmt.Errorf("%s did not say where it serves: %w", args[0], err)
	}
	return &part{url: strings.TrimSpace(line), cmd: cmd}, nil
}

func (p *part) stop() { p.cmd.Process.Kill(); p.cmd.Wait() }

// benchToolkit is a toolkit file whose one tool is GitHub's GET /user,
// with a bearer token. Files name https base URLs only; the auth config
// points it at the fake upstream on loopback (base_url, allowed with
// SWITCHBOARD_EGRESS_ALLOW_LOOPBACK), as a development setup would.
func benchToolkit(slug string) []byte {
	base := "https://api." + slug + ".example"
	up := strings.ToUpper(slug)
	doc := map[string]any{
		"slug": slug, "name": "Bench " + slug, "description": "The benchmark's fake GitHub.", "logo": "https://example.com/logo.png",
		"categories": []map[string]any{{"slug": "dev", "name": "Dev"}}, "base_url": base,
		"auth_schemes": []map[string]any{{"mode": "BEARER_TOKEN",
			"fields": []map[string]any{{"name": "token", "display_name": "Token", "description": "A token.", "type": "string", "required": true, "secret": true}},
			"apply":  map[string]any{"header": "Authorization", "prefix": "Bearer ", "field": "token"}}},
		"version": "20261201_00", "errors": "http",
		"tools": []map[string]any{{
			"slug": up + "_GET_THE_AUTHENTICATED_USER", "name": "Get the authenticated user",
			"description": "Gets the user the token belongs to.", "tags": []string{"readOnlyHint"},
			"input":   map[string]any{"type": "object", "properties": map[string]any{}},
			"output":  map[string]any{"type": "object", "properties": map[string]any{}},
			"request": map[string]any{"method": "GET", "path": "/user"},
		}},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

// storeFigures are the figures of one store.
type storeFigures struct {
	store                         string
	hop50, hop99, exec50, exec99  time.Duration
	slowHop50, slowExec50         time.Duration
	hopRPS, execRPS               float64
	cpuPerExec, cpuPerHop         time.Duration
	clientPerExec, clientPerHop   time.Duration
	sessionsPerSec                float64
	cpuPerCreate, clientPerCreate time.Duration
	wait50, wait99                time.Duration
	execBytes, hopBytes           int
}

func executeBench(ctx context.Context, w io.Writer, r execRun) error {
	token := newKey()
	up, err := startPart(ctx, cmdUpstream, "-token", token)
	if err != nil {
		return err
	}
	defer up.stop()
	slow, err := startPart(ctx, cmdUpstream, "-token", token, "-delay", "2ms")
	if err != nil {
		return err
	}
	defer slow.stop()
	hop, err := startPart(ctx, cmdHop, "-target", up.url, "-token", token)
	if err != nil {
		return err
	}
	defer hop.stop()
	slowHop, err := startPart(ctx, cmdHop, "-target", slow.url, "-token", token)
	if err != nil {
		return err
	}
	defer slowHop.stop()
	dir := filepath.Join(r.work, "toolkits")
	if err := writeFiles(dir, map[string][]byte{
		"benchgh.json":   benchToolkit("benchgh"),
		"benchslow.json": benchToolkit("benchslow"),
	}); err != nil {
		return err
	}
	fmt.Fprintf(w, "machine: %s\nprocesses: client (this), switchboard, fake upstream, httputil.ReverseProxy hop; 127.0.0.1\n\n", machine())
	var all []storeFigures
	for _, st := range r.stores {
		f, err := benchStore(ctx, r, st, dir, token, up, slow, hop, slowHop)
		if err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
		all = append(all, f)
	}
	fmt.Fprintf(w, "| figure | %s |\n| --- |%s\n", strings.Join(storeNames(all), " | "), strings.Repeat(" --- |", len(all)))
	// part says which part of the run (see execRun.only) a figure is of;
	// the figures of parts not measured are left out.
	part := map[string]string{
		"2 ms upstream: execute p50 / hop p50":         "slow",
		"session creates per second, 8 clients":        "creates",
		"CPU per session create: switchboard / client": "creates",
	}
	row := func(name string, f func(storeFigures) string) {
		if r.only != "" && part[name] != r.only {
			return
		}
		var cells []string
		for _, s := range all {
			cells = append(cells, f(s))
		}
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	row("cached execute p50 / hop p50", func(s storeFigures) string {
		return fmt.Sprintf("%s / %s = %.2fx", ms(s.exec50), ms(s.hop50), ratio(s.exec50, s.hop50))
	})
	row("cached execute p99 / hop p99", func(s storeFigures) string {
		return fmt.Sprintf("%s / %s = %.2fx", ms(s.exec99), ms(s.hop99), ratio(s.exec99, s.hop99))
	})
	row("execute throughput, 8 clients / hop", func(s storeFigures) string {
		return fmt.Sprintf("%.0f / %.0f req/s = %.2fx", s.execRPS, s.hopRPS, s.execRPS/s.hopRPS)
	})
	row("CPU per request: switchboard execute / hop", func(s storeFigures) string {
		return fmt.Sprintf("%.0f µs / %.0f µs = %.2fx", float64(s.cpuPerExec)/1e3, float64(s.cpuPerHop)/1e3, ratio(s.cpuPerExec, s.cpuPerHop))
	})
	row("2 ms upstream: execute p50 / hop p50", func(s storeFigures) string {
		return fmt.Sprintf("%s / %s = %.2fx", ms(s.slowExec50), ms(s.slowHop50), ratio(s.slowExec50, s.slowHop50))
	})
	row("CPU per request: client (this process) execute / hop", func(s storeFigures) string {
		return fmt.Sprintf("%.0f µs / %.0f µs", float64(s.clientPerExec)/1e3, float64(s.clientPerHop)/1e3)
	})
	row("session creates per second, 8 clients", func(s storeFigures) string { return fmt.Sprintf("%.0f", s.sessionsPerSec) })
	row("CPU per session create: switchboard / client", func(s storeFigures) string {
		return fmt.Sprintf("%.0f µs / %.0f µs", float64(s.cpuPerCreate)/1e3, float64(s.clientPerCreate)/1e3)
	})
	row("long-poll wait returns after the form posts, p50 / p99", func(s storeFigures) string {
		return fmt.Sprintf("%s / %s", ms(s.wait50), ms(s.wait99))
	})
	row("response bytes: execute / hop", func(s storeFigures) string { return fmt.Sprintf("%d / %d", s.execBytes, s.hopBytes) })
	if len(all) == 2 && (r.only == "" || r.only == "creates") {
		fmt.Fprintf(w, "\nsession creates: %s / %s = %.2fx\n", all[1].store, all[0].store, all[1].sessionsPerSec/all[0].sessionsPerSec)
	}
	return nil
}

func storeNames(fs []storeFigures) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.store)
	}
	return out
}

// benchStore starts switchboard on one store and measures it.
func benchStore(ctx context.Context, r execRun, st, dir, token string, up, slow, hop, slowHop *part) (storeFigures, error) {
	f := storeFigures{store: st}
	cfg := serverConfig{bin: r.bin, dataDir: filepath.Join(r.work, "data-"+st), toolkitsDir: dir, key: newKey(),
		env: []string{"SWITCHBOARD_EGRESS_ALLOW_LOOPBACK=true"}}
	if r.noExecutionLogs {
		cfg.env = append(cfg.env, "SWITCHBOARD_EXECUTION_LOGS=false")
	}
	debugAddr := ""
	if r.profile != "" {
		port, err := freePort()
		if err != nil {
			return f, err
		}
		debugAddr = "127.0.0.1:" + strconv.Itoa(port)
		cfg.env = append(cfg.env, "SWITCHBOARD_DEBUG_ADDR="+debugAddr)
	}
	if st == "postgres" {
		dbURL, stop, err := postgrestest.Start()
		if err != nil {
			return f, fmt.Errorf("start PostgreSQL (Debian's postgresql-15 package): %w", err)
		}
		defer stop()
		cfg.env = append(cfg.env, "SWITCHBOARD_DATABASE_URL="+dbURL, "SWITCHBOARD_ENCRYPTION_KEY="+encryptionKey())
	}
	began := time.Now()
	srv, err := start(ctx, cfg)
	if err != nil {
		return f, err
	}
	defer srv.stop()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	if _, err := srv.waitReady(hc, began, "/api/v3.1/toolkits/benchslow"); err != nil {
		return f, err
	}
	client := sdk.New(srv.key, srv.base, sdk.WithHTTPClient(hc))

	// Two accounts, one per fake, made through the API, and a session
	// pinned to both.
	accounts := map[string]string{}
	for slug, base := range map[string]string{"benchgh": up.url, "benchslow": slow.url} {
		status, body, err := srv.send(hc, http.MethodPost, "/api/v3.1/auth_configs",
			`{"toolkit":{"slug":"`+slug+`"},"auth_config":{"type":"use_custom_auth","authScheme":"BEARER_TOKEN","credentials":{"base_url":"`+base+`"}}}`)
		if err != nil || status != http.StatusCreated && status != http.StatusOK {
			return f, fmt.Errorf("create auth config: %d %s %v", status, body, err)
		}
		var ac struct {
			AuthConfig struct{ ID string } `json:"auth_config"`
		}
		json.Unmarshal(body, &ac)
		status, body, err = srv.send(hc, http.MethodPost, "/api/v3.1/connected_accounts",
			`{"auth_config":{"id":"`+ac.AuthConfig.ID+`"},"connection":{"user_id":"user_bench","state":{"authScheme":"BEARER_TOKEN","val":{"token":"`+token+`"}}}}`)
		if err != nil || status != http.StatusCreated && status != http.StatusOK {
			return f, fmt.Errorf("create connected account: %d %s %v", status, body, err)
		}
		var ca struct{ ID string }
		json.Unmarshal(body, &ca)
		accounts[slug] = ca.ID
		if slug == "benchgh" {
			if f.wait50, f.wait99, err = waitLatency(ctx, srv, hc, client, ac.AuthConfig.ID, token); err != nil {
				return f, err
			}
		}
	}
	sess, err := client.Create(ctx, "user_bench", sdk.WithConnectedAccounts(accounts))
	if err != nil {
		return f, err
	}
	execPath := "/api/v3.1/tool_router/session/" + sess.ID() + "/execute"
	get := func(u string) func() error {
		return call(hc, http.StatusOK, func() (*http.Request, error) { return http.NewRequest(http.MethodGet, u, nil) })
	}
	post := func(want int, path string, body func() io.Reader) func() error { return srv.post(hc, want, path, body) }
	exec := func(slug string) func() error {
		body := []byte(`{"tool_slug":"` + strings.ToUpper(slug) + `_GET_THE_AUTHENTICATED_USER","arguments":{}}`)
		return post(http.StatusOK, execPath, func() io.Reader { return bytes.NewReader(body) })
	}
	// The execute answers the upstream's user, and the hop the same.
	eb, err := srv.executeReachesUpstream(hc, execPath, `{"tool_slug":"BENCHGH_GET_THE_AUTHENTICATED_USER","arguments":{}}`)
	if err != nil {
		return f, err
	}
	f.execBytes = len(eb)
	if resp, err := hc.Get(hop.url + "/user"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		f.hopBytes = len(b)
	}

	if r.only == "" {
		lat, err := loadgen.Interleave(r.n, get(hop.url+"/user"), exec("benchgh"))
		if err != nil {
			return f, err
		}
		f.hop50, f.hop99 = quantile(lat[0], .5), quantile(lat[0], .99)
		f.exec50, f.exec99 = quantile(lat[1], .5), quantile(lat[1], .99)
	}
	if r.only == "" || r.only == "slow" {
		lat, err := loadgen.Interleave(max(r.n/4, 50), get(slowHop.url+"/user"), exec("benchslow"))
		if err != nil {
			return f, err
		}
		f.slowHop50, f.slowExec50 = quantile(lat[0], .5), quantile(lat[1], .5)
	}
	if r.only == "" {
		// The CPU each side spends per request: the server per execute,
		// the hop process per forwarded request, and this process (the
		// clients) per either.
		cpu, rps, err := throughput(r, debugAddr, st, "", []int{hop.cmd.Process.Pid, srv.cmd.Process.Pid},
			get(hop.url+"/user"), exec("benchgh"))
		if err != nil {
			return f, err
		}
		f.hopRPS, f.execRPS = rps[0], rps[1]
		f.cpuPerHop, f.clientPerHop = cpu[0][0], cpu[0][1]
		f.cpuPerExec, f.clientPerExec = cpu[1][0], cpu[1][1]
	}
	if r.only == "" || r.only == "creates" {
		cpu, rps, err := throughput(r, debugAddr, st, "-create", []int{srv.cmd.Process.Pid}, srv.creates(hc))
		if err != nil {
			return f, err
		}
		f.sessionsPerSec = rps[0]
		f.cpuPerCreate, f.clientPerCreate = cpu[0][0], cpu[0][1]
	}
	return f, nil
}

// throughput is throughputCPU of ops, with the requests per second and,
// per op, the CPU time process pids[op] and this process (the clients)
// spent per request.
// With a debug address it saves the server's CPU profile over the load
// to PREFIX-STORE{suffix}.pprof.
func throughput(r execRun, debugAddr, st, suffix string, pids []int, ops ...func() error) (cpu [][2]time.Duration, rps []float64, err error) {
	profiled := make(chan error, 1)
	if debugAddr != "" {
		secs := max(int((r.window * time.Duration(r.rounds*len(ops))).Seconds()), 1)
		go func() { profiled <- saveProfile(debugAddr, secs, r.profile+"-"+st+suffix+".pprof") }()
	} else {
		profiled <- nil
	}
	rps, cpu, err = throughputCPU(r.window, r.rounds, ops, pids)
	if err != nil {
		return nil, nil, err
	}
	if err := <-profiled; err != nil {
		return nil, nil, fmt.Errorf("CPU profile: %w", err)
	}
	return cpu, rps, nil
}

// waitLatency connects 50 accounts through the hosted form while the SDK
// long-polls for each, and returns how long after the form's answer the
// wait returned (p50, p99).
func waitLatency(ctx context.Context, srv *server, hc *http.Client, client *sdk.Client, authConfigID, token string) (p50, p99 time.Duration, err error) {
	var ds []time.Duration
	noRedirect := &http.Client{Transport: hc.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for range 50 {
		req, err := client.ConnectedAccounts().Link(ctx, "user_wait", authConfigID)
		if err != nil {
			return 0, 0, err
		}
		resp, err := hc.Get(req.RedirectURL)
		if err != nil {
			return 0, 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, 0, fmt.Errorf("link page: %d", resp.StatusCode)
		}
		returned := make(chan time.Time, 1)
		waitErr := make(chan error, 1)
		go func() {
			_, err := req.WaitForConnection(ctx)
			returned <- time.Now()
			waitErr <- err
		}()
		time.Sleep(2 * time.Millisecond) // let the long poll reach the server
		resp, err = noRedirect.PostForm(req.RedirectURL, url.Values{"token": {token}})
		if err != nil {
			return 0, 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		posted := time.Now()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusFound {
			return 0, 0, fmt.Errorf("form post: %d", resp.StatusCode)
		}
		at := <-returned
		if err := <-waitErr; err != nil {
			return 0, 0, fmt.Errorf("wait: %w", err)
		}
		ds = append(ds, max(at.Sub(posted), 0))
	}
	return quantile(ds, .5), quantile(ds, .99), nil
}

// saveProfile fetches a CPU profile of secs seconds from the server's
// debug listener and writes it to path.
func saveProfile(addr string, secs int, path string) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profiler answered %d", resp.StatusCode)
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// encryptionKey is a fresh SWITCHBOARD_ENCRYPTION_KEY: 32 random bytes,
// base64.
func encryptionKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

var errNoProc = errors.New("CPU time needs Linux /proc")

// cpu returns the user and system CPU time the server process has used,
// from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).
func (s *server) cpu() (time.Duration, error) { return cpuOf(s.cmd.Process.Pid) }

// throughputCPU is loadgen.Throughput of ops with 8 clients, with, per
// op, the CPU time the process pids[i] and this process (the clients)
// spent per request of ops[i] (0 when none was made), read from /proc
// around each window.
func throughputCPU(window time.Duration, rounds int, ops []func() error, pids []int) ([]float64, [][2]time.Duration, error) {
	cpu := make([][2]time.Duration, len(ops))
	calls := make([]int64, len(ops))
	self := os.Getpid()
	rps, err := loadgen.Throughput(8, window, rounds, ops, func(op int, d func() (int64, error)) error {
		before, err := cpuOf(pids[op])
		if err != nil {
			return err
		}
		selfBefore, err := cpuOf(self)
		if err != nil {
			return err
		}
		n, err := d()
		after, _ := cpuOf(pids[op])
		selfAfter, _ := cpuOf(self)
		cpu[op][0] += after - before
		cpu[op][1] += selfAfter - selfBefore
		calls[op] += n
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	for i := range cpu {
		if calls[i] > 0 {
			cpu[i][0] /= time.Duration(calls[i])
			cpu[i][1] /= time.Duration(calls[i])
		}
	}
	return rps, cpu, nil
}

// cpuOf returns the user and system CPU time process pid has used.
func cpuOf(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, errNoProc
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	rest := string(b[bytes.LastIndexByte(b, ')')+2:])
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return 0, errNoProc
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}
