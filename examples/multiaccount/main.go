// Multiaccount connects two Gmail accounts for one user and shows which one
// a session uses, and so which mailbox its tool calls reach: the most
// recent by default, or the one pinned.
//
//	SWITCHBOARD_URL=http://localhost:8080 SWITCHBOARD_API_KEY=sk_... go run ./examples/multiaccount
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

func main() {
	baseURL, apiKey := os.Getenv("SWITCHBOARD_URL"), os.Getenv("SWITCHBOARD_API_KEY")
	if baseURL == "" || apiKey == "" {
		log.Fatal("set SWITCHBOARD_URL and SWITCHBOARD_API_KEY")
	}
	ctx := context.Background()
	client := sdk.New(apiKey, baseURL)

	session, err := client.Create(ctx, "user_123")
	check(err)

	// Connect the first account (work), then the second (personal).
	work := connect(ctx, session, "work")
	personal := connect(ctx, session, "personal")

	// The most recently connected account is the session's active one.
	fmt.Print("Session's active account: ")
	printActive(ctx, session)

	// Pin an account per session; to switch accounts, create another session.
	for _, account := range []*wire.ConnectedAccount{work, personal} {
		pinned, err := client.Create(ctx, "user_123",
			sdk.WithConnectedAccounts(map[string]string{"gmail": account.ID}))
		check(err)
		fmt.Printf("Session %s uses: ", pinned.ID())
		printActive(ctx, pinned)
		printMailbox(ctx, pinned)
	}

	// A pin must belong to the session's user.
	_, err = client.Create(ctx, "user_456",
		sdk.WithConnectedAccounts(map[string]string{"gmail": work.ID}))
	var apiErr *sdk.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		log.Fatalf("pinning user_123's account for user_456: got %v, want a 400", err)
	}
	fmt.Println("Pinning user_123's account for user_456 fails:", apiErr.Message)

	// All of the user's Gmail accounts, not just the active one.
	accounts, err := client.ConnectedAccounts().List(ctx, sdk.ListAccountsParams{
		UserIDs:      []string{"user_123"},
		ToolkitSlugs: []string{"gmail"},
	})
	check(err)
	fmt.Println("user_123's Gmail accounts:")
	for _, a := range accounts.Items {
		fmt.Printf("  %s %s\n", a.ID, a.Status)
	}
}

// connect authorizes a new Gmail account and waits until the user has
// completed the flow.
func connect(ctx context.Context, session *sdk.Session, label string) *wire.ConnectedAccount {
	auth, err := session.Authorize(ctx, "gmail")
	check(err)
	fmt.Printf("Connect %s Gmail: %s\n", label, auth.RedirectURL)

	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	account, err := auth.WaitForConnection(ctx)
	check(err)
	fmt.Printf("Connected %s account: %s\n", label, account.ID)
	return account
}

// printActive prints the account a session uses for Gmail.
func printActive(ctx context.Context, session *sdk.Session) {
	toolkits, err := session.Toolkits(ctx, sdk.FilterToolkits("gmail"))
	check(err)
	for _, tk := range toolkits.Items {
		if tk.ConnectedAccount != nil {
			fmt.Printf("%s: %s\n", tk.Name, tk.ConnectedAccount.ID)
		}
	}
}

// printMailbox runs a Gmail tool in the session and prints whose mailbox
// answered.
func printMailbox(ctx context.Context, session *sdk.Session) {
	res, err := session.Execute(ctx, "GMAIL_GET_PROFILE", nil)
	check(err)
	if !res.Successful() {
		log.Fatalf("GMAIL_GET_PROFILE failed: %s", res.Error)
	}
	var profile struct {
		EmailAddress string `json:"emailAddress"`
	}
	check(json.Unmarshal(res.Data, &profile))
	fmt.Printf("  GMAIL_GET_PROFILE reads the mailbox of %s\n", profile.EmailAddress)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
