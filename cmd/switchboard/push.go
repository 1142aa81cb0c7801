package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/switchboard-dev/switchboard/sdk"
)

// toolkitsPush sends toolkit files to a running server as the project's
// custom toolkits (POST, or PUT for a slug it has): "switchboard toolkits
// push FILE...". Each file is checked here first, so a broken one is
// reported with its lines and nothing is sent; then the server checks what
// only it can (slugs taken by its built-ins or its directory, a credential
// host change while accounts exist).
func toolkitsPush(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("toolkits push", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("url", orDefault(getenv("SWITCHBOARD_URL"), "http://127.0.0.1:8080"), "server URL (SWITCHBOARD_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("usage: switchboard toolkits push [-url URL] FILE...")
	}
	key := getenv("SWITCHBOARD_API_KEY")
	if key == "" {
		return errors.New("set SWITCHBOARD_API_KEY to an admin API key of the project")
	}
	defs, ps, err := parseFiles(fs.Args())
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		for _, p := range ps {
			fmt.Fprintln(stdout, p)
		}
		return fmt.Errorf("%d problems; nothing was pushed", len(ps))
	}
	c := sdk.New(key, *baseURL)
	for _, d := range defs {
		body, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("%s: %w", d.File, err)
		}
		verb := "replaced"
		_, err = c.CustomToolkits().Get(ctx, d.Slug)
		switch {
		case sdk.IsNotFound(err):
			verb = "created"
			_, err = c.CustomToolkits().Create(ctx, body)
		case err == nil:
			_, err = c.CustomToolkits().Replace(ctx, d.Slug, body)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", d.File, err)
		}
		fmt.Fprintf(stdout, "%s: %s %s (%d tools)\n", d.File, verb, d.Slug, len(d.Tools))
	}
	return nil
}
