// Package sdk is the Go client of Switchboard, a self-hosted tool router for
// AI agents. Its requests and answers are the wire types of package wire,
// which the server shares. The API is the Composio v3.1 API, so the client also works against
// any server that speaks it; the long-poll in WaitForConnection is a
// Switchboard extension that degrades to polling elsewhere.
//
// The package uses only the standard library and package wire, and imports
// nothing from the server's internal packages.
//
// # Several accounts per toolkit
//
// A user may connect any number of accounts for one toolkit. A session uses
// one of them: the account pinned with WithConnectedAccounts, or else the
// user's most recently connected ACTIVE account.
//
//	client := sdk.New(os.Getenv("SWITCHBOARD_API_KEY"), "http://localhost:8080")
//
//	session, err := client.Create(ctx, "user_123")
//	if err != nil { ... }
//
//	// Connect a work and then a personal Gmail account.
//	work, err := session.Authorize(ctx, "gmail")
//	fmt.Println("Connect work Gmail:", work.RedirectURL)
//	workAccount, err := work.WaitForConnection(ctx)
//
//	personal, err := session.Authorize(ctx, "gmail")
//	fmt.Println("Connect personal Gmail:", personal.RedirectURL)
//	personalAccount, err := personal.WaitForConnection(ctx)
//
//	// The most recent account is the session's active one.
//	toolkits, err := session.Toolkits(ctx)
//	for _, tk := range toolkits.Items {
//		if tk.ConnectedAccount != nil {
//			fmt.Printf("%s: %s\n", tk.Name, tk.ConnectedAccount.ID)
//		}
//	}
//
//	// Pin an account; to switch, create another session.
//	workSession, err := client.Create(ctx, "user_123",
//		sdk.WithConnectedAccounts(map[string]string{"gmail": workAccount.ID}))
//
//	// All of the user's Gmail accounts, not just the active one.
//	page, err := client.ConnectedAccounts().List(ctx, sdk.ListAccountsParams{
//		UserIDs:      []string{"user_123"},
//		ToolkitSlugs: []string{"gmail"},
//	})
//
// Pinning an account of another user, another toolkit or another project
// fails with an *APIError of Status 400, and no session is created.
//
// # Running tools
//
// A session runs a tool with the account it uses for the tool's toolkit.
// A tool that fails comes back as a result whose Error is set, not as a Go
// error, so an agent can show the message (which may hold a link to
// connect an account) to the model or the user:
//
//	res, err := session.Execute(ctx, "GMAIL_SEND_EMAIL", map[string]any{
//		"recipient_email": "bob@example.com", "subject": "Hi", "body": "Hello",
//	})
//	if err != nil { ... } // a non-2xx answer, such as an unknown tool
//	if !res.Successful() {
//		fmt.Println("tool failed:", res.Error)
//	}
//	var sent struct{ ID string `json:"id"` }
//	err = json.Unmarshal(res.Data, &sent)
//
//	// Several accounts in a multi-account session: choose by id or alias.
//	res, err = session.Execute(ctx, "GMAIL_GET_PROFILE", nil, sdk.WithAccount("work"))
//
//	// Find tools for a task, and list the session's tools.
//	found, err := session.Search(ctx, "send an email")
//	fmt.Println(found.Results[0].PrimaryToolSlugs)
//	tools, err := session.Tools(ctx)
//
//	// Outside a session, name the account.
//	res, err = client.Tools().Execute(ctx, "GMAIL_GET_PROFILE", nil,
//		sdk.WithConnectedAccountID(workAccount.ID))
//
// Session.Proxy sends a raw request to a toolkit's API with the session's
// account.
//
// # Errors
//
// A non-2xx answer is an *APIError carrying the server's status, code,
// message, request id and suggested fix; IsNotFound tests for 404. A
// connection that fails is a *ConnectionFailedError. Idempotent GETs are
// retried twice on connection errors and on 502, 503 and 504; other calls
// are never retried.
//
// examples/multiaccount is this scenario as a program.
package sdk
