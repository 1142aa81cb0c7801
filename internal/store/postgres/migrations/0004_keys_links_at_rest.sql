-- API key scopes, shorter key prefixes, and link tokens kept only hashed.
--
-- A key made before scopes existed could do everything, so it stays admin.
ALTER TABLE api_keys ADD COLUMN scope text NOT NULL DEFAULT 'admin';

-- A stored prefix shows at most 4 characters of a key: enough to tell keys
-- apart in a listing, too few to help guess one.
UPDATE api_keys SET prefix = substr(prefix, 1, 4) WHERE length(prefix) > 4;

-- A link is found by the SHA-256 (lower-case hex) of its token; the token
-- itself is only in the URL given to the caller, and sealed by the vault
-- (sealed_token) so a session can hand the same link out again. Links made
-- before this migration have no sealed token: they still open by their URL,
-- and a session asking again gets a new link instead of the old one.
ALTER TABLE links RENAME COLUMN token TO token_hash;
ALTER TABLE links ADD COLUMN sealed_token bytea;
UPDATE links SET token_hash = encode(sha256(convert_to(token_hash, 'UTF8')), 'hex');

-- The PKCE verifier of a link was sealed for its plaintext token, which is
-- no longer known. A link opened but not yet called back forgets its OAuth
-- state: the provider's answer to it is refused as unknown, and opening the
-- link again (it is still valid) starts a fresh sign-in.
UPDATE links SET state_hash = '', sealed_verifier = NULL, state_expires_at = NULL
	WHERE completed_at IS NULL AND state_hash <> '';

-- A check value sealed by each encryption key the store was used with: a
-- start with another key finds none it can open and stops, instead of
-- starting and failing on every sealed credential.
CREATE TABLE vault_checks (
	key_id     text PRIMARY KEY,
	sealed     bytea NOT NULL,
	created_at timestamptz NOT NULL
);
