package sessions

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// ToolFilters are a session's tools and tags options, parsed. The raw
// options stay in Config.Passthrough, as the request gave them, and are
// echoed from there; these are what the session enforces.
//
// The rule (Session.ToolAllowed): a tool of an enabled toolkit is allowed
// unless one of the options refuses it. They all apply together:
//   - tools.<toolkit>.enable lists the only tools of that toolkit allowed;
//   - tools.<toolkit>.disable lists tools of that toolkit refused;
//   - tags (tools.<toolkit>.tags for that toolkit, the top-level tags for
//     the others): enable keeps the tools carrying at least one of the
//     tags, disable refuses the tools carrying any of them.
type ToolFilters struct {
	Tools map[string]ToolFilter
	Tags  TagFilter
	// invalid is set when stored options do not parse (a session stored
	// before they were checked): every tool is then refused.
	invalid error
}

// ToolFilter is one toolkit's entry of the tools option.
type ToolFilter struct {
	Enabled  []string
	Disabled []string
	// Tags, when set, replace the top-level tags for this toolkit.
	Tags *TagFilter
}

// TagFilter is an enable or disable list of tool tags.
type TagFilter struct {
	Enabled  []string
	Disabled []string
}

func (f TagFilter) empty() bool { return len(f.Enabled) == 0 && len(f.Disabled) == 0 }

// ParseToolFilters parses the raw tools and tags options of a session
// request (either may be empty or null) against the catalog. The forms
// are Composio's: tools is {toolkit: [slugs]} or {toolkit: {enable|disable:
// [slugs], tags: …}}; tags is [tags] or {enable: [tags], disable: [tags]}.
// The response spellings enabled and disabled are taken too, so a
// configuration read back can be sent again.
func ParseToolFilters(cat *toolkits.Catalog, tools, tags json.RawMessage) (ToolFilters, error) {
	var f ToolFilters
	if !isNull(tags) {
		t, err := parseTags(tags, "tags")
		if err != nil {
			return f, err
		}
		f.Tags = t
	}
	if isNull(tools) {
		return f, nil
	}
	var byToolkit map[string]json.RawMessage
	if err := json.Unmarshal(tools, &byToolkit); err != nil {
		return f, badFilter("tools", `tools must be an object keyed by toolkit, e.g. {"gmail":{"enable":["GMAIL_SEND_EMAIL"]}}`)
	}
	f.Tools = map[string]ToolFilter{}
	for _, slug := range sortedKeys(byToolkit) {
		raw := byToolkit[slug]
		field := "tools." + slug
		tk, ok := cat.Get(slug)
		if !ok {
			return f, problem.Invalidf("toolkit_not_found", field, "unknown toolkit %q in tools", slug).
				WithFix("List the toolkits with GET /api/v3.1/toolkits")
		}
		if isNull(raw) {
			continue
		}
		var tf ToolFilter
		var list []string
		if json.Unmarshal(raw, &list) == nil {
			tf.Enabled = list
		} else {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(raw, &obj); err != nil {
				return f, badFilter(field, "tools.%s must be a list of tool slugs or an object with enable, disable or tags", slug)
			}
			for _, k := range sortedKeys(obj) {
				v := obj[k]
				var err error
				switch k {
				case "enable", "enabled":
					err = stringList(v, field+"."+k, &tf.Enabled)
				case "disable", "disabled":
					err = stringList(v, field+"."+k, &tf.Disabled)
				case "tags":
					if !isNull(v) {
						var t TagFilter
						t, err = parseTags(v, field+".tags")
						tf.Tags = &t
					}
				default:
					err = badFilter(field+"."+k, "tools.%s has an unknown option %q; the options are enable, disable and tags", slug, k)
				}
				if err != nil {
					return f, err
				}
			}
		}
		if len(tf.Enabled) > 0 && len(tf.Disabled) > 0 {
			return f, badFilter(field, "tools.%s sets both enable and disable; use one", slug)
		}
		for _, list := range []*[]string{&tf.Enabled, &tf.Disabled} {
			for i, s := range *list {
				t, ok := cat.Tool(s)
				if !ok {
					t, ok = cat.Tool(strings.ToUpper(s))
				}
				if !ok || t.Toolkit != tk.Slug {
					return f, badFilter(field, "tools.%s names %q, which is not a tool of %s", slug, s, tk.Slug).
						WithFix("List the toolkit's tools with GET /api/v3.1/tools?toolkit_slug=%s", tk.Slug)
				}
				(*list)[i] = t.Slug
			}
		}
		f.Tools[tk.Slug] = tf
	}
	return f, nil
}

var knownTags = []string{toolkits.TagReadOnly, toolkits.TagDestructive, toolkits.TagIdempotent, toolkits.TagOpenWorld}

func parseTags(raw json.RawMessage, field string) (TagFilter, error) {
	var t TagFilter
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		t.Enabled = list
	} else {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return t, badFilter(field, "%s must be a list of tags or an object with enable or disable", field)
		}
		for _, k := range sortedKeys(obj) {
			var err error
			switch k {
			case "enable", "enabled":
				err = stringList(obj[k], field+"."+k, &t.Enabled)
			case "disable", "disabled":
				err = stringList(obj[k], field+"."+k, &t.Disabled)
			default:
				err = badFilter(field+"."+k, "%s has an unknown option %q; the options are enable and disable", field, k)
			}
			if err != nil {
				return t, err
			}
		}
	}
	for _, tag := range append(slices.Clone(t.Enabled), t.Disabled...) {
		if !slices.Contains(knownTags, tag) {
			return t, badFilter(field, "%s names the unknown tag %q; the tags are %s", field, tag, strings.Join(knownTags, ", "))
		}
	}
	return t, nil
}

func stringList(raw json.RawMessage, field string, out *[]string) error {
	if isNull(raw) {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return badFilter(field, "%s must be a list of strings", field)
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func badFilter(field, format string, args ...any) *problem.Error {
	return problem.Invalidf("invalid_tool_filter", field, format, args...)
}

// toolNotAllowed is the error of a tool a session's options refuse.
func toolNotAllowed(format string, args ...any) *problem.Error {
	return &problem.Error{Kind: problem.Forbidden, Code: CodeToolNotAllowed, Message: fmt.Sprintf(format, args...)}
}

// CodeToolNotAllowed is the error code of a tool that a session's tools
// or tags options, or an auth config's tool access, refuse.
const CodeToolNotAllowed = authconfigs.CodeToolNotAllowed

// ToolAllowed returns why the session's tools and tags options refuse t,
// or nil when they allow it. Whether t's toolkit is enabled at all is
// Config.Toolkits.Allows.
func (s Session) ToolAllowed(t toolkits.Tool) error {
	f := s.Config.Filters
	fix := func(e *problem.Error) *problem.Error {
		return e.WithFix("Change the session's tools or tags with PATCH /api/v3.1/tool_router/session/%s", s.ID)
	}
	if f.invalid != nil {
		return fix(toolNotAllowed("tool %s is not allowed in session %s: the session's tools or tags option is invalid (%v)", t.Slug, s.ID, f.invalid))
	}
	tf := f.Tools[t.Toolkit]
	if len(tf.Enabled) > 0 && !slices.Contains(tf.Enabled, t.Slug) {
		return fix(toolNotAllowed("tool %s is not allowed in session %s: its tools option enables only %s for %s",
			t.Slug, s.ID, strings.Join(tf.Enabled, ", "), t.Toolkit))
	}
	if slices.Contains(tf.Disabled, t.Slug) {
		return fix(toolNotAllowed("tool %s is not allowed in session %s: its tools option disables it", t.Slug, s.ID))
	}
	tags, where := f.Tags, "tags option"
	if tf.Tags != nil {
		tags, where = *tf.Tags, "tools option's tags for "+t.Toolkit
	}
	if len(tags.Enabled) > 0 && !slices.ContainsFunc(tags.Enabled, func(tag string) bool { return slices.Contains(t.Tags, tag) }) {
		return fix(toolNotAllowed("tool %s is not allowed in session %s: its %s enables only tools tagged %s",
			t.Slug, s.ID, where, strings.Join(tags.Enabled, " or ")))
	}
	for _, tag := range tags.Disabled {
		if slices.Contains(t.Tags, tag) {
			return fix(toolNotAllowed("tool %s is not allowed in session %s: it is tagged %s, which its %s disables", t.Slug, s.ID, tag, where))
		}
	}
	return nil
}

// RestrictsToolkit reports whether the session's tools or tags options
// limit the tools of a toolkit. A raw proxied request to that toolkit
// would get around them, so it is refused.
func (s Session) RestrictsToolkit(toolkit string) bool {
	f := s.Config.Filters
	tf := f.Tools[toolkit]
	return f.invalid != nil || len(tf.Enabled) > 0 || len(tf.Disabled) > 0 ||
		(tf.Tags != nil && !tf.Tags.empty()) || (tf.Tags == nil && !f.Tags.empty())
}

// Exposes reports whether the session offers t at all: its toolkit is
// enabled and its tools and tags options allow it.
func (s Session) Exposes(t toolkits.Tool) bool {
	return s.Config.Toolkits.Allows(t.Toolkit) && s.ToolAllowed(t) == nil
}

// Access decides which tools a session offers and runs at one moment: its
// tools and tags options (Session.ToolAllowed) and the tool access of the
// auth config it uses for each toolkit (authconfigs.ToolAllowed). That
// auth config is the one of the account the session uses for the toolkit,
// or else the one a new connection would use. Listing, search and schemas
// use Access; execute checks the auth config of the account it runs with.
type Access struct {
	Session Session
	// configs is the auth config used per toolkit, only for toolkits whose
	// auth config restricts its tools.
	configs map[string]store.AuthConfig
}

// Access resolves the rule of a session.
func (s *Service) Access(ctx context.Context, sess Session) (Access, error) {
	acc := Access{Session: sess}
	var all []store.AuthConfig // newest first
	for cursor := ""; ; {
		page, err := s.Store.ListAuthConfigs(ctx, sess.ProjectID, store.AuthConfigFilter{IncludeDisabled: true, Cursor: cursor, Limit: 1000})
		if err != nil {
			return acc, fmt.Errorf("list auth configs: %w", err)
		}
		all = append(all, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	byID := map[string]store.AuthConfig{}
	restricted := false
	for _, c := range all {
		byID[c.ID] = c
		restricted = restricted || len(c.ToolsForExecution) > 0
	}
	if !restricted {
		return acc, nil
	}
	acc.configs = map[string]store.AuthConfig{}
	for _, tk := range s.Catalog.For(ctx, sess.ProjectID).List() {
		if !sess.Config.Toolkits.Allows(tk.Slug) {
			continue
		}
		id := sess.Config.AuthConfigs[tk.Slug]
		a, err := s.AccountFor(ctx, sess, tk.Slug)
		if err != nil {
			return acc, err
		}
		if a != nil && a.AuthConfigID != "" {
			id = a.AuthConfigID
		}
		c, ok := byID[id]
		if !ok && id == "" {
			// What a new connection would use: the newest enabled one
			// (the list is newest first).
			for _, cand := range all {
				if cand.ToolkitSlug == tk.Slug && cand.Status == store.AuthConfigEnabled {
					c, ok = cand, true
					break
				}
			}
		}
		if ok && len(c.ToolsForExecution) > 0 {
			acc.configs[tk.Slug] = c
		}
	}
	return acc, nil
}

// Check returns why the session refuses t, or nil. Whether t's toolkit is
// enabled at all is Config.Toolkits.Allows.
func (a Access) Check(t toolkits.Tool) error {
	if err := a.Session.ToolAllowed(t); err != nil {
		return err
	}
	if c, ok := a.configs[t.Toolkit]; ok {
		return authconfigs.ToolAllowed(c, t)
	}
	return nil
}

// Exposes reports whether the session offers t: its toolkit is enabled
// and Check allows it.
func (a Access) Exposes(t toolkits.Tool) bool {
	return a.Session.Config.Toolkits.Allows(t.Toolkit) && a.Check(t) == nil
}
