package api_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// TestToolkitSchema: the format's JSON Schema is served at its stable path
// to anyone, without an API key, and is the embedded document.
func TestToolkitSchema(t *testing.T) {
	srv, _ := newServer(t)
	for _, method := range []string{"GET", "HEAD"} {
		req, _ := http.NewRequest(method, srv.URL+"/schemas/toolkit.schema.json", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: got %d, want 200: %s", method, resp.StatusCode, b)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/schema+json" {
			t.Errorf("%s: Content-Type %q, want application/schema+json", method, ct)
		}
		want := toolkits.JSONSchema()
		if method == "HEAD" {
			want = nil
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s: the body is not the embedded schema (%d bytes, want %d)", method, len(b), len(want))
		}
	}
	resp, err := http.Post(srv.URL+"/schemas/toolkit.schema.json", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: got %d, want 405", resp.StatusCode)
	}
}
