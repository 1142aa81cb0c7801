package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/store"
)

type (
	storeAccountFilter = store.AccountFilter
	storeAuthFilter    = store.AuthConfigFilter
)

// stopAt is a transport that records the first request to path and
// answers it itself, so the real server never sees it.
type stopAt struct {
	path string
	seen *string
	// cookie, when set, receives the Cookie header of the stopped request:
	// what the browser would have shown the callback.
	cookie *string
}

func (s *stopAt) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == s.path && *s.seen == "" {
		*s.seen = r.URL.String()
		if s.cookie != nil {
			*s.cookie = r.Header.Get("Cookie")
		}
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("stopped")), Header: http.Header{}, Request: r}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

func oauthtestConsent(ctx context.Context, t *testing.T, tr http.RoundTripper, link string, id identity) {
	t.Helper()
	resp, err := oauthtest.Consent(ctx, &http.Client{Transport: tr}, link, id.Login, id.Password, true)
	if err != nil {
		t.Fatalf("consent: %v", err)
	}
	resp.Body.Close()
}
