package execute

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/catalog"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/remotemcp"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// The tools of an MCP toolkit (toolkits.MCPServer) run on the remote
// server through Service.Remote, as the account the selection rule
// picked: the account's credential goes on the server's requests exactly
// as the auth config's scheme puts it on an HTTP tool's (authorize), so
// two accounts reach the server as two identities. An OAuth2 account the
// server refuses is refreshed once and the call sent once more; refused
// again, the call reports that the account needs re-authorization, with
// the link that does it.

// remoteServer is the toolkit's MCP server as account a reaches it, and
// the OAuth2 access token it carries ("" for other schemes). rejected is
// the access token the server refused on the last attempt.
func (s *Service) remoteServer(ctx context.Context, a store.Account, ac store.AuthConfig, tk toolkits.Toolkit, rejected string) (remotemcp.Server, string, error) {
	// authorize writes on a request; this one is never sent, only read
	// back: the server URL with a key in its query, if the scheme puts it
	// there, and the headers.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tk.MCP.URL, nil)
	if err != nil {
		return remotemcp.Server{}, "", fmt.Errorf("toolkit %s has no usable MCP server URL", tk.Slug)
	}
	for k, v := range tk.Headers {
		req.Header.Set(k, v)
	}
	used, err := s.authorize(ctx, req, a, ac, tk, rejected)
	if err != nil {
		return remotemcp.Server{}, "", err
	}
	return remotemcp.Server{URL: req.URL.String(), Header: req.Header}, used, nil
}

// withAccount runs f against the toolkit's server as account a, once
// more after a refresh when an OAuth2 server refuses the token. It
// returns the error of the last attempt and whether the credentials were
// what failed (err is then from authorize, not from the server).
func (s *Service) withAccount(ctx context.Context, a store.Account, ac store.AuthConfig, tk toolkits.Toolkit, f func(remotemcp.Server) error) (credErr bool, err error) {
	used := ""
	for attempt := 0; ; attempt++ {
		rejected := ""
		if attempt > 0 {
			rejected = used
		}
		var srv remotemcp.Server
		srv, used, err = s.remoteServer(ctx, a, ac, tk, rejected)
		if err != nil {
			return true, err
		}
		err = f(srv)
		if errors.Is(err, remotemcp.ErrUnauthorized) && attempt == 0 && ac.AuthScheme == string(toolkits.ModeOAuth2) {
			continue // refresh once, retry once
		}
		return false, err
	}
}

// callMCP runs a tool of an MCP toolkit as account a.
func (s *Service) callMCP(ctx context.Context, p store.Project, a store.Account, ac store.AuthConfig, tk toolkits.Toolkit, tool toolkits.Tool, args map[string]any, logID string) Result {
	if s.Remote == nil {
		return failed(logID, "this server cannot reach MCP servers (no remote MCP client configured)")
	}
	var res remotemcp.Result
	credErr, err := s.withAccount(ctx, a, ac, tk, func(srv remotemcp.Server) error {
		var err error
		res, err = s.Remote.Call(ctx, srv, tool.MCPName(), args)
		return err
	})
	switch {
	case credErr:
		return failed(logID, "%s", s.credentialError(ctx, p, a, err))
	case errors.Is(err, remotemcp.ErrUnauthorized):
		return failed(logID, "%s", s.explain(ctx, p, refused(a, ac, tk), logID))
	case errors.Is(err, remotemcp.ErrBusy):
		return failed(logID, "%s", ErrBusy.Error())
	case err != nil:
		// remotemcp's errors name the host and carry no credential or
		// upstream body.
		return failed(logID, "the %s MCP server failed: %v", tk.Name, err)
	}
	out := Result{Data: mcpData(res), LogID: logID}
	if res.IsError {
		out.Error = res.Text
		if out.Error == "" {
			out.Error = "the " + tk.Name + " MCP tool reported an error without saying what"
		}
	}
	return out
}

// refused is the refusal of a call the server turned down for the
// account's credentials: the user must authorize the account again (an
// OAuth2 account already had its token refreshed once).
func refused(a store.Account, ac store.AuthConfig, tk toolkits.Toolkit) *sessions.Refusal {
	reason := fmt.Sprintf("the %s MCP server refused the credentials of connected account %s", tk.Name, a.ID)
	if ac.AuthScheme == string(toolkits.ModeOAuth2) {
		reason += ", also after a token refresh; the account needs re-authorization"
	}
	return &sessions.Refusal{Reason: reason, Fix: sessions.Fix{Reauthorize: a.ID}}
}

// mcpData is a tool result as the call's data, a JSON object: the
// structured content when the server sent an object, else the text and
// the content items.
func mcpData(r remotemcp.Result) json.RawMessage {
	if s := bytes.TrimSpace(r.Structured); len(s) > 0 && s[0] == '{' {
		return r.Structured
	}
	data, err := json.Marshal(struct {
		Text       string          `json:"text"`
		Content    json.RawMessage `json:"content"`
		Structured json.RawMessage `json:"structured_content,omitempty"`
	}{r.Text, r.Content, r.Structured})
	if err != nil {
		return emptyObject
	}
	return data
}

// SyncMCP lists the tools of the project's MCP toolkit slug on its server,
// as connected account accountID (an ACTIVE account of that toolkit), and
// stores them as the toolkit's tools (catalog.Service.SetMCPTools): the
// sync Composio's POST /api/v3.1/custom/toolkits/sync does. An OAuth2
// account the server refuses is refreshed once and the list asked once
// more.
func (s *Service) SyncMCP(ctx context.Context, p store.Project, slug, accountID string) (catalog.Custom, error) {
	if s.Custom == nil || s.Remote == nil {
		return catalog.Custom{}, errors.New("execute: SyncMCP needs Custom and Remote")
	}
	c, err := s.Custom.Get(ctx, p.ID, slug)
	if err != nil {
		return catalog.Custom{}, err
	}
	tk := c.Definition.Toolkit
	if tk.MCP == nil {
		return catalog.Custom{}, problem.Invalidf("not_an_mcp_toolkit", "slug", "custom toolkit %s has no mcp section, so it has no MCP server to sync from", c.Slug).
			WithFix("Add an mcp section with the server's url (PUT /api/v3.1/custom_toolkits/%s)", c.Slug)
	}
	if tk.NoAuth() {
		return s.syncAnonymous(ctx, p, c, tk, accountID)
	}
	if accountID == "" {
		return catalog.Custom{}, problem.Invalidf("connected_account_required", "connected_account_id",
			"the %s MCP server needs credentials to list its tools: name a connected account of toolkit %s", c.Slug, c.Slug).
			WithFix("Connect an account of %s, then sync with {\"slug\":%q,\"connected_account_id\":\"ca_…\"}", c.Slug, c.Slug)
	}
	a, err := s.Accounts.Get(ctx, p.ID, accountID)
	if err != nil {
		return catalog.Custom{}, err
	}
	if a.ToolkitSlug != tk.Slug {
		return catalog.Custom{}, problem.Invalidf("connected_account_toolkit_mismatch", "connected_account_id",
			"connected account %s is an account of %s, not of %s", a.ID, a.ToolkitSlug, tk.Slug)
	}
	if a.Status != store.StatusActive {
		return catalog.Custom{}, problem.Invalidf("connected_account_not_active", "connected_account_id",
			"connected account %s is %s", a.ID, a.Status).WithFix("Sync with an ACTIVE account, or re-authorize this one")
	}
	ac, err := s.AuthConfigs.Get(ctx, p.ID, a.AuthConfigID)
	if err != nil {
		return catalog.Custom{}, fmt.Errorf("get auth config of %s: %w", a.ID, err)
	}
	var tools []remotemcp.Tool
	credErr, err := s.withAccount(ctx, a, ac, tk, func(srv remotemcp.Server) error {
		var err error
		tools, err = s.Remote.Tools(ctx, srv)
		return err
	})
	switch {
	case credErr:
		if _, ok := problem.As(err); ok {
			return catalog.Custom{}, err
		}
		return catalog.Custom{}, fmt.Errorf("prepare the credentials of %s: %w", a.ID, err)
	case errors.Is(err, remotemcp.ErrUnauthorized):
		return catalog.Custom{}, problem.Invalidf("mcp_server_unauthorized", "connected_account_id", "%s", refused(a, ac, tk).Reason).
			WithFix("Re-authorize the account (POST /api/v3.1/connected_accounts/%s/refresh), or sync with another", a.ID)
	case err != nil:
		return catalog.Custom{}, listError(c.Slug, err)
	}
	return s.Custom.SetMCPTools(ctx, p.ID, tk.Slug, tools)
}

// listError is the error of a tools listing that failed for a reason
// other than the credentials.
func listError(slug string, err error) error {
	switch {
	case errors.Is(err, remotemcp.ErrUnreachable), errors.Is(err, remotemcp.ErrBusy):
		return &problem.Error{Kind: problem.Unavailable, Code: "mcp_server_unreachable",
			Message: fmt.Sprintf("the %s MCP server could not be reached: %v", slug, err)}
	case errors.Is(err, remotemcp.ErrTooLarge):
		return problem.Invalidf("mcp_tools_too_large", "slug", "%v", err).
			WithFix("Serve at most %d tools in at most %d MiB from the server", remotemcp.MaxTools, remotemcp.MaxToolsBytes>>20)
	}
	return problem.Invalidf("mcp_server_error", "slug", "the %s MCP server did not answer as an MCP server should: %v", slug, err)
}

// syncAnonymous is SyncMCP for a toolkit that needs no credentials
// (NO_AUTH): the server is asked with the toolkit's headers only, and no
// account may be named.
func (s *Service) syncAnonymous(ctx context.Context, p store.Project, c catalog.Custom, tk toolkits.Toolkit, accountID string) (catalog.Custom, error) {
	if accountID != "" {
		return catalog.Custom{}, authconfigs.NoAuth(tk.Slug, "connected_account_id")
	}
	header := http.Header{}
	for k, v := range tk.Headers {
		header.Set(k, v)
	}
	tools, err := s.Remote.Tools(ctx, remotemcp.Server{URL: tk.MCP.URL, Header: header})
	switch {
	case errors.Is(err, remotemcp.ErrUnauthorized):
		return catalog.Custom{}, problem.Invalidf("mcp_server_unauthorized", "slug", "the %s MCP server asks for credentials, but the toolkit is NO_AUTH", c.Slug).
			WithFix("Give the toolkit an auth scheme the server takes, connect an account, and sync with it")
	case err != nil:
		return catalog.Custom{}, listError(c.Slug, err)
	}
	return s.Custom.SetMCPTools(ctx, p.ID, tk.Slug, tools)
}
