package toolkits

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// IdentitySource names the JSON document that an Identity's paths read.
type IdentitySource string

// Identity sources.
const (
	// FromEndpoint reads the answer of the identity request.
	FromEndpoint IdentitySource = "endpoint"
	// FromTokenResponse reads the OAuth token response (RFC 6749 §5.1),
	// for providers whose current-user endpoint doesn't name the person
	// who connected: Notion's returns the integration's bot.
	FromTokenResponse IdentitySource = "token_response"
)

// ErrIdentity reports an identity document without the values an Identity
// names.
var ErrIdentity = errors.New("toolkits: identity not found")

// Identity says how to name a connected account: which request to make with
// its credential, and which fields of the JSON answer give a display name
// and a stable id.
//
// A path is a dotted list of object keys, such as "data.viewer.email"; a
// path expression is one or more paths separated by "|", the first that
// holds a non-empty string or number winning.
type Identity struct {
	// URL and Method are the provider's current-user request; the api
	// package reports them as get_current_user_endpoint(_method).
	URL    string `json:"url"`
	Method string `json:"method"`
	// Body, when set, is sent as the JSON request body (a GraphQL query,
	// for Linear). Only POST requests have one.
	Body json.RawMessage `json:"body,omitempty"`
	// Source is the document the paths below read. FromTokenResponse
	// works only for toolkits whose every scheme is OAuth2.
	Source IdentitySource `json:"source"`
	// Display is the path expression of the account's display name, such
	// as an email address or a login.
	Display string `json:"display"`
	// Workspace, when set, is the path expression of the workspace or
	// organization the account belongs to; a value found is shown after
	// the display name as "name @ workspace".
	Workspace string `json:"workspace,omitempty"`
	// ID lists the path expressions whose values, joined with "/", make
	// the account's stable upstream id (workspace first, then user, where
	// there are two).
	ID []string `json:"id"`
	// RequiresAnyScope, when set, lists the OAuth scopes of which the
	// identity request needs at least one (Gmail's profile is refused to
	// a token that may only send). Validation checks the default scopes.
	RequiresAnyScope []string `json:"requires_any_scope,omitempty"`
}

// Extract reads the display name and the stable id from body, the JSON
// document that Source names. Errors name the missing paths and never
// quote body, which may hold tokens.
func (i Identity) Extract(body []byte) (display, id string, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keeps numeric ids, like GitHub's, exact
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return "", "", fmt.Errorf("%w: the response is not a JSON object", ErrIdentity)
	}
	display, ok := lookup(doc, i.Display)
	if !ok {
		return "", "", fmt.Errorf("%w: no display name at %s", ErrIdentity, i.Display)
	}
	if i.Workspace != "" {
		if ws, ok := lookup(doc, i.Workspace); ok && ws != display {
			display += " @ " + ws
		}
	}
	if len(i.ID) == 0 {
		return "", "", fmt.Errorf("%w: the identity has no id paths", ErrIdentity)
	}
	parts := make([]string, len(i.ID))
	for n, expr := range i.ID {
		v, ok := lookup(doc, expr)
		if !ok {
			return "", "", fmt.Errorf("%w: no id at %s", ErrIdentity, expr)
		}
		parts[n] = v
	}
	return display, strings.Join(parts, "/"), nil
}

// lookup evaluates a path expression on doc.
func lookup(doc map[string]any, expr string) (string, bool) {
	for path := range strings.SplitSeq(expr, "|") {
		var v any = doc
		for key := range strings.SplitSeq(path, ".") {
			obj, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v = obj[key]
		}
		switch v := v.(type) {
		case string:
			if v != "" {
				return v, true
			}
		case json.Number:
			return v.String(), true
		}
	}
	return "", false
}

// checkPathExpr reports what is wrong with a path expression, or "".
func checkPathExpr(expr string) string {
	if expr == "" {
		return "is empty"
	}
	for path := range strings.SplitSeq(expr, "|") {
		for key := range strings.SplitSeq(path, ".") {
			if key == "" || strings.TrimSpace(key) != key {
				return fmt.Sprintf("%q is not a dotted path of keys (empty or padded key)", path)
			}
		}
	}
	return ""
}
