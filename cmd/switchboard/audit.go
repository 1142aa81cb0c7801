package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/switchboard-dev/switchboard/sdk"
)

// auditExport writes the project's audit log to stdout as JSON Lines, one
// entry a line, oldest first, reading it page by page through the Go SDK
// with an admin key.
func auditExport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("audit export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("url", orDefault(getenv("SWITCHBOARD_URL"), "http://127.0.0.1:8080"), "server URL (SWITCHBOARD_URL)")
	actions := fs.String("action", "", "only these actions, comma separated (e.g. auth_config.update,api_key.create)")
	targetTypes := fs.String("target-type", "", "only these target types, comma separated")
	targetIDs := fs.String("target-id", "", "only these target ids, comma separated")
	keyIDs := fs.String("key", "", "only the acts of these API key ids, comma separated")
	from := fs.String("from", "", "only entries at or after this RFC 3339 time")
	to := fs.String("to", "", "only entries before this RFC 3339 time")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit export takes no arguments, got %q", fs.Args())
	}
	key := getenv("SWITCHBOARD_API_KEY")
	if key == "" {
		return errors.New("set SWITCHBOARD_API_KEY to an admin API key of the project")
	}
	p := sdk.AuditParams{Actions: split(*actions), TargetTypes: split(*targetTypes), TargetIDs: split(*targetIDs), KeyIDs: split(*keyIDs), Limit: 1000}
	for _, b := range []struct {
		flag, value string
		dst         *time.Time
	}{{"-from", *from, &p.From}, {"-to", *to, &p.To}} {
		if b.value == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, b.value)
		if err != nil {
			return fmt.Errorf("%s must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z: %v", b.flag, err)
		}
		*b.dst = t
	}
	c := sdk.New(key, *baseURL)
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for {
		page, err := c.Audit().List(ctx, p)
		if err != nil {
			return err
		}
		for _, e := range page.Items {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		p.Cursor = page.NextCursor
	}
}
