package execute

import (
	"net/http"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

func TestApply(t *testing.T) {
	tests := []struct {
		name      string
		url       string
		apply     toolkits.Apply
		wantURL   string
		wantKey   string // the header, when the credential goes in one
		wantValue string
	}{
		{name: "header with a prefix", url: "https://api.example.com/v1/me",
			apply:   toolkits.Apply{Header: "Authorization", Prefix: "Bearer ", Field: "token"},
			wantURL: "https://api.example.com/v1/me", wantKey: "Authorization", wantValue: "Bearer s3cret"},
		{name: "bare header", url: "https://api.example.com/graphql",
			apply:   toolkits.Apply{Header: "X-Api-Key", Field: "api_key"},
			wantURL: "https://api.example.com/graphql", wantKey: "X-Api-Key", wantValue: "s3cret"},
		{name: "query parameter beside others", url: "https://api.example.com/v1/items?q=a+b&page=2",
			apply:   toolkits.Apply{Query: "key", Field: "api_key"},
			wantURL: "https://api.example.com/v1/items?key=s3cret&page=2&q=a+b"},
		{name: "query parameter the request already set", url: "https://api.example.com/v1/items?key=forged",
			apply:   toolkits.Apply{Query: "key", Field: "api_key"},
			wantURL: "https://api.example.com/v1/items?key=s3cret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := apply(req, tt.apply, "s3cret"); err != nil {
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
	if err := apply(req, toolkits.Apply{Field: "api_key"}, "s3cret"); err == nil {
		t.Error("a credential with nowhere to go was accepted")
	}
}
