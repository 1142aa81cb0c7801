package toolkits

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Pagination is a tool's pagination hint: how its results come in pages
// and which argument asks for the next one. Switchboard acts on it twice:
// the tool's description, as agents read it everywhere, ends with a
// sentence saying how to page; and after a call, NextPage works out the
// arguments of the next page from the answer, which MCP and the meta
// tools return as next_page.
type Pagination struct {
	// Style is how the API pages: PageCursor, PageNumber, PageOffset or
	// PageLinkHeader.
	Style PageStyle `json:"style"`
	// Input is the argument that carries the cursor, page number or
	// offset of the page to get.
	Input string `json:"input"`
	// Size, when set, is the argument that carries the page size.
	Size string `json:"size,omitempty"`
	// Next is the dotted path, in the result data, of the next page's
	// cursor (PageCursor, required) or page number (PageNumber, optional);
	// an absent, empty or null value means there is no next page.
	Next string `json:"next,omitempty"`
	// Items is the dotted path of the page's array of items. With
	// PageOffset (required) the next offset is the current one plus the
	// items' count; with PageNumber without Next (required then), the next
	// page is the current one plus one. An empty array, or fewer items
	// than the page size asked for, means there is no next page.
	Items string `json:"items,omitempty"`
}

// PageStyle is a style of pagination.
type PageStyle string

// The pagination styles.
const (
	// PageCursor: each answer holds an opaque cursor for the next page.
	PageCursor PageStyle = "cursor"
	// PageNumber: pages are numbered from 1 (or the argument's default).
	PageNumber PageStyle = "page"
	// PageOffset: the argument is the index of the first item, from 0.
	PageOffset PageStyle = "offset"
	// PageLinkHeader: the answer's Link header (RFC 8288) has a rel="next"
	// URL, whose query parameter that the request maps Input to holds the
	// next value (GitHub's page).
	PageLinkHeader PageStyle = "link_header"
)

// checkPagination validates a tool's pagination hint against its input
// schema and request mapping.
func checkPagination(p *problems, at string, pg Pagination, input *schema, req RequestMapping) {
	arg := func(field, name string, types ...string) {
		prop, ok := input.Properties[name]
		switch {
		case name == "":
			p.add(field, "must name an argument")
		case !ok:
			p.add(field, "names %q, which is not an argument of the tool's input schema", name)
		case !slices.Contains(types, prop.Type):
			p.add(field, "names %q, of type %s; it must be %s", name, prop.Type, strings.Join(types, " or "))
		}
	}
	path := func(field, v string, need bool) {
		switch {
		case v == "" && need:
			p.add(field, "is required for style %s", pg.Style)
		case v == "":
		case strings.Contains(v, "|"):
			p.add(field, "must be one dotted path, got %q", v)
		default:
			if msg := checkPathExpr(v); msg != "" {
				p.add(field, "%s", msg)
			}
		}
	}
	notFor := func(field, v string) {
		if v != "" {
			p.add(field, "is not used by style %s", pg.Style)
		}
	}
	switch pg.Style {
	case PageCursor:
		arg(at+".input", pg.Input, typeString, typeInteger)
		path(at+".next", pg.Next, true)
		notFor(at+".items", pg.Items)
	case PageNumber:
		arg(at+".input", pg.Input, typeInteger)
		path(at+".next", pg.Next, false)
		path(at+".items", pg.Items, pg.Next == "")
		if pg.Next != "" {
			notFor(at+".items", pg.Items)
		}
	case PageOffset:
		arg(at+".input", pg.Input, typeInteger)
		notFor(at+".next", pg.Next)
		path(at+".items", pg.Items, true)
	case PageLinkHeader:
		arg(at+".input", pg.Input, typeString, typeInteger)
		notFor(at+".next", pg.Next)
		notFor(at+".items", pg.Items)
		if pg.Input != "" && queryParamOf(req, pg.Input) == "" {
			p.add(at+".input", "must be an argument the request sends as a query parameter, whose value the Link header's next URL carries; %q is not", pg.Input)
		}
	default:
		p.add(at+".style", `must be "cursor", "page", "offset" or "link_header", got %q`, pg.Style)
		return
	}
	if pg.Size != "" {
		arg(at+".size", pg.Size, typeInteger)
		if pg.Size == pg.Input {
			p.add(at+".size", "must be another argument than input")
		}
	}
}

// queryParamOf is the query parameter a request mapping sends an argument
// as, or "".
func queryParamOf(req RequestMapping, arg string) string {
	for k, v := range req.Query {
		if v == "$"+arg {
			return k
		}
	}
	return ""
}

// hint is the sentence the description of a paginated tool ends with.
func (pg Pagination) hint() string {
	var b strings.Builder
	b.WriteString("Results come in pages")
	if pg.Size != "" {
		fmt.Fprintf(&b, " (%s sets the page size)", pg.Size)
	}
	switch pg.Style {
	case PageCursor:
		fmt.Fprintf(&b, "; for the next page call again with %s set to the cursor at %s of the result (none means this is the last page).", pg.Input, pg.Next)
	case PageNumber:
		fmt.Fprintf(&b, "; %s is the page number; for the next page call again with the next number", pg.Input)
		if pg.Next != "" {
			fmt.Fprintf(&b, ", which the result gives at %s (none means this is the last page).", pg.Next)
		} else {
			fmt.Fprintf(&b, " (an empty %s means this was the last page).", pg.Items)
		}
	case PageOffset:
		fmt.Fprintf(&b, "; %s is the index of the first item; for the next page add the number of items in %s to it (an empty %s means this was the last page).", pg.Input, pg.Items, pg.Items)
	case PageLinkHeader:
		fmt.Fprintf(&b, "; for the next page call again with %s set to the next value (none means this is the last page).", pg.Input)
	}
	b.WriteString(" Switchboard's MCP tools and meta tools give the next page's arguments as next_page.")
	return b.String()
}

// NextPage returns the arguments to add to a call of t, made with args,
// to get the page after the one in its answer (header and the result
// data); false when t has no pagination hint or the answer was the last
// page.
func (t Tool) NextPage(args map[string]any, header http.Header, data json.RawMessage) (map[string]any, bool) {
	if t.def == nil || t.def.pagination == nil {
		return nil, false
	}
	pg := *t.def.pagination
	var doc map[string]any
	if pg.Style != PageLinkHeader {
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		if dec.Decode(&doc) != nil {
			return nil, false
		}
	}
	switch pg.Style {
	case PageCursor:
		v, ok := lookup(doc, pg.Next)
		if !ok {
			return nil, false
		}
		return t.argument(pg.Input, v)
	case PageNumber:
		if pg.Next != "" {
			v, ok := lookup(doc, pg.Next)
			n, err := strconv.ParseFloat(v, 64)
			if !ok || err != nil || n != math.Trunc(n) {
				return nil, false
			}
			return map[string]any{pg.Input: int64(n)}, true
		}
		count, ok := t.pageItems(pg, args, doc)
		if !ok || count == 0 {
			return nil, false
		}
		return map[string]any{pg.Input: t.current(pg.Input, args, 1) + 1}, true
	case PageOffset:
		count, ok := t.pageItems(pg, args, doc)
		if !ok || count == 0 {
			return nil, false
		}
		return map[string]any{pg.Input: t.current(pg.Input, args, 0) + int64(count)}, true
	case PageLinkHeader:
		next := linkNext(header)
		if next == nil {
			return nil, false
		}
		v := next.Query().Get(t.def.pageParam)
		if v == "" {
			return nil, false
		}
		return t.argument(pg.Input, v)
	}
	return nil, false
}

// argument is the next page's arguments, {name: v}, v as the argument's
// type: an integer argument's value must be one.
func (t Tool) argument(name, v string) (map[string]any, bool) {
	if prop := t.def.input.Properties[name]; prop != nil && prop.Type == typeInteger {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, false
		}
		return map[string]any{name: n}, true
	}
	return map[string]any{name: v}, true
}

// pageItems counts the items of a page; false when the answer has no
// array at Items, or fewer items than the page size the call asked for,
// both of which mean there is no next page.
func (t Tool) pageItems(pg Pagination, args map[string]any, doc map[string]any) (int, bool) {
	var v any = doc
	for key := range strings.SplitSeq(pg.Items, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return 0, false
		}
		v = obj[key]
	}
	items, ok := v.([]any)
	if !ok {
		return 0, false
	}
	if pg.Size != "" {
		if size := t.current(pg.Size, args, 0); size > 0 && int64(len(items)) < size {
			return 0, false
		}
	}
	return len(items), true
}

// current is the integer value of argument name in args, else its
// schema default, else def.
func (t Tool) current(name string, args map[string]any, def int64) int64 {
	v, ok := args[name]
	if !ok || v == nil {
		if prop := t.def.input.Properties[name]; prop != nil && prop.Default != nil {
			v = prop.Default
		}
	}
	switch n := v.(type) {
	case float64:
		return int64(n)
	case int:
		return int64(n)
	case int64:
		return n
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i
		}
	}
	return def
}

// linkNext returns the target of the rel="next" link of a Link header
// (RFC 8288 §3), or nil.
func linkNext(h http.Header) *url.URL {
	for _, line := range h.Values("Link") {
		for link := range strings.SplitSeq(line, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(link), ";")
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for param := range strings.SplitSeq(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(param), "=")
				if !strings.EqualFold(k, "rel") {
					continue
				}
				for rel := range strings.FieldsSeq(strings.Trim(v, `"`)) {
					if strings.EqualFold(rel, "next") {
						u, err := url.Parse(target[1 : len(target)-1])
						if err == nil {
							return u
						}
					}
				}
			}
		}
	}
	return nil
}
