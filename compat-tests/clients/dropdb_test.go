package clients

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// TestDropDatabaseInUse: DROP DATABASE refuses a database other sessions
// are connected to (55006, after waiting for them a while), goes ahead
// once they have left, and WITH (FORCE) ends them first.
func TestDropDatabaseInUse(t *testing.T) {
	srv := compat.Start(t)
	ctx := context.Background()
	admin := connect(t, srv.DSN("postgres"))
	mustExec(t, admin, "DROP DATABASE IF EXISTS dropdb_busy")
	mustExec(t, admin, "CREATE DATABASE dropdb_busy")
	user := connect(t, srv.DSN("dropdb_busy"))
	mustExec(t, user, "CREATE TABLE t (id int)")

	start := time.Now()
	_, err := admin.Exec(ctx, "DROP DATABASE dropdb_busy")
	wantCode(t, "DROP DATABASE of a database in use", err, "55006", `database "dropdb_busy" is being accessed by other users`)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Detail != "There is 1 other session using the database." {
		t.Fatalf("detail: %q", pgErr.Detail)
	}
	if waited := time.Since(start); waited < 4*time.Second {
		t.Fatalf("DROP DATABASE failed after %v; it waits about 5 s for the sessions to end", waited)
	}
	mustExec(t, user, "INSERT INTO t VALUES (1)") // untouched

	// A session that leaves while DROP waits lets it through.
	go func() {
		time.Sleep(time.Second)
		user.Close(ctx)
	}()
	mustExec(t, admin, "DROP DATABASE dropdb_busy")

	mustExec(t, admin, "CREATE DATABASE dropdb_busy")
	user = connect(t, srv.DSN("dropdb_busy"))
	mustExec(t, admin, "DROP DATABASE dropdb_busy WITH (FORCE)")
	if _, err := user.Exec(ctx, "SELECT 1"); err == nil {
		t.Fatal("a session of a database dropped WITH (FORCE) still runs statements")
	}
	_, err = admin.Exec(ctx, "DROP DATABASE dropdb_busy WITH (bogus)")
	wantCode(t, "unknown DROP DATABASE option", err, "42601", "")
}
