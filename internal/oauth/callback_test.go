package oauth_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/internal/oauth"
)

func TestParseAuthorizationError(t *testing.T) {
	for _, code := range []string{"access_denied", "invalid_request", "unauthorized_client", "unsupported_response_type",
		"invalid_scope", "server_error", "temporarily_unavailable"} {
		if got := oauth.ParseAuthorizationError(code, "").Code; got != code {
			t.Errorf("ParseAuthorizationError(%q).Code = %q, want it kept", code, got)
		}
	}
	for _, tt := range []struct{ code, description, wantCode, wantDescription string }{
		{"invalid_grant", "", oauth.UnknownAuthorizationError, ""}, // a token error, not an authorization one
		{"ACCESS_DENIED", "", oauth.UnknownAuthorizationError, ""},
		{"access_denied ", "", oauth.UnknownAuthorizationError, ""},
		{"<img src=x>", "<b>hi</b>", oauth.UnknownAuthorizationError, "bhi/b"},
		{"server_error", "  tabs\tand\nnewlines \u00e9\u200b\x7f end.  ", "server_error", "tabs and newlines end"},
		{"server_error", `"quoted" \back\slash & amp`, "server_error", "quoted backslash amp"},
	} {
		got := oauth.ParseAuthorizationError(tt.code, tt.description)
		if got.Code != tt.wantCode || got.Description != tt.wantDescription {
			t.Errorf("ParseAuthorizationError(%q, %q) = %+v, want {%s %q}", tt.code, tt.description, got, tt.wantCode, tt.wantDescription)
		}
	}
	long := oauth.ParseAuthorizationError("server_error", strings.Repeat("\u00e9a", 1000)).Description
	if len(long) > oauth.MaxErrorDescription || !utf8.ValidString(long) || strings.Trim(long, "a") != "" {
		t.Errorf("a long description: got %d bytes %q, want at most %d ASCII bytes", len(long), long, oauth.MaxErrorDescription)
	}
}
