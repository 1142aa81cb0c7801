package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// Pushing completed connections to agents.
//
// The endpoint is stateless, so the only way to reach a client between its
// requests is a request it keeps open: "subscriptions/listen" (MCP
// protocol 2026-07-28, SEP-2575), which the official SDKs open when the
// server's tools can change and the client listens for it. While a
// session's listen request is open, the server watches the session's
// pending links; when one completes (its account turns ACTIVE, on any
// instance) it registers the session's direct tools again from the
// session's new state, which sends notifications/tools/list_changed on
// the listen stream. That is the notification that fits: the connection
// changes which account, and so which tools, the session offers, and a
// client answers it by listing the tools again. docs/events.md documents
// it with the webhook events.

// listenMethod is the JSON-RPC method of a listen request.
const listenMethod = "subscriptions/listen"

// linkScan is how often a listening session's pending links are read
// again, to learn of links made after the listen began.
const linkScan = time.Second

// isListen reports whether r is a subscriptions/listen request, leaving
// r's body as it was for the SDK's handler.
func isListen(r *http.Request) bool {
	if r.Method != http.MethodPost || r.Body == nil {
		return false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxPeek+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), r.Body))
	if err != nil || len(b) > maxPeek {
		return false
	}
	var msg struct {
		Method string `json:"method"`
	}
	return json.Unmarshal(b, &msg) == nil && msg.Method == listenMethod
}

// watchLinks runs while a listen request of the session is open (ctx):
// each time one of the session's pending links completes, it registers
// the session's direct tools on srv again, which notifies the listener.
func (s *Server) watchLinks(ctx context.Context, srv *gomcp.Server, p store.Project, sessionID string) {
	accounts := s.Sessions.Accounts
	changes, stop := accounts.Changes()
	defer stop()
	tick := time.NewTicker(linkScan)
	defer tick.Stop()
	pending := map[string]bool{} // account ids of the session's pending links
	scan := func() {
		sess, err := s.Sessions.Get(ctx, p.ID, sessionID)
		if err != nil {
			return
		}
		page, err := accounts.List(ctx, p.ID, store.AccountFilter{UserIDs: []string{sess.UserID}, Statuses: []string{store.StatusInitiated}, Limit: 100})
		if err != nil {
			return
		}
		for _, a := range page.Items {
			if l, err := accounts.PendingLink(ctx, p.ID, sessionID, a.ToolkitSlug); err == nil && l.AccountID == a.ID {
				pending[a.ID] = true
			}
		}
	}
	check := func(id string) {
		if !pending[id] {
			return
		}
		a, err := accounts.Get(ctx, p.ID, id)
		if err != nil {
			delete(pending, id)
			return
		}
		if a.Status == store.StatusInitiated {
			return
		}
		delete(pending, id)
		if a.Status != store.StatusActive {
			return
		}
		sess, err := s.Sessions.Get(ctx, p.ID, sessionID)
		if err != nil {
			return
		}
		c := &call{s: s, p: p, sess: sess}
		o := optionsOf(sess.Config)
		c.addDirectTools(ctx, srv, o)
		// A meta tool is registered again too, so that a session without
		// direct tools is notified the same.
		switch {
		case o.manage:
			c.add(srv, manageTool, c.meta(metatools.ManageConnections))
		case o.search:
			c.add(srv, searchTool, c.meta(metatools.SearchTools))
		}
	}
	scan()
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-changes:
			check(id)
		case <-tick.C:
			for id := range pending {
				check(id)
			}
			scan()
		}
	}
}
