package toolkits

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func mustTool(t *testing.T, c *Catalog, slug string) Tool {
	t.Helper()
	tool, ok := c.Tool(slug)
	if !ok {
		t.Fatalf("Tool(%q) not found", slug)
	}
	return tool
}

func TestBuiltin_Tools(t *testing.T) {
	c := builtin(t)
	tools := c.Tools()
	if len(tools) < 40 {
		t.Errorf("got %d tools, want at least 40", len(tools))
	}
	if !slices.IsSortedFunc(tools, func(a, b Tool) int { return strings.Compare(a.Slug, b.Slug) }) {
		t.Errorf("Tools() is not sorted by slug")
	}
	for _, tk := range c.List() {
		n := len(c.Tools(tk.Slug))
		if n < 4 {
			t.Errorf("toolkit %s has %d tools, want at least 4", tk.Slug, n)
		}
		if tk.ToolsCount != n {
			t.Errorf("toolkit %s: ToolsCount = %d, want %d", tk.Slug, tk.ToolsCount, n)
		}
		if got, _ := c.Get(tk.Slug); got.ToolsCount != n {
			t.Errorf("Get(%s).ToolsCount = %d, want %d", tk.Slug, got.ToolsCount, n)
		}
	}
	for _, tool := range tools {
		t.Run(tool.Slug, func(t *testing.T) {
			if tool.Name == "" || len(tool.Description) < 30 || tool.Version == "" {
				t.Errorf("name %q, description %q, version %q: want all set, the description a sentence", tool.Name, tool.Description, tool.Version)
			}
			if _, ok := c.Get(tool.Toolkit); !ok {
				t.Errorf("toolkit %q does not exist", tool.Toolkit)
			}
			if len(tool.Tags) == 0 {
				t.Errorf("no tags")
			}
			for _, tag := range tool.Tags {
				if !slices.Contains(allowedTags, tag) {
					t.Errorf("tag %q is not allowed", tag)
				}
			}
			checkWireSchema(t, "input", tool.InputSchema)
			checkWireSchema(t, "output", tool.OutputSchema)
		})
	}
}

// checkWireSchema checks what the official SDKs require of a tool's
// input_parameters and output_parameters (composio-v3.1-subset.md §9): a
// JSON Schema whose type is object and whose nested types are all valid
// JSON Schema types. It reads the raw JSON, independently of the package's
// own schema parser.
func checkWireSchema(t *testing.T, what string, raw json.RawMessage) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s schema is not a JSON object: %v", what, err)
	}
	if doc["type"] != "object" {
		t.Errorf("%s schema type = %v, want object", what, doc["type"])
	}
	valid := []string{"string", "integer", "number", "boolean", "array", "object", "null"}
	var walk func(at string, node map[string]any)
	walk = func(at string, node map[string]any) {
		typ, ok := node["type"].(string)
		if !ok || !slices.Contains(valid, typ) {
			t.Errorf("%s: type = %v, want one of %v", at, node["type"], valid)
		}
		if props, ok := node["properties"].(map[string]any); ok {
			for name, p := range props {
				sub, ok := p.(map[string]any)
				if !ok {
					t.Errorf("%s.properties.%s is not a schema", at, name)
					continue
				}
				walk(at+".properties."+name, sub)
			}
		}
		if items, ok := node["items"].(map[string]any); ok {
			walk(at+".items", items)
		}
		if req, ok := node["required"]; ok {
			if _, ok := req.([]any); !ok {
				t.Errorf("%s.required is not an array", at)
			}
		}
	}
	walk(what, doc)
}

func TestCatalog_Tool(t *testing.T) {
	c := builtin(t)
	for _, slug := range []string{"GMAIL_SEND_EMAIL", "gmail_send_email", "Gmail_Send_Email"} {
		if got, ok := c.Tool(slug); !ok || got.Slug != "GMAIL_SEND_EMAIL" || got.Toolkit != "gmail" {
			t.Errorf("Tool(%q) = %q, %v; want GMAIL_SEND_EMAIL of gmail", slug, got.Slug, ok)
		}
	}
	if _, ok := c.Tool("GMAIL_NOPE"); ok {
		t.Errorf("Tool(GMAIL_NOPE) found a tool")
	}
	// Callers share the catalog's tools read-only; appending to a slice
	// copies it.
	tool := mustTool(t, c, "GMAIL_SEND_EMAIL")
	if cap(tool.Tags) != len(tool.Tags) || cap(tool.InputSchema) != len(tool.InputSchema) {
		t.Errorf("a tool's slices are not clipped: an append would write into the catalog")
	}
}

func TestCatalog_Tools(t *testing.T) {
	c := builtin(t)
	all := c.Tools()
	gmail := c.Tools("GMAIL")
	both := c.Tools("slack", "gmail")
	if len(gmail) == 0 || len(both) <= len(gmail) || len(all) <= len(both) {
		t.Fatalf("got %d, %d, %d tools for gmail, slack+gmail, all; want growing counts", len(gmail), len(both), len(all))
	}
	for _, tool := range both {
		if tool.Toolkit != "gmail" && tool.Toolkit != "slack" {
			t.Errorf("Tools(slack, gmail) returned %s of %s", tool.Slug, tool.Toolkit)
		}
	}
	if got := c.Tools("nope"); len(got) != 0 {
		t.Errorf("Tools(nope) = %d tools, want none", len(got))
	}
}

// TestBuiltin_ToolFacts pins each tool's upstream call as toolkits.md gives
// it, so that changing one is deliberate.
func TestBuiltin_ToolFacts(t *testing.T) {
	c := builtin(t)
	var got []string
	for _, tool := range c.Tools() {
		d := tool.def
		var path strings.Builder
		for _, p := range d.path {
			switch {
			case p.arg == "":
				path.WriteString(p.literal)
			case p.rest:
				path.WriteString("{" + p.arg + "...}")
			default:
				path.WriteString("{" + p.arg + "}")
			}
		}
		got = append(got, tool.Slug+" "+d.method+" "+path.String())
	}
	want := []string{
		"ASANA_ADD_PROJECT_TO_TASK POST /tasks/{task_gid}/addProject",
		"ASANA_ADD_TAG_TO_TASK POST /tasks/{task_gid}/addTag",
		"ASANA_ADD_TASK_TO_SECTION POST /sections/{section_gid}/addTask",
		"ASANA_CREATE_A_PROJECT POST /projects",
		"ASANA_CREATE_A_TASK POST /tasks",
		"ASANA_CREATE_SECTION_IN_PROJECT POST /projects/{project_gid}/sections",
		"ASANA_CREATE_SUBTASK POST /tasks/{task_gid}/subtasks",
		"ASANA_CREATE_TASK_COMMENT POST /tasks/{task_gid}/stories",
		"ASANA_DELETE_A_TASK DELETE /tasks/{task_gid}",
		"ASANA_GET_A_PROJECT GET /projects/{project_gid}",
		"ASANA_GET_A_TASK GET /tasks/{task_gid}",
		"ASANA_GET_A_USER GET /users/{user_gid}",
		"ASANA_GET_MULTIPLE_PROJECTS GET /projects",
		"ASANA_GET_MULTIPLE_TASKS GET /tasks",
		"ASANA_GET_MULTIPLE_WORKSPACES GET /workspaces",
		"ASANA_GET_SECTIONS_IN_PROJECT GET /projects/{project_gid}/sections",
		"ASANA_GET_STORIES_FOR_TASK GET /tasks/{task_gid}/stories",
		"ASANA_GET_SUBTASKS_FROM_A_TASK GET /tasks/{task_gid}/subtasks",
		"ASANA_GET_TAGS_IN_WORKSPACE GET /workspaces/{workspace_gid}/tags",
		"ASANA_GET_TASKS_FROM_A_PROJECT GET /projects/{project_gid}/tasks",
		"ASANA_GET_TEAMS_IN_WORKSPACE GET /workspaces/{workspace_gid}/teams",
		"ASANA_GET_USERS_IN_WORKSPACE GET /workspaces/{workspace_gid}/users",
		"ASANA_SEARCH_TASKS_IN_WORKSPACE GET /workspaces/{workspace_gid}/tasks/search",
		"ASANA_UPDATE_A_PROJECT PUT /projects/{project_gid}",
		"ASANA_UPDATE_A_TASK PUT /tasks/{task_gid}",
		"FIGMA_ADD_A_COMMENT_TO_A_FILE POST /v1/files/{file_key}/comments",
		"FIGMA_ADD_A_REACTION_TO_A_COMMENT POST /v1/files/{file_key}/comments/{comment_id}/reactions",
		"FIGMA_CREATE_A_WEBHOOK POST /v2/webhooks",
		"FIGMA_DELETE_A_COMMENT DELETE /v1/files/{file_key}/comments/{comment_id}",
		"FIGMA_DELETE_A_WEBHOOK DELETE /v2/webhooks/{webhook_id}",
		"FIGMA_GET_COMMENTS_IN_A_FILE GET /v1/files/{file_key}/comments",
		"FIGMA_GET_COMPONENT GET /v1/components/{key}",
		"FIGMA_GET_CURRENT_USER GET /v1/me",
		"FIGMA_GET_DEV_RESOURCES GET /v1/files/{file_key}/dev_resources",
		"FIGMA_GET_FILES_IN_A_PROJECT GET /v1/projects/{project_id}/files",
		"FIGMA_GET_FILE_COMPONENTS GET /v1/files/{file_key}/components",
		"FIGMA_GET_FILE_JSON GET /v1/files/{file_key}",
		"FIGMA_GET_FILE_METADATA GET /v1/files/{file_key}/meta",
		"FIGMA_GET_FILE_NODES GET /v1/files/{file_key}/nodes",
		"FIGMA_GET_FILE_STYLES GET /v1/files/{file_key}/styles",
		"FIGMA_GET_IMAGE_FILLS GET /v1/files/{file_key}/images",
		"FIGMA_GET_LOCAL_VARIABLES GET /v1/files/{file_key}/variables/local",
		"FIGMA_GET_PROJECTS_IN_A_TEAM GET /v1/teams/{team_id}/projects",
		"FIGMA_GET_TEAM_COMPONENTS GET /v1/teams/{team_id}/components",
		"FIGMA_GET_TEAM_STYLES GET /v1/teams/{team_id}/styles",
		"FIGMA_GET_VERSIONS_OF_A_FILE GET /v1/files/{file_key}/versions",
		"FIGMA_GET_WEBHOOKS GET /v2/webhooks",
		"FIGMA_RENDER_IMAGES_OF_FILE_NODES GET /v1/images/{file_key}",
		"GITHUB_CREATE_AN_ISSUE POST /repos/{owner}/{repo}/issues",
		"GITHUB_CREATE_AN_ISSUE_COMMENT POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
		"GITHUB_CREATE_A_PULL_REQUEST POST /repos/{owner}/{repo}/pulls",
		"GITHUB_GET_AN_ISSUE GET /repos/{owner}/{repo}/issues/{issue_number}",
		"GITHUB_GET_A_PULL_REQUEST GET /repos/{owner}/{repo}/pulls/{pull_number}",
		"GITHUB_GET_A_REPOSITORY GET /repos/{owner}/{repo}",
		"GITHUB_GET_REPOSITORY_CONTENT GET /repos/{owner}/{repo}/contents/{path...}",
		"GITHUB_GET_THE_AUTHENTICATED_USER GET /user",
		"GITHUB_LIST_BRANCHES GET /repos/{owner}/{repo}/branches",
		"GITHUB_LIST_COMMITS GET /repos/{owner}/{repo}/commits",
		"GITHUB_LIST_PULL_REQUESTS GET /repos/{owner}/{repo}/pulls",
		"GITHUB_LIST_REPOSITORIES_FOR_THE_AUTHENTICATED_USER GET /user/repos",
		"GITHUB_LIST_REPOSITORY_ISSUES GET /repos/{owner}/{repo}/issues",
		"GITHUB_MERGE_A_PULL_REQUEST PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge",
		"GITHUB_SEARCH_ISSUES_AND_PULL_REQUESTS GET /search/issues",
		"GITHUB_STAR_A_REPOSITORY_FOR_THE_AUTHENTICATED_USER PUT /user/starred/{owner}/{repo}",
		"GMAIL_ADD_LABEL_TO_EMAIL POST /users/{user_id}/messages/{message_id}/modify",
		"GMAIL_CREATE_EMAIL_DRAFT POST /users/{user_id}/drafts",
		"GMAIL_CREATE_LABEL POST /users/{user_id}/labels",
		"GMAIL_FETCH_EMAILS GET /users/{user_id}/messages",
		"GMAIL_FETCH_MESSAGE_BY_MESSAGE_ID GET /users/{user_id}/messages/{message_id}",
		"GMAIL_FETCH_MESSAGE_BY_THREAD_ID GET /users/{user_id}/threads/{thread_id}",
		"GMAIL_GET_PROFILE GET /users/{user_id}/profile",
		"GMAIL_LIST_DRAFTS GET /users/{user_id}/drafts",
		"GMAIL_LIST_LABELS GET /users/{user_id}/labels",
		"GMAIL_LIST_THREADS GET /users/{user_id}/threads",
		"GMAIL_MOVE_TO_TRASH POST /users/{user_id}/messages/{message_id}/trash",
		"GMAIL_SEND_DRAFT POST /users/{user_id}/drafts/send",
		"GMAIL_SEND_EMAIL POST /users/{user_id}/messages/send",
		"GOOGLECALENDAR_CREATE_EVENT POST /calendars/{calendar_id}/events",
		"GOOGLECALENDAR_DELETE_EVENT DELETE /calendars/{calendar_id}/events/{event_id}",
		"GOOGLECALENDAR_EVENTS_GET GET /calendars/{calendar_id}/events/{event_id}",
		"GOOGLECALENDAR_EVENTS_LIST GET /calendars/{calendarId}/events",
		"GOOGLECALENDAR_FIND_EVENT GET /calendars/{calendar_id}/events",
		"GOOGLECALENDAR_FREE_BUSY_QUERY POST /freeBusy",
		"GOOGLECALENDAR_GET_CALENDAR GET /calendars/{calendar_id}",
		"GOOGLECALENDAR_LIST_CALENDARS GET /users/me/calendarList",
		"GOOGLECALENDAR_PATCH_EVENT PATCH /calendars/{calendar_id}/events/{event_id}",
		"GOOGLECALENDAR_UPDATE_EVENT PUT /calendars/{calendar_id}/events/{event_id}",
		"HUBSPOT_ARCHIVE_CONTACT DELETE /crm/v3/objects/contacts/{contactId}",
		"HUBSPOT_CREATE_COMPANY POST /crm/v3/objects/companies",
		"HUBSPOT_CREATE_CONTACT POST /crm/v3/objects/contacts",
		"HUBSPOT_CREATE_DEAL POST /crm/v3/objects/0-3",
		"HUBSPOT_CREATE_NOTE POST /crm/v3/objects/notes",
		"HUBSPOT_CREATE_TASK POST /crm/v3/objects/tasks",
		"HUBSPOT_CREATE_TICKET POST /crm/v3/objects/tickets",
		"HUBSPOT_GET_COMPANY GET /crm/v3/objects/companies/{companyId}",
		"HUBSPOT_GET_CONTACT GET /crm/v3/objects/contacts/{contactId}",
		"HUBSPOT_GET_DEAL GET /crm/v3/objects/0-3/{dealId}",
		"HUBSPOT_GET_TICKET GET /crm/v3/objects/tickets/{ticketId}",
		"HUBSPOT_LIST_COMPANIES GET /crm/v3/objects/companies",
		"HUBSPOT_LIST_CONTACTS GET /crm/v3/objects/contacts",
		"HUBSPOT_LIST_DEALS GET /crm/v3/objects/0-3",
		"HUBSPOT_LIST_OWNERS GET /crm/v3/owners",
		"HUBSPOT_LIST_TICKETS GET /crm/v3/objects/tickets",
		"HUBSPOT_RETRIEVE_ACCOUNT_DETAILS GET /account-info/v3/details",
		"HUBSPOT_SEARCH_COMPANIES POST /crm/v3/objects/companies/search",
		"HUBSPOT_SEARCH_CONTACTS POST /crm/v3/objects/contacts/search",
		"HUBSPOT_SEARCH_DEALS POST /crm/v3/objects/0-3/search",
		"HUBSPOT_SEARCH_TICKETS POST /crm/v3/objects/tickets/search",
		"HUBSPOT_UPDATE_COMPANY PATCH /crm/v3/objects/companies/{companyId}",
		"HUBSPOT_UPDATE_CONTACT PATCH /crm/v3/objects/contacts/{contactId}",
		"HUBSPOT_UPDATE_DEAL PATCH /crm/v3/objects/0-3/{dealId}",
		"HUBSPOT_UPDATE_TICKET PATCH /crm/v3/objects/tickets/{ticketId}",
		"INTERCOM_ADD_TAG_TO_A_CONTACT POST /contacts/{contact_id}/tags",
		"INTERCOM_CREATES_A_CONVERSATION POST /conversations",
		"INTERCOM_CREATE_A_MESSAGE POST /messages",
		"INTERCOM_CREATE_A_NOTE POST /contacts/{contact_id}/notes",
		"INTERCOM_CREATE_A_TICKET POST /tickets",
		"INTERCOM_CREATE_CONTACT POST /contacts",
		"INTERCOM_CREATE_OR_UPDATE_A_COMPANY POST /companies",
		"INTERCOM_GET_A_CONTACT GET /contacts/{contact_id}",
		"INTERCOM_IDENTIFY_AN_ADMIN GET /me",
		"INTERCOM_LIST_ALL_ADMINS GET /admins",
		"INTERCOM_LIST_ALL_CONTACTS GET /contacts",
		"INTERCOM_LIST_ALL_CONVERSATIONS GET /conversations",
		"INTERCOM_LIST_ALL_TAGS GET /tags",
		"INTERCOM_LIST_ALL_TEAMS GET /teams",
		"INTERCOM_MANAGE_A_CONVERSATION POST /conversations/{conversation_id}/parts",
		"INTERCOM_REPLY_TO_A_CONVERSATION POST /conversations/{conversation_id}/reply",
		"INTERCOM_RETRIEVE_A_CONVERSATION GET /conversations/{conversation_id}",
		"INTERCOM_RETRIEVE_A_TICKET GET /tickets/{ticket_id}",
		"INTERCOM_RETRIEVE_COMPANIES GET /companies",
		"INTERCOM_SEARCH_CONTACTS POST /contacts/search",
		"INTERCOM_SEARCH_CONVERSATIONS POST /conversations/search",
		"INTERCOM_SEARCH_FOR_ARTICLES GET /articles/search",
		"INTERCOM_SEARCH_TICKETS POST /tickets/search",
		"INTERCOM_UPDATE_A_CONTACT PUT /contacts/{contact_id}",
		"LINEAR_CREATE_LINEAR_COMMENT POST /graphql",
		"LINEAR_CREATE_LINEAR_ISSUE POST /graphql",
		"LINEAR_GET_ALL_LINEAR_TEAMS POST /graphql",
		"LINEAR_GET_CURRENT_USER POST /graphql",
		"LINEAR_GET_LINEAR_ISSUE POST /graphql",
		"LINEAR_LIST_LINEAR_ISSUES POST /graphql",
		"LINEAR_LIST_LINEAR_PROJECTS POST /graphql",
		"LINEAR_LIST_LINEAR_STATES POST /graphql",
		"LINEAR_LIST_LINEAR_USERS POST /graphql",
		"LINEAR_RUN_QUERY_OR_MUTATION POST /graphql",
		"LINEAR_SEARCH_ISSUES POST /graphql",
		"LINEAR_UPDATE_ISSUE POST /graphql",
		"NOTION_ADD_MULTIPLE_PAGE_CONTENT PATCH /blocks/{block_id}/children",
		"NOTION_ARCHIVE_NOTION_PAGE PATCH /pages/{page_id}",
		"NOTION_CREATE_COMMENT POST /comments",
		"NOTION_CREATE_NOTION_PAGE POST /pages",
		"NOTION_DELETE_BLOCK DELETE /blocks/{block_id}",
		"NOTION_FETCH_BLOCK_CONTENTS GET /blocks/{block_id}/children",
		"NOTION_FETCH_COMMENTS GET /comments",
		"NOTION_FETCH_DATABASE GET /databases/{database_id}",
		"NOTION_GET_ABOUT_ME GET /users/me",
		"NOTION_INSERT_ROW_DATABASE POST /pages",
		"NOTION_LIST_USERS GET /users",
		"NOTION_QUERY_DATABASE POST /databases/{database_id}/query",
		"NOTION_RETRIEVE_PAGE GET /pages/{page_id}",
		"NOTION_SEARCH_NOTION_PAGE POST /search",
		"NOTION_UPDATE_PAGE PATCH /pages/{page_id}",
		"PAGERDUTY_GET_AN_ESCALATION_POLICY GET /escalation_policies/{id}",
		"PAGERDUTY_GET_AN_INCIDENT GET /incidents/{id}",
		"PAGERDUTY_GET_A_SCHEDULE GET /schedules/{id}",
		"PAGERDUTY_GET_A_SERVICE GET /services/{id}",
		"PAGERDUTY_GET_A_USER GET /users/{id}",
		"PAGERDUTY_GET_CURRENT_USER GET /users/me",
		"PAGERDUTY_LIST_ABILITIES GET /abilities",
		"PAGERDUTY_LIST_ALERTS_FOR_AN_INCIDENT GET /incidents/{id}/alerts",
		"PAGERDUTY_LIST_ALL_OF_THE_ON_CALLS GET /oncalls",
		"PAGERDUTY_LIST_ESCALATION_POLICIES GET /escalation_policies",
		"PAGERDUTY_LIST_INCIDENTS GET /incidents",
		"PAGERDUTY_LIST_LOG_ENTRIES GET /log_entries",
		"PAGERDUTY_LIST_LOG_ENTRIES_FOR_AN_INCIDENT GET /incidents/{id}/log_entries",
		"PAGERDUTY_LIST_MAINTENANCE_WINDOWS GET /maintenance_windows",
		"PAGERDUTY_LIST_NOTES_FOR_AN_INCIDENT GET /incidents/{id}/notes",
		"PAGERDUTY_LIST_PRIORITIES GET /priorities",
		"PAGERDUTY_LIST_SCHEDULES GET /schedules",
		"PAGERDUTY_LIST_SERVICES GET /services",
		"PAGERDUTY_LIST_TEAMS GET /teams",
		"PAGERDUTY_LIST_USERS GET /users",
		"SENTRY_CREATE_A_NEW_RELEASE_FOR_AN_ORGANIZATION POST /api/0/organizations/{organization_id_or_slug}/releases/",
		"SENTRY_LIST_AN_ISSUE_S_EVENTS GET /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/events/",
		"SENTRY_LIST_AN_ORGANIZATION_S_ISSUES GET /api/0/organizations/{organization_id_or_slug}/issues/",
		"SENTRY_LIST_AN_ORGANIZATION_S_MEMBERS GET /api/0/organizations/{organization_id_or_slug}/members/",
		"SENTRY_LIST_AN_ORGANIZATION_S_PROJECTS GET /api/0/organizations/{organization_id_or_slug}/projects/",
		"SENTRY_LIST_AN_ORGANIZATION_S_RELEASES GET /api/0/organizations/{organization_id_or_slug}/releases/",
		"SENTRY_LIST_AN_ORGANIZATION_S_TEAMS GET /api/0/organizations/{organization_id_or_slug}/teams/",
		"SENTRY_LIST_A_PROJECT_S_ERROR_EVENTS GET /api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/events/",
		"SENTRY_LIST_A_PROJECT_S_USERS GET /api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/users/",
		"SENTRY_LIST_A_TEAM_S_PROJECTS GET /api/0/teams/{organization_id_or_slug}/{team_id_or_slug}/projects/",
		"SENTRY_LIST_YOUR_ORGANIZATIONS GET /api/0/organizations/",
		"SENTRY_RESOLVE_AN_EVENT_ID GET /api/0/organizations/{organization_id_or_slug}/eventids/{event_id}/",
		"SENTRY_RETRIEVE_AN_EVENT_FOR_A_PROJECT GET /api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/events/{event_id}/",
		"SENTRY_RETRIEVE_AN_ISSUE GET /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/",
		"SENTRY_RETRIEVE_AN_ISSUE_EVENT GET /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/events/{event_id}/",
		"SENTRY_RETRIEVE_AN_ORGANIZATION GET /api/0/organizations/{organization_id_or_slug}/",
		"SENTRY_RETRIEVE_AN_ORGANIZATION_S_RELEASE GET /api/0/organizations/{organization_id_or_slug}/releases/{version}/",
		"SENTRY_RETRIEVE_A_PROJECT GET /api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/",
		"SENTRY_UPDATE_AN_ISSUE PUT /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/",
		"SLACK_ADD_REACTION_TO_AN_ITEM POST /reactions.add",
		"SLACK_FETCH_CONVERSATION_HISTORY POST /conversations.history",
		"SLACK_FETCH_MESSAGE_THREAD_FROM_A_CONVERSATION POST /conversations.replies",
		"SLACK_FETCH_TEAM_INFO POST /team.info",
		"SLACK_LIST_ALL_CHANNELS POST /conversations.list",
		"SLACK_LIST_ALL_USERS POST /users.list",
		"SLACK_OPEN_DM POST /conversations.open",
		"SLACK_REMOVE_REACTION_FROM_ITEM POST /reactions.remove",
		"SLACK_RETRIEVE_CONVERSATION_INFORMATION POST /conversations.info",
		"SLACK_SCHEDULE_MESSAGE POST /chat.scheduleMessage",
		"SLACK_SEARCH_MESSAGES POST /search.messages",
		"SLACK_SEND_MESSAGE POST /chat.postMessage",
		"SLACK_TEST_AUTH POST /auth.test",
		"SLACK_UPDATES_A_SLACK_MESSAGE POST /chat.update",
		"STRIPE_CANCEL_SUBSCRIPTION DELETE /v1/subscriptions/{subscription_exposed_id}",
		"STRIPE_CONFIRM_PAYMENT_INTENT POST /v1/payment_intents/{intent}/confirm",
		"STRIPE_CREATE_CUSTOMER POST /v1/customers",
		"STRIPE_CREATE_INVOICE POST /v1/invoices",
		"STRIPE_CREATE_PAYMENT_INTENT POST /v1/payment_intents",
		"STRIPE_CREATE_PRICE POST /v1/prices",
		"STRIPE_CREATE_PRODUCT POST /v1/products",
		"STRIPE_CREATE_REFUND POST /v1/refunds",
		"STRIPE_DELETE_CUSTOMER DELETE /v1/customers/{customer}",
		"STRIPE_LIST_CHARGES GET /v1/charges",
		"STRIPE_LIST_CHECKOUT_SESSIONS GET /v1/checkout/sessions",
		"STRIPE_LIST_CUSTOMERS GET /v1/customers",
		"STRIPE_LIST_EVENTS GET /v1/events",
		"STRIPE_LIST_INVOICES GET /v1/invoices",
		"STRIPE_LIST_PAYMENT_INTENTS GET /v1/payment_intents",
		"STRIPE_LIST_PRICES GET /v1/prices",
		"STRIPE_LIST_PRODUCTS GET /v1/products",
		"STRIPE_LIST_REFUNDS GET /v1/refunds",
		"STRIPE_LIST_SUBSCRIPTIONS GET /v1/subscriptions",
		"STRIPE_RETRIEVE_BALANCE GET /v1/balance",
		"STRIPE_RETRIEVE_CHARGE GET /v1/charges/{charge}",
		"STRIPE_RETRIEVE_CUSTOMER GET /v1/customers/{customer}",
		"STRIPE_RETRIEVE_PAYMENT_INTENT GET /v1/payment_intents/{intent}",
		"STRIPE_RETRIEVE_PRICE GET /v1/prices/{price}",
		"STRIPE_RETRIEVE_SUBSCRIPTION GET /v1/subscriptions/{subscription_exposed_id}",
		"STRIPE_UPDATE_CUSTOMER POST /v1/customers/{customer}",
		"STRIPE_UPDATE_PRODUCT POST /v1/products/{id}",
		"TWILIO_CREATE_CALL POST /2010-04-01/Accounts/{AccountSid}/Calls.json",
		"TWILIO_DELETE_MESSAGE DELETE /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json",
		"TWILIO_FETCH_ACCOUNT GET /2010-04-01/Accounts/{Sid}.json",
		"TWILIO_FETCH_CALL GET /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json",
		"TWILIO_FETCH_MESSAGE GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json",
		"TWILIO_FETCH_RECORDING GET /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json",
		"TWILIO_LIST_ACCOUNTS GET /2010-04-01/Accounts.json",
		"TWILIO_LIST_AVAILABLE_LOCAL_PHONE_NUMBERS GET /2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}/Local.json",
		"TWILIO_LIST_CALLS GET /2010-04-01/Accounts/{AccountSid}/Calls.json",
		"TWILIO_LIST_CONFERENCES GET /2010-04-01/Accounts/{AccountSid}/Conferences.json",
		"TWILIO_LIST_INCOMING_PHONE_NUMBERS GET /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
		"TWILIO_LIST_MESSAGES GET /2010-04-01/Accounts/{AccountSid}/Messages.json",
		"TWILIO_LIST_NOTIFICATIONS GET /2010-04-01/Accounts/{AccountSid}/Notifications.json",
		"TWILIO_LIST_RECORDINGS GET /2010-04-01/Accounts/{AccountSid}/Recordings.json",
		"TWILIO_SEND_MESSAGE POST /2010-04-01/Accounts/{AccountSid}/Messages.json",
		"TWILIO_UPDATE_CALL POST /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json",
		"TWILIO_UPDATE_INCOMING_PHONE_NUMBER POST /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
		"TWILIO_UPDATE_MESSAGE POST /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tool upstream calls mismatch (-want +got):\n%s", diff)
	}
}

// validTools is a valid tools file for github that the broken cases below
// edit.
const validTools = `{
  "version": "20260601_00",
  "errors": "http",
  "tools": [
    {
      "slug": "GITHUB_GET_AN_ISSUE",
      "name": "Get an issue",
      "description": "Gets an issue.",
      "tags": ["readOnlyHint"],
      "input": {"type": "object", "properties": {
        "owner": {"type": "string", "description": "The owner."},
        "repo": {"type": "string", "description": "The repository."},
        "issue_number": {"type": "integer", "description": "The number."},
        "labels": {"type": "array", "description": "Labels.", "items": {"type": "string"}}
      }, "required": ["owner", "repo", "issue_number"]},
      "output": {"type": "object"},
      "request": {"method": "GET", "path": "/repos/{owner}/{repo}/issues/{issue_number}", "query": {"labels": "$labels"}, "arrays": "comma"}
    }
  ]
}`

// validLinearTools is a valid GraphQL tools file that the broken cases edit.
const validLinearTools = `{
  "version": "20260601_00",
  "errors": "graphql",
  "tools": [
    {
      "slug": "LINEAR_GET_LINEAR_ISSUE",
      "name": "Get issue",
      "description": "Gets an issue.",
      "tags": ["readOnlyHint"],
      "input": {"type": "object", "properties": {"issue_id": {"type": "string", "description": "The id."}}, "required": ["issue_id"]},
      "output": {"type": "object"},
      "request": {"method": "POST", "path": "/graphql", "graphql": "query Issue($id: String!) { issue(id: $id) { id } }", "variables": {"id": "$issue_id"}}
    }
  ]
}`

// withTools returns a file system holding one toolkit file: the built-in
// toolkit slug's definition with its version, errors and tools replaced by
// those of tools, a JSON object holding just these three.
func withTools(t *testing.T, slug, tools string) fs.FS {
	t.Helper()
	b, err := fs.ReadFile(defs, "defs/"+slug+".json")
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(b), ",\n  \"version\"")
	rest, found := strings.CutPrefix(tools, "{\n")
	if !ok || !found {
		t.Fatalf("cannot splice the tools into %s", slug)
	}
	return fstest.MapFS{slug + ".json": {Data: []byte(head + ",\n" + rest)}}
}

func TestLoad_BrokenTools(t *testing.T) {
	tests := []struct {
		name     string
		toolkit  string // defaults to github
		base     string // defaults to validTools
		old, new string // replaced once in base
		want     string
	}{
		{name: "valid", want: ""},
		{name: "valid graphql", toolkit: "linear", base: validLinearTools, want: ""},
		{name: "not JSON", old: `"version"`, new: `version`, want: "github.json:46: invalid character 'v'"},
		{name: "tools file's toolkit field", old: `"version"`, new: `"toolkit": "github", "version"`, want: `github.json:46: toolkit: unknown field "toolkit" (at /toolkit)`},
		{name: "unknown tool field", old: `"tags"`, new: `"tagz"`, want: `unknown field "tagz"`},
		{name: "unknown request field", old: `"arrays": "comma"`, new: `"arrays": "comma", "params": {}`, want: `unknown field "params"`},
		{name: "unknown schema keyword", old: `"items": {"type": "string"}`, new: `"items": {"type": "string", "pattern": "^a"}`, want: `tools[0] (GITHUB_GET_AN_ISSUE).input: json: unknown field "pattern"`},
		{name: "bad nested type", old: `"items": {"type": "string"}`, new: `"items": {"type": "str"}`, want: `input.properties.labels.items.type: must be one of string, integer, number, boolean, array, object, got "str"`},
		{name: "input not object", old: `"input": {"type": "object"`, new: `"input": {"type": "array"`, want: `input.type: must be "object", got "array"`},
		{name: "output not object", old: `"output": {"type": "object"}`, new: `"output": {"type": "string"}`, want: `output.type: must be "object", got "string"`},
		{name: "no output", old: `"output": {"type": "object"},`, new: ``, want: `output: is required`},
		{name: "undescribed input", old: `"description": "The owner."`, new: `"description": ""`, want: `input.properties.owner.description: must not be empty`},
		{name: "required unknown", old: `"required": ["owner", "repo", "issue_number"]`, new: `"required": ["owner", "repo", "issue_number", "x"]`, want: `input.required: names "x", which is not in properties`},
		{name: "bad default", old: `"description": "The owner."`, new: `"description": "The owner.", "default": 5`, want: `input.properties.owner.default: default must be a string, got a number`},
		{name: "bad enum", old: `"description": "The owner."`, new: `"description": "The owner.", "enum": ["a", 1]`, want: `input.properties.owner.enum: enum[1] must be a string`},
		{name: "keyword for other type", old: `"description": "The owner."`, new: `"description": "The owner.", "minimum": 1`, want: "minimum and maximum are only allowed with type integer or number"},
		{name: "bad tag", old: `["readOnlyHint"]`, new: `["readOnly"]`, want: `tags: "readOnly" is not one of readOnlyHint, destructiveHint, idempotentHint, openWorldHint`},
		{name: "GET not read-only", old: `["readOnlyHint"]`, new: `["openWorldHint"]`, want: "a GET tool must be tagged readOnlyHint"},
		{name: "read-only destructive", old: `["readOnlyHint"]`, new: `["readOnlyHint", "destructiveHint"]`, want: "readOnlyHint excludes destructiveHint"},
		{name: "scope with a space", old: `"tags": ["readOnlyHint"]`, new: `"tags": ["readOnlyHint"], "scopes": ["repo read:user"]`, want: `scopes: "repo read:user" is not a scope`},
		{name: "scope twice", old: `"tags": ["readOnlyHint"]`, new: `"tags": ["readOnlyHint"], "scopes": ["repo", "repo"]`, want: `scopes: lists "repo" twice`},
		{name: "scopes without OAuth scopes", toolkit: "notion", old: `"tags": ["readOnlyHint"]`, new: `"tags": ["readOnlyHint"], "scopes": ["read"]`, want: "scopes: are only allowed in a toolkit with an OAuth2 scheme that has scopes"},
		{name: "slug without prefix", old: `"slug": "GITHUB_GET_AN_ISSUE"`, new: `"slug": "GET_AN_ISSUE"`, want: `slug: must be upper case, start with GITHUB_`},
		{name: "lower-case slug", old: `"slug": "GITHUB_GET_AN_ISSUE"`, new: `"slug": "github_get_an_issue"`, want: `slug: must be upper case`},
		{name: "empty description", old: `"description": "Gets an issue."`, new: `"description": " "`, want: "description: must not be empty"},
		{name: "bad version", old: `"20260601_00"`, new: `"latest"`, want: `version: must look like 20260601_00, got "latest"`},
		{name: "bad error convention", old: `"errors": "http"`, new: `"errors": "grpc"`, want: `errors: must be "http", "slack" or "graphql", got "grpc"`},
		{name: "no tools", old: `"tools": [`, new: `"tools": [], "x": [`, want: `unknown field "x"`},
		{name: "bad method", old: `"method": "GET"`, new: `"method": "HEAD"`, want: `request.method: must be GET, POST, PUT, PATCH or DELETE, got "HEAD"`},
		{name: "relative path", old: `"path": "/repos/`, new: `"path": "repos/`, want: `request.path: must start with /`},
		{name: "query in path", old: `/issues/{issue_number}"`, new: `/issues/{issue_number}?x=1"`, want: "characters that must be escaped or that start a query"},
		{name: "undeclared placeholder", old: `{issue_number}`, new: `{number}`, want: "has {number}, which is not an input property"},
		{name: "unused argument", old: `{issue_number}`, new: `{number}`, want: "never uses the input property issue_number"},
		{name: "optional placeholder", old: `"required": ["owner", "repo", "issue_number"]`, new: `"required": ["owner", "issue_number"]`, want: "has {repo}, which must be required or have a default"},
		{name: "array placeholder", old: `/issues/{issue_number}"`, new: `/issues/{issue_number}/{labels}"`, want: "has {labels}, which must be a string or an integer, not array"},
		{name: "rest placeholder not last", old: `/repos/{owner}/{repo}/`, new: `/repos/{owner...}/{repo}/`, want: "{owner...} must end the path"},
		{name: "repeated placeholder", old: `/issues/{issue_number}"`, new: `/issues/{issue_number}/{owner}"`, want: "has {owner} twice"},
		{name: "undeclared reference", old: `"$labels"`, new: `"$label"`, want: "request.query.labels: refers to $label, which is not an input property"},
		{name: "array without style", old: `, "arrays": "comma"`, new: ``, want: "maps the array $labels, so arrays must say how arrays are encoded"},
		{name: "bad array style", old: `"arrays": "comma"`, new: `"arrays": "pipes"`, want: `arrays: must be "repeat" or "comma", got "pipes"`},
		{name: "object in query", old: `"items": {"type": "string"}`, new: `"items": {"type": "object"}`, want: "maps $labels, which holds objects or untyped items that only a form can carry"},
		{name: "body on GET", old: `"arrays": "comma"`, new: `"arrays": "comma", "body": {"x": "$owner"}`, want: "a GET request has no body"},
		{name: "two body kinds", old: `"method": "GET"`, new: `"method": "POST", "body": {"x": "$owner"}, "form": {"y": "$repo"}`, want: "may set only one of body, form, graphql and encoder"},
		{name: "body not object", old: `"method": "GET"`, new: `"method": "POST", "body": ["$owner"]`, want: "request.body: must be a JSON object"},
		{name: "unknown encoder", old: `"method": "GET"`, new: `"method": "POST", "encoder": "pdf"`, want: `encoder: "pdf" is not a known encoder`},
		{name: "encoder args undeclared", old: `"method": "GET"`, new: `"method": "POST", "encoder": "gmail_send"`, want: "refers to $recipient_email, which is not an input property"},
		{name: "constant header", old: `"arrays": "comma"`, new: `"arrays": "comma", "headers": {"Accept": "$owner"}`, want: "request.headers.Accept: must be a constant"},
		{name: "require_any of one", old: `"arrays": "comma"`, new: `"arrays": "comma", "require_any": [["labels"]]`, want: "require_any[0]: must list at least two arguments"},
		{name: "require_any with required", old: `"arrays": "comma"`, new: `"arrays": "comma", "require_any": [["labels", "owner"]]`, want: "require_any[0]: lists owner, which is already required"},
		{name: "variables without graphql", old: `"arrays": "comma"`, new: `"arrays": "comma", "variables": {}`, want: "request.variables: is only allowed with graphql"},
		{name: "graphql on GET", toolkit: "linear", base: validLinearTools, old: `"method": "POST"`, new: `"method": "GET"`, want: "must be POST for a GraphQL request"},
		{name: "graphql undeclared variable", toolkit: "linear", base: validLinearTools, old: `{"id": "$issue_id"}`, new: `{"id": "$issue_id", "first": 5}`, want: "variables: sets first, which the query does not declare as $first"},
		{name: "graphql unset variable", toolkit: "linear", base: validLinearTools, old: `{"id": "$issue_id"}`, new: `{"key": "$issue_id"}`, want: "graphql: declares $id, which variables never set"},
		{name: "graphql not a query", toolkit: "linear", base: validLinearTools, old: `"query Issue(`, new: `"fetch Issue(`, want: `graphql: must start with "query" or "mutation"`},
		{name: "graphql unbalanced", toolkit: "linear", base: validLinearTools, old: `{ id } }"`, new: `{ id }"`, want: "graphql: has unbalanced braces"},
		{name: "several problems", old: `"Gets an issue.",
      "tags": ["readOnlyHint"]`, new: `"",
      "tags": ["openWorldHint"]`, want: ".description: must not be empty (at /tools/0/description)\ntools[0] (GITHUB_GET_AN_ISSUE).tags: a GET tool must be tagged readOnlyHint (at /tools/0/tags)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := tt.base
			if def == "" {
				def = validTools
			}
			if tt.old != "" {
				if !strings.Contains(def, tt.old) {
					t.Fatalf("test case edits %q, which the valid definition lacks", tt.old)
				}
				def = strings.Replace(def, tt.old, tt.new, 1)
			}
			toolkit := tt.toolkit
			if toolkit == "" {
				toolkit = "github"
			}
			_, err := Load(withTools(t, toolkit, def))
			checkErr(t, err, tt.want)
		})
	}
}

func TestLoad_DuplicateToolSlug(t *testing.T) {
	tool := validTools[strings.Index(validTools, "    {\n      \"slug\""):strings.LastIndex(validTools, "\n  ]")]
	def := strings.Replace(validTools, tool, tool+",\n"+tool, 1)
	_, err := Load(withTools(t, "github", def))
	if err == nil || !strings.Contains(err.Error(), "tool slug GITHUB_GET_AN_ISSUE is defined twice") {
		t.Errorf("Load: err = %v, want the duplicate slug named", err)
	}
}

func TestLoad_NoTools(t *testing.T) {
	// A catalog without tools files is valid: toolkits come first.
	c, err := Load(fstest.MapFS{"github.json": {Data: []byte(validGitHub)}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := c.Tools(); len(got) != 0 {
		t.Errorf("Tools() = %d tools, want none", len(got))
	}
	if got := c.SearchTools("issue", nil, 0); len(got) != 0 {
		t.Errorf("SearchTools() = %d matches, want none", len(got))
	}
}
