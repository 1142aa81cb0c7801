package postgrestest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

func TestMain(m *testing.M) { postgrestest.Main(m) }

func TestURL(t *testing.T) {
	ctx := context.Background()
	a, b := postgrestest.URL(t), postgrestest.URL(t)
	if a == b {
		t.Fatalf("URL returned %q twice, want two databases", a)
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE t (id int)"); err != nil {
		t.Fatalf("create table: %v", err)
	}
	var n int
	err = conn.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&n)
	if err != nil {
		t.Fatalf("count tables: %v", err)
	}
	if n != 1 {
		t.Errorf("got %d tables, want 1", n)
	}
}

func TestDropped(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		u := postgrestest.URL(t)
		cfg, err := pgx.ParseConfig(u)
		if err != nil {
			t.Fatal(err)
		}
		name = cfg.Database
		// Leave a connection open: cleanup must still drop the database.
		conn, err := pgx.Connect(context.Background(), u)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		_ = conn
	})
	other := postgrestest.URL(t)
	conn, err := pgx.Connect(context.Background(), other)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(context.Background(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatalf("look up database: %v", err)
	}
	if exists {
		t.Errorf("database %s still exists after its test ended", name)
	}
}
