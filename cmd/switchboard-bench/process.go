package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// server is one running switchboard process.
type server struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	key    string
	output *bytes.Buffer
	exited chan struct{}
}

// serverConfig says how to start a server.
type serverConfig struct {
	bin, dataDir, toolkitsDir, key string
	// env holds more VAR=value settings.
	env []string
}

// start starts the binary on a free port and returns once it has been
// started (not once it is ready: see waitReady).
func start(ctx context.Context, c serverConfig) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, c.bin, "serve")
	cmd.Env = append(os.Environ(),
		"SWITCHBOARD_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"SWITCHBOARD_DATA_DIR="+c.dataDir,
		"SWITCHBOARD_DATABASE_URL=",
		"SWITCHBOARD_BOOTSTRAP_API_KEY="+c.key,
		"SWITCHBOARD_TOOLKITS_DIR="+c.toolkitsDir,
		"SWITCHBOARD_LOG_LEVEL=error",
	)
	cmd.Env = append(cmd.Env, c.env...)
	out := new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), key: c.key, output: out, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(s.exited) }()
	return s, nil
}

// waitReady polls path until it answers 200 and returns how long that took
// since started.
func (s *server) waitReady(client *http.Client, started time.Time, path string) (time.Duration, error) {
	deadline := started.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return 0, fmt.Errorf("switchboard exited before serving: %s", s.output)
		default:
		}
		status, _, err := s.get(client, path)
		if err == nil && status == http.StatusOK {
			return time.Since(started), nil
		}
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("switchboard did not serve %s within 30 s: %s", path, s.output)
}

// get GETs path with the server's API key and returns the status and body.
func (s *server) get(client *http.Client, path string) (int, []byte, error) {
	return s.send(client, http.MethodGet, path, "")
}

// send sends a request with the server's API key and a JSON body (none
// when empty) and returns the status and body.
func (s *server) send(client *http.Client, method, path, body string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("x-api-key", s.key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}

// call returns a load operation: one request that req builds, its answer
// read, which must have status want.
func call(hc *http.Client, want int, req func() (*http.Request, error)) func() error {
	return func() error {
		rq, err := req()
		if err != nil {
			return err
		}
		resp, err := hc.Do(rq)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			return fmt.Errorf("%s %s: %d, want %d", rq.Method, rq.URL.Path, resp.StatusCode, want)
		}
		return nil
	}
}

// post returns a load operation: an API request to path with the
// server's key and the JSON body that body returns.
func (s *server) post(hc *http.Client, want int, path string, body func() io.Reader) func() error {
	return call(hc, want, func() (*http.Request, error) {
		rq, err := http.NewRequest(http.MethodPost, s.base+path, body())
		if err == nil {
			rq.Header.Set("x-api-key", s.key)
			rq.Header.Set("Content-Type", "application/json")
		}
		return rq, err
	})
}

// creates returns a load operation: a session create, each for a new
// user.
func (s *server) creates(hc *http.Client) func() error {
	var users atomic.Int64
	return s.post(hc, http.StatusCreated, "/api/v3.1/tool_router/session", func() io.Reader {
		return strings.NewReader(fmt.Sprintf(`{"user_id":"user_%d"}`, users.Add(1)))
	})
}

// executeReachesUpstream executes the benchmark tool once in the session
// at path and checks that the call reached the fake upstream as the
// account (an answer with its user and no error), so that a load measures
// calls that did, not calls refused before. It returns the answer.
func (s *server) executeReachesUpstream(client *http.Client, path, body string) ([]byte, error) {
	_, answer, err := s.send(client, http.MethodPost, path, body)
	if err != nil || !bytes.Contains(answer, []byte(`"octocat"`)) || !bytes.Contains(answer, []byte(`"error":null`)) {
		return nil, fmt.Errorf("execute did not reach the fake upstream as the account: %s %v", answer, err)
	}
	return answer, nil
}

// memory returns the process's resident set size and its peak, in bytes,
// from /proc/PID/status.
func (s *server) memory() (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read memory (Linux /proc only): %w", err)
	}
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	if rss == 0 || peak == 0 {
		return 0, 0, errors.New("no VmRSS or VmHWM in /proc status")
	}
	return rss, peak, nil
}

// stop ends the process with SIGTERM, as an operator would, and waits.
func (s *server) stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return nil
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
		return errors.New("switchboard did not stop within 10 s of SIGTERM")
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// newKey returns a random API key long enough for SWITCHBOARD_BOOTSTRAP_API_KEY.
func newKey() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "sb_bench_" + hex.EncodeToString(b)
}

func numCPU() int { return runtime.NumCPU() }
