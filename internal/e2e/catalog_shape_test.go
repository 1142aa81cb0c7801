package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

// TestCatalogShape runs every tool of the built-in catalog, under every
// auth scheme of its toolkit, against a fake provider on 127.0.0.1, and
// checks what arrived against what the tool's definition says, worked out
// here from the definition and the arguments alone: the method, the path
// with its placeholders filled and escaped, the query, the body (JSON,
// form or GraphQL), the toolkit's and the tool's headers, and the
// credential where the scheme puts it. The arguments are made from the
// input schema (every property, enums, formats, defaults, examples). Then
// a missing required argument, an argument of the wrong type and an enum
// value that isn't one are each refused with an error naming the argument,
// and no request reaches the fake. A toolkit file added under defs is
// covered as soon as it lands.
func TestCatalogShape(t *testing.T) {
	defs, err := toolkits.BuiltinDefinitions()
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, serverOptions{})
	fake := newShapeFake(t, defs)

	for _, d := range defs {
		t.Run(d.Slug, func(t *testing.T) {
			for i, scheme := range d.AuthSchemes {
				user := fmt.Sprintf("shape-%s-%d", d.Slug, i)
				sess, secret := shapeSession(t, s, fake, d, scheme, user)
				t.Run(string(scheme.Mode), func(t *testing.T) {
					for _, tool := range d.Tools {
						t.Run(tool.Slug, func(t *testing.T) {
							checkShape(t, s, fake, d, scheme, secret, sess, tool)
						})
					}
				})
			}
		})
	}
}

// shapeSession connects an account of user to d through scheme, with the
// fake as the provider's API (and, for OAuth2, its authorization server and
// identity endpoint), and returns a session of that user and the
// credential value the scheme must send.
func shapeSession(t *testing.T, s *server, fake *shapeFake, d toolkits.Definition, scheme toolkits.AuthScheme, user string) (string, string) {
	t.Helper()
	base := fake.URL + "/api/" + d.Slug
	if scheme.Mode != toolkits.ModeOAuth2 {
		creds := map[string]string{}
		for _, f := range scheme.Fields {
			creds[f.Name] = "cred-" + f.Name + "-" + d.Slug
		}
		sid := connectAs(t, s, user, d.Slug, string(scheme.Mode), base, creds)
		if scheme.Mode == toolkits.ModeBasic {
			return sid, creds["username"] + ":" + creds["password"]
		}
		return sid, creds[scheme.Apply.Field]
	}
	creds := map[string]any{
		"client_id": "shape-client", "client_secret": "shape-secret",
		"authorization_url": fake.URL + "/oauth/authorize",
		"token_url":         fake.URL + "/oauth/" + d.Slug + "/token",
		"base_url":          base,
	}
	if d.Identity != nil && d.Identity.Source == toolkits.FromEndpoint {
		creds["userinfo_url"] = fake.URL + "/identity/" + d.Slug
	}
	res, err := s.Client.AuthConfigs().Create(ctxT(t), d.Slug, wire.AuthConfigSpec{Type: "use_custom_auth", AuthScheme: "OAUTH2", Credentials: creds})
	if err != nil {
		t.Fatalf("create %s OAuth2 auth config: %v", d.Slug, err)
	}
	sess, err := s.Client.Create(ctxT(t), user, sdk.WithAuthConfigs(map[string]string{d.Slug: res.AuthConfig.ID}))
	if err != nil {
		t.Fatal(err)
	}
	connectDirect(t, sess, d.Slug)
	return sess.ID(), "at-" + d.Slug
}

// connectAs is connectWith for a given user.
func connectAs(t *testing.T, s *server, user, toolkit, scheme, baseURL string, creds map[string]string) string {
	t.Helper()
	status, b := call(t, s, testKey, "POST", "/api/v3.1/auth_configs",
		`{"toolkit":{"slug":"`+toolkit+`"},"auth_config":{"type":"use_custom_auth","authScheme":"`+scheme+`","credentials":{"base_url":"`+baseURL+`"}}}`)
	if status != 201 {
		t.Fatalf("create %s auth config: %d %s", toolkit, status, b)
	}
	var ac struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	json.Unmarshal([]byte(b), &ac)
	val, _ := json.Marshal(creds)
	status, b = call(t, s, testKey, "POST", "/api/v3.1/connected_accounts",
		`{"auth_config":{"id":"`+ac.AuthConfig.ID+`"},"connection":{"user_id":"`+user+`","state":{"authScheme":"`+scheme+`","val":`+string(val)+`}}}`)
	if status != 201 || !strings.Contains(b, `"status":"ACTIVE"`) {
		t.Fatalf("connect a %s account: %d %s", toolkit, status, b)
	}
	var ca struct{ ID string }
	json.Unmarshal([]byte(b), &ca)
	return newSession(t, s, `{"user_id":"`+user+`","connected_accounts":{"`+toolkit+`":"`+ca.ID+`"}}`)
}

var restRE = regexp.MustCompile(`\{([A-Za-z0-9_]+)\.\.\.\}`)

// checkShape runs one tool with good arguments, then with bad ones.
func checkShape(t *testing.T, s *server, fake *shapeFake, d toolkits.Definition, scheme toolkits.AuthScheme, secret, sess string, tool toolkits.ToolDefinition) {
	var in argSchema
	if err := json.Unmarshal(tool.Input, &in); err != nil {
		t.Fatal(err)
	}
	args := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(in.Properties)) {
		args[name] = in.Properties[name].example(name)
	}

	// A {path...} placeholder gets a path of two segments.
	for _, m := range restRE.FindAllStringSubmatch(tool.Request.Path, -1) {
		if p := in.Properties[m[1]]; p != nil && p.Default == nil && len(p.Enum) == 0 {
			args[m[1]] = "dir one/v " + m[1] + " é#1.txt"
		}
	}

	before := fake.count()
	r := sessionExec(t, s, sess, tool.Slug, string(mustJSON(t, args)), "")
	if r.err() != "" {
		t.Fatalf("execute with %s: %s", mustJSON(t, args), r.err())
	}
	if fake.count() != before+1 {
		t.Fatalf("the fake got %d requests, want 1", fake.count()-before)
	}
	got := fake.last()
	req := tool.Request

	if got.Method != req.Method {
		t.Errorf("method: got %s, want %s", got.Method, req.Method)
	}
	if want := "/api/" + d.Slug + expectPath(req.Path, args); got.Path != want {
		t.Errorf("path: got %s, want %s", got.Path, want)
	}

	// The credential, where the scheme puts it.
	query := got.Query
	switch {
	case scheme.Mode == toolkits.ModeBasic:
		if u, p, ok := got.basic(); !ok || u+":"+p != secret {
			t.Errorf("basic auth: got %q:%q (%v), want %q", u, p, ok, secret)
		}
	case scheme.Apply.Query != "":
		if v := query[scheme.Apply.Query]; len(v) != 1 || v[0] != secret {
			t.Errorf("query %s: got %q, want the credential", scheme.Apply.Query, v)
		}
		query = maps.Clone(query)
		delete(query, scheme.Apply.Query)
	default:
		if v := got.Header.Get(scheme.Apply.Header); v != scheme.Apply.Prefix+secret {
			t.Errorf("header %s: got %q, want %q", scheme.Apply.Header, v, scheme.Apply.Prefix+secret)
		}
	}
	for k, v := range d.Headers {
		if toolHasHeader(req.Headers, k) {
			continue // the tool's own header wins, as execute sends it
		}
		if got.Header.Get(k) != v {
			t.Errorf("toolkit header %s: got %q, want %q", k, got.Header.Get(k), v)
		}
	}
	for k, v := range req.Headers {
		if got.Header.Get(k) != literalValue(v) {
			t.Errorf("tool header %s: got %q, want %q", k, got.Header.Get(k), literalValue(v))
		}
	}

	wantQuery := expectParams(req.Query, req.Arrays, args, in, false)
	if len(query) == 0 {
		query = nil
	}
	if req.Encoder == "" || len(wantQuery) > 0 {
		if diff := cmp.Diff(wantQuery, query); diff != "" {
			t.Errorf("query (-want +got):\n%s", diff)
		}
	}

	ct := got.Header.Get("Content-Type")
	switch {
	case len(req.Body) > 0:
		var tmpl any
		json.Unmarshal(req.Body, &tmpl)
		want, _ := renderTemplate(tmpl, args)
		checkJSONBody(t, ct, got.Body, want)
	case len(req.Form) > 0:
		if !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			t.Errorf("content type: got %q, want a form", ct)
		}
		form, err := url.ParseQuery(string(got.Body))
		if err != nil {
			t.Fatalf("form body: %v", err)
		}
		if diff := cmp.Diff(expectParams(req.Form, req.Arrays, args, in, true), form); diff != "" {
			t.Errorf("form (-want +got):\n%s", diff)
		}
	case req.GraphQL != "":
		want := map[string]any{"query": strings.TrimSpace(req.GraphQL)}
		if len(req.Variables) > 0 {
			var tmpl any
			json.Unmarshal(req.Variables, &tmpl)
			if v, ok := renderTemplate(tmpl, args); ok {
				want["variables"] = v
			}
		}
		checkJSONBody(t, ct, got.Body, want)
	case req.Encoder != "":
		// An encoder's body is its own (an RFC 2822 message, an event with
		// a computed end); its tests check it. Here: a JSON object.
		var obj map[string]any
		if !strings.HasPrefix(ct, "application/json") || json.Unmarshal(got.Body, &obj) != nil || len(obj) == 0 {
			t.Errorf("encoder %s body: got %q (%s), want a JSON object", req.Encoder, got.Body, ct)
		}
	default:
		if len(got.Body) != 0 {
			t.Errorf("body: got %q, want none", got.Body)
		}
	}

	// Bad arguments: each is refused, naming the argument, and nothing is
	// sent.
	for _, bad := range badArgs(in, args) {
		before := fake.count()
		r := sessionExec(t, s, sess, tool.Slug, string(mustJSON(t, bad.args)), "")
		if r.err() == "" || !strings.Contains(r.err(), bad.field) {
			t.Errorf("%s: got error %q, want one naming %s", bad.what, r.err(), bad.field)
		}
		if n := fake.count() - before; n != 0 {
			t.Errorf("%s: the fake got %d requests, want none", bad.what, n)
		}
	}
}

func checkJSONBody(t *testing.T, ct string, body []byte, want any) {
	t.Helper()
	if !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type: got %q, want JSON", ct)
	}
	var gotBody any
	if err := json.Unmarshal(body, &gotBody); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	var wantBody any
	json.Unmarshal(mustJSON(t, want), &wantBody)
	if diff := cmp.Diff(wantBody, gotBody); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

type badCase struct {
	what, field string
	args        map[string]any
}

// badArgs returns good with one thing wrong: a required argument left out,
// an argument of the wrong type, an enum argument off its list.
func badArgs(in argSchema, good map[string]any) []badCase {
	var out []badCase
	names := slices.Sorted(maps.Keys(in.Properties))
	if len(in.Required) > 0 {
		name := in.Required[0]
		args := maps.Clone(good)
		delete(args, name)
		if in.Properties[name].Default == nil {
			out = append(out, badCase{"missing " + name, name, args})
		}
	}
	if len(names) > 0 {
		name := names[0]
		args := maps.Clone(good)
		if in.Properties[name].Type == "string" {
			args[name] = 12345
		} else {
			args[name] = "not a " + in.Properties[name].Type
		}
		out = append(out, badCase{"wrong type for " + name, name, args})
	}
	for _, name := range names {
		if len(in.Properties[name].Enum) > 0 {
			args := maps.Clone(good)
			args[name] = "surely-not-a-member"
			if in.Properties[name].Type != "string" {
				args[name] = 987654321
			}
			out = append(out, badCase{"enum " + name, name, args})
			break
		}
	}
	return out
}

// argSchema is the part of a tool's input schema that arguments are made
// from.
type argSchema struct {
	Type       string                `json:"type"`
	Properties map[string]*argSchema `json:"properties"`
	Required   []string              `json:"required"`
	Items      *argSchema            `json:"items"`
	Enum       []any                 `json:"enum"`
	Default    any                   `json:"default"`
	Examples   []any                 `json:"examples"`
	Format     string                `json:"format"`
	Minimum    *float64              `json:"minimum"`
	Maximum    *float64              `json:"maximum"`
	MinLength  *int                  `json:"minLength"`
	MaxLength  *int                  `json:"maxLength"`
	MinItems   *int                  `json:"minItems"`
	MaxItems   *int                  `json:"maxItems"`
}

// example makes a valid value of s for the argument named name. Strings
// hold a space, a "#" and a non-ASCII letter, so that escaping shows (a
// "/" in a segment is refused by egress, as it should be).
func (s *argSchema) example(name string) any {
	switch {
	case s.Default != nil:
		return s.Default
	case len(s.Examples) > 0:
		return s.Examples[0]
	case len(s.Enum) > 0:
		return s.Enum[len(s.Enum)-1]
	}
	lower := strings.ToLower(name)
	switch s.Type {
	case "string":
		v := "v " + name + " é#1"
		switch {
		case s.Format == "date-time" || strings.HasSuffix(lower, "datetime"):
			v = "2026-06-01T10:00:00Z"
		case s.Format == "date":
			v = "2026-06-01"
		case s.Format == "email" || strings.Contains(lower, "email") || slices.Contains([]string{"cc", "bcc", "attendees", "extra_recipients"}, lower):
			v = "ann@example.com"
		case s.Format == "uri" || s.Format == "url":
			v = "https://example.com/x"
		case lower == "timezone" || lower == "time_zone":
			v = "Europe/Berlin"
		}
		if s.MaxLength != nil && len([]rune(v)) > *s.MaxLength {
			v = string([]rune(v)[:*s.MaxLength])
		}
		for s.MinLength != nil && len([]rune(v)) < *s.MinLength {
			v += "x"
		}
		return v
	case "integer":
		n := 2.0
		if s.Minimum != nil && n < *s.Minimum {
			n = *s.Minimum
		}
		if s.Maximum != nil && n > *s.Maximum {
			n = *s.Maximum
		}
		return int64(n)
	case "number":
		n := 2.5
		if s.Minimum != nil && n < *s.Minimum {
			n = *s.Minimum
		}
		if s.Maximum != nil && n > *s.Maximum {
			n = *s.Maximum
		}
		return n
	case "boolean":
		return true
	case "array":
		// Two items, so that repeating or joining shows.
		n := 2
		if s.MaxItems != nil && *s.MaxItems < n {
			n = *s.MaxItems
		}
		if s.MinItems != nil && *s.MinItems > n {
			n = *s.MinItems
		}
		items := make([]any, n)
		for i := range items {
			if s.Items == nil {
				items[i] = fmt.Sprintf("item %d", i)
				continue
			}
			items[i] = s.Items.example(name)
			if str, ok := items[i].(string); ok && len(s.Items.Enum) == 0 && s.Items.Default == nil && len(s.Items.Examples) == 0 && !strings.Contains(str, "@") {
				// Tell the items apart, within the item's length limit.
				suffix := fmt.Sprintf(" %d", i)
				if s.Items.MaxLength != nil && len([]rune(str))+len(suffix) > *s.Items.MaxLength {
					str = string([]rune(str)[:max(*s.Items.MaxLength-len(suffix), 0)])
				}
				items[i] = str + suffix
			} else if i > 0 && len(s.Items.Enum) > 1 {
				items[i] = s.Items.Enum[0]
			}
		}
		return items
	case "object":
		obj := map[string]any{}
		for _, k := range slices.Sorted(maps.Keys(s.Properties)) {
			obj[k] = s.Properties[k].example(k)
		}
		if len(s.Properties) == 0 {
			obj["key"] = "value"
		}
		return obj
	}
	return nil
}

// expectPath fills a path template as the definition format says:
// {arg} path-escaped, {arg...} escaped segment by segment.
func expectPath(tmpl string, args map[string]any) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl, '}')
		b.WriteString(tmpl[:i])
		name := tmpl[i+1 : j]
		if rest, ok := strings.CutSuffix(name, "..."); ok {
			segs := strings.Split(strings.Trim(scalar(args[rest]), "/"), "/")
			for k, seg := range segs {
				segs[k] = url.PathEscape(seg)
			}
			b.WriteString(strings.Join(segs, "/"))
		} else {
			b.WriteString(url.PathEscape(scalar(args[name])))
		}
		tmpl = tmpl[j+1:]
	}
}

// expectParams builds query or form parameters as the format says:
// constants as they are, scalars as text, scalar arrays repeated or
// comma-joined, objects (and, in forms, other arrays) as JSON.
func expectParams(spec map[string]string, arrays string, args map[string]any, in argSchema, form bool) url.Values {
	out := url.Values{}
	for k, ref := range spec {
		name, isRef := strings.CutPrefix(ref, "$")
		if !isRef || strings.HasPrefix(ref, "$$") {
			out.Set(k, literalValue(ref))
			continue
		}
		v, ok := args[name]
		if !ok {
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			out.Set(k, string(compactJSON(v)))
		case []any:
			p := in.Properties[name]
			scalars := p.Items != nil && p.Items.Type != "object" && p.Items.Type != "array"
			if form && !scalars {
				out.Set(k, string(compactJSON(v)))
				continue
			}
			strs := make([]string, len(v))
			for i, e := range v {
				strs[i] = scalar(e)
			}
			if arrays == "comma" {
				out.Set(k, strings.Join(strs, ","))
			} else {
				out[k] = strs
			}
		default:
			out.Set(k, scalar(v))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// renderTemplate substitutes the arguments into a body template; every
// argument is given, so nothing is left out.
func renderTemplate(t any, args map[string]any) (any, bool) {
	switch t := t.(type) {
	case string:
		if name, ok := strings.CutPrefix(t, "$"); ok && !strings.HasPrefix(t, "$$") {
			v, ok := args[name]
			return v, ok
		}
		return literalValue(t), true
	case []any:
		out := []any{}
		for _, e := range t {
			if v, ok := renderTemplate(e, args); ok {
				out = append(out, v)
			}
		}
		return out, true
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			if v, ok := renderTemplate(e, args); ok {
				out[k] = v
			}
		}
		return out, true
	}
	return t, true
}

func literalValue(s string) string {
	if strings.HasPrefix(s, "$$") {
		return s[1:]
	}
	return s
}

func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	}
	return string(compactJSON(v))
}

func compactJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shapeCall is one request the fake provider API received.
type shapeCall struct {
	Method, Path string
	Query        url.Values
	Header       http.Header
	Body         []byte
}

func (c shapeCall) basic() (string, string, bool) {
	r := &http.Request{Header: c.Header}
	return r.BasicAuth()
}

// shapeFake plays every built-in provider: an authorization server that
// consents at once, a token endpoint answering in each toolkit's style, an
// identity endpoint with the fields each toolkit reads, and the API, which
// records each request and answers an empty success in every error
// convention ({"ok": true, "data": {}}).
type shapeFake struct {
	*httptest.Server
	mu    sync.Mutex
	calls []shapeCall
}

func newShapeFake(t *testing.T, defs []toolkits.Definition) *shapeFake {
	f := &shapeFake{}
	byslug := map[string]toolkits.Definition{}
	for _, d := range defs {
		byslug[d.Slug] = d
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		back, err := url.Parse(q.Get("redirect_uri"))
		if err != nil {
			http.Error(w, "bad redirect_uri", http.StatusBadRequest)
			return
		}
		v := back.Query()
		v.Set("code", "code-1")
		v.Set("state", q.Get("state"))
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /oauth/{toolkit}/token", func(w http.ResponseWriter, r *http.Request) {
		d := byslug[r.PathValue("toolkit")]
		tok := map[string]any{"access_token": "at-" + d.Slug, "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt-" + d.Slug}
		doc := map[string]any{}
		var o *toolkits.OAuth2Spec
		if s, ok := d.Scheme(toolkits.ModeOAuth2); ok {
			o = s.OAuth2
		}
		if o != nil && o.TokenResponsePath != "" {
			setPath(doc, o.TokenResponsePath, tok)
		} else {
			maps.Copy(doc, tok)
		}
		if d.Identity != nil && d.Identity.Source == toolkits.FromTokenResponse {
			fillIdentity(doc, *d.Identity)
		}
		doc["ok"] = true
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
	})
	mux.HandleFunc("/identity/{toolkit}", func(w http.ResponseWriter, r *http.Request) {
		d := byslug[r.PathValue("toolkit")]
		doc := map[string]any{"ok": true}
		fillIdentity(doc, *d.Identity)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
	})
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.calls = append(f.calls, shapeCall{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Header: r.Header.Clone(), Body: b})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true,"data":{}}`))
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *shapeFake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *shapeFake) last() shapeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

// fillIdentity sets the first path of each of id's path expressions in doc.
func fillIdentity(doc map[string]any, id toolkits.Identity) {
	exprs := append([]string{id.Display}, id.ID...)
	for i, expr := range exprs {
		path, _, _ := strings.Cut(expr, "|")
		setPath(doc, path, fmt.Sprintf("ident-%d", i))
	}
}

// setPath sets the dotted path in doc to v, making objects on the way.
func setPath(doc map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := doc[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			doc[k] = next
		}
		doc = next
	}
	doc[keys[len(keys)-1]] = v
}

// toolHasHeader reports whether a tool sets header name itself, overriding
// the toolkit's constant (Notion's tools name the API version they need).
func toolHasHeader[V any](h map[string]V, name string) bool {
	for k := range h {
		if http.CanonicalHeaderKey(k) == http.CanonicalHeaderKey(name) {
			return true
		}
	}
	return false
}
