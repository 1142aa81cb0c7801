package reqlog

import (
	"context"
	"log/slog"
	"testing"
)

func TestAdd(t *testing.T) {
	if Add(context.Background(), slog.String("a", "1")) {
		t.Error("Add without a record reported one")
	}
	var r Record
	ctx := NewContext(context.Background(), &r)
	if !Add(ctx, slog.String("a", "1")) || !Add(ctx, slog.Int("b", 2)) {
		t.Fatal("Add with a record reported none")
	}
	got := r.Attrs()
	if len(got) != 2 || got[0].Key != "a" || got[1].Key != "b" || got[1].Value.Int64() != 2 {
		t.Errorf("got %v, want a=1 b=2", got)
	}
	// A nil record hides the one the context carried.
	if Add(NewContext(ctx, nil), slog.String("c", "3")) {
		t.Error("Add under a hidden record reported one")
	}
	if len(r.Attrs()) != 2 {
		t.Errorf("a hidden record changed: %v", r.Attrs())
	}
	// Attrs is a snapshot: appending to it does not change the record.
	_ = append(got, slog.String("d", "4"))
	Add(ctx, slog.String("e", "5"))
	if a := r.Attrs(); len(a) != 3 || a[2].Key != "e" {
		t.Errorf("got %v, want a b e", a)
	}
}
