package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// DefaultTTL is how long a project's view is used before the store is
// asked whether its custom toolkits changed: how long a change made
// through another instance may take to show on this one. A change made
// through this instance shows at once.
const DefaultTTL = 2 * time.Second

// Service gives each project its catalog and keeps its custom toolkits.
// It is safe for concurrent use.
type Service struct {
	Store store.Store
	// Global is the catalog every project shares: the built-ins and the
	// toolkits directory's. It may change (the directory reloads).
	Global func() *toolkits.Catalog
	// Accounts counts a project's accounts of a toolkit; a toolkit with
	// accounts keeps the hosts its credentials go to.
	Accounts func(ctx context.Context, projectID, toolkit string) (int, error)
	Logger   *slog.Logger
	Now      func() time.Time
	// TTL is DefaultTTL when zero.
	TTL time.Duration
	// AllowLoopback lets an MCP toolkit's server URL name a loopback
	// host: the operator's SWITCHBOARD_EGRESS_ALLOW_LOOPBACK.
	AllowLoopback bool

	mu    sync.Mutex
	views map[string]*view
}

// view is a project's catalog as last built.
type view struct {
	global  *toolkits.Catalog
	sig     string
	cat     *toolkits.Catalog
	broken  map[string]error // custom toolkits left out, by slug
	checked time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) ttl() time.Duration {
	if s.TTL <= 0 {
		return DefaultTTL
	}
	return s.TTL
}

// For returns the catalog a project sees: the global one, plus the
// project's custom toolkits. When the store does not answer, it is the
// project's last view (or, with none, the global catalog), and the
// failure is logged: the call that needs the store fails on its own.
func (s *Service) For(ctx context.Context, projectID string) *toolkits.Catalog {
	v, err := s.view(ctx, projectID)
	if err == nil {
		return v.cat
	}
	if s.Logger != nil {
		s.Logger.WarnContext(ctx, "custom toolkits unavailable", "project_id", projectID, "err", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.views[projectID]; v != nil {
		return v.cat
	}
	return s.Global()
}

func (s *Service) view(ctx context.Context, projectID string) (*view, error) {
	g := s.Global()
	now := s.now()
	s.mu.Lock()
	v := s.views[projectID]
	s.mu.Unlock()
	if v != nil && v.global == g && now.Sub(v.checked) < s.ttl() {
		return v, nil
	}
	recs, err := s.Store.ListCustomToolkits(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("list custom toolkits: %w", err)
	}
	sig := signature(recs)
	if v == nil || v.global != g || v.sig != sig {
		v = s.build(g, sig, recs)
	} else {
		v = &view{global: v.global, sig: v.sig, cat: v.cat, broken: v.broken}
	}
	v.checked = now
	s.mu.Lock()
	if s.views == nil {
		s.views = map[string]*view{}
	}
	s.views[projectID] = v
	s.mu.Unlock()
	return v, nil
}

// build makes a project's view. A stored definition that no longer fits
// (a toolkit of the same slug appeared in the toolkits directory, say) is
// left out and reported, never shadowing the other or hiding the rest.
func (s *Service) build(g *toolkits.Catalog, sig string, recs []store.CustomToolkit) *view {
	v := &view{global: g, sig: sig, cat: g, broken: map[string]error{}}
	if len(recs) == 0 {
		return v
	}
	defs := make([]toolkits.Definition, 0, len(recs))
	for _, r := range recs {
		def, err := toolkits.Parse(r.Slug+".json", r.Definition)
		if err != nil {
			v.broken[r.Slug] = err
			continue
		}
		defs = append(defs, def)
	}
	cat, ps := g.With(defs...)
	for slug, p := range bySlug(ps) {
		v.broken[slug] = p
	}
	for slug, err := range v.broken {
		if s.Logger != nil {
			s.Logger.Warn("custom toolkit left out of the catalog", "project_id", recs[0].ProjectID, "toolkit", slug, "error", err)
		}
	}
	v.cat = cat
	return v
}

// peekSlug reads the slug field of a toolkit document, "" when it has
// none; Parse reports what is wrong with it.
func peekSlug(doc []byte, ext string) string {
	var v struct {
		Slug string `json:"slug" yaml:"slug"`
	}
	if ext == ".json" {
		json.Unmarshal(doc, &v)
	} else {
		yaml.Unmarshal(doc, &v)
	}
	return v.Slug
}

// bySlug groups the problems of stored definitions, each parsed as
// "<slug>.json", by slug.
func bySlug(ps toolkits.Problems) map[string]toolkits.Problems {
	out := map[string]toolkits.Problems{}
	for _, p := range ps {
		slug := strings.TrimSuffix(p.File, ".json")
		out[slug] = append(out[slug], p)
	}
	return out
}

// signature identifies a set of stored definitions: their slugs and
// update times, which every write changes.
func signature(recs []store.CustomToolkit) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%s@%d;", r.Slug, r.UpdatedAt.UnixNano())
	}
	return b.String()
}

// forget drops a project's view, so the next For rebuilds it.
func (s *Service) forget(projectID string) {
	s.mu.Lock()
	delete(s.views, projectID)
	s.mu.Unlock()
}

// Custom is a project's custom toolkit as stored.
type Custom struct {
	Slug       string
	Definition toolkits.Definition
	// Raw is the definition as JSON.
	Raw       json.RawMessage
	CreatedAt time.Time
	UpdatedAt time.Time
	// Problem, when set, is why the toolkit is not in the project's
	// catalog now (its slug was taken by a toolkit added to the toolkits
	// directory since, say).
	Problem string
}

// List returns the project's custom toolkits, by slug.
func (s *Service) List(ctx context.Context, projectID string) ([]Custom, error) {
	v, err := s.view(ctx, projectID)
	if err != nil {
		return nil, err
	}
	recs, err := s.Store.ListCustomToolkits(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("list custom toolkits: %w", err)
	}
	out := make([]Custom, 0, len(recs))
	for _, r := range recs {
		out = append(out, s.custom(v, r))
	}
	return out, nil
}

// Get returns one of the project's custom toolkits.
func (s *Service) Get(ctx context.Context, projectID, slug string) (Custom, error) {
	slug = strings.ToLower(slug)
	r, err := s.Store.GetCustomToolkit(ctx, projectID, slug)
	if errors.Is(err, store.ErrNotFound) {
		return Custom{}, notFound(slug)
	}
	if err != nil {
		return Custom{}, fmt.Errorf("get custom toolkit: %w", err)
	}
	v, err := s.view(ctx, projectID)
	if err != nil {
		return Custom{}, err
	}
	return s.custom(v, r), nil
}

func (s *Service) custom(v *view, r store.CustomToolkit) Custom {
	c := Custom{Slug: r.Slug, Raw: r.Definition, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	c.Definition, _ = toolkits.Parse(r.Slug+".json", r.Definition)
	if err := v.broken[r.Slug]; err != nil {
		c.Problem = err.Error()
	}
	return c
}

func notFound(slug string) error {
	return problem.NotFoundf("custom_toolkit_not_found", "the project has no custom toolkit %s", slug).
		WithFix("List the project's custom toolkits with GET /api/v3.1/custom_toolkits")
}

// Create adds a custom toolkit to a project. doc is a toolkit file (JSON,
// or YAML when name ends in .yaml or .yml); name is what errors call it.
// The toolkit must compile into the project's catalog: its slug may not
// be a global toolkit's, and its tools must be valid, or nothing is
// stored.
func (s *Service) Create(ctx context.Context, projectID, name string, doc []byte) (Custom, error) {
	return s.put(ctx, projectID, "", name, doc)
}

// Replace stores a new definition of the project's custom toolkit slug,
// under the rules of Create; the definition's slug must be slug.
func (s *Service) Replace(ctx context.Context, projectID, slug, name string, doc []byte) (Custom, error) {
	return s.put(ctx, projectID, strings.ToLower(slug), name, doc)
}

func (s *Service) put(ctx context.Context, projectID, slug, name string, doc []byte) (Custom, error) {
	replace := slug != ""
	// A body has no file name; it is named after its slug, as a file must
	// be, so that problems name it the way the directory's files are.
	if base := strings.TrimSuffix(name, path.Ext(name)); base == "" || base == "body" {
		name = peekSlug(doc, path.Ext(name)) + path.Ext(name)
	}
	def, err := toolkits.Parse(name, doc)
	if err != nil {
		return Custom{}, invalid(err)
	}
	if def.MCP != nil {
		if _, err := egress.CheckURL(def.MCP.URL, s.AllowLoopback); err != nil {
			// The URL is not repeated: it may carry a key in its query.
			return Custom{}, problem.Invalidf("invalid_mcp_url", "mcp.url", "mcp.url: %s", strings.TrimPrefix(err.Error(), egress.ErrURL.Error()+": "))
		}
	}
	if replace && def.Slug != slug {
		return Custom{}, problem.Invalidf("slug_mismatch", "slug", "the definition's slug is %s, not %s as the path says", def.Slug, slug).
			WithFix("A toolkit keeps its slug: create one with the new slug (POST /api/v3.1/custom_toolkits) instead")
	}
	g := s.Global()
	if _, ok := g.Get(def.Slug); ok {
		return Custom{}, problem.Invalidf("toolkit_slug_taken", "slug",
			"%s is the slug of a toolkit every project has (built in, or from the toolkits directory); a custom toolkit needs its own", def.Slug).
			WithFix("Give the toolkit another slug")
	}
	if _, ps := g.With(def); len(ps) > 0 {
		return Custom{}, invalid(ps)
	}
	raw, err := json.Marshal(def)
	if err != nil {
		return Custom{}, fmt.Errorf("encode custom toolkit %s: %w", def.Slug, err)
	}
	now := s.now().UTC()
	var rec store.CustomToolkit
	if !replace {
		rec = store.CustomToolkit{ProjectID: projectID, Slug: def.Slug, Definition: raw, CreatedAt: now, UpdatedAt: now}
		err = s.Store.CreateCustomToolkit(ctx, rec)
		if errors.Is(err, store.ErrConflict) {
			return Custom{}, problem.Invalidf("custom_toolkit_exists", "slug", "the project already has a custom toolkit %s", def.Slug).
				WithFix("Replace it with PUT /api/v3.1/custom_toolkits/%s, or choose another slug", def.Slug)
		}
	} else {
		rec, err = s.replace(ctx, projectID, def, raw, now)
	}
	if err != nil {
		return Custom{}, err
	}
	s.forget(projectID)
	v, err := s.view(ctx, projectID)
	if err != nil {
		return Custom{}, err
	}
	return s.custom(v, rec), nil
}

// replace stores a new definition of an existing custom toolkit. While
// the project has accounts of it, the hosts their credentials go to may
// not change (as with auth configs: see authconfigs' credential-host rule).
func (s *Service) replace(ctx context.Context, projectID string, def toolkits.Definition, raw []byte, now time.Time) (store.CustomToolkit, error) {
	n := 0
	if s.Accounts != nil {
		var err error
		if n, err = s.Accounts(ctx, projectID, def.Slug); err != nil {
			return store.CustomToolkit{}, err
		}
	}
	rec, err := s.Store.UpdateCustomToolkit(ctx, projectID, def.Slug, func(old store.CustomToolkit) (store.CustomToolkit, error) {
		if n > 0 {
			prev, err := toolkits.Parse(old.Slug+".json", old.Definition)
			if err == nil {
				if moved := toolkits.CredentialHostsChanged(prev.Toolkit, def.Toolkit); len(moved) > 0 {
					return old, problem.Invalidf("credential_host_change", moved[0],
						"custom toolkit %s has %d connected account(s); changing %s would send their credentials to a new host", def.Slug, n, strings.Join(moved, ", ")).
						WithFix("Add the new version under another slug and connect the accounts again through it, or delete the accounts first")
				}
			}
		}
		if bytes.Equal(old.Definition, raw) {
			return old, nil
		}
		old.Definition, old.UpdatedAt = raw, now
		return old, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.CustomToolkit{}, notFound(def.Slug)
	}
	return rec, err
}

// Delete deletes a custom toolkit. One with accounts is refused: they
// would be left with no toolkit to run.
func (s *Service) Delete(ctx context.Context, projectID, slug string) error {
	slug = strings.ToLower(slug)
	if s.Accounts != nil {
		n, err := s.Accounts(ctx, projectID, slug)
		if err != nil {
			return err
		}
		if n > 0 {
			return problem.Invalidf("custom_toolkit_in_use", "slug", "custom toolkit %s has %d connected account(s)", slug, n).
				WithFix("Delete its accounts first (DELETE /api/v3.1/connected_accounts/{id})")
		}
	}
	err := s.Store.DeleteCustomToolkit(ctx, projectID, slug)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(slug)
	}
	if err != nil {
		return err
	}
	s.forget(projectID)
	return nil
}

// invalid turns a definition's problems into a 400 that names them.
func invalid(err error) error {
	return &problem.Error{Kind: problem.Invalid, Code: "invalid_toolkit", Message: err.Error(),
		Fix: "Check the definition against the toolkit format (docs/toolkit-format.md; its JSON Schema is served at /schemas/toolkit.schema.json)"}
}
