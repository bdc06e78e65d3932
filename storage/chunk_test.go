package storage

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/storage/col"
)

// testSchema: time, device, temp, ok, count (nullable).
var testSchema = ChunkSchema{
	Cols: []ColumnRef{
		{ID: 1, Kind: col.Int64},
		{ID: 2, Kind: col.Bytes},
		{ID: 3, Kind: col.Float64},
		{ID: 4, Kind: col.Bool},
		{ID: 5, Kind: col.Int64},
	},
	TimeCol: 0,
}

// mkBatch builds rows with times ts; count is null for odd times.
func mkBatch(ts ...int64) *col.Batch {
	b := col.NewBatch([]col.Kind{col.Int64, col.Bytes, col.Float64, col.Bool, col.Int64}, len(ts))
	for _, t := range ts {
		b.Cols[0].AppendInt64(t)
		b.Cols[1].AppendString(fmt.Sprintf("dev%d", t%3))
		b.Cols[2].AppendFloat64(float64(t) / 10)
		b.Cols[3].AppendBool(t%2 == 0)
		if t%2 == 0 {
			b.Cols[4].AppendInt64(t * 100)
		} else {
			b.Cols[4].AppendNull()
		}
	}
	b.SetRows(len(ts))
	return b
}

func fullSpec(chunk uint64) *ScanSpec {
	return &ScanSpec{Chunk: chunk, Cols: testSchema.Cols, TimeCol: 1, TimeMin: MinTime, TimeMax: MaxTime}
}

func rng(from, to int64) []int64 {
	var out []int64
	for t := from; t < to; t++ {
		out = append(out, t)
	}
	return out
}

// rowStrings reads every row of chunk as "time|device|temp|ok|count".
func rowStrings(t testing.TB, txn *Txn, spec *ScanSpec) []string {
	t.Helper()
	blocks, _, err := txn.Blocks(spec)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, blk := range blocks {
		b, err := txn.ReadBlock(spec, blk)
		if err != nil {
			t.Fatal(err)
		}
		if b.Rows() != blk.Rows {
			t.Fatalf("block %d: %d rows, metadata says %d", blk.ID, b.Rows(), blk.Rows)
		}
		for i := 0; i < b.Rows(); i++ {
			var parts []string
			for _, v := range b.Cols {
				parts = append(parts, fmt.Sprint(v.Get(i)))
			}
			out = append(out, strings.Join(parts, "|"))
		}
	}
	return out
}

func sortedRows(t testing.TB, txn *Txn, chunk uint64) []string {
	r := rowStrings(t, txn, fullSpec(chunk))
	sort.Strings(r)
	return r
}

func commitAppend(t testing.TB, db *DB, chunk uint64, ts ...int64) {
	t.Helper()
	txn := db.Begin()
	if err := txn.Append(chunk, testSchema, mkBatch(ts...)); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestAppendReadAndMeta(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, 3, 1, 2)
	commitAppend(t, db, 1, 10, 11)
	commitAppend(t, db, 2, 100)
	txn := db.Begin()
	blocks, skipped, err := txn.Blocks(fullSpec(1))
	if err != nil || len(blocks) != 2 || skipped != 0 {
		t.Fatalf("Blocks = %d blocks, %d skipped, %v", len(blocks), skipped, err)
	}
	m := blocks[0]
	if m.Rows != 3 || m.MinTime != 1 || m.MaxTime != 3 || m.Sealed || m.TimeCol != 1 {
		t.Fatalf("meta = %+v", m)
	}
	cnt := m.Col(5)
	if cnt.Count != 3 || cnt.NullCount != 2 || cnt.Min != int64(200) || cnt.Max != int64(200) || !cnt.SumExact || cnt.SumInt != 200 {
		t.Fatalf("count column meta = %+v", cnt)
	}
	temp := m.Col(3)
	if temp.Min != 0.1 || temp.Max != 0.3 || math.Abs(temp.Sum-0.6) > 1e-9 {
		t.Fatalf("temp meta = %+v", temp)
	}
	if dev := m.Col(2); dev.Min != "dev0" || dev.Max != "dev2" {
		t.Fatalf("device meta = %+v", dev)
	}
	got := rowStrings(t, txn, fullSpec(1))
	want := []string{"3|dev0|0.3|false|<nil>", "1|dev1|0.1|false|<nil>", "2|dev2|0.2|true|200", "10|dev1|1|true|1000", "11|dev2|1.1|false|<nil>"}
	if !slices.Equal(got, want) {
		t.Fatalf("rows = %v\nwant %v", got, want)
	}
	// projection and a column the blocks lack
	spec := &ScanSpec{Chunk: 1, Cols: []ColumnRef{{ID: 3, Kind: col.Float64}, {ID: 99, Kind: col.Bytes}},
		TimeCol: 1, TimeMin: MinTime, TimeMax: MaxTime}
	if got := rowStrings(t, txn, spec); got[0] != "0.3|<nil>" || len(got) != 5 {
		t.Fatalf("projected rows = %v", got)
	}
	// a wrong kind is an error, not a panic
	spec.Cols = []ColumnRef{{ID: 3, Kind: col.Int64}}
	if _, err := txn.ReadBlock(spec, blocks[0]); err == nil {
		t.Fatal("reading a float column as int64 succeeded")
	}
}

func TestBlockSkipping(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, rng(0, 10)...)  // temps 0..0.9
	commitAppend(t, db, 1, rng(10, 20)...) // temps 1..1.9
	commitAppend(t, db, 1, 21, 23)         // count all null
	txn := db.Begin()
	cases := []struct {
		name       string
		tmin, tmax int64
		preds      []BlockPred
		want       int
	}{
		{"all", MinTime, MaxTime, nil, 3},
		{"time lower", 10, MaxTime, nil, 2},
		{"time window", 5, 12, nil, 2},
		{"time miss", 30, 40, nil, 0},
		{"temp eq", MinTime, MaxTime, []BlockPred{{Col: 3, Op: OpEq, Value: 1.5}}, 1},
		{"temp lt", MinTime, MaxTime, []BlockPred{{Col: 3, Op: OpLt, Value: 1.0}}, 1},
		{"temp le", MinTime, MaxTime, []BlockPred{{Col: 3, Op: OpLe, Value: 1.0}}, 2},
		{"temp gt int", MinTime, MaxTime, []BlockPred{{Col: 3, Op: OpGt, Value: int64(2)}}, 1},
		{"temp ge", MinTime, MaxTime, []BlockPred{{Col: 3, Op: OpGe, Value: 1.9}}, 2},
		{"device eq", MinTime, MaxTime, []BlockPred{{Col: 2, Op: OpEq, Value: "zzz"}}, 0},
		{"all null col", MinTime, MaxTime, []BlockPred{{Col: 5, Op: OpGe, Value: int64(0)}}, 2},
		{"missing col", MinTime, MaxTime, []BlockPred{{Col: 42, Op: OpEq, Value: int64(0)}}, 0},
		{"bool", MinTime, MaxTime, []BlockPred{{Col: 4, Op: OpEq, Value: true}}, 2},
		{"type mismatch keeps", MinTime, MaxTime, []BlockPred{{Col: 2, Op: OpEq, Value: int64(1)}}, 3},
	}
	for _, c := range cases {
		spec := fullSpec(1)
		spec.TimeMin, spec.TimeMax, spec.Preds = c.tmin, c.tmax, c.preds
		blocks, skipped, err := txn.Blocks(spec)
		if err != nil {
			t.Fatal(err)
		}
		if len(blocks) != c.want || skipped != 3-c.want {
			t.Errorf("%s: %d blocks, %d skipped, want %d", c.name, len(blocks), skipped, c.want)
		}
	}
}

func TestPendingBlock(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, 1, 2)
	txn := db.Begin()
	if err := txn.Append(1, testSchema, mkBatch(5, 4)); err != nil {
		t.Fatal(err)
	}
	sp := txn.Savepoint()
	b := mkBatch(7, 8, 9)
	b.Sel = []int{0, 2} // only live rows are appended
	if err := txn.Append(1, testSchema, b); err != nil {
		t.Fatal(err)
	}
	b.Cols[0].I64[0] = 999 // the batch is not retained
	blocks, _, err := txn.Blocks(fullSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	last := blocks[len(blocks)-1]
	if len(blocks) != 2 || last.ID != 0 || last.Rows != 4 || last.MinTime != 4 || last.MaxTime != 9 {
		t.Fatalf("pending block = %+v (of %d)", last, len(blocks))
	}
	if got := sortedRows(t, txn, 1); len(got) != 6 || !strings.HasPrefix(got[5], "9|") {
		t.Fatalf("rows = %v", got)
	}
	// other transactions do not see it
	if got := sortedRows(t, db.Begin(), 1); len(got) != 2 {
		t.Fatalf("other txn sees %v", got)
	}
	txn.RollbackTo(sp)
	if got := sortedRows(t, txn, 1); len(got) != 4 {
		t.Fatalf("after RollbackTo rows = %v", got)
	}
	txn.Rollback()
	if got := sortedRows(t, db.Begin(), 1); len(got) != 2 {
		t.Fatalf("after Rollback rows = %v", got)
	}
	// null time is rejected
	nb := mkBatch(1)
	nb.Cols[0].Nulls = []bool{true}
	if err := db.Begin().Append(1, testSchema, nb); err == nil {
		t.Fatal("null time accepted")
	}
}

func TestSchemaChangeWithinTxn(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	txn := db.Begin()
	small := ChunkSchema{Cols: testSchema.Cols[:3], TimeCol: 0}
	b := mkBatch(1, 2)
	b.Cols = b.Cols[:3]
	if err := txn.Append(1, small, b); err != nil {
		t.Fatal(err)
	}
	if err := txn.Append(1, testSchema, mkBatch(4)); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	got := sortedRows(t, db.Begin(), 1)
	want := []string{"1|dev1|0.1|<nil>|<nil>", "2|dev2|0.2|<nil>|<nil>", "4|dev1|0.4|true|400"}
	if !slices.Equal(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

// rewriteWhere rewrites every block of chunk keeping rows whose time
// passes keep and multiplying temp by 10 for rows passing update.
func rewriteWhere(t *testing.T, txn *Txn, chunk uint64, keep, update func(int64) bool) {
	t.Helper()
	if err := tryRewriteWhere(txn, chunk, keep, update); err != nil {
		t.Fatal(err)
	}
}

func tryRewriteWhere(txn *Txn, chunk uint64, keep, update func(int64) bool) error {
	spec := fullSpec(chunk)
	blocks, _, err := txn.Blocks(spec)
	if err != nil {
		return err
	}
	for _, blk := range blocks {
		b, err := txn.ReadBlock(spec, blk)
		if err != nil {
			return err
		}
		nb := col.NewBatch([]col.Kind{col.Int64, col.Bytes, col.Float64, col.Bool, col.Int64}, b.Rows())
		n := 0
		for i := 0; i < b.Rows(); i++ {
			ts := b.Cols[0].I64[i]
			if !keep(ts) {
				continue
			}
			for c := range nb.Cols {
				nb.Cols[c].AppendFrom(b.Cols[c], i)
			}
			if update(ts) {
				nb.Cols[2].F64[n] *= 10
			}
			n++
		}
		nb.SetRows(n)
		if err := txn.RewriteBlock(chunk, testSchema, blk, nb); err != nil {
			return err
		}
	}
	return nil
}

func TestRewriteBlock(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, 1, 2, 3)
	commitAppend(t, db, 1, 4, 5)
	txn := db.Begin()
	txn.Append(1, testSchema, mkBatch(6, 7))
	// DELETE WHERE time % 2 = 1 (also in the pending rows)
	rewriteWhere(t, txn, 1, func(ts int64) bool { return ts%2 == 0 }, func(int64) bool { return false })
	got := sortedRows(t, txn, 1)
	if want := []string{"2|dev2|0.2|true|200", "4|dev1|0.4|true|400", "6|dev0|0.6|true|600"}; !slices.Equal(got, want) {
		t.Fatalf("after delete rows = %v, want %v", got, want)
	}
	// UPDATE temp where time = 4, in the same transaction, over the new blocks
	rewriteWhere(t, txn, 1, func(int64) bool { return true }, func(ts int64) bool { return ts == 4 })
	if got := sortedRows(t, txn, 1); got[1] != "4|dev1|4|true|400" || len(got) != 3 {
		t.Fatalf("after update rows = %v", got)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	got = sortedRows(t, db.Begin(), 1)
	if want := []string{"2|dev2|0.2|true|200", "4|dev1|4|true|400", "6|dev0|0.6|true|600"}; !slices.Equal(got, want) {
		t.Fatalf("committed rows = %v, want %v", got, want)
	}
	// delete everything
	txn = db.Begin()
	rewriteWhere(t, txn, 1, func(int64) bool { return false }, func(int64) bool { return false })
	if blocks, _, _ := txn.Blocks(fullSpec(1)); len(blocks) != 0 {
		t.Fatalf("%d blocks after deleting all", len(blocks))
	}
	txn.Commit()
	if got := sortedRows(t, db.Begin(), 1); len(got) != 0 {
		t.Fatalf("rows after deleting all: %v", got)
	}
}

func TestRewriteConflict(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, 1, 2, 3)
	a, b := db.Begin(), db.Begin()
	rewriteWhere(t, a, 1, func(ts int64) bool { return ts != 1 }, func(int64) bool { return false })
	rewriteWhere(t, b, 1, func(ts int64) bool { return ts != 2 }, func(int64) bool { return false })
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); !errors.Is(err, ErrConflict) {
		t.Fatalf("second rewrite commit = %v, want ErrConflict", err)
	}
	if got := sortedRows(t, db.Begin(), 1); len(got) != 2 || !strings.HasPrefix(got[0], "2|") {
		t.Fatalf("rows = %v", got)
	}
	// a merge between reading a block and rewriting it conflicts at once
	commitAppend(t, db, 1, 9)
	c := db.Begin()
	spec := fullSpec(1)
	blocks, _, err := c.Blocks(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	if err := c.RewriteBlock(1, testSchema, blocks[0], nil); !errors.Is(err, ErrConflict) {
		t.Fatalf("rewrite after merge = %v, want ErrConflict", err)
	}
	c.Rollback()
	// an open rewriting transaction pins the chunk: merges wait for it
	commitAppend(t, db, 1, 10)
	d := db.Begin()
	rewriteWhere(t, d, 1, func(ts int64) bool { return ts != 9 }, func(int64) bool { return false })
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(); err != nil {
		t.Fatalf("commit of pinned chunk: %v", err)
	}
	if got := sortedRows(t, db.Begin(), 1); len(got) != 3 {
		t.Fatalf("rows = %v", got)
	}
	if db.pinned(1) {
		t.Fatal("chunk still pinned after commit")
	}
}

func TestDropChunk(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, 1, 2)
	commitAppend(t, db, 2, 1, 2)
	txn := db.Begin()
	txn.DropChunk(1)
	if got := sortedRows(t, txn, 1); len(got) != 0 {
		t.Fatalf("rows visible after DropChunk: %v", got)
	}
	txn.Append(1, testSchema, mkBatch(50))
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := sortedRows(t, db.Begin(), 1); len(got) != 1 || !strings.HasPrefix(got[0], "50|") {
		t.Fatalf("chunk 1 rows = %v", got)
	}
	if got := sortedRows(t, db.Begin(), 2); len(got) != 2 {
		t.Fatalf("chunk 2 rows = %v", got)
	}
}

func TestSnapshotSurvivesMerge(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, 3, 1)
	commitAppend(t, db, 1, 2)
	txn := db.Begin()
	spec := fullSpec(1)
	blocks, _, err := txn.Blocks(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, blk := range blocks {
		b, err := txn.ReadBlock(spec, blk)
		if err != nil {
			t.Fatalf("reading a listed block after a merge: %v", err)
		}
		n += b.Rows()
	}
	if n != 3 {
		t.Fatalf("read %d rows, want 3", n)
	}
}
