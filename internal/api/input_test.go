package api_test

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// stores runs fn on a server over each store.
func stores(t *testing.T, fn func(t *testing.T, srv *httptest.Server)) {
	t.Run("sqlite", func(t *testing.T) { srv, _ := newServer(t); fn(t, srv) })
	t.Run("postgres", func(t *testing.T) { srv, _ := newServerOn(t, postgrestest.URL(t)); fn(t, srv) })
}

// TestStrictQuery: limit and wait_seconds are finite whole numbers in
// range or a 400 that names the field, on every list endpoint; none is
// clamped into "everything".
func TestStrictQuery(t *testing.T) {
	srv, _ := newServer(t)
	var sess struct {
		SessionID string `json:"session_id"`
	}
	post(t, srv, "/api/v3.1/tool_router/session", `{"user_id":"u1"}`, &sess)
	var created struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	post(t, srv, "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY"}}`, &created)
	var acct struct{ ID string }
	post(t, srv, "/api/v3.1/connected_accounts", `{"auth_config":{"id":"`+created.AuthConfig.ID+`"},"connection":{"user_id":"u1","state":{"authScheme":"API_KEY","val":{"api_key":"lin_secret_1"}}}}`, &acct)

	lists := []string{
		"/api/v3.1/tools", "/api/v3.1/toolkits", "/api/v3.1/connected_accounts", "/api/v3.1/auth_configs",
		"/api/v3.1/tool_router/session/{s}/toolkits", "/api/v3.1/tool_router/session/{s}/tools",
	}
	var tests []scenario
	for _, path := range lists {
		for _, bad := range []string{"NaN", "nan", "Inf", "-Inf", "+Inf", "1e300", "9223372036854775807", "0", "-1", "1.5", "ten", "0x10", "100001"} {
			tests = append(tests, scenario{path + " limit=" + bad, "GET", path + "?limit=" + url.QueryEscape(bad), "", 400,
				[]string{`"slug":"invalid_request"`, `"field":"limit"`, "whole number from 1 to"}, nil})
		}
		for _, good := range []string{"1", "10.0", "1000"} {
			tests = append(tests, scenario{path + " limit=" + good, "GET", path + "?limit=" + good, "", 200, []string{`"items":[`}, nil})
		}
	}
	for _, bad := range []string{"NaN", "Inf", "-1", "1e300", "61", "soon"} {
		tests = append(tests, scenario{"wait_seconds=" + bad, "GET", "/api/v3.1/connected_accounts/{a}?wait_seconds=" + url.QueryEscape(bad), "", 400,
			[]string{`"field":"wait_seconds"`, "from 0 to 60"}, nil})
	}
	tests = append(tests,
		scenario{"wait_seconds=0.5", "GET", "/api/v3.1/connected_accounts/{a}?wait_seconds=0.5", "", 200, []string{`"status":"ACTIVE"`}, nil},
		scenario{"a bad percent-escape", "GET", "/api/v3.1/connected_accounts?user_ids=%zz", "", 400, []string{`"slug":"invalid_request"`, "URL encoding"}, nil},
		scenario{"a bad boolean", "GET", "/api/v3.1/auth_configs?show_disabled=maybe", "", 400, []string{`"field":"show_disabled"`}, nil},
	)
	run(t, srv, tests, map[string]string{"s": sess.SessionID, "a": acct.ID})
}

// TestInvalidText: a NUL or invalid UTF-8 in an id, a user id, an alias or
// a query value is a 400 invalid_text naming the field, on SQLite and
// PostgreSQL alike, and nothing is stored.
func TestInvalidText(t *testing.T) {
	stores(t, func(t *testing.T, srv *httptest.Server) {
		var created struct {
			AuthConfig struct{ ID string } `json:"auth_config"`
		}
		post(t, srv, "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY"}}`, &created)
		ac := created.AuthConfig.ID
		var acct struct{ ID string }
		post(t, srv, "/api/v3.1/connected_accounts", `{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"u1","state":{"authScheme":"API_KEY","val":{"api_key":"lin_secret_1"}}}}`, &acct)
		var sess struct {
			SessionID string `json:"session_id"`
		}
		post(t, srv, "/api/v3.1/tool_router/session", `{"user_id":"u1"}`, &sess)

		var tests []scenario
		for name, bad := range map[string]string{"NUL": "%00", "invalid UTF-8": "%FF%FE"} {
			tests = append(tests,
				scenario{name + " in a query value", "GET", "/api/v3.1/connected_accounts?user_ids=u" + bad, "", 400, []string{`"slug":"invalid_text"`, `"field":"user_ids"`}, nil},
				scenario{name + " in a cursor", "GET", "/api/v3.1/connected_accounts?cursor=" + bad, "", 400, []string{`"slug":"invalid_text"`, `"field":"cursor"`}, nil},
				scenario{name + " in a search", "GET", "/api/v3.1/tools?search=a" + bad, "", 400, []string{`"slug":"invalid_text"`, `"field":"search"`}, nil},
				scenario{name + " in an account id", "GET", "/api/v3.1/connected_accounts/ca_" + bad, "", 400, []string{`"slug":"invalid_text"`, `"field":"path"`}, nil},
				scenario{name + " in a session id", "GET", "/api/v3.1/tool_router/session/trs_" + bad + "/tools", "", 400, []string{`"slug":"invalid_text"`}, nil},
				scenario{name + " in an auth config id", "DELETE", "/api/v3.1/auth_configs/ac_" + bad, "", 400, []string{`"slug":"invalid_text"`}, nil},
			)
		}
		for _, tt := range []struct{ name, method, path, body string }{
			{"NUL in a session's user id", "POST", "/api/v3.1/tool_router/session", `{"user_id":"u\u0000x"}`},
			{"NUL in a link's user id", "POST", "/api/v3.1/connected_accounts/link", `{"auth_config_id":"{ac}","user_id":"u\u0000x"}`},
			{"NUL in a link's alias", "POST", "/api/v3.1/connected_accounts/link", `{"auth_config_id":"{ac}","user_id":"u1","alias":"w\u0000rk"}`},
			{"NUL in an alias", "PATCH", "/api/v3.1/connected_accounts/{a}", `{"alias":"w\u0000rk"}`},
			{"NUL in an API key account's user id", "POST", "/api/v3.1/connected_accounts", `{"auth_config":{"id":"{ac}"},"connection":{"user_id":"u\u0000","state":{"authScheme":"API_KEY","val":{"api_key":"k"}}}}`},
			{"NUL in an auth config name", "POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY","name":"a\u0000"}}`},
			{"NUL in tool arguments", "POST", "/api/v3.1/tool_router/session/{s}/execute", `{"tool_slug":"LINEAR_LIST_LINEAR_TEAMS","arguments":{"q":"\u0000"}}`},
			{"invalid UTF-8 in a session's user id", "POST", "/api/v3.1/tool_router/session", "{\"user_id\":\"u\xff\xfe\"}"},
			{"invalid UTF-8 in an alias", "PATCH", "/api/v3.1/connected_accounts/{a}", "{\"alias\":\"w\xffrk\"}"},
		} {
			tests = append(tests, scenario{tt.name, tt.method, tt.path, tt.body, 400, []string{`"slug":"invalid_text"`}, nil})
		}
		tests = append(tests,
			// An escaped backslash before u0000 is the six characters
			// \u0000, not a NUL: it is text like any other.
			scenario{"the text \\u0000 is not a NUL", "PATCH", "/api/v3.1/connected_accounts/{a}", `{"alias":"w\\u0000rk"}`, 200, nil, nil},
			scenario{"nothing else was stored", "GET", "/api/v3.1/connected_accounts", "", 200, []string{`"total_items":1`, `"alias":"w\\u0000rk"`}, nil},
		)
		run(t, srv, tests, map[string]string{"ac": ac, "a": acct.ID, "s": sess.SessionID})
	})
}
