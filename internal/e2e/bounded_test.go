package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/execute"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// bigAPI is an upstream whose KEYED_LIST_ITEMS answer is a JSON object
// of exactly as many bytes as the call's q asks for, sent with its
// Content-Length, or chunked (length unknown) when q starts with "c".
type bigAPI struct {
	*httptest.Server
	calls atomic.Int64
}

// pad is what bigAPI's answers are cut from, so the fake upstream holds
// no answer of its own in memory.
var pad = bytes.Repeat([]byte{'x'}, 3*execute.MaxResponse)

func newBigAPI(t *testing.T) *bigAPI {
	api := &bigAPI{}
	api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.calls.Add(1)
		q := r.URL.Query().Get("q")
		chunked := strings.HasPrefix(q, "c")
		n, err := strconv.Atoi(strings.TrimPrefix(q, "c"))
		if err != nil || n < 10 || n > len(pad) {
			http.Error(w, `{"message":"bad size"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !chunked {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		w.Write([]byte(`{"pad":"`))
		w.Write(pad[:n-10])
		w.Write([]byte(`"}`))
	}))
	t.Cleanup(api.Close)
	return api
}

// bigFixture is a server with the test catalog, a keyed account whose
// API is a bigAPI, and a session pinned to it.
func bigFixture(t *testing.T, o serverOptions) (*server, *bigAPI, string) {
	t.Helper()
	cat, err := toolkits.Load(schemeCatalog)
	if err != nil {
		t.Fatal(err)
	}
	o.Catalog = cat
	s := startServer(t, o)
	api := newBigAPI(t)
	sessID := connectWith(t, s, "keyed", "API_KEY", api.URL, map[string]string{"api_key": "k_big"})
	return s, api, sessID
}

// multiOf is a COMPOSIO_MULTI_EXECUTE_TOOL argument of KEYED_LIST_ITEMS
// calls, one per answer size.
func multiOf(sizes ...string) string {
	calls := make([]string, len(sizes))
	for i, q := range sizes {
		calls[i] = fmt.Sprintf(`{"tool_slug":"KEYED_LIST_ITEMS","arguments":{"q":%q}}`, q)
	}
	return `{"tools":[` + strings.Join(calls, ",") + `]}`
}

// TestUpstreamAnswerCap: an upstream answer of up to execute.MaxResponse
// bytes is read whole; one byte more fails the call with a tool error
// naming the limit, through execute and multi-execute, with or without a
// Content-Length, and never yields a cut-short body.
func TestUpstreamAnswerCap(t *testing.T) {
	s, _, sessID := bigFixture(t, serverOptions{})
	limit := strconv.Itoa(execute.MaxResponse)
	over := strconv.Itoa(execute.MaxResponse + 1)
	want := "answer is larger than " + limit + " bytes"

	for _, q := range []string{limit, "c" + limit} {
		r := sessionExec(t, s, sessID, "KEYED_LIST_ITEMS", `{"q":"`+q+`"}`, "")
		if got, _ := r.Data["pad"].(string); r.err() != "" || len(got) != execute.MaxResponse-10 {
			t.Errorf("answer of %s bytes: error %q, want it whole", q, r.err())
		}
	}
	for _, q := range []string{over, "c" + over, "c" + strconv.Itoa(2*execute.MaxResponse)} {
		r := sessionExec(t, s, sessID, "KEYED_LIST_ITEMS", `{"q":"`+q+`"}`, "")
		if !strings.Contains(r.err(), want) || len(r.Data) != 0 {
			t.Errorf("answer of %s bytes: error %q and %d data fields, want %q and no data", q, r.err(), len(r.Data), want)
		}
	}
	var multi mcpMulti
	r := metaExec(t, s, sessID, "COMPOSIO_MULTI_EXECUTE_TOOL", multiOf("100", "c"+over), &multi)
	if r.err() != "" || len(multi.Results) != 2 || !multi.Results[0].Successful || !strings.Contains(errOf(multi.Results[1]), want) {
		t.Errorf("multi-execute with an answer over the cap: %s", r.Data[:min(len(r.Data), 2000)])
	}
	if got := s.App.Execute.MemoryBudget().Used(); got != 0 {
		t.Errorf("%d bytes of the memory budget still taken after every call returned", got)
	}
}

func errOf(c mcpCallResult) string {
	if c.Error == nil {
		return ""
	}
	return *c.Error
}
