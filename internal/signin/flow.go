package signin

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// Service completes links: the hosted OAuth2 flow and credential form,
// and the waiting for them.
type Service struct {
	Store       store.Store
	Accounts    *accounts.Service
	AuthConfigs *authconfigs.Service
	Catalog     toolkits.Catalogs
	// Egress makes the calls to providers (token exchange, identity); nil
	// reaches public https hosts only.
	Egress *egress.Clients
	Now    func() time.Time
	Logger *slog.Logger
	// Sessions, when set, hears of each account a link connects, so that
	// the session that asked for the link moves its pin to it
	// (sessions.Service.Connected).
	Sessions Connected
}

// Reasons recorded with the transitions a completed link makes.
const (
	ReasonConnected   = "Connected"
	ReasonCredentials = "Credentials submitted"
)

func (s *Service) now() time.Time { return s.Now().UTC() }

// stateTTL bounds how long the provider may take between our redirect and
// its callback; the link's own expiry bounds it too.
const stateTTL = 10 * time.Minute

// FlowError is a failure of the hosted flow, shown to the end user on the
// error page. Reason is also what the account records.
type FlowError struct {
	Code   string
	Reason string
	Err    error
}

func (e *FlowError) Error() string { return e.Reason }
func (e *FlowError) Unwrap() error { return e.Err }

func flowErr(code, reason string, err error) *FlowError {
	return &FlowError{Code: code, Reason: reason, Err: err}
}

// LinkPage describes what the hosted link page must do.
type LinkPage struct {
	Link    store.Link
	Account store.Account
	// RedirectURL is the provider URL for OAuth2 links.
	RedirectURL string
	// Binding, with RedirectURL, is the secret the browser that opens the
	// link must keep (in a cookie named BindingCookie(state)) and show at
	// the callback: a sign-in completes only in the browser that started
	// it. It is derived from the link's PKCE verifier, which never leaves
	// the server, so knowing the state or the provider URL does not give it.
	Binding string
	// State is the OAuth2 state of RedirectURL, which names the binding
	// cookie.
	State string
	// Form lists the credential fields for the other schemes.
	Form *CredentialForm
}

// usableLink checks a link for the hosted flow; an expired link fails its
// account.
func (s *Service) usableLink(ctx context.Context, token string) (store.Link, store.Account, error) {
	l, err := s.Store.GetLink(ctx, accounts.HashLinkToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return store.Link{}, store.Account{}, flowErr("link_not_found", "This connection link does not exist.", err)
	}
	if err != nil {
		return store.Link{}, store.Account{}, fmt.Errorf("get link: %w", err)
	}
	if l.CompletedAt != nil {
		return store.Link{}, store.Account{}, flowErr("link_used", "This connection link was already used. Ask the application for a new one.", nil)
	}
	a, err := s.Store.GetAccount(ctx, l.ProjectID, l.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Link{}, store.Account{}, flowErr("account_deleted", "The account this link was for has been deleted.", err)
	}
	if err != nil {
		return store.Link{}, store.Account{}, fmt.Errorf("get account of link: %w", err)
	}
	if !s.now().Before(l.ExpiresAt) {
		reason := "The connection link expired before it was completed"
		s.fail(ctx, l, a, reason)
		return store.Link{}, store.Account{}, flowErr("link_expired", reason+". Ask the application for a new one.", nil)
	}
	if a.Status != store.StatusInitiated && a.Status != store.StatusExpired {
		return store.Link{}, store.Account{}, flowErr("link_used", "This account is already "+a.Status+"; the link cannot be used again.", nil)
	}
	l.Token = token
	return l, a, nil
}

// OpenLink prepares the hosted page of a link. For an OAuth2 toolkit it
// stores a fresh state and PKCE verifier on the link and returns the
// provider URL to send the browser to.
func (s *Service) OpenLink(ctx context.Context, token string) (LinkPage, error) {
	l, a, err := s.usableLink(ctx, token)
	if err != nil {
		return LinkPage{}, err
	}
	ac, err := s.AuthConfigs.Get(ctx, l.ProjectID, a.AuthConfigID)
	if err != nil {
		return LinkPage{}, flowErr("auth_config_missing", "The application's settings for this service were removed.", err)
	}
	if form, err := s.credentialForm(ctx, ac); err != nil && ac.AuthScheme != string(toolkits.ModeOAuth2) {
		return LinkPage{}, err
	} else if err == nil && !form.Scheme.SignIn() {
		return LinkPage{Link: l, Account: a, Form: &form}, nil
	}
	client, err := s.AuthConfigs.OAuthClient(ctx, ac, s.Accounts.RedirectURI())
	if err != nil {
		return LinkPage{}, flowErr("auth_config_invalid", "The application's OAuth settings for this service are incomplete.", err)
	}
	if hint, ok := reauthHint(a); ok {
		// Re-authorizing a known account: ask the provider for it.
		client = client.ForAccount(hint)
	}
	state, hash := oauth.NewState()
	verifier := oauth.NewVerifier()
	stateExp := s.now().Add(stateTTL)
	if l.ExpiresAt.Before(stateExp) {
		stateExp = l.ExpiresAt
	}
	l, err = s.Store.UpdateLink(ctx, l.TokenHash, func(l store.Link) (store.Link, error) {
		if l.CompletedAt != nil {
			return l, flowErr("link_used", "This connection link was already used.", nil)
		}
		l.StateHash, l.Verifier, l.StateExpiresAt = hash, verifier, &stateExp
		return l, nil
	})
	if err != nil {
		return LinkPage{}, err
	}
	l.Token = token
	return LinkPage{Link: l, Account: a, RedirectURL: client.AuthCodeURL(state, verifier), Binding: binding(verifier), State: state}, nil
}

// reauthHint is the login hint of a re-authorization: the identity the
// account recorded (an email or login) when it has one; a display name
// with a workspace ("name @ workspace") or spaces is no login. ok is false
// for a first connection.
func reauthHint(a store.Account) (string, bool) {
	if a.Identity == "" && a.IdentityID == "" {
		return "", false
	}
	if strings.ContainsAny(a.Identity, " \t") {
		return "", true
	}
	return a.Identity, true
}

// BindingCookie names the cookie that holds the browser binding of the
// sign-in with the given state. Each sign-in has its own, so that a user
// may connect two accounts in two tabs of one browser.
func BindingCookie(state string) string {
	return "sb_signin_" + oauth.HashState(state)[:16]
}

// binding is the browser binding of a sign-in with PKCE verifier v: an
// HMAC of a fixed label under the verifier, so that it says nothing about
// the verifier (whose S256 hash the provider sees).
func binding(verifier string) string {
	mac := hmac.New(sha256.New, []byte(verifier))
	mac.Write([]byte("switchboard sign-in browser binding"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// CallbackInput is what the provider sent to the OAuth callback.
type CallbackInput struct {
	State            string
	Code             string
	Error            string
	ErrorDescription string
	// Binding is the value of the browser's BindingCookie(State) cookie,
	// "" when it sent none.
	Binding string
}

// CompleteOAuth finishes an authorization code flow: it burns the state,
// exchanges the code with the PKCE verifier, stores the tokens sealed,
// reads the identity, marks the account ACTIVE, and returns where to send
// the browser (the link's callback URL, or "" for the success page).
//
// A callback from a browser other than the one that opened the link (one
// without its binding, LinkPage.Binding) is refused and changes nothing:
// the sign-in stays open for the browser that started it. This stops a
// second browser holding the provider URL from completing a user's link
// with its own account, the login CSRF of RFC 9700 §4.7.
//
// A missing, replayed or expired state changes no account that is not
// waiting on it; every other failure fails the account with the reason.
func (s *Service) CompleteOAuth(ctx context.Context, in CallbackInput) (string, store.Account, error) {
	if in.State == "" {
		return "", store.Account{}, flowErr("state_missing", "The provider's answer carried no state, so it cannot be matched to a connection.", nil)
	}
	var first bool
	l, err := s.Store.GetLinkByState(ctx, oauth.HashState(in.State))
	if errors.Is(err, store.ErrNotFound) {
		return "", store.Account{}, flowErr("state_unknown", "This sign-in answer does not match any pending connection.", err)
	}
	if err != nil {
		return "", store.Account{}, fmt.Errorf("get link by state: %w", err)
	}
	if l.Verifier == "" {
		return "", store.Account{}, fmt.Errorf("pkce verifier of the link of account %s: %w", l.AccountID, store.ErrUnopened)
	}
	if !hmac.Equal([]byte(in.Binding), []byte(binding(l.Verifier))) {
		return "", store.Account{}, flowErr(CodeOtherBrowser, "This sign-in was started in another browser, or this browser refused its cookie. Open the connection link again in the browser you sign in with; nothing was connected.", nil)
	}
	// Burn the state before anything else, so a replay never gets further.
	now := s.now()
	l, err = s.Store.UpdateLink(ctx, l.TokenHash, func(l store.Link) (store.Link, error) {
		first = l.CompletedAt == nil
		if first {
			l.CompletedAt = &now
		}
		return l, nil
	})
	if err != nil {
		return "", store.Account{}, fmt.Errorf("burn state: %w", err)
	}
	if !first {
		return "", store.Account{}, flowErr("state_replayed", "This sign-in answer was already used; a connection can be completed only once.", nil)
	}
	a, err := s.Store.GetAccount(ctx, l.ProjectID, l.AccountID)
	if err != nil {
		return "", store.Account{}, flowErr("account_deleted", "The account this sign-in was for has been deleted.", err)
	}
	if l.StateExpiresAt == nil || !now.Before(*l.StateExpiresAt) {
		reason := "The sign-in took too long: its state expired before the provider answered"
		return "", s.fail(ctx, l, a, reason), flowErr("state_expired", reason+".", nil)
	}
	if in.Error != "" {
		ae := oauth.ParseAuthorizationError(in.Error, in.ErrorDescription)
		reason := providerReason(ae)
		return "", s.fail(ctx, l, a, reason), flowErr(ae.Code, reason+".", nil)
	}
	if in.Code == "" {
		reason := "The provider answered without an authorization code"
		return "", s.fail(ctx, l, a, reason), flowErr("code_missing", reason+".", nil)
	}
	ac, err := s.AuthConfigs.Get(ctx, l.ProjectID, a.AuthConfigID)
	if err != nil {
		reason := "The auth config of this account no longer exists"
		return "", s.fail(ctx, l, a, reason), flowErr("auth_config_missing", reason+".", err)
	}
	client, err := s.AuthConfigs.OAuthClient(ctx, ac, s.Accounts.RedirectURI())
	if err != nil {
		reason := "The auth config's OAuth settings are incomplete"
		return "", s.fail(ctx, l, a, reason), flowErr("auth_config_invalid", reason+".", err)
	}
	grant, err := client.Exchange(ctx, s.Egress, in.Code, l.Verifier)
	if err != nil {
		reason := "The provider refused the authorization code"
		if pe, ok := errors.AsType[*oauth.ProviderError](err); ok {
			reason += " (" + pe.Code + ")"
		}
		s.Logger.Warn("oauth code exchange failed", "account_id", a.ID, "err", err)
		return "", s.fail(ctx, l, a, reason), flowErr("code_exchange_failed", reason+".", err)
	}
	tok := grant.Token
	// The identity comes from an identity call, or for some providers
	// (Notion) from the token response the exchange already read.
	display, identityID, err := client.Identify(ctx, s.Egress, grant)
	if err != nil {
		// The tokens work or not regardless of the identity call; the
		// account is usable, it just cannot say whose it is.
		s.Logger.Warn("identity call failed", "account_id", a.ID, "toolkit", a.ToolkitSlug, "err", err)
	}
	activated, err := s.activate(ctx, a, tok, display, identityID, ReasonConnected)
	if fe, ok := errors.AsType[*FlowError](err); ok && (fe.Code == CodeIdentityMismatch || fe.Code == CodeDuplicate) {
		// The new grant is dropped; the account keeps its old tokens and
		// status, and records why.
		return "", s.fail(ctx, l, a, fe.Reason), fe
	}
	if err != nil {
		return "", store.Account{}, err
	}
	a = activated
	s.connected(ctx, l, a)
	return s.callbackTarget(l, a), a, nil
}

// providerReason is the reason an account records for an error the
// provider sent to the callback: only a known code and a cleaned, short
// description, never the provider's raw text.
func providerReason(ae oauth.AuthorizationError) string {
	var reason string
	switch ae.Code {
	case "access_denied":
		reason = "The user denied access at the provider (access_denied)"
	case "invalid_scope":
		reason = "The provider rejected the requested scopes (invalid_scope)"
	default:
		reason = "The provider answered with an error (" + ae.Code + ")"
	}
	if ae.Description != "" {
		reason += ": " + ae.Description
	}
	return reason
}

// CodeIdentityMismatch is the flow error of a re-authorization signed in
// as another upstream account than the one the account records.
const CodeIdentityMismatch = "identity_mismatch"

// CodeDuplicate is the flow error of a connection of an upstream identity
// that an ACTIVE account of the same user and auth config already has,
// under the auth config's duplicate_policy reject.
const CodeDuplicate = "identity_already_connected"

// CodeOtherBrowser is the flow error of an OAuth2 callback that lacks the
// browser binding of the link's sign-in.
const CodeOtherBrowser = "signin_other_browser"

// checkIdentity refuses to give an account that records an upstream
// identity the credentials of another one: a re-authorization keeps the
// account id, and sessions pinned to that id must keep reaching the same
// person's data. It compares the stable ids when both are known, and the
// display names otherwise. A re-authorization whose identity could not be
// read is refused too, since it cannot be told apart from a swap. An
// account that records no identity (a first connection, or a toolkit
// without an identity endpoint) takes any.
func checkIdentity(a store.Account, display, identityID string) error {
	if a.Identity == "" && a.IdentityID == "" {
		return nil
	}
	same := false
	switch {
	case a.IdentityID != "" && identityID != "":
		same = a.IdentityID == identityID
	case a.Identity != "" && display != "":
		same = a.Identity == display
	}
	if same {
		return nil
	}
	was := a.Identity
	if was == "" {
		was = a.IdentityID
	}
	if display == "" && identityID == "" {
		return flowErr(CodeIdentityMismatch, fmt.Sprintf(
			"Re-authorization refused: account %s belongs to %s, and the provider did not say which account signed in now. The account keeps its previous connection; try again signed in as %s.",
			a.ID, was, was), nil)
	}
	now := display
	if now == "" {
		now = identityID
	}
	return flowErr(CodeIdentityMismatch, fmt.Sprintf(
		"Re-authorization refused: account %s belongs to %s, but the provider signed in %s. The account keeps its previous connection; sign in as %s, or connect %s as a new account.",
		a.ID, was, now, was, now), nil)
}

// activate stores credentials and marks an account ACTIVE, now connected.
// It refuses credentials of another upstream identity than the one the
// account records (checkIdentity), and of an identity another ACTIVE
// account already has where the auth config rejects duplicates. Where the
// auth config says so, it supersedes its twins (accounts.Service.Supersede)
// as it becomes ACTIVE.
func (s *Service) activate(ctx context.Context, a store.Account, creds any, display, identityID, reason string) (store.Account, error) {
	plain, err := accounts.EncodeCredentials(creds)
	if err != nil {
		return store.Account{}, err
	}
	if err := s.Accounts.CheckDuplicate(ctx, a, display, identityID); err != nil {
		if de, ok := errors.AsType[*accounts.DuplicateError](err); ok {
			return store.Account{}, flowErr(CodeDuplicate, fmt.Sprintf(
				"%s is already connected as account %s, and this application allows one account per identity; nothing new was connected. Re-authorize %s instead",
				de.Identity, de.Twin.ID, de.Twin.ID), err)
		}
		return store.Account{}, err
	}
	var expiry *time.Time
	tok, ok := creds.(oauth.Token)
	if mc, isMachine := creds.(accounts.MachineCredentials); isMachine {
		tok, ok = mc.Token, true
	}
	if ok && !tok.Expiry.IsZero() {
		e := tok.Expiry.UTC()
		expiry = &e
	}
	// Twins of the identity are superseded first and the account activated
	// last, taking their alias and default mark in the same write: a
	// waiter woken by the activation sees the whole change. The identity is
	// checked before too, so that a refused re-authorization supersedes
	// nothing; the write checks it again on the row it changes.
	if err := checkIdentity(a, display, identityID); err != nil {
		return store.Account{}, err
	}
	takeover, err := s.Accounts.Supersede(ctx, a, identityID)
	if err != nil {
		return store.Account{}, err
	}
	a, err = s.Store.UpdateAccount(ctx, a.ProjectID, a.ID, func(a store.Account) (store.Account, error) {
		if err := checkIdentity(a, display, identityID); err != nil {
			return a, err
		}
		now := s.now()
		a = takeover.Apply(a)
		a.Status, a.StatusReason = store.StatusActive, reason
		a.Credentials, a.TokenExpiresAt = plain, expiry
		if display != "" {
			a.Identity = display
		}
		if identityID != "" {
			a.IdentityID = identityID
		}
		if display != "" || identityID != "" {
			// The identity call worked with these credentials: verified.
			a.Health, a.VerifiedAt, a.HealthError = store.HealthOK, &now, ""
		} else {
			a.Health, a.VerifiedAt, a.HealthError = "", nil, ""
		}
		a.ConnectedAt, a.UpdatedAt = &now, now
		return a, nil
	})
	if err != nil {
		s.Accounts.Restore(ctx, takeover)
		if _, ok := errors.AsType[*FlowError](err); ok {
			return store.Account{}, err
		}
		return store.Account{}, fmt.Errorf("activate account: %w", err)
	}
	if tok, isOAuth := creds.(oauth.Token); isOAuth {
		s.Accounts.RecordRefreshExpiry(ctx, a, tok)
	}
	return a, nil
}

// fail records a failed flow on the account: an INITIATED account becomes
// FAILED, an EXPIRED one being re-authorized stays EXPIRED; both get the
// reason. The link is used up.
func (s *Service) fail(ctx context.Context, l store.Link, a store.Account, reason string) store.Account {
	now := s.now()
	if _, err := s.Store.UpdateLink(ctx, l.TokenHash, func(l store.Link) (store.Link, error) {
		if l.CompletedAt == nil {
			l.CompletedAt = &now
		}
		return l, nil
	}); err != nil {
		s.Logger.Warn("close failed link", "err", err)
	}
	updated, err := s.Store.UpdateAccount(ctx, a.ProjectID, a.ID, func(a store.Account) (store.Account, error) {
		switch a.Status {
		case store.StatusInitiated:
			a.Status = store.StatusFailed
		case store.StatusExpired:
		default:
			return a, errUnchanged
		}
		a.StatusReason, a.UpdatedAt = reason, now
		return a, nil
	})
	if err != nil {
		if !errors.Is(err, errUnchanged) {
			s.Logger.Warn("fail account", "account_id", a.ID, "err", err)
		}
		return a
	}
	return updated
}

var errUnchanged = errors.New("unchanged")

// callbackTarget is where the browser goes after a completed link.
func (s *Service) callbackTarget(l store.Link, a store.Account) string {
	if l.CallbackURL == "" {
		return ""
	}
	u, err := url.Parse(l.CallbackURL)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("status", "success")
	q.Set("connected_account_id", a.ID)
	u.RawQuery = q.Encode()
	return u.String()
}

// Connected is told of each account a link connected.
type Connected interface {
	Connected(ctx context.Context, l store.Link, a store.Account) error
}

// connected tells the session that asked for link l (if any) that it
// connected account a. The account is connected either way: a pin that
// could not move is logged, not a failed sign-in.
func (s *Service) connected(ctx context.Context, l store.Link, a store.Account) {
	if s.Sessions == nil {
		return
	}
	if err := s.Sessions.Connected(ctx, l, a); err != nil && s.Logger != nil {
		s.Logger.WarnContext(ctx, "move session pin", "session_id", l.SessionID, "account_id", a.ID, "err", err)
	}
}
