package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/internal/demo"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// runDemo is `switchboard demo`: the server on a temporary SQLite store
// (or the configured one), with the demo provider and notes API on a
// second loopback listener, the demo toolkit in the catalog and an auth
// config for it; it prints the API key and a walkthrough, then serves
// until interrupted.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := config.Default()
	cfg.DataDir = "" // a temporary directory unless one is named
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Bind(fs, getenv)
	demoAddr := fs.String("demo-addr", "127.0.0.1:0", "loopback listen address of the demo's OAuth provider and notes API; port 0 picks a free one")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: switchboard demo [flags]\n\n"+
			"Runs Switchboard with a built-in OAuth provider and the demo toolkit, so the README's\n"+
			"walkthrough needs no outside account. The store is a temporary SQLite database,\n"+
			"deleted on exit, unless -data-dir or -database-url names one.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if host, _, err := net.SplitHostPort(*demoAddr); err != nil || !isLoopbackIP(host) {
		return fmt.Errorf("-demo-addr %q must be a loopback IP and port, such as 127.0.0.1:0: the demo provider is reachable from this machine only", *demoAddr)
	}
	if cfg.DataDir == "" && !cfg.Postgres() {
		dir, err := os.MkdirTemp("", "switchboard-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.DataDir = dir
	}
	if cfg.DataDir == "" {
		cfg.DataDir = config.Default().DataDir
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer l.Close()
	cfg.Addr = l.Addr().String() // a port 0 is now the one chosen
	dl, err := net.Listen("tcp", *demoAddr)
	if err != nil {
		return fmt.Errorf("-demo-addr: %w", err)
	}
	defer dl.Close()
	up, err := demo.New("http://"+dl.Addr().String(), cfg.Public()+"/api/v3/toolkits/auth/callback")
	if err != nil {
		return err
	}
	def, err := demo.Definition()
	if err != nil {
		return err
	}
	builtin, err := toolkits.Builtin()
	if err != nil {
		return err
	}
	cat, problems := builtin.With(def)
	if len(problems) > 0 {
		return problems
	}
	log := newLogger(stderr, cfg.LogLevel)
	// The demo's listener is the one loopback host its upstream calls may
	// reach; SWITCHBOARD_EGRESS_ALLOW_LOOPBACK stays as configured.
	a, err := app.New(ctx, cfg, app.Options{Logger: log, Catalog: cat, EgressLoopbackHosts: []string{dl.Addr().String()}})
	if err != nil {
		return err
	}
	defer a.Close()
	key, created, err := a.Projects.Bootstrap(ctx, cfg.BootstrapAPIKey)
	if err != nil {
		return err
	}
	ps, err := a.Store.ListProjects(ctx)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return errors.New("no project to run the demo in")
	}
	project := ps[0]
	if !created || cfg.BootstrapAPIKey != "" {
		// A store used before: its bootstrap key was shown then, so the
		// demo makes a key of its own to print.
		if key, _, err = a.Projects.CreateKey(ctx, project.ID, "demo", ""); err != nil {
			return err
		}
	}
	// A new auth config each start: the provider's port, and its client
	// secret, are new each time.
	ac, err := a.AuthConfigs.Create(ctx, project.ID, authconfigs.CreateInput{
		Toolkit: demo.Toolkit, Type: authconfigs.TypeCustom, AuthScheme: "OAUTH2", Name: "Demo (" + dl.Addr().String() + ")",
		Credentials: up.AuthConfigCredentials(),
	})
	if err != nil {
		return fmt.Errorf("create the demo auth config: %w", err)
	}
	if err := a.Run(ctx); err != nil {
		return err
	}
	upSrv := &http.Server{Handler: up.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go upSrv.Serve(dl)
	defer upSrv.Close()
	data := cfg.DataDir + " (deleted on exit)"
	if cfg.Postgres() {
		data = "PostgreSQL (SWITCHBOARD_DATABASE_URL)"
	} else if !strings.Contains(cfg.DataDir, "switchboard-demo-") {
		data = cfg.DataDir
	}
	var logins []string
	for _, id := range demo.Identities {
		logins = append(logins, id.Email)
	}
	err = walkthrough.Execute(stdout, map[string]string{
		"URL": cfg.Public(), "Key": key, "AuthConfig": ac.ID, "Provider": up.URL, "Data": data,
		"Identities": strings.Join(logins, " and "),
	})
	if err != nil {
		return err
	}
	log.Info("switchboard demo listening", "addr", cfg.Addr, "public_url", cfg.Public(), "demo_provider", up.URL)
	return a.Serve(ctx, l)
}

func isLoopbackIP(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// walkthrough is what the demo prints: the values to use and the steps of
// the README's walkthrough with them filled in.
var walkthrough = template.Must(template.New("demo").Parse(`Switchboard demo: a server with a built-in OAuth provider and the "demo" toolkit.

  Switchboard    {{.URL}}
  API key        {{.Key}}   (an admin key)
  Console        {{.URL}}/console   (sign in with the API key)
  Auth config    {{.AuthConfig}}   (toolkit demo, OAuth2 at the demo provider)
  Demo provider  {{.Provider}}   (identities {{.Identities}})
  Store          {{.Data}}

Walkthrough, in another shell (the README explains each step):

  export SWITCHBOARD_URL={{.URL}} SWITCHBOARD_API_KEY={{.Key}}
  H="x-api-key: $SWITCHBOARD_API_KEY"; J="content-type: application/json"

  # 1. Connect two accounts for user_123: run this twice; open each redirect_url in a
  #    browser, pick ada the first time and grace the second.
  curl -s $SWITCHBOARD_URL/api/v3.1/connected_accounts/link -H "$H" -H "$J" \
    -d '{"auth_config_id":"{{.AuthConfig}}","user_id":"user_123"}'

  # 2. List them (ACTIVE, each with its email):
  switchboard accounts list -user user_123        # or: go run ./cmd/switchboard accounts list -user user_123

  # 3. One session per account (replace ca_ADA and ca_GRACE with the ids from step 2):
  curl -s $SWITCHBOARD_URL/api/v3.1/tool_router/session -H "$H" -H "$J" \
    -d '{"user_id":"user_123","connected_accounts":{"demo":"ca_ADA"}}'
  curl -s $SWITCHBOARD_URL/api/v3.1/tool_router/session -H "$H" -H "$J" \
    -d '{"user_id":"user_123","connected_accounts":{"demo":"ca_GRACE"}}'

  # 4. Run a tool in each session (its id from step 3): one answers ada, the other grace.
  curl -s $SWITCHBOARD_URL/api/v3.1/tool_router/session/trs_.../execute -H "$H" -H "$J" \
    -d '{"tool_slug":"DEMO_GET_PROFILE","arguments":{}}'

  # Or run the tools by account from the CLI:
  switchboard tools execute -account ca_ADA DEMO_GET_PROFILE
  switchboard tools execute -account ca_GRACE -args '{"text":"hello"}' DEMO_CREATE_NOTE

Press Ctrl-C to stop.
`))
