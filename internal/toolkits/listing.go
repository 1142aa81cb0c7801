package toolkits

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ListingPath is where the repository keeps the catalog's listing, which
// Listing writes and a test keeps in step with the built-in files.
const ListingPath = "docs/toolkits.md"

// Method returns the HTTP method of the tool's upstream request.
func (t Tool) Method() string {
	if t.def == nil {
		return ""
	}
	return t.def.method
}

// PathTemplate returns the path of the tool's upstream request as its
// definition writes it, placeholders and all: "/repos/{owner}/{repo}".
func (t Tool) PathTemplate() string {
	if t.def == nil {
		return ""
	}
	var b strings.Builder
	for _, p := range t.def.path {
		switch {
		case p.arg == "":
			b.WriteString(p.literal)
		case p.rest:
			b.WriteString("{" + p.arg + "...}")
		default:
			b.WriteString("{" + p.arg + "}")
		}
	}
	return b.String()
}

// Listing renders c as the Markdown page docs/toolkits.md: a table of the
// toolkits (auth schemes, identity probe, tool count), then a section per
// toolkit listing its tools with their upstream call and scopes. It is
// generated, never edited: `switchboard toolkits docs` rewrites it.
func (c *Catalog) Listing() []byte {
	var b bytes.Buffer
	tks := c.List()
	total := 0
	for _, tk := range tks {
		total += tk.ToolsCount
	}
	fmt.Fprintf(&b, "# Built-in toolkits\n\n")
	fmt.Fprintf(&b, "<!-- Generated from internal/toolkits/defs by `switchboard toolkits docs`; do not edit. A test fails when this file and the definitions differ. -->\n\n")
	fmt.Fprintf(&b, "%d toolkits, %d tools. Each toolkit is a file in the [toolkit format](toolkit-format.md) under `internal/toolkits/defs/`; where each came from is in [toolkit-sources.md](toolkit-sources.md).\n\n", len(tks), total)
	b.WriteString("| toolkit | auth schemes | identity probe | tools |\n| --- | --- | --- | --- |\n")
	for _, tk := range tks {
		fmt.Fprintf(&b, "| [%s](#%s) (`%s`) | %s | %s | %d |\n", cell(tk.Name), tk.Slug, tk.Slug, cell(schemesText(tk)), cell(identityText(tk)), tk.ToolsCount)
	}
	for _, tk := range tks {
		fmt.Fprintf(&b, "\n## %s\n\n", tk.Slug)
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(tk.Description))
		fmt.Fprintf(&b, "- name: %s\n- base URL: `%s`\n", tk.Name, tk.BaseURL)
		for _, s := range tk.AuthSchemes {
			fmt.Fprintf(&b, "- auth: %s\n", schemeDetail(s))
		}
		fmt.Fprintf(&b, "- identity: %s\n", identityText(tk))
		if len(tk.Headers) > 0 {
			fmt.Fprintf(&b, "- headers: %s\n", headersText(tk.Headers))
		}
		fmt.Fprintf(&b, "\n| tool | call | scopes | hints |\n| --- | --- | --- | --- |\n")
		for _, t := range c.Tools(tk.Slug) {
			scopes := "—"
			if len(t.Scopes) > 0 {
				scopes = "`" + strings.Join(t.Scopes, "` `") + "`"
			}
			hints := strings.Join(t.Tags, ", ")
			fmt.Fprintf(&b, "| `%s` | `%s %s` | %s | %s |\n", t.Slug, t.Method(), t.PathTemplate(), scopes, hints)
		}
	}
	return b.Bytes()
}

func schemesText(tk Toolkit) string {
	modes := make([]string, len(tk.AuthSchemes))
	for i, s := range tk.AuthSchemes {
		modes[i] = string(s.Mode)
	}
	return strings.Join(modes, ", ")
}

func schemeDetail(s AuthScheme) string {
	var where string
	switch {
	case s.Mode == ModeBasic:
		where = "HTTP Basic `Authorization` (RFC 7617)"
	case s.Apply.Query != "":
		where = fmt.Sprintf("query parameter `%s`", s.Apply.Query)
	default:
		where = fmt.Sprintf("header `%s: %s<%s>`", s.Apply.Header, s.Apply.Prefix, s.Apply.Field)
	}
	out := fmt.Sprintf("`%s`, %s", s.Mode, where)
	if o := s.OAuth2; o != nil {
		out += fmt.Sprintf("; authorize `%s`, token `%s`", o.AuthorizationURL, o.TokenURL)
		if len(o.DefaultScopes) > 0 {
			out += "; default scopes `" + strings.Join(o.DefaultScopes, "` `") + "`"
		}
	}
	return out
}

func identityText(tk Toolkit) string {
	id := tk.Identity
	if id == nil {
		return "none"
	}
	if id.Source == FromTokenResponse {
		return fmt.Sprintf("the token response's `%s`", id.Display)
	}
	return fmt.Sprintf("`%s %s` → `%s`", id.Method, id.URL, id.Display)
}

func headersText(h map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		parts = append(parts, fmt.Sprintf("`%s: %s`", k, h[k]))
	}
	return strings.Join(parts, ", ")
}

// cell escapes the characters that would end a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
