package exec

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/opt"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

const hourUs = int64(3600_000_000)

// sensorTable is a hypertable with a column (extra) added after the first
// blocks were written.
func sensorTable() *catalog.Table {
	return &catalog.Table{OID: 16700, Name: "s", Cols: []catalog.Column{
		{ID: 1, Name: "time", Type: types.Timestamptz},
		{ID: 2, Name: "dev", Type: types.Int4},
		{ID: 3, Name: "v", Type: types.Float8},
		{ID: 4, Name: "n", Type: types.Int8},
		{ID: 5, Name: "tag", Type: types.Text},
		{ID: 9, Name: "extra", Type: types.Int8},
	}, Hyper: &catalog.Hypertable{ID: 2, TimeCol: 1, Interval: 24 * hourUs}}
}

// loadSensors writes random rows into three day chunks: committed delta
// blocks, a merged (sealed) chunk, and uncommitted rows in the returned
// open transaction.
func loadSensors(t testing.TB, db *storage.DB, tbl *catalog.Table, rng *rand.Rand, blocks, rowsPer int) ([]*catalog.Chunk, *storage.Txn) {
	var chunks []*catalog.Chunk
	for i := 0; i < 3; i++ {
		chunks = append(chunks, &catalog.Chunk{ID: uint64(100 + i), Table: tbl.OID, Start: int64(i) * 24 * hourUs, End: int64(i+1) * 24 * hourUs})
	}
	write := func(txn *storage.Txn, ci int, ncols int) {
		c := chunks[ci]
		schema := storage.ChunkSchema{TimeCol: 0}
		for _, tc := range tbl.Cols[:ncols] {
			schema.Cols = append(schema.Cols, storage.ColumnRef{ID: tc.ID, Kind: table.StorageKind(tc.Type)})
		}
		vecs := make([]*col.Vec, ncols)
		for i, sc := range schema.Cols {
			vecs[i] = col.NewVec(sc.Kind, rowsPer)
		}
		win := c.Start + rng.Int63n(c.End-c.Start-2*hourUs) // rows of a block lie within two hours
		for r := 0; r < rowsPer; r++ {
			vecs[0].AppendInt64(win + rng.Int63n(2*hourUs))
			vecs[1].AppendInt64(int64(rng.Intn(7)))
			if rng.Intn(10) == 0 {
				vecs[2].AppendNull()
			} else {
				vecs[2].AppendFloat64(float64(rng.Intn(100000)) / 100)
			}
			switch {
			case rng.Intn(20) == 0:
				vecs[3].AppendNull()
			case rng.Intn(500) == 0:
				vecs[3].AppendInt64(math.MaxInt64 - rng.Int63n(10)) // forces numeric sums
			default:
				vecs[3].AppendInt64(rng.Int63n(2000) - 1000)
			}
			if rng.Intn(5) == 0 {
				vecs[4].AppendNull()
			} else {
				vecs[4].AppendString(fmt.Sprintf("tag%d", rng.Intn(5)))
			}
			if ncols > 5 {
				if rng.Intn(3) == 0 {
					vecs[5].AppendNull()
				} else {
					vecs[5].AppendInt64(rng.Int63n(100))
				}
			}
		}
		if err := txn.Append(c.ID, schema, col.FromVecs(vecs, rowsPer)); err != nil {
			t.Fatal(err)
		}
	}
	for b := 0; b < blocks; b++ {
		for ci := range chunks {
			txn := db.Begin()
			ncols := 5
			if b >= blocks/2 {
				ncols = 6
			}
			write(txn, ci, ncols)
			if err := txn.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := db.Merge(chunks[0].ID); err != nil {
		t.Fatal(err)
	}
	txn := db.Begin()
	write(txn, 1, 6)
	return chunks, txn
}

func sensorScan(tbl *catalog.Table, chunks []*catalog.Chunk, lo, hi int64) *plan.HyperScan {
	hs := &plan.HyperScan{Table: tbl, Chunks: chunks, Total: len(chunks), TimeMin: lo, TimeMax: hi}
	for i, c := range tbl.Cols {
		hs.Cols = append(hs.Cols, plan.OutCol{Name: c.Name, T: c.Type})
		hs.ColIdx = append(hs.ColIdx, i)
	}
	return hs
}

func timeBucketCall(t testing.TB, width types.Interval, arg plan.Expr) *plan.Call {
	for _, f := range funcs.Scalars("time_bucket") {
		if len(f.Args) == 2 && f.Args[1].OID == types.OidTimestamptz {
			return &plan.Call{T: types.Timestamptz, Fn: f, Args: []plan.Expr{cnst(width, types.IntervalT), arg},
				ArgTypes: []types.T{types.IntervalT, types.Timestamptz}}
		}
	}
	t.Fatal("no time_bucket(interval, timestamptz)")
	return nil
}

// collect runs n and returns its rows rendered, floats rounded to 9
// significant digits (sums in a different order differ in the last bits),
// sorted.
func collect(t *testing.T, ctx *Ctx, n plan.Node) []string {
	t.Helper()
	op, err := Build(ctx, opt.Optimize(n))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := drain(ctx, op)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		parts := make([]string, len(r))
		for i, v := range r {
			switch x := v.(type) {
			case float64:
				parts[i] = fmt.Sprintf("%.9g", x)
			case *apd.Decimal:
				parts[i] = x.Text('f')
			default:
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	sort.Strings(out)
	return out
}

// TestHyperAggDifferential compares the metadata and typed aggregation
// paths with the generic row-at-a-time path over random data.
func TestHyperAggDifferential(t *testing.T) {
	db := openDB(t)
	tbl := sensorTable()
	rng := rand.New(rand.NewSource(7))
	chunks, txn := loadSensors(t, db, tbl, rng, 6, 300)
	defer txn.Rollback()
	ts := types.Timestamptz
	tcol := cref(0, ts)
	aggsOf := func(specs ...any) ([]*plan.AggCall, []plan.OutCol) {
		var aggs []*plan.AggCall
		var cols []plan.OutCol
		for i := 0; i < len(specs); i += 2 {
			var args []plan.Expr
			if specs[i+1] != nil {
				args = []plan.Expr{specs[i+1].(plan.Expr)}
			}
			a := aggCall(t, specs[i].(string), args)
			aggs = append(aggs, a)
			cols = append(cols, plan.OutCol{Name: specs[i].(string), T: a.T})
		}
		return aggs, cols
	}
	grandAggs, grandCols := aggsOf("count", nil, "count", cref(2, types.Float8), "sum", cref(2, types.Float8),
		"avg", cref(2, types.Float8), "min", cref(2, types.Float8), "max", cref(2, types.Float8),
		"sum", cref(1, types.Int4), "avg", cref(1, types.Int4), "sum", cref(3, types.Int8), "avg", cref(3, types.Int8),
		"min", cref(4, types.Text), "max", cref(4, types.Text), "min", tcol, "max", tcol,
		"count", cref(5, types.Int8), "sum", cref(5, types.Int8), "max", cref(5, types.Int8))
	groupAggs, groupCols := aggsOf("count", nil, "avg", cref(2, types.Float8), "max", cref(2, types.Float8),
		"min", cref(2, types.Float8), "sum", cref(3, types.Int8), "sum", cref(1, types.Int4), "min", cref(5, types.Int8),
		"count", cref(4, types.Text))
	bounds := func(lo, hi int64) plan.Expr {
		return op(plan.OpAnd, types.Bool, op(plan.OpGe, types.Bool, tcol, cnst(lo, ts)), op(plan.OpGt, types.Bool, cnst(hi, ts), tcol))
	}
	day := 24 * hourUs
	type query struct {
		name string
		node func() plan.Node
	}
	var qs []query
	for i := 0; i < 8; i++ {
		lo, hi := rng.Int63n(3*day), rng.Int63n(3*day)
		if i == 0 {
			lo, hi = -1, 4*day
		}
		qs = append(qs, query{fmt.Sprintf("grand[%d,%d]", lo, hi), func() plan.Node {
			hs := sensorScan(tbl, chunks, lo, storage.MaxTime)
			return &plan.Agg{Input: &plan.Filter{Input: hs, Cond: bounds(lo, hi)}, Aggs: grandAggs, Cols: grandCols, Grand: true}
		}})
	}
	qs = append(qs, query{"grand-nofilter", func() plan.Node {
		return &plan.Agg{Input: sensorScan(tbl, chunks, 0, 0), Aggs: grandAggs, Cols: grandCols, Grand: true}
	}}, query{"grand-otherfilter", func() plan.Node {
		f := &plan.Filter{Input: sensorScan(tbl, chunks, 0, 0), Cond: op(plan.OpEq, types.Bool, cref(1, types.Int4), cnst(int64(3), types.Int4))}
		return &plan.Agg{Input: f, Aggs: grandAggs, Cols: grandCols, Grand: true}
	}}, query{"grand-empty", func() plan.Node {
		return &plan.Agg{Input: &plan.Filter{Input: sensorScan(tbl, chunks, 0, 0), Cond: bounds(9*day, 10*day)}, Aggs: grandAggs, Cols: grandCols, Grand: true}
	}})
	for _, w := range []types.Interval{{Micros: hourUs}, {Micros: 7 * 60_000_000}, {Days: 1}, {Days: 3, Micros: 5}} {
		qs = append(qs, query{fmt.Sprintf("bucket-dev-%v", w), func() plan.Node {
			keys := []plan.Expr{timeBucketCall(t, w, tcol), cref(1, types.Int4)}
			cols := append([]plan.OutCol{{Name: "b", T: ts}, {Name: "dev", T: types.Int4}}, groupCols...)
			return &plan.Agg{Input: sensorScan(tbl, chunks, 0, 0), Keys: keys, Aggs: groupAggs, Cols: cols}
		}})
	}
	qs = append(qs, query{"tag-dev-extra", func() plan.Node {
		keys := []plan.Expr{cref(4, types.Text), cref(1, types.Int4), cref(5, types.Int8)}
		cols := append([]plan.OutCol{{Name: "tag", T: types.Text}, {Name: "dev", T: types.Int4}, {Name: "x", T: types.Int8}}, groupCols...)
		return &plan.Agg{Input: sensorScan(tbl, chunks, 0, 0), Keys: keys, Aggs: groupAggs, Cols: cols}
	}}, query{"extra", func() plan.Node {
		cols := append([]plan.OutCol{{Name: "x", T: types.Int8}}, groupCols...)
		return &plan.Agg{Input: sensorScan(tbl, chunks, 0, 0), Keys: []plan.Expr{cref(5, types.Int8)}, Aggs: groupAggs, Cols: cols}
	}})
	metaUsed, parallelUsed := 0, 0
	for _, q := range qs {
		t.Run(q.name, func(t *testing.T) {
			defer func() { DisableMetaAgg, DisableFastAgg = false, false }()
			DisableMetaAgg, DisableFastAgg = true, true
			ctx := newCtx()
			ctx.Txn = txn
			slow := collect(t, ctx, q.node())
			DisableMetaAgg, DisableFastAgg = false, false
			ctx = newCtx()
			ctx.Txn = txn
			ctx.Analyze = true
			n := q.node()
			fast := collect(t, ctx, n)
			if strings.Join(slow, "\n") != strings.Join(fast, "\n") {
				t.Fatalf("optimized\n%s\ngeneric\n%s", strings.Join(fast, "\n"), strings.Join(slow, "\n"))
			}
			if len(slow) == 0 {
				t.Fatal("no rows")
			}
			for _, m := range ctx.metaAggs {
				metaUsed += m.blocks
			}
			for n, st := range ctx.stats {
				if _, ok := n.(*plan.Agg); ok && st.workers > 0 {
					parallelUsed++
				}
			}
		})
	}
	if metaUsed == 0 {
		t.Fatal("no block was answered from metadata")
	}
	if parallelUsed == 0 && runtime.GOMAXPROCS(0) > 1 {
		t.Fatal("no aggregation ran in parallel")
	}
}

func TestTimeBucketVec(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	ctx := newCtx()
	v := col.NewVec(col.Int64, 0)
	for i := 0; i < 2000; i++ {
		switch i % 7 {
		case 0:
			v.AppendNull()
		case 1:
			v.AppendInt64(math.MaxInt64) // infinity
		case 2:
			v.AppendInt64(-rng.Int63n(1 << 50))
		default:
			v.AppendInt64(rng.Int63n(1 << 50))
		}
	}
	b := col.FromVecs([]*col.Vec{v}, v.Len())
	for _, w := range []types.Interval{{Micros: 1}, {Micros: hourUs}, {Micros: 7 * 60_000_000}, {Days: 1}, {Days: 7, Micros: 13}} {
		e := timeBucketCall(t, w, cref(0, types.Timestamptz))
		got, ok, err := timeBucketVec(ctx, e, b)
		if !ok || err != nil {
			t.Fatalf("%v: ok %v err %v", w, ok, err)
		}
		for i := 0; i < v.Len(); i++ {
			var want any
			var err error
			if !v.IsNull(i) {
				want, err = callFn(ctx, e.Fn, e.ArgTypes, []any{w, v.Get(i)})
			}
			if err != nil || got.Get(i) != want {
				t.Fatalf("time_bucket(%v, %v) = %v, want %v (%v)", w, v.Get(i), got.Get(i), want, err)
			}
		}
	}
	// Null-free batches of nearby times (the one-bucket shortcut), inside
	// one hour, across an hour boundary, and before the epoch.
	e := timeBucketCall(t, types.Interval{Micros: hourUs}, cref(0, types.Timestamptz))
	for _, base := range []int64{5 * hourUs, 6*hourUs - 500, -3*hourUs + 10} {
		v := col.NewVec(col.Int64, 0)
		for i := int64(0); i < 1000; i++ {
			v.AppendInt64(base + i)
		}
		got, ok, err := timeBucketVec(ctx, e, col.FromVecs([]*col.Vec{v}, v.Len()))
		if !ok || err != nil {
			t.Fatalf("ok %v err %v", ok, err)
		}
		for i := 0; i < v.Len(); i++ {
			want, err := callFn(ctx, e.Fn, e.ArgTypes, []any{types.Interval{Micros: hourUs}, v.Get(i)})
			if err != nil || got.Get(i) != want {
				t.Fatalf("time_bucket(1h, %v) = %v, want %v (%v)", v.Get(i), got.Get(i), want, err)
			}
		}
	}
}

// TestMetaAggGroupKeys checks grouped aggregates answered from the
// metadata of compressed blocks (one device each, within one hour)
// against the generic path, over compressed and ordinary chunks.
func TestMetaAggGroupKeys(t *testing.T) {
	db := openDB(t)
	tbl := sensorTable()
	rng := rand.New(rand.NewSource(11))
	var chunks []*catalog.Chunk
	schema := storage.ChunkSchema{TimeCol: 0}
	for _, tc := range tbl.Cols[:5] {
		schema.Cols = append(schema.Cols, storage.ColumnRef{ID: tc.ID, Kind: table.StorageKind(tc.Type)})
	}
	for ci := 0; ci < 2; ci++ {
		c := &catalog.Chunk{ID: uint64(200 + ci), Table: tbl.OID, Start: int64(ci) * 24 * hourUs, End: int64(ci+1) * 24 * hourUs}
		chunks = append(chunks, c)
		txn := db.Begin()
		for dev := 0; dev < 4; dev++ {
			vecs := make([]*col.Vec, len(schema.Cols))
			for i, sc := range schema.Cols {
				vecs[i] = col.NewVec(sc.Kind, 0)
			}
			// 1500 rows in a half-hour window of the device's own hour.
			win := c.Start + int64(2*dev+ci)*hourUs + rng.Int63n(hourUs/2)
			for r := 0; r < 1500; r++ {
				vecs[0].AppendInt64(win + rng.Int63n(hourUs/2))
				vecs[1].AppendInt64(int64(dev))
				if rng.Intn(10) == 0 {
					vecs[2].AppendNull()
				} else {
					vecs[2].AppendFloat64(float64(rng.Intn(100000)) / 100)
				}
				vecs[3].AppendInt64(rng.Int63n(2000) - 1000)
				vecs[4].AppendString(fmt.Sprintf("tag%d", rng.Intn(3)))
			}
			if err := txn.Append(c.ID, schema, col.FromVecs(vecs, 1500)); err != nil {
				t.Fatal(err)
			}
		}
		if err := txn.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	// Chunk 0 compressed by device; chunk 1 left as written (mixed blocks).
	if _, err := db.CompressChunk(chunks[0].ID, storage.CompressOptions{SegmentBy: []uint32{2}}); err != nil {
		t.Fatal(err)
	}
	txn := db.Begin()
	defer txn.Rollback()
	ts := types.Timestamptz
	var aggs []*plan.AggCall
	var cols []plan.OutCol
	for _, s := range []struct {
		name string
		arg  plan.Expr
	}{{"count", nil}, {"count", cref(2, types.Float8)}, {"sum", cref(2, types.Float8)}, {"avg", cref(2, types.Float8)},
		{"min", cref(2, types.Float8)}, {"max", cref(2, types.Float8)}, {"sum", cref(3, types.Int8)}, {"max", cref(0, ts)}} {
		var args []plan.Expr
		if s.arg != nil {
			args = []plan.Expr{s.arg}
		}
		a := aggCall(t, s.name, args)
		aggs = append(aggs, a)
		cols = append(cols, plan.OutCol{Name: s.name, T: a.T})
	}
	keySets := map[string][]plan.Expr{
		"bucket-dev": {timeBucketCall(t, types.Interval{Micros: hourUs}, cref(0, ts)), cref(1, types.Int4)},
		"dev":        {cref(1, types.Int4)},
		"day":        {timeBucketCall(t, types.Interval{Days: 1}, cref(0, ts))},
		"dev-tag":    {cref(1, types.Int4), cref(4, types.Text)}, // tag varies: never from metadata
	}
	metaUsed := 0
	for name, keys := range keySets {
		t.Run(name, func(t *testing.T) {
			node := func() plan.Node {
				kc := make([]plan.OutCol, len(keys))
				for i, k := range keys {
					kc[i] = plan.OutCol{Name: fmt.Sprint("k", i), T: k.Type()}
				}
				return &plan.Agg{Input: sensorScan(tbl, chunks, 0, 0), Keys: keys, Aggs: aggs, Cols: append(kc, cols...)}
			}
			defer func() { DisableMetaAgg, DisableFastAgg = false, false }()
			DisableMetaAgg, DisableFastAgg = true, true
			ctx := newCtx()
			ctx.Txn = txn
			slow := collect(t, ctx, node())
			DisableMetaAgg, DisableFastAgg = false, false
			for _, analyze := range []bool{true, false} { // serial and parallel
				ctx = newCtx()
				ctx.Txn = txn
				ctx.Analyze = analyze
				fast := collect(t, ctx, node())
				if strings.Join(slow, "\n") != strings.Join(fast, "\n") {
					t.Fatalf("optimized\n%s\ngeneric\n%s", strings.Join(fast, "\n"), strings.Join(slow, "\n"))
				}
				for _, m := range ctx.metaAggs {
					metaUsed += m.blocks
				}
			}
		})
	}
	if metaUsed == 0 {
		t.Fatal("no compressed block was answered from metadata")
	}
}

// TestParallelAggFusedFilter checks that an aggregation over a filtered
// hypertable scan reads the blocks on several goroutines only when the
// filter (fused into the scan by sql/opt) is safe to share: a regular
// expression's pattern cache is not.
func TestParallelAggFusedFilter(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one CPU: no parallel scans")
	}
	db := openDB(t)
	tbl := sensorTable()
	chunks, txn := loadSensors(t, db, tbl, rand.New(rand.NewSource(3)), 6, 300)
	defer txn.Rollback()
	count := aggCall(t, "count", nil)
	for _, c := range []struct {
		name     string
		cond     plan.Expr
		parallel bool
	}{
		{"comparison", op(plan.OpGt, types.Bool, cref(2, types.Float8), cnst(0.0, types.Float8)), true},
		{"regex", op(plan.OpRegexMatch, types.Bool, cref(4, types.Text), cnst("a", types.Text)), false},
	} {
		ctx := newCtx()
		ctx.Txn = txn
		ctx.Analyze = true
		n := &plan.Agg{Input: &plan.Filter{Input: sensorScan(tbl, chunks, 0, 0), Cond: c.cond},
			Aggs: []*plan.AggCall{count}, Cols: []plan.OutCol{{Name: "count", T: count.T}}, Grand: true}
		collect(t, ctx, n)
		if got := ctx.stats[n].workers > 0; got != c.parallel {
			t.Errorf("%s: parallel = %v, want %v", c.name, got, c.parallel)
		}
	}
}
