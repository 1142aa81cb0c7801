package e2e

import (
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/wire"
)

// TestUpstreamRateLimited: an upstream's 429 reaches the agent as a failed
// call with Composio's fields as before (successful false, the error
// message) and Switchboard's error_details beside them: the code, the
// upstream status and the retry-after in seconds, read from Retry-After
// (seconds or an HTTP date) or X-RateLimit-Reset. Through REST execute,
// session execute, an MCP direct tool and the multi-execute meta tool.
func TestUpstreamRateLimited(t *testing.T) {
	clock := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch strings.TrimPrefix(r.URL.Path, "/facts/") {
		case "seconds":
			w.Header().Set("Retry-After", "30")
		case "date":
			w.Header().Set("Retry-After", clock.Add(90*time.Second).Format(http.TimeFormat))
		case "reset":
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(clock.Add(45*time.Second).Unix(), 10))
		case "silent":
		default:
			w.Write([]byte(`{"fact":"water is wet"}`))
			return
		}
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"message":"slow down"}`))
	}))
	defer up.Close()
	pool := x509.NewCertPool()
	pool.AddCert(up.Certificate())
	s := startServer(t, serverOptions{RootCAs: pool, Now: func() time.Time { return clock }, OpenAPI: true})
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", publicToolkit(up.URL)); st != 201 {
		t.Fatalf("create the toolkit: %d %s", st, b)
	}
	sess := newSession(t, s, `{"user_id":"user_123","toolkits":{"enable":["public"]},"preload":{"tools":["PUBLIC_GET_FACT"]}}`)
	cs := mcpClient(t, s, sess)
	retry := func(n int64) *int64 { return &n }
	for _, tc := range []struct {
		id    string
		retry *int64
	}{{"seconds", retry(30)}, {"date", retry(90)}, {"reset", retry(45)}, {"silent", nil}} {
		want := wire.ToolError{Code: "upstream_rate_limited", UpstreamStatus: 429, RetryAfter: tc.retry}
		check := func(how string, successful bool, errMsg *string, got *wire.ToolError) {
			t.Helper()
			switch {
			case successful || errMsg == nil || !strings.Contains(*errMsg, "429"):
				t.Errorf("%s %s: successful %v, error %v; want a failure naming the 429", how, tc.id, successful, errMsg)
			case got == nil:
				t.Errorf("%s %s: no error_details", how, tc.id)
			case got.Code != want.Code || got.UpstreamStatus != want.UpstreamStatus || (got.RetryAfter == nil) != (want.RetryAfter == nil) ||
				got.RetryAfter != nil && *got.RetryAfter != *want.RetryAfter:
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Errorf("%s %s: error_details %s, want %s", how, tc.id, g, w)
			}
		}
		args := `{"arguments":{"id":"` + tc.id + `"}}`
		st, b := call(t, s, testKey, "POST", "/api/v3.1/tools/execute/PUBLIC_GET_FACT", args)
		var rest wire.ToolExecuteResponse
		if st != 200 || json.Unmarshal([]byte(b), &rest) != nil {
			t.Fatalf("REST execute: %d %s", st, b)
		}
		check("REST execute", rest.Successful, rest.Error, rest.ErrorDetails)
		if tc.retry == nil && strings.Contains(b, "retry_after") {
			t.Errorf("REST execute %s: %s has a retry_after the upstream never gave", tc.id, b)
		}
		st, b = call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+sess+"/execute", `{"tool_slug":"PUBLIC_GET_FACT",`+args[1:])
		var se wire.SessionExecuteResponse
		if st != 200 || json.Unmarshal([]byte(b), &se) != nil {
			t.Fatalf("session execute: %d %s", st, b)
		}
		check("session execute", se.ResultType != "failed", se.Error, se.ErrorDetails)

		var direct metatools.Outcome
		_, isErr := callTool(t, cs, "PUBLIC_GET_FACT", map[string]any{"id": tc.id}, &direct)
		check("MCP tool", !isErr || direct.Successful, direct.Error, direct.ErrorDetails)
		var multi struct {
			Results []metatools.Outcome `json:"results"`
		}
		callTool(t, cs, metatools.MultiExecuteTool, map[string]any{"tools": []any{map[string]any{"tool_slug": "PUBLIC_GET_FACT", "arguments": map[string]any{"id": tc.id}}}}, &multi)
		if len(multi.Results) != 1 {
			t.Fatalf("multi-execute: %+v", multi)
		}
		check("MCP multi-execute", multi.Results[0].Successful, multi.Results[0].Error, multi.Results[0].ErrorDetails)
	}
	// A call that works has no error_details.
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/tools/execute/PUBLIC_GET_FACT", `{"arguments":{"id":"ok"}}`); st != 200 || strings.Contains(b, "error_details") || !strings.Contains(b, `"successful":true`) {
		t.Errorf("a successful execute: %d %s", st, b)
	}
}
