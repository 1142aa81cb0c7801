package accounts

import (
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

func TestHealthOf(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Minute), now.Add(time.Hour)
	withRefresh := []byte(`{"access_token":"a","refresh_token":"r"}`)
	withoutRefresh := []byte(`{"access_token":"a"}`)
	tests := []struct {
		name string
		a    store.Account
		want string
	}{
		{"never checked", store.Account{Status: store.StatusActive}, store.HealthUnverified},
		{"checked and fresh", store.Account{Status: store.StatusActive, Health: store.HealthOK, TokenExpiresAt: &future, Credentials: withRefresh}, store.HealthOK},
		{"token expired, refresh possible", store.Account{Status: store.StatusActive, Health: store.HealthOK, TokenExpiresAt: &past, Credentials: withRefresh}, store.HealthRefreshable},
		{"token expired, no refresh token", store.Account{Status: store.StatusActive, Health: store.HealthOK, TokenExpiresAt: &past, Credentials: withoutRefresh}, store.HealthOK},
		{"EXPIRED", store.Account{Status: store.StatusExpired, Health: store.HealthOK, StatusReason: "refused"}, store.HealthNeedsReauth},
		{"nothing to check with", store.Account{Status: store.StatusActive, Health: store.HealthUnverified}, store.HealthUnverified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HealthOf(tt.a, now); got.Status != tt.want {
				t.Errorf("HealthOf = %q, want %q", got.Status, tt.want)
			}
		})
	}
	if got := HealthOf(store.Account{Status: store.StatusExpired, StatusReason: "refused"}, now); got.LastError != "refused" {
		t.Errorf("an EXPIRED account's last error = %q, want its reason", got.LastError)
	}
}
