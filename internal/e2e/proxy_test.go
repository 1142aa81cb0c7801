package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

type proxyResult struct {
	Status int            `json:"status"`
	Data   map[string]any `json:"data"`
	Error  *string        `json:"error"`
}

func proxyCall(t *testing.T, s *server, path, body string) (int, proxyResult, string) {
	t.Helper()
	status, b := call(t, s, testKey, "POST", path, body)
	var r proxyResult
	json.Unmarshal([]byte(b), &r)
	return status, r, b
}

func TestProxy(t *testing.T) {
	f := newExecFixture(t, serverOptions{})
	s := f.s
	status, r, b := proxyCall(t, s, "/api/v3.1/tools/execute/proxy", `{"endpoint":"/users/me/profile","method":"GET","connected_account_id":"`+f.ca1+`"}`)
	if status != 200 || r.Status != 200 || r.Data["owner"] != work.Login || f.api.last().Path != "/gmail/v1/users/me/profile" {
		t.Fatalf("proxy by account: %d %s", status, b)
	}
	status, r, b = proxyCall(t, s, "/api/v3.1/tool_router/session/"+f.session.ID()+"/proxy_execute",
		`{"toolkit_slug":"gmail","endpoint":"users/me/labels?max=1","method":"GET","parameters":[{"name":"x-trace","type":"header","value":"1"},{"name":"q","type":"query","value":"a b"}]}`)
	if status != 200 || r.Data["owner"] != personal.Login || !strings.Contains(f.api.last().Query, "q=a+b") {
		t.Fatalf("session proxy: %d %s (upstream saw %+v)", status, b, f.api.last())
	}

	host := strings.TrimPrefix(f.api.URL, "http://")
	refused := []string{
		"http://evil.example.com/x",
		"https://evil.example.com/gmail/v1/users/me/profile",
		"//evil.example.com/x",
		"\\\\evil.example.com\\x",
		"/../../other",
		"/users/%2e%2e/%2e%2e/other",
		"/users/..%2f..%2fother",
		"http://" + host + "@evil.example.com/",
		"http://user:pw@" + host + "/gmail/v1/users/me/profile",
		f.api.URL + "/other/path",
		"http://169.254.169.254/latest/meta-data/",
		"http://127.0.0.1:1/gmail/v1/x",
		"/redirect-away",
	}
	for _, ep := range refused {
		before := f.api.count()
		status, r, b := proxyCall(t, s, "/api/v3.1/tools/execute/proxy", fmt.Sprintf(`{"endpoint":%q,"method":"GET","connected_account_id":%q}`, ep, f.ca1))
		if status == 200 && (r.Error == nil || r.Status != 0) {
			t.Errorf("endpoint %q was not refused: %d %s", ep, status, b)
		}
		if f.api.count() != before {
			t.Errorf("endpoint %q reached the upstream", ep)
		}
	}
	// Credentials cannot be overridden.
	status, _, b = proxyCall(t, s, "/api/v3.1/tools/execute/proxy",
		`{"endpoint":"/users/me/profile","method":"GET","connected_account_id":"`+f.ca1+`","parameters":[{"name":"Authorization","type":"header","value":"Bearer x"}]}`)
	if status != 400 {
		t.Errorf("an Authorization parameter: %d %s", status, b)
	}
	// Another project's account is not found.
	status, _, b = proxyCall(t, s, "/api/v3.1/tools/execute/proxy", `{"endpoint":"/x","method":"GET","connected_account_id":"ca_nope"}`)
	if status != 404 || !strings.Contains(b, "1803") {
		t.Errorf("unknown account: %d %s", status, b)
	}
}
