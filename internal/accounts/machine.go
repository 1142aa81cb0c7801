package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// MachineCredentials are what an account of an OAUTH2 scheme with the
// client credentials grant (RFC 6749 §4.4) keeps: the fields its form
// asked for (client_id, client_secret and any a URL template uses) and the
// current access token. They are stored as one flat JSON object of
// strings, so that the token decodes as an oauth.Token, as for any OAUTH2
// account, and the fields as a map, as for a form's account; the format
// forbids fields named as token keys.
type MachineCredentials struct {
	Fields map[string]string
	Token  oauth.Token
}

// tokenKeys are the JSON keys of oauth.Token.
var tokenKeys = []string{"access_token", "refresh_token", "token_type", "expiry", "scope"}

// MarshalJSON writes the flat object.
func (m MachineCredentials) MarshalJSON() ([]byte, error) {
	tok, err := json.Marshal(m.Token)
	if err != nil {
		return nil, err
	}
	flat := map[string]string{}
	if err := json.Unmarshal(tok, &flat); err != nil {
		return nil, err
	}
	for k, v := range m.Fields {
		if slices.Contains(tokenKeys, k) {
			return nil, fmt.Errorf("field %q has the name of a token key", k)
		}
		flat[k] = v
	}
	return json.Marshal(flat)
}

// UnmarshalJSON reads the flat object.
func (m *MachineCredentials) UnmarshalJSON(b []byte) error {
	var flat map[string]string
	if err := json.Unmarshal(b, &flat); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &m.Token); err != nil {
		return err
	}
	m.Fields = map[string]string{}
	for k, v := range flat {
		if !slices.Contains(tokenKeys, k) {
			m.Fields[k] = v
		}
	}
	return nil
}

// ReasonClientRefused is the reason an account of the client credentials
// grant becomes EXPIRED: the provider no longer takes its client id and
// secret.
const ReasonClientRefused = "The provider refused the client id and secret (revoked or rotated); the user must connect the account again with valid ones"

// MachineToken fetches a new access token for the fields of an account of
// auth config c with the client credentials grant. A refusal of the
// client id and secret is a problem naming client_secret.
func (s *Service) MachineToken(ctx context.Context, c store.AuthConfig, fields map[string]string) (oauth.Token, error) {
	m, err := s.AuthConfigs.Machine(ctx, c, fields)
	if err != nil {
		return oauth.Token{}, err
	}
	tok, err := m.Token(ctx, s.Egress)
	switch {
	case errors.Is(err, oauth.ErrClientRefused):
		return oauth.Token{}, &problem.Error{Kind: problem.Invalid, Code: "invalid_credential", Field: "client_secret",
			Message: "the provider refused this client id and secret", Fix: "Check both in the provider's settings for your API client", Err: err}
	case err != nil:
		return oauth.Token{}, &problem.Error{Kind: problem.Unavailable, Code: "token_request_failed",
			Message: "the provider's token endpoint could not be reached or failed; try again", Err: err}
	}
	return tok, nil
}

// refetchLocked fetches a new token for an account of the client
// credentials grant under the account lock, and stores it. There is no
// refresh token (RFC 6749 §4.4.3): the grant is simply run again. A
// refused client moves the account to EXPIRED.
func (s *Service) refetchLocked(ctx context.Context, a store.Account, c store.AuthConfig) (oauth.Token, error) {
	var mc MachineCredentials
	if err := s.Credentials(a, &mc); err != nil {
		return oauth.Token{}, err
	}
	tok, err := s.MachineToken(ctx, c, mc.Fields)
	if p, ok := problem.As(err); ok && p.Code == "invalid_credential" {
		return oauth.Token{}, s.expire(ctx, a, ReasonClientRefused, err)
	}
	if err != nil {
		return oauth.Token{}, err
	}
	mc.Token = tok
	if err := s.storeToken(ctx, a, mc, tok); err != nil {
		return oauth.Token{}, err
	}
	return tok, nil
}
