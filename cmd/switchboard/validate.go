package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// validateToolkits checks toolkit files as a server would load them from
// SWITCHBOARD_TOOLKITS_DIR: each on its own (toolkits.Parse), then together
// with the built-ins, whose slugs they may not take. A directory stands for
// its toolkit files. Every problem is printed as file:line: field: message;
// with none, one summary line.
func validateToolkits(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: switchboard toolkits validate FILE|DIR...")
	}
	var files []string
	for _, arg := range args {
		fi, err := os.Stat(arg)
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			files = append(files, arg)
			continue
		}
		entries, err := os.ReadDir(arg)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if !e.IsDir() && toolkits.IsDefinitionFile(e.Name()) {
				files = append(files, filepath.Join(arg, e.Name()))
			}
		}
	}
	base, err := toolkits.Builtin()
	if err != nil {
		return err
	}
	defs, ps, err := parseFiles(files)
	if err != nil {
		return err
	}
	c, more := base.With(defs...)
	ps = append(ps, more...)
	for _, p := range ps {
		fmt.Fprintln(stdout, p)
	}
	if len(ps) > 0 {
		bad := map[string]bool{}
		for _, p := range ps {
			bad[p.File] = true
		}
		return fmt.Errorf("%d problem(s) in %d of %d file(s)", len(ps), len(bad), len(files))
	}
	tools := 0
	for _, d := range defs {
		tools += len(c.Tools(d.Slug))
	}
	fmt.Fprintf(stdout, "ok: %d file(s), %d toolkit(s), %d tool(s)\n", len(files), len(defs), tools)
	return nil
}

// parseFiles parses each toolkit file on its own (toolkits.Parse),
// returning the definitions of the good ones and the problems of the
// others; err is a file that could not be read.
func parseFiles(files []string) ([]toolkits.Definition, toolkits.Problems, error) {
	var defs []toolkits.Definition
	var ps toolkits.Problems
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		d, err := toolkits.Parse(f, b)
		var more toolkits.Problems
		switch {
		case errors.As(err, &more):
			ps = append(ps, more...)
		case err != nil:
			return nil, nil, err
		default:
			defs = append(defs, d)
		}
	}
	return defs, ps, nil
}
