package plan

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

// testEnv binds against a real catalog holding hypertable cpu (time,
// host, v) and table hosts (name, rack). It evaluates only constants,
// and its Rewriter does nothing but log the calls, so the tests see what
// binding alone produces.
type testEnv struct {
	snap *catalog.Snapshot
	db   uint32
	log  []string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	sdb, err := storage.Open("", storage.Options{InMemory: true, DisableBackgroundMerge: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	cat, err := catalog.Open(sdb)
	if err != nil {
		t.Fatal(err)
	}
	db := cat.Snapshot().Database(catalog.DefaultDatabase).OID
	txn := sdb.Begin()
	w := cat.BeginDDL(txn)
	id, err := w.NewHypertableID()
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range []*catalog.Table{
		{DB: db, Schema: catalog.SchemaPublic, Name: "cpu", Owner: catalog.DefaultRole,
			Cols: []catalog.Column{
				{Name: "time", Type: types.Timestamptz, NotNull: true},
				{Name: "host", Type: types.Text},
				{Name: "v", Type: types.Float8},
			},
			Hyper: &catalog.Hypertable{ID: id, TimeCol: 1, Interval: 86400e6}},
		{DB: db, Schema: catalog.SchemaPublic, Name: "hosts", Owner: catalog.DefaultRole,
			Cols: []catalog.Column{{Name: "name", Type: types.Text}, {Name: "rack", Type: types.Int4}}},
	} {
		if err := w.CreateTable(tb); err != nil {
			t.Fatal(err)
		}
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	w.Publish()
	return &testEnv{snap: cat.Snapshot(), db: db}
}

func (e *testEnv) Catalog() *catalog.Snapshot                        { return e.snap }
func (e *testEnv) Database() uint32                                  { return e.db }
func (e *testEnv) SearchPath() []string                              { return []string{catalog.SchemaPublic} }
func (e *testEnv) VirtualTable(schema, name string) (*Virtual, bool) { return nil, false }
func (e *testEnv) ResolveReg(types.T, string) (int64, error)         { return 0, fmt.Errorf("no reg") }
func (e *testEnv) CaggViewSQL(*catalog.Table) (string, error)        { return "", fmt.Errorf("no caggs") }

func (e *testEnv) EvalConst(x Expr) (any, bool, error) {
	if c, ok := x.(*Const); ok {
		return c.V, true, nil
	}
	return nil, false, nil
}

func (e *testEnv) NarrowScans(from Node, off int, cond Expr) error {
	e.log = append(e.log, fmt.Sprintf("NarrowScans(%s, %d, %s)", shape(from), off, Format(cond, from.Columns())))
	return nil
}

func (e *testEnv) LookupChunks(from Node) {
	e.log = append(e.log, fmt.Sprintf("LookupChunks(%s)", shape(from)))
}

func (e *testEnv) RewriteBlock(n Node) (Node, error) {
	e.log = append(e.log, fmt.Sprintf("RewriteBlock(%s)", shape(n)))
	return n, nil
}

// shape prints a plan's node types, inputs in parentheses.
func shape(n Node) string {
	var ins []string
	MapInputs(n, func(c Node) Node {
		ins = append(ins, shape(c))
		return c
	})
	s := strings.TrimPrefix(fmt.Sprintf("%T", n), "*plan.")
	if len(ins) > 0 {
		s += "(" + strings.Join(ins, ", ") + ")"
	}
	return s
}

func (e *testEnv) bind(t *testing.T, sql string) Node {
	t.Helper()
	ps, err := parse.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := Bind(e, ps[0], nil, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return st.(*Query).Node
}

// TestBindOnly checks that the binder takes no optimizer decision: its
// plan keeps the query's shape and every scan its full time range, and
// it hands each FROM list and query block to the Rewriter.
func TestBindOnly(t *testing.T) {
	for _, tc := range []struct {
		sql   string
		shape string
		log   []string
	}{{
		sql:   "SELECT host FROM cpu WHERE time > '2024-01-01' AND v > 1",
		shape: "Project(Filter(HyperScan))",
		log: []string{
			"NarrowScans(HyperScan, 0, ((time > '2024-01-01 00:00:00+00'::timestamptz) AND (v > '1'::float8)))",
			"LookupChunks(HyperScan)",
			"RewriteBlock(Project(Filter(HyperScan)))",
		},
	}, {
		// A subquery is a block of its own, rewritten before the block
		// holding it; an inner join's ON condition narrows the scans
		// below it before the WHERE does.
		sql:   "SELECT s.host, h.rack FROM (SELECT host FROM cpu) s JOIN hosts h ON h.name = s.host JOIN cpu c ON c.host = h.name AND c.time < '2024-02-01' WHERE c.v > 0",
		shape: "Project(Filter(Join(Join(Project(HyperScan), Scan), HyperScan)))",
		log: []string{
			"LookupChunks(HyperScan)",
			"RewriteBlock(Project(HyperScan))",
			"NarrowScans(Join(Project(HyperScan), Scan), 0, (name = host))",
			"NarrowScans(Join(Join(Project(HyperScan), Scan), HyperScan), 0, ((host = name) AND (time < '2024-02-01 00:00:00+00'::timestamptz)))",
			"NarrowScans(Join(Join(Project(HyperScan), Scan), HyperScan), 0, (v > '0'::float8))",
			"LookupChunks(Join(Join(Project(HyperScan), Scan), HyperScan))",
			"RewriteBlock(Project(Filter(Join(Join(Project(HyperScan), Scan), HyperScan))))",
		},
	}} {
		e := newTestEnv(t)
		n := e.bind(t, tc.sql)
		if got := shape(n); got != tc.shape {
			t.Errorf("%s:\nplan %s\nwant %s", tc.sql, got, tc.shape)
		}
		if got, want := strings.Join(e.log, "\n"), strings.Join(tc.log, "\n"); got != want {
			t.Errorf("%s: rewriter calls\n%s\nwant\n%s", tc.sql, got, want)
		}
		var scans []*HyperScan
		var find func(Node) Node
		find = func(x Node) Node {
			if hs, ok := x.(*HyperScan); ok {
				scans = append(scans, hs)
			}
			MapInputs(x, find)
			return x
		}
		find(n)
		for _, hs := range scans {
			if hs.TimeMin != minI64 || hs.TimeMax != maxI64 || hs.Preds != nil || hs.Chunks != nil || len(hs.Cols) != len(hs.Table.Cols) {
				t.Errorf("%s: the binder narrowed a scan: %+v", tc.sql, hs)
			}
		}
	}
}
