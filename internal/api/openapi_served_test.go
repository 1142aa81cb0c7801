package api_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/api"
)

// TestOpenAPIServed: both prefixes serve the document without a key.
func TestOpenAPIServed(t *testing.T) {
	srv, _ := newServer(t)
	for _, prefix := range []string{"/api/v3.1", "/api/v3"} {
		resp, err := http.Get(srv.URL + prefix + api.OpenAPIPath)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" || !bytes.Equal(b, api.OpenAPI()) {
			t.Errorf("GET %s%s: %d %q, %d bytes; want 200 application/json, the document", prefix, api.OpenAPIPath, resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
		}
	}
}
