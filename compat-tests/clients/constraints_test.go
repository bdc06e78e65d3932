package clients

// Constraint acceptance tests of issue 12 item 7: CHECK and FOREIGN KEY
// violations with PostgreSQL's error fields, a referenced row and a
// referencing insert in two sessions, chains of referential actions (on
// a hypertable too), and psql's \d of constrained tables compared with
// PostgreSQL 15's. The SQL behaviour itself: testdata/constraints.test.

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// pgError returns err as a server error, failing the test otherwise.
func pgError(t *testing.T, what string, err error) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("%s: got %v, want a server error", what, err)
	}
	return pe
}

// TestConstraintViolationFields: CHECK, FOREIGN KEY and NOT NULL
// violations carry PostgreSQL's message, detail and schema, table,
// column and constraint fields.
func TestConstraintViolationFields(t *testing.T) {
	srv := compat.Start(t)
	conn := connect(t, srv.DSN("postgres"))
	ctx := context.Background()
	mustExec(t, conn, "CREATE TABLE cf_p (id int PRIMARY KEY)")
	mustExec(t, conn, "CREATE TABLE cf_c (id int PRIMARY KEY, pid int REFERENCES cf_p, v int NOT NULL CHECK (v > 0))")
	mustExec(t, conn, "INSERT INTO cf_p VALUES (1)")
	mustExec(t, conn, "INSERT INTO cf_c VALUES (1, 1, 1)")
	for _, tc := range []struct {
		sql                                  string
		code, schema, table, column, constrt string
		message, detail                      string
	}{
		{"INSERT INTO cf_c VALUES (2, 7, 1)", "23503", "public", "cf_c", "", "cf_c_pid_fkey",
			`insert or update on table "cf_c" violates foreign key constraint "cf_c_pid_fkey"`, `Key (pid)=(7) is not present in table "cf_p".`},
		{"DELETE FROM cf_p WHERE id = 1", "23503", "public", "cf_c", "", "cf_c_pid_fkey",
			`update or delete on table "cf_p" violates foreign key constraint "cf_c_pid_fkey" on table "cf_c"`, `Key (id)=(1) is still referenced from table "cf_c".`},
		{"UPDATE cf_c SET v = 0", "23514", "public", "cf_c", "", "cf_c_v_check",
			`new row for relation "cf_c" violates check constraint "cf_c_v_check"`, "Failing row contains (1, 1, 0)."},
		{"INSERT INTO cf_c VALUES (3, NULL, NULL)", "23502", "public", "cf_c", "v", "",
			`null value in column "v" of relation "cf_c" violates not-null constraint`, ""},
	} {
		_, err := conn.Exec(ctx, tc.sql)
		pe := pgError(t, tc.sql, err)
		if pe.Code != tc.code || pe.SchemaName != tc.schema || pe.TableName != tc.table || pe.ColumnName != tc.column || pe.ConstraintName != tc.constrt {
			t.Errorf("%s: got code %s schema %q table %q column %q constraint %q; want %s %q %q %q %q",
				tc.sql, pe.Code, pe.SchemaName, pe.TableName, pe.ColumnName, pe.ConstraintName,
				tc.code, tc.schema, tc.table, tc.column, tc.constrt)
		}
		if pe.Message != tc.message || tc.detail != "" && pe.Detail != tc.detail {
			t.Errorf("%s: got %q / %q, want %q / %q", tc.sql, pe.Message, pe.Detail, tc.message, tc.detail)
		}
	}
}

// TestForeignKeyConcurrentDelete: a session inserting a referencing row
// holds its referenced row FOR KEY SHARE, so a concurrent DELETE of that
// row waits for it, then fails (the insert committed) or succeeds (it
// rolled back); and the other way round, an insert referencing a row
// another transaction deleted waits, then fails with 23503.
func TestForeignKeyConcurrentDelete(t *testing.T) {
	srv := compat.Start(t)
	conns := connectN(t, srv.DSN("postgres"), 2)
	a, b := conns[0], conns[1]
	ctx := context.Background()
	mustExec(t, a, "CREATE TABLE fkc_p (id int PRIMARY KEY, note text)")
	mustExec(t, a, "CREATE TABLE fkc_c (id int PRIMARY KEY, pid int REFERENCES fkc_p)")
	mustExec(t, a, "INSERT INTO fkc_p VALUES (1, 'x'), (2, 'y'), (3, 'z')")

	// The insert commits: the delete fails.
	mustExec(t, a, "BEGIN")
	mustExec(t, a, "INSERT INTO fkc_c VALUES (1, 1)")
	del := background(b, "DELETE FROM fkc_p WHERE id = 1")
	del.blocked(t, "DELETE of a row a concurrent insert references")
	mustExec(t, a, "COMMIT")
	<-del.done
	if pe := pgError(t, "DELETE after the referencing insert committed", del.err); pe.Code != "23503" {
		t.Errorf("DELETE: got %s %s, want 23503", pe.Code, pe.Message)
	}

	// The insert rolls back: the delete succeeds.
	mustExec(t, a, "BEGIN")
	mustExec(t, a, "INSERT INTO fkc_c VALUES (2, 2)")
	del = background(b, "DELETE FROM fkc_p WHERE id = 2")
	del.blocked(t, "DELETE of a row a concurrent insert references")
	mustExec(t, a, "ROLLBACK")
	del.finished(t, "DELETE after the referencing insert rolled back")

	// The delete commits first: the insert waits, then fails.
	mustExec(t, b, "BEGIN")
	mustExec(t, b, "DELETE FROM fkc_p WHERE id = 3")
	ins := background(a, "INSERT INTO fkc_c VALUES (3, 3)")
	ins.blocked(t, "INSERT referencing a row a concurrent transaction deleted")
	mustExec(t, b, "COMMIT")
	<-ins.done
	if pe := pgError(t, "INSERT after the delete committed", ins.err); pe.Code != "23503" {
		t.Errorf("INSERT: got %s %s, want 23503", pe.Code, pe.Message)
	}

	// REPEATABLE READ: a referencing row committed after the deleting
	// transaction's snapshot is found (PostgreSQL looks at the latest
	// rows there), not orphaned; a referenced row deleted after the
	// inserting transaction's snapshot is a serialization failure.
	mustExec(t, a, "INSERT INTO fkc_p VALUES (5, 'v'), (6, 'w')")
	mustExec(t, a, "BEGIN ISOLATION LEVEL REPEATABLE READ")
	mustExec(t, a, "SELECT count(*) FROM fkc_c")
	mustExec(t, b, "INSERT INTO fkc_c VALUES (5, 5)")
	_, err := a.Exec(ctx, "DELETE FROM fkc_p WHERE id = 5")
	if pe := pgError(t, "REPEATABLE READ DELETE of a row referenced since the snapshot", err); pe.Code != "23503" {
		t.Errorf("REPEATABLE READ DELETE: got %s %s, want 23503", pe.Code, pe.Message)
	}
	mustExec(t, a, "ROLLBACK")
	mustExec(t, a, "BEGIN ISOLATION LEVEL REPEATABLE READ")
	mustExec(t, a, "SELECT count(*) FROM fkc_p")
	mustExec(t, b, "DELETE FROM fkc_p WHERE id = 6")
	_, err = a.Exec(ctx, "INSERT INTO fkc_c VALUES (6, 6)")
	if pe := pgError(t, "REPEATABLE READ INSERT referencing a row deleted since the snapshot", err); pe.Code != "40001" {
		t.Errorf("REPEATABLE READ INSERT: got %s %s, want 40001", pe.Code, pe.Message)
	}
	mustExec(t, a, "ROLLBACK")

	// A non-key update of a referenced row does not conflict with FOR
	// KEY SHARE.
	mustExec(t, a, "BEGIN")
	mustExec(t, a, "INSERT INTO fkc_c VALUES (4, 1)")
	if _, err := b.Exec(ctx, "UPDATE fkc_p SET note = 'changed' WHERE id = 1"); err != nil {
		t.Errorf("non-key UPDATE of a referenced row: %v", err)
	}
	mustExec(t, a, "COMMIT")
}

// TestForeignKeyCascadeChain: ON DELETE / ON UPDATE CASCADE and SET NULL
// through three levels and into a hypertable, in one transaction that
// can still roll back.
func TestForeignKeyCascadeChain(t *testing.T) {
	srv := compat.Start(t)
	conn := connect(t, srv.DSN("postgres"))
	ctx := context.Background()
	hyper := !compat.AgainstPostgres()
	for _, s := range []string{
		"CREATE TABLE fk_site (id int PRIMARY KEY)",
		"CREATE TABLE fk_device (id int PRIMARY KEY, site int REFERENCES fk_site ON DELETE CASCADE ON UPDATE CASCADE)",
		"CREATE TABLE fk_port (id int PRIMARY KEY, device int REFERENCES fk_device ON DELETE CASCADE, spare int REFERENCES fk_device ON DELETE SET NULL)",
		"CREATE TABLE fk_reading (time timestamptz NOT NULL, device int REFERENCES fk_device ON DELETE CASCADE, v float8)",
		"INSERT INTO fk_site VALUES (1), (2)",
		"INSERT INTO fk_device VALUES (10, 1), (11, 1), (20, 2)",
		"INSERT INTO fk_port VALUES (100, 10, 20), (101, 11, NULL), (200, 20, 10)",
	} {
		mustExec(t, conn, s)
	}
	if hyper {
		mustExec(t, conn, "SELECT create_hypertable('fk_reading', 'time')")
	}
	mustExec(t, conn, "INSERT INTO fk_reading SELECT t, 10 + (extract(minute from t)::int % 2), 1 FROM generate_series('2024-01-01'::timestamptz, '2024-01-01 01:00', '1 minute') t")
	mustExec(t, conn, "INSERT INTO fk_reading VALUES ('2024-01-02', 20, 2)")

	count := func(sql string) int64 {
		t.Helper()
		var n int64
		if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	mustExec(t, conn, "BEGIN")
	mustExec(t, conn, "DELETE FROM fk_site WHERE id = 1")
	if got := count("SELECT count(*) FROM fk_device"); got != 1 {
		t.Errorf("devices after cascade: %d, want 1", got)
	}
	if got := count("SELECT count(*) FROM fk_port"); got != 1 {
		t.Errorf("ports after cascade: %d, want 1", got)
	}
	if got := count("SELECT count(*) FROM fk_port WHERE id = 200 AND spare IS NULL"); got != 1 {
		t.Errorf("port 200's spare was not set to NULL")
	}
	if got := count("SELECT count(*) FROM fk_reading"); got != 1 {
		t.Errorf("readings after cascade: %d, want 1", got)
	}
	mustExec(t, conn, "ROLLBACK")
	if got := count("SELECT count(*) FROM fk_reading"); got != 62 {
		t.Errorf("readings after ROLLBACK: %d, want 62", got)
	}
	mustExec(t, conn, "UPDATE fk_site SET id = 5 WHERE id = 1")
	if got := count("SELECT count(*) FROM fk_device WHERE site = 5"); got != 2 {
		t.Errorf("devices moved by ON UPDATE CASCADE: %d, want 2", got)
	}
	// A reading for a missing device, by COPY too.
	_, err := conn.Exec(ctx, "INSERT INTO fk_reading VALUES ('2024-01-03', 99, 1)")
	if pe := pgError(t, "orphan reading", err); pe.Code != "23503" || pe.ConstraintName != "fk_reading_device_fkey" {
		t.Errorf("orphan reading: %s %s", pe.Code, pe.ConstraintName)
	}
	_, err = conn.PgConn().CopyFrom(ctx, strings.NewReader("2024-01-03 00:00:00+00\t20\t1\n2024-01-03 00:00:01+00\t98\t1\n"), "COPY fk_reading FROM STDIN")
	if pe := pgError(t, "COPY of an orphan reading", err); pe.Code != "23503" {
		t.Errorf("COPY of an orphan reading: %s %s", pe.Code, pe.Message)
	}
	if got := count("SELECT count(*) FROM fk_reading"); got != 62 {
		t.Errorf("readings after the failed COPY: %d, want 62", got)
	}
}

// TestPsqlConstraintsMatchPostgres: psql's \d of tables with CHECK and
// FOREIGN KEY constraints (the "Check constraints", "Foreign-key
// constraints" and "Referenced by" sections) prints the same on tsgres
// and PostgreSQL 15.
func TestPsqlConstraintsMatchPostgres(t *testing.T) {
	needPsql(t)
	target, ref := startPsqlPair(t)
	schema := []string{
		"CREATE TABLE devices (id int PRIMARY KEY, name varchar(20) UNIQUE CHECK (name <> ''), kind text CHECK (kind IN ('a', 'b')))",
		"CREATE TABLE ports (id int PRIMARY KEY, device int NOT NULL REFERENCES devices ON DELETE CASCADE, peer int REFERENCES ports ON DELETE SET NULL, " +
			"name text REFERENCES devices(name) MATCH FULL ON UPDATE CASCADE, speed numeric CHECK (speed > 0 AND speed <= 100), CONSTRAINT sane CHECK (id <> peer))",
		"ALTER TABLE ports ADD CONSTRAINT later CHECK (speed < 50) NOT VALID",
		"ALTER TABLE ports ADD FOREIGN KEY (peer) REFERENCES ports(id) NOT VALID",
	}
	for _, s := range []testserver.Target{target, ref} {
		if out, stderr, err := psql(t, s.DSN("postgres"), true, schema...); err != nil {
			t.Fatalf("%s: schema: %v\n%s%s", s.Kind(), err, out, stderr)
		}
	}
	for _, cmds := range [][]string{
		{`\d devices`},
		{`\d ports`},
		{`\d+ ports`},
		{"SELECT conname, contype, pg_get_constraintdef(oid), convalidated, confupdtype, confdeltype, confmatchtype, conkey, confkey FROM pg_constraint WHERE conrelid IN ('devices'::regclass, 'ports'::regclass) ORDER BY conrelid, conname"},
	} {
		name := strings.Join(cmds, " ")
		var outs [2]string
		for i, s := range []testserver.Target{target, ref} {
			out, stderr, code := runPsql(t, s.DSN("postgres"), "", cmdArgs(cmds)...)
			if code != 0 || stderr != "" {
				t.Errorf("%s on %s: exit %d\n%s%s", name, s.Kind(), code, out, stderr)
			}
			outs[i] = out
		}
		if outs[0] != outs[1] {
			t.Errorf("%s differs:\n--- %s\n%s--- postgres\n%s", name, target.Kind(), outs[0], outs[1])
		}
	}
}
