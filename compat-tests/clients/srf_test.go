package clients

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// rowsText runs sql and renders its rows as "a b|c d" (NULL as "NULL"),
// through the simple protocol so every value arrives as text.
func rowsText(t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var vals []string
		for _, raw := range rows.RawValues() {
			if raw == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, string(raw))
			}
		}
		out = append(out, strings.Join(vals, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return strings.Join(out, "|")
}

// TestSelectListSetFunctions covers what SQLAlchemy's reflection needs
// from the engine: set-returning functions in a select list (evaluated
// side by side per row, PostgreSQL 10+ semantics), ROWS FROM,
// generate_subscripts, int2vector's text form, and INSERT VALUES filling
// leading columns.
func TestSelectListSetFunctions(t *testing.T) {
	compat.Pending(t, "catalog")
	ctx := context.Background()
	conn := connect(t, compat.Start(t).DSN("postgres"))
	mustExec(t, conn, "CREATE TABLE k (a int, b text NOT NULL, c int, PRIMARY KEY (c, a))")
	for _, tc := range []struct{ sql, want string }{
		{`SELECT a.attname, k.ord FROM pg_attribute a JOIN (
			SELECT unnest(ix.indkey) attnum, generate_subscripts(ix.indkey, 1) ord
			FROM pg_index ix WHERE ix.indrelid = 'k'::regclass AND ix.indisprimary) k ON a.attnum = k.attnum
		  WHERE a.attrelid = 'k'::regclass ORDER BY k.ord`, "c 0|a 1"},
		{"SELECT indkey::text, indkey::varchar, array_length(indkey, 1) FROM pg_index WHERE indrelid = 'k'::regclass", "3 1 3 1 2"},
		{"SELECT '7 8 9'::int2vector, ('7 8 9'::int2vector)[1]", "7 8 9 8"},
		{"SELECT unnest(ARRAY[1, 2, 3]) AS u, generate_series(10, 11) g, 'x' AS c", "1 10 x|2 11 x|3 NULL x"},
		{"SELECT x, unnest(ARRAY[x, x * 10]) FROM (VALUES (1), (2), (3)) v(x) WHERE x > 1 ORDER BY 2", "2 2|3 3|2 20|3 30"},
		{"SELECT x, unnest(ARRAY[]::int[]) FROM (VALUES (1)) v(x)", ""},
		{"SELECT DISTINCT unnest(ARRAY[3, 1, 3]) u ORDER BY u", "1|3"},
		{"SELECT generate_subscripts(ARRAY['a', 'b', 'c'], 1), generate_subscripts(ARRAY['a', 'b', 'c'], 1, true)", "1 3|2 2|3 1"},
		{"SELECT generate_subscripts('[0:1]={5,6}'::int[], 1) s", "0|1"},
		{"SELECT * FROM ROWS FROM (unnest(ARRAY[1, 2]), generate_series(5, 7)) WITH ORDINALITY AS r(u, g, n)", "1 5 1|2 6 2|NULL 7 3"},
		{"SELECT r.* FROM (VALUES (ARRAY['p', 'q'])) v(arr), LATERAL ROWS FROM (unnest(v.arr), generate_subscripts(v.arr, 1)) r", "p 1|q 2"},
	} {
		if got := rowsText(t, conn, tc.sql); got != tc.want {
			t.Errorf("%s\n got %q\nwant %q", tc.sql, got, tc.want)
		}
	}
	// VALUES without a column list fills the leading columns.
	mustExec(t, conn, "CREATE TABLE f (a int, b text, c int DEFAULT 7, d text)")
	mustExec(t, conn, "INSERT INTO f VALUES (1, 'one'), (2, 'two')")
	if got := rowsText(t, conn, "SELECT a, b, c, d FROM f ORDER BY a"); got != "1 one 7 NULL|2 two 7 NULL" {
		t.Errorf("INSERT with fewer VALUES: %q", got)
	}
	// A set-returning function next to an aggregate runs after grouping
	// in PostgreSQL; tsgres refuses rather than answer differently.
	const agg = "SELECT count(*), unnest(ARRAY[1, 2]) FROM f"
	if compat.AgainstPostgres() {
		if got := rowsText(t, conn, agg); got != "2 1|2 2" {
			t.Errorf("%s: %q", agg, got)
		}
		return
	}
	_, err := conn.Exec(ctx, agg)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "0A000" {
		t.Errorf("%s: %v, want 0A000", agg, fmt.Sprint(err))
	}
}
