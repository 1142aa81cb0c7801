package mcp

import (
	"context"
	"encoding/json"
	"time"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/metatools"
)

var manageTool = &gomcp.Tool{
	Name:  metatools.ManageConnections,
	Title: "Manage connections",
	Description: `Check and create the user's connections to toolkits (Gmail, GitHub, Slack, ...).

For each toolkit it returns the user's connected accounts (id, alias, the upstream identity such as an email address, status) and which one this session uses. For a toolkit with no active account it creates an authorization link (redirect_url): show that link to the user and ask them to open it and sign in; the account is usable as soon as they finish` + " (call " + metatools.WaitForConnections + " to wait for it, when available)" + `.

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

var checkTool = &gomcp.Tool{
	Name:  metatools.CheckAccount,
	Title: "Check an account",
	Description: `Check now whether one of the user's connected accounts still works, with a cheap call to its provider (which account it is signed in as).

It returns the account's status, its health (ok, refreshable, needs_reauth or unverified), when it last worked and the last error. When the account needs the user to sign in again it also returns a link (redirect_url): show it to the user. Name the account by id, or by alias with its toolkit; or give only a toolkit to check the account this session uses for it.`,
	InputSchema: json.RawMessage(`{
  "type": "object",
  "properties": {
    "account": {"type": "string", "description": "The account's id (ca_...) or alias."},
    "toolkit": {"type": "string", "description": "The toolkit slug, e.g. \"gmail\"; needed with an alias, or alone for the session's account."}
  }
}`),
	Annotations: &gomcp.ToolAnnotations{Title: "Check an account", DestructiveHint: ptr(false), OpenWorldHint: ptr(true)},
}

var waitTool = &gomcp.Tool{
	Name:  metatools.WaitForConnections,
	Title: "Wait for connections",
	Description: `Wait until the user has finished connecting the given toolkits through the links from ` + metatools.ManageConnections + `, then report each toolkit's account.

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
