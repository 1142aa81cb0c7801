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
