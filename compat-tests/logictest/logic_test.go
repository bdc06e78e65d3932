package logictest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tsgres/tsgres/compat-tests/testserver"
)

var (
	pgFlag      = flag.Bool("pg", false, "run the logic tests against a scratch PostgreSQL 15 instead of tsgres")
	rewriteFlag = flag.Bool("rewrite", false, "rewrite expected results from the actual output")
)

const testdata = "../testdata"

// pgCluster is the scratch PostgreSQL shared by all files of a -pg run.
var pgCluster struct {
	once sync.Once
	p    *testserver.Postgres
	err  error
}

func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("TSGRES_COMPAT_PG") == "1" {
		*pgFlag = true
	}
	code := m.Run()
	if pgCluster.p != nil {
		pgCluster.p.Close()
	}
	os.Exit(code)
}

func TestLogic(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(testdata, "*.test"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no logic test files in %s (%v)", testdata, err)
	}
	engine := EngineTsgres
	if *pgFlag {
		engine = EnginePostgres
		if !testserver.PGAvailable() {
			t.Skip("PostgreSQL 15 not installed (run compat-tests/install-deps.sh)")
		}
	}
	var pending, skipped, ran atomic.Int32
	t.Run("files", func(t *testing.T) {
		for _, path := range paths {
			name := strings.TrimSuffix(filepath.Base(path), ".test")
			t.Run(name, func(t *testing.T) {
				f, err := ParseFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if Skipped(f.Conds, engine) {
					skipped.Add(1)
					t.Skipf("file skipped on %s", engine)
				}
				if f.Pending && engine == EngineTsgres {
					pending.Add(1)
					t.Skip("pending")
				}
				if !*rewriteFlag {
					t.Parallel()
				}
				ran.Add(1)
				runFile(t, f, engine, name)
			})
		}
	})
	t.Logf("logic test files: %d, ran %d, pending %d, skipped on %s %d", len(paths), ran.Load(), pending.Load(), engine, skipped.Load())
}

func runFile(t *testing.T, f *File, engine, name string) {
	ctx := context.Background()
	var dsn string
	if engine == EnginePostgres {
		pgCluster.once.Do(func() {
			pgCluster.p, pgCluster.err = testserver.StartPostgresE(testserver.PGOptions{})
		})
		if pgCluster.err != nil {
			t.Fatal(pgCluster.err)
		}
		db := "lt_" + strings.NewReplacer("-", "_", ".", "_").Replace(name)
		admin, err := pgconn.Connect(ctx, pgCluster.p.DSN("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close(ctx)
		for _, q := range []string{"DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db} {
			if _, err := admin.Exec(ctx, q).ReadAll(); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		dsn = pgCluster.p.DSN(db)
	} else {
		dsn = testserver.Start(t, testserver.Options{}).DSN("postgres")
	}
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	out := Run(ctx, t, conn, f, engine)
	t.Logf("%s: ran %d records, skipped %d, failed %d", f.Path, out.Ran, out.Skipped, out.Failed)
	if *rewriteFlag {
		if err := os.WriteFile(f.Path, []byte(Rewrite(f, out.Actual)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// recorder collects failures for TestRunner.
type recorder struct{ msgs []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func TestParse(t *testing.T) {
	const text = `# status: pending
# onlyif tsgres

statement ok
CREATE TABLE t (a int,
  b text)

skipif postgres
statement error 42P01 does not exist
SELECT * FROM missing

statement count 2
INSERT INTO t VALUES (1, 'x'), (2, NULL)

query IT rowsort,colnames
SELECT 1

query IT rowsort colnames
SELECT a, b FROM t
----
a  b
1  x
2	NULL

query error 22012
SELECT 1/0
`
	if _, err := Parse("x.test", text); err == nil || !strings.Contains(err.Error(), "x.test:15") {
		t.Fatalf("bad option: got %v, want an error at line 15", err)
	}
	f, err := Parse("x.test", strings.Replace(text, "query IT rowsort,colnames\nSELECT 1\n\n", "", 1))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Pending || len(f.Conds) != 1 || !Skipped(f.Conds, EnginePostgres) || Skipped(f.Conds, EngineTsgres) {
		t.Fatalf("header: pending=%v conds=%v", f.Pending, f.Conds)
	}
	if len(f.Records) != 5 {
		t.Fatalf("got %d records, want 5", len(f.Records))
	}
	r := f.Records
	if r[0].SQL != "CREATE TABLE t (a int,\n  b text)" || r[0].Query || r[0].ErrCode != "" {
		t.Errorf("record 0: %+v", r[0])
	}
	if r[1].ErrCode != "42P01" || r[1].ErrRegex == nil || !Skipped(r[1].Conds, EnginePostgres) {
		t.Errorf("record 1: %+v", r[1])
	}
	if r[2].Count != 2 {
		t.Errorf("record 2 count = %d", r[2].Count)
	}
	if !r[3].Query || !r[3].RowSort || !r[3].ColNames || r[3].Types != "IT" || len(r[3].Expected) != 3 {
		t.Errorf("record 3: %+v", r[3])
	}
	if normalize(r[3].Expected[2]) != "2  NULL" {
		t.Errorf("tab separator not normalized: %q", normalize(r[3].Expected[2]))
	}
	if !r[4].Query || r[4].ErrCode != "22012" {
		t.Errorf("record 4: %+v", r[4])
	}
	// Rewrite replaces results and adds them where missing.
	actual := map[*Record][]string{r[3]: {"a  b", "1  y"}}
	got := Rewrite(f, actual)
	if !strings.Contains(got, "----\na  b\n1  y\n\nquery error 22012") {
		t.Errorf("rewrite:\n%s", got)
	}
	if strings.Contains(got, "2\tNULL") {
		t.Errorf("rewrite kept old rows:\n%s", got)
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		want string
	}{{nil, "NULL"}, {[]byte{}, "(empty)"}, {[]byte("a\nb"), `a\nb`}, {[]byte("2024-01-01 00:00:00+00"), "2024-01-01 00:00:00+00"}} {
		if got := FormatValue(c.in); got != c.want {
			t.Errorf("FormatValue(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	got := formatRows([][]string{{"1", "abc"}, {"100", "x"}})
	if got[0] != "1    abc" || got[1] != "100  x" {
		t.Errorf("formatRows = %q", got)
	}
}

// TestRunnerAgainstPostgres checks that the runner detects mismatches,
// wrong error codes and row counts (it must be able to fail).
func TestRunnerAgainstPostgres(t *testing.T) {
	if testing.Short() || !testserver.PGAvailable() {
		t.Skip("needs PostgreSQL 15")
	}
	p := testserver.StartPostgres(t, testserver.PGOptions{})
	ctx := context.Background()
	conn, err := pgconn.Connect(ctx, p.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	f, err := Parse("r.test", `statement ok
CREATE TABLE t (a int, b text)

statement count 3
INSERT INTO t VALUES (2, 'y'), (1, ''), (3, NULL)

query IT rowsort
SELECT a, b FROM t
----
3  NULL
1  (empty)
2  y

query IT
SELECT a, b FROM t ORDER BY a
----
1  (empty)
2  y
3  NULL

statement count 1
DELETE FROM t

query I
SELECT 1/0
----
1

statement error 42P01
SELECT 1/0

query I colnames
SELECT 1 AS one
----
uno
1
`)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	out := Run(ctx, rec, conn, f, EnginePostgres)
	if out.Ran != 8 || out.Failed != 4 || len(rec.msgs) != 4 {
		t.Fatalf("ran %d failed %d:\n%s", out.Ran, out.Failed, strings.Join(rec.msgs, "\n"))
	}
	for i, want := range []string{"expected 1 rows affected, got 3", "unexpected error: 22012", "expected error 42P01, got 22012", "expected:\n    uno"} {
		if !strings.Contains(rec.msgs[i], want) {
			t.Errorf("failure %d = %q, want it to contain %q", i, rec.msgs[i], want)
		}
	}
}
