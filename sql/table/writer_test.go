package table

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// fakeEnv is a table.Env with fixed-width chunks made on demand, an
// in-memory sequence and a record of the noted hypertable writes.
type fakeEnv struct {
	width  int64
	chunks []*catalog.Chunk
	seq    map[string]int64
	noted  int
}

func (e *fakeEnv) ChunkFor(t *catalog.Table, ts int64, part int) (*catalog.Chunk, error) {
	for _, c := range e.chunks {
		if ts >= c.Start && ts < c.End && c.Partition == part {
			return c, nil
		}
	}
	start := ts - ((ts%e.width)+e.width)%e.width
	c := &catalog.Chunk{ID: uint64(len(e.chunks) + 1), Table: t.OID, Name: fmt.Sprintf("chunk%d", len(e.chunks)+1),
		Start: start, End: start + e.width, Partition: part}
	e.chunks = append(e.chunks, c)
	return c, nil
}

func (e *fakeEnv) ScanChunks(oid uint32, lo, hi int64) []*catalog.Chunk { return e.chunks }

func (e *fakeEnv) NextSequence(name string, delta int64) (int64, error) {
	e.seq[name] += delta
	return e.seq[name], nil
}

func (e *fakeEnv) NoteHyperWrite(t *catalog.Table, tv *col.Vec, n int) { e.noted += n }

func testWriter(t *testing.T) (*Writer, *fakeEnv) {
	t.Helper()
	db, err := storage.Open("", storage.Options{InMemory: true, DisableBackgroundMerge: true})
	if err != nil {
		t.Fatal(err)
	}
	txn := db.Begin()
	t.Cleanup(func() {
		txn.Rollback()
		db.Close()
	})
	env := &fakeEnv{width: 100, seq: map[string]int64{}}
	return NewWriter(txn, env), env
}

// accounts has a primary key (id) and a unique secondary index (email).
func accounts() *catalog.Table {
	return &catalog.Table{OID: 16600, Name: "accounts", Cols: []catalog.Column{
		{ID: 1, Name: "id", Type: types.Int8, NotNull: true},
		{ID: 2, Name: "email", Type: types.Text},
	}, Indexes: []catalog.Index{
		{OID: 1, Name: "accounts_pkey", Cols: []uint32{1}, Primary: true, Unique: true},
		{OID: 2, Name: "accounts_email_key", Cols: []uint32{2}, Unique: true, Space: 1},
	}}
}

func wantCode(t *testing.T, err error, code pgerr.Code) {
	t.Helper()
	if e, ok := pgerr.As(err); !ok || e.Code != code {
		t.Fatalf("error %v, want SQLSTATE %s", err, code)
	}
}

func TestWriterRowStore(t *testing.T) {
	w, _ := testWriter(t)
	tbl := accounts()
	put := func(row ...any) []byte {
		t.Helper()
		key, err := w.NewRowKey(tbl, row)
		if err != nil {
			t.Fatal(err)
		}
		if _, ix, err := w.Conflict(tbl, row, key); err != nil || ix != nil {
			t.Fatalf("conflict on %v: %v %v", row, ix, err)
		}
		if err := w.PutRow(tbl, key, row); err != nil {
			t.Fatal(err)
		}
		return key
	}
	k1 := put(int64(1), "a@x")
	k2 := put(int64(2), "b@x")
	put(int64(3), nil)
	put(int64(4), nil) // NULLs never conflict

	// Conflicts on the primary key and on the secondary unique index.
	row := []any{int64(1), "z@x"}
	key, _ := w.NewRowKey(tbl, row)
	if ck, ix, err := w.Conflict(tbl, row, key); err != nil || ix == nil || ix.Name != "accounts_pkey" || string(ck) != string(k1) {
		t.Fatalf("pkey conflict: %v %v", ix, err)
	}
	row = []any{int64(9), "b@x"}
	key, _ = w.NewRowKey(tbl, row)
	ck, ix, err := w.Conflict(tbl, row, key)
	if err != nil || ix == nil || ix.Name != "accounts_email_key" || string(ck) != string(k2) {
		t.Fatalf("email conflict: %v %v", ix, err)
	}
	wantCode(t, UniqueViolation(tbl, ix, row), pgerr.UniqueViolation)

	// ReplaceRow moves a row to its new key and its index entry along.
	old, err := w.GetRow(tbl, k2)
	if err != nil || old == nil {
		t.Fatal(old, err)
	}
	if err := w.ReplaceRow(tbl, k2, old, []any{int64(20), "c@x"}); err != nil {
		t.Fatal(err)
	}
	if r, _ := w.GetRow(tbl, k2); r != nil {
		t.Fatalf("old key still holds %v", r)
	}
	k20, _ := RowKey(tbl, []any{int64(20)}, 0)
	k30, _ := RowKey(tbl, []any{int64(30)}, 0)
	if _, ix, _ := w.Conflict(tbl, []any{int64(30), "b@x"}, k30); ix != nil {
		t.Fatal("old email still indexed")
	}
	// A replacement that writes a NULL into a NOT NULL column, or
	// collides, fails; the collision leaves the old row deleted, for
	// the statement's savepoint to undo.
	r20, _ := w.GetRow(tbl, k20)
	wantCode(t, w.ReplaceRow(tbl, k20, r20, []any{nil, "c@x"}), pgerr.NotNullViolation)
	wantCode(t, w.ReplaceRow(tbl, k20, r20, []any{int64(20), "a@x"}), pgerr.UniqueViolation)
	if r, _ := w.GetRow(tbl, k20); r != nil {
		t.Fatalf("failed replacement kept %v", r)
	}

	w.DeleteRow(tbl, k1, []any{int64(1), "a@x"})
	var ids []any
	it := w.Rows(tbl)
	for it.Next() {
		ids = append(ids, it.Row()[0])
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	it.Close()
	if fmt.Sprint(ids) != "[3 4]" {
		t.Fatalf("rows after delete: %v", ids)
	}
}

func TestWriterHiddenRowIDs(t *testing.T) {
	w, env := testWriter(t)
	tbl := &catalog.Table{OID: 16601, Name: "log", Cols: []catalog.Column{{ID: 1, Name: "msg", Type: types.Text}}}
	seen := map[string]bool{}
	for i := 0; i < rowIDBlock+1; i++ {
		k, err := w.NewRowKey(tbl, []any{"a"})
		if err != nil || seen[string(k)] {
			t.Fatalf("row %d: key %x repeats (err %v)", i, k, err)
		}
		seen[string(k)] = true
	}
	// The writer takes ids in blocks: two blocks for one more row than a
	// block holds.
	if env.seq["rowid/16601"] != 2*rowIDBlock {
		t.Fatalf("sequence %v, want %d", env.seq, 2*rowIDBlock)
	}
	// Another writer (statement) starts a new block.
	w2 := NewWriter(w.Txn, w.Env)
	if k, _ := w2.NewRowKey(tbl, []any{"a"}); seen[string(k)] {
		t.Fatalf("second writer repeats key %x", k)
	}
}

// metrics is a hypertable with an integer time column.
func metrics() *catalog.Table {
	return &catalog.Table{OID: 16602, Name: "metrics", Cols: []catalog.Column{
		{ID: 1, Name: "t", Type: types.Int8, NotNull: true},
		{ID: 2, Name: "v", Type: types.Float8},
	}, Hyper: &catalog.Hypertable{ID: 1, TimeCol: 1, Interval: 100}}
}

func timeBatch(times ...int64) *col.Batch {
	tv, vv := col.NewVec(col.Int64, len(times)), col.NewVec(col.Float64, len(times))
	for _, x := range times {
		tv.AppendInt64(x)
		vv.AppendNull()
	}
	return col.FromVecs([]*col.Vec{tv, vv}, len(times))
}

func TestWriterAppendHyper(t *testing.T) {
	w, env := testWriter(t)
	tbl := metrics()
	if err := w.AppendHyper(tbl, timeBatch(5, 250, 7, -1), false); err != nil {
		t.Fatal(err)
	}
	if len(env.chunks) != 3 || env.noted != 4 {
		t.Fatalf("chunks %d, noted %d", len(env.chunks), env.noted)
	}
	var total int
	for _, c := range env.chunks {
		spec := BlockScan(tbl, c.ID, storage.MinTime, storage.MaxTime, nil)
		blocks, _, err := w.Txn.Blocks(spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, blk := range blocks {
			_, rows, err := w.ReadBlock(tbl, spec, blk)
			if err != nil {
				t.Fatal(err)
			}
			for r := 0; r < rows.Rows(); r++ {
				if ts := rows.Cols[0].I64[r]; ts < c.Start || ts >= c.End {
					t.Fatalf("time %d in chunk [%d, %d)", ts, c.Start, c.End)
				}
			}
			total += rows.Rows()
		}
	}
	if total != 4 {
		t.Fatalf("read %d rows back, want 4", total)
	}
	nulls := timeBatch(1)
	nulls.Cols[0] = col.NewVec(col.Int64, 1)
	nulls.Cols[0].AppendNull()
	wantCode(t, w.AppendHyper(tbl, nulls, false), pgerr.NotNullViolation)
}

func TestRaceError(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", newRaceError())
	var race RaceError
	if !errors.As(err, &race) {
		t.Fatal("RaceError not found")
	}
	wantCode(t, err, "40001")
}
