package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/internal/toolkits/openapi"
)

const importUsage = `usage: switchboard toolkits import [flags] DOC

Imports an OpenAPI 3.0/3.1 or Swagger 2.0 document (JSON or YAML) as a
toolkit file, written to -o or standard output; the report goes to standard
error. See docs/openapi-import.md.

`

// importProgressAfter is how long an import runs before it prints its
// progress on standard error: a fast import prints none.
const importProgressAfter = time.Second

// toolkitsImport runs "switchboard toolkits import". It works offline on a
// file and needs no server.
func toolkitsImport(args []string, stdout, stderr io.Writer) error {
	return importToolkit(args, stdout, stderr, importProgressAfter)
}

// importToolkit is toolkitsImport printing progress on stderr once the
// import has run for progressAfter (tests set zero, or an hour).
func importToolkit(args []string, stdout, stderr io.Writer, progressAfter time.Duration) error {
	fs := flag.NewFlagSet("toolkits import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, importUsage)
		fs.PrintDefaults()
	}
	tags := fs.String("tags", "", "only operations with one of these tags, comma separated")
	ops := fs.String("operations", "", "only these operationIds, comma separated")
	paths := fs.String("paths", "", `only operations whose path matches one of these globs, comma separated ("*" matches across "/")`)
	slug := fs.String("slug", "", "the toolkit's slug (default: from the title)")
	name := fs.String("name", "", "the toolkit's name (default: the title)")
	prefix := fs.String("prefix", "", "the tool slug prefix (default: the slug in upper case and _)")
	version := fs.String("version", "", "the tool definitions' version, like 20260601_00 (default: today)")
	logo := fs.String("logo", "", "the toolkit's https logo URL")
	baseURL := fs.String("base-url", "", "the API's base URL (default: the document's first https server)")
	errs := fs.String("errors", "http", `the provider's error convention: "http", "slack" or "graphql"`)
	authFrom := fs.String("auth-from", "", "use the auth schemes of this built-in toolkit (for a document that declares none)")
	authFile := fs.String("auth", "", "use the auth schemes in this file, a JSON array as in a toolkit definition")
	out := fs.String("o", "", "write the toolkit file here instead of to standard output")
	verbose := fs.Bool("v", false, "list every tool and its simplifications in the report")
	// Flags may come before or after the document.
	var docs []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		docs = append(docs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(docs) != 1 {
		fs.Usage()
		return errors.New("toolkits import needs one document")
	}
	data, err := os.ReadFile(docs[0])
	if err != nil {
		return err
	}
	opts := openapi.Options{
		Tags: split(*tags), OperationIDs: split(*ops), Paths: split(*paths),
		Slug: *slug, Name: *name, Prefix: *prefix, Version: *version, Logo: *logo,
		BaseURL: *baseURL, Errors: *errs,
	}
	switch {
	case *authFrom != "" && *authFile != "":
		return errors.New("give -auth-from or -auth, not both")
	case *authFrom != "":
		cat, err := toolkits.Builtin()
		if err != nil {
			return err
		}
		tk, ok := cat.Get(*authFrom)
		if !ok {
			return fmt.Errorf("no built-in toolkit %q", *authFrom)
		}
		opts.AuthSchemes = tk.AuthSchemes
	case *authFile != "":
		b, err := os.ReadFile(*authFile)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&opts.AuthSchemes); err != nil {
			return fmt.Errorf("read auth schemes %s: %w", *authFile, err)
		}
	}
	// Progress goes to stderr, with the report: stdout may be the file.
	progress := openapi.NewProgressWriter(stderr, progressAfter)
	opts.Progress = progress.Report
	f, rep, err := openapi.Import(data, opts)
	progress.Stop()
	if rep != nil {
		rep.Write(stderr, *verbose)
	}
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if *out == "" {
		_, err = stdout.Write(b)
		return err
	}
	return os.WriteFile(*out, b, 0o644)
}
