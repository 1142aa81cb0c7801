package toolkits

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func slugs(ms []ToolMatch) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Tool.Slug)
	}
	return out
}

func TestSearchTools_Ranking(t *testing.T) {
	c := builtin(t)
	tests := []struct {
		query    string
		toolkits []string
		first    string
	}{
		{"send email", []string{"gmail"}, "GMAIL_SEND_EMAIL"},
		{"send an e-mail to my boss", []string{"gmail"}, "GMAIL_SEND_EMAIL"},
		{"send email", []string{"outlook"}, "OUTLOOK_OUTLOOK_SEND_EMAIL"},
		{"read unread mail", nil, "GMAIL_FETCH_EMAILS"},
		{"draft a reply", []string{"gmail"}, "GMAIL_CREATE_EMAIL_DRAFT"},
		{"post message to slack channel", nil, "SLACK_SEND_MESSAGE"},
		{"create issue", []string{"linear"}, "LINEAR_CREATE_LINEAR_ISSUE"},
		{"create issue", []string{"GitHub"}, "GITHUB_CREATE_AN_ISSUE"},
		{"merge pull request", nil, "GITHUB_MERGE_A_PULL_REQUEST"},
		{"list repos", nil, "GITHUB_LIST_REPOSITORIES_FOR_THE_AUTHENTICATED_USER"},
		{"list calendar events", nil, "GOOGLECALENDAR_EVENTS_LIST"},
		{"schedule a meeting", nil, "GOOGLECALENDAR_CREATE_EVENT"},
		{"find free time", nil, "GOOGLECALENDAR_FREE_BUSY_QUERY"},
		{"search notion pages", nil, "NOTION_SEARCH_NOTION_PAGE"},
		{"add a row to a database", nil, "NOTION_INSERT_ROW_DATABASE"},
		// An exact slug wins over any text match, whatever its case.
		{"GITHUB_CREATE_AN_ISSUE_COMMENT", nil, "GITHUB_CREATE_AN_ISSUE_COMMENT"},
		{"  slack_open_dm ", nil, "SLACK_OPEN_DM"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := c.SearchTools(tt.query, tt.toolkits, 5)
			if len(got) == 0 || got[0].Tool.Slug != tt.first {
				t.Fatalf("SearchTools(%q, %v) = %v, want %s first", tt.query, tt.toolkits, slugs(got), tt.first)
			}
			for _, m := range got {
				if len(tt.toolkits) > 0 && !equalFoldAny(m.Tool.Toolkit, tt.toolkits) {
					t.Errorf("got %s of %s, outside toolkits %v", m.Tool.Slug, m.Tool.Toolkit, tt.toolkits)
				}
				if m.Score <= 0 {
					t.Errorf("got %s with score %v, want > 0", m.Tool.Slug, m.Score)
				}
			}
		})
	}
}

func equalFoldAny(s string, list []string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

func TestSearchTools_LimitsAndOrder(t *testing.T) {
	c := builtin(t)
	all := c.SearchTools("list", nil, 0)
	if len(all) < 10 {
		t.Fatalf("SearchTools(list, no limit) = %d matches, want many", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.Score < b.Score || a.Score == b.Score && a.Tool.Slug > b.Tool.Slug {
			t.Errorf("matches %d and %d out of order: %s (%v), %s (%v)", i-1, i, a.Tool.Slug, a.Score, b.Tool.Slug, b.Score)
		}
	}
	three := c.SearchTools("list", nil, 3)
	if diff := cmp.Diff(slugs(all[:3]), slugs(three)); diff != "" {
		t.Errorf("limit 3 is not the first three (-want +got):\n%s", diff)
	}
	again := c.SearchTools("list", nil, 0)
	if diff := cmp.Diff(slugs(all), slugs(again)); diff != "" {
		t.Errorf("two searches differ (-first +second):\n%s", diff)
	}
}

func TestSearchTools_NoMatch(t *testing.T) {
	c := builtin(t)
	for _, q := range []string{"", "   ", "xyzzy plugh", "the of and"} {
		if got := c.SearchTools(q, nil, 10); len(got) != 0 {
			t.Errorf("SearchTools(%q) = %v, want none", q, slugs(got))
		}
	}
	if got := c.SearchTools("send email", []string{"nope"}, 10); len(got) != 0 {
		t.Errorf("SearchTools in an unknown toolkit = %v, want none", slugs(got))
	}
}

func TestSearchTools_ClippedTools(t *testing.T) {
	c := builtin(t)
	m := c.SearchTools("send email", nil, 1)
	if tags := m[0].Tool.Tags; cap(tags) != len(tags) {
		t.Errorf("a match's tags are not clipped: an append would write into the catalog")
	}
}

func TestFindTools(t *testing.T) {
	c := builtin(t)
	toolSlugs := func(ts []Tool) []string {
		out := []string{}
		for _, t := range ts {
			out = append(out, t.Slug)
		}
		return out
	}
	if got, all := len(c.FindTools(ToolQuery{})), len(c.Tools()); got != all {
		t.Errorf("empty query: %d tools, want all %d", got, all)
	}
	got := toolSlugs(c.FindTools(ToolQuery{Slugs: []string{"gmail_send_email", "SLACK_SEND_MESSAGE"}}))
	if diff := cmp.Diff([]string{"GMAIL_SEND_EMAIL", "SLACK_SEND_MESSAGE"}, got); diff != "" {
		t.Errorf("by slug (-want +got):\n%s", diff)
	}
	for _, tool := range c.FindTools(ToolQuery{Toolkits: []string{"gmail"}, Tags: []string{"destructiveHint"}}) {
		if tool.Toolkit != "gmail" || !slices.Contains(tool.Tags, "destructiveHint") {
			t.Errorf("toolkit and tag filter let %s through", tool.Slug)
		}
	}
	if got := toolSlugs(c.FindTools(ToolQuery{Search: "create issue", Toolkits: []string{"github"}})); len(got) == 0 || got[0] != "GITHUB_CREATE_AN_ISSUE" {
		t.Errorf("search: %v, want GITHUB_CREATE_AN_ISSUE first", got)
	}
	if n := len(c.Tools()); n != len(c.toolList) {
		t.Errorf("the catalog changed: %d tools, want %d", n, len(c.toolList))
	}
}
