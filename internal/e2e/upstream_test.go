package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

// fakeAPI is a provider API on 127.0.0.1 guarded by the test provider's
// access tokens. It answers every call with whose token it carried, so a
// test proves which account's credentials reached the upstream.
type fakeAPI struct {
	*httptest.Server
	mu    sync.Mutex
	calls []apiCall
}

type apiCall struct {
	Login, Method, Path, Query string
	Body                       map[string]any
}

func newFakeAPI(t testing.TB, p *oauthtest.Provider) *fakeAPI {
	f := &fakeAPI{}
	mux := http.NewServeMux()
	mux.HandleFunc("/gmail/v1/redirect-away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.2:9/steal", http.StatusFound)
	})
	mux.Handle("/", p.Protect(func(w http.ResponseWriter, r *http.Request, u oauthtest.User) {
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &body)
		f.mu.Lock()
		f.calls = append(f.calls, apiCall{Login: u.Login, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		out := map[string]any{"owner": u.Login, "method": r.Method, "path": r.URL.Path}
		if strings.HasSuffix(r.URL.Path, "/profile") {
			out["emailAddress"] = u.Email
		}
		if strings.HasSuffix(r.URL.Path, "/messages/send") {
			out["id"] = "msg_1"
		}
		json.NewEncoder(w).Encode(out)
	}))
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) last() apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return apiCall{}
	}
	return f.calls[len(f.calls)-1]
}

func (f *fakeAPI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// gmailConfigAt creates the gmail auth config with the provider for OAuth
// and the fake API as the toolkit's base URL.
func gmailConfigAt(t testing.TB, c *sdk.Client, p *oauthtest.Provider, api *fakeAPI) string {
	t.Helper()
	res, err := c.AuthConfigs().Create(ctxT(t), "gmail", wire.AuthConfigSpec{
		Type:       "use_custom_auth",
		AuthScheme: "OAUTH2",
		Credentials: map[string]any{
			"client_id":         "switchboard-client",
			"client_secret":     "switchboard-secret",
			"scopes":            "https://mail.google.com/",
			"authorization_url": p.AuthorizeURL(),
			"token_url":         p.TokenURL(),
			"userinfo_url":      p.GmailProfileURL(),
			"base_url":          api.URL + "/gmail/v1",
		},
	})
	if err != nil {
		t.Fatalf("create gmail auth config: %v", err)
	}
	return res.AuthConfig.ID
}
