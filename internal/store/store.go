// Package store defines Switchboard's persistence contract: the record types,
// the Store interface every backend implements, and the sentinel errors.
//
// The contract, which storetest.Run checks for every backend:
//
//   - Every call that reads or writes a tenant's rows takes the project id and
//     never returns or changes a row of another project. A row of another
//     project is reported as ErrNotFound, exactly like a missing row.
//   - Times are stored and returned in UTC, with at least microsecond precision.
//   - Create methods fail with ErrConflict when the id (or a unique key such as
//     an account alias) is taken; they never overwrite.
//   - Update methods run fn inside a transaction on the current row. fn may be
//     called more than once and must only derive the new value from the old
//     one. An error from fn aborts the update and is returned unchanged.
//   - Delete methods are atomic and report ErrNotFound for a missing row.
//   - List methods return items in a stable order, with an opaque cursor that
//     continues after the last item returned; an empty cursor means the end.
//   - Credential fields (Sealed*) hold ciphertext from the vault only; the
//     backends never see plaintext secrets. Their plaintext twins
//     (Credentials, Secrets, Token, Verifier, Secret, PreviousSecret) exist above the vault's
//     barrier, which seals and opens them; a backend ignores them.
//   - Account writes append the events they cause (AccountEvents) to the
//     outbox in their own transaction; see Outbox.
//
// store imports no other internal package.
package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. Backends may wrap them; callers use errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	// ErrInvalid reports an argument the store cannot use, such as a
	// cursor it did not issue or an unknown order.
	ErrInvalid = errors.New("invalid argument")
	// ErrUnopened reports a secret the vault's barrier could not open:
	// sealed by a key this server does not hold, or damaged.
	ErrUnopened = errors.New("the secret is sealed by a key this server does not hold")
)

// Unopened reports whether a record's secret is sealed but was not opened
// (see ErrUnopened): ciphertext present, plaintext empty.
func Unopened(plain, sealed []byte) bool { return len(plain) == 0 && len(sealed) > 0 }

// Account statuses, as the Composio API names them.
const (
	StatusInitiated = "INITIATED"
	StatusActive    = "ACTIVE"
	StatusFailed    = "FAILED"
	StatusExpired   = "EXPIRED"
	StatusInactive  = "INACTIVE"
)

// Auth config statuses.
const (
	AuthConfigEnabled  = "ENABLED"
	AuthConfigDisabled = "DISABLED"
)

// Project is a tenant. Every API key, auth config, account and session
// belongs to exactly one.
type Project struct {
	ID   string
	Name string
	// CallbackURLs is the allowlist for a link's callback_url: an entry
	// matches a URL with the same scheme, host and port whose path starts
	// with the entry's path.
	CallbackURLs []string
	// RevealSecrets reports whether API responses may include connected
	// account credentials when a caller asks for them.
	RevealSecrets bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// APIKey is an API key. Only a hash of the key is kept.
type APIKey struct {
	ID        string
	ProjectID string
	Name      string
	// Prefix is the first characters of the key (at most 4), shown to
	// tell keys apart.
	Prefix string
	// Hash is SHA-256 of the whole key.
	Hash []byte
	// Scope is what the key may do: "admin" or "runtime" (the projects
	// package defines them). Keys stored before scopes existed are admin.
	Scope     string
	CreatedAt time.Time
	// RevokedAt is set once the key is revoked; a revoked key never
	// authenticates again.
	RevokedAt *time.Time
}

// AuthConfig is how a project authenticates one toolkit.
type AuthConfig struct {
	ID          string
	ProjectID   string
	ToolkitSlug string
	Name        string
	// Type is "default" (the toolkit's own app settings) or "custom".
	Type       string
	AuthScheme string
	Status     string
	// Params are the non-secret settings: client_id, scopes (space or comma
	// separated), authorization_url, token_url, userinfo_url, and so on.
	Params map[string]string
	// Secrets are the secret settings (client_secret and the like), a
	// JSON object, in plaintext. Backends never see them: the vault's
	// barrier seals them into SealedSecrets on the way down and opens them
	// on the way up.
	Secrets []byte
	// SealedSecrets is the vault ciphertext of Secrets: what a backend
	// stores. Above the barrier it is nil, unless the blob did not open.
	SealedSecrets          []byte
	IsEnabledForToolRouter bool
	// ToolsForExecution, when not empty, lists the only tools that may run
	// with the accounts of this auth config (Composio's
	// tool_access_config.tools_available_for_execution).
	ToolsForExecution []string
	// DuplicatePolicy says what connecting an upstream identity that an
	// ACTIVE account of the same user and auth config already has does:
	// "supersede" (also when empty), "allow" or "reject"; the accounts
	// package defines them.
	DuplicatePolicy string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// AuthConfigFilter selects auth configs. Empty fields match everything.
type AuthConfigFilter struct {
	ToolkitSlugs []string
	// IncludeDisabled reports whether DISABLED configs are listed too.
	IncludeDisabled bool
	// Search matches a substring of the name or toolkit slug, case-insensitively.
	Search string
	// Type is "default", "custom" or empty for both.
	Type   string
	Cursor string
	Limit  int
}

// Account is a connected account: one end user's credentials for one auth
// config.
type Account struct {
	ID           string
	ProjectID    string
	UserID       string
	ToolkitSlug  string
	AuthConfigID string
	Status       string
	StatusReason string
	// Alias is unique per project, user and toolkit when not empty.
	Alias string
	// Credentials are the account's credentials (tokens, API keys), a JSON
	// object in plaintext; nil until the account has any. Backends never
	// see them: the vault's barrier seals them into SealedCredentials.
	Credentials []byte
	// SealedCredentials is the vault ciphertext of Credentials: what a
	// backend stores. Above the barrier it is nil, unless the blob did not
	// open.
	SealedCredentials []byte
	// TokenExpiresAt is when the access token expires, if it does.
	TokenExpiresAt *time.Time
	// Identity is the non-secret name of the upstream account (an email
	// address, a login), read from the toolkit's identity endpoint.
	Identity string
	// IdentityID is the upstream account's stable id, if known.
	IdentityID string
	// ConnectedAt is when the account last became ACTIVE; nil if never.
	ConnectedAt *time.Time
	// SupersededBy is the account that replaced this one when the same
	// upstream identity connected again; this one is then INACTIVE.
	SupersededBy string
	// IsDefault reports whether the user chose this account as the
	// default of its toolkit. At most one account per project, user and
	// toolkit is the default: UpdateAccount clears it on the others.
	IsDefault bool
	// Health is the outcome of the last check of the credentials (one of
	// the Health constants); empty until the first.
	Health string
	// VerifiedAt is when the credentials last worked upstream; nil if
	// never checked.
	VerifiedAt *time.Time
	// HealthError is why the last check failed; empty when it passed.
	HealthError string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Account health values, the outcome of the last check of an account's
// credentials.
const (
	HealthOK          = "ok"
	HealthRefreshable = "refreshable"
	HealthNeedsReauth = "needs_reauth"
	HealthUnverified  = "unverified"
)

// Account list orders.
const (
	OrderCreatedAt   = "created_at"
	OrderUpdatedAt   = "updated_at"
	OrderConnectedAt = "connected_at"
)

// AccountFilter selects connected accounts. Empty fields match everything.
type AccountFilter struct {
	IDs           []string
	UserIDs       []string
	ToolkitSlugs  []string
	AuthConfigIDs []string
	Statuses      []string
	Aliases       []string
	// IdentityIDs matches the upstream account ids.
	IdentityIDs []string
	// DefaultOnly keeps only accounts chosen as their toolkit's default.
	DefaultOnly bool
	// OrderBy is one of the Order constants; empty means created_at.
	// Accounts never connected sort last under connected_at.
	OrderBy string
	// Ascending reports whether to list oldest first; the default is newest first.
	Ascending bool
	Cursor    string
	Limit     int
}

// Page is one page of a list.
type Page[T any] struct {
	Items []T
	// NextCursor continues after the last item; empty on the last page.
	NextCursor string
	// Total counts every item that matches the filter, on all pages.
	Total int
}

// Walk calls fn on every item of a list, page by page: list returns the
// page after a cursor ("" for the first). It stops at the first error.
func Walk[T any](list func(cursor string) (Page[T], error), fn func(T) error) error {
	cursor := ""
	for {
		page, err := list(cursor)
		if err != nil {
			return err
		}
		for _, item := range page.Items {
			if err := fn(item); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		cursor = page.NextCursor
	}
}

// VaultCheck is a check value sealed by one encryption key. The vault
// stores one for each key that sealed data in the store, and at start
// verifies that its keys open one of them.
type VaultCheck struct {
	// KeyID is the vault's id of the key that sealed it.
	KeyID     string
	Sealed    []byte
	CreatedAt time.Time
}

// Link is a connection request: the token in a hosted URL that an end user
// opens to connect one account. The store keeps only a hash of the token,
// and the vault's ciphertext of it.
type Link struct {
	// TokenHash is SHA-256 (lower-case hex) of the token: the link's key.
	TokenHash string
	// Token is the plaintext token. Backends never store it: the vault's
	// barrier seals it into SealedToken and opens it again on reads; a
	// backend ignores it and returns it empty.
	Token string
	// SealedToken is the vault ciphertext of the token, so that the same
	// link can be handed out again; nil on links made before it existed.
	SealedToken []byte
	ProjectID   string
	AccountID   string
	// SessionID is the session that asked for the link, if any.
	SessionID   string
	CallbackURL string
	ExpiresAt   time.Time
	// StateHash is SHA-256 (hex) of the OAuth state sent to the provider;
	// empty until the user opens the link.
	StateHash string
	// Verifier is the plaintext PKCE code verifier; like Token, only its
	// sealed form reaches a backend.
	Verifier string
	// SealedVerifier is the vault ciphertext of Verifier.
	SealedVerifier []byte
	// StateExpiresAt bounds how long the provider may take to call back.
	StateExpiresAt *time.Time
	// CompletedAt is set when the link is used up, successfully or not; a
	// completed link never completes again.
	CompletedAt *time.Time
	CreatedAt   time.Time
}

// Session is a Tool Router session: a user id plus configuration.
type Session struct {
	ID        string
	ProjectID string
	UserID    string
	// Config is the session configuration as JSON; the sessions package owns
	// its shape.
	Config        []byte
	ConfigVersion int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// SessionFilter selects sessions. Empty fields match everything.
type SessionFilter struct {
	UserIDs []string
	Cursor  string
	Limit   int
}

// CustomToolkit is a toolkit a project added: its definition in the
// toolkit file format, which the toolkits package owns, kept as the JSON
// it was stored as. Its slug is unique in the project.
type CustomToolkit struct {
	ProjectID  string
	Slug       string
	Definition []byte
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Store is the persistence interface. See the package doc for the contract.
type Store interface {
	// CreateProject stores a new project.
	CreateProject(ctx context.Context, p Project) error
	GetProject(ctx context.Context, id string) (Project, error)
	ListProjects(ctx context.Context) ([]Project, error)
	UpdateProject(ctx context.Context, id string, fn func(Project) (Project, error)) (Project, error)

	CreateAPIKey(ctx context.Context, k APIKey) error
	// GetAPIKeyByHash finds a key, revoked or not, by its hash, in any project.
	GetAPIKeyByHash(ctx context.Context, hash []byte) (APIKey, error)
	ListAPIKeys(ctx context.Context, projectID string) ([]APIKey, error)
	// RevokeAPIKey sets RevokedAt; revoking a revoked key keeps the first time.
	RevokeAPIKey(ctx context.Context, projectID, id string, at time.Time) error

	CreateAuthConfig(ctx context.Context, c AuthConfig) error
	GetAuthConfig(ctx context.Context, projectID, id string) (AuthConfig, error)
	// ListAuthConfigs lists newest first.
	ListAuthConfigs(ctx context.Context, projectID string, f AuthConfigFilter) (Page[AuthConfig], error)
	UpdateAuthConfig(ctx context.Context, projectID, id string, fn func(AuthConfig) (AuthConfig, error)) (AuthConfig, error)
	// DeleteAuthConfig deletes the config and every account made with it.
	DeleteAuthConfig(ctx context.Context, projectID, id string) error
	// CountAccounts counts the accounts of each of the given auth configs.
	CountAccounts(ctx context.Context, projectID string, authConfigIDs []string) (map[string]int, error)

	// CreateAccount fails with ErrConflict on a taken id or alias.
	CreateAccount(ctx context.Context, a Account) error
	GetAccount(ctx context.Context, projectID, id string) (Account, error)
	ListAccounts(ctx context.Context, projectID string, f AccountFilter) (Page[Account], error)
	// DefaultAccount returns the account a user's calls of a toolkit use
	// when nothing names one: the project's account of the user and
	// toolkit chosen as the default (IsDefault), in whatever status it is;
	// else the ACTIVE one with the greatest ConnectedAt, ties broken by the
	// greater id, an ACTIVE account never connected (nil ConnectedAt)
	// coming after every connected one. It is ErrNotFound when the user has
	// neither. It is the store's hottest read, so backends answer it with
	// one query, one indexed lookup that costs about as much as GetAccount,
	// whatever the number of accounts.
	DefaultAccount(ctx context.Context, projectID, userID, toolkit string) (Account, error)
	// UpdateAccount fails with ErrConflict when the new alias is taken. A
	// change of status is announced to AccountChanges subscribers of every
	// instance once committed. Making an account the default (IsDefault)
	// clears IsDefault on the user's other accounts of the toolkit in the
	// same transaction.
	UpdateAccount(ctx context.Context, projectID, id string, fn func(Account) (Account, error)) (Account, error)
	DeleteAccount(ctx context.Context, projectID, id string) error
	// FailStaleAccounts moves to FAILED with the given reason, in every
	// project, every INITIATED account whose newest link expired before
	// now, and every INITIATED account without any link created before
	// unlinkedBefore (a create interrupted between the account and its
	// link), and returns how many it moved.
	FailStaleAccounts(ctx context.Context, now, unlinkedBefore time.Time, reason string) (int, error)
	// ClaimProbes leases up to limit ACTIVE accounts, in every project,
	// whose credentials were last verified before verifiedBefore (or
	// never), whose Health is not HealthUnverified (a check found nothing
	// to verify them with) and that no unexpired lease holds, until leaseUntil, and
	// returns them, least recently verified first. Instances sharing the
	// database never claim the same account while a lease holds, so each
	// account is probed by one of them.
	ClaimProbes(ctx context.Context, now, verifiedBefore, leaseUntil time.Time, limit int) ([]Account, error)
	// AccountChanges delivers the ids of accounts whose status changed, on
	// any instance sharing the database, until ctx ends. Delivery is best
	// effort: a slow reader may miss ids, so waiters re-read the account.
	AccountChanges(ctx context.Context) (<-chan string, error)
	// LockAccount runs fn while holding a lock on the account that excludes
	// every other LockAccount of the same account, on any instance.
	LockAccount(ctx context.Context, projectID, id string, fn func(ctx context.Context) error) error

	// CreateLink fails with ErrConflict on a taken token hash.
	CreateLink(ctx context.Context, l Link) error
	// GetLink finds a link by token hash in any project: the hosted page
	// has no API key.
	GetLink(ctx context.Context, tokenHash string) (Link, error)
	// GetLinkByState finds a link by the hash of its OAuth state.
	GetLinkByState(ctx context.Context, stateHash string) (Link, error)
	// PendingLink returns the newest link that a session made for a
	// toolkit and that can still complete: not completed, expiring after
	// now, its account still INITIATED. ErrNotFound when there is none.
	PendingLink(ctx context.Context, projectID, sessionID, toolkit string, now time.Time) (Link, error)
	UpdateLink(ctx context.Context, tokenHash string, fn func(Link) (Link, error)) (Link, error)

	// ListVaultChecks returns every vault check, oldest first.
	ListVaultChecks(ctx context.Context) ([]VaultCheck, error)
	// AddVaultCheck stores a vault check; a key id that has one already is
	// ErrConflict.
	AddVaultCheck(ctx context.Context, c VaultCheck) error

	// CreateCustomToolkit stores a project's toolkit; a slug the project
	// already has is ErrConflict.
	CreateCustomToolkit(ctx context.Context, t CustomToolkit) error
	GetCustomToolkit(ctx context.Context, projectID, slug string) (CustomToolkit, error)
	// ListCustomToolkits returns every toolkit of the project, by slug.
	ListCustomToolkits(ctx context.Context, projectID string) ([]CustomToolkit, error)
	// UpdateCustomToolkit replaces a toolkit's definition with fn's; the
	// project and slug are kept whatever fn returns.
	UpdateCustomToolkit(ctx context.Context, projectID, slug string, fn func(CustomToolkit) (CustomToolkit, error)) (CustomToolkit, error)
	DeleteCustomToolkit(ctx context.Context, projectID, slug string) error

	CreateSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, projectID, id string) (Session, error)
	UpdateSession(ctx context.Context, projectID, id string, fn func(Session) (Session, error)) (Session, error)
	DeleteSession(ctx context.Context, projectID, id string) error
	// ListSessions lists the project's sessions matching f, newest first
	// (CreatedAt, then id). Its Total is not counted (0).
	ListSessions(ctx context.Context, projectID string, f SessionFilter) (Page[Session], error)

	// Outbox holds events, webhook subscriptions and deliveries.
	Outbox
	Logs
	// HitRateWindow counts one request on the project's rate counter key
	// in the fixed window that starts at start, in one atomic statement
	// (instances sharing a database count on the same row). It returns
	// the requests counted in the counter's window and that window's
	// start. A start after the counter's window begins a new window at
	// one request; a start before it (an instance whose clock is behind)
	// counts toward the counter's window. Starts are kept to the
	// millisecond. The project must exist.
	HitRateWindow(ctx context.Context, projectID, key string, start time.Time) (hits int64, windowStart time.Time, err error)

	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// PoolStats is what a backend's connection pool reports: the metrics
// package exports it. A backend with several pools reports each.
type PoolStats struct {
	// Pool names the pool: "read", "write", "query" or "locks".
	Pool string
	// Max is the most connections the pool opens.
	Max int
	// Open is how many connections are open; InUse of them are busy.
	Open, InUse int
	// Waits counts the acquisitions that had to wait for a connection,
	// and WaitTime is the total time they waited, since the pool opened.
	Waits    int64
	WaitTime time.Duration
}

// PoolStatser is a Store that reports its connection pools.
type PoolStatser interface {
	PoolStats() []PoolStats
}
