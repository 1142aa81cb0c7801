package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/store"
)

var manageTool = &gomcp.Tool{
	Name:  ManageConnections,
	Title: "Manage connections",
	Description: `Check and create the user's connections to toolkits (Gmail, GitHub, Slack, ...).

For each toolkit it returns the user's connected accounts (id, alias, the upstream identity such as an email address, status) and which one this session uses. For a toolkit with no active account it creates an authorization link (redirect_url): show that link to the user and ask them to open it and sign in; the account is usable as soon as they finish` + " (call " + WaitForConnections + " to wait for it, when available)" + `.

Set reinitiate_all to create a link even when an account is already active, to connect another account (e.g. a personal one besides a work one); alias names the new account.`,
	InputSchema: json.RawMessage(`{
  "type": "object",
  "properties": {
    "toolkits": {
      "type": "array",
      "minItems": 1,
      "items": {"type": "string"},
      "description": "Toolkit slugs, e.g. [\"gmail\", \"github\"]."
    },
    "alias": {
      "type": "string",
      "description": "Optional name for the account a new link creates, unique per user and toolkit, e.g. \"work\" or \"personal\"."
    },
    "reinitiate_all": {
      "type": "boolean",
      "description": "Create a new link even for toolkits that already have an active account. Default false."
    }
  },
  "required": ["toolkits"]
}`),
	Annotations: &gomcp.ToolAnnotations{Title: "Manage connections", DestructiveHint: ptr(false), OpenWorldHint: ptr(false)},
}

// accountInfo is one of the user's accounts of a toolkit.
type accountInfo struct {
	ID          string     `json:"id"`
	Alias       *string    `json:"alias"`
	Identity    string     `json:"identity,omitempty"`
	Status      string     `json:"status"`
	Active      bool       `json:"active"`
	ConnectedAt *time.Time `json:"connected_at,omitempty"`
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

func (c *call) manage(ctx context.Context, req *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
	var in struct {
		Toolkits      []string `json:"toolkits"`
		Alias         string   `json:"alias"`
		ReinitiateAll bool     `json:"reinitiate_all"`
	}
	if err := decodeArgs(req, &in); err != nil {
		return failure(err.Error(), nil), nil
	}
	if len(in.Toolkits) == 0 {
		return failure("toolkits must name at least one toolkit", nil), nil
	}
	out := manageOutput{Results: map[string]connection{}}
	var summary, errs []string
	for _, slug := range in.Toolkits {
		item := c.connection(ctx, slug, in.Alias, in.ReinitiateAll)
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
		return failure(strings.Join(errs, "; "), out), nil
	}
	return result(strings.Join(summary, " "), out), nil
}

// connection reports a toolkit's accounts and makes a link when the
// toolkit has no ACTIVE account for the session (or always, with again).
func (c *call) connection(ctx context.Context, slug, alias string, again bool) connection {
	slug, msg := c.toolkitError(slug)
	item := connection{Toolkit: slug, Accounts: []accountInfo{}}
	if msg != "" {
		item.Error = msg
		return item
	}
	st, err := c.s.Execute.Status(ctx, c.sess, slug)
	if err != nil {
		item.Error = c.message(ctx, err)
		return item
	}
	item.Name, item.HasActiveConnection, item.ActiveAccountID, item.StatusMessage = st.Toolkit.Name, st.Connected, st.ActiveID, st.Message
	for _, a := range st.Accounts {
		item.Accounts = append(item.Accounts, accountInfo{ID: a.ID, Alias: optional(a.Alias), Identity: a.Identity,
			Status: a.Status, Active: a.ID == st.ActiveID, ConnectedAt: a.ConnectedAt})
	}
	if st.Connected && !again {
		return item
	}
	connect := c.s.Sessions.Connect
	if again {
		connect = func(ctx context.Context, p store.Project, id, toolkit, alias string) (store.Account, store.Link, error) {
			return c.s.Sessions.Authorize(ctx, p, id, toolkit, "", alias)
		}
	}
	a, l, err := connect(ctx, c.p, c.sess.ID, slug, alias)
	if err != nil {
		item.Error = c.message(ctx, err)
		return item
	}
	expires := l.ExpiresAt.UTC()
	item.RedirectURL, item.ConnectedAccountID, item.ExpiresAt = c.s.Accounts.LinkURL(l.Token), a.ID, &expires
	item.Instruction = fmt.Sprintf("ask the user to open %s and sign in to connect %s (the link expires at %s).",
		item.RedirectURL, st.Toolkit.Name, expires.Format(time.RFC3339))
	return item
}

// Waits for connections last defaultWait unless the call asks otherwise,
// and never more than maxWait.
const (
	defaultWait = 60 * time.Second
	maxWait     = 300 * time.Second
)

var waitTool = &gomcp.Tool{
	Name:  WaitForConnections,
	Title: "Wait for connections",
	Description: `Wait until the user has finished connecting the given toolkits through the links from ` + ManageConnections + `, then report each toolkit's account.

Call it right after giving the user a link. It returns as soon as every toolkit is connected, when a toolkit has no pending link any more (the user declined, or it expired), or after timeout_seconds (default 60, at most 300); call it again if the user needs more time.`,
	InputSchema: json.RawMessage(`{
  "type": "object",
  "properties": {
    "toolkits": {
      "type": "array",
      "minItems": 1,
      "items": {"type": "string"},
      "description": "Toolkit slugs to wait for, e.g. [\"gmail\"]."
    },
    "timeout_seconds": {
      "type": "number",
      "minimum": 1,
      "maximum": 300,
      "description": "How long to wait at most, in seconds. Default 60."
    }
  },
  "required": ["toolkits"]
}`),
	Annotations: &gomcp.ToolAnnotations{Title: "Wait for connections", ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(false)},
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

func (c *call) wait(ctx context.Context, req *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
	var in struct {
		Toolkits       []string `json:"toolkits"`
		TimeoutSeconds *float64 `json:"timeout_seconds"`
	}
	if err := decodeArgs(req, &in); err != nil {
		return failure(err.Error(), nil), nil
	}
	if len(in.Toolkits) == 0 {
		return failure("toolkits must name at least one toolkit", nil), nil
	}
	timeout := defaultWait
	if in.TimeoutSeconds != nil {
		timeout = min(max(time.Duration(*in.TimeoutSeconds*float64(time.Second)), time.Second), maxWait)
	}
	stop := c.progress(ctx, req, timeout)
	defer stop()
	results := make([]waited, len(in.Toolkits))
	var wg sync.WaitGroup
	for i, slug := range in.Toolkits {
		slug, msg := c.toolkitError(slug)
		results[i] = waited{Toolkit: slug}
		if msg != "" {
			results[i].Error, results[i].Status, results[i].Message = msg, "not_connected", msg
			continue
		}
		wg.Go(func() {
			defer c.recoverAs(ctx, WaitForConnections, func(msg string) {
				results[i] = waited{Toolkit: slug, Status: "not_connected", Message: msg, Error: msg}
			})
			results[i] = c.waitOne(ctx, slug, timeout)
		})
	}
	wg.Wait()
	out := waitOutput{AllConnected: true, Results: map[string]waited{}}
	var summary, errs []string
	for _, r := range results {
		out.Results[r.Toolkit] = r
		out.AllConnected = out.AllConnected && r.Status == "connected"
		summary = append(summary, r.Toolkit+": "+r.Message)
		if r.Error != "" {
			errs = append(errs, r.Error)
		}
	}
	if len(errs) == len(results) {
		return failure(strings.Join(errs, "; "), out), nil
	}
	return result(strings.Join(summary, " "), out), nil
}

func (c *call) waitOne(ctx context.Context, slug string, timeout time.Duration) waited {
	w := waited{Toolkit: slug}
	conn, err := c.s.Sessions.WaitForConnection(ctx, c.p.ID, c.sess.ID, slug, timeout)
	if err != nil {
		w.Status, w.Error = "not_connected", c.message(ctx, err)
		w.Message = w.Error
		return w
	}
	switch {
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
		w.Message = fmt.Sprintf("no connection of %s is pending for %s; make a link with %s and give it to the user first.", slug, c.sess.UserID, ManageConnections)
		if failed := c.lastFailure(ctx, slug); failed != nil {
			w.ConnectedAccountID = failed.ID
			w.Message = fmt.Sprintf("the last connection of %s (%s) is %s: %s; make a new link with %s.", slug, failed.ID, failed.Status, failed.StatusReason, ManageConnections)
		}
	}
	return w
}

// lastFailure is the user's newest account of a toolkit if it failed, to
// say why a link ended.
func (c *call) lastFailure(ctx context.Context, slug string) *store.Account {
	page, err := c.s.Accounts.List(ctx, c.p.ID, store.AccountFilter{UserIDs: []string{c.sess.UserID}, ToolkitSlugs: []string{slug}, Limit: 1})
	if err != nil || len(page.Items) == 0 || page.Items[0].Status != store.StatusFailed {
		return nil
	}
	return &page.Items[0]
}

// progress sends a progress notification every few seconds while a call
// waits, when the client asked for progress: it shows the user something
// is happening and keeps idle proxies from closing the stream.
func (c *call) progress(ctx context.Context, req *gomcp.CallToolRequest, total time.Duration) (stop func()) {
	token := req.Params.GetProgressToken()
	if token == nil || req.Session == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := time.Now()
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				req.Session.NotifyProgress(ctx, &gomcp.ProgressNotificationParams{
					ProgressToken: token, Progress: time.Since(start).Seconds(), Total: total.Seconds(),
					Message: "waiting for the user to finish connecting",
				})
			}
		}
	}()
	return func() { cancel(); <-done }
}
