package api_test

import "testing"

// TestNoInventedAnswers checks fields that used to carry made-up values:
// each is now computed from the data or left out, and a filter Switchboard
// cannot answer truthfully is refused.
func TestNoInventedAnswers(t *testing.T) {
	srv, _ := newServer(t)
	var created struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	post(t, srv, "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY"}}`, &created)
	ac := created.AuthConfig.ID
	var a1, a2 struct{ ID string }
	var sess struct {
		SessionID string `json:"session_id"`
	}
	post(t, srv, "/api/v3.1/connected_accounts", `{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"u1","state":{"authScheme":"API_KEY","val":{"api_key":"lin_secret_1"}}}}`, &a1)
	post(t, srv, "/api/v3.1/connected_accounts", `{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"u2","state":{"authScheme":"API_KEY","val":{"api_key":"lin_secret_2"}}}}`, &a2)
	post(t, srv, "/api/v3.1/tool_router/session", `{"user_id":"u1","manage_connections":{"enable":true}}`, &sess)
	vars := map[string]string{"ac": ac, "sess": sess.SessionID}
	run(t, srv, []scenario{
		{"PATCH reports the real number of connections", "PATCH", "/api/v3.1/auth_configs/{ac}", `{"name":"Linear keys","tool_access_config":{}}`, 200,
			[]string{`"no_of_connections":2`, `"name":"Linear keys"`}, []string{"lin_secret"}},
		{"GET agrees", "GET", "/api/v3.1/auth_configs/{ac}", "", 200, []string{`"no_of_connections":2`}, nil},
		{"a keyset-paged list has no page number", "GET", "/api/v3.1/connected_accounts?limit=1", "", 200,
			[]string{`"total_items":2`, `"total_pages":2`, `"next_cursor":"`}, []string{"current_page"}},
		{"auth configs list: no page number either", "GET", "/api/v3.1/auth_configs", "", 200, []string{`"total_items":1`}, []string{"current_page"}},
		{"an offset-paged list numbers its page", "GET", "/api/v3.1/tool_router/session/{sess}/tools?limit=1", "", 200, []string{`"current_page":1`}, nil},
		{"no connection-removal switch without the feature", "GET", "/api/v3.1/tool_router/session/{sess}", "", 200,
			[]string{`"manage_connections":{"enabled":true`}, []string{"enable_connection_removal"}},
		{"SHARED is refused, not answered empty", "GET", "/api/v3.1/connected_accounts?account_type=SHARED", "", 400,
			[]string{`"slug":"unsupported_filter"`, `"code":2150`, "account_type"}, []string{`"items"`}},
		{"PRIVATE lists the accounts", "GET", "/api/v3.1/connected_accounts?account_type=PRIVATE", "", 200, []string{`"total_items":2`}, nil},
		{"a workbench cannot be turned on", "POST", "/api/v3.1/tool_router/session", `{"user_id":"u1","workbench":{"enable":true}}`, 400,
			[]string{`"slug":"unsupported_field"`, `"field":"workbench.enable"`}, nil},
		{"a workbench object enables by default, so it is refused too", "POST", "/api/v3.1/tool_router/session", `{"user_id":"u1","workbench":{"sandbox_size":"large"}}`, 400,
			[]string{`"field":"workbench.enable"`}, nil},
		{"a patch cannot turn it on either", "PATCH", "/api/v3.1/tool_router/session/{sess}", `{"workbench":{"enable":true}}`, 400,
			[]string{`"field":"workbench.enable"`}, nil},
		{"the direct-tools preset's workbench off is fine", "POST", "/api/v3.1/tool_router/session", `{"user_id":"u1","workbench":{"enable":false}}`, 201,
			[]string{`"workbench":{"enable":false}`}, nil},
		{"proxy_config is refused, not ignored", "POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY","proxy_config":{"proxy_url":"https://proxy.example"}}}`, 400,
			[]string{`"slug":"unsupported_field"`, `"field":"auth_config.proxy_config"`}, nil},
		{"nothing was created", "GET", "/api/v3.1/auth_configs", "", 200, []string{`"total_items":1`}, nil},
	}, vars)
}
