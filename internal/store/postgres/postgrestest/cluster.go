package postgrestest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// cluster is a throwaway PostgreSQL cluster: a data folder in a temporary
// folder and a postmaster listening on 127.0.0.1.
type cluster struct {
	dir  string // temporary folder: data folder, socket, log
	port int

	postgres   *exec.Cmd
	postgresCh chan struct{} // closed when postgres has exited

	// watchdog is a shell that stops postgres and removes dir once its
	// standard input closes: when stop closes it, or when the test binary
	// dies without running stop (a panic, a timeout, a kill).
	watchdog   *exec.Cmd
	watchdogIn io.WriteCloser
}

// watchdogScript stops the postmaster whose data folder is $1 once standard
// input ends, fast shutdown first and immediate after five seconds, then
// removes the folder $2.
const watchdogScript = `read -r _ || :
pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null)
if [ -n "$pid" ]; then
	kill -INT "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i+1))
		[ "$i" -eq 100 ] && kill -QUIT "$pid" 2>/dev/null
		sleep 0.05
	done
fi
rm -rf "$2"
`

// startCluster initialises a cluster in a new temporary folder and starts it.
func startCluster() (_ *cluster, err error) {
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "switchboard-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("make temporary folder: %w", err)
	}
	c := &cluster{dir: dir}
	defer func() {
		if err != nil {
			c.stop()
		}
	}()
	if err := c.startWatchdog(); err != nil {
		return nil, err
	}

	// PostgreSQL refuses to run as root: hand the folder to the postgres
	// user and run the binaries as that user.
	var cred *syscall.Credential
	runuser := ""
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("look up user postgres to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, fmt.Errorf("hand temporary folder to postgres: %w", err)
		}
		if runuser, err = exec.LookPath("runuser"); err != nil {
			// Without runuser, switch user directly.
			cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		}
	}
	command := func(name string, args ...string) *exec.Cmd {
		path := filepath.Join(bin, name)
		if runuser != "" {
			return exec.Command(runuser, append([]string{"-u", "postgres", "--", path}, args...)...)
		}
		cmd := exec.Command(path, args...)
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		return cmd
	}

	data := filepath.Join(dir, "data")
	initdb := command("initdb", "-D", data, "-A", "trust", "-U", "postgres",
		"-E", "UTF8", "--no-locale", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("run initdb: %w\n%s", err, out)
	}

	// The port is free when chosen but may be taken before postgres binds
	// it; try a few.
	for attempt := 0; ; attempt++ {
		err = c.startPostgres(command, data)
		if err == nil || !errors.Is(err, errPortTaken) || attempt == 4 {
			return c, err
		}
	}
}

// errPortTaken reports that postgres could not bind its port.
var errPortTaken = errors.New("port taken")

// startPostgres starts the postmaster on a free port and waits until it
// accepts connections.
func (c *cluster) startPostgres(command func(string, ...string) *exec.Cmd, data string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logPath := filepath.Join(c.dir, "postgres.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("create postgres log: %w", err)
	}
	defer logFile.Close()

	cmd := command("postgres", "-D", data,
		"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-k", c.dir,
		// Throwaway data: trade durability for speed.
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "wal_level=minimal",
		"-c", "max_wal_senders=0",
		"-c", "autovacuum=off",
		// Parallel tests each open a few pools.
		"-c", "max_connections=500",
		"-c", "shared_buffers=32MB",
		"-c", "logging_collector=off",
	)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := pgconn.ParseConfig(fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=1", port))
	if err != nil {
		return fmt.Errorf("parse cluster URL: %w", err)
	}
	for {
		conn, err := pgconn.ConnectConfig(ctx, cfg)
		if err == nil {
			conn.Close(ctx)
			c.port, c.postgres, c.postgresCh = port, cmd, exited
			return nil
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			if bytes.Contains(log, []byte("could not bind")) {
				return errPortTaken
			}
			return fmt.Errorf("postgres exited: %s", bytes.TrimSpace(log))
		case <-ctx.Done():
			c.postgres, c.postgresCh = cmd, exited // stop must still wait for it
			return fmt.Errorf("wait for postgres to accept connections: %w", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// startWatchdog starts the shell that cleans up after the cluster.
func (c *cluster) startWatchdog() error {
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "sh", filepath.Join(c.dir, "data"), c.dir)
	// Its own process group, so that an interrupt from the terminal does not
	// end it before it has cleaned up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("start watchdog: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start watchdog: %w", err)
	}
	c.watchdog, c.watchdogIn = cmd, in
	return nil
}

// url returns the URL of the cluster's maintenance database.
func (c *cluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// stop shuts the cluster down and removes its folder. It accepts a nil
// cluster.
func (c *cluster) stop() error {
	if c == nil {
		return nil
	}
	if c.watchdog == nil {
		return os.RemoveAll(c.dir)
	}
	c.watchdogIn.Close()
	done := make(chan error, 1)
	go func() { done <- c.watchdog.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("stop cluster in %s: %w", c.dir, err)
		}
	case <-time.After(30 * time.Second):
		return fmt.Errorf("stop cluster in %s: timed out", c.dir)
	}
	if c.postgresCh != nil {
		<-c.postgresCh
	}
	return nil
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// findBinDir returns the folder holding initdb and postgres: the newest
// Debian-style /usr/lib/postgresql/<version>/bin, or else the folder of
// initdb on PATH.
func findBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, dir := range dirs {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	if path, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(path)
		if isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", errors.New("find PostgreSQL: no initdb and postgres in /usr/lib/postgresql/*/bin or on PATH")
}

// versionOf returns the major version in a /usr/lib/postgresql/<version>/bin
// path, or 0.
func versionOf(binDir string) int {
	v, _ := strconv.Atoi(strings.SplitN(filepath.Base(filepath.Dir(binDir)), ".", 2)[0])
	return v
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// Start starts a throwaway cluster for a program that is not a test (the
// benchmark harness), as URL does for tests: initdb into a temporary
// folder, trust auth, a free port on 127.0.0.1. It returns the URL of the
// cluster's postgres database and a stop that shuts the cluster down and
// removes the folder; the cluster also goes when the program exits.
func Start() (databaseURL string, stop func() error, err error) {
	c, err := startCluster()
	if err != nil {
		return "", nil, err
	}
	return c.url(), c.stop, nil
}
