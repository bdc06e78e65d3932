package clients

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// TestConstraintErrorFields: unique and not-null violations carry the
// schema, table, column and constraint fields PostgreSQL sends, which
// pgx, psycopg (e.diag) and node-postgres (err.constraint) expose.
func TestConstraintErrorFields(t *testing.T) {
	srv := compat.Start(t)
	conn := connect(t, srv.DSN("postgres"))
	ctx := context.Background()
	mustExec(t, conn, "DROP TABLE IF EXISTS errfields")
	mustExec(t, conn, "CREATE TABLE errfields (id int PRIMARY KEY, name text NOT NULL, code text UNIQUE)")
	mustExec(t, conn, "INSERT INTO errfields VALUES (1, 'a', 'x')")
	for _, tc := range []struct {
		sql                                  string
		code, schema, table, column, constrt string
	}{
		{"INSERT INTO errfields VALUES (1, 'b', 'y')", "23505", "public", "errfields", "", "errfields_pkey"},
		{"INSERT INTO errfields VALUES (2, 'b', 'x')", "23505", "public", "errfields", "", "errfields_code_key"},
		{"INSERT INTO errfields VALUES (3, NULL, 'z')", "23502", "public", "errfields", "name", ""},
		{"UPDATE errfields SET name = NULL", "23502", "public", "errfields", "name", ""},
	} {
		_, err := conn.Exec(ctx, tc.sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Fatalf("%s: got %v, want a server error", tc.sql, err)
		}
		if pe.Code != tc.code || pe.SchemaName != tc.schema || pe.TableName != tc.table || pe.ColumnName != tc.column || pe.ConstraintName != tc.constrt {
			t.Errorf("%s: got code %s schema %q table %q column %q constraint %q; want %s %q %q %q %q",
				tc.sql, pe.Code, pe.SchemaName, pe.TableName, pe.ColumnName, pe.ConstraintName,
				tc.code, tc.schema, tc.table, tc.column, tc.constrt)
		}
	}
}
