package exec

import (
	"testing"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/opt"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// benchSensors loads rows of (time, dev, v, n, tag) sensor data, one row
// per device per second over 10 devices, into sealed blocks.
func benchSensors(b testing.TB, rows int) (*storage.DB, *catalog.Table, []*catalog.Chunk) {
	db, err := storage.Open("", storage.Options{InMemory: true, DisableBackgroundMerge: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	tbl := sensorTable()
	tbl.Cols = tbl.Cols[:5]
	schema := storage.ChunkSchema{TimeCol: 0}
	for _, tc := range tbl.Cols {
		schema.Cols = append(schema.Cols, storage.ColumnRef{ID: tc.ID, Kind: table.StorageKind(tc.Type)})
	}
	day := 24 * hourUs
	var chunks []*catalog.Chunk
	const per = 100_000
	for off := 0; off < rows; off += per {
		vecs := make([]*col.Vec, len(schema.Cols))
		for i, sc := range schema.Cols {
			vecs[i] = col.NewVec(sc.Kind, per)
		}
		for r := off; r < off+per; r++ {
			vecs[0].AppendInt64(int64(r/10) * 1_000_000)
			vecs[1].AppendInt64(int64(r % 10))
			vecs[2].AppendFloat64(float64(r%5000) / 100)
			vecs[3].AppendInt64(int64(r % 1000))
			vecs[4].AppendString("tag")
		}
		ci := int64(off/10) * 1_000_000 / day
		if len(chunks) == 0 || chunks[len(chunks)-1].Start != ci*day {
			chunks = append(chunks, &catalog.Chunk{ID: uint64(200 + ci), Table: tbl.OID, Start: ci * day, End: (ci + 1) * day})
		}
		txn := db.Begin()
		if err := txn.Append(chunks[len(chunks)-1].ID, schema, col.FromVecs(vecs, per)); err != nil {
			b.Fatal(err)
		}
		if err := txn.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range chunks {
		if err := db.Merge(c.ID); err != nil {
			b.Fatal(err)
		}
	}
	return db, tbl, chunks
}

// BenchmarkHyperScanAgg runs the tsbench queries over 1M stored rows:
// SELECT count(*), avg(v) (from metadata and by decoding) and the hourly
// avg/max by device.
func BenchmarkHyperScanAgg(b *testing.B) {
	const rows = 1 << 20
	db, tbl, chunks := benchSensors(b, rows)
	ts := types.Timestamptz
	grand := func() plan.Node {
		aggs := []*plan.AggCall{aggCall(b, "count", nil), aggCall(b, "avg", []plan.Expr{cref(2, types.Float8)})}
		return &plan.Agg{Input: sensorScan(tbl, chunks, 0, 0), Aggs: aggs, Grand: true,
			Cols: ocols("count", types.Int8, "avg", types.Float8)}
	}
	hourly := func() plan.Node {
		keys := []plan.Expr{timeBucketCall(b, types.Interval{Micros: hourUs}, cref(0, ts)), cref(1, types.Int4)}
		aggs := []*plan.AggCall{aggCall(b, "avg", []plan.Expr{cref(2, types.Float8)}), aggCall(b, "max", []plan.Expr{cref(2, types.Float8)})}
		return &plan.Agg{Input: sensorScan(tbl, chunks, 0, 0), Keys: keys, Aggs: aggs,
			Cols: ocols("b", ts, "dev", types.Int4, "avg", types.Float8, "max", types.Float8)}
	}
	for _, c := range []struct {
		name       string
		node       func() plan.Node
		meta, fast bool
	}{
		{"count-avg/meta", grand, true, true},
		{"count-avg/decode", grand, false, true},
		{"count-avg/generic", grand, false, false},
		{"hourly/typed", hourly, false, true},
		{"hourly/generic", hourly, false, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			DisableMetaAgg, DisableFastAgg = !c.meta, !c.fast
			defer func() { DisableMetaAgg, DisableFastAgg = false, false }()
			for i := 0; i < b.N; i++ {
				txn := db.Begin()
				ctx := newCtx()
				ctx.Txn = txn
				op, err := Build(ctx, opt.Optimize(c.node()))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := drain(ctx, op); err != nil {
					b.Fatal(err)
				}
				txn.Rollback()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
