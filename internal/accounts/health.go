package accounts

import (
	"encoding/json"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// Health is how an account's credentials fared when last checked, as an
// account shows it.
type Health struct {
	// Status is one of store.HealthOK, HealthRefreshable, HealthNeedsReauth
	// and HealthUnverified.
	Status     string
	VerifiedAt *time.Time
	LastError  string
}

// HealthOf is an account's health at now: needs_reauth for an EXPIRED
// account or one whose last check the provider refused; refreshable when
// the access token has expired and a refresh token can renew it; ok when
// the last check passed; unverified when nothing checked it yet.
func HealthOf(a store.Account, now time.Time) Health {
	h := Health{Status: a.Health, VerifiedAt: a.VerifiedAt, LastError: a.HealthError}
	switch {
	case a.Status == store.StatusExpired:
		h.Status = store.HealthNeedsReauth
		if h.LastError == "" {
			h.LastError = a.StatusReason
		}
		return h
	case h.Status == "":
		h.Status = store.HealthUnverified
	}
	if h.Status == store.HealthOK && a.TokenExpiresAt != nil && !now.Before(*a.TokenExpiresAt) && hasRefreshToken(a) {
		h.Status = store.HealthRefreshable
	}
	return h
}

// hasRefreshToken reports whether an account's opened credentials hold an
// OAuth2 refresh token.
func hasRefreshToken(a store.Account) bool {
	var tok struct {
		RefreshToken string `json:"refresh_token"`
	}
	return a.Credentials != nil && json.Unmarshal(a.Credentials, &tok) == nil && tok.RefreshToken != ""
}
