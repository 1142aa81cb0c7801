package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/switchboard-dev/switchboard/internal/api"
)

// openAPIRecorder wraps a server's handler and checks every exchange
// under /api/v3.1 against the served OpenAPI document with kin-openapi's
// openapi3filter: each response, and each request the server accepted
// (a 2xx). At cleanup a mismatch fails the test with the route and the
// reason.
type openAPIRecorder struct {
	t      testing.TB
	router routers.Router

	mu       sync.Mutex
	checked  int
	failures []string
}

func newOpenAPIRecorder(t testing.TB) *openAPIRecorder {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	rec := &openAPIRecorder{t: t, router: router}
	t.Cleanup(func() {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, f := range rec.failures {
			t.Error(f)
		}
		if rec.checked == 0 {
			t.Error("openapi: no API exchange was recorded")
		}
		t.Logf("openapi: %d exchanges checked against the document", rec.checked)
	})
	return rec
}

// captured is a response as the handler wrote it.
type captured struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *captured) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *captured) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

func (c *captured) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *captured) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (rec *openAPIRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/v3.1/") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		c := &captured{ResponseWriter: w}
		next.ServeHTTP(c, r)
		rec.check(r, body, c)
	})
}

func (rec *openAPIRecorder) check(r *http.Request, body []byte, c *captured) {
	fail := func(format string, args ...any) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.failures = append(rec.failures, fmt.Sprintf("openapi: %s %s → %d: ", r.Method, r.URL.RequestURI(), c.status)+fmt.Sprintf(format, args...))
	}
	// The request as the client sent it, for the router and validator.
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.URL.Scheme, req.URL.Host, req.Host = "", "", ""
	route, params, err := rec.router.FindRoute(req)
	if err != nil {
		// An unknown route answers the API's own 404; anything else is a
		// route the document lacks.
		if c.status != http.StatusNotFound && c.status != http.StatusMethodNotAllowed {
			fail("no operation in the document: %v", err)
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if c.status >= 200 && c.status < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			fail("the server accepted a request the document refuses: %v", err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: c.status, Header: c.Header(),
		Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}}
	out.SetBodyBytes(c.body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		fail("the response does not match the document: %v\nbody: %.2000s", err, c.body.String())
	}
	rec.mu.Lock()
	rec.checked++
	rec.mu.Unlock()
}
