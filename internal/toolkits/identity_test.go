package toolkits

import (
	"errors"
	"strings"
	"testing"
)

// Sample identity documents, shaped as toolkits.md documents each
// provider's answer (values invented).
var identitySamples = []struct {
	slug        string
	name        string
	body        string
	wantDisplay string
	wantID      string
}{
	{
		slug:        "asana",
		name:        "users/me",
		body:        `{"data":{"gid":"1201","email":"ada@example.com","name":"Ada","workspaces":[{"gid":"9","name":"Acme"}]}}`,
		wantDisplay: "ada@example.com",
		wantID:      "1201",
	},
	{
		slug:        "figma",
		name:        "me",
		body:        `{"id":"4242","handle":"ada","email":"ada@example.com","img_url":"https://example.com/a.png"}`,
		wantDisplay: "ada@example.com",
		wantID:      "4242",
	},
	{
		slug:        "hubspot",
		name:        "account details",
		body:        `{"portalId":12345678,"portalName":"Acme Inc","uiDomain":"app-eu1.hubspot.com","timeZone":"US/Eastern"}`,
		wantDisplay: "Acme Inc",
		wantID:      "12345678",
	},
	{
		slug:        "intercom",
		name:        "me with its app",
		body:        `{"type":"admin","id":"991","email":"ada@example.com","name":"Ada","app":{"id_code":"abc123","name":"Acme"}}`,
		wantDisplay: "ada@example.com @ Acme",
		wantID:      "abc123/991",
	},
	{
		slug:        "pagerduty",
		name:        "users/me",
		body:        `{"user":{"id":"PXPGF42","name":"Ada","email":"ada@example.com","role":"admin"}}`,
		wantDisplay: "ada@example.com",
		wantID:      "PXPGF42",
	},
	{
		slug:        "sendgrid",
		name:        "user/username",
		body:        `{"username":"acme_mail","user_id":4711}`,
		wantDisplay: "acme_mail",
		wantID:      "4711",
	},
	{
		slug:        "netlify",
		name:        "user",
		body:        `{"id":"5f1e0a","uid":"u-1","full_name":"Ada Lovelace","email":"ada@example.com","site_count":3}`,
		wantDisplay: "ada@example.com",
		wantID:      "5f1e0a",
	},
	{
		slug:        "okta",
		name:        "users/me",
		body:        `{"id":"00ub0oNGTSWTBKOLGLNR","status":"ACTIVE","profile":{"login":"ada@example.com","email":"ada@example.com","firstName":"Ada"}}`,
		wantDisplay: "ada@example.com",
		wantID:      "00ub0oNGTSWTBKOLGLNR",
	},
	{
		slug:        "square",
		name:        "merchants/me",
		body:        `{"merchant":{"id":"DM7VKY8Q63GNP","business_name":"Acme Coffee","country":"US","currency":"USD","status":"ACTIVE"}}`,
		wantDisplay: "Acme Coffee",
		wantID:      "DM7VKY8Q63GNP",
	},
	{
		slug:        "digitalocean",
		name:        "account",
		body:        `{"account":{"droplet_limit":25,"email":"ada@example.com","uuid":"b6fr89dbf6d9156cace5f3c78dc9851d957381ef","email_verified":true,"status":"active"}}`,
		wantDisplay: "ada@example.com",
		wantID:      "b6fr89dbf6d9156cace5f3c78dc9851d957381ef",
	},
	{
		slug:        "gmail",
		name:        "profile",
		body:        `{"emailAddress":"ada@example.com","messagesTotal":1200,"threadsTotal":800,"historyId":"98765"}`,
		wantDisplay: "ada@example.com",
		wantID:      "ada@example.com",
	},
	{
		slug:        "googlecalendar",
		name:        "userinfo",
		body:        `{"sub":"110169484474386276334","email":"ada@example.com","email_verified":true,"name":"Ada","picture":"https://example.com/a.png"}`,
		wantDisplay: "ada@example.com",
		wantID:      "110169484474386276334",
	},
	{
		slug:        "github",
		name:        "user with a large numeric id",
		body:        `{"login":"octocat","id":98765432109876,"name":null,"email":null,"html_url":"https://github.com/octocat","avatar_url":"https://example.com/o.png"}`,
		wantDisplay: "octocat",
		wantID:      "98765432109876",
	},
	{
		slug:        "slack",
		name:        "auth.test with a user token",
		body:        `{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"ada","team_id":"T0123","user_id":"U0456","is_enterprise_install":false}`,
		wantDisplay: "ada @ Acme",
		wantID:      "T0123/U0456",
	},
	{
		slug: "notion",
		name: "token response with the owner's email",
		body: `{"access_token":"secret_at","token_type":"bearer","refresh_token":null,"bot_id":"b-1","workspace_id":"w-1","workspace_name":"Acme Wiki","workspace_icon":null,` +
			`"owner":{"type":"user","user":{"object":"user","id":"u-1","name":"Ada","avatar_url":null,"type":"person","person":{"email":"ada@example.com"}}},"duplicated_template_id":null,"request_id":"r-1"}`,
		wantDisplay: "ada@example.com @ Acme Wiki",
		wantID:      "w-1/b-1",
	},
	{
		slug: "notion",
		name: "token response without the email capability",
		body: `{"access_token":"secret_at","bot_id":"b-1","workspace_id":"w-1","workspace_name":"Acme Wiki",` +
			`"owner":{"type":"user","user":{"object":"user","id":"u-1","name":"Ada","type":"person","person":{}}}}`,
		wantDisplay: "Ada @ Acme Wiki",
		wantID:      "w-1/b-1",
	},
	{
		slug:        "notion",
		name:        "token response of a workspace-owned integration",
		body:        `{"access_token":"secret_at","bot_id":"b-2","workspace_id":"w-2","workspace_name":"Acme Wiki","owner":{"type":"workspace","workspace":true}}`,
		wantDisplay: "Acme Wiki",
		wantID:      "w-2/b-2",
	},
	{
		slug:        "linear",
		name:        "viewer query",
		body:        `{"data":{"viewer":{"id":"6a1b","name":"Ada Lovelace","email":"ada@example.com","displayName":"ada"},"organization":{"id":"org-9","name":"Acme","urlKey":"acme"}}}`,
		wantDisplay: "ada@example.com @ Acme",
		wantID:      "org-9/6a1b",
	},
	{
		slug:        "linear",
		name:        "viewer without email",
		body:        `{"data":{"viewer":{"id":"6a1b","name":"Ada Lovelace","email":"","displayName":"ada"},"organization":{"id":"org-9","name":"Acme","urlKey":"acme"}}}`,
		wantDisplay: "Ada Lovelace @ Acme",
		wantID:      "org-9/6a1b",
	},
	{
		slug:        "googledrive",
		name:        "about with user fields",
		body:        `{"user":{"kind":"drive#user","displayName":"Ada Lovelace","emailAddress":"ada@example.com","permissionId":"01234567890123456789"}}`,
		wantDisplay: "ada@example.com",
		wantID:      "01234567890123456789",
	},
	{
		slug:        "googlesheets",
		name:        "OpenID Connect userinfo",
		body:        `{"sub":"110169484474386276334","email":"ada@example.com","email_verified":true}`,
		wantDisplay: "ada@example.com",
		wantID:      "110169484474386276334",
	},
	{
		slug:        "googledocs",
		name:        "OpenID Connect userinfo",
		body:        `{"sub":"110169484474386276334","email":"ada@example.com","email_verified":true}`,
		wantDisplay: "ada@example.com",
		wantID:      "110169484474386276334",
	},
	{
		slug:        "box",
		name:        "users/me",
		body:        `{"type":"user","id":"11446498","name":"Ada Lovelace","login":"ada@example.com","space_used":1024}`,
		wantDisplay: "ada@example.com",
		wantID:      "11446498",
	},
	{
		slug:        "discordbot",
		name:        "the bot's own user",
		body:        `{"id":"80351110224678912","username":"helperbot","discriminator":"0","bot":true}`,
		wantDisplay: "helperbot",
		wantID:      "80351110224678912",
	},
	{
		slug:        "outlook",
		name:        "Graph me",
		body:        `{"id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd","displayName":"Ada Lovelace","mail":"ada@contoso.com","userPrincipalName":"ada@contoso.onmicrosoft.com"}`,
		wantDisplay: "ada@contoso.com",
		wantID:      "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
	},
	{
		slug:        "microsoft_teams",
		name:        "Graph me without mail",
		body:        `{"id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd","displayName":"Ada Lovelace","mail":null,"userPrincipalName":"ada@contoso.onmicrosoft.com"}`,
		wantDisplay: "ada@contoso.onmicrosoft.com",
		wantID:      "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
	},
}

func TestIdentity_Extract(t *testing.T) {
	c := builtin(t)
	covered := map[string]bool{}
	for _, tt := range identitySamples {
		t.Run(tt.slug+"/"+tt.name, func(t *testing.T) {
			tk, ok := c.Get(tt.slug)
			if !ok {
				t.Fatalf("no toolkit %q", tt.slug)
			}
			covered[tt.slug] = true
			display, id, err := tk.Identity.Extract([]byte(tt.body))
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if display != tt.wantDisplay || id != tt.wantID {
				t.Errorf("Extract = (%q, %q), want (%q, %q)", display, id, tt.wantDisplay, tt.wantID)
			}
		})
	}
	for _, tk := range c.List() {
		if tk.Identity != nil && !covered[tk.Slug] {
			t.Errorf("toolkit %s has an identity but no sample in identitySamples", tk.Slug)
		}
	}
}

func TestIdentity_ExtractFails(t *testing.T) {
	c := builtin(t)
	tests := []struct {
		slug, name, body, want string
	}{
		{"slack", "ok false", `{"ok":false,"error":"invalid_auth"}`, "no display name at user"},
		{"linear", "GraphQL error", `{"errors":[{"message":"Authentication required","extensions":{"code":"AUTHENTICATION_ERROR"}}]}`, "no display name at data.viewer.email|data.viewer.name"},
		{"github", "id is null", `{"login":"octocat","id":null}`, "no id at id"},
		{"github", "login is an object", `{"login":{"x":1},"id":1}`, "no display name at login"},
		{"gmail", "not JSON", `<html>Error 502 with token ya29.secret</html>`, "not a JSON object"},
		{"gmail", "JSON array", `["ada@example.com"]`, "not a JSON object"},
		{"notion", "no ids", `{"access_token":"secret_at","workspace_name":"Acme"}`, "no id at workspace_id"},
	}
	for _, tt := range tests {
		t.Run(tt.slug+"/"+tt.name, func(t *testing.T) {
			tk, _ := c.Get(tt.slug)
			_, _, err := tk.Identity.Extract([]byte(tt.body))
			if !errors.Is(err, ErrIdentity) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Extract: err = %v, want ErrIdentity containing %q", err, tt.want)
			}
			for _, secret := range []string{"secret_at", "ya29.secret", "invalid_auth"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("Extract error quotes the body: %v", err)
				}
			}
		})
	}
}
