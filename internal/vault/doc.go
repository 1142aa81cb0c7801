// Package vault encrypts credentials at rest. It is the only package that
// encrypts, and Barrier is the one place it does so for stored records: a
// store wrapper that seals every secret field on its way to the backend
// and opens it on the way back, so the backends only ever see the blobs
// that Seal returns and the domain packages never hold a key.
//
// # Threats and defences
//
// What the vault defends against:
//
//   - A stolen database dump or backup. Every credential is sealed with
//     AES-256-GCM (NIST SP 800-38D) under a key derived with HKDF (RFC 5869)
//     from a 32-byte root key that lives outside the database, in an
//     environment variable or a key file (LoadOrCreateKeyFile). The dump
//     alone reveals no plaintext.
//   - A blob copied to another row or owner. Seal binds the blob to its owner
//     through the AEAD's additional data (RFC 5116 §2.1): the owner parts
//     (for example project id, account id, field name) are length-prefixed
//     and authenticated with the blob, so someone who can write to the
//     database but does not hold the key cannot make account B use account
//     A's token, or move one project's credentials into another project.
//     The blob header (version and key id) is authenticated too.
//   - Tampering. Any changed, added or removed byte makes Open fail; Open
//     never returns unauthenticated plaintext.
//   - A leaked or aging root key. A Keyring holds several root keys: the
//     newest seals, all of them open, and NeedsRotation finds the blobs that
//     a background job must re-seal before the old key is retired.
//   - A secret column stored in the clear by forgetting to seal it. The
//     barrier owns every secret field and its additional data, and a
//     storetest case (RunSealing) fails for a Sealed* field it does not
//     know. Secrets in logs are the reqlog handler's to redact.
//
// What it does not defend against:
//
//   - An attacker who holds the root key: the host, the process memory, the
//     environment, or the key file. Such an attacker reads everything.
//   - Rollback within one owner. An attacker with write access to the
//     database can put back an older blob of the same owner (for example an
//     earlier refresh token of the same account and field); the AAD carries
//     no version counter. Providers that rotate refresh tokens will refuse
//     the stale one.
//   - Deletion or corruption of blobs (availability), and the length of a
//     secret, which the length of its blob reveals.
//   - Secrets in process memory. Go cannot reliably wipe memory; swap files
//     and core dumps may hold plaintext; records above the barrier carry
//     plaintext, and the lookup caches keep them for their TTL.
//
// Nonces are random 96-bit values (cipher.NewGCMWithRandomNonce), so one key
// must not seal more than 2^32 blobs (NIST SP 800-38D §8.3); rotate long
// before that.
//
// # Blob format
//
//	version (1 byte, 0x01) | key id (4 bytes) | nonce (12) | ciphertext | tag (16)
//
// The key id is derived from the root key with HKDF under its own label, so
// it names the key without revealing anything about the encryption key.
package vault
