package problem

import (
	"errors"
	"fmt"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

func TestText(t *testing.T) {
	for _, tt := range []struct {
		e    *Error
		want string
	}{
		{&Error{Message: "no account"}, "no account"},
		{&Error{Message: "no account", Fix: "Connect one"}, "no account. Connect one"},
		{&Error{Message: "No account.", Fix: "Connect one"}, "No account. Connect one"},
	} {
		if got := tt.e.Text(); got != tt.want {
			t.Errorf("Text() = %q, want %q", got, tt.want)
		}
	}
}

func TestOf(t *testing.T) {
	for _, tt := range []struct {
		err  error
		ok   bool
		kind Kind
		code string
	}{
		{Invalidf("bad", "f", "bad"), true, Invalid, "bad"},
		{fmt.Errorf("get: %w", store.ErrNotFound), true, NotFound, "not_found"},
		{fmt.Errorf("%w: user id holds a NUL", store.ErrInvalid), true, Invalid, "invalid_request"},
		{fmt.Errorf("%w: dial: refused", store.ErrUnavailable), true, Unavailable, StoreUnavailable},
		{errors.New("boom"), false, 0, ""},
	} {
		p, ok := Of(tt.err)
		if ok != tt.ok || (ok && (p.Kind != tt.kind || p.Code != tt.code)) {
			t.Errorf("Of(%v) = %+v, %v; want kind %v code %q, %v", tt.err, p, ok, tt.kind, tt.code, tt.ok)
		}
	}
}
