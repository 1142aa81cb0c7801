package wire

import (
	"encoding/json"
	"time"
)

// This file holds the wire types of the Composio v3.1 REST API that
// Switchboard implements. The server (internal/api, mcp, metatools)
// encodes them and the Go SDK decodes them, so both sides always agree. Field names follow the Composio wire
// exactly, including its mix of snake_case and camelCase.

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes what went wrong and how to fix it.
type ErrorDetail struct {
	Message string `json:"message"`
	// Code is a stable numeric code; Slug names it.
	Code         int    `json:"code"`
	Slug         string `json:"slug"`
	Status       int    `json:"status"`
	RequestID    string `json:"request_id"`
	SuggestedFix string `json:"suggested_fix,omitempty"`
	// Errors lists field-level problems of a request, if any.
	Errors []FieldError `json:"errors,omitempty"`
}

// FieldError is one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ListResponse is one page of a list endpoint.
type ListResponse[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
	TotalPages int     `json:"total_pages"`
	// CurrentPage is the page number, sent only by lists whose cursor is
	// an offset; a keyset cursor has no page number.
	CurrentPage int `json:"current_page,omitempty"`
	TotalItems  int `json:"total_items"`
}

// StringList decodes from either a JSON string or an array of strings; the
// SDKs send a pin as either.
type StringList []string

// UnmarshalJSON accepts "a" as well as ["a","b"].
func (l *StringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// EnableDisable is the request form of a toggled list: {"enable":[..]} or
// {"disable":[..]}.
type EnableDisable struct {
	Enable  []string `json:"enable,omitempty"`
	Disable []string `json:"disable,omitempty"`
}

// UnmarshalJSON also accepts a bare array, meaning enable.
func (e *EnableDisable) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*e = EnableDisable{Enable: list}
		return nil
	}
	type plain EnableDisable
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = EnableDisable(p)
	return nil
}

// EnabledDisabled is the response form of a toggled list.
type EnabledDisabled struct {
	Enabled  []string `json:"enabled,omitempty"`
	Disabled []string `json:"disabled,omitempty"`
}

// ManageConnectionsRequest is manage_connections in a session request.
type ManageConnectionsRequest struct {
	Enable                   *bool  `json:"enable,omitempty"`
	CallbackURL              string `json:"callback_url,omitempty"`
	EnableWaitForConnections *bool  `json:"enable_wait_for_connections,omitempty"`
}

// MultiAccount is multi_account in session requests and responses.
type MultiAccount struct {
	Enable                   bool `json:"enable"`
	MaxAccountsPerToolkit    int  `json:"max_accounts_per_toolkit,omitempty"`
	RequireExplicitSelection bool `json:"require_explicit_selection,omitempty"`
}

// SessionCreateRequest is the body of POST /api/v3.1/tool_router/session:
// the user, and the settings an update may change.
type SessionCreateRequest struct {
	UserID string `json:"user_id"`
	SessionUpdateRequest
}

// SessionUpdateRequest is the body of PATCH /api/v3.1/tool_router/session/{id}:
// a session's settings; absent fields are left as they are. Fields
// Switchboard stores but does not interpret are kept raw.
type SessionUpdateRequest struct {
	Toolkits          *EnableDisable            `json:"toolkits,omitempty"`
	AuthConfigs       map[string]string         `json:"auth_configs,omitempty"`
	ConnectedAccounts map[string]StringList     `json:"connected_accounts,omitempty"`
	ManageConnections *ManageConnectionsRequest `json:"manage_connections,omitempty"`
	MultiAccount      *MultiAccount             `json:"multi_account,omitempty"`
	Tools             json.RawMessage           `json:"tools,omitempty"`
	Tags              json.RawMessage           `json:"tags,omitempty"`
	Workbench         json.RawMessage           `json:"workbench,omitempty"`
	Preload           json.RawMessage           `json:"preload,omitempty"`
	Search            json.RawMessage           `json:"search,omitempty"`
	Execute           json.RawMessage           `json:"execute,omitempty"`
	Experimental      json.RawMessage           `json:"experimental,omitempty"`
}

// Session is a Tool Router session as the API returns it. A Session that a
// Client returns is bound to it, so its methods (Authorize, Toolkits,
// Update, Delete; Execute, Tools, Search, Proxy) call the API; see
// sessions.go and tools.go.
type Session struct {
	SessionID       string          `json:"session_id"`
	MCP             SessionMCP      `json:"mcp"`
	ToolRouterTools []string        `json:"tool_router_tools"`
	Config          SessionConfig   `json:"config"`
	ConfigVersion   int             `json:"config_version"`
	Experimental    json.RawMessage `json:"experimental,omitempty"`
	Warnings        []Warning       `json:"warnings"`
}

// SessionMCP tells an MCP client where the session's server is.
type SessionMCP struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Warning is a non-fatal remark about a session's configuration.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// SessionConfig is a session's configuration as the API returns it.
type SessionConfig struct {
	UserID            string                  `json:"user_id"`
	Toolkits          *EnabledDisabled        `json:"toolkits,omitempty"`
	AuthConfigs       map[string]string       `json:"auth_configs"`
	ConnectedAccounts map[string][]string     `json:"connected_accounts"`
	ManageConnections ManageConnectionsConfig `json:"manage_connections"`
	MultiAccount      MultiAccount            `json:"multi_account"`
	Tools             json.RawMessage         `json:"tools,omitempty"`
	Tags              json.RawMessage         `json:"tags,omitempty"`
	Workbench         json.RawMessage         `json:"workbench"`
	Preload           json.RawMessage         `json:"preload"`
	Search            json.RawMessage         `json:"search"`
	Execute           json.RawMessage         `json:"execute"`
}

// ManageConnectionsConfig is manage_connections in a session response.
type ManageConnectionsConfig struct {
	Enabled                  bool   `json:"enabled"`
	CallbackURL              string `json:"callback_url,omitempty"`
	EnableWaitForConnections bool   `json:"enable_wait_for_connections"`
	// EnableConnectionRemoval is Composio's switch for removing
	// connections from the chat; Switchboard has no such feature and
	// leaves it out.
	EnableConnectionRemoval bool `json:"enable_connection_removal,omitempty"`
}

// SessionDeleted is the body of a session delete.
type SessionDeleted struct {
	SessionID string `json:"session_id"`
	Deleted   bool   `json:"deleted"`
}

// SessionLinkRequest is the body of POST .../session/{id}/link.
type SessionLinkRequest struct {
	Toolkit      string          `json:"toolkit"`
	CallbackURL  string          `json:"callback_url,omitempty"`
	Alias        string          `json:"alias,omitempty"`
	Experimental json.RawMessage `json:"experimental,omitempty"`
}

// LinkResponse answers both link endpoints.
type LinkResponse struct {
	ConnectedAccountID string    `json:"connected_account_id"`
	LinkToken          string    `json:"link_token"`
	RedirectURL        string    `json:"redirect_url"`
	ExpiresAt          time.Time `json:"expires_at"`
}

// SessionToolkit is one item of GET .../session/{id}/toolkits.
type SessionToolkit struct {
	Slug                       string                 `json:"slug"`
	Name                       string                 `json:"name"`
	Enabled                    bool                   `json:"enabled"`
	IsNoAuth                   bool                   `json:"is_no_auth"`
	ComposioManagedAuthSchemes []string               `json:"composio_managed_auth_schemes"`
	Meta                       ToolkitMetaBrief       `json:"meta"`
	ConnectedAccount           *SessionToolkitAccount `json:"connected_account"`
}

// ToolkitMetaBrief is the short toolkit meta of a session toolkit.
type ToolkitMetaBrief struct {
	Description string `json:"description"`
	Logo        string `json:"logo"`
}

// SessionToolkitAccount is the account a session uses for a toolkit.
type SessionToolkitAccount struct {
	ID         string        `json:"id"`
	Status     string        `json:"status"`
	UserID     string        `json:"user_id"`
	Alias      *string       `json:"alias"`
	CreatedAt  time.Time     `json:"created_at"`
	AuthConfig AuthConfigRef `json:"auth_config"`
	// Identity names the upstream account (an email address, a login),
	// and IsDefault reports whether it is the user's chosen default:
	// Switchboard extensions, as on ConnectedAccount.
	Identity  string `json:"identity,omitempty"`
	IsDefault bool   `json:"is_default"`
}

// AuthConfigRef is the short form of an auth config inside other objects.
type AuthConfigRef struct {
	ID                string `json:"id"`
	AuthScheme        string `json:"auth_scheme"`
	IsComposioManaged bool   `json:"is_composio_managed"`
	IsDisabled        bool   `json:"is_disabled"`
}

// ToolkitRef names a toolkit inside other objects.
type ToolkitRef struct {
	Slug string `json:"slug"`
	Logo string `json:"logo,omitempty"`
}

// ConnectedAccount is a connected account as GET /connected_accounts/{id}
// and the list return it.
type ConnectedAccount struct {
	ID           string           `json:"id"`
	Alias        *string          `json:"alias"`
	WordID       string           `json:"word_id"`
	UserID       string           `json:"user_id"`
	Status       string           `json:"status"`
	StatusReason *string          `json:"status_reason"`
	IsDisabled   bool             `json:"is_disabled"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	Toolkit      ToolkitRef       `json:"toolkit"`
	AuthConfig   AuthConfigRef    `json:"auth_config"`
	State        *ConnectionState `json:"state"`
	Data         map[string]any   `json:"data"`
	Params       map[string]any   `json:"params"`
	Experimental map[string]any   `json:"experimental"`
	// Identity names the upstream account (an email address, a login).
	// It is a Switchboard extension, as are the fields after it.
	Identity string `json:"identity,omitempty"`
	// IdentityID is the upstream account's stable id.
	IdentityID string `json:"identity_id,omitempty"`
	// IsDefault reports whether the user chose this account as the
	// default of its toolkit (PATCH /api/v3.1/connected_accounts/{id}/default).
	IsDefault bool `json:"is_default"`
	// SupersededBy is the account that replaced this one when the same
	// upstream identity connected again.
	SupersededBy string `json:"superseded_by,omitempty"`
	// IdentitySharedWithUserIDs lists the other user ids of the project
	// that connected the same upstream identity of this toolkit. They
	// are never merged; this only reports it.
	IdentitySharedWithUserIDs []string `json:"identity_shared_with_user_ids,omitempty"`
	// Health is the outcome of the last check of the credentials.
	Health *AccountHealth `json:"health,omitempty"`
}

// AccountHealth is how an account's credentials fared when last checked:
// Status is ok, refreshable (the access token expired and a refresh is
// possible), needs_reauth (refresh failed or the provider refused them)
// or unverified (never checked). A Switchboard extension.
type AccountHealth struct {
	Status     string     `json:"status"`
	VerifiedAt *time.Time `json:"verified_at"`
	LastError  string     `json:"last_error,omitempty"`
}

// ConnectedAccountDefaultRequest is the body of
// PATCH /api/v3.1/connected_accounts/{id}/default, a Switchboard route.
type ConnectedAccountDefaultRequest struct {
	IsDefault *bool `json:"is_default"`
}

// ConnectionState is the scheme-tagged credential state of an account.
// Secret values appear only when the project allows revealing them and the
// caller asks.
type ConnectionState struct {
	AuthScheme string         `json:"authScheme"`
	Val        map[string]any `json:"val"`
}

// ConnectedAccountLinkRequest is the body of POST /connected_accounts/link.
type ConnectedAccountLinkRequest struct {
	AuthConfigID   string          `json:"auth_config_id"`
	UserID         string          `json:"user_id"`
	CallbackURL    string          `json:"callback_url,omitempty"`
	Alias          string          `json:"alias,omitempty"`
	ConnectionData json.RawMessage `json:"connection_data,omitempty"`
	Experimental   json.RawMessage `json:"experimental,omitempty"`
}

// ConnectedAccountCreateRequest is the body of the legacy
// POST /connected_accounts.
type ConnectedAccountCreateRequest struct {
	AuthConfig struct {
		ID string `json:"id"`
	} `json:"auth_config"`
	Connection struct {
		UserID      string           `json:"user_id"`
		CallbackURL string           `json:"callback_url,omitempty"`
		Alias       string           `json:"alias,omitempty"`
		State       *ConnectionState `json:"state,omitempty"`
	} `json:"connection"`
	ValidateCredentials bool `json:"validate_credentials,omitempty"`
}

// ConnectedAccountCreateResponse answers the legacy create.
type ConnectedAccountCreateResponse struct {
	ID             string         `json:"id"`
	ConnectionData ConnectionData `json:"connectionData"`
	Status         string         `json:"status"`
	RedirectURL    *string        `json:"redirect_url"`
	RedirectURI    *string        `json:"redirect_uri"`
}

// ConnectionData is connectionData in the legacy create response.
type ConnectionData struct {
	AuthScheme string            `json:"authScheme"`
	Val        ConnectionDataVal `json:"val"`
}

// ConnectionDataVal is connectionData.val.
type ConnectionDataVal struct {
	Status      string  `json:"status"`
	RedirectURL *string `json:"redirectUrl"`
}

// ConnectedAccountUpdateRequest is the body of PATCH /connected_accounts/{id}.
type ConnectedAccountUpdateRequest struct {
	Alias        *string         `json:"alias,omitempty"`
	Experimental json.RawMessage `json:"experimental,omitempty"`
}

// ConnectedAccountUpdateResponse answers a connected account PATCH.
type ConnectedAccountUpdateResponse struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Success bool   `json:"success"`
}

// StatusRequest is the body of PATCH /connected_accounts/{id}/status.
type StatusRequest struct {
	Enabled *bool `json:"enabled"`
}

// Success is the body of calls that only succeed.
type Success struct {
	Success bool `json:"success"`
}

// RefreshResponse answers POST /connected_accounts/{id}/refresh.
type RefreshResponse struct {
	ID          string  `json:"id"`
	RedirectURL *string `json:"redirect_url"`
	Status      string  `json:"status"`
}

// AuthConfigCreateRequest is the body of POST /auth_configs.
type AuthConfigCreateRequest struct {
	Toolkit struct {
		Slug string `json:"slug"`
	} `json:"toolkit"`
	AuthConfig AuthConfigSpec `json:"auth_config"`
}

// AuthConfigSpec is auth_config in a create request.
type AuthConfigSpec struct {
	// Type is use_composio_managed_auth or use_custom_auth.
	Type                   string          `json:"type"`
	Name                   string          `json:"name,omitempty"`
	AuthScheme             string          `json:"authScheme,omitempty"`
	Credentials            map[string]any  `json:"credentials,omitempty"`
	IsEnabledForToolRouter *bool           `json:"is_enabled_for_tool_router,omitempty"`
	ToolAccessConfig       json.RawMessage `json:"tool_access_config,omitempty"`
	ProxyConfig            json.RawMessage `json:"proxy_config,omitempty"`
	// DuplicatePolicy is what connecting an upstream identity that an
	// ACTIVE account of the same user already has does: supersede (the
	// default), allow or reject. It is a Switchboard extension.
	DuplicatePolicy string `json:"duplicate_policy,omitempty"`
}

// AuthConfigCreateResponse answers POST /auth_configs.
type AuthConfigCreateResponse struct {
	AuthConfig AuthConfigRef `json:"auth_config"`
	Toolkit    ToolkitRef    `json:"toolkit"`
}

// AuthConfig is an auth config as retrieve and list return it. Secret
// credentials are never included.
type AuthConfig struct {
	ID                     string           `json:"id"`
	UUID                   string           `json:"uuid"`
	Name                   string           `json:"name"`
	Type                   string           `json:"type"`
	Status                 string           `json:"status"`
	NoOfConnections        int              `json:"no_of_connections"`
	Toolkit                ToolkitRef       `json:"toolkit"`
	AuthScheme             string           `json:"auth_scheme"`
	IsComposioManaged      bool             `json:"is_composio_managed"`
	IsEnabledForToolRouter bool             `json:"is_enabled_for_tool_router"`
	Credentials            map[string]any   `json:"credentials"`
	ExpectedInputFields    []any            `json:"expected_input_fields"`
	CreatedBy              string           `json:"created_by"`
	CreatedAt              time.Time        `json:"created_at"`
	LastUpdatedAt          time.Time        `json:"last_updated_at"`
	ToolAccessConfig       ToolAccessConfig `json:"tool_access_config"`
	// DuplicatePolicy is a Switchboard extension: supersede, allow or
	// reject (AuthConfigSpec.DuplicatePolicy).
	DuplicatePolicy string `json:"duplicate_policy"`
}

// ToolAccessConfig limits which tools an auth config may run.
type ToolAccessConfig struct {
	ToolsAvailableForExecution       []string `json:"tools_available_for_execution"`
	ToolsForConnectedAccountCreation []string `json:"tools_for_connected_account_creation"`
}

// AuthConfigUpdateRequest is the body of PATCH /auth_configs/{id}.
type AuthConfigUpdateRequest struct {
	Type                   string          `json:"type,omitempty"`
	Name                   *string         `json:"name,omitempty"`
	Credentials            map[string]any  `json:"credentials,omitempty"`
	Scopes                 json.RawMessage `json:"scopes,omitempty"`
	IsEnabledForToolRouter *bool           `json:"is_enabled_for_tool_router,omitempty"`
	ToolAccessConfig       json.RawMessage `json:"tool_access_config,omitempty"`
	// DuplicatePolicy is a Switchboard extension (AuthConfigSpec).
	DuplicatePolicy *string `json:"duplicate_policy,omitempty"`
}

// Toolkit is a toolkit as list and retrieve return it.
type Toolkit struct {
	Slug                         string              `json:"slug"`
	Name                         string              `json:"name"`
	IsLocalToolkit               bool                `json:"is_local_toolkit"`
	Type                         string              `json:"type"`
	Meta                         ToolkitMeta         `json:"meta"`
	AuthSchemes                  []string            `json:"auth_schemes"`
	ComposioManagedAuthSchemes   []string            `json:"composio_managed_auth_schemes"`
	NoAuth                       bool                `json:"no_auth"`
	AuthConfigDetails            []AuthConfigDetails `json:"auth_config_details,omitempty"`
	BaseURL                      string              `json:"base_url,omitempty"`
	GetCurrentUserEndpoint       string              `json:"get_current_user_endpoint,omitempty"`
	GetCurrentUserEndpointMethod string              `json:"get_current_user_endpoint_method,omitempty"`
	Enabled                      bool                `json:"enabled"`
	Deprecated                   bool                `json:"deprecated"`
}

// ToolkitMeta describes a toolkit.
type ToolkitMeta struct {
	Description       string     `json:"description"`
	Logo              string     `json:"logo"`
	Categories        []Category `json:"categories"`
	ToolsCount        int        `json:"tools_count"`
	TriggersCount     int        `json:"triggers_count"`
	CreatedAt         string     `json:"created_at"`
	UpdatedAt         string     `json:"updated_at"`
	Version           string     `json:"version"`
	AvailableVersions []string   `json:"available_versions,omitempty"`
}

// Category is a toolkit category. Lists name it by id, retrieve by slug;
// both are sent.
type Category struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// AuthConfigDetails tells how one auth scheme of a toolkit is configured.
type AuthConfigDetails struct {
	Name   string           `json:"name"`
	Mode   string           `json:"mode"`
	Fields AuthSchemeFields `json:"fields"`
}

// AuthSchemeFields lists the fields an auth scheme asks for.
type AuthSchemeFields struct {
	AuthConfigCreation         FieldSet `json:"auth_config_creation"`
	ConnectedAccountInitiation FieldSet `json:"connected_account_initiation"`
}

// FieldSet splits fields into required and optional.
type FieldSet struct {
	Required []Field `json:"required"`
	Optional []Field `json:"optional"`
}

// Field is one input field of an auth scheme.
type Field struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
	Type        string `json:"type"`
	Required    bool   `json:"required"`
	Default     string `json:"default,omitempty"`
	IsSecret    bool   `json:"is_secret"`
}

// The API key routes are Switchboard's own; Composio has none.

// APIKeyCreateRequest is the body of POST /api/v3.1/api_keys. Scope is
// "admin" (the default) or "runtime".
type APIKeyCreateRequest struct {
	Name  string `json:"name,omitempty"`
	Scope string `json:"scope,omitempty"`
}

// APIKey describes a project API key; Key, the whole key, is set only in
// the answer to its creation, the one time it is shown.
type APIKey struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Scope     string     `json:"scope"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Key       string     `json:"key,omitempty"`
}

// APIKeyList is the answer of GET /api/v3.1/api_keys: every key of the
// project, revoked ones included.
type APIKeyList struct {
	Items []APIKey `json:"items"`
}
