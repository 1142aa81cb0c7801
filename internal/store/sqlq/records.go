package sqlq

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// The columns of each record's table, in the order in which the backends'
// scan functions read them and their INSERT statements bind them.
const (
	AccountColumns = `id, project_id, user_id, toolkit_slug, auth_config_id, status, status_reason, alias,
	sealed_credentials, token_expires_at, identity, identity_id, connected_at, created_at, updated_at,
	superseded_by, is_default, health, verified_at, health_error`
	AuthConfigColumns = `id, project_id, toolkit_slug, name, type, auth_scheme, status, params,
	sealed_secrets, is_enabled_for_tool_router, created_at, updated_at, tools_for_execution, duplicate_policy`
	LinkColumns = `token_hash, sealed_token, project_id, account_id, session_id, callback_url, expires_at, state_hash,
	sealed_verifier, state_expires_at, completed_at, created_at`
)

// ToolsJSON encodes AuthConfig.ToolsForExecution for the
// tools_for_execution column, JSON in both backends: [] for none.
func ToolsJSON(tools []string) string {
	if len(tools) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(tools) // a list of strings always encodes
	return string(b)
}

// Prefixed qualifies each column of a comma-separated list with p.
func Prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// accountOrders maps AccountFilter.OrderBy to the column it sorts on.
var accountOrders = map[string]string{
	"":                     "created_at",
	store.OrderCreatedAt:   "created_at",
	store.OrderUpdatedAt:   "updated_at",
	store.OrderConnectedAt: "connected_at",
}

// Accounts returns the list of ListAccounts: the project's accounts
// matching f, in the order f asks for, ties by id in the same direction. An
// unknown order is store.ErrInvalid.
func Accounts(d Dialect, projectID string, f store.AccountFilter) (List[store.Account], error) {
	col, ok := accountOrders[f.OrderBy]
	if !ok {
		return List[store.Account]{}, fmt.Errorf("%w: unknown order %q", store.ErrInvalid, f.OrderBy)
	}
	q := d.Query()
	q.Where("project_id = " + q.Arg(projectID))
	q.In("id", f.IDs)
	q.In("user_id", f.UserIDs)
	q.In("toolkit_slug", f.ToolkitSlugs)
	q.In("auth_config_id", f.AuthConfigIDs)
	q.In("status", f.Statuses)
	q.In("alias", f.Aliases)
	q.In("identity_id", f.IdentityIDs)
	if f.DefaultOnly {
		q.Where("is_default = " + q.Arg(true))
	}
	o := Order{
		Col:      col,
		Desc:     !f.Ascending,
		Nullable: col == "connected_at",
		// A user has a few accounts, which accounts_user_toolkit finds;
		// sorting them beats walking the project's accounts in order to
		// find them.
		Sort: len(f.UserIDs) > 0,
	}
	return List[store.Account]{Table: "accounts", Columns: AccountColumns, Where: q, Order: o,
		Position: func(a store.Account) (*time.Time, string) {
			switch col {
			case "updated_at":
				return &a.UpdatedAt, a.ID
			case "connected_at":
				return a.ConnectedAt, a.ID
			default:
				return &a.CreatedAt, a.ID
			}
		}}, nil
}

// AuthConfigs returns the list of ListAuthConfigs: the project's auth
// configs matching f, newest first, ties by id.
func AuthConfigs(d Dialect, projectID string, f store.AuthConfigFilter) List[store.AuthConfig] {
	q := d.Query()
	q.Where("project_id = " + q.Arg(projectID))
	q.In("toolkit_slug", f.ToolkitSlugs)
	if !f.IncludeDisabled {
		q.Where("status <> " + q.Arg(store.AuthConfigDisabled))
	}
	if f.Search != "" {
		// A position, unlike LIKE, gives % and _ no meaning. Each use of
		// the search is an argument of its own, as ? placeholders need.
		name, slug := q.Arg(f.Search), q.Arg(f.Search)
		q.Where("(" + d.Strpos + "(lower(name), lower(" + name + ")) > 0 OR " +
			d.Strpos + "(lower(toolkit_slug), lower(" + slug + ")) > 0)")
	}
	if f.Type != "" {
		q.Where("type = " + q.Arg(f.Type))
	}
	return List[store.AuthConfig]{Table: "auth_configs", Columns: AuthConfigColumns, Where: q,
		Order:    Order{Col: "created_at", Desc: true},
		Position: func(c store.AuthConfig) (*time.Time, string) { return &c.CreatedAt, c.ID }}
}

// CountAccounts returns the query of CountAccounts for a non-empty list of
// auth config ids: one row (auth_config_id, count) for each that has
// accounts in the project.
func CountAccounts(d Dialect, projectID string, authConfigIDs []string) Statement {
	q := d.Query()
	q.Where("project_id = " + q.Arg(projectID))
	q.In("auth_config_id", authConfigIDs)
	return Statement{"SELECT auth_config_id, count(*) FROM accounts" + q.SQL() + " GROUP BY auth_config_id", q.Args()}
}
