package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/switchboard-dev/switchboard/sdk"
)

// client runs the commands that read a running server through the public
// Go SDK, as any application would: SWITCHBOARD_URL (default
// http://127.0.0.1:8080) and SWITCHBOARD_API_KEY say where and as whom.
func client(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("url", orDefault(getenv("SWITCHBOARD_URL"), "http://127.0.0.1:8080"), "server URL (SWITCHBOARD_URL)")
	users := fs.String("user", "", "only these user ids, comma separated; the user a tool runs as")
	toolkits := fs.String("toolkit", "", "only these toolkits, comma separated")
	statuses := fs.String("status", "", "only these statuses, comma separated")
	search := fs.String("search", "", "tools for this use case, best first")
	account := fs.String("account", "", "the connected account a tool runs with")
	toolArgs := fs.String("args", "{}", "the tool's arguments, a JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	key := getenv("SWITCHBOARD_API_KEY")
	if key == "" {
		return errors.New("set SWITCHBOARD_API_KEY to a project API key")
	}
	c := sdk.New(key, *baseURL)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	switch cmd {
	case "toolkits list":
		tks, err := c.Toolkits().List(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, "SLUG\tNAME\tAUTH SCHEMES\tTOOLS")
		for _, tk := range tks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", tk.Slug, tk.Name, strings.Join(tk.AuthSchemes, ","), tk.Meta.ToolsCount)
		}
	case "accounts list":
		p := sdk.ListAccountsParams{UserIDs: split(*users), ToolkitSlugs: split(*toolkits), Statuses: split(*statuses), Limit: 100}
		fmt.Fprintln(tw, "ID\tUSER\tTOOLKIT\tSTATUS\tALIAS\tIDENTITY\tDEFAULT\tHEALTH")
		for {
			page, err := c.ConnectedAccounts().List(ctx, p)
			if err != nil {
				return err
			}
			for _, a := range page.Items {
				alias := "-"
				if a.Alias != nil {
					alias = *a.Alias
				}
				def, health := "-", "-"
				if a.IsDefault {
					def = "yes"
				}
				if a.Health != nil {
					health = a.Health.Status
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.UserID, a.Toolkit.Slug, a.Status, alias, orDefault(a.Identity, "-"), def, health)
			}
			if page.NextCursor == "" {
				return nil
			}
			p.Cursor = page.NextCursor
		}
	case "tools list":
		p := sdk.ListToolsParams{ToolkitSlugs: split(*toolkits), Search: *search, Limit: 1000}
		fmt.Fprintln(tw, "SLUG\tTOOLKIT\tNAME")
		for {
			page, err := c.Tools().List(ctx, p)
			if err != nil {
				return err
			}
			for _, t := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Slug, t.Toolkit.Slug, t.Name)
			}
			if page.NextCursor == "" {
				return nil
			}
			p.Cursor = page.NextCursor
		}
	case "tools execute":
		return executeTool(ctx, c, fs.Args(), *users, *account, *toolArgs, stdout)
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	return nil
}

// executeTool runs one tool as a user or with an account and prints its
// output; a tool that fails is an error.
func executeTool(ctx context.Context, c *sdk.Client, args []string, user, account, rawArgs string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("name one tool: tools execute [-user U | -account CA] [-args JSON] SLUG")
	}
	if (user == "") == (account == "") {
		return errors.New("run the tool as a user (-user) or with a connected account (-account)")
	}
	var toolArgs map[string]any
	if err := json.Unmarshal([]byte(rawArgs), &toolArgs); err != nil {
		return fmt.Errorf("-args must be a JSON object: %v", err)
	}
	var opts []sdk.ToolExecuteOption
	if user != "" {
		opts = append(opts, sdk.WithUserID(user))
	} else {
		opts = append(opts, sdk.WithConnectedAccountID(account))
	}
	res, err := c.Tools().Execute(ctx, args[0], toolArgs, opts...)
	if err != nil {
		return err
	}
	if !res.Successful() {
		return fmt.Errorf("%s failed (log id %s): %s", args[0], res.LogID, res.Error)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, res.Data, "", "  "); err != nil {
		return fmt.Errorf("%s answered with invalid JSON: %v", args[0], err)
	}
	out.WriteByte('\n')
	_, err = out.WriteTo(stdout)
	return err
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
