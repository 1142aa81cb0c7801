package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// toolkitsDocs runs "switchboard toolkits docs": it writes the built-in
// catalog's listing, the page docs/toolkits.md, to stdout or to -o.
func toolkitsDocs(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("toolkits docs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the listing to this file (e.g. "+toolkits.ListingPath+") instead of stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New("usage: switchboard toolkits docs [-o FILE]")
	}
	c, err := toolkits.Builtin()
	if err != nil {
		return err
	}
	page := c.Listing()
	if *out == "" {
		_, err := stdout.Write(page)
		return err
	}
	if err := os.WriteFile(*out, page, 0o644); err != nil {
		return fmt.Errorf("write listing: %w", err)
	}
	fmt.Fprintf(stderr, "wrote %s: %d toolkits, %d tools\n", *out, len(c.List()), len(c.Tools()))
	return nil
}
