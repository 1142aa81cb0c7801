package reqlog

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestContextHandlerRedacts(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(Handler{slog.NewTextHandler(&buf, nil)})
	ctx := WithRequestID(context.Background(), "req_1")
	log.With("client_secret", "s3cret-a").InfoContext(ctx, "msg",
		"access_token", "s3cret-b", "authorization", "Bearer s3cret-c", "x-api-key", "s3cret-d",
		slog.Group("upstream", "refresh_token", "s3cret-e", "status", 401),
		"account_id", "ca_1", "tool", "GMAIL_SEND_EMAIL", "error_code", "alias_taken")
	out := buf.String()
	if strings.Contains(out, "s3cret") {
		t.Errorf("a secret reached the log: %s", out)
	}
	for _, want := range []string{"account_id=ca_1", "tool=GMAIL_SEND_EMAIL", "upstream.status=401", "request_id=req_1", "access_token=[REDACTED]", "error_code=alias_taken"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q: %s", want, out)
		}
	}
}

// TestHandlerCutsLinkTokens: a link URL in any string value, a path or a
// tool error telling the agent which link to open, keeps its shape and
// loses its token, in records and in With attributes alike.
func TestHandlerCutsLinkTokens(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(Handler{slog.NewTextHandler(&buf, nil)})
	log.With("path", "/link/ln_s3cretA-b_c").Info("msg",
		"tool_error", "gmail has no connected account for u1; authorize it with this link: https://sb.example/link/ln_s3cretB. Then retry.",
		slog.Group("g", "url", "http://x/link/ln_s3cretC?x=1 and http://x/link/ln_s3cretD"),
		"status", 200)
	out := buf.String()
	if strings.Contains(out, "s3cret") {
		t.Errorf("a link token reached the log: %s", out)
	}
	for _, want := range []string{"path=/link/[REDACTED]", "this link: https://sb.example/link/[REDACTED]. Then retry.", "/link/[REDACTED]?x=1 and http://x/link/[REDACTED]", "status=200"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q: %s", want, out)
		}
	}
}
