package metatools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// accountInfo is one of the user's accounts of a toolkit.
type accountInfo struct {
	ID          string     `json:"id"`
	Alias       *string    `json:"alias"`
	Identity    string     `json:"identity,omitempty"`
	Status      string     `json:"status"`
	Active      bool       `json:"active"`
	ConnectedAt *time.Time `json:"connected_at,omitempty"`
	// IsDefault reports whether the user chose it as the toolkit's default.
	IsDefault bool `json:"is_default,omitempty"`
	// Health is ok, refreshable, needs_reauth or unverified.
	Health string `json:"health"`
}

// connection is where a toolkit's connection stands for the session.
type connection struct {
	Toolkit             string        `json:"toolkit"`
	Name                string        `json:"name,omitempty"`
	HasActiveConnection bool          `json:"has_active_connection"`
	ActiveAccountID     string        `json:"active_account_id,omitempty"`
	StatusMessage       string        `json:"status_message,omitempty"`
	Accounts            []accountInfo `json:"accounts"`
	// A new link, when one was made.
	RedirectURL        string     `json:"redirect_url,omitempty"`
	ConnectedAccountID string     `json:"connected_account_id,omitempty"`
	ExpiresAt          *time.Time `json:"expires_at,omitempty"`
	Instruction        string     `json:"instruction,omitempty"`
	Error              string     `json:"error,omitempty"`
}

type manageOutput struct {
	Results map[string]connection `json:"results"`
}

// manage is COMPOSIO_MANAGE_CONNECTIONS: each toolkit's accounts, and a
// link for a toolkit without an ACTIVE account.
func (r *run) manage(ctx context.Context, args json.RawMessage) Result {
	var in struct {
		Toolkits      []string `json:"toolkits"`
		Alias         string   `json:"alias"`
		ReinitiateAll bool     `json:"reinitiate_all"`
	}
	if err := decodeArgs(args, &in); err != nil {
		return Failure(err.Error(), nil)
	}
	if len(in.Toolkits) == 0 {
		return Failure("toolkits must name at least one toolkit", nil)
	}
	out := manageOutput{Results: map[string]connection{}}
	var summary, errs []string
	for _, slug := range in.Toolkits {
		item := r.connection(ctx, slug, in.Alias, in.ReinitiateAll)
		out.Results[item.Toolkit] = item
		switch {
		case item.Error != "":
			errs = append(errs, item.Error)
			summary = append(summary, item.Toolkit+": "+item.Error+".")
		case item.RedirectURL != "":
			summary = append(summary, item.Toolkit+": "+item.Instruction)
		default:
			summary = append(summary, item.Toolkit+": "+item.StatusMessage+".")
		}
	}
	if len(errs) == len(in.Toolkits) {
		return Failure(strings.Join(errs, "; "), out)
	}
	return NewResult(strings.Join(summary, " "), out)
}

// connection reports a toolkit's accounts and makes a link when the
// toolkit has no ACTIVE account for the session (or always, with again).
func (r *run) connection(ctx context.Context, slug, alias string, again bool) connection {
	slug, msg := r.toolkitError(ctx, slug)
	item := connection{Toolkit: slug, Accounts: []accountInfo{}}
	if msg != "" {
		item.Error = msg
		return item
	}
	st, err := r.s.Sessions.Status(ctx, r.sess, slug)
	if err != nil {
		item.Error = r.message(ctx, err)
		return item
	}
	item.Name, item.HasActiveConnection, item.ActiveAccountID, item.StatusMessage = st.Toolkit.Name, st.Connected, st.ActiveID, st.Message
	for _, a := range st.Accounts {
		item.Accounts = append(item.Accounts, accountInfo{ID: a.ID, Alias: optional(a.Alias), Identity: a.Identity,
			Status: a.Status, Active: a.ID == st.ActiveID, ConnectedAt: a.ConnectedAt, IsDefault: a.IsDefault,
			Health: accounts.HealthOf(a, r.s.now().UTC()).Status})
	}
	if st.Connected && (!again || st.NoAuth) {
		return item // connected, or nothing to connect
	}
	connect := r.s.Sessions.Connect
	if again {
		connect = func(ctx context.Context, p store.Project, id, toolkit, alias string) (store.Account, store.Link, error) {
			return r.s.Sessions.Authorize(ctx, p, id, toolkit, "", alias)
		}
	}
	a, l, err := connect(ctx, r.p, r.sess.ID, slug, alias)
	if err != nil {
		item.Error = r.message(ctx, err)
		return item
	}
	expires := l.ExpiresAt.UTC()
	item.RedirectURL, item.ConnectedAccountID, item.ExpiresAt = r.s.Accounts.LinkURL(l.Token), a.ID, &expires
	item.Instruction = fmt.Sprintf("ask the user to open %s and sign in to connect %s (the link expires at %s).",
		item.RedirectURL, st.Toolkit.Name, expires.Format(time.RFC3339))
	return item
}

// waited is how a wait for one toolkit ended.
type waited struct {
	Toolkit string `json:"toolkit"`
	// Status is connected, pending (the user has not finished yet) or
	// not_connected (nothing to wait for).
	Status             string  `json:"status"`
	ConnectedAccountID string  `json:"connected_account_id,omitempty"`
	Alias              *string `json:"alias,omitempty"`
	Identity           string  `json:"identity,omitempty"`
	Message            string  `json:"message"`
	Error              string  `json:"error,omitempty"`
}

type waitOutput struct {
	AllConnected bool              `json:"all_connected"`
	Results      map[string]waited `json:"results"`
}

// wait is COMPOSIO_WAIT_FOR_CONNECTIONS: it waits, for every toolkit at
// once, until the user has finished connecting it.
func (r *run) wait(ctx context.Context, args json.RawMessage) Result {
	var in struct {
		Toolkits       []string `json:"toolkits"`
		TimeoutSeconds *float64 `json:"timeout_seconds"`
	}
	if err := decodeArgs(args, &in); err != nil {
		return Failure(err.Error(), nil)
	}
	if len(in.Toolkits) == 0 {
		return Failure("toolkits must name at least one toolkit", nil)
	}
	timeout := DefaultWait
	if in.TimeoutSeconds != nil {
		timeout = min(max(time.Duration(*in.TimeoutSeconds*float64(time.Second)), time.Second), MaxWait)
	}
	if r.waiting != nil {
		stop := r.waiting(timeout)
		defer stop()
	}
	results := make([]waited, len(in.Toolkits))
	var wg sync.WaitGroup
	for i, slug := range in.Toolkits {
		slug, msg := r.toolkitError(ctx, slug)
		results[i] = waited{Toolkit: slug}
		if msg != "" {
			results[i].Error, results[i].Status, results[i].Message = msg, "not_connected", msg
			continue
		}
		wg.Go(func() {
			defer r.recoverAs(ctx, WaitForConnections, func(msg string) {
				results[i] = waited{Toolkit: slug, Status: "not_connected", Message: msg, Error: msg}
			})
			results[i] = r.waitOne(ctx, slug, timeout)
		})
	}
	wg.Wait()
	out := waitOutput{AllConnected: true, Results: map[string]waited{}}
	var summary, errs []string
	for _, w := range results {
		out.Results[w.Toolkit] = w
		out.AllConnected = out.AllConnected && w.Status == "connected"
		summary = append(summary, w.Toolkit+": "+w.Message)
		if w.Error != "" {
			errs = append(errs, w.Error)
		}
	}
	if len(errs) == len(results) {
		return Failure(strings.Join(errs, "; "), out)
	}
	return NewResult(strings.Join(summary, " "), out)
}

func (r *run) waitOne(ctx context.Context, slug string, timeout time.Duration) waited {
	w := waited{Toolkit: slug}
	conn, err := r.s.Sessions.WaitForConnection(ctx, r.p.ID, r.sess.ID, slug, timeout)
	if err != nil {
		w.Status, w.Error = "not_connected", r.message(ctx, err)
		w.Message = w.Error
		return w
	}
	switch {
	case conn.NoAuth:
		w.Status = "connected"
		w.Message = slug + " needs no connection; its tools run without an account."
	case conn.Connected:
		a := conn.Account
		w.Status, w.ConnectedAccountID, w.Alias, w.Identity = "connected", a.ID, optional(a.Alias), a.Identity
		name := a.Identity
		if name == "" {
			name = a.ID
		}
		w.Message = fmt.Sprintf("connected as %s (%s).", name, a.ID)
	case conn.Pending != nil:
		w.Status, w.ConnectedAccountID = "pending", conn.Pending.ID
		w.Message = fmt.Sprintf("the user has not finished connecting yet (account %s is %s after %s); wait again, or make a new link with %s if it expired.",
			conn.Pending.ID, conn.Pending.Status, timeout.Round(time.Second), ManageConnections)
	case conn.Account != nil:
		a := conn.Account
		w.Status, w.ConnectedAccountID = "not_connected", a.ID
		w.Message = fmt.Sprintf("the session's account %s is %s and no connection is pending; make a link with %s.", a.ID, a.Status, ManageConnections)
		if a.StatusReason != "" {
			w.Message = fmt.Sprintf("the session's account %s is %s (%s) and no connection is pending; make a link with %s.", a.ID, a.Status, a.StatusReason, ManageConnections)
		}
	default:
		w.Status = "not_connected"
		w.Message = fmt.Sprintf("no connection of %s is pending for %s; make a link with %s and give it to the user first.", slug, r.sess.UserID, ManageConnections)
		if failed := r.lastFailure(ctx, slug); failed != nil {
			w.ConnectedAccountID = failed.ID
			w.Message = fmt.Sprintf("the last connection of %s (%s) is %s: %s; make a new link with %s.", slug, failed.ID, failed.Status, failed.StatusReason, ManageConnections)
		}
	}
	return w
}

// lastFailure is the user's newest account of a toolkit if it failed, to
// say why a link ended.
func (r *run) lastFailure(ctx context.Context, slug string) *store.Account {
	page, err := r.s.Accounts.List(ctx, r.p.ID, store.AccountFilter{UserIDs: []string{r.sess.UserID}, ToolkitSlugs: []string{slug}, Limit: 1})
	if err != nil || len(page.Items) == 0 || page.Items[0].Status != store.StatusFailed {
		return nil
	}
	return &page.Items[0]
}

// checked is what SWITCHBOARD_CHECK_ACCOUNT found.
type checked struct {
	AccountID  string     `json:"account_id"`
	Toolkit    string     `json:"toolkit"`
	Alias      *string    `json:"alias"`
	Identity   string     `json:"identity,omitempty"`
	Status     string     `json:"status"`
	Health     string     `json:"health"`
	VerifiedAt *time.Time `json:"verified_at"`
	LastError  string     `json:"last_error,omitempty"`
	// RedirectURL re-authorizes the account, when it needs that.
	RedirectURL string `json:"redirect_url,omitempty"`
	Message     string `json:"message"`
}

// checkAccount is SWITCHBOARD_CHECK_ACCOUNT: it verifies one of the
// session user's accounts with its toolkit's identity call now, and for
// an account that needs re-authorization returns the link that does it.
func (r *run) checkAccount(ctx context.Context, args json.RawMessage) Result {
	var in struct {
		Account string `json:"account"`
		Toolkit string `json:"toolkit"`
	}
	if err := decodeArgs(args, &in); err != nil {
		return Failure(err.Error(), nil)
	}
	if in.Account == "" && in.Toolkit == "" {
		return Failure("name the account (its id or alias, with toolkit for an alias), or a toolkit to check the account the session uses for it", nil)
	}
	var a store.Account
	switch {
	case strings.HasPrefix(in.Account, "ca_"):
		got, err := r.s.Accounts.Get(ctx, r.p.ID, in.Account)
		if err != nil || got.UserID != r.sess.UserID {
			return Failure(fmt.Sprintf("account %s is not one of %s's accounts", in.Account, r.sess.UserID), nil)
		}
		a = got
	case in.Account != "":
		if in.Toolkit == "" {
			return Failure(fmt.Sprintf("alias %q needs toolkit too: aliases are unique per toolkit", in.Account), nil)
		}
		got, err := r.s.Accounts.Resolve(ctx, r.p.ID, r.sess.UserID, in.Toolkit, in.Account)
		if err != nil {
			return Failure(fmt.Sprintf("%s has no %s account %q", r.sess.UserID, in.Toolkit, in.Account), nil)
		}
		a = got
	default:
		got, err := r.s.Sessions.AccountFor(ctx, r.sess, in.Toolkit)
		if err != nil {
			return Failure(r.message(ctx, err), nil)
		}
		if got == nil {
			return Failure(fmt.Sprintf("%s has no %s account; connect one with %s", r.sess.UserID, in.Toolkit, ManageConnections), nil)
		}
		a = *got
	}
	a, err := r.s.Accounts.Verify(ctx, r.p.ID, a.ID)
	if err != nil {
		return Failure(r.message(ctx, err), nil)
	}
	h := accounts.HealthOf(a, r.s.now().UTC())
	out := checked{AccountID: a.ID, Toolkit: a.ToolkitSlug, Alias: optional(a.Alias), Identity: a.Identity, Status: a.Status,
		Health: h.Status, VerifiedAt: h.VerifiedAt, LastError: h.LastError}
	switch {
	case a.Status != store.StatusActive:
		refusal := sessions.Unusable(a)
		link, lerr := r.s.Sessions.Offer(ctx, r.p, refusal)
		out.RedirectURL, out.Message = link, refusal.Message(link, lerr)
	case h.Status == store.HealthOK:
		out.Message = fmt.Sprintf("account %s works: the provider answered its identity call just now.", a.ID)
	case h.Status == store.HealthUnverified:
		out.Message = fmt.Sprintf("account %s is ACTIVE, but its toolkit has no identity call to check it with.", a.ID)
	default:
		out.Message = fmt.Sprintf("account %s could not be checked: %s; try again later.", a.ID, h.LastError)
	}
	return NewResult(out.Message, out)
}
