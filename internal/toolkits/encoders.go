package toolkits

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"
)

// encoder builds a request body that a template can't express. args lists
// the arguments it reads, with their types as typeSig names them; catalog
// validation checks them against each tool's input schema. encode gets the
// validated arguments (defaults applied) and fills r's body, content type
// and, if it needs to, query; it returns problems with the arguments.
type encoder struct {
	args   map[string]string
	encode func(args map[string]any, r *UpstreamRequest) []ArgProblem
}

// encoders are the Go encoders that definitions may name.
var encoders = map[string]encoder{
	// gmail_send: users.messages.send takes {"raw": <RFC 2822 message,
	// base64url>} (toolkits.md §2.4).
	"gmail_send": {
		args: gmailMessageArgs(nil),
		encode: func(args map[string]any, r *UpstreamRequest) []ArgProblem {
			raw, probs := gmailRaw(args)
			r.Body, r.ContentType = marshalJSON(map[string]any{"raw": raw}), contentJSON
			return probs
		},
	},
	// gmail_draft: users.drafts.create takes {"message": {"raw", "threadId"}}.
	"gmail_draft": {
		args: gmailMessageArgs(map[string]string{"thread_id": typeString}),
		encode: func(args map[string]any, r *UpstreamRequest) []ArgProblem {
			raw, probs := gmailRaw(args)
			msg := map[string]any{"raw": raw}
			if id, ok := args["thread_id"].(string); ok {
				msg["threadId"] = id
			}
			r.Body, r.ContentType = marshalJSON(map[string]any{"message": msg}), contentJSON
			return probs
		},
	},
	// gmail_reply: users.messages.send into a thread, {"raw", "threadId"};
	// the raw message carries In-Reply-To and References, which with the
	// thread id and a matching subject are what Gmail asks of a message
	// added to a thread (the discovery document's Message.threadId).
	"gmail_reply": {
		args: gmailMessageArgs(map[string]string{"thread_id": typeString, "in_reply_to": typeString}),
		encode: func(args map[string]any, r *UpstreamRequest) []ArgProblem {
			raw, probs := gmailRaw(args)
			msg := map[string]any{"raw": raw}
			if id, ok := args["thread_id"].(string); ok {
				msg["threadId"] = id
			}
			r.Body, r.ContentType = marshalJSON(msg), contentJSON
			return probs
		},
	},
	// calendar_event: a whole Event for events.insert and events.update,
	// whose end is computed from a start and a duration, as Composio's
	// GOOGLECALENDAR_CREATE_EVENT arguments have it (toolkits.md §3.3).
	"calendar_event": {
		args: map[string]string{
			"summary": typeString, "description": typeString, "location": typeString,
			"start_datetime": typeString, "timezone": typeString,
			"event_duration_hour": typeInteger, "event_duration_minutes": typeInteger,
			"attendees": "string[]", "recurrence": "string[]", "create_meeting_room": typeBoolean,
		},
		encode: encodeCalendarEvent,
	},
	// calendar_patch: the changed fields of an Event for events.patch.
	"calendar_patch": {
		args: map[string]string{
			"summary": typeString, "description": typeString, "location": typeString,
			"start_datetime": typeString, "end_datetime": typeString, "timezone": typeString,
			"attendees": "string[]",
		},
		encode: encodeCalendarPatch,
	},
}

func gmailMessageArgs(extra map[string]string) map[string]string {
	m := map[string]string{
		"recipient_email": typeString, "extra_recipients": "string[]", "cc": "string[]", "bcc": "string[]",
		"subject": typeString, "body": typeString, "is_html": typeBoolean,
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// gmailRaw builds the RFC 2822 (RFC 5322) message of a Gmail send or draft
// and encodes it as base64url with padding, as Google's samples do
// (toolkits.md §2.4). Addresses are parsed and re-formatted, and the
// subject must be one line, so no argument can add a header.
func gmailRaw(args map[string]any) (string, []ArgProblem) {
	var probs []ArgProblem
	addrs := func(field string, values ...string) string {
		var out []string
		for i, v := range values {
			f := field
			if len(values) > 1 || field != "recipient_email" {
				f = fmt.Sprintf("%s[%d]", field, i)
			}
			list, err := mail.ParseAddressList(v)
			if err != nil {
				probs = append(probs, ArgProblem{Field: f, Code: CodeInvalid,
					Message: f + " must be an email address such as ada@example.com or \"Ada Lovelace <ada@example.com>\"" + got(v)})
				continue
			}
			for _, a := range list {
				if a.Name == "" {
					out = append(out, a.Address)
				} else {
					out = append(out, a.String()) // quotes and RFC 2047-encodes the name
				}
			}
		}
		return strings.Join(out, ", ")
	}
	var to []string
	if v, ok := args["recipient_email"].(string); ok {
		to = append(to, addrs("recipient_email", v))
	}
	if extra := strs(args["extra_recipients"]); len(extra) > 0 {
		to = append(to, addrs("extra_recipients", extra...))
	}
	subject, _ := args["subject"].(string)
	if strings.ContainsAny(subject, "\r\n") {
		probs = append(probs, ArgProblem{Field: "subject", Code: CodeInvalid, Message: "subject must be a single line"})
	}
	body, _ := args["body"].(string)
	// in_reply_to (gmail_reply only) is the Message-ID of the message
	// answered, "<id@host>" (RFC 5322 §3.6.4); it goes in both headers.
	inReplyTo, _ := args["in_reply_to"].(string)
	if inReplyTo != "" && (!strings.HasPrefix(inReplyTo, "<") || !strings.HasSuffix(inReplyTo, ">") || strings.ContainsAny(inReplyTo, "\r\n ")) {
		probs = append(probs, ArgProblem{Field: "in_reply_to", Code: CodeInvalid,
			Message: "in_reply_to must be a Message-ID header value such as <CAF1x@mail.gmail.com>" + got(inReplyTo)})
		inReplyTo = ""
	}

	var msg bytes.Buffer
	header := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&msg, "%s: %s\r\n", k, v)
		}
	}
	header("To", strings.Join(to, ", "))
	header("Cc", addrs("cc", strs(args["cc"])...))
	header("Bcc", addrs("bcc", strs(args["bcc"])...))
	// RFC 2047 encoded-word for a non-ASCII subject; ASCII stays as is.
	header("Subject", mime.QEncoding.Encode("UTF-8", subject))
	header("In-Reply-To", inReplyTo)
	header("References", inReplyTo)
	header("MIME-Version", "1.0")
	if html, _ := args["is_html"].(bool); html {
		header("Content-Type", `text/html; charset="UTF-8"`)
	} else {
		header("Content-Type", `text/plain; charset="UTF-8"`)
	}
	header("Content-Transfer-Encoding", "base64")
	msg.WriteString("\r\n")
	// Base64 keeps any text within RFC 5322's line length (76 per line,
	// RFC 2045 §6.8).
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		msg.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	msg.WriteString(enc + "\r\n")
	return base64.URLEncoding.EncodeToString(msg.Bytes()), probs
}

// strs returns a normalized []any of strings as []string.
func strs(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Date-time forms accepted for event times: with an offset (RFC 3339),
// local wall time (interpreted in the timezone argument), or a date alone
// for an all-day event.
const (
	layoutLocal   = "2006-01-02T15:04:05"
	layoutMinutes = "2006-01-02T15:04"
	layoutDate    = "2006-01-02"
)

// eventTime is a parsed start or end of an event.
type eventTime struct {
	t      time.Time
	offset bool // the input had a UTC offset
	date   bool // a date alone: an all-day event
}

func parseEventTime(s string) (eventTime, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return eventTime{t: t, offset: true}, true
	}
	for _, layout := range []string{layoutLocal, layoutMinutes} {
		if t, err := time.Parse(layout, s); err == nil {
			return eventTime{t: t}, true
		}
	}
	if t, err := time.Parse(layoutDate, s); err == nil {
		return eventTime{t: t, date: true}, true
	}
	return eventTime{}, false
}

// json renders an event time as Google's EventDateTime.
func (e eventTime) json(tz string) map[string]any {
	if e.date {
		return map[string]any{"date": e.t.Format(layoutDate)}
	}
	out := map[string]any{}
	if e.offset {
		out["dateTime"] = e.t.Format(time.RFC3339)
	} else {
		out["dateTime"] = e.t.Format(layoutLocal)
	}
	if tz != "" {
		out["timeZone"] = tz
	}
	return out
}

func badTime(field string, v string) ArgProblem {
	return ArgProblem{Field: field, Code: CodeInvalid, Message: field +
		" must be an ISO 8601 date-time such as 2026-01-19T09:00:00 (local time in timezone), 2026-01-19T09:00:00-08:00, or a date 2026-01-19 for an all-day event" + got(v)}
}

// needZone reports the problem of a local time without a timezone: Google
// requires timeZone when dateTime has no offset.
func needZone(field string) ArgProblem {
	return ArgProblem{Field: "timezone", Code: CodeRequired,
		Message: "timezone is required when " + field + " has no UTC offset; give an IANA name such as America/New_York"}
}

func encodeCalendarEvent(args map[string]any, r *UpstreamRequest) []ArgProblem {
	var probs []ArgProblem
	startArg, _ := args["start_datetime"].(string)
	tz, _ := args["timezone"].(string)
	start, ok := parseEventTime(startArg)
	if !ok {
		return []ArgProblem{badTime("start_datetime", startArg)}
	}
	if !start.offset && !start.date && tz == "" {
		probs = append(probs, needZone("start_datetime"))
	}
	if _, recurring := args["recurrence"]; recurring && tz == "" {
		probs = append(probs, ArgProblem{Field: "timezone", Code: CodeRequired, Message: "timezone is required for a recurring event"})
	}
	hours, _ := args["event_duration_hour"].(int64)
	minutes, _ := args["event_duration_minutes"].(int64)
	end := start
	if start.date {
		// An all-day event ends on the (exclusive) next day, or after as
		// many whole days as the duration spans.
		days := max(1, (hours*60+minutes+24*60-1)/(24*60))
		end.t = start.t.AddDate(0, 0, int(days))
	} else {
		end.t = start.t.Add(time.Duration(hours)*time.Hour + time.Duration(minutes)*time.Minute)
	}
	ev := map[string]any{"start": start.json(tz), "end": end.json(tz)}
	copyStrings(ev, args, map[string]string{"summary": "summary", "description": "description", "location": "location"})
	if a := strs(args["attendees"]); len(a) > 0 {
		ev["attendees"] = attendees(a)
	}
	if rec := strs(args["recurrence"]); len(rec) > 0 {
		ev["recurrence"] = anySlice(rec)
	}
	if meet, _ := args["create_meeting_room"].(bool); meet {
		// A Meet link needs a createRequest with a fresh requestId and
		// conferenceDataVersion=1 on the query (toolkits.md §3.3).
		ev["conferenceData"] = map[string]any{"createRequest": map[string]any{
			"requestId":             rand.Text(),
			"conferenceSolutionKey": map[string]any{"type": "hangoutsMeet"},
		}}
		r.Query.Set("conferenceDataVersion", "1")
	}
	r.Body, r.ContentType = marshalJSON(ev), contentJSON
	return probs
}

func encodeCalendarPatch(args map[string]any, r *UpstreamRequest) []ArgProblem {
	var probs []ArgProblem
	tz, _ := args["timezone"].(string)
	ev := map[string]any{}
	copyStrings(ev, args, map[string]string{"summary": "summary", "description": "description", "location": "location"})
	for _, f := range []struct{ arg, key string }{{"start_datetime", "start"}, {"end_datetime", "end"}} {
		v, ok := args[f.arg].(string)
		if !ok {
			continue
		}
		et, ok := parseEventTime(v)
		if !ok {
			probs = append(probs, badTime(f.arg, v))
			continue
		}
		if !et.offset && !et.date && tz == "" {
			probs = append(probs, needZone(f.arg))
		}
		ev[f.key] = et.json(tz)
	}
	if _, ok := args["timezone"]; ok && ev["start"] == nil && ev["end"] == nil {
		probs = append(probs, ArgProblem{Field: "timezone", Code: CodeInvalid, Message: "timezone only applies with start_datetime or end_datetime"})
	}
	if _, ok := args["attendees"]; ok {
		ev["attendees"] = attendees(strs(args["attendees"]))
	}
	r.Body, r.ContentType = marshalJSON(ev), contentJSON
	return probs
}

func attendees(emails []string) []any {
	out := make([]any, len(emails))
	for i, e := range emails {
		out[i] = map[string]any{"email": e}
	}
	return out
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// copyStrings copies present string arguments to keys of dst.
func copyStrings(dst, args map[string]any, keys map[string]string) {
	for arg, key := range keys {
		if v, ok := args[arg].(string); ok {
			dst[key] = v
		}
	}
}
