package openapi

import (
	"maps"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// The usual names of pagination parameters and answer fields, which the
// importer recognises (first match wins).
var (
	cursorParams = []string{"cursor", "page_token", "pageToken", "next_token", "nextToken", "starting_after", "after", "continuation_token", "continuationToken", "page_cursor"}
	cursorFields = []string{"next_cursor", "nextCursor", "next_page_token", "nextPageToken", "next_token", "nextToken", "cursor", "next"}
	sizeParams   = []string{"per_page", "page_size", "pageSize", "limit", "size", "count", "max_results", "maxResults"}
	itemFields   = []string{"items", "data", "results", "records", "entries", "values"}
)

// pagination is the pagination hint of a GET operation with the usual
// parameters, or nil: a cursor parameter whose next value the answer
// names (Slack's cursor and response_metadata.next_cursor); a page
// parameter with a Link header in the answer (GitHub); a page or offset
// parameter with an array of items in the answer. It needs the tool's
// arguments and their query parameters, and the answer's schema.
func pagination(o operation, in *inputs, out *node) *toolkits.Pagination {
	if o.method != "GET" {
		return nil
	}
	arg := func(names []string, types ...string) string {
		for _, name := range names {
			a := strings.TrimPrefix(in.query[name], "$")
			if p := in.props[a]; a != "" && p != nil && slices.Contains(types, p.Type) {
				return a
			}
		}
		return ""
	}
	size := arg(sizeParams, tInteger)
	if c := arg(cursorParams, tString, tInteger); c != "" {
		if next := findField(out, cursorFields, func(n *node) bool { return n.scalar() }); next != "" {
			return &toolkits.Pagination{Style: toolkits.PageCursor, Input: c, Size: size, Next: next}
		}
	}
	if page := arg([]string{"page"}, tInteger); page != "" {
		if linkHeader(o) {
			return &toolkits.Pagination{Style: toolkits.PageLinkHeader, Input: page, Size: size}
		}
		if items := findField(out, itemFields, func(n *node) bool { return n.Type == tArray }); items != "" {
			return &toolkits.Pagination{Style: toolkits.PageNumber, Input: page, Size: size, Items: items}
		}
	}
	if off := arg([]string{"offset", "start"}, tInteger); off != "" {
		if items := findField(out, itemFields, func(n *node) bool { return n.Type == tArray }); items != "" {
			return &toolkits.Pagination{Style: toolkits.PageOffset, Input: off, Size: size, Items: items}
		}
	}
	return nil
}

// findField returns the dotted path of the first property of out named in
// names (at the top level, or in an object property of it) that ok
// accepts, or "".
func findField(out *node, names []string, ok func(*node) bool) string {
	if out == nil {
		return ""
	}
	for _, name := range names {
		if n := out.Properties[name]; n != nil && ok(n) {
			return name
		}
	}
	for _, k := range slices.Sorted(maps.Keys(out.Properties)) {
		obj := out.Properties[k]
		if obj.Type != tObject {
			continue
		}
		for _, name := range names {
			if n := obj.Properties[name]; n != nil && ok(n) {
				return k + "." + name
			}
		}
	}
	return ""
}

// linkHeader reports whether the operation's success answer declares a
// Link header (RFC 8288), as GitHub's paginated operations do.
func linkHeader(o operation) bool {
	if o.op.Responses == nil {
		return false
	}
	for code, r := range o.op.Responses.Map() {
		if !strings.HasPrefix(code, "2") || r == nil || r.Value == nil {
			continue
		}
		for h := range r.Value.Headers {
			if strings.EqualFold(h, "Link") {
				return true
			}
		}
	}
	return false
}
