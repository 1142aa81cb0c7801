package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// Options select the operations to import and override what the document
// says about the toolkit. The zero value imports every operation.
type Options struct {
	// Tags, OperationIDs and Paths select operations. An operation is
	// imported if it matches every kind of selector given: one of Tags
	// (any of its tags), one of OperationIDs (exactly), and one of Paths,
	// globs over the document's path templates in which "*" matches any
	// run of characters, "/" included, and "?" one character
	// ("/repos/*/issues*"). A selector that matches no operation is an
	// error, so that a misspelling is not silently an empty toolkit.
	Tags         []string
	OperationIDs []string
	Paths        []string

	// Slug is the toolkit's slug; by default the document's title in
	// lower snake case ("GitHub v3 REST API" is github_v3_rest_api).
	Slug string
	// Name and Description default to the document's title and the first
	// paragraph of its description.
	Name        string
	Description string
	// Prefix starts every tool slug; by default the slug in upper case
	// and "_". The catalog requires it to start so.
	Prefix string
	// Version is the tool definitions' version, like "20260601_00"; by
	// default today's date (from Now) and "_00".
	Version string
	Now     func() time.Time
	// Logo is the toolkit's https logo URL; by default the document's
	// x-logo, else the base URL's origin with /favicon.ico (a guess, which
	// the report says).
	Logo string
	// Categories default to the document's x-apisguru-categories, else
	// one category "api".
	Categories []toolkits.Category
	// BaseURL overrides the server URL; ServerVariables override the
	// defaults of the chosen server's variables.
	BaseURL         string
	ServerVariables map[string]string
	// Errors is the provider's error convention, "http" by default; Slack
	// needs "slack" (HTTP 200 with ok:false), which no document says.
	Errors string
	// AuthSchemes, when set, replace the schemes mapped from the
	// document's securitySchemes, for a document that declares none
	// usable (GitHub's declares none at all).
	AuthSchemes []toolkits.AuthScheme
	// Progress, when set, hears how the import goes, step by step (see
	// Progress); a ProgressWriter's Report prints it for a long import.
	// It is called on the importing goroutine.
	Progress func(Progress)
}

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9_]*$`)
	toolSlugRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	versionRE  = regexp.MustCompile(`^[0-9]{8}_[0-9]{2}$`)
	categoryRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

// methods are the operation methods in the order tools are listed.
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"}

// Import turns an OpenAPI 3.0 or 3.1 document, or a Swagger 2.0 one, in
// JSON or YAML, into a toolkit file. The report lists the imported tools,
// the selected operations that were skipped and why, and every
// simplification. The file has passed Check; an error means no valid
// toolkit could be made (the report, when not nil, says what was found).
func Import(data []byte, opts Options) (*File, *Report, error) {
	start := time.Now()
	report(opts.Progress, Progress{Stage: StageParse, Bytes: len(data)})
	doc, err := Load(data)
	if err != nil {
		return nil, nil, err
	}
	report(opts.Progress, Progress{Stage: StageParse, Finished: true, Bytes: len(data), Elapsed: time.Since(start)})
	return FromDocument(doc, opts)
}

// Load parses an OpenAPI 3.x or Swagger 2.0 document, resolving its
// internal $refs; Swagger 2.0 is converted to OpenAPI 3.0. External refs
// are refused: an import reads one file and nothing else.
func Load(data []byte) (*openapi3.T, error) {
	v2, isJSON, err := sniff(data)
	if err != nil {
		return nil, err
	}
	if v2 {
		var tree any
		if isJSON {
			err = json.Unmarshal(data, &tree)
		} else {
			err = yaml.Unmarshal(data, &tree)
		}
		if err != nil {
			return nil, fmt.Errorf("openapi: parse Swagger 2.0 document: %w", err)
		}
		repairTupleItems(tree, "")
		if data, err = json.Marshal(tree); err != nil {
			return nil, fmt.Errorf("openapi: parse Swagger 2.0 document: %w", err)
		}
		var d2 openapi2.T
		if err := json.Unmarshal(data, &d2); err != nil {
			return nil, fmt.Errorf("openapi: parse Swagger 2.0 document: %w", err)
		}
		doc, err := openapi2conv.ToV3(&d2)
		if err != nil {
			return nil, fmt.Errorf("openapi: convert Swagger 2.0 to OpenAPI 3: %w", err)
		}
		return doc, nil
	}
	if data, err = inlineDeepRefs(data, isJSON); err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("openapi: load document: %w", err)
	}
	return doc, nil
}

// repairTupleItems replaces every tuple-style "items" (a JSON Schema
// draft 4 array of schemas, which Swagger 2.0 does not allow but Slack's
// document uses) with its first alternative that is not {"type": "null"},
// so that the document parses. Examples and extensions are data and are
// left alone.
func repairTupleItems(v any, key string) {
	if key == "example" || key == "examples" || strings.HasPrefix(key, "x-") {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		if list, ok := v["items"].([]any); ok {
			var pick any = map[string]any{}
			for _, e := range list {
				if m, ok := e.(map[string]any); ok && m["type"] != "null" {
					pick = m
					break
				}
			}
			v["items"] = pick
		}
		for k, e := range v {
			repairTupleItems(e, k)
		}
	case []any:
		for _, e := range v {
			repairTupleItems(e, "")
		}
	}
}

var (
	yamlSwaggerRE = regexp.MustCompile(`(?m)^["']?swagger["']?\s*:`)
	yamlOpenAPIRE = regexp.MustCompile(`(?m)^["']?openapi["']?\s*:`)
)

// sniff tells a Swagger 2.0 document from an OpenAPI 3 one, and JSON from
// YAML.
func sniff(data []byte) (v2, isJSON bool, err error) {
	if b := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(b) > 0 && b[0] == '{' {
		var head struct {
			Swagger string `json:"swagger"`
			OpenAPI string `json:"openapi"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return false, true, fmt.Errorf("openapi: parse JSON document: %w", err)
		}
		if head.Swagger == "" && head.OpenAPI == "" {
			return false, true, errors.New(`openapi: the document has neither "openapi" nor "swagger"`)
		}
		return head.Swagger != "", true, nil
	}
	if yamlSwaggerRE.Match(data) && !yamlOpenAPIRE.Match(data) {
		return true, false, nil
	}
	if !yamlOpenAPIRE.Match(data) {
		return false, false, errors.New(`openapi: the document has neither "openapi" nor "swagger"`)
	}
	return false, false, nil
}

// FromDocument is Import for a document already loaded.
func FromDocument(doc *openapi3.T, opts Options) (*File, *Report, error) {
	rep := &Report{}
	var info openapi3.Info
	if doc.Info != nil {
		info = *doc.Info
	}
	f := &File{Errors: toolkits.ErrorConvention(orText(opts.Errors, "http"))}
	if f.Errors != "http" && f.Errors != "slack" && f.Errors != "graphql" {
		return nil, nil, fmt.Errorf(`openapi: errors must be "http", "slack" or "graphql", got %q`, f.Errors)
	}

	// The toolkit's names.
	tk := &f.Toolkit
	tk.Slug = opts.Slug
	if tk.Slug == "" {
		tk.Slug = strings.ToLower(snake(info.Title))
		rep.notef("slug %q from the title", tk.Slug)
	}
	if !slugRE.MatchString(tk.Slug) {
		return nil, nil, fmt.Errorf("openapi: slug %q must match %s", tk.Slug, slugRE)
	}
	tk.Name = orText(opts.Name, strings.TrimSpace(info.Title))
	tk.Name = orText(tk.Name, tk.Slug)
	tk.Description = orText(opts.Description, firstParagraph(info.Description))
	tk.Description = orText(tk.Description, tk.Name)
	prefix := opts.Prefix
	if prefix == "" {
		prefix = strings.ToUpper(tk.Slug) + "_"
	}
	if !toolSlugRE.MatchString(prefix) || !strings.HasPrefix(prefix, strings.ToUpper(tk.Slug)+"_") {
		return nil, nil, fmt.Errorf("openapi: prefix %q must be upper case and start with %s_", prefix, strings.ToUpper(tk.Slug))
	}
	f.Version = opts.Version
	if f.Version == "" {
		now := time.Now
		if opts.Now != nil {
			now = opts.Now
		}
		f.Version = now().UTC().Format("20060102") + "_00"
	}
	if !versionRE.MatchString(f.Version) {
		return nil, nil, fmt.Errorf("openapi: version must look like 20260601_00, got %q", f.Version)
	}

	base, err := baseURL(doc.Servers, opts, rep)
	if err != nil {
		return nil, rep, err
	}
	tk.BaseURL = base
	tk.Logo = logo(info, opts, base, rep)
	tk.Categories = categories(info, opts, rep)

	// The operations.
	ops, err := selectOperations(doc, opts)
	if err != nil {
		return nil, rep, err
	}
	used := map[string][]string{}
	for _, o := range ops {
		reqs := doc.Security
		if o.op.Security != nil {
			reqs = *o.op.Security
		}
		for _, req := range reqs {
			for name, scopes := range req {
				for _, s := range scopes {
					if !slices.Contains(used[name], s) {
						used[name] = append(used[name], s)
					}
				}
				if _, ok := used[name]; !ok {
					used[name] = nil
				}
			}
		}
	}
	for name := range used {
		slices.Sort(used[name])
	}
	var oauthScheme string
	if opts.AuthSchemes != nil {
		tk.AuthSchemes = slices.Clone(opts.AuthSchemes)
		rep.notef("auth schemes given by the options; the document's security schemes are not used")
	} else {
		tk.AuthSchemes, oauthScheme = authSchemes(doc, used, base, rep)
	}
	if len(tk.AuthSchemes) == 0 {
		return nil, rep, errors.New("openapi: no security scheme of the document can connect an account (see the report); give the auth schemes in the options")
	}

	b := &builder{base: base, prefix: prefix, slugs: map[string]bool{}, doc: doc, opts: opts, oauthScheme: oauthScheme}
	start := time.Now()
	for i, o := range ops {
		t, notes, reason := b.tool(o)
		if opts.Progress != nil {
			opts.Progress(Progress{Stage: StageBuild, Done: i + 1, Total: len(ops), Elapsed: time.Since(start)})
		}
		if reason != "" {
			rep.Skipped = append(rep.Skipped, SkippedOperation{Operation: o.method + " " + o.path, OperationID: o.op.OperationID, Reason: reason})
			continue
		}
		f.Tools = append(f.Tools, t)
		rep.Tools = append(rep.Tools, ImportedTool{Slug: t.Slug, Operation: o.method + " " + o.path, OperationID: o.op.OperationID, Simplified: notes})
	}
	start = time.Now()
	report(opts.Progress, Progress{Stage: StageCheck, Total: len(f.Tools)})
	if err := enforce(f, rep); err != nil {
		return nil, rep, err
	}
	report(opts.Progress, Progress{Stage: StageCheck, Finished: true, Total: len(f.Tools), Done: len(f.Tools), Elapsed: time.Since(start)})
	if len(f.Tools) == 0 {
		return nil, rep, errors.New("openapi: no operation could be imported (see the report)")
	}
	return f, rep, nil
}

// enforce checks f with the catalog's validator. Should a tool fail it
// (which means a mapping rule here is incomplete: the tests hold that none
// of the real documents trigger it), the tool is dropped and its operation
// reported with the validator's words, rather than the import failing.
func enforce(f *File, rep *Report) error {
	if _, err := Check(f); err == nil {
		return nil
	}
	tools := f.Tools
	f.Tools = nil
	if _, err := Check(f); err != nil {
		return fmt.Errorf("openapi: the toolkit definition is invalid: %w", err)
	}
	var keep []Tool
	var keepRep []ImportedTool
	for i, t := range tools {
		f.Tools = []Tool{t}
		if _, err := Check(f); err != nil {
			r := rep.Tools[i]
			rep.Skipped = append(rep.Skipped, SkippedOperation{Operation: r.Operation, OperationID: r.OperationID, Reason: "the catalog refuses the mapping: " + err.Error()})
			continue
		}
		keep = append(keep, t)
		keepRep = append(keepRep, rep.Tools[i])
	}
	f.Tools, rep.Tools = keep, keepRep
	return nil
}

type operation struct {
	path, method string
	item         *openapi3.PathItem
	op           *openapi3.Operation
}

// selectOperations lists the document's operations that opts select,
// sorted by path and then method.
func selectOperations(doc *openapi3.T, opts Options) ([]operation, error) {
	globs := make([]*regexp.Regexp, len(opts.Paths))
	for i, g := range opts.Paths {
		re := regexp.QuoteMeta(g)
		re = strings.ReplaceAll(re, `\*`, `.*`)
		re = strings.ReplaceAll(re, `\?`, `.`)
		globs[i] = regexp.MustCompile("^" + re + "$")
	}
	hit := map[string]bool{}
	var out []operation
	paths := doc.Paths.Map()
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		item := paths[p]
		if item == nil {
			continue
		}
		opsByMethod := item.Operations()
		for _, m := range methods {
			op := opsByMethod[m]
			if op == nil {
				continue
			}
			ok := true
			if len(opts.Tags) > 0 {
				i := slices.IndexFunc(opts.Tags, func(t string) bool { return slices.Contains(op.Tags, t) })
				ok = ok && i >= 0
				if i >= 0 {
					for _, t := range opts.Tags {
						if slices.Contains(op.Tags, t) {
							hit["tag "+t] = true
						}
					}
				}
			}
			if len(opts.OperationIDs) > 0 {
				in := slices.Contains(opts.OperationIDs, op.OperationID)
				ok = ok && in
				if in {
					hit["operation "+op.OperationID] = true
				}
			}
			if len(globs) > 0 {
				matched := false
				for i, g := range globs {
					if g.MatchString(p) {
						matched = true
						hit["path "+opts.Paths[i]] = true
					}
				}
				ok = ok && matched
			}
			if ok {
				out = append(out, operation{path: p, method: m, item: item, op: op})
			}
		}
	}
	var missing []string
	for _, t := range opts.Tags {
		if !hit["tag "+t] {
			missing = append(missing, "tag "+t)
		}
	}
	for _, id := range opts.OperationIDs {
		if !hit["operation "+id] {
			missing = append(missing, "operation "+id)
		}
	}
	for _, g := range opts.Paths {
		if !hit["path "+g] {
			missing = append(missing, "path "+g)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("openapi: no operation matches %s", strings.Join(missing, ", "))
	}
	if len(out) == 0 {
		return nil, errors.New("openapi: no operation selected")
	}
	return out, nil
}

var serverVarRE = regexp.MustCompile(`\{([^{}]+)\}`)

// expandServer fills a server URL's variables with opts' values or the
// defaults.
func expandServer(s *openapi3.Server, vars map[string]string) (string, []string, error) {
	var used []string
	var bad error
	u := serverVarRE.ReplaceAllStringFunc(s.URL, func(m string) string {
		name := m[1 : len(m)-1]
		v, given := vars[name]
		sv := s.Variables[name]
		if !given {
			if sv == nil {
				bad = fmt.Errorf("server %s: variable %s has no definition and no value", s.URL, name)
				return m
			}
			v = sv.Default
		}
		if given && sv != nil && len(sv.Enum) > 0 && !slices.Contains(sv.Enum, v) {
			bad = fmt.Errorf("server %s: variable %s must be one of %s, got %q", s.URL, name, strings.Join(sv.Enum, ", "), v)
		}
		used = append(used, name+"="+v)
		return v
	})
	return u, used, bad
}

// baseURL picks the first server whose URL, variables filled, is an
// absolute https URL.
func baseURL(servers openapi3.Servers, opts Options, rep *Report) (string, error) {
	if opts.BaseURL != "" {
		u, err := url.Parse(opts.BaseURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return "", fmt.Errorf("openapi: base URL %q must be an absolute https URL", opts.BaseURL)
		}
		return strings.TrimRight(opts.BaseURL, "/"), nil
	}
	var seen []string
	for _, s := range servers {
		if s == nil {
			continue
		}
		raw, vars, err := expandServer(s, opts.ServerVariables)
		if err != nil {
			return "", fmt.Errorf("openapi: %w", err)
		}
		seen = append(seen, raw)
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			continue
		}
		base := strings.TrimRight(raw, "/")
		if len(vars) > 0 {
			rep.notef("base URL %s from server %s with %s", base, s.URL, strings.Join(vars, ", "))
		} else {
			rep.notef("base URL %s", base)
		}
		return base, nil
	}
	return "", fmt.Errorf("openapi: no server is an absolute https URL (servers: %s); give the base URL", orText(strings.Join(seen, ", "), "none"))
}

func logo(info openapi3.Info, opts Options, base string, rep *Report) string {
	if opts.Logo != "" {
		return opts.Logo
	}
	if l, ok := info.Extensions["x-logo"].(map[string]any); ok {
		if s, ok := l["url"].(string); ok && strings.HasPrefix(s, "https://") {
			return s
		}
	}
	u, _ := url.Parse(base)
	guess := "https://" + u.Host + "/favicon.ico"
	rep.notef("logo %s is a guess: the document has no x-logo; give one in the options", guess)
	return guess
}

func categories(info openapi3.Info, opts Options, rep *Report) []toolkits.Category {
	if len(opts.Categories) > 0 {
		return opts.Categories
	}
	var out []toolkits.Category
	if cs, ok := info.Extensions["x-apisguru-categories"].([]any); ok {
		for _, c := range cs {
			s, _ := c.(string)
			slug := strings.Trim(strings.ReplaceAll(strings.ToLower(snake(s)), "_", "-"), "-")
			if categoryRE.MatchString(slug) {
				out = append(out, toolkits.Category{Slug: slug, Name: s})
			}
		}
	}
	if len(out) == 0 {
		out = []toolkits.Category{{Slug: "api", Name: "API"}}
		rep.notef(`category "api": the document names none; give them in the options`)
	}
	return out
}

// firstParagraph returns the first paragraph of a Markdown description.
func firstParagraph(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	return strings.Join(strings.Fields(s), " ")
}

var (
	nonAlnumRE = regexp.MustCompile(`[^A-Za-z0-9]+`)
	camelRE1   = regexp.MustCompile(`([a-z0-9])([A-Z])`)
	camelRE2   = regexp.MustCompile(`([A-Z]+)([A-Z][a-z])`)
)

// snake turns an identifier or a title into snake case, splitting
// camelCase words: "issues/create" is issues_create, "PostAccountsAccount"
// Post_Accounts_Account, "chat.postMessage" chat_post_Message.
func snake(s string) string {
	s = camelRE2.ReplaceAllString(s, "${1}_${2}")
	s = camelRE1.ReplaceAllString(s, "${1}_${2}")
	s = nonAlnumRE.ReplaceAllString(s, "_")
	return strings.Trim(s, "_")
}
