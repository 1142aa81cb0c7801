package oauth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/switchboard-dev/switchboard/internal/egress"
)

// Machine is a client of the client credentials grant (RFC 6749 §4.4):
// an application acting on its own behalf, whose client id and secret
// are a connected account's credentials, not an auth config's.
type Machine struct {
	ClientID     string
	ClientSecret string
	TokenURL     string
	// Scopes are sent space-separated in the scope parameter (§4.4.2).
	Scopes []string
	// AuthStyle is how the client authenticates at the token endpoint
	// (§2.3.1): AuthStyleInParams, or HTTP Basic otherwise.
	AuthStyle oauth2.AuthStyle
	// Now, when set, is the clock token expiries are computed with.
	Now func() time.Time
}

// ErrClientRefused reports that the token endpoint refused the client id
// and secret (invalid_client, unauthorized_client) or the grant
// (invalid_grant, invalid_scope): asking again will not help.
var ErrClientRefused = errors.New("provider refused the client credentials")

// Token fetches an access token with the client credentials grant through
// the egress client of the token endpoint's host. The grant issues no
// refresh token (§4.4.3): when the token expires, Token is called again.
func (m Machine) Token(ctx context.Context, eg *egress.Clients) (Token, error) {
	cfg := clientcredentials.Config{
		ClientID: m.ClientID, ClientSecret: m.ClientSecret, TokenURL: m.TokenURL,
		Scopes: m.Scopes, AuthStyle: m.AuthStyle,
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, orDefault(eg).ForURL(m.TokenURL))
	t, err := cfg.Token(ctx)
	if err != nil {
		err = cleanError(err)
		if pe, ok := errors.AsType[*ProviderError](err); ok {
			switch pe.Code {
			case "invalid_client", "unauthorized_client", "invalid_grant", "invalid_scope":
				return Token{}, fmt.Errorf("client credentials grant: %w (%v)", ErrClientRefused, pe)
			}
		}
		return Token{}, fmt.Errorf("client credentials grant: %w", err)
	}
	tok := Client{}.fromOAuth2(t, strings.Join(m.Scopes, " "))
	if m.Now != nil && !t.Expiry.IsZero() {
		// x/oauth2 dates the expiry with the wall clock from expires_in;
		// date it with ours.
		tok.Expiry = m.Now().Add(time.Until(t.Expiry).Round(time.Second)).UTC()
	}
	tok.RefreshToken = "" // never one for this grant; none is kept
	return tok, nil
}
