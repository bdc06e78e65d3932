package exec

import (
	"testing"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// TestBlockPredOps checks that each comparison filter pushdown collects
// maps to the storage operator with the same meaning: a block holding the
// single value 10 must be kept exactly when "10 op c" is true. An operator
// mapped one off (<= to <) would skip blocks with matching rows.
func TestBlockPredOps(t *testing.T) {
	db := openDB(t)
	const chunk, timeCol, valCol = 7, 1, 2
	schema := storage.ChunkSchema{TimeCol: 0, Cols: []storage.ColumnRef{{ID: timeCol, Kind: col.Int64}, {ID: valCol, Kind: col.Int64}}}
	tv, vv := col.NewVec(col.Int64, 1), col.NewVec(col.Int64, 1)
	tv.AppendInt64(1000)
	vv.AppendInt64(10)
	txn := db.Begin()
	if err := txn.Append(chunk, schema, col.FromVecs([]*col.Vec{tv, vv}, 1)); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		op    plan.OpKind
		holds func(x, c int64) bool
	}{
		{plan.OpEq, func(x, c int64) bool { return x == c }},
		{plan.OpLt, func(x, c int64) bool { return x < c }},
		{plan.OpLe, func(x, c int64) bool { return x <= c }},
		{plan.OpGt, func(x, c int64) bool { return x > c }},
		{plan.OpGe, func(x, c int64) bool { return x >= c }},
	}
	if len(ops) != len(blockPredOps) {
		t.Fatalf("blockPredOps has %d operators, the test checks %d", len(blockPredOps), len(ops))
	}
	rd := db.Begin()
	defer rd.Rollback()
	for _, o := range ops {
		for _, c := range []int64{9, 10, 11} {
			spec := &storage.ScanSpec{Chunk: chunk, Cols: schema.Cols, TimeCol: timeCol, TimeMin: storage.MinTime, TimeMax: storage.MaxTime,
				Preds: BlockPreds([]plan.ScanPred{{Col: valCol, Op: o.op, Value: c}})}
			blocks, _, err := rd.Blocks(spec)
			if err != nil {
				t.Fatal(err)
			}
			if kept, want := len(blocks) > 0, o.holds(10, c); kept != want {
				t.Errorf("value 10, predicate col %s %d: block kept = %v, want %v", o.op, c, kept, want)
			}
		}
	}
}
