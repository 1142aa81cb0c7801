package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/execute"
	"github.com/switchboard-dev/switchboard/internal/metatools"
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

// TestMultiExecuteAnswerCap: the results of one multi-execute together
// hold at most metatools.MaxAnswer bytes. Every call runs; a result that
// would not fit is dropped with an error saying why and keeps its log
// id, and the answer stays valid JSON, over REST and MCP.
func TestMultiExecuteAnswerCap(t *testing.T) {
	s, api, sessID := bigFixture(t, serverOptions{})
	// Two answers of 6 MiB fit in 16 MiB with the small one; a third never does.
	big := strconv.Itoa(6 << 20)
	args := multiOf("100", big, big, big, big, big)
	check := func(t *testing.T, size int, multi mcpMulti) {
		t.Helper()
		if size > metatools.MaxAnswer+answerOverhead {
			t.Errorf("answer of %d bytes, want at most %d + %d", size, metatools.MaxAnswer, answerOverhead)
		}
		if len(multi.Results) != 6 || multi.SuccessCount != 3 || multi.ErrorCount != 3 || !multi.Results[0].Successful {
			t.Fatalf("got %d results, %d successful, %d failed; want 6, 3 (the small one and two large), 3",
				len(multi.Results), multi.SuccessCount, multi.ErrorCount)
		}
		for _, c := range multi.Results {
			if !strings.HasPrefix(c.LogID, "log_") || c.ConnectedAccountID == "" {
				t.Errorf("result %d: log id %q, account %q; want both", c.Index, c.LogID, c.ConnectedAccountID)
			}
			if c.Successful {
				continue
			}
			want := "result dropped: the answer of this COMPOSIO_MULTI_EXECUTE_TOOL would exceed 16777216 bytes (16 MiB)"
			if !strings.HasPrefix(errOf(c), want) || len(c.Data) != 0 {
				t.Errorf("dropped result %d: error %q, %d data fields; want %q and no data", c.Index, errOf(c), len(c.Data), want)
			}
		}
	}

	t.Run("rest", func(t *testing.T) {
		before := api.calls.Load()
		var multi mcpMulti
		r := metaExec(t, s, sessID, "COMPOSIO_MULTI_EXECUTE_TOOL", args, &multi)
		if r.err() != "" {
			t.Fatalf("multi-execute: %s", r.err())
		}
		check(t, len(r.Data), multi)
		if got := api.calls.Load() - before; got != 6 {
			t.Errorf("%d upstream calls, want all 6 made", got)
		}
	})
	t.Run("mcp", func(t *testing.T) {
		var calls []any
		if err := json.Unmarshal([]byte(args), &struct{ Tools *[]any }{&calls}); err != nil {
			t.Fatal(err)
		}
		var multi mcpMulti
		res, err := mcpClient(t, s, sessID).CallTool(ctxT(t), &gomcp.CallToolParams{Name: metatools.MultiExecuteTool, Arguments: map[string]any{"tools": calls}})
		if err != nil || res.IsError {
			t.Fatalf("MCP multi-execute: %v %v", err, res)
		}
		structured, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(structured, &multi); err != nil {
			t.Fatal(err)
		}
		check(t, len(structured), multi)
	})
	if got := s.App.Execute.MemoryBudget().Used(); got != 0 {
		t.Errorf("%d bytes of the memory budget still taken after every call returned", got)
	}
}

// answerOverhead is what a multi-execute answer may hold besides its
// results' data: the other fields of each result and the summary.
const answerOverhead = 64 << 10

// TestMultiExecuteCallCap: a multi-execute of more than metatools.MaxCalls
// calls is refused with an error naming the limit before any call runs;
// one of MaxCalls calls runs them all.
func TestMultiExecuteCallCap(t *testing.T) {
	s, api, sessID := bigFixture(t, serverOptions{})
	sizes := make([]string, metatools.MaxCalls+1)
	for i := range sizes {
		sizes[i] = "100"
	}
	r := metaExec(t, s, sessID, "COMPOSIO_MULTI_EXECUTE_TOOL", multiOf(sizes...), nil)
	if want := "tools must list between 1 and 50 tool calls, got 51"; r.err() != want || api.calls.Load() != 0 {
		t.Errorf("51 calls: error %q after %d upstream calls, want %q before any", r.err(), api.calls.Load(), want)
	}
	var multi mcpMulti
	r = metaExec(t, s, sessID, "COMPOSIO_MULTI_EXECUTE_TOOL", multiOf(sizes[:metatools.MaxCalls]...), &multi)
	if r.err() != "" || multi.SuccessCount != metatools.MaxCalls || api.calls.Load() != metatools.MaxCalls {
		t.Errorf("50 calls: error %q, %d successful, %d upstream calls; want all 50", r.err(), multi.SuccessCount, api.calls.Load())
	}
}

// TestConcurrentLargeAnswersStayBounded runs 8 multi-executes at once,
// each of 10 calls with 4 MiB answers (320 MiB asked for in all), on a
// server whose memory budget is 64 MiB. Every answer stays within
// metatools.MaxAnswer, the budget is never exceeded and is all given
// back, every result that did not fit says why, and the heap stays far
// below what holding every answer would take.
func TestConcurrentLargeAnswersStayBounded(t *testing.T) {
	const budget = 64 << 20
	s, _, sessID := bigFixture(t, serverOptions{AnswerMemory: budget})
	sizes := make([]string, 10)
	for i := range sizes {
		sizes[i] = "c" + strconv.Itoa(4<<20)
	}
	args := `{"tool_slug":"COMPOSIO_MULTI_EXECUTE_TOOL","arguments":` + multiOf(sizes...) + `}`

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+sessID+"/execute", args)
			if status != http.StatusOK {
				t.Errorf("multi-execute: %d %.300s", status, b)
				return
			}
			var r struct {
				Data mcpMulti `json:"data"`
			}
			if err := json.Unmarshal([]byte(b), &r); err != nil {
				t.Errorf("multi-execute: %v", err)
				return
			}
			if len(b) > metatools.MaxAnswer+answerOverhead || len(r.Data.Results) != len(sizes) {
				t.Errorf("answer of %d bytes with %d results, want at most %d bytes and %d results",
					len(b), len(r.Data.Results), metatools.MaxAnswer+answerOverhead, len(sizes))
			}
			for _, c := range r.Data.Results {
				if !c.Successful && !strings.HasPrefix(errOf(c), "result dropped: ") && !strings.HasPrefix(errOf(c), execute.ErrBusy.Error()) {
					t.Errorf("result %d failed with %q, want a dropped result or the retryable memory error", c.Index, errOf(c))
				}
			}
			// b goes out of scope here; the test holds no answer for long.
		})
	}
	wg.Wait()
	close(stop)
	<-sampled

	mem := s.App.Execute.MemoryBudget()
	if mem.Peak() > budget || mem.Peak() == 0 || mem.Used() != 0 {
		t.Errorf("memory budget: peak %d of %d, %d still taken; want a peak within the budget and nothing left", mem.Peak(), budget, mem.Used())
	}
	// Holding every answer would be 320 MiB of upstream bytes alone, and
	// several copies of them while answers are encoded and decoded. The
	// bound is generous: the test's own client side holds up to 8 answers
	// of 16 MiB in two forms.
	grew := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("heap in use grew by %d MiB at most; memory budget peak %d MiB", grew>>20, mem.Peak()>>20)
	if limit := int64(640 << 20); grew > limit {
		t.Errorf("heap in use grew by %d MiB, want at most %d MiB", grew>>20, limit>>20)
	}
}
