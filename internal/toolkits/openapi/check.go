package openapi

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// Check validates f with the catalog's loader, as strictly as the built-in
// definitions are, and returns the catalog of f's one toolkit.
//
// Until the single-file loader lands, it writes f as today's two files,
// <slug>.json (the toolkit) and tools/<slug>.json (version, errors and
// tools), into a temporary directory and loads that.
// TODO(toolkits as data, item 1): load the one file instead.
func Check(f *File) (*toolkits.Catalog, error) {
	if !slugRE.MatchString(f.Slug) {
		return nil, fmt.Errorf("openapi: slug %q must match %s", f.Slug, slugRE)
	}
	dir, err := os.MkdirTemp("", "switchboard-openapi-*")
	if err != nil {
		return nil, fmt.Errorf("openapi: make a directory to check in: %w", err)
	}
	defer os.RemoveAll(dir)
	tk, err := json.Marshal(f.Toolkit)
	if err != nil {
		return nil, fmt.Errorf("openapi: encode toolkit: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, f.Slug+".json"), tk, 0o600); err != nil {
		return nil, fmt.Errorf("openapi: write toolkit: %w", err)
	}
	if len(f.Tools) > 0 {
		tools, err := json.Marshal(toolsFile{Toolkit: f.Slug, Version: f.Version, Errors: f.Errors, Tools: f.Tools})
		if err != nil {
			return nil, fmt.Errorf("openapi: encode tools: %w", err)
		}
		if err := os.Mkdir(filepath.Join(dir, "tools"), 0o700); err != nil {
			return nil, fmt.Errorf("openapi: write tools: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "tools", f.Slug+".json"), tools, 0o600); err != nil {
			return nil, fmt.Errorf("openapi: write tools: %w", err)
		}
	}
	return toolkits.Load(os.DirFS(dir))
}
