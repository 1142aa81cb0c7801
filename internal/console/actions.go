package console

import (
	"fmt"
	"net/http"

	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// deleteAccount deletes an account and its credentials for good, as
// DELETE /api/v3.1/connected_accounts/{id} does, and audits it the same
// way. The form must tick its confirm box.
func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request, v *viewer) error {
	before, err := s.Accounts.Get(r.Context(), v.Project.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		return problem.Invalidf("confirmation_required", "confirm", "deleting account %s removes its credentials for good, so the form must confirm it", before.ID).
			WithFix("Tick the confirmation box and press Delete again")
	}
	if err := s.Accounts.Delete(r.Context(), v.Project.ID, before.ID); err != nil {
		return err
	}
	s.Audit.Record(r.Context(), v.Project.ID, audit.Act{Action: audit.AccountDelete, TargetType: "connected_account",
		TargetID: before.ID, Before: audit.Account(before)})
	msg := fmt.Sprintf("Deleted connected account %s (%s of user %s). Its credentials are gone for good.", before.ID, before.ToolkitSlug, before.UserID)
	return s.accountsResult(w, r, v, before.UserID, &flash{OK: true, Text: msg})
}

// accountsResult shows the accounts of a user with the outcome of an act.
func (s *Server) accountsResult(w http.ResponseWriter, r *http.Request, v *viewer, userID string, f *flash) error {
	page, err := s.Accounts.List(r.Context(), v.Project.ID, store.AccountFilter{UserIDs: []string{userID}, Limit: pageSize})
	if err != nil {
		return err
	}
	d := accountsData{UserID: userID, Statuses: statuses, Items: page.Items, Total: page.Total}
	if page.NextCursor != "" {
		d.Next = pageURL(Path+"/accounts", map[string][]string{"user_id": {userID}}, page.NextCursor)
	}
	s.render(w, http.StatusOK, "accounts.html", view{Title: "Connected accounts", Nav: "accounts", Viewer: v, Flash: f, Data: d})
	return nil
}

// reconnectAccount makes a new link for an account, so its user can
// authorize it again under the same id (an EXPIRED account becomes ACTIVE
// again), and shows the link's URL to send them.
func (s *Server) reconnectAccount(w http.ResponseWriter, r *http.Request, v *viewer) error {
	a, l, err := s.Accounts.Reauthorize(r.Context(), v.Project, r.PathValue("id"), "")
	if err != nil {
		return err
	}
	s.Audit.Record(r.Context(), v.Project.ID, audit.Act{Action: audit.AccountReauthorize, TargetType: "connected_account",
		TargetID: a.ID, After: audit.Account(a)})
	d, err := s.account(r, v, a)
	if err != nil {
		return err
	}
	f := &flash{OK: true, Text: fmt.Sprintf("Reconnect link made for %s. Send it to user %s; it works once, until %s.", a.ID, a.UserID,
		l.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")), Secret: s.Accounts.LinkURL(l.Token),
		Note: "The link is shown on this page only."}
	s.render(w, http.StatusOK, "account.html", view{Title: "Account " + a.ID, Nav: "accounts", Viewer: v, Flash: f, Data: d})
	return nil
}

// rotateKey replaces an API key by a new one with the same name and
// scope and revokes the old one: the REST API's create and revoke, audited
// as both. The new key is shown once. Rotating the key this session signed
// in with moves the session to the new key.
func (s *Server) rotateKey(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id := r.PathValue("id")
	keys, err := s.Projects.ListKeys(r.Context(), v.Project.ID)
	if err != nil {
		return err
	}
	var old *store.APIKey
	for i := range keys {
		if keys[i].ID == id {
			old = &keys[i]
		}
	}
	if old == nil {
		return problem.NotFoundf("api_key_not_found", "API key %s does not exist in this project", id)
	}
	if old.RevokedAt != nil {
		return problem.Invalidf("api_key_revoked", "id", "API key %s is already revoked; a revoked key cannot be rotated", id).
			WithFix("Create a new key with switchboard keys create")
	}
	key, k, err := s.Projects.CreateScopedKey(r.Context(), v.Project.ID, old.Name, "", old.Scope)
	if err != nil {
		return err
	}
	s.Audit.Record(r.Context(), v.Project.ID, audit.Act{Action: audit.APIKeyCreate, TargetType: "api_key", TargetID: k.ID, After: audit.APIKey(k)})
	if err := s.Projects.RevokeKey(r.Context(), v.Project.ID, old.ID); err != nil {
		return err
	}
	s.Audit.Record(r.Context(), v.Project.ID, audit.Act{Action: audit.APIKeyRevoke, TargetType: "api_key", TargetID: old.ID})
	if old.ID == v.Key.ID {
		csrf, err := s.startSession(w, r, v.Project.ID, k.ID)
		if err != nil {
			return err
		}
		v.Key, v.CSRF = k, csrf
	}
	keys, err = s.Projects.ListKeys(r.Context(), v.Project.ID)
	if err != nil {
		return err
	}
	f := &flash{OK: true, Text: fmt.Sprintf("Rotated key %s: it is revoked, and %s replaces it with the same name and scope.", old.ID, k.ID),
		Secret: key, Note: "Copy the new key now: it is shown once and stored only as a hash."}
	s.render(w, http.StatusOK, "project.html", view{Title: "Project", Nav: "project", Viewer: v, Flash: f, Data: projectData{Keys: keys}})
	return nil
}
