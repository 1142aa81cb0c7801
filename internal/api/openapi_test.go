package api

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestOpenAPICoversRoutes fails when a route has no entry in operations,
// or an entry has no route.
func TestOpenAPICoversRoutes(t *testing.T) {
	seen := map[string]bool{}
	for _, rt := range (&Server{}).routes() {
		seen[rt.pattern] = true
		op, ok := operations[rt.pattern]
		if !ok {
			t.Errorf("route %q is not in the OpenAPI document: add an entry for it to operations in internal/api/openapi.go "+
				"(operationId, summary, success status, request and response wire types, query parameters), "+
				"then regenerate docs/openapi.json with SWITCHBOARD_UPDATE_OPENAPI=1 go test ./internal/api -run TestOpenAPIFile", rt.pattern)
			continue
		}
		if op.id == "" || op.summary == "" || op.status == 0 || op.response == nil {
			t.Errorf("operations[%q] needs an id, a summary, a success status and a response type", rt.pattern)
		}
	}
	ids := map[string]string{}
	for pattern, op := range operations {
		if !seen[pattern] {
			t.Errorf("operations in internal/api/openapi.go documents %q, which is not in the route table (routes in server.go): remove it", pattern)
		}
		if other, dup := ids[op.id]; dup {
			t.Errorf("operationId %q is used by %q and %q", op.id, pattern, other)
		}
		ids[op.id] = pattern
	}
}

// TestOpenAPIDocument loads the document with kin-openapi and checks it
// against OpenAPI 3.1: every $ref resolves, every schema is valid.
func TestOpenAPIDocument(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi is %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, item := range doc.Paths.Map() {
		n += len(item.Operations())
	}
	if want := len(operations) + 2; n != want {
		t.Errorf("%d operations, want %d (the routes and the two public documents)", n, want)
	}
	errs := doc.Components.Schemas["ErrorBody"]
	if errs == nil || !strings.Contains(string(OpenAPI()), `"#/components/schemas/ErrorBody"`) {
		t.Error("the error body is not documented")
	}
}

// TestOpenAPIFile keeps docs/openapi.json the document served.
func TestOpenAPIFile(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "openapi.json")
	if os.Getenv("SWITCHBOARD_UPDATE_OPENAPI") != "" {
		if err := os.WriteFile(path, OpenAPI(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, OpenAPI()) {
		t.Fatal("docs/openapi.json differs from the served document: run SWITCHBOARD_UPDATE_OPENAPI=1 go test ./internal/api -run TestOpenAPIFile")
	}
}
