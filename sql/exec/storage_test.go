package exec

import (
	"context"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/opt"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

func openDB(t testing.TB) *storage.DB {
	db, err := storage.Open("", storage.Options{InMemory: true, DisableBackgroundMerge: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func devices() *catalog.Table {
	return &catalog.Table{OID: 16500, Name: "devices", Cols: []catalog.Column{
		{ID: 1, Name: "id", Type: types.Int8},
		{ID: 2, Name: "name", Type: types.Text},
		{ID: 3, Name: "price", Type: types.Numeric},
		{ID: 5, Name: "tags", Type: types.TextArray},
	}, Indexes: []catalog.Index{{Name: "devices_pkey", Cols: []uint32{1}, Primary: true, Unique: true}}}
}

func TestScanRowStore(t *testing.T) {
	db := openDB(t)
	tbl := devices()
	txn := db.Begin()
	for i := int64(5); i >= 1; i-- {
		vals := []any{i, "d" + string(rune('0'+i)), nil, nil}
		key, err := table.RowKey(tbl, vals, 0)
		if err != nil {
			t.Fatal(err)
		}
		data, err := table.EncodeRow(tbl, vals)
		if err != nil {
			t.Fatal(err)
		}
		txn.Put(storage.Space{Table: uint64(tbl.OID)}, key, data)
	}
	forSizes(t, func(t *testing.T) {
		ctx := newCtx()
		ctx.Txn = txn
		scan := &plan.Scan{Table: tbl, Cols: ocols("name", types.Text, "id", types.Int8), ColIdx: []int{1, 0}}
		f := &plan.Filter{Input: scan, Cond: op(plan.OpGe, types.Bool, cref(1, types.Int8), i64(3))}
		want(t, run(t, ctx, f), "d3|3", "d4|4", "d5|5")
	})
	txn.Rollback()
}

func metrics() *catalog.Table {
	return &catalog.Table{OID: 16600, Name: "metrics", Cols: []catalog.Column{
		{ID: 1, Name: "time", Type: types.Timestamptz},
		{ID: 2, Name: "device", Type: types.Int8},
		{ID: 3, Name: "value", Type: types.Float8},
		{ID: 4, Name: "amount", Type: types.Numeric},
	}, Hyper: &catalog.Hypertable{ID: 1, TimeCol: 1, Interval: 1000}}
}

func TestHyperScan(t *testing.T) {
	db := openDB(t)
	tbl := metrics()
	schema := storage.ChunkSchema{TimeCol: 0}
	for _, c := range tbl.Cols {
		schema.Cols = append(schema.Cols, storage.ColumnRef{ID: c.ID, Kind: table.StorageKind(c.Type)})
	}
	chunks := []*catalog.Chunk{{ID: 1, Table: tbl.OID, Start: 0, End: 1000}, {ID: 2, Table: tbl.OID, Start: 1000, End: 2000}}
	for ci, c := range chunks {
		for blk := 0; blk < 2; blk++ {
			txn := db.Begin()
			vecs := []*col.Vec{col.NewVec(col.Int64, 4), col.NewVec(col.Int64, 4), col.NewVec(col.Float64, 4), col.NewVec(col.Any, 4)}
			for i := 0; i < 4; i++ {
				ts := int64(ci*1000 + blk*100 + i)
				vecs[0].AppendInt64(ts)
				vecs[1].AppendInt64(int64(i % 2))
				vecs[2].AppendFloat64(float64(ts) / 2)
				vecs[3].Append(types.NumericFromInt64(ts))
			}
			st, err := table.ToStorage(types.Numeric, vecs[3])
			if err != nil {
				t.Fatal(err)
			}
			vecs[3] = st
			if err := txn.Append(c.ID, schema, col.FromVecs(vecs, 4)); err != nil {
				t.Fatal(err)
			}
			if err := txn.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	forSizes(t, func(t *testing.T) {
		ctx := newCtx()
		txn := db.Begin()
		defer txn.Rollback()
		ctx.Txn = txn
		hs := &plan.HyperScan{Table: tbl, Cols: ocols("time", types.Int8, "device", types.Int8, "value", types.Float8, "amount", types.Numeric),
			ColIdx: []int{0, 1, 2, 3}, Chunks: chunks[1:], Excluded: 1, Total: 2,
			TimeMin: 1100, TimeMax: storage.MaxTime,
			Filter: op(plan.OpEq, types.Bool, cref(1, types.Int8), i64(1))}
		want(t, run(t, ctx, hs), "1101|1|550.5|1101", "1103|1|551.5|1103")
		agg := &plan.Agg{Input: hs, Grand: true, Aggs: []*plan.AggCall{aggCall(t, "sum", []plan.Expr{cref(3, types.Numeric)})}, Cols: ocols("s", types.Numeric)}
		lines, err := Explain(ctx, opt.Optimize(agg), true)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(lines, "\n")
		for _, s := range []string{"Aggregate (actual rows=1 loops=1)", "  ->  Custom Scan (ChunkAppend) on metrics (actual rows=2 loops=1)",
			"        Chunks excluded: 1 of 2", "        Blocks read: 1  Blocks skipped by metadata: 1"} {
			if !strings.Contains(text, s) {
				t.Fatalf("EXPLAIN ANALYZE lacks %q:\n%s", s, text)
			}
		}
	})
}

func TestExplainText(t *testing.T) {
	in := kv()
	f := &plan.Filter{Input: in, Cond: op(plan.OpGt, types.Bool, cref(1, types.Int8), i64(9))}
	s := &plan.Sort{Input: f, Keys: []plan.SortKey{{E: cref(0, types.Int8), Desc: true}}}
	lines, err := Explain(newCtx(), &plan.Limit{Input: s, Count: i64(2)}, false)
	if err != nil {
		t.Fatal(err)
	}
	want(t, lines, "Limit", "  ->  Sort", "        Sort Key: k DESC NULLS LAST", "        ->  Seq Scan on t", "              Filter: (v > 9)")
}

func TestCancel(t *testing.T) {
	ctx := newCtx()
	c, cancel := context.WithCancel(context.Background())
	cancel()
	ctx.Context = c
	_, err := runErr(ctx, &plan.Filter{Input: kv(), Cond: cnst(true, types.Bool)})
	if code(err) != "57014" {
		t.Fatalf("got %v", err)
	}
}
