package main

import (
	"context"
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
	users := fs.String("user", "", "only these user ids, comma separated")
	toolkits := fs.String("toolkit", "", "only these toolkits, comma separated")
	statuses := fs.String("status", "", "only these statuses, comma separated")
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
		fmt.Fprintln(tw, "ID\tUSER\tTOOLKIT\tSTATUS\tALIAS\tIDENTITY")
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
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.UserID, a.Toolkit.Slug, a.Status, alias, orDefault(a.Identity, "-"))
			}
			if page.NextCursor == "" {
				return nil
			}
			p.Cursor = page.NextCursor
		}
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	return nil
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
