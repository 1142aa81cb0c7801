package toolkits

import (
	"net/http"
	"testing"
)

func TestApplySet(t *testing.T) {
	tests := []struct {
		name      string
		url       string
		apply     Apply
		wantURL   string
		wantKey   string // the header, when the credential goes in one
		wantValue string
	}{
		{name: "header with a prefix", url: "https://api.example.com/v1/me",
			apply:   Apply{Header: "Authorization", Prefix: "Bearer ", Field: "token"},
			wantURL: "https://api.example.com/v1/me", wantKey: "Authorization", wantValue: "Bearer s3cret"},
		{name: "bare header", url: "https://api.example.com/graphql",
			apply:   Apply{Header: "X-Api-Key", Field: "api_key"},
			wantURL: "https://api.example.com/graphql", wantKey: "X-Api-Key", wantValue: "s3cret"},
		{name: "query parameter beside others", url: "https://api.example.com/v1/items?q=a+b&page=2",
			apply:   Apply{Query: "key", Field: "api_key"},
			wantURL: "https://api.example.com/v1/items?key=s3cret&page=2&q=a+b"},
		{name: "query parameter the request already set", url: "https://api.example.com/v1/items?key=forged",
			apply:   Apply{Query: "key", Field: "api_key"},
			wantURL: "https://api.example.com/v1/items?key=s3cret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.apply.Set(req, "s3cret"); err != nil {
				t.Fatal(err)
			}
			if got := req.URL.String(); got != tt.wantURL {
				t.Errorf("URL %s, want %s", got, tt.wantURL)
			}
			if tt.wantKey != "" && req.Header.Get(tt.wantKey) != tt.wantValue {
				t.Errorf("%s: %q, want %q", tt.wantKey, req.Header.Get(tt.wantKey), tt.wantValue)
			}
			if tt.wantKey == "" && len(req.Header) != 0 {
				t.Errorf("a query credential also set headers: %v", req.Header)
			}
		})
	}
	req, _ := http.NewRequest("GET", "https://api.example.com/", nil)
	if err := (Apply{Field: "api_key"}).Set(req, "s3cret"); err == nil {
		t.Error("a credential with nowhere to go was accepted")
	}
}

// TestAuthorize: a BASIC scheme sends the username and password as an RFC
// 7617 header whatever its Apply; another scheme sends its Apply field.
func TestAuthorize(t *testing.T) {
	fields := map[string]string{"username": "ann", "password": "pw", "api_key": "k1"}
	req, _ := http.NewRequest("GET", "https://api.example.com/", nil)
	if err := (AuthScheme{Mode: ModeBasic}).Authorize(req, fields); err != nil {
		t.Fatal(err)
	}
	if u, p, ok := req.BasicAuth(); !ok || u != "ann" || p != "pw" {
		t.Errorf("basic auth: got %q, %q, %v; want ann, pw", u, p, ok)
	}
	req, _ = http.NewRequest("GET", "https://api.example.com/", nil)
	key := AuthScheme{Mode: ModeAPIKey, Apply: Apply{Header: "X-Api-Key", Field: "api_key"}}
	if err := key.Authorize(req, fields); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("X-Api-Key"); got != "k1" {
		t.Errorf("X-Api-Key: got %q, want k1", got)
	}
	if _, _, ok := req.BasicAuth(); ok {
		t.Error("an API key scheme also sent basic auth")
	}
}
