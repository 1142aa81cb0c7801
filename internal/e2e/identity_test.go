package e2e

import (
	"path/filepath"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// TestOfficialPythonSDKIdentity runs sdktest/python/identity.py: a
// reconnection of one identity supersedes the older account, pins follow
// it, a chosen default beats recency, and the same identity under two
// user ids is reported, on both stores.
func TestOfficialPythonSDKIdentity(t *testing.T) {
	py := pythonSDK(t)
	script := filepath.Join(repoRoot(t), "sdktest", "python", "identity.py")
	t.Run("sqlite", func(t *testing.T) {
		runOfficial(t, startServer(t, serverOptions{}), py, script)
	})
	t.Run("postgres", func(t *testing.T) {
		runOfficial(t, startServer(t, serverOptions{DatabaseURL: postgrestest.URL(t)}), py, script)
	})
}

// TestOfficialTypeScriptSDKIdentity runs sdktest/node/identity.mjs, the
// TypeScript twin of identity.py, with the official @composio/core, on
// both stores.
func TestOfficialTypeScriptSDKIdentity(t *testing.T) {
	dir := nodeSDK(t)
	script := filepath.Join(dir, "identity.mjs")
	t.Run("sqlite", func(t *testing.T) {
		runOfficial(t, startServer(t, serverOptions{OpenAPI: true}), "node", script)
	})
	t.Run("postgres", func(t *testing.T) {
		runOfficial(t, startServer(t, serverOptions{DatabaseURL: postgrestest.URL(t)}), "node", script)
	})
}
