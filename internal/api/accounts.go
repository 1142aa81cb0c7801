package api

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/wire"
)

// maxWait bounds the long-poll of GET /connected_accounts/{id}.
const maxWait = 60 * time.Second

func (s *Server) linkAccount(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.ConnectedAccountLinkRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.AuthConfigID == "" {
		return problem.Invalidf("auth_config_required", "auth_config_id", "auth_config_id is required").
			WithFix("List the project's auth configs with GET /api/v3.1/auth_configs")
	}
	a, l, err := s.Accounts.Link(r.Context(), p, accounts.LinkInput{
		UserID: req.UserID, AuthConfigID: req.AuthConfigID, CallbackURL: req.CallbackURL, Alias: req.Alias,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.linkJSON(a, l))
	return nil
}

// createAccount is the legacy create: with connection.state it stores
// submitted credentials, otherwise it starts a link like /link does.
func (s *Server) createAccount(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.ConnectedAccountCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.AuthConfig.ID == "" {
		return problem.Invalidf("auth_config_required", "auth_config.id", "auth_config.id is required")
	}
	in := accounts.LinkInput{UserID: req.Connection.UserID, AuthConfigID: req.AuthConfig.ID, CallbackURL: req.Connection.CallbackURL, Alias: req.Connection.Alias}
	if st := req.Connection.State; st != nil {
		values := map[string]string{}
		for k, v := range st.Val {
			if str, ok := v.(string); ok {
				values[k] = str
			} else if v != nil {
				return problem.Invalidf("invalid_credential", "connection.state.val."+k, "%s must be a string", k)
			}
		}
		a, err := s.SignIn.CreateWithCredentials(r.Context(), p, in, st.AuthScheme, values)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, wire.ConnectedAccountCreateResponse{
			ID:             a.ID,
			ConnectionData: wire.ConnectionData{AuthScheme: s.authScheme(r.Context(), p.ID, a.AuthConfigID), Val: wire.ConnectionDataVal{Status: a.Status}},
			Status:         a.Status,
		})
		return nil
	}
	a, l, err := s.Accounts.Link(r.Context(), p, in)
	if err != nil {
		return err
	}
	url := s.Accounts.LinkURL(l.Token)
	writeJSON(w, http.StatusCreated, wire.ConnectedAccountCreateResponse{
		ID:             a.ID,
		ConnectionData: wire.ConnectionData{AuthScheme: s.authScheme(r.Context(), p.ID, a.AuthConfigID), Val: wire.ConnectionDataVal{Status: a.Status, RedirectURL: &url}},
		Status:         a.Status,
		RedirectURL:    &url,
	})
	return nil
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request, p store.Project) error {
	id := r.PathValue("id")
	var a store.Account
	wait, ok, err := seconds(r, "wait_seconds", maxWait)
	if err != nil {
		return err
	}
	if ok {
		// Switchboard's long-poll: answer once the account leaves
		// INITIATED, or after wait_seconds.
		a, err = s.Accounts.Wait(r.Context(), p.ID, id, wait)
	} else {
		a, err = s.Accounts.Get(r.Context(), p.ID, id)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.accountsJSON(r.Context(), p.ID, []store.Account{a})[0])
	return nil
}

// setAccountDefault makes an ACTIVE account its user's default of its
// toolkit, or stops it being one: Switchboard's own route, since Composio
// has no default account.
func (s *Server) setAccountDefault(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.ConnectedAccountDefaultRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.IsDefault == nil {
		return problem.Invalidf("invalid_request", "is_default", "is_default is required: true or false")
	}
	a, err := s.Accounts.SetDefault(r.Context(), p.ID, r.PathValue("id"), *req.IsDefault)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.accountsJSON(r.Context(), p.ID, []store.Account{a})[0])
	return nil
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request, p store.Project) error {
	n, err := limit(r, 20, 1000)
	if err != nil {
		return err
	}
	f := store.AccountFilter{
		IDs:           csv(r, "connected_account_ids"),
		UserIDs:       csv(r, "user_ids"),
		ToolkitSlugs:  csv(r, "toolkit_slugs"),
		AuthConfigIDs: csv(r, "auth_config_ids"),
		Statuses:      csv(r, "statuses"),
		Cursor:        r.URL.Query().Get("cursor"),
		Limit:         n,
	}
	switch o := r.URL.Query().Get("order_by"); o {
	case "", store.OrderCreatedAt, store.OrderUpdatedAt:
		f.OrderBy = o
	default:
		return problem.Invalidf("invalid_request", "order_by", "order_by must be created_at or updated_at, got %q", o)
	}
	switch d := r.URL.Query().Get("order_direction"); d {
	case "", "desc":
	case "asc":
		f.Ascending = true
	default:
		return problem.Invalidf("invalid_request", "order_direction", "order_direction must be asc or desc, got %q", d)
	}
	for _, st := range f.Statuses {
		if !validStatus[st] {
			return problem.Invalidf("invalid_request", "statuses", "unknown status %q", st)
		}
	}
	switch t := r.URL.Query().Get("account_type"); t {
	case "", "PRIVATE", "ALL":
	case "SHARED":
		// Switchboard has no shared accounts: it cannot say which would
		// match, so it refuses rather than answer an empty list.
		return problem.Invalidf("unsupported_filter", "account_type", "account_type=SHARED is not supported: Switchboard has no shared accounts").
			WithFix("Omit account_type, or use PRIVATE or ALL")
	default:
		return problem.Invalidf("invalid_request", "account_type", "account_type must be PRIVATE, SHARED or ALL, got %q", t)
	}
	page, err := s.Accounts.List(r.Context(), p.ID, f)
	if err != nil {
		return badCursor(err)
	}
	writeJSON(w, http.StatusOK, listJSON(s.accountsJSON(r.Context(), p.ID, page.Items), page.NextCursor, page.Total, n))
	return nil
}

var validStatus = map[string]bool{
	"INITIALIZING": true, store.StatusInitiated: true, store.StatusActive: true, store.StatusFailed: true,
	store.StatusExpired: true, store.StatusInactive: true, "REVOKED": true,
}

// badCursor turns a store's refusal of a cursor into a 400.
func badCursor(err error) error {
	if !errors.Is(err, store.ErrInvalid) {
		return err
	}
	e := problem.Invalidf("invalid_request", "cursor", "the cursor is not one this server issued").WithFix("Pass next_cursor from the previous page unchanged")
	e.Err = err
	return e
}

func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.ConnectedAccountUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	var a store.Account
	var err error
	if req.Alias != nil {
		before, gerr := s.Accounts.Get(r.Context(), p.ID, id)
		if gerr != nil {
			return gerr
		}
		ctx, finish := s.begin(r, p, audit.Act{Action: audit.AccountUpdate, TargetType: store.AuditAccount, TargetID: before.ID,
			Before: audit.Account(before), Snapshot: accountView})
		a, err = s.Accounts.SetAlias(ctx, p.ID, before.ID, *req.Alias)
		if err == nil {
			finish(audit.Account(a))
		}
	} else {
		a, err = s.Accounts.Get(r.Context(), p.ID, id)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.ConnectedAccountUpdateResponse{ID: a.ID, Status: a.Status, Success: true})
	return nil
}

func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request, p store.Project) error {
	before, err := s.Accounts.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.AccountDelete, TargetType: store.AuditAccount, TargetID: before.ID,
		Before: audit.Account(before), Snapshot: accountView})
	if err := s.Accounts.Delete(ctx, p.ID, before.ID); err != nil {
		return err
	}
	finish(nil)
	writeJSON(w, http.StatusOK, wire.Success{Success: true})
	return nil
}

func (s *Server) setAccountStatus(w http.ResponseWriter, r *http.Request, p store.Project) error {
	var req wire.StatusRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Enabled == nil {
		return problem.Invalidf("invalid_request", "enabled", "enabled is required: true or false")
	}
	before, err := s.Accounts.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.AccountStatus, TargetType: store.AuditAccount, TargetID: before.ID,
		Before: audit.Account(before), Snapshot: accountView})
	a, err := s.Accounts.SetEnabled(ctx, p.ID, before.ID, *req.Enabled)
	if err != nil {
		return err
	}
	finish(audit.Account(a))
	writeJSON(w, http.StatusOK, wire.Success{Success: true})
	return nil
}

// refreshAccount refreshes an ACTIVE OAuth2 account's token; for an
// EXPIRED or FAILED account it starts a re-authorization link instead.
func (s *Server) refreshAccount(w http.ResponseWriter, r *http.Request, p store.Project) error {
	a, l, err := s.Accounts.RefreshOrReauthorize(r.Context(), p, r.PathValue("id"), r.URL.Query().Get("redirect_url"))
	if err != nil {
		return err
	}
	out := wire.RefreshResponse{ID: a.ID, Status: a.Status}
	if l != nil {
		url := s.Accounts.LinkURL(l.Token)
		out.RedirectURL = &url
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) accountJSON(ctx context.Context, a store.Account) wire.ConnectedAccount {
	ac, _ := s.AuthConfigs.Get(ctx, a.ProjectID, a.AuthConfigID)
	out := wire.ConnectedAccount{
		ID:           a.ID,
		Alias:        optional(a.Alias),
		WordID:       a.ToolkitSlug + "_" + a.ID[len(a.ID)-6:],
		UserID:       a.UserID,
		Status:       a.Status,
		StatusReason: optional(a.StatusReason),
		IsDisabled:   a.Status == store.StatusInactive,
		CreatedAt:    a.CreatedAt,
		UpdatedAt:    a.UpdatedAt,
		Toolkit:      wire.ToolkitRef{Slug: a.ToolkitSlug},
		AuthConfig: wire.AuthConfigRef{
			ID:         a.AuthConfigID,
			AuthScheme: ac.AuthScheme,
			IsDisabled: ac.Status == store.AuthConfigDisabled,
		},
		Data:         map[string]any{},
		Params:       map[string]any{},
		Experimental: map[string]any{"account_type": "PRIVATE"},
		Identity:     a.Identity,
		IdentityID:   a.IdentityID,
		IsDefault:    a.IsDefault,
		SupersededBy: a.SupersededBy,
		Health:       healthJSON(accounts.HealthOf(a, s.Accounts.Now().UTC())),
	}
	// state carries credentials, which are never returned; the official
	// TypeScript SDK warns on a state without them, so send none at all.
	return out
}

// accountsJSON shows accounts with the other user ids that connected the
// same upstream identity; a failed look-up of those leaves them out.
func (s *Server) accountsJSON(ctx context.Context, projectID string, as []store.Account) []wire.ConnectedAccount {
	shared, err := s.Accounts.SharedIdentities(ctx, projectID, as)
	if err != nil {
		s.Logger.WarnContext(ctx, "find shared identities", "err", err)
	}
	out := make([]wire.ConnectedAccount, 0, len(as))
	for _, a := range as {
		j := s.accountJSON(ctx, a)
		j.IdentitySharedWithUserIDs = shared[a.ID]
		out = append(out, j)
	}
	return out
}

func healthJSON(h accounts.Health) *wire.AccountHealth {
	return &wire.AccountHealth{Status: h.Status, VerifiedAt: h.VerifiedAt, LastError: h.LastError}
}

// listJSON wraps a page in the Composio list envelope.
func listJSON[T any](items []T, next string, total, limit int) wire.ListResponse[T] {
	out := wire.ListResponse[T]{Items: items, TotalItems: total}
	if next != "" {
		out.NextCursor = &next
	}
	if limit > 0 {
		out.TotalPages = (total + limit - 1) / limit
	}
	if out.TotalPages == 0 {
		out.TotalPages = 1
	}
	return out
}

// paginate pages an in-memory list with an opaque offset cursor.
func paginate[T any](items []T, cursor string, limit int) (wire.ListResponse[T], error) {
	off := 0
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err == nil {
			off, err = strconv.Atoi(string(b))
		}
		if err != nil || off < 0 || off > len(items) {
			return wire.ListResponse[T]{}, problem.Invalidf("invalid_request", "cursor", "the cursor is not one this server issued")
		}
	}
	end := min(off+limit, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	out := listJSON(items[off:end], next, len(items), limit)
	out.CurrentPage = off/limit + 1
	return out, nil
}

// authScheme returns the scheme of an auth config, or "" when it is gone.
func (s *Server) authScheme(ctx context.Context, projectID, id string) string {
	ac, err := s.AuthConfigs.Get(ctx, projectID, id)
	if err != nil {
		return ""
	}
	return ac.AuthScheme
}

// accountView is the audit snapshot of an account record.
var accountView = audit.View(audit.Account)
