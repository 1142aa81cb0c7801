package api_test

import "testing"

// TestOAuthEndpointsOnToolkitHosts: an auth config's OAuth endpoints
// (authorization_url, where the link page sends the end user's browser;
// token_url and userinfo_url, which get the client secret, codes and
// tokens) must be on the toolkit's own hosts or their subdomains; any
// other host is refused with 400 naming the field, on create and on
// PATCH, so the server is no open redirector. Loopback is accepted
// because this test server allows it.
func TestOAuthEndpointsOnToolkitHosts(t *testing.T) {
	srv, _ := newServer(t)
	gmail := func(creds string) string {
		return `{"toolkit":{"slug":"gmail"},"auth_config":{"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{"client_id":"cid","client_secret":"csecret",` + creds + `}}}`
	}
	github := func(creds string) string {
		return `{"toolkit":{"slug":"github"},"auth_config":{"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{"client_id":"cid","client_secret":"csecret",` + creds + `}}}`
	}
	var created struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	post(t, srv, "/api/v3.1/auth_configs", gmail(`"scopes":"openid"`), &created)
	refused := func(field string) []string {
		return []string{`"slug":"endpoint_host_not_allowed"`, `"field":"auth_config.credentials.` + field + `"`, "google.com", "googleapis.com"}
	}
	run(t, srv, []scenario{
		{"authorization_url elsewhere", "POST", "/api/v3.1/auth_configs", gmail(`"authorization_url":"https://evil.example/o/oauth2/v2/auth"`), 400, refused("authorization_url"), nil},
		{"authorization_url under a look-alike", "POST", "/api/v3.1/auth_configs", gmail(`"authorization_url":"https://accounts.google.com.evil.example/auth"`), 400, refused("authorization_url"), nil},
		{"authorization_url on a suffix that is not a subdomain", "POST", "/api/v3.1/auth_configs", gmail(`"authorization_url":"https://evilgoogle.com/auth"`), 400, refused("authorization_url"), nil},
		{"token_url elsewhere", "POST", "/api/v3.1/auth_configs", gmail(`"token_url":"https://tokens.evil.example/token"`), 400, refused("token_url"), nil},
		{"userinfo_url elsewhere", "POST", "/api/v3.1/auth_configs", gmail(`"userinfo_url":"https://evil.example/userinfo"`), 400, refused("userinfo_url"), nil},
		{"github authorization_url elsewhere", "POST", "/api/v3.1/auth_configs", github(`"authorization_url":"https://github.com.evil.example/login/oauth/authorize"`), 400,
			[]string{`"slug":"endpoint_host_not_allowed"`, "authorization_url", "github.com"}, nil},
		{"PATCH authorization_url elsewhere", "PATCH", "/api/v3.1/auth_configs/{ac}", `{"credentials":{"authorization_url":"https://evil.example/auth"}}`, 400, refused("authorization_url"), nil},
		{"unchanged after the refused PATCH", "GET", "/api/v3.1/auth_configs/{ac}", "", 200, []string{`"id":"{ac}"`}, []string{"evil.example"}},

		{"authorization_url on the toolkit's host", "POST", "/api/v3.1/auth_configs", gmail(`"authorization_url":"https://accounts.google.com/o/oauth2/auth"`), 201, nil, nil},
		{"token_url on a subdomain of the toolkit's site", "POST", "/api/v3.1/auth_configs", gmail(`"token_url":"https://www.googleapis.com/oauth2/v4/token"`), 201, nil, nil},
		{"PATCH userinfo_url on the toolkit's site", "PATCH", "/api/v3.1/auth_configs/{ac}", `{"credentials":{"userinfo_url":"https://openidconnect.googleapis.com/v1/userinfo"}}`, 200, nil, nil},
		{"loopback when allowed", "POST", "/api/v3.1/auth_configs", gmail(`"authorization_url":"http://127.0.0.1:9/authorize","token_url":"http://127.0.0.1:9/token"`), 201, nil, nil},
		{"user info refused and not echoed", "POST", "/api/v3.1/auth_configs", gmail(`"token_url":"https://u:hunter2-secret@oauth2.googleapis.com/token"`), 400,
			[]string{`"slug":"invalid_endpoint"`, "token_url", "user info"}, []string{"hunter2-secret"}},
		{"private address never", "POST", "/api/v3.1/auth_configs", gmail(`"token_url":"https://10.0.0.1/token"`), 400, []string{`"slug":"invalid_endpoint"`, "token_url", "private"}, nil},
	}, map[string]string{"ac": created.AuthConfig.ID})
}
