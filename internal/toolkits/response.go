package toolkits

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxErrorMessage bounds an error message taken from a provider's answer.
const maxErrorMessage = 500

// ParseResponse turns the provider's answer to a tool's request into the
// tool's result, normalizing the providers' error conventions
// (toolkits.md §0).
//
// data is always a JSON object, as the Composio API requires: a JSON object
// body as it is; a GraphQL answer's "data" object; an array or other JSON
// value as {"items": value}; an empty body as {}; a body that isn't JSON as
// {"text": body}. On failure data still holds the parsed body (or {}), for
// logging. A successful answer that is a JSON object is passed through as
// the provider wrote it, without decoding it: that is most calls, and
// their bodies can be large.
//
// errMsg is empty on success. Otherwise it is one line with the HTTP status
// and the provider's own message and code (Google's error.message and
// status, GitHub's message and its validation errors, Notion's code and
// message, Slack's ok:false error, GraphQL errors[].message), plus when to
// retry if the provider rate-limited the call. It never quotes headers or
// a body that isn't JSON.
func (t Tool) ParseResponse(status int, header http.Header, body []byte) (data json.RawMessage, errMsg string) {
	conv := ErrorsHTTP
	if t.def != nil {
		conv = t.def.errors
	}
	if status >= 200 && status < 300 && conv == ErrorsHTTP && isObject(body) {
		return body, ""
	}
	obj, errMsg := t.parse(conv, status, header, body)
	data, err := json.Marshal(obj)
	if err != nil {
		// Decoded JSON always encodes again.
		panic(fmt.Sprintf("toolkits: re-encode a decoded answer: %v", err))
	}
	return data, errMsg
}

// isObject reports whether body is one valid JSON object in UTF-8.
func isObject(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) > 0 && b[0] == '{' && ValidJSON(b)
}

// parse decodes the answer into the tool's data object and its error.
func (t Tool) parse(conv ErrorConvention, status int, header http.Header, body []byte) (data map[string]any, errMsg string) {
	doc, isJSON := decodeBody(body)
	obj, isObj := doc.(map[string]any)
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		data = map[string]any{}
	case !isJSON:
		data = map[string]any{}
		if status < 300 {
			data["text"] = strings.ToValidUTF8(string(body), "\uFFFD")
		}
	case isObj:
		data = obj
	default:
		data = map[string]any{"items": doc}
	}
	if conv == ErrorsGraphQL && isObj {
		if d, ok := obj["data"].(map[string]any); ok {
			data = d
		} else if _, ok := obj["errors"]; ok || status < 300 {
			data = map[string]any{}
		}
	}

	switch {
	case conv == ErrorsGraphQL && isObj && len(asSlice(obj["errors"])) > 0:
		errMsg = "GraphQL error: " + graphQLMessage(obj["errors"])
		if status >= 300 {
			errMsg = fmt.Sprintf("HTTP %d: %s", status, errMsg)
		}
	case status >= 300 || status < 200:
		errMsg = httpMessage(status, obj)
	case conv == ErrorsSlack && isObj && obj["ok"] == false:
		errMsg = slackMessage(obj)
	default:
		return data, ""
	}
	if hint := retryHint(status, header, errMsg); hint != "" {
		errMsg += "; " + hint
	}
	return data, errMsg
}

func decodeBody(body []byte) (any, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keeps large ids, like GitHub's, exact
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	return v, true
}

// httpMessage describes a failed HTTP status with the provider's message,
// found where each provider puts it.
func httpMessage(status int, obj map[string]any) string {
	head := fmt.Sprintf("HTTP %d", status)
	if text := http.StatusText(status); text != "" {
		head += " " + text
	}
	var msg, code string
	switch e := obj["error"].(type) {
	case map[string]any: // Google: {"error": {"code", "message", "status", "errors": [{"reason"}]}}
		msg, code = str(e["message"]), str(e["status"])
		if errs := asSlice(e["errors"]); len(errs) > 0 {
			if first, ok := errs[0].(map[string]any); ok && str(first["reason"]) != "" {
				code = strings.Trim(code+" "+str(first["reason"]), " ")
			}
		}
	case string: // OAuth-style {"error", "error_description"}, Slack's HTTP errors
		code, msg = e, str(obj["error_description"])
	}
	if msg == "" {
		// GitHub {"message", "errors": [...]} and Notion {"code", "message"}.
		msg = str(obj["message"])
		if code == "" {
			code = str(obj["code"])
		}
		if details := githubDetails(obj["errors"]); details != "" {
			msg = strings.TrimSpace(msg + " (" + details + ")")
		}
	}
	if msg == "" && code == "" {
		if errs := asSlice(obj["errors"]); len(errs) > 0 {
			msg = graphQLMessage(errs)
		}
	}
	switch {
	case code != "" && msg != "":
		return clip(fmt.Sprintf("%s (%s): %s", head, code, msg))
	case msg != "":
		return clip(head + ": " + msg)
	case code != "":
		return clip(head + ": " + code)
	}
	return head
}

// githubDetails summarizes GitHub's 422 errors[{resource, field, code,
// message}].
func githubDetails(v any) string {
	var parts []string
	for _, e := range asSlice(v) {
		switch e := e.(type) {
		case map[string]any:
			if m := str(e["message"]); m != "" {
				parts = append(parts, m)
				continue
			}
			field := strings.Trim(str(e["resource"])+"."+str(e["field"]), ".")
			parts = append(parts, strings.TrimSpace(field+" "+str(e["code"])))
		case string:
			parts = append(parts, e)
		}
	}
	return strings.Join(parts, "; ")
}

// slackMessage describes Slack's {"ok": false, "error": code} and, for
// missing_scope, the scopes needed.
func slackMessage(obj map[string]any) string {
	code := str(obj["error"])
	if code == "" {
		code = "unknown_error"
	}
	msg := "Slack API error: " + code
	if needed := str(obj["needed"]); needed != "" {
		msg += " (needed scopes: " + needed
		if provided := str(obj["provided"]); provided != "" {
			msg += "; granted: " + provided
		}
		msg += ")"
	}
	if meta, ok := obj["response_metadata"].(map[string]any); ok {
		if msgs := asSlice(meta["messages"]); len(msgs) > 0 {
			var s []string
			for _, m := range msgs {
				s = append(s, str(m))
			}
			msg += ": " + strings.Join(s, "; ")
		}
	}
	return clip(msg)
}

// graphQLMessage joins errors[].message, each with its extensions.code.
func graphQLMessage(v any) string {
	var parts []string
	for _, e := range asSlice(v) {
		obj, _ := e.(map[string]any)
		m := str(obj["message"])
		if m == "" {
			m = "unknown error"
		}
		if ext, ok := obj["extensions"].(map[string]any); ok {
			if c := str(ext["code"]); c != "" {
				m += " [" + c + "]"
			}
			if u := str(ext["userPresentableMessage"]); u != "" && u != str(obj["message"]) {
				m += " " + u
			}
		}
		parts = append(parts, m)
	}
	return clip(strings.Join(parts, "; "))
}

// retryHint says when to retry a rate-limited call: on 429, on GitHub's
// 403 with x-ratelimit-remaining 0, or on Linear's RATELIMITED code.
func retryHint(status int, h http.Header, msg string) string {
	limited := status == http.StatusTooManyRequests ||
		status == http.StatusForbidden && h.Get("X-Ratelimit-Remaining") == "0" ||
		strings.Contains(msg, "[RATELIMITED]") || strings.Contains(msg, "ratelimited") ||
		strings.Contains(msg, "rateLimitExceeded")
	if !limited {
		return ""
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s >= 0 {
		return fmt.Sprintf("rate limited: retry after %d seconds", s)
	}
	if reset := h.Get("X-Ratelimit-Reset"); reset != "" {
		if _, err := strconv.ParseInt(reset, 10, 64); err == nil {
			return "rate limited: retry after the limit resets at Unix time " + reset
		}
	}
	return "rate limited: retry later, backing off"
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// str returns v if it is a string or a number, else "".
func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// clip shortens a message to maxErrorMessage bytes on a rune boundary.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ") // one line
	if len(s) <= maxErrorMessage {
		return s
	}
	cut := maxErrorMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
