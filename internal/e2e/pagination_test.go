package e2e

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// pagedToolkit is a NO_AUTH toolkit with a tool paged by a Link header and
// one paged by a cursor in the answer.
func pagedToolkit(baseURL string) string {
	return `{
  "slug": "pages", "name": "Pages", "description": "A public API of long lists.",
  "logo": "https://example.com/pages.png", "categories": [{"slug": "reference", "name": "Reference"}],
  "base_url": "` + baseURL + `",
  "auth_schemes": [{"mode": "NO_AUTH"}],
  "version": "20260101_00", "errors": "http", "tools": [{
  "slug": "PAGES_LIST_NUMBERED", "name": "List numbered", "description": "Lists numbered items.",
  "tags": ["readOnlyHint"],
  "input": {"type": "object", "properties": {"page": {"type": "integer", "description": "The page."}, "per_page": {"type": "integer", "description": "The page size."}}},
  "output": {"type": "object", "properties": {}},
  "request": {"method": "GET", "path": "/numbered", "query": {"page": "$page", "per_page": "$per_page"}},
  "pagination": {"style": "link_header", "input": "page", "size": "per_page"}
}, {
  "slug": "PAGES_LIST_CURSORED", "name": "List cursored", "description": "Lists cursored items.",
  "tags": ["readOnlyHint"],
  "input": {"type": "object", "properties": {"cursor": {"type": "string", "description": "Where to start."}}},
  "output": {"type": "object", "properties": {}},
  "request": {"method": "GET", "path": "/cursored", "query": {"after": "$cursor"}},
  "pagination": {"style": "cursor", "input": "cursor", "next": "meta.next"}
}]
}`
}

// newPagesAPI answers /numbered with three pages linked by Link headers,
// and /cursored with two pages linked by meta.next.
func newPagesAPI(t *testing.T) (*httptest.Server, *x509.CertPool) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/numbered":
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			if page == 0 {
				page = 1
			}
			if page < 3 {
				w.Header().Set("Link", fmt.Sprintf(`<https://%s/numbered?page=%d&per_page=2>; rel="next", <https://%s/numbered?page=3&per_page=2>; rel="last"`, r.Host, page+1, r.Host))
			}
			fmt.Fprintf(w, `{"items":["p%d"]}`, page)
		case "/cursored":
			if r.URL.Query().Get("after") == "" {
				w.Write([]byte(`{"items":["a"],"meta":{"next":"c_2"}}`))
			} else {
				w.Write([]byte(`{"items":["b"],"meta":{"next":null}}`))
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool
}

// TestPaginationHint: a tool's pagination hint reaches agents in its
// description (REST listing and MCP), and MCP's direct tools and the
// multi-execute meta tool return the next page's arguments, which get the
// next page, until the last. It runs on both stores.
func TestPaginationHint(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { paginationHint(t, "") })
	t.Run("postgres", func(t *testing.T) { paginationHint(t, postgrestest.URL(t)) })
}

func paginationHint(t *testing.T, dsn string) {
	api, pool := newPagesAPI(t)
	s := startServer(t, serverOptions{DatabaseURL: dsn, RootCAs: pool})
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", pagedToolkit(api.URL)); st != 201 {
		t.Fatalf("create the toolkit: %d %s", st, b)
	}
	if st, b := call(t, s, testKey, "GET", "/api/v3.1/tools/PAGES_LIST_CURSORED", ""); st != 200 || !strings.Contains(b, "cursor set to the cursor at meta.next") {
		t.Errorf("GET tools/PAGES_LIST_CURSORED: %d %s, want the hint in the description", st, b)
	}

	// MCP direct tools: the description, and next_page until the last page.
	id := newSession(t, s, `{"user_id":"user_123","toolkits":{"enable":["pages"]},"preload":{"tools":"all"}}`)
	cs := mcpClient(t, s, id)
	for tool, err := range cs.Tools(ctxT(t), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if tool.Name == "PAGES_LIST_NUMBERED" && !strings.Contains(tool.Description, "for the next page call again with page set to the next value") {
			t.Errorf("MCP description of PAGES_LIST_NUMBERED: %q", tool.Description)
		}
	}
	var got []string
	args := map[string]any{"per_page": 2}
	for range 5 {
		var out struct {
			Successful bool           `json:"successful"`
			Data       map[string]any `json:"data"`
			NextPage   map[string]any `json:"next_page"`
		}
		text, isErr := callTool(t, cs, "PAGES_LIST_NUMBERED", args, &out)
		if isErr || !out.Successful {
			t.Fatalf("PAGES_LIST_NUMBERED %v: %s", args, text)
		}
		raw, _ := json.Marshal(out.Data["items"])
		got = append(got, string(raw))
		if out.NextPage == nil {
			break
		}
		for k, v := range out.NextPage {
			args[k] = v
		}
	}
	if strings.Join(got, " ") != `["p1"] ["p2"] ["p3"]` {
		t.Errorf("pages by next_page: %v, want p1, p2, p3 and then no next_page", got)
	}

	// The multi-execute meta tool, with a cursor.
	id = newSession(t, s, `{"user_id":"user_123","toolkits":{"enable":["pages"]}}`)
	cs = mcpClient(t, s, id)
	multi := func(args map[string]any) (mcpCallResultPaged, string) {
		var out struct {
			Results []mcpCallResultPaged `json:"results"`
		}
		text, _ := callTool(t, cs, metatools.MultiExecuteTool, map[string]any{"tools": []any{map[string]any{"tool_slug": "PAGES_LIST_CURSORED", "arguments": args}}}, &out)
		if len(out.Results) != 1 {
			t.Fatalf("multi-execute: %s", text)
		}
		return out.Results[0], text
	}
	first, text := multi(map[string]any{})
	if !first.Successful || first.NextPage["cursor"] != "c_2" {
		t.Fatalf("first page: %s", text)
	}
	second, text := multi(first.NextPage)
	if !second.Successful || second.NextPage != nil || fmt.Sprint(second.Data["items"]) != "[b]" {
		t.Errorf("second page: %s", text)
	}
}

type mcpCallResultPaged struct {
	Successful bool           `json:"successful"`
	Data       map[string]any `json:"data"`
	NextPage   map[string]any `json:"next_page"`
}
