package toolkits

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// wantRequest is what a built request must be. JSON and Form bodies are
// compared decoded; with neither, the request must have no body.
type wantRequest struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	JSON   string
	Form   url.Values
}

func checkRequest(t *testing.T, got UpstreamRequest, want wantRequest) {
	t.Helper()
	if got.Method != want.Method || got.Path != want.Path {
		t.Errorf("got %s %s, want %s %s", got.Method, got.Path, want.Method, want.Path)
	}
	if diff := cmp.Diff(want.Query, got.Query); diff != "" {
		t.Errorf("query mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Header, got.Header); diff != "" {
		t.Errorf("header mismatch (-want +got):\n%s", diff)
	}
	switch {
	case want.JSON != "":
		if got.ContentType != "application/json" {
			t.Errorf("got content type %q, want application/json", got.ContentType)
		}
		var g, w any
		if err := json.Unmarshal(got.Body, &g); err != nil {
			t.Fatalf("body %s is not JSON: %v", got.Body, err)
		}
		if err := json.Unmarshal([]byte(want.JSON), &w); err != nil {
			t.Fatalf("bad want JSON: %v", err)
		}
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("JSON body mismatch (-want +got):\n%s\ngot body: %s", diff, got.Body)
		}
	case want.Form != nil:
		if got.ContentType != "application/x-www-form-urlencoded" {
			t.Errorf("got content type %q, want application/x-www-form-urlencoded", got.ContentType)
		}
		g, err := url.ParseQuery(string(got.Body))
		if err != nil {
			t.Fatalf("body %q is not a form: %v", got.Body, err)
		}
		if diff := cmp.Diff(want.Form, g); diff != "" {
			t.Errorf("form body mismatch (-want +got):\n%s", diff)
		}
	default:
		if got.Body != nil || got.ContentType != "" {
			t.Errorf("got body %q (%s), want none", got.Body, got.ContentType)
		}
	}
}

func TestBuildRequest(t *testing.T) {
	c := builtin(t)
	tests := []struct {
		name string
		slug string
		args map[string]any
		want wantRequest
	}{
		// gmail
		{
			name: "fetch emails with repeated label ids",
			slug: "GMAIL_FETCH_EMAILS",
			args: map[string]any{"query": "is:unread from:ada@example.com", "label_ids": []string{"INBOX", "UNREAD"}, "max_results": 5},
			want: wantRequest{Method: "GET", Path: "/users/me/messages", Query: url.Values{
				"q": {"is:unread from:ada@example.com"}, "labelIds": {"INBOX", "UNREAD"}, "maxResults": {"5"}}},
		},
		{
			name: "message by id with default format and an explicit mailbox",
			slug: "GMAIL_FETCH_MESSAGE_BY_MESSAGE_ID",
			args: map[string]any{"message_id": "18c0ffee", "user_id": "ada@example.com"},
			want: wantRequest{Method: "GET", Path: "/users/ada@example.com/messages/18c0ffee", Query: url.Values{"format": {"full"}}},
		},
		{
			name: "labels renamed into the body",
			slug: "GMAIL_ADD_LABEL_TO_EMAIL",
			args: map[string]any{"message_id": "m1", "remove_label_ids": []any{"UNREAD", "INBOX"}},
			want: wantRequest{Method: "POST", Path: "/users/me/messages/m1/modify", JSON: `{"removeLabelIds": ["UNREAD", "INBOX"]}`},
		},
		{
			name: "send draft",
			slug: "GMAIL_SEND_DRAFT",
			args: map[string]any{"draft_id": "r-123"},
			want: wantRequest{Method: "POST", Path: "/users/me/drafts/send", JSON: `{"id": "r-123"}`},
		},
		{
			name: "trash has no body",
			slug: "GMAIL_MOVE_TO_TRASH",
			args: map[string]any{"message_id": "m1"},
			want: wantRequest{Method: "POST", Path: "/users/me/messages/m1/trash"},
		},
		{
			name: "no arguments",
			slug: "GMAIL_LIST_LABELS",
			args: nil,
			want: wantRequest{Method: "GET", Path: "/users/me/labels"},
		},
		// github
		{
			name: "list issues: integers formatted, labels as GitHub's comma list",
			slug: "GITHUB_LIST_REPOSITORY_ISSUES",
			args: map[string]any{"owner": "octocat", "repo": "hello-world", "state": "all", "labels": "bug,ui", "per_page": 50},
			want: wantRequest{Method: "GET", Path: "/repos/octocat/hello-world/issues", Query: url.Values{
				"state": {"all"}, "labels": {"bug,ui"}, "per_page": {"50"}}},
		},
		{
			name: "create issue: null means absent",
			slug: "GITHUB_CREATE_AN_ISSUE",
			args: map[string]any{"owner": "o", "repo": "r", "title": "Crash", "body": nil, "labels": []string{"bug"}, "milestone": 3},
			want: wantRequest{Method: "POST", Path: "/repos/o/r/issues", JSON: `{"title": "Crash", "labels": ["bug"], "milestone": 3}`},
		},
		{
			name: "comment with an integer path argument",
			slug: "GITHUB_CREATE_AN_ISSUE_COMMENT",
			args: map[string]any{"owner": "o", "repo": "r", "issue_number": 42, "body": "LGTM"},
			want: wantRequest{Method: "POST", Path: "/repos/o/r/issues/42/comments", JSON: `{"body": "LGTM"}`},
		},
		{
			name: "content path keeps its slashes, escapes the rest",
			slug: "GITHUB_GET_REPOSITORY_CONTENT",
			args: map[string]any{"owner": "o", "repo": "r", "path": "/docs/read me?.md", "ref": "main"},
			want: wantRequest{Method: "GET", Path: "/repos/o/r/contents/docs/read%20me%3F.md", Query: url.Values{"ref": {"main"}}},
		},
		{
			name: "merge",
			slug: "GITHUB_MERGE_A_PULL_REQUEST",
			args: map[string]any{"owner": "o", "repo": "r", "pull_number": 7, "merge_method": "squash", "sha": "abc123"},
			want: wantRequest{Method: "PUT", Path: "/repos/o/r/pulls/7/merge", JSON: `{"merge_method": "squash", "sha": "abc123"}`},
		},
		{
			name: "star has no body",
			slug: "GITHUB_STAR_A_REPOSITORY_FOR_THE_AUTHENTICATED_USER",
			args: map[string]any{"owner": "o", "repo": "r"},
			want: wantRequest{Method: "PUT", Path: "/user/starred/o/r"},
		},
		{
			name: "gmail batch modify: ids and label changes in the body",
			slug: "GMAIL_BATCH_MODIFY_MESSAGES",
			args: map[string]any{"message_ids": []string{"m1", "m2"}, "remove_label_ids": []string{"UNREAD", "INBOX"}},
			want: wantRequest{Method: "POST", Path: "/users/me/messages/batchModify", JSON: `{
				"ids": ["m1", "m2"], "removeLabelIds": ["UNREAD", "INBOX"]}`},
		},
		{
			name: "gmail attachment: both ids in the path",
			slug: "GMAIL_GET_ATTACHMENT",
			args: map[string]any{"message_id": "18c1", "attachment_id": "ANGjdJ/x"},
			want: wantRequest{Method: "GET", Path: "/users/me/messages/18c1/attachments/ANGjdJ%2Fx"},
		},
		{
			name: "gmail history: repeated history types",
			slug: "GMAIL_LIST_HISTORY",
			args: map[string]any{"start_history_id": "9876", "history_types": []string{"messageAdded", "labelAdded"}, "max_results": 50},
			want: wantRequest{Method: "GET", Path: "/users/me/history", Query: url.Values{
				"startHistoryId": {"9876"}, "historyTypes": {"messageAdded", "labelAdded"}, "maxResults": {"50"}}},
		},
		// slack
		{
			name: "post message: form with blocks as JSON and booleans as words",
			slug: "SLACK_SEND_MESSAGE",
			args: map[string]any{"channel": "C0123", "text": "Deployed *v2*", "thread_ts": "1712345678.000100", "reply_broadcast": true,
				"blocks": []any{map[string]any{"type": "divider"}}},
			want: wantRequest{Method: "POST", Path: "/chat.postMessage", Form: url.Values{
				"channel": {"C0123"}, "text": {"Deployed *v2*"}, "thread_ts": {"1712345678.000100"}, "reply_broadcast": {"true"},
				"blocks": {`[{"type":"divider"}]`}}},
		},
		{
			name: "list channels",
			slug: "SLACK_LIST_ALL_CHANNELS",
			args: map[string]any{"types": "public_channel,private_channel", "limit": 200, "exclude_archived": false},
			want: wantRequest{Method: "POST", Path: "/conversations.list", Form: url.Values{
				"types": {"public_channel,private_channel"}, "limit": {"200"}, "exclude_archived": {"false"}}},
		},
		{
			name: "history",
			slug: "SLACK_FETCH_CONVERSATION_HISTORY",
			args: map[string]any{"channel": "C0123", "limit": 20, "oldest": "1712000000.000000"},
			want: wantRequest{Method: "POST", Path: "/conversations.history", Form: url.Values{
				"channel": {"C0123"}, "limit": {"20"}, "oldest": {"1712000000.000000"}}},
		},
		{
			name: "auth test without arguments has no body",
			slug: "SLACK_TEST_AUTH",
			args: map[string]any{},
			want: wantRequest{Method: "POST", Path: "/auth.test"},
		},
		{
			name: "slack delete message: form from the imported operation",
			slug: "SLACK_DELETES_A_MESSAGE_FROM_A_CHAT",
			args: map[string]any{"channel": "C0123", "ts": "1712345678.123456"},
			want: wantRequest{Method: "POST", Path: "/chat.delete", Form: url.Values{"channel": {"C0123"}, "ts": {"1712345678.123456"}}},
		},
		{
			name: "slack lookup by email: a GET with the query",
			slug: "SLACK_FIND_USER_BY_EMAIL_ADDRESS",
			args: map[string]any{"email": "ada@example.com"},
			want: wantRequest{Method: "GET", Path: "/users.lookupByEmail", Query: url.Values{"email": {"ada@example.com"}}},
		},
		{
			name: "slack reminder",
			slug: "SLACK_CREATE_A_REMINDER",
			args: map[string]any{"text": "Submit the report", "time": "every Monday at 9am"},
			want: wantRequest{Method: "POST", Path: "/reminders.add", Form: url.Values{"text": {"Submit the report"}, "time": {"every Monday at 9am"}}},
		},
		// googlecalendar
		{
			name: "create event: end from duration, offset kept, invitations",
			slug: "GOOGLECALENDAR_CREATE_EVENT",
			args: map[string]any{"summary": "Sync", "start_datetime": "2026-01-19T09:00:00-08:00", "event_duration_hour": 1,
				"event_duration_minutes": 15, "attendees": []string{"bob@example.com"}, "send_updates": "all"},
			want: wantRequest{Method: "POST", Path: "/calendars/primary/events", Query: url.Values{"sendUpdates": {"all"}}, JSON: `{
				"summary": "Sync",
				"start": {"dateTime": "2026-01-19T09:00:00-08:00"},
				"end": {"dateTime": "2026-01-19T10:15:00-08:00"},
				"attendees": [{"email": "bob@example.com"}]}`},
		},
		{
			name: "create event: local time in a zone, default 30 minutes, across midnight",
			slug: "GOOGLECALENDAR_CREATE_EVENT",
			args: map[string]any{"start_datetime": "2026-12-31T23:45", "timezone": "Europe/Paris", "recurrence": []string{"RRULE:FREQ=WEEKLY"}},
			want: wantRequest{Method: "POST", Path: "/calendars/primary/events", JSON: `{
				"start": {"dateTime": "2026-12-31T23:45:00", "timeZone": "Europe/Paris"},
				"end": {"dateTime": "2027-01-01T00:15:00", "timeZone": "Europe/Paris"},
				"recurrence": ["RRULE:FREQ=WEEKLY"]}`},
		},
		{
			name: "create event: all day",
			slug: "GOOGLECALENDAR_CREATE_EVENT",
			args: map[string]any{"summary": "Offsite", "start_datetime": "2026-03-02", "calendar_id": "team@group.calendar.google.com"},
			want: wantRequest{Method: "POST", Path: "/calendars/team@group.calendar.google.com/events",
				JSON: `{"summary": "Offsite", "start": {"date": "2026-03-02"}, "end": {"date": "2026-03-03"}}`},
		},
		{
			name: "update event replaces the whole event",
			slug: "GOOGLECALENDAR_UPDATE_EVENT",
			args: map[string]any{"event_id": "ev1", "start_datetime": "2026-01-19T17:00:00Z", "event_duration_minutes": 45, "location": "Room 4"},
			want: wantRequest{Method: "PUT", Path: "/calendars/primary/events/ev1", JSON: `{
				"location": "Room 4", "start": {"dateTime": "2026-01-19T17:00:00Z"}, "end": {"dateTime": "2026-01-19T17:45:00Z"}}`},
		},
		{
			name: "patch event",
			slug: "GOOGLECALENDAR_PATCH_EVENT",
			args: map[string]any{"event_id": "ev1", "summary": "Moved", "end_datetime": "2026-01-19T11:00:00", "timezone": "UTC", "attendees": []string{}},
			want: wantRequest{Method: "PATCH", Path: "/calendars/primary/events/ev1", JSON: `{
				"summary": "Moved", "end": {"dateTime": "2026-01-19T11:00:00", "timeZone": "UTC"}, "attendees": []}`},
		},
		{
			name: "list events with Google's own parameter names",
			slug: "GOOGLECALENDAR_EVENTS_LIST",
			args: map[string]any{"timeMin": "2026-01-01T00:00:00Z", "singleEvents": true, "orderBy": "startTime", "maxResults": 10},
			want: wantRequest{Method: "GET", Path: "/calendars/primary/events", Query: url.Values{
				"timeMin": {"2026-01-01T00:00:00Z"}, "singleEvents": {"true"}, "orderBy": {"startTime"}, "maxResults": {"10"}}},
		},
		{
			name: "find event adds constant parameters",
			slug: "GOOGLECALENDAR_FIND_EVENT",
			args: map[string]any{"query": "standup"},
			want: wantRequest{Method: "GET", Path: "/calendars/primary/events", Query: url.Values{
				"q": {"standup"}, "singleEvents": {"true"}, "orderBy": {"startTime"}}},
		},
		{
			name: "delete event",
			slug: "GOOGLECALENDAR_DELETE_EVENT",
			args: map[string]any{"event_id": "ev1", "send_updates": "none"},
			want: wantRequest{Method: "DELETE", Path: "/calendars/primary/events/ev1", Query: url.Values{"sendUpdates": {"none"}}},
		},
		{
			name: "free/busy body",
			slug: "GOOGLECALENDAR_FREE_BUSY_QUERY",
			args: map[string]any{"time_min": "2026-01-19T00:00:00Z", "time_max": "2026-01-20T00:00:00Z", "items": []any{map[string]any{"id": "primary"}}},
			want: wantRequest{Method: "POST", Path: "/freeBusy", JSON: `{
				"timeMin": "2026-01-19T00:00:00Z", "timeMax": "2026-01-20T00:00:00Z", "items": [{"id": "primary"}]}`},
		},
		{
			name: "calendar quick add: the text is a query parameter",
			slug: "GOOGLECALENDAR_QUICK_ADD",
			args: map[string]any{"text": "Lunch with Ada tomorrow 12:30", "send_updates": "none"},
			want: wantRequest{Method: "POST", Path: "/calendars/primary/events/quickAdd", Query: url.Values{
				"text": {"Lunch with Ada tomorrow 12:30"}, "sendUpdates": {"none"}}},
		},
		{
			name: "calendar share: scope and role in the body",
			slug: "GOOGLECALENDAR_ACL_INSERT",
			args: map[string]any{"calendar_id": "team@group.calendar.google.com", "scope": map[string]any{"type": "user", "value": "ada@example.com"}, "role": "writer"},
			want: wantRequest{Method: "POST", Path: "/calendars/team@group.calendar.google.com/acl", JSON: `{
				"scope": {"type": "user", "value": "ada@example.com"}, "role": "writer"}`},
		},
		// notion
		{
			name: "search: the filter object appears with its argument, the sort object doesn't without its",
			slug: "NOTION_SEARCH_NOTION_PAGE",
			args: map[string]any{"query": "Roadmap", "filter_value": "page", "page_size": 10},
			want: wantRequest{Method: "POST", Path: "/search", JSON: `{
				"query": "Roadmap", "filter": {"property": "object", "value": "page"}, "page_size": 10}`},
		},
		{
			name: "search everything",
			slug: "NOTION_SEARCH_NOTION_PAGE",
			args: map[string]any{},
			want: wantRequest{Method: "POST", Path: "/search", JSON: `{}`},
		},
		{
			name: "create page: nested title and icon",
			slug: "NOTION_CREATE_NOTION_PAGE",
			args: map[string]any{"parent_id": "p-1", "title": "Notes", "icon": "📝"},
			want: wantRequest{Method: "POST", Path: "/pages", JSON: `{
				"parent": {"page_id": "p-1"},
				"properties": {"title": {"title": [{"type": "text", "text": {"content": "Notes"}}]}},
				"icon": {"type": "emoji", "emoji": "📝"}}`},
		},
		{
			name: "archive defaults to the trash",
			slug: "NOTION_ARCHIVE_NOTION_PAGE",
			args: map[string]any{"page_id": "p-1"},
			want: wantRequest{Method: "PATCH", Path: "/pages/p-1", JSON: `{"in_trash": true}`},
		},
		{
			name: "retrieve page with repeated property filters",
			slug: "NOTION_RETRIEVE_PAGE",
			args: map[string]any{"page_id": "p-1", "filter_properties": []string{"title", "abc"}},
			want: wantRequest{Method: "GET", Path: "/pages/p-1", Query: url.Values{"filter_properties": {"title", "abc"}}},
		},
		{
			name: "query database passes Notion's filter through",
			slug: "NOTION_QUERY_DATABASE",
			args: map[string]any{"database_id": "db-1", "filter": map[string]any{"property": "Status", "select": map[string]any{"equals": "Done"}}},
			want: wantRequest{Method: "POST", Path: "/databases/db-1/query", JSON: `{"filter": {"property": "Status", "select": {"equals": "Done"}}}`},
		},
		{
			name: "comment",
			slug: "NOTION_CREATE_COMMENT",
			args: map[string]any{"parent_page_id": "p-1", "comment": "Looks good"},
			want: wantRequest{Method: "POST", Path: "/comments", JSON: `{
				"parent": {"page_id": "p-1"}, "rich_text": [{"type": "text", "text": {"content": "Looks good"}}]}`},
		},
		// asana, figma, hubspot, intercom, pagerduty, sentry, stripe, twilio
		{
			name: "asana task comment wrapped in data",
			slug: "ASANA_CREATE_TASK_COMMENT",
			args: map[string]any{"task_gid": "123", "data": map[string]any{"text": "Done"}},
			want: wantRequest{Method: "POST", Path: "/tasks/123/stories", JSON: `{"data": {"text": "Done"}}`},
		},
		{
			name: "figma comment",
			slug: "FIGMA_ADD_A_COMMENT_TO_A_FILE",
			args: map[string]any{"file_key": "k/1", "message": "Nice"},
			want: wantRequest{Method: "POST", Path: "/v1/files/k%2F1/comments", JSON: `{"message": "Nice"}`},
		},
		{
			name: "hubspot contact properties",
			slug: "HUBSPOT_CREATE_CONTACT",
			args: map[string]any{"properties": map[string]any{"email": "ada@example.com"}},
			want: wantRequest{Method: "POST", Path: "/crm/v3/objects/contacts", JSON: `{"properties": {"email": "ada@example.com"}}`},
		},
		{
			name: "intercom contact search",
			slug: "INTERCOM_SEARCH_CONTACTS",
			args: map[string]any{"query": map[string]any{"field": "email", "operator": "=", "value": "ada@example.com"}},
			want: wantRequest{Method: "POST", Path: "/contacts/search", Header: http.Header{"Intercom-Version": {"2.14"}}, JSON: `{"query": {"field": "email", "operator": "=", "value": "ada@example.com"}}`},
		},
		{
			name: "pagerduty incidents by status",
			slug: "PAGERDUTY_LIST_INCIDENTS",
			args: map[string]any{"statuses_": "triggered", "limit": 5},
			want: wantRequest{Method: "GET", Path: "/incidents", Query: url.Values{"statuses[]": {"triggered"}, "limit": {"5"}, "total": {"false"}},
				Header: http.Header{"Accept": {"application/vnd.pagerduty+json;version=2"}, "Content-Type": {"application/json"}}},
		},
		{
			name: "sentry resolve an issue",
			slug: "SENTRY_UPDATE_AN_ISSUE",
			args: map[string]any{"organization_id_or_slug": "acme", "issue_id": "42", "status": "resolved"},
			want: wantRequest{Method: "PUT", Path: "/api/0/organizations/acme/issues/42/", JSON: `{"status": "resolved"}`},
		},
		{
			name: "stripe customer form with a nested address",
			slug: "STRIPE_CREATE_CUSTOMER",
			args: map[string]any{"email": "ada@example.com", "address_city": "London"},
			want: wantRequest{Method: "POST", Path: "/v1/customers", Form: url.Values{"email": {"ada@example.com"}, "address[city]": {"London"}}},
		},
		{
			name: "twilio send SMS",
			slug: "TWILIO_SEND_MESSAGE",
			args: map[string]any{"AccountSid": "AC0123456789abcdef0123456789abcdef", "To": "+15551234567", "From": "+15557654321", "Body": "hi"},
			want: wantRequest{Method: "POST", Path: "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json", Form: url.Values{"To": {"+15551234567"}, "From": {"+15557654321"}, "Body": {"hi"}}},
		},
		{
			name: "notion query data source: the newer API version on the tool",
			slug: "NOTION_QUERY_DATA_SOURCE",
			args: map[string]any{"data_source_id": "ds-1", "filter": map[string]any{"property": "Done", "checkbox": map[string]any{"equals": true}}, "page_size": 5},
			want: wantRequest{Method: "POST", Path: "/data_sources/ds-1/query", Header: http.Header{"Notion-Version": {"2025-09-03"}}, JSON: `{
				"filter": {"property": "Done", "checkbox": {"equals": true}}, "page_size": 5}`},
		},
		{
			name: "notion page as markdown",
			slug: "NOTION_RETRIEVE_PAGE_MARKDOWN",
			args: map[string]any{"page_id": "p-1"},
			want: wantRequest{Method: "GET", Path: "/pages/p-1/markdown", Query: url.Values{"include_transcript": {"false"}}, Header: http.Header{"Notion-Version": {"2026-03-11"}}},
		},
		// sendgrid, netlify, okta, square, openai, digitalocean
		{
			name: "sendgrid send mail with personalizations",
			slug: "SENDGRID_SEND_EMAIL",
			args: map[string]any{"from": map[string]any{"email": "ops@example.com"}, "personalizations": []any{map[string]any{"to": []any{map[string]any{"email": "ada@example.com"}}}},
				"subject": "Hi", "content": []any{map[string]any{"type": "text/plain", "value": "Hello"}}},
			want: wantRequest{Method: "POST", Path: "/v3/mail/send", JSON: `{"from": {"email": "ops@example.com"}, "personalizations": [{"to": [{"email": "ada@example.com"}]}],
				"subject": "Hi", "content": [{"type": "text/plain", "value": "Hello"}]}`},
		},
		{
			name: "netlify deploys of a branch",
			slug: "NETLIFY_LIST_SITE_DEPLOYS",
			args: map[string]any{"site_id": "example.netlify.app", "branch": "main", "per_page": 10},
			want: wantRequest{Method: "GET", Path: "/sites/example.netlify.app/deploys", Query: url.Values{"branch": {"main"}, "per_page": {"10"}}},
		},
		{
			name: "okta users by search expression",
			slug: "OKTA_LIST_USERS",
			args: map[string]any{"search": `profile.department eq "Sales"`, "limit": 20},
			want: wantRequest{Method: "GET", Path: "/api/v1/users", Query: url.Values{"search": {`profile.department eq "Sales"`}, "limit": {"20"}}},
		},
		{
			name: "okta add a user to a group",
			slug: "OKTA_ADD_USER_TO_GROUP",
			args: map[string]any{"groupId": "00g1", "userId": "00u1"},
			want: wantRequest{Method: "PUT", Path: "/api/v1/groups/00g1/users/00u1"},
		},
		{
			name: "square payment with money",
			slug: "SQUARE_CREATE_PAYMENT",
			args: map[string]any{"source_id": "cnon:card-nonce-ok", "idempotency_key": "k-1", "amount_money": map[string]any{"amount": 100, "currency": "USD"}},
			want: wantRequest{Method: "POST", Path: "/v2/payments",
				JSON: `{"source_id": "cnon:card-nonce-ok", "idempotency_key": "k-1", "amount_money": {"amount": 100, "currency": "USD"}}`},
		},
		{
			name: "openai chat completion",
			slug: "OPENAI_CREATE_CHAT_COMPLETION",
			args: map[string]any{"model": "gpt-4o-mini", "messages": []any{map[string]any{"role": "user", "content": "Hi"}}},
			want: wantRequest{Method: "POST", Path: "/chat/completions", JSON: `{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}`},
		},
		{
			name: "digitalocean droplet power action",
			slug: "DIGITALOCEAN_INITIATE_A_DROPLET_ACTION",
			args: map[string]any{"droplet_id": 3164444, "type": "power_off"},
			want: wantRequest{Method: "POST", Path: "/v2/droplets/3164444/actions", JSON: `{"type": "power_off"}`},
		},
		// linear
		{
			name: "linear labels: the team filter is left out without a team",
			slug: "LINEAR_LIST_LINEAR_LABELS",
			args: map[string]any{"first": 20},
			want: wantRequest{Method: "POST", Path: "/graphql", JSON: `{
				"query": "query IssueLabels($filter: IssueLabelFilter, $first: Int, $after: String, $includeArchived: Boolean) { issueLabels(filter: $filter, first: $first, after: $after, includeArchived: $includeArchived) { nodes { id name color description team { id key } parent { id name } } pageInfo { hasNextPage endCursor } } }",
				"variables": {"first": 20}}`},
		},
		{
			name: "linear relation",
			slug: "LINEAR_CREATE_ISSUE_RELATION",
			args: map[string]any{"issue_id": "ENG-1", "related_issue_id": "ENG-2", "type": "blocks"},
			want: wantRequest{Method: "POST", Path: "/graphql", JSON: `{
				"query": "mutation IssueRelationCreate($input: IssueRelationCreateInput!) { issueRelationCreate(input: $input) { success issueRelation { id type issue { id identifier } relatedIssue { id identifier } } } }",
				"variables": {"input": {"issueId": "ENG-1", "relatedIssueId": "ENG-2", "type": "blocks"}}}`},
		},
		{
			name: "create issue: variables renamed into the input",
			slug: "LINEAR_CREATE_LINEAR_ISSUE",
			args: map[string]any{"team_id": "team-1", "title": "Crash on start", "priority": 2, "label_ids": []string{"l-1"}},
			want: wantRequest{Method: "POST", Path: "/graphql", JSON: `{
				"query": "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier title url priority state { id name type } assignee { id name } team { id key } } } }",
				"variables": {"input": {"teamId": "team-1", "title": "Crash on start", "priority": 2, "labelIds": ["l-1"]}}}`},
		},
		{
			name: "viewer without variables",
			slug: "LINEAR_GET_CURRENT_USER",
			args: map[string]any{},
			want: wantRequest{Method: "POST", Path: "/graphql", JSON: `{
				"query": "query Viewer { viewer { id name email displayName active admin } organization { id name urlKey } }"}`},
		},
		{
			name: "list issues builds the filter from what is given",
			slug: "LINEAR_LIST_LINEAR_ISSUES",
			args: map[string]any{"assignee_id": "u-1", "state_type": "started", "first": 10},
			want: wantRequest{Method: "POST", Path: "/graphql", JSON: `{
				"query": "query Issues($filter: IssueFilter, $first: Int, $after: String, $includeArchived: Boolean) { issues(filter: $filter, first: $first, after: $after, includeArchived: $includeArchived, orderBy: updatedAt) { nodes { id identifier title url priority state { id name type } assignee { id name } team { id key } } pageInfo { hasNextPage endCursor } } }",
				"variables": {"filter": {"assignee": {"id": {"eq": "u-1"}}, "state": {"type": {"eq": "started"}}}, "first": 10}}`},
		},
		{
			name: "raw GraphQL",
			slug: "LINEAR_RUN_QUERY_OR_MUTATION",
			args: map[string]any{"query": "query($n: Int) { teams(first: $n) { nodes { id } } }", "variables": map[string]any{"n": 3}},
			want: wantRequest{Method: "POST", Path: "/graphql", JSON: `{
				"query": "query($n: Int) { teams(first: $n) { nodes { id } } }", "variables": {"n": 3}}`},
		},
		// googledrive
		{
			name: "find files: the query and paging in the query string",
			slug: "GOOGLEDRIVE_FIND_FILE",
			args: map[string]any{"query": "name contains 'plan' and trashed = false", "page_size": 10, "supports_all_drives": true},
			want: wantRequest{Method: "GET", Path: "/files", Query: url.Values{
				"q": {"name contains 'plan' and trashed = false"}, "pageSize": {"10"}, "supportsAllDrives": {"true"}}},
		},
		{
			name: "create folder: the folder MIME type is a constant",
			slug: "GOOGLEDRIVE_CREATE_FOLDER",
			args: map[string]any{"name": "Reports", "parent_ids": []string{"p-1"}},
			want: wantRequest{Method: "POST", Path: "/files", JSON: `{"mimeType": "application/vnd.google-apps.folder", "name": "Reports", "parents": ["p-1"]}`},
		},
		{
			name: "move file: parents in the query",
			slug: "GOOGLEDRIVE_MOVE_FILE",
			args: map[string]any{"file_id": "f-1", "add_parents": "p-2", "remove_parents": "p-1"},
			want: wantRequest{Method: "PATCH", Path: "/files/f-1", Query: url.Values{"addParents": {"p-2"}, "removeParents": {"p-1"}}},
		},
		// googlesheets
		{
			name: "read a range: A1 notation in the path",
			slug: "GOOGLESHEETS_VALUES_GET",
			args: map[string]any{"spreadsheet_id": "s-1", "range": "Sheet1!A1:B2"},
			want: wantRequest{Method: "GET", Path: "/v4/spreadsheets/s-1/values/Sheet1%21A1:B2"},
		},
		{
			name: "append rows with the default input option",
			slug: "GOOGLESHEETS_SPREADSHEETS_VALUES_APPEND",
			args: map[string]any{"spreadsheet_id": "s-1", "range": "Sheet1", "values": []any{[]any{"Ada", "42"}}},
			want: wantRequest{Method: "POST", Path: "/v4/spreadsheets/s-1/values/Sheet1:append", Query: url.Values{"valueInputOption": {"USER_ENTERED"}},
				JSON: `{"values": [["Ada", "42"]]}`},
		},
		{
			name: "add sheet: one batchUpdate request",
			slug: "GOOGLESHEETS_ADD_SHEET",
			args: map[string]any{"spreadsheet_id": "s-1", "title": "Q3"},
			want: wantRequest{Method: "POST", Path: "/v4/spreadsheets/s-1:batchUpdate", JSON: `{"requests": [{"addSheet": {"properties": {"title": "Q3"}}}]}`},
		},
		// googledocs
		{
			name: "append text at the end of the body",
			slug: "GOOGLEDOCS_APPEND_TEXT",
			args: map[string]any{"document_id": "d-1", "text": "Hello\n"},
			want: wantRequest{Method: "POST", Path: "/v1/documents/d-1:batchUpdate", JSON: `{"requests": [{"insertText": {"text": "Hello\n", "endOfSegmentLocation": {"segmentId": ""}}}]}`},
		},
		{
			name: "replace all text",
			slug: "GOOGLEDOCS_REPLACE_ALL_TEXT",
			args: map[string]any{"document_id": "d-1", "find": "{{name}}", "replace_text": "Ada", "match_case": true},
			want: wantRequest{Method: "POST", Path: "/v1/documents/d-1:batchUpdate", JSON: `{"requests": [{"replaceAllText": {"containsText": {"text": "{{name}}", "matchCase": true}, "replaceText": "Ada"}}]}`},
		},
		// box
		{
			name: "list folder items",
			slug: "BOX_LIST_ITEMS_IN_FOLDER",
			args: map[string]any{"folder_id": "0", "limit": 50},
			want: wantRequest{Method: "GET", Path: "/folders/0/items", Query: url.Values{"limit": {"50"}, "offset": {"0"}}},
		},
		{
			name: "create folder in the root",
			slug: "BOX_CREATE_FOLDER",
			args: map[string]any{"name": "Reports", "parent": map[string]any{"id": "0"}},
			want: wantRequest{Method: "POST", Path: "/folders", JSON: `{"name": "Reports", "parent": {"id": "0"}}`},
		},
		// discordbot
		{
			name: "post a message",
			slug: "DISCORDBOT_CREATE_MESSAGE",
			args: map[string]any{"channel_id": "123", "content": "Deploy done"},
			want: wantRequest{Method: "POST", Path: "/channels/123/messages", JSON: `{"content": "Deploy done"}`},
		},
		{
			name: "react with an emoji: the emoji is path-escaped",
			slug: "DISCORDBOT_ADD_MY_MESSAGE_REACTION",
			args: map[string]any{"channel_id": "123", "message_id": "456", "emoji_name": "👍"},
			want: wantRequest{Method: "PUT", Path: "/channels/123/messages/456/reactions/%F0%9F%91%8D/@me"},
		},
		// outlook
		{
			name: "send mail: the Graph message shape",
			slug: "OUTLOOK_OUTLOOK_SEND_EMAIL",
			args: map[string]any{"to_email": "ada@example.com", "subject": "Hi", "body": "Hello"},
			want: wantRequest{Method: "POST", Path: "/me/sendMail", JSON: `{"message": {"subject": "Hi", "body": {"contentType": "Text", "content": "Hello"},
				"toRecipients": [{"emailAddress": {"address": "ada@example.com"}}]}, "saveToSentItems": true}`},
		},
		{
			name: "list messages: OData options",
			slug: "OUTLOOK_OUTLOOK_LIST_MESSAGES",
			args: map[string]any{"top": 5, "filter": "isRead eq false", "select": []string{"id", "subject"}},
			want: wantRequest{Method: "GET", Path: "/me/messages", Query: url.Values{"$top": {"5"}, "$filter": {"isRead eq false"}, "$select": {"id,subject"}}},
		},
		// microsoft_teams
		{
			name: "post a channel message",
			slug: "MICROSOFT_TEAMS_TEAMS_POST_CHANNEL_MESSAGE",
			args: map[string]any{"team_id": "t-1", "channel_id": "19:abc@thread.tacv2", "content": "Standup in 5"},
			want: wantRequest{Method: "POST", Path: "/teams/t-1/channels/19:abc@thread.tacv2/messages", JSON: `{"body": {"content": "Standup in 5", "contentType": "text"}}`},
		},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.slug+"/"+tt.name, func(t *testing.T) {
			tool := mustTool(t, c, tt.slug)
			covered[tool.Toolkit] = true
			got, err := tool.BuildRequest(tt.args)
			if err != nil {
				t.Fatalf("BuildRequest: %v", err)
			}
			checkRequest(t, got, tt.want)
		})
	}
	for _, tk := range c.List() {
		if !covered[tk.Slug] {
			t.Errorf("toolkit %s has no BuildRequest case", tk.Slug)
		}
	}
}

func TestBuildRequest_ExactBody(t *testing.T) {
	c := builtin(t)
	got, err := mustTool(t, c, "GITHUB_CREATE_AN_ISSUE").BuildRequest(map[string]any{
		"owner": "o", "repo": "r", "title": "a <b> & c", "assignees": []string{"ada"}})
	if err != nil {
		t.Fatal(err)
	}
	// Keys sorted, no HTML escaping, no trailing newline.
	if want := `{"assignees":["ada"],"title":"a <b> & c"}`; string(got.Body) != want {
		t.Errorf("got body %s, want %s", got.Body, want)
	}
}

func TestBuildRequest_PathEscaping(t *testing.T) {
	c := builtin(t)
	tool := mustTool(t, c, "GITHUB_GET_A_REPOSITORY")
	tests := []struct{ owner, want string }{
		{"../admin", "..%2Fadmin"},
		{"a/b", "a%2Fb"},
		{"a?b=c", "a%3Fb=c"},
		{"a#frag", "a%23frag"},
		{"a b", "a%20b"},
		{"%2e%2e", "%252e%252e"},
		{"x\r\nHost: evil", "x%0D%0AHost:%20evil"},
		{"ünï", "%C3%BCn%C3%AF"},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			got, err := tool.BuildRequest(map[string]any{"owner": tt.owner, "repo": "r"})
			if err != nil {
				t.Fatalf("BuildRequest: %v", err)
			}
			if want := "/repos/" + tt.want + "/r"; got.Path != want {
				t.Errorf("got path %q, want %q", got.Path, want)
			}
			// Joined to the base URL, the value stays one segment on the same host.
			u, err := url.Parse("https://api.github.com" + got.Path)
			if err != nil {
				t.Fatalf("parse joined URL: %v", err)
			}
			if u.Host != "api.github.com" || u.RawQuery != "" || u.Fragment != "" || u.EscapedPath() != got.Path {
				t.Errorf("joined URL %s: host %q, query %q, fragment %q, path %q", u, u.Host, u.RawQuery, u.Fragment, u.EscapedPath())
			}
			if segs := strings.Split(u.EscapedPath(), "/"); len(segs) != 4 {
				t.Errorf("joined path %q has %d segments, want 4", u.EscapedPath(), len(segs))
			}
		})
	}
}

func TestBuildRequest_Errors(t *testing.T) {
	c := builtin(t)
	tests := []struct {
		name string
		slug string
		args map[string]any
		want []ArgProblem
	}{
		{
			name: "missing required",
			slug: "GMAIL_FETCH_MESSAGE_BY_MESSAGE_ID",
			args: map[string]any{},
			want: []ArgProblem{{Field: "message_id", Code: CodeRequired, Message: "message_id is required"}},
		},
		{
			name: "null required",
			slug: "GITHUB_GET_A_REPOSITORY",
			args: map[string]any{"owner": nil, "repo": "r"},
			want: []ArgProblem{{Field: "owner", Code: CodeRequired, Message: "owner is required"}},
		},
		{
			name: "one of a group",
			slug: "GMAIL_SEND_EMAIL",
			args: map[string]any{"is_html": true},
			want: []ArgProblem{
				{Field: "recipient_email", Code: CodeRequired, Message: "one of recipient_email, extra_recipients, cc or bcc is required"},
				{Field: "subject", Code: CodeRequired, Message: "one of subject or body is required"},
			},
		},
		{
			name: "wrong types",
			slug: "GITHUB_GET_AN_ISSUE",
			args: map[string]any{"owner": 1, "repo": []string{"r"}, "issue_number": "7"},
			want: []ArgProblem{
				{Field: "issue_number", Code: CodeType, Message: "issue_number must be an integer, got a string"},
				{Field: "owner", Code: CodeType, Message: "owner must be a string, got a number"},
				{Field: "repo", Code: CodeType, Message: "repo must be a string, got an array"},
			},
		},
		{
			name: "fraction for an integer",
			slug: "GITHUB_GET_AN_ISSUE",
			args: map[string]any{"owner": "o", "repo": "r", "issue_number": 1.5},
			want: []ArgProblem{{Field: "issue_number", Code: CodeType, Message: "issue_number must be an integer, got a number"}},
		},
		{
			name: "out of range",
			slug: "GMAIL_FETCH_EMAILS",
			args: map[string]any{"max_results": 0, "include_spam_trash": "yes"},
			want: []ArgProblem{
				{Field: "include_spam_trash", Code: CodeType, Message: "include_spam_trash must be true or false, got a string"},
				{Field: "max_results", Code: CodeRange, Message: "max_results must be at least 1"},
			},
		},
		{
			name: "unknown field",
			slug: "GITHUB_GET_A_REPOSITORY",
			args: map[string]any{"owner": "o", "repo": "r", "branch": "main"},
			want: []ArgProblem{{Field: "branch", Code: CodeUnknown, Message: "branch is not a known parameter; the parameters are owner, repo"}},
		},
		{
			name: "enum",
			slug: "GMAIL_FETCH_MESSAGE_BY_MESSAGE_ID",
			args: map[string]any{"message_id": "m", "format": "html"},
			want: []ArgProblem{{Field: "format", Code: CodeEnum, Message: `format must be one of "full", "metadata", "minimal", "raw", got "html"`}},
		},
		{
			name: "a long value is not echoed",
			slug: "GMAIL_FETCH_MESSAGE_BY_MESSAGE_ID",
			args: map[string]any{"message_id": "m", "format": strings.Repeat("x", 60)},
			want: []ArgProblem{{Field: "format", Code: CodeEnum, Message: `format must be one of "full", "metadata", "minimal", "raw"`}},
		},
		{
			name: "array item",
			slug: "GMAIL_FETCH_EMAILS",
			args: map[string]any{"label_ids": []any{"INBOX", 2}},
			want: []ArgProblem{{Field: "label_ids[1]", Code: CodeType, Message: "label_ids[1] must be a string, got a number"}},
		},
		{
			name: "nested required and empty array",
			slug: "GOOGLECALENDAR_FREE_BUSY_QUERY",
			args: map[string]any{"time_min": "a", "time_max": "b", "items": []any{map[string]any{"email": "x"}}},
			want: []ArgProblem{{Field: "items[0].id", Code: CodeRequired, Message: "items[0].id is required"}},
		},
		{
			name: "too few items",
			slug: "GOOGLECALENDAR_FREE_BUSY_QUERY",
			args: map[string]any{"time_min": "a", "time_max": "b", "items": []any{}},
			want: []ArgProblem{{Field: "items", Code: CodeItems, Message: "items must have at least 1 item(s), got 0"}},
		},
		{
			name: "empty string",
			slug: "GITHUB_CREATE_AN_ISSUE",
			args: map[string]any{"owner": "o", "repo": "r", "title": ""},
			want: []ArgProblem{{Field: "title", Code: CodeLength, Message: "title must not be empty"}},
		},
		{
			name: "dot-dot path value",
			slug: "GITHUB_GET_A_REPOSITORY",
			args: map[string]any{"owner": "..", "repo": "."},
			want: []ArgProblem{
				{Field: "owner", Code: CodeInvalid, Message: `owner must not be empty, "." or ".."`},
				{Field: "repo", Code: CodeInvalid, Message: `repo must not be empty, "." or ".."`},
			},
		},
		{
			name: "dot-dot segment in a path argument",
			slug: "GITHUB_GET_REPOSITORY_CONTENT",
			args: map[string]any{"owner": "o", "repo": "r", "path": "docs/../../secrets"},
			want: []ArgProblem{{Field: "path", Code: CodeInvalid, Message: `path must be a relative path without empty, "." or ".." segments`}},
		},
		{
			name: "unknown field and path problem together",
			slug: "GITHUB_GET_A_REPOSITORY",
			args: map[string]any{"owner": "", "repo": "r", "x": 1},
			want: []ArgProblem{
				{Field: "x", Code: CodeUnknown, Message: "x is not a known parameter; the parameters are owner, repo"},
				{Field: "owner", Code: CodeInvalid, Message: `owner must not be empty, "." or ".."`},
			},
		},
		{
			name: "bad recipient",
			slug: "GMAIL_SEND_EMAIL",
			args: map[string]any{"recipient_email": "ada at example", "cc": []string{"ok@example.com", "nope"}, "subject": "Hi"},
			want: []ArgProblem{
				{Field: "recipient_email", Code: CodeInvalid, Message: `recipient_email must be an email address such as ada@example.com or "Ada Lovelace <ada@example.com>", got "ada at example"`},
				{Field: "cc[1]", Code: CodeInvalid, Message: `cc[1] must be an email address such as ada@example.com or "Ada Lovelace <ada@example.com>", got "nope"`},
			},
		},
		{
			name: "header injection through the subject",
			slug: "GMAIL_SEND_EMAIL",
			args: map[string]any{"recipient_email": "ada@example.com", "subject": "Hi\r\nBcc: eve@example.com"},
			want: []ArgProblem{{Field: "subject", Code: CodeInvalid, Message: "subject must be a single line"}},
		},
		{
			name: "event time",
			slug: "GOOGLECALENDAR_CREATE_EVENT",
			args: map[string]any{"start_datetime": "tomorrow at 9"},
			want: []ArgProblem{{Field: "start_datetime", Code: CodeInvalid, Message: `start_datetime must be an ISO 8601 date-time such as 2026-01-19T09:00:00 (local time in timezone), 2026-01-19T09:00:00-08:00, or a date 2026-01-19 for an all-day event, got "tomorrow at 9"`}},
		},
		{
			name: "local event time without a zone",
			slug: "GOOGLECALENDAR_CREATE_EVENT",
			args: map[string]any{"start_datetime": "2026-01-19T09:00:00"},
			want: []ArgProblem{{Field: "timezone", Code: CodeRequired, Message: "timezone is required when start_datetime has no UTC offset; give an IANA name such as America/New_York"}},
		},
		{
			name: "patch with nothing to change",
			slug: "GOOGLECALENDAR_PATCH_EVENT",
			args: map[string]any{"event_id": "e", "send_updates": "all"},
			want: []ArgProblem{{Field: "summary", Code: CodeRequired, Message: "one of summary, description, location, start_datetime, end_datetime or attendees is required"}},
		},
		{
			name: "slack message without text",
			slug: "SLACK_SEND_MESSAGE",
			args: map[string]any{"channel": "C1", "thread_ts": "1.2"},
			want: []ArgProblem{{Field: "text", Code: CodeRequired, Message: "one of text, markdown_text or blocks is required"}},
		},
		{
			name: "linear priority",
			slug: "LINEAR_CREATE_LINEAR_ISSUE",
			args: map[string]any{"team_id": "t", "title": "x", "priority": 9},
			want: []ArgProblem{{Field: "priority", Code: CodeRange, Message: "priority must be at most 4"}},
		},
		{
			name: "not JSON-encodable",
			slug: "GMAIL_LIST_LABELS",
			args: map[string]any{"user_id": func() {}},
			want: []ArgProblem{{Code: CodeType, Message: "the arguments must be a JSON object: json: unsupported type: func()"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.slug+"/"+tt.name, func(t *testing.T) {
			_, err := mustTool(t, c, tt.slug).BuildRequest(tt.args)
			var ae *ArgsError
			if !errors.As(err, &ae) {
				t.Fatalf("BuildRequest: err = %v, want an *ArgsError", err)
			}
			if ae.Tool != tt.slug {
				t.Errorf("ArgsError.Tool = %q, want %q", ae.Tool, tt.slug)
			}
			if diff := cmp.Diff(tt.want, ae.Problems); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
			var msgs []string
			for _, p := range tt.want {
				msgs = append(msgs, p.Message)
			}
			if got, want := err.Error(), strings.Join(msgs, "; "); got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
		})
	}
}

// decodeRaw decodes a Gmail raw message and parses it.
func decodeRaw(t *testing.T, body []byte, path ...string) (*mail.Message, string) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	for _, k := range path {
		doc, _ = doc[k].(map[string]any)
	}
	raw, _ := doc["raw"].(string)
	if strings.ContainsAny(raw, "+/") {
		t.Errorf("raw %q is not base64url", raw)
	}
	msgBytes, err := base64.URLEncoding.DecodeString(raw)
	if err != nil {
		t.Fatalf("raw is not base64url: %v", err)
	}
	if strings.Contains(strings.ReplaceAll(string(msgBytes), "\r\n", ""), "\n") {
		t.Errorf("message has bare LF line endings:\n%s", msgBytes)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(msgBytes)))
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v\n%s", err, msgBytes)
	}
	if got := msg.Header.Get("Content-Transfer-Encoding"); got != "base64" {
		t.Fatalf("Content-Transfer-Encoding = %q, want base64", got)
	}
	text, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	if err != nil {
		t.Fatalf("body is not base64: %v", err)
	}
	return msg, string(text)
}

func TestBuildRequest_GmailRawMessage(t *testing.T) {
	c := builtin(t)
	body := "Hello Ada,\n\nThe report is attached below. " + strings.Repeat("Long line. ", 20) + "\n\n— Bob"
	got, err := mustTool(t, c, "GMAIL_SEND_EMAIL").BuildRequest(map[string]any{
		"recipient_email":  "Ada Lovelace <ada@example.com>",
		"extra_recipients": []string{"charles@example.com"},
		"cc":               []string{"Zoë <zoe@example.com>"},
		"bcc":              []string{"audit@example.com"},
		"subject":          "Quarterly report — Q1",
		"body":             body,
	})
	if err != nil {
		t.Fatalf("BuildRequest: %v", err)
	}
	if got.Method != "POST" || got.Path != "/users/me/messages/send" || got.ContentType != "application/json" {
		t.Errorf("got %s %s (%s), want POST /users/me/messages/send (application/json)", got.Method, got.Path, got.ContentType)
	}
	msg, text := decodeRaw(t, got.Body)
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decode Subject: %v", err)
	}
	cc, err := msg.Header.AddressList("Cc")
	if err != nil {
		t.Fatalf("parse Cc: %v", err)
	}
	gotHeaders := map[string]string{
		"To":           msg.Header.Get("To"),
		"Cc":           cc[0].Name + " <" + cc[0].Address + ">",
		"Bcc":          msg.Header.Get("Bcc"),
		"Subject":      subject,
		"MIME-Version": msg.Header.Get("MIME-Version"),
		"Content-Type": msg.Header.Get("Content-Type"),
		"From":         msg.Header.Get("From"),
	}
	wantHeaders := map[string]string{
		"To":           `"Ada Lovelace" <ada@example.com>, charles@example.com`,
		"Cc":           "Zoë <zoe@example.com>",
		"Bcc":          "audit@example.com",
		"Subject":      "Quarterly report — Q1",
		"MIME-Version": "1.0",
		"Content-Type": `text/plain; charset="UTF-8"`,
		"From":         "",
	}
	if diff := cmp.Diff(wantHeaders, gotHeaders); diff != "" {
		t.Errorf("headers mismatch (-want +got):\n%s", diff)
	}
	if text != body {
		t.Errorf("got body %q, want %q", text, body)
	}
}

func TestBuildRequest_GmailDraft(t *testing.T) {
	c := builtin(t)
	got, err := mustTool(t, c, "GMAIL_CREATE_EMAIL_DRAFT").BuildRequest(map[string]any{
		"recipient_email": "ada@example.com", "subject": "Re: plans", "body": "<p>Yes</p>", "is_html": true, "thread_id": "t-9",
	})
	if err != nil {
		t.Fatalf("BuildRequest: %v", err)
	}
	if got.Path != "/users/me/drafts" {
		t.Errorf("got path %q, want /users/me/drafts", got.Path)
	}
	var doc struct {
		Message struct {
			ThreadID string `json:"threadId"`
		} `json:"message"`
	}
	if err := json.Unmarshal(got.Body, &doc); err != nil || doc.Message.ThreadID != "t-9" {
		t.Errorf("got body %s, want message.threadId t-9", got.Body)
	}
	msg, text := decodeRaw(t, got.Body, "message")
	if ct := msg.Header.Get("Content-Type"); ct != `text/html; charset="UTF-8"` {
		t.Errorf("Content-Type = %q, want text/html", ct)
	}
	if to := msg.Header.Get("To"); to != "ada@example.com" {
		t.Errorf("To = %q, want ada@example.com", to)
	}
	if text != "<p>Yes</p>" {
		t.Errorf("got body %q, want <p>Yes</p>", text)
	}
}

func TestBuildRequest_CalendarMeet(t *testing.T) {
	c := builtin(t)
	tool := mustTool(t, c, "GOOGLECALENDAR_CREATE_EVENT")
	args := map[string]any{"start_datetime": "2026-01-19T09:00:00Z", "create_meeting_room": true}
	first, err := tool.BuildRequest(args)
	if err != nil {
		t.Fatalf("BuildRequest: %v", err)
	}
	second, _ := tool.BuildRequest(args)
	if diff := cmp.Diff(url.Values{"conferenceDataVersion": {"1"}}, first.Query); diff != "" {
		t.Errorf("query mismatch (-want +got):\n%s", diff)
	}
	requestID := func(body []byte) string {
		var doc struct {
			ConferenceData struct {
				CreateRequest struct {
					RequestID string `json:"requestId"`
					Key       struct {
						Type string `json:"type"`
					} `json:"conferenceSolutionKey"`
				} `json:"createRequest"`
			} `json:"conferenceData"`
		}
		if err := json.Unmarshal(body, &doc); err != nil || doc.ConferenceData.CreateRequest.Key.Type != "hangoutsMeet" {
			t.Fatalf("got body %s, want a hangoutsMeet createRequest", body)
		}
		return doc.ConferenceData.CreateRequest.RequestID
	}
	if a, b := requestID(first.Body), requestID(second.Body); a == "" || a == b {
		t.Errorf("requestIds %q and %q: want fresh ones per request", a, b)
	}
}

func TestBuildRequest_CommaArrays(t *testing.T) {
	c, err := Load(withTools(t, "github", validTools))
	if err != nil {
		t.Fatal(err)
	}
	got, err := mustTool(t, c, "GITHUB_GET_AN_ISSUE").BuildRequest(map[string]any{
		"owner": "o", "repo": "r", "issue_number": 3, "labels": []string{"bug", "ui"}})
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, got, wantRequest{Method: "GET", Path: "/repos/o/r/issues/3", Query: url.Values{"labels": {"bug,ui"}}})
}

func TestBuildRequest_NotFromCatalog(t *testing.T) {
	if _, err := (Tool{Slug: "X"}).BuildRequest(nil); err == nil {
		t.Errorf("BuildRequest on a zero Tool succeeded")
	}
}

// TestBuildRequest_GmailReply: a reply carries the thread id beside the raw
// message, and the Message-ID it answers in In-Reply-To and References; a
// value that is not a Message-ID is refused before any request.
func TestBuildRequest_GmailReply(t *testing.T) {
	c := builtin(t)
	tool := mustTool(t, c, "GMAIL_REPLY_TO_THREAD")
	got, err := tool.BuildRequest(map[string]any{
		"thread_id": "t-9", "in_reply_to": "<CAF1x2y3@mail.gmail.com>", "recipient_email": "ada@example.com",
		"subject": "Re: plans", "body": "Sounds good.",
	})
	if err != nil {
		t.Fatalf("BuildRequest: %v", err)
	}
	if got.Method != "POST" || got.Path != "/users/me/messages/send" {
		t.Errorf("got %s %s, want POST /users/me/messages/send", got.Method, got.Path)
	}
	var doc map[string]any
	if err := json.Unmarshal(got.Body, &doc); err != nil || doc["threadId"] != "t-9" {
		t.Errorf("body %s: want threadId t-9 (%v)", got.Body, err)
	}
	msg, text := decodeRaw(t, got.Body)
	for _, h := range []string{"In-Reply-To", "References"} {
		if v := msg.Header.Get(h); v != "<CAF1x2y3@mail.gmail.com>" {
			t.Errorf("%s = %q, want <CAF1x2y3@mail.gmail.com>", h, v)
		}
	}
	if msg.Header.Get("Subject") != "Re: plans" || text != "Sounds good." {
		t.Errorf("subject %q, body %q", msg.Header.Get("Subject"), text)
	}

	for _, bad := range []string{"CAF1x2y3@mail.gmail.com", "<a@b>\r\nBcc: eve@example.com"} {
		_, err := tool.BuildRequest(map[string]any{
			"thread_id": "t-9", "in_reply_to": bad, "recipient_email": "ada@example.com", "subject": "Re: plans", "body": "x",
		})
		var ae *ArgsError
		if !errors.As(err, &ae) || len(ae.Problems) == 0 || ae.Problems[0].Field != "in_reply_to" {
			t.Errorf("in_reply_to %q: got %v, want a problem with in_reply_to", bad, err)
		}
	}
}
