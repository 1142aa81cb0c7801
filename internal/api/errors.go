package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/wire"
)

// statusOf maps a problem kind to its HTTP status. Business-rule failures
// are 4xx other than 409: the official SDKs retry 408, 409, 429 and 5xx,
// which would repeat a create.
var statusOf = map[problem.Kind]int{
	problem.Invalid:         http.StatusBadRequest,
	problem.NotFound:        http.StatusNotFound,
	problem.Unauthenticated: http.StatusUnauthorized,
	problem.Forbidden:       http.StatusForbidden,
	problem.Gone:            http.StatusGone,
	problem.Unavailable:     http.StatusServiceUnavailable,
	problem.TooManyRequests: http.StatusTooManyRequests,
}

// codes gives each error slug a stable number, as the Composio error body
// carries one. 1803 is the code the official SDK maps to "connected
// account not found".
var codes = map[string]int{
	"internal_error":                 500,
	"invalid_api_key":                1001,
	"invalid_json":                   1002,
	"invalid_request":                1003,
	"route_not_found":                1004,
	"method_not_allowed":             1005,
	"body_too_large":                 1006,
	"user_id_required":               1101,
	"toolkit_required":               1102,
	"toolkit_not_found":              1103,
	"toolkit_not_in_session":         1104,
	"session_not_found":              1201,
	"too_many_accounts":              1202,
	"invalid_multi_account":          1203,
	"auth_config_not_found":          1301,
	"auth_config_missing":            1302,
	"auth_config_disabled":           1303,
	"auth_config_toolkit_mismatch":   1304,
	"auth_config_mismatch":           1305,
	"auth_scheme_not_supported":      1306,
	"managed_auth_unavailable":       1307,
	"client_credentials_required":    1308,
	"unknown_credential":             1309,
	"invalid_credential":             1310,
	"invalid_endpoint":               1311,
	"unexpected_credentials":         1312,
	"auth_config_required":           1313,
	"invalid_status":                 1314,
	"connected_account_not_found":    1803,
	"connected_account_not_usable":   1804,
	"connected_account_not_active":   1805,
	"connected_account_expired":      1806,
	"alias_taken":                    1807,
	"invalid_alias":                  1808,
	"invalid_status_transition":      1809,
	"callback_url_not_allowed":       1810,
	"credential_required":            1811,
	"oauth_requires_link":            1812,
	"auth_scheme_mismatch":           1813,
	"refresh_failed":                 1814,
	"refresh_not_supported":          1815,
	"identity_already_connected":     1816,
	"api_key_too_short":              1901,
	"invalid_callback_url":           1902,
	"credential_host_change":         2000,
	"endpoint_host_not_allowed":      2001,
	"insufficient_scope":             2100,
	"invalid_scope":                  2101,
	"api_key_not_found":              2102,
	"unsupported_filter":             2150,
	"tool_not_allowed":               2151,
	"invalid_tool_filter":            2152,
	"unsupported_field":              2153,
	"invalid_text":                   2050,
	problem.StoreUnavailable:         2200,
	"webhook_url_required":           2300,
	"invalid_webhook_url":            2301,
	"enabled_events_required":        2302,
	"unknown_event_type":             2303,
	"unsupported_webhook_version":    2304,
	"webhook_subscription_not_found": 2305,
	"webhook_delivery_not_found":     2306,
	"invalid_enabled":                2307,
	"rate_limited":                   2400,
}

// writeError writes err as the JSON error envelope. A problem.Error is
// shown as it is; anything else is logged and shown as a bare internal
// error, so no internals leak.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p, ok := problem.Of(err)
	if !ok {
		log.ErrorContext(r.Context(), "request failed", "err", err)
		p = &problem.Error{Kind: problem.Unavailable, Code: "internal_error", Message: "internal error; the request id identifies it in the server log"}
		w.Header().Set("x-should-retry", "false")
		writeJSON(w, http.StatusInternalServerError, body(r, p, http.StatusInternalServerError))
		return
	}
	if p.Err != nil {
		log.InfoContext(r.Context(), "request refused", "error_code", p.Code, "cause", p.Err)
	}
	status := statusOf[p.Kind]
	switch {
	case p.Code == problem.StoreUnavailable:
		// The SDKs retry a 503; Retry-After tells them when.
		w.Header().Set("Retry-After", strconv.Itoa(int(problem.RetryAfter.Seconds())))
	case status >= 500:
		w.Header().Set("x-should-retry", "false")
	}
	writeJSON(w, status, body(r, p, status))
}

func body(r *http.Request, p *problem.Error, status int) wire.ErrorBody {
	code, ok := codes[p.Code]
	if !ok {
		code = status * 10
	}
	b := wire.ErrorBody{Error: wire.ErrorDetail{
		Message:      p.Message,
		Code:         code,
		Slug:         p.Code,
		Status:       status,
		RequestID:    reqlog.RequestID(r.Context()),
		SuggestedFix: p.Fix,
	}}
	if p.Field != "" {
		b.Error.Errors = []wire.FieldError{{Field: p.Field, Code: p.Code, Message: p.Message}}
	}
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
