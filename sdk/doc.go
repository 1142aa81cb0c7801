// Package sdk is the Go client of Switchboard, a self-hosted tool router for
// AI agents, and holds the wire types of its REST API, which the server
// shares. The API is the Composio v3.1 API, so the client also works against
// any server that speaks it; the long-poll in WaitForConnection is a
// Switchboard extension that degrades to polling elsewhere.
//
// The package uses only the standard library and imports nothing from the
// server's internal packages.
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
