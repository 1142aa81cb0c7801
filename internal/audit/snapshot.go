package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// The snapshots below are what an entry keeps of a target: its settings,
// never a secret. Secret settings appear only by name, under a key the
// request log's redaction leaves alone (sealed_fields).

// AuthConfig is the audited view of an auth config.
func AuthConfig(c store.AuthConfig) any {
	var secrets map[string]json.RawMessage
	_ = json.Unmarshal(c.Secrets, &secrets) // no secrets: no names
	names := make([]string, 0, len(secrets))
	for k := range secrets {
		names = append(names, k)
	}
	slices.Sort(names)
	return map[string]any{
		"id": c.ID, "toolkit_slug": c.ToolkitSlug, "name": c.Name, "type": c.Type, "auth_scheme": c.AuthScheme,
		"status": c.Status, "params": c.Params, "sealed_fields": names,
		"is_enabled_for_tool_router": c.IsEnabledForToolRouter, "tools_for_execution": c.ToolsForExecution,
	}
}

// APIKey is the audited view of an API key: never the key or its hash.
func APIKey(k store.APIKey) any {
	return map[string]any{"id": k.ID, "name": k.Name, "scope": k.Scope, "prefix": k.Prefix,
		"created_at": k.CreatedAt, "revoked_at": k.RevokedAt}
}

// Account is the audited view of a connected account: never its
// credentials.
func Account(a store.Account) any {
	return map[string]any{"id": a.ID, "user_id": a.UserID, "toolkit_slug": a.ToolkitSlug, "auth_config_id": a.AuthConfigID,
		"status": a.Status, "status_reason": a.StatusReason, "alias": a.Alias, "identity": a.Identity}
}

// Project is the audited view of a project.
func Project(p store.Project) any {
	return map[string]any{"id": p.ID, "name": p.Name, "callback_urls": p.CallbackURLs, "reveal_secrets": p.RevealSecrets}
}

// CustomToolkit is the audited view of a custom toolkit: its slug, name,
// number of tools and a SHA-256 of its definition, which tells versions
// apart (the definition itself is the project's own file, read with the
// custom toolkits API).
func CustomToolkit(slug, name string, tools int, definition []byte) any {
	sum := sha256.Sum256(definition)
	return map[string]any{"slug": slug, "name": name, "tools_count": tools, "definition_sha256": hex.EncodeToString(sum[:])}
}
