package reqlog

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestAdd(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	lines := func() []string {
		defer out.Reset()
		return strings.Split(strings.TrimSpace(out.String()), "\n")
	}

	// Without a record, Add logs one of its own.
	Add(context.Background(), log, "tool executed", slog.String("a", "1"))
	if got := lines(); len(got) != 1 || !strings.Contains(got[0], `msg="tool executed" a=1`) {
		t.Errorf("Add without a record: %q", got)
	}

	// With one, Add writes nothing; the record gets the attributes after
	// its own.
	var r Record
	ctx := NewContext(context.Background(), &r)
	Add(ctx, log, "tool executed", slog.String("a", "1"))
	Add(ctx, log, "tool executed", slog.Int("b", 2))
	if out.Len() != 0 {
		t.Fatalf("Add with a record logged: %s", out.String())
	}
	// A nil record hides the one the context carried.
	Add(NewContext(ctx, nil), log, "tool executed", slog.String("c", "3"))
	if got := lines(); len(got) != 1 || !strings.Contains(got[0], "c=3") {
		t.Errorf("Add under a hidden record: %q", got)
	}
	r.Log(ctx, log, "request", slog.String("path", "/x"))
	if got := lines(); len(got) != 1 || !strings.Contains(got[0], "msg=request path=/x a=1 b=2") || strings.Contains(got[0], "c=3") {
		t.Errorf("the request's record: %q", got)
	}
}
