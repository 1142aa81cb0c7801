package sqlq

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// testDialect numbers its placeholders like PostgreSQL, spells out IN
// lists like SQLite, and carries times as RFC 3339 text.
var testDialect = Dialect{
	Placeholder: func(n int) string { return "$" + string(rune('0'+n)) },
	In: func(col string, values []string, arg func(any) string) string {
		ps := make([]string, len(values))
		for i, v := range values {
			ps[i] = arg(v)
		}
		return col + " IN (" + strings.Join(ps, ", ") + ")"
	},
	NullsLast:  func(o Order) bool { return o.Nullable },
	NoIndex:    func(col string) string { return "+" + col },
	Strpos:     "strpos",
	CursorTime: func(t time.Time) any { return t.UTC().Format(time.RFC3339Nano) },
	TimeArg: func(raw json.RawMessage) (any, bool) {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return nil, false
		}
		return s, true
	},
}

func TestAccountsStatements(t *testing.T) {
	connected := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	o := Order{Col: "connected_at", Desc: true}
	tests := []struct {
		name      string
		f         store.AccountFilter
		wantCount string
		wantRows  string
		wantArgs  []any
	}{
		{"Default", store.AccountFilter{},
			"SELECT count(*) FROM accounts WHERE project_id = $1",
			" FROM accounts WHERE project_id = $1 ORDER BY created_at DESC, id DESC",
			[]any{"p1"}},
		{"UsersAscendingLimit", store.AccountFilter{UserIDs: []string{"u1", "u2"}, Ascending: true, Limit: 5},
			"SELECT count(*) FROM accounts WHERE project_id = $1 AND user_id IN ($2, $3)",
			" FROM accounts WHERE project_id = $1 AND user_id IN ($2, $3) ORDER BY +created_at ASC, id ASC LIMIT $4",
			[]any{"p1", "u1", "u2", 6}},
		{"ConnectedAfterTime", store.AccountFilter{OrderBy: store.OrderConnectedAt, Cursor: testDialect.Cursor(o, &connected, "a9")},
			"SELECT count(*) FROM accounts WHERE project_id = $1",
			" FROM accounts WHERE project_id = $1 AND ((connected_at, id) < ($2, $3) OR connected_at IS NULL) ORDER BY connected_at DESC NULLS LAST, id DESC",
			[]any{"p1", "2024-05-06T07:08:09Z", "a9"}},
		{"ConnectedInsideNulls", store.AccountFilter{OrderBy: store.OrderConnectedAt, UserIDs: []string{"u1"}, Cursor: testDialect.Cursor(o, nil, "a9")},
			"SELECT count(*) FROM accounts WHERE project_id = $1 AND user_id IN ($2)",
			" FROM accounts WHERE project_id = $1 AND user_id IN ($2) AND (+connected_at IS NULL AND +id < $3) ORDER BY +connected_at DESC NULLS LAST, id DESC",
			[]any{"p1", "u1", "a9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Accounts(testDialect, "p1", tt.f)
			if err != nil {
				t.Fatalf("Accounts: %v", err)
			}
			count, rows, err := l.Statements(tt.f.Cursor, tt.f.Limit)
			if err != nil {
				t.Fatalf("Statements: %v", err)
			}
			if count.Text != tt.wantCount {
				t.Errorf("count text:\n got %s\nwant %s", count.Text, tt.wantCount)
			}
			if want := "SELECT " + AccountColumns + tt.wantRows; rows.Text != want {
				t.Errorf("rows text:\n got %s\nwant %s", rows.Text, want)
			}
			if got, want := len(rows.Args), len(tt.wantArgs); got != want {
				t.Fatalf("rows args: got %v, want %v", rows.Args, tt.wantArgs)
			}
			for i := range rows.Args {
				if rows.Args[i] != tt.wantArgs[i] {
					t.Errorf("rows arg %d: got %v, want %v", i+1, rows.Args[i], tt.wantArgs[i])
				}
			}
		})
	}
}

// TestBadCursors checks that a cursor not made for the list's order, or not
// made at all, is store.ErrInvalid.
func TestBadCursors(t *testing.T) {
	created := time.Now()
	byCreated := testDialect.Cursor(Order{Col: "created_at", Desc: true}, &created, "a1")
	l, err := Accounts(testDialect, "p1", store.AccountFilter{OrderBy: store.OrderUpdatedAt})
	if err != nil {
		t.Fatalf("Accounts: %v", err)
	}
	bad := []string{
		"garbage", "e30", byCreated,
		// {"o":"updated_at desc","t":12,"i":"a1"}: a time the dialect
		// does not carry.
		"eyJvIjoidXBkYXRlZF9hdCBkZXNjIiwidCI6MTIsImkiOiJhMSJ9",
	}
	for _, c := range bad {
		if _, _, err := l.Statements(c, 10); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Statements with cursor %q: got %v, want ErrInvalid", c, err)
		}
	}
	if _, err := Accounts(testDialect, "p1", store.AccountFilter{OrderBy: "name"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Accounts with an unknown order: got %v, want ErrInvalid", err)
	}
}

// TestPage checks that Page cuts the extra row and makes the cursor of the
// last item kept.
func TestPage(t *testing.T) {
	created := []time.Time{time.Unix(3, 0), time.Unix(2, 0), time.Unix(1, 0)}
	l := AuthConfigs(testDialect, "p1", store.AuthConfigFilter{})
	read := func(n int) func(count, rows Statement) (int, []store.AuthConfig, error) {
		return func(count, rows Statement) (int, []store.AuthConfig, error) {
			var items []store.AuthConfig
			for i := range n {
				items = append(items, store.AuthConfig{ID: string(rune('a' + i)), CreatedAt: created[i]})
			}
			return 3, items, nil
		}
	}
	page, err := l.Page("", 2, read(3))
	if err != nil {
		t.Fatalf("Page: %v", err)
	}
	if len(page.Items) != 2 || page.Total != 3 || page.NextCursor != testDialect.Cursor(l.Order, &created[1], "b") {
		t.Errorf("first page: got %d items, total %d, cursor %q", len(page.Items), page.Total, page.NextCursor)
	}
	page, err = l.Page(page.NextCursor, 2, read(0))
	if err != nil {
		t.Fatalf("Page: %v", err)
	}
	if page.Items == nil || page.NextCursor != "" {
		t.Errorf("last page: got items %v, cursor %q; want an empty list and no cursor", page.Items, page.NextCursor)
	}
}
