// Command switchboard runs and administers a Switchboard server.
//
//	switchboard serve                      run the server (SQLite in ./data by default)
//	switchboard demo                       the server with a built-in OAuth provider and demo toolkit
//	switchboard keys create|list|revoke    manage a project's API keys
//	switchboard projects list|create|callback-urls
//
// Configuration comes from flags and SWITCHBOARD_* environment variables;
// see `switchboard serve -h`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/internal/projects"
	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/vault"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard:", err)
		os.Exit(1)
	}
}

const usage = `usage: switchboard <command> [flags]

commands:
  serve                           run the server
  demo [-demo-addr 127.0.0.1:0]   run the server with a built-in OAuth provider and the demo
                                  toolkit on a temporary store, and print a walkthrough
  keys create [-project ID] [-name NAME] [-scope admin|runtime]
  keys list [-project ID]
  keys revoke [-project ID] KEY_ID
  projects list
  projects create NAME
  projects callback-urls [-project ID] URL...   set the callback URL allowlist
  reseal                          re-encrypt stored secrets under SWITCHBOARD_ENCRYPTION_KEY
                                  (after moving the old key to SWITCHBOARD_OLD_ENCRYPTION_KEYS)
  toolkits validate FILE|DIR...   check toolkit files (docs/toolkit-format.md) as
                                  SWITCHBOARD_TOOLKITS_DIR would load them

  toolkits docs [-o docs/toolkits.md]
                                  write the built-in catalog's listing (Markdown)

  toolkits import [-tags a,b] [-operations x,y] [-paths '/repos/*'] [-slug s] [-o out.json] DOC
                                  make a toolkit file of an OpenAPI or Swagger document (offline)

  through a running server, with SWITCHBOARD_URL and SWITCHBOARD_API_KEY:
  toolkits push FILE...           send toolkit files as the project's custom toolkits
                                  (created, or replaced by slug; an admin key)
  toolkits list
  accounts list [-user U,...] [-toolkit T,...] [-status S,...]
  tools list [-toolkit T,...] [-search "use case"]
  tools execute (-user U | -account CA) [-args JSON] SLUG
  audit export [-action A,...] [-target-type T,...] [-target-id ID,...] [-key KEY_ID,...] [-from TIME] [-to TIME]
      writes the project's audit log as JSON Lines, oldest first (admin key)
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	err := dispatch(ctx, args, stdout, stderr, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h or --help printed the usage: asked for, not a failure
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	if len(args) > 1 && args[0] == "toolkits" && args[1] == "import" {
		return toolkitsImport(args[2:], stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr, getenv)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr, getenv)
	case "reseal":
		return admin(ctx, "reseal", args[1:], stdout, stderr, getenv)
	case "toolkits", "accounts", "tools":
		if len(args) >= 2 && args[0] == "toolkits" && args[1] == "validate" {
			return validateToolkits(args[2:], stdout)
		}
		if len(args) >= 2 && args[0] == "toolkits" && args[1] == "push" {
			return toolkitsPush(ctx, args[2:], stdout, stderr, getenv)
		}
		if len(args) >= 2 && args[0] == "toolkits" && args[1] == "docs" {
			return toolkitsDocs(args[2:], stdout, stderr)
		}
		if len(args) < 2 {
			fmt.Fprint(stderr, usage)
			return fmt.Errorf("%s needs a subcommand", args[0])
		}
		return client(ctx, args[0]+" "+args[1], args[2:], stdout, stderr, getenv)
	case "audit":
		if len(args) < 2 || args[1] != "export" {
			fmt.Fprint(stderr, usage)
			return errors.New("audit needs the subcommand export")
		}
		return auditExport(ctx, args[2:], stdout, stderr, getenv)
	case "keys", "projects":
		if len(args) < 2 {
			fmt.Fprint(stderr, usage)
			return fmt.Errorf("%s needs a subcommand", args[0])
		}
		return admin(ctx, args[0]+" "+args[1], args[2:], stdout, stderr, getenv)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level))
	return slog.New(reqlog.Handler{Handler: slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})})
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := config.Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Bind(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	a, err := app.New(ctx, cfg, app.Options{Logger: log})
	if err != nil {
		return err
	}
	defer a.Close()
	key, created, err := a.Projects.Bootstrap(ctx, cfg.BootstrapAPIKey)
	if err != nil {
		return err
	}
	if created && cfg.BootstrapAPIKey == "" {
		fmt.Fprintf(stdout, "Created the default project. Its API key, shown only this once:\n\n    %s\n\n", key)
	} else if created {
		log.Info("created the default project with SWITCHBOARD_BOOTSTRAP_API_KEY")
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.DebugAddr != "" {
		dl, err := net.Listen("tcp", cfg.DebugAddr)
		if err != nil {
			return fmt.Errorf("SWITCHBOARD_DEBUG_ADDR: %w", err)
		}
		go serveDebug(ctx, dl, log)
	}
	if err := a.Run(ctx); err != nil {
		return err
	}
	backend := "sqlite (" + cfg.DataDir + ")"
	if cfg.Postgres() {
		backend = "postgres"
	}
	log.Info("switchboard listening", "addr", l.Addr().String(), "public_url", cfg.Public(), "store", backend)
	return a.Serve(ctx, l)
}

// admin runs the operator subcommands directly against the store: they
// manage what the API itself authenticates with.
func admin(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := config.Default()
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Bind(fs, getenv)
	projectID := fs.String("project", "", "project id (default: the only project)")
	name := fs.String("name", "", "a name for the key")
	scope := fs.String("scope", projects.ScopeAdmin, "what the key may do: admin (everything) or runtime (sessions, links, execute, proxy, reading accounts and tools)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := &projects.Service{Store: st, Now: time.Now}
	// The CLI acts on the store directly, with no API key: its acts are
	// audited as the CLI's.
	auditor := &audit.Service{Store: st, Logger: newLogger(stderr, cfg.LogLevel), Now: time.Now}
	ctx = audit.WithActor(ctx, audit.Actor{SourceAddress: "cli"})
	pick := func() (string, error) {
		if *projectID != "" {
			return *projectID, nil
		}
		ps, err := st.ListProjects(ctx)
		if err != nil {
			return "", err
		}
		if len(ps) != 1 {
			return "", fmt.Errorf("there are %d projects; name one with -project", len(ps))
		}
		return ps[0].ID, nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	switch cmd {
	case "keys create":
		pid, err := pick()
		if err != nil {
			return err
		}
		actx, act := auditor.Begin(ctx, pid, audit.Act{Action: audit.APIKeyCreate, TargetType: store.AuditAPIKey, Snapshot: audit.View(audit.APIKey)})
		key, k, err := svc.CreateScopedKey(actx, pid, *name, "", *scope)
		if err != nil {
			return err
		}
		act.Finish(ctx, audit.APIKey(k))
		fmt.Fprintf(stdout, "Created %s API key %s for project %s. The key, shown only this once:\n\n    %s\n", k.Scope, k.ID, pid, key)
	case "keys list":
		pid, err := pick()
		if err != nil {
			return err
		}
		keys, err := svc.ListKeys(ctx, pid)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tPREFIX\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s…\t%s\t%s\n", k.ID, k.Name, k.Scope, k.Prefix, k.CreatedAt.Format(time.RFC3339), revoked)
		}
	case "keys revoke":
		if fs.NArg() != 1 {
			return errors.New("usage: switchboard keys revoke [-project ID] KEY_ID")
		}
		pid, err := pick()
		if err != nil {
			return err
		}
		actx, act := auditor.Begin(ctx, pid, audit.Act{Action: audit.APIKeyRevoke, TargetType: store.AuditAPIKey, TargetID: fs.Arg(0)})
		if err := svc.RevokeKey(actx, pid, fs.Arg(0)); err != nil {
			return err
		}
		act.Finish(ctx, nil)
		fmt.Fprintf(stdout, "Revoked API key %s.\n", fs.Arg(0))
	case "projects list":
		ps, err := st.ListProjects(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, "ID\tNAME\tCALLBACK URLS")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.ID, p.Name, strings.Join(p.CallbackURLs, " "))
		}
	case "projects create":
		if fs.NArg() != 1 {
			return errors.New("usage: switchboard projects create NAME")
		}
		p, err := svc.CreateProject(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		key, k, err := svc.CreateKey(ctx, p.ID, "initial", "")
		if err != nil {
			return err
		}
		// The project has no id, and so no audit log, before it is
		// created: its two entries follow the writes.
		auditor.Record(ctx, p.ID, audit.Act{Action: audit.ProjectCreate, TargetType: store.AuditProject, TargetID: p.ID, After: audit.Project(p)})
		auditor.Record(ctx, p.ID, audit.Act{Action: audit.APIKeyCreate, TargetType: store.AuditAPIKey, TargetID: k.ID, After: audit.APIKey(k)})
		fmt.Fprintf(stdout, "Created project %s. Its API key, shown only this once:\n\n    %s\n", p.ID, key)
	case "projects callback-urls":
		pid, err := pick()
		if err != nil {
			return err
		}
		before, err := st.GetProject(ctx, pid)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("project %s not found", pid)
		}
		if err != nil {
			return err
		}
		actx, act := auditor.Begin(ctx, pid, audit.Act{Action: audit.ProjectUpdate, TargetType: store.AuditProject, TargetID: pid,
			Before: audit.Project(before), Snapshot: audit.View(audit.Project)})
		p, err := svc.SetCallbackURLs(actx, pid, fs.Args())
		if err != nil {
			return err
		}
		act.Finish(ctx, audit.Project(p))
		fmt.Fprintf(stdout, "Project %s allows callbacks to: %s\n", p.ID, strings.Join(p.CallbackURLs, " "))
	case "reseal":
		kr, err := app.OpenVault(cfg, newLogger(stderr, cfg.LogLevel))
		if err != nil {
			return err
		}
		if err := app.CheckVault(ctx, st, kr, time.Now()); err != nil {
			return err
		}
		ps, err := st.ListProjects(ctx)
		if err != nil {
			return err
		}
		barrier := vault.NewBarrier(st, kr)
		var nAccounts, nConfigs int
		for _, p := range ps {
			na, nc, err := barrier.Reseal(ctx, p.ID)
			nAccounts, nConfigs = nAccounts+na, nConfigs+nc
			if err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "Re-sealed %d account credentials and %d auth config secrets under key %s.\n", nAccounts, nConfigs, kr.ActiveKeyID())
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	return nil
}
