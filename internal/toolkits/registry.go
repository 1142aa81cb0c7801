package toolkits

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Source gives the catalog to use now. Callers read Current once per
// operation and use that catalog throughout, so that one operation never
// sees two versions of a toolkit. A *Catalog is a Source of itself; a
// *Registry is one whose catalog may be replaced.
type Source interface {
	Current() *Catalog
}

// Catalogs gives the catalog a project sees: the global one plus the
// project's own toolkits (package catalog). Callers ask once per operation
// and use that catalog throughout. A *Catalog and a *Registry are Catalogs
// that give every project the same catalog.
type Catalogs interface {
	For(ctx context.Context, projectID string) *Catalog
}

// For returns c, whatever the project.
func (c *Catalog) For(context.Context, string) *Catalog { return c }

// For returns the catalog in use, whatever the project.
func (r *Registry) For(context.Context, string) *Catalog { return r.Current() }

// Registry holds the catalog in use and lets it be replaced while in use.
// It is safe for concurrent use: Current and Set are atomic.
type Registry struct {
	cur atomic.Pointer[Catalog]
}

// NewRegistry returns a Registry holding c.
func NewRegistry(c *Catalog) *Registry {
	r := &Registry{}
	r.cur.Store(c)
	return r
}

// Current returns the catalog in use.
func (r *Registry) Current() *Catalog { return r.cur.Load() }

// Set replaces the catalog in use with c. Operations that already read
// the old one finish with it.
func (r *Registry) Set(c *Catalog) { r.cur.Store(c) }

// DefaultPollInterval is how often a Dir looks for changed files.
const DefaultPollInterval = 2 * time.Second

// Dir keeps a Registry holding a base catalog (the built-ins) plus the
// toolkit files of a directory (SWITCHBOARD_TOOLKITS_DIR), reloading them
// when they change, without a restart.
//
// Every file directly in Path whose name IsDefinitionFile is a toolkit
// file; others, subdirectories and hidden files are ignored. A file that
// does not parse, or whose toolkit or tool slug is already the base's or
// another file's, is skipped and its problems logged, and the rest keep
// serving. A skipped file's toolkit is not served at all until the file is
// fixed, even if an earlier version was: what is served follows from the
// directory as it is, the same after a reload as after a restart.
//
// Dir polls (names, sizes and modification times) rather than asking the
// kernel for events: it works alike on every file system, on network
// mounts and with Kubernetes ConfigMaps, whose files change by a symlink
// swap. A change is applied once the directory has looked the same for one
// poll interval, so that a file being written, or several files being
// copied in, are read once they are complete.
type Dir struct {
	// Path is the directory.
	Path string
	// Base holds the toolkits every catalog starts from, the built-ins.
	Base *Catalog
	// Registry receives each new catalog.
	Registry *Registry
	// Logger receives each problem and each reload.
	Logger *slog.Logger
	// Interval is how often the directory is polled; DefaultPollInterval
	// when zero.
	Interval time.Duration

	mu     sync.Mutex
	loaded snapshot // the directory as the catalog in use read it
}

// snapshot is what a poll sees of the directory: each toolkit file's size
// and modification time, by name.
type snapshot map[string]fileStamp

type fileStamp struct {
	size    int64
	modTime time.Time
}

// Load reads the directory once and sets the Registry's catalog to the
// base plus every valid file. It returns the problems of the files it
// skipped (also logged), and an error only when the directory cannot be
// read, in which case the Registry is left as it was.
func (d *Dir) Load() (Problems, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	snap, err := d.scan()
	if err != nil {
		return nil, err
	}
	return d.load(snap)
}

// Watch polls the directory until ctx ends, reloading when it changes. A
// directory that cannot be read is logged and the catalog in use kept
// until it can be read again.
func (d *Dir) Watch(ctx context.Context) {
	interval := d.Interval
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var pending snapshot // a change seen at the last poll, not yet applied
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		snap, err := d.scan()
		if err != nil {
			if !failing {
				d.Logger.Error("toolkits directory unreadable; serving the toolkits last loaded", "dir", d.Path, "err", err)
			}
			failing, pending = true, nil
			continue
		}
		failing = false
		d.mu.Lock()
		switch {
		case snap.equal(d.loaded):
			pending = nil
		case pending != nil && snap.equal(pending):
			// Unchanged for one interval: complete, so load it.
			if _, err := d.load(snap); err != nil {
				d.Logger.Error("reload toolkits", "dir", d.Path, "err", err)
			}
			pending = nil
		default:
			pending = snap
		}
		d.mu.Unlock()
	}
}

// scan lists the directory's toolkit files with their sizes and times,
// following symlinks.
func (d *Dir) scan() (snapshot, error) {
	entries, err := os.ReadDir(d.Path)
	if err != nil {
		return nil, fmt.Errorf("toolkits: read directory %s: %w", d.Path, err)
	}
	snap := snapshot{}
	for _, e := range entries {
		if !IsDefinitionFile(e.Name()) {
			continue
		}
		fi, err := os.Stat(filepath.Join(d.Path, e.Name()))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue // removed since the listing, or a dangling link
			}
			return nil, fmt.Errorf("toolkits: %w", err)
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		snap[e.Name()] = fileStamp{fi.Size(), fi.ModTime()}
	}
	return snap, nil
}

func (s snapshot) equal(o snapshot) bool {
	if s == nil || o == nil {
		return s == nil && o == nil
	}
	if len(s) != len(o) {
		return false
	}
	for k, v := range s {
		if w, ok := o[k]; !ok || v.size != w.size || !v.modTime.Equal(w.modTime) {
			return false
		}
	}
	return true
}

// load parses the files of snap, builds the catalog and sets it. d.mu is
// held.
func (d *Dir) load(snap snapshot) (Problems, error) {
	var defs []Definition
	var ps Problems
	for _, name := range slices.Sorted(maps.Keys(snap)) {
		path := filepath.Join(d.Path, name)
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue // removed since the scan; the next poll sees it
		}
		if err != nil {
			return nil, fmt.Errorf("toolkits: %w", err)
		}
		def, err := Parse(path, b)
		if err != nil {
			ps = append(ps, err.(Problems)...)
			continue
		}
		defs = append(defs, def)
	}
	prev := d.Registry.Current()
	next, more := d.Base.With(defs...)
	ps = append(ps, more...)
	if prev == nil {
		prev = d.Base
	}

	d.Registry.Set(next)
	d.loaded = snap

	for _, p := range ps {
		d.Logger.Error("toolkit file skipped", "file", p.File, "line", p.Line, "pointer", p.Pointer, "field", p.Field, "problem", p.Message)
	}
	// An operator may move a toolkit to other hosts on purpose, but the
	// accounts connected for the old ones go along: say so.
	for _, tk := range next.List() {
		old, ok := prev.Get(tk.Slug)
		if !ok {
			continue
		}
		if changed := CredentialHostsChanged(old, tk); len(changed) > 0 {
			f, _ := next.File(tk.Slug)
			d.Logger.Warn("toolkit now sends credentials to other hosts; its connected accounts' credentials go there too",
				"file", f, "toolkit", tk.Slug, "fields", changed)
		}
	}
	d.Logger.Info("toolkits loaded", "dir", d.Path, "files", len(snap), "from_dir", len(next.List())-len(d.Base.List()),
		"toolkits", len(next.List()), "tools", len(next.Tools()))
	return ps, nil
}
