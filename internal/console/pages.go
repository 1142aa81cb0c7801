package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/execlog"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// pageSize is how many rows a list page shows.
const pageSize = 50

// statuses are the account statuses the accounts list filters by.
var statuses = []string{store.StatusActive, store.StatusInitiated, store.StatusExpired, store.StatusFailed, store.StatusInactive}

type projectData struct {
	Keys []store.APIKey
}

func (s *Server) projectPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	keys, err := s.Projects.ListKeys(r.Context(), v.Project.ID)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "project.html", view{Title: "Project", Nav: "project", Viewer: v, Data: projectData{Keys: keys}})
	return nil
}

type authConfigRow struct {
	store.AuthConfig
	Accounts int
}

type authConfigsData struct {
	Items []authConfigRow
	Next  string
}

func (s *Server) authConfigsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	q := r.URL.Query()
	page, counts, err := s.AuthConfigs.List(r.Context(), v.Project.ID,
		store.AuthConfigFilter{IncludeDisabled: true, Cursor: q.Get("cursor"), Limit: pageSize})
	if err != nil {
		return badCursor(err)
	}
	d := authConfigsData{}
	for _, c := range page.Items {
		d.Items = append(d.Items, authConfigRow{AuthConfig: c, Accounts: counts[c.ID]})
	}
	if page.NextCursor != "" {
		d.Next = pageURL(Path+"/auth-configs", q, page.NextCursor)
	}
	s.render(w, http.StatusOK, "authconfigs.html", view{Title: "Auth configs", Nav: "auth-configs", Viewer: v, Data: d})
	return nil
}

type accountsData struct {
	UserID, Toolkit, Status string
	Statuses                []string
	Items                   []store.Account
	Total                   int
	Next                    string
	// Paged reports whether this is a page after the first.
	Paged bool
	First string
}

// accountsPage lists the project's accounts, newest first, filtered on
// the server by user id, toolkit and status and paged by the store's
// cursors.
func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	q := r.URL.Query()
	d := accountsData{UserID: strings.TrimSpace(q.Get("user_id")), Toolkit: strings.TrimSpace(q.Get("toolkit")),
		Status: q.Get("status"), Statuses: statuses, Paged: q.Get("cursor") != ""}
	f := store.AccountFilter{Cursor: q.Get("cursor"), Limit: pageSize}
	if d.UserID != "" {
		f.UserIDs = []string{d.UserID}
	}
	if d.Toolkit != "" {
		f.ToolkitSlugs = []string{strings.ToLower(d.Toolkit)}
	}
	if d.Status != "" {
		if !slices.Contains(statuses, d.Status) {
			return problem.Invalidf("invalid_status", "status", "%q is not an account status: use one of %s", d.Status, strings.Join(statuses, ", "))
		}
		f.Statuses = []string{d.Status}
	}
	page, err := s.Accounts.List(r.Context(), v.Project.ID, f)
	if err != nil {
		return badCursor(err)
	}
	d.Items, d.Total = page.Items, page.Total
	if page.NextCursor != "" {
		d.Next = pageURL(Path+"/accounts", q, page.NextCursor)
	}
	d.First = pageURL(Path+"/accounts", q, "")
	s.render(w, http.StatusOK, "accounts.html", view{Title: "Connected accounts", Nav: "accounts", Viewer: v, Data: d})
	return nil
}

type accountData struct {
	Account    store.Account
	AuthConfig store.AuthConfig
	Logs       []store.ExecutionLog
}

func (s *Server) account(r *http.Request, v *viewer, a store.Account) (accountData, error) {
	d := accountData{Account: a}
	ac, err := s.AuthConfigs.Get(r.Context(), v.Project.ID, a.AuthConfigID)
	if err == nil {
		d.AuthConfig = ac
	}
	if s.ExecutionLogs != nil {
		logs, err := s.ExecutionLogs.List(r.Context(), v.Project.ID, execlog.Search{Limit: 10,
			Conditions: []store.Condition{{Field: store.LogFieldAccount, Op: store.OpEqual, Value: a.ID}}})
		if err != nil {
			return d, err
		}
		d.Logs = logs.Items
	}
	return d, nil
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	a, err := s.Accounts.Get(r.Context(), v.Project.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := s.account(r, v, a)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "account.html", view{Title: "Account " + a.ID, Nav: "accounts", Viewer: v, Data: d})
	return nil
}

type sessionsData struct {
	UserID string
	Items  []sessions.Session
	Next   string
}

func (s *Server) sessionsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	q := r.URL.Query()
	d := sessionsData{UserID: strings.TrimSpace(q.Get("user_id"))}
	f := store.SessionFilter{Cursor: q.Get("cursor"), Limit: pageSize}
	if d.UserID != "" {
		f.UserIDs = []string{d.UserID}
	}
	page, err := s.Sessions.List(r.Context(), v.Project.ID, f)
	if err != nil {
		return err
	}
	d.Items = page.Items
	if page.NextCursor != "" {
		d.Next = pageURL(Path+"/sessions", q, page.NextCursor)
	}
	s.render(w, http.StatusOK, "sessions.html", view{Title: "Sessions", Nav: "sessions", Viewer: v, Data: d})
	return nil
}

type logsData struct {
	UserID, Toolkit, Tool, Status string
	Items                         []store.ExecutionLog
	Next                          string
}

func (s *Server) logsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	q := r.URL.Query()
	d := logsData{UserID: strings.TrimSpace(q.Get("user_id")), Toolkit: strings.TrimSpace(q.Get("toolkit")),
		Tool: strings.TrimSpace(q.Get("tool")), Status: q.Get("status")}
	search := execlog.Search{Cursor: q.Get("cursor"), Limit: pageSize}
	for _, c := range []struct{ field, value string }{
		{store.LogFieldUser, d.UserID}, {store.LogFieldToolkit, strings.ToLower(d.Toolkit)},
		{store.LogFieldTool, strings.ToUpper(d.Tool)}, {store.LogFieldStatus, d.Status},
	} {
		if c.value != "" {
			search.Conditions = append(search.Conditions, store.Condition{Field: c.field, Op: store.OpEqual, Value: c.value})
		}
	}
	page, err := s.ExecutionLogs.List(r.Context(), v.Project.ID, search)
	if err != nil {
		return err
	}
	d.Items = page.Items
	if page.NextCursor != "" {
		d.Next = pageURL(Path+"/logs", q, page.NextCursor)
	}
	s.render(w, http.StatusOK, "logs.html", view{Title: "Execution logs", Nav: "logs", Viewer: v, Data: d})
	return nil
}

type webhooksData struct {
	Items []store.WebhookSubscription
}

func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	subs, err := s.Webhooks.List(r.Context(), v.Project.ID)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "webhooks.html", view{Title: "Webhooks", Nav: "webhooks", Viewer: v, Data: webhooksData{Items: subs}})
	return nil
}

type webhookData struct {
	Subscription store.WebhookSubscription
	Deliveries   []store.Delivery
}

func (s *Server) webhookPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	sub, err := s.Webhooks.Get(r.Context(), v.Project.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ds, err := s.Webhooks.Deliveries(r.Context(), v.Project.ID, sub.ID, pageSize)
	if err != nil {
		return err
	}
	s.render(w, http.StatusOK, "webhook.html", view{Title: "Webhook " + sub.ID, Nav: "webhooks", Viewer: v,
		Data: webhookData{Subscription: sub, Deliveries: ds}})
	return nil
}

type auditData struct {
	Action, TargetID string
	Items            []store.AuditEntry
	Next             string
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	q := r.URL.Query()
	d := auditData{Action: strings.TrimSpace(q.Get("action")), TargetID: strings.TrimSpace(q.Get("target_id"))}
	f := store.AuditFilter{Cursor: q.Get("cursor"), Limit: pageSize, Newest: true}
	if d.Action != "" {
		f.Actions = []string{d.Action}
	}
	if d.TargetID != "" {
		f.TargetIDs = []string{d.TargetID}
	}
	page, err := s.Audit.List(r.Context(), v.Project.ID, f)
	if err != nil {
		return err
	}
	d.Items = page.Items
	if page.NextCursor != "" {
		d.Next = pageURL(Path+"/audit", q, page.NextCursor)
	}
	s.render(w, http.StatusOK, "audit.html", view{Title: "Audit log", Nav: "audit", Viewer: v, Data: d})
	return nil
}
