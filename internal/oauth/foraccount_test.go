package oauth

import (
	"net/url"
	"testing"
)

func TestForAccount(t *testing.T) {
	base := Client{ClientID: "c", AuthURL: "https://provider.example/authorize", AuthParams: map[string]string{"access_type": "offline", "prompt": "consent"}}
	tests := []struct {
		name       string
		hintParam  string
		select_    bool
		hint       string
		wantHint   string // "" for none
		wantPrompt string
	}{
		{"no hints declared", "", false, "a@example.com", "", "consent"},
		{"hint and chooser", "login_hint", true, "a@example.com", "a@example.com", "select_account consent"},
		{"GitHub-style login parameter", "login", false, "octocat", "octocat", "consent"},
		{"chooser without a recorded identity", "login_hint", true, "", "", "select_account consent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			c.LoginHintParam, c.SelectAccount = tt.hintParam, tt.select_
			u, err := url.Parse(c.ForAccount(tt.hint).AuthCodeURL("state", "verifier"))
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if got := q.Get(tt.hintParam); tt.hintParam != "" && got != tt.wantHint {
				t.Errorf("%s = %q, want %q", tt.hintParam, got, tt.wantHint)
			}
			if got := q.Get("prompt"); got != tt.wantPrompt {
				t.Errorf("prompt = %q, want %q", got, tt.wantPrompt)
			}
			if base.AuthParams["prompt"] != "consent" || len(base.AuthParams) != 2 {
				t.Errorf("ForAccount changed the client's own parameters: %v", base.AuthParams)
			}
		})
	}
}
