package openapi

import (
	"encoding/json"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// Check validates f with the catalog's loader, as strictly as the built-in
// definitions are: f is encoded as the toolkit file it is, parsed and
// compiled into a catalog of its one toolkit.
func Check(f *File) (*toolkits.Catalog, error) {
	if !slugRE.MatchString(f.Slug) {
		return nil, fmt.Errorf("openapi: slug %q must match %s", f.Slug, slugRE)
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("openapi: encode toolkit file: %w", err)
	}
	def, err := toolkits.Parse(f.Slug+".json", b)
	if err != nil {
		return nil, err
	}
	return toolkits.New(def)
}
