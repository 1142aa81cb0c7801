package oauth

import "strings"

// AuthorizationError is an error a provider sent back to the redirect URI
// (RFC 6749 §4.1.2.1), reduced to what is safe to store and show. The
// provider, or anyone who crafts a callback URL, controls both query
// parameters; what an account records is read by APIs and agents, so raw
// text would be an injection channel.
type AuthorizationError struct {
	// Code is one of the RFC 6749 §4.1.2.1 codes, or
	// UnknownAuthorizationError.
	Code string
	// Description is the provider's error_description cut down to
	// printable ASCII without markup, at most MaxErrorDescription bytes;
	// "" when nothing useful is left.
	Description string
}

// UnknownAuthorizationError replaces an error code outside RFC 6749
// §4.1.2.1.
const UnknownAuthorizationError = "provider_error"

// MaxErrorDescription caps the kept error_description.
const MaxErrorDescription = 120

// authorizationErrorCodes are the codes of RFC 6749 §4.1.2.1.
var authorizationErrorCodes = map[string]bool{
	"invalid_request":           true,
	"unauthorized_client":       true,
	"access_denied":             true,
	"unsupported_response_type": true,
	"invalid_scope":             true,
	"server_error":              true,
	"temporarily_unavailable":   true,
}

// ParseAuthorizationError maps the error and error_description parameters
// of an authorization response to an AuthorizationError.
func ParseAuthorizationError(code, description string) AuthorizationError {
	e := AuthorizationError{Code: UnknownAuthorizationError, Description: cleanDescription(description)}
	if authorizationErrorCodes[code] {
		e.Code = code
	}
	return e
}

// cleanDescription keeps the characters RFC 6749 allows in
// error_description (%x20-21 / %x23-5B / %x5D-7E) except markup ('<', '>',
// '`', '&'), collapses runs of spaces, and cuts the result to
// MaxErrorDescription bytes.
func cleanDescription(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == '\t' || r == '\n' || r == '\r' {
			r = ' '
		}
		if r < 0x20 || r > 0x7e || strings.ContainsRune("\"\\<>`&", r) {
			continue
		}
		if r == ' ' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		if b.Len() >= MaxErrorDescription {
			break
		}
	}
	out := b.String()
	if len(out) > MaxErrorDescription {
		out = out[:MaxErrorDescription]
	}
	return strings.TrimRight(out, " .")
}
