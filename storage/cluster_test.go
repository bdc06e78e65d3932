package storage

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tsgres/tsgres/storage/col"
)

// seriesSchema: time, device id (the series key), value.
var seriesSchema = ChunkSchema{
	Cols:      []ColumnRef{{ID: 1, Kind: col.Int64}, {ID: 2, Kind: col.Int64}, {ID: 3, Kind: col.Float64}},
	SeriesCol: 2,
}

// deviceBatch returns steps readings of devices devices each, time-major
// (every device at step s, then s+1) like a fleet's feed; device ids run
// from 1, times from step.
func deviceBatch(devices, steps int, step int64) *col.Batch {
	b := col.NewBatch([]col.Kind{col.Int64, col.Int64, col.Float64}, devices*steps)
	for s := 0; s < steps; s++ {
		for d := 1; d <= devices; d++ {
			b.Cols[0].AppendInt64((step + int64(s)) * 10)
			b.Cols[1].AppendInt64(int64(d))
			b.Cols[2].AppendFloat64(float64(d) + float64(s)/100)
		}
	}
	b.SetRows(devices * steps)
	return b
}

func seriesSpec(chunk uint64, preds ...BlockPred) *ScanSpec {
	return &ScanSpec{Chunk: chunk, Cols: seriesSchema.Cols, TimeCol: 1, TimeMin: MinTime, TimeMax: MaxTime, Preds: preds}
}

// readAll returns every row of the blocks spec lists, as "time|dev|val",
// and the blocks.
func readAll(t *testing.T, txn *Txn, spec *ScanSpec) ([]string, []*BlockMeta) {
	t.Helper()
	blocks, _, err := txn.Blocks(spec)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, blk := range blocks {
		b, err := txn.ReadBlock(spec, blk)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < b.Rows(); i++ {
			rows = append(rows, fmt.Sprint(b.Cols[0].Get(i), "|", b.Cols[1].Get(i), "|", b.Cols[2].Get(i)))
		}
	}
	return rows, blocks
}

// checkClustered fails unless every sealed block of chunk is sorted by
// (device, time) and records the series key.
func checkClustered(t *testing.T, txn *Txn, chunk uint64) {
	t.Helper()
	blocks, _, err := txn.Blocks(seriesSpec(chunk))
	if err != nil {
		t.Fatal(err)
	}
	for _, blk := range blocks {
		if blk.SeriesCol != 2 {
			t.Fatalf("block %d: series column %d, want 2", blk.ID, blk.SeriesCol)
		}
		b, err := txn.ReadBlock(seriesSpec(chunk), blk)
		if err != nil {
			t.Fatal(err)
		}
		ts, dev := b.Cols[0].I64, b.Cols[1].I64
		for i := 1; i < b.Rows(); i++ {
			if dev[i] < dev[i-1] || dev[i] == dev[i-1] && ts[i] < ts[i-1] {
				t.Fatalf("block %d (sealed %v) not sorted by (device, time) at row %d", blk.ID, blk.Sealed, i)
			}
		}
	}
}

func commitSeries(t testing.TB, db *DB, chunk uint64, schema ChunkSchema, b *col.Batch) {
	t.Helper()
	txn := db.Begin()
	if err := txn.Append(chunk, schema, b); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestClusteredCommitMergeRecluster: commits of 100 devices' readings are
// written sorted by (device, time); the merge keeps the order; the
// recluster makes the chunk one run, after which one device's rows are in
// at most two blocks and a device predicate skips every other block.
func TestClusteredCommitMergeRecluster(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	const devices, steps, commits = 100, 100, 12
	for i := 0; i < commits; i++ {
		commitSeries(t, db, 1, seriesSchema, deviceBatch(devices, steps, int64(i*steps)))
	}
	want, _ := readAll(t, db.Begin(), seriesSpec(1))
	slices.Sort(want)
	checkClustered(t, db.Begin(), 1)
	// Per commit: 10,000 rows in three blocks of about 41 devices each.
	_, one := readAll(t, db.Begin(), seriesSpec(1, BlockPred{Col: 2, Op: OpEq, Value: int64(7)}))
	if len(one) != commits {
		t.Fatalf("device 7 in %d blocks of fresh commits, want %d (one a commit)", len(one), commits)
	}
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	checkClustered(t, db.Begin(), 1)
	all, _ := readAll(t, db.Begin(), seriesSpec(1))
	if slices.Sort(all); !slices.Equal(all, want) {
		t.Fatal("merge changed the rows")
	}
	if err := db.Recluster(1); err != nil {
		t.Fatal(err)
	}
	txn := db.Begin()
	checkClustered(t, txn, 1)
	all, blocks := readAll(t, txn, seriesSpec(1))
	if slices.Sort(all); !slices.Equal(all, want) {
		t.Fatal("recluster changed the rows")
	}
	// 120,000 rows: two slabs of about 60,000, 15 blocks each.
	if sh := shapeOf(blocks, 2); sh.unsorted != 0 || sh.fanout > 4 || len(blocks) != 30 {
		t.Fatalf("after recluster: %+v in %d blocks, want two slabs of 15 blocks", sh, len(blocks))
	}
	for d := int64(1); d <= devices; d++ {
		spec := seriesSpec(1, BlockPred{Col: 2, Op: OpEq, Value: d})
		rows, got := readAll(t, txn, spec)
		if len(got) > 4 {
			t.Fatalf("device %d in %d blocks", d, len(got))
		}
		n := 0
		for _, r := range rows {
			var ts, dev int64
			var v float64
			fmt.Sscanf(r, "%d|%d|%g", &ts, &dev, &v)
			if dev == d {
				n++
			}
		}
		if n != steps*commits {
			t.Fatalf("device %d: %d rows in its blocks, want %d", d, n, steps*commits)
		}
	}
	// A second recluster has nothing to do: block ids stay.
	if err := db.Recluster(1); err != nil {
		t.Fatal(err)
	}
	_, again := readAll(t, db.Begin(), seriesSpec(1))
	if !slices.EqualFunc(blocks, again, func(a, b *BlockMeta) bool { return a.ID == b.ID }) {
		t.Fatal("recluster of a clustered chunk rewrote it")
	}
}

// TestClusteredWithoutSeriesKey: without a series key blocks stay sorted
// by time, as before.
func TestClusteredWithoutSeriesKey(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	plain := seriesSchema
	plain.SeriesCol = 0
	for i := 0; i < 3; i++ {
		commitSeries(t, db, 1, plain, deviceBatch(100, 100, int64(i*100)))
	}
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	if err := db.Recluster(1); err != nil {
		t.Fatal(err)
	}
	txn := db.Begin()
	blocks, _, _ := txn.Blocks(seriesSpec(1))
	for _, blk := range blocks {
		if blk.SeriesCol != 0 {
			t.Fatalf("block %d has series column %d", blk.ID, blk.SeriesCol)
		}
		b, _ := txn.ReadBlock(seriesSpec(1), blk)
		if !slices.IsSorted(b.Cols[0].I64[:b.Rows()]) {
			t.Fatalf("block %d not sorted by time", blk.ID)
		}
	}
}

// TestClusteredBytesSeriesWithNulls: a text series key with NULLs sorts
// NULLs last; a chunk reclustered is one run.
func TestClusteredBytesSeriesWithNulls(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	schema := testSchema
	schema.SeriesCol = 5 // count: NULL for odd times
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 6; i++ {
		ts := make([]int64, 3000)
		for j := range ts {
			ts[j] = r.Int63n(50000)
		}
		txn := db.Begin()
		if err := txn.Append(1, schema, mkBatch(ts...)); err != nil {
			t.Fatal(err)
		}
		if err := txn.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	want := sortedRows(t, db.Begin(), 1)
	if err := db.Recluster(1); err != nil {
		t.Fatal(err)
	}
	if got := sortedRows(t, db.Begin(), 1); !slices.Equal(got, want) {
		t.Fatal("recluster changed the rows")
	}
	txn := db.Begin()
	blocks, _, _ := txn.Blocks(fullSpec(1))
	if sh := shapeOf(blocks, 5); sh.unsorted != 0 || sh.fanout > 2 {
		t.Fatalf("after recluster: %+v", sh)
	}
	seenNull := false
	for _, blk := range blocks {
		b, _ := txn.ReadBlock(fullSpec(1), blk)
		v := b.Cols[4]
		for i := 0; i < b.Rows(); i++ {
			if v.IsNull(i) {
				seenNull = true
			} else if seenNull {
				t.Fatalf("block %d: a value after NULLs", blk.ID)
			} else if i > 0 && !v.IsNull(i-1) && v.I64[i] < v.I64[i-1] {
				t.Fatalf("block %d not sorted by count", blk.ID)
			}
		}
	}
	// Bytes key: the device names.
	schema.SeriesCol = 2
	db2 := openMem(t, Options{DisableBackgroundMerge: true})
	for i := int64(0); i < 5; i++ {
		txn := db2.Begin()
		txn.Append(1, schema, mkBatch(rng(i*5000, (i+1)*5000)...))
		if err := txn.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if err := db2.Recluster(1); err != nil {
		t.Fatal(err)
	}
	spec := fullSpec(1)
	spec.Preds = []BlockPred{{Col: 2, Op: OpEq, Value: "dev1"}}
	got := rowStrings(t, db2.Begin(), spec)
	n := 0
	for _, r := range got {
		if strings.Split(r, "|")[1] == "dev1" {
			n++
		}
	}
	if n != 25000/3 || len(got) > n+2*SealedBlockRows {
		t.Fatalf("dev1: %d of %d rows read, want %d", n, len(got), 25000/3)
	}
}

// TestClusteredRewriteAndDecompress: a rewrite keeping the order keeps a
// block sealed; decompression writes clustered blocks.
func TestClusteredRewriteAndDecompress(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitSeries(t, db, 1, seriesSchema, deviceBatch(10, 1000, 0))
	txn := db.Begin()
	blocks, _, _ := txn.Blocks(seriesSpec(1))
	blk := blocks[0]
	if !blk.Sealed {
		t.Fatal("first block of a 10,000-row commit not sealed")
	}
	b, _ := txn.ReadBlock(seriesSpec(1), blk)
	keep := make([]int, 0, b.Rows())
	for i := 0; i < b.Rows(); i += 2 {
		keep = append(keep, i)
	}
	nb := col.FromVecs([]*col.Vec{b.Cols[0].Gather(keep), b.Cols[1].Gather(keep), b.Cols[2].Gather(keep)}, len(keep))
	if err := txn.RewriteBlock(1, seriesSchema, blk, nb); err != nil {
		t.Fatal(err)
	}
	after, _, _ := txn.Blocks(seriesSpec(1))
	for _, m := range after {
		if m.Rows == len(keep) && (!m.Sealed || m.SeriesCol != 2) {
			t.Fatalf("rewritten block: sealed %v, series %d", m.Sealed, m.SeriesCol)
		}
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CompressChunk(1, CompressOptions{SegmentBy: []uint32{2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecompressChunk(1); err != nil {
		t.Fatal(err)
	}
	checkClustered(t, db.Begin(), 1)
}

func TestMetaSeriesRoundTrip(t *testing.T) {
	m, err := computeMeta(7, seriesSchema, deviceBatch(3, 4, 0), true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeMeta(7, encodeMeta(nil, m))
	if err != nil || got.SeriesCol != 2 || !got.Sealed || got.Rows != 12 {
		t.Fatalf("round trip: %+v %v", got, err)
	}
}

// BenchmarkClusteredIngest loads a day of 100 devices at 10 s (864,000
// rows, one chunk) in 10,000-row commits, as TSBS does, then merges and
// reclusters; "plain" is the same without a series key (blocks by time).
// It reports rows/s of the whole, and the blocks and rows a one-device
// scan reads afterwards.
func BenchmarkClusteredIngest(b *testing.B) {
	for _, series := range []uint32{0, 2} {
		name := "plain"
		if series != 0 {
			name = "clustered"
		}
		b.Run(name, func(b *testing.B) {
			schema := seriesSchema
			schema.SeriesCol = series
			const devices, steps = 100, 100
			batches := make([]*col.Batch, 8640/steps)
			for i := range batches {
				batches[i] = deviceBatch(devices, steps, int64(i*steps))
			}
			var blocks, rows int
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				db := openMem(b, Options{DisableBackgroundMerge: true})
				for j, bt := range batches {
					commitSeries(b, db, 1, schema, bt)
					if j%16 == 15 {
						if err := db.Merge(1); err != nil {
							b.Fatal(err)
						}
					}
				}
				if err := db.Merge(1); err != nil {
					b.Fatal(err)
				}
				if err := db.Recluster(1); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				txn := db.Begin()
				spec := seriesSpec(1, BlockPred{Col: 2, Op: OpEq, Value: int64(42)})
				spec.TimeMin, spec.TimeMax = 36000, 36000+359*10 // one hour
				bl, _, _ := txn.Blocks(spec)
				blocks, rows = len(bl), 0
				for _, m := range bl {
					rows += m.Rows
				}
				txn.Rollback()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(devices*8640*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(blocks), "blocks/1dev-1h")
			b.ReportMetric(float64(rows), "rows/1dev-1h")
		})
	}
}

// TestBackgroundRecluster: the background merge reclusters a chunk of
// small commits once the database has been quiet for clusterIdleAge.
func TestBackgroundRecluster(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the idle recluster")
	}
	db := openMem(t, Options{})
	for i := 0; i < 12; i++ {
		commitSeries(t, db, 1, seriesSchema, deviceBatch(100, 100, int64(i*100)))
	}
	deadline := time.Now().Add(clusterIdleAge + 10*clusterIdleCheck)
	for {
		_, blocks := readAll(t, db.Begin(), seriesSpec(1))
		if !needsRecluster(blocks) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not reclustered after %v: %+v", clusterIdleAge+10*clusterIdleCheck, shapeOf(blocks, 2))
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkClustered(t, db.Begin(), 1)
}

// TestSortBlockOrderOwned: sorting handed-over vectors in place gives
// what gathering them gives, nulls and strings included, and vectors
// sharing storage are gathered instead.
func TestSortBlockOrderOwned(t *testing.T) {
	schema := ChunkSchema{Cols: testSchema.Cols, TimeCol: 0, SeriesCol: 2} // series: the text column
	var ts []int64
	for i := 0; i < 3000; i++ {
		ts = append(ts, int64(i*7919%3001))
	}
	want := sortBlockOrder(schema, mkBatch(ts...))
	got := sortBlockOrderOwned(schema, mkBatch(ts...))
	if !reflect.DeepEqual(batchRows(want), batchRows(got)) {
		t.Fatal("in-place sort differs from the gathered one")
	}
	if !inBlockOrder(schema, got) {
		t.Fatal("not in block order")
	}

	// One vector used for two columns must not be permuted twice.
	b := mkBatch(ts...)
	b.Cols[4] = b.Cols[0]
	wantShared := sortBlockOrder(schema, mkBatch(ts...))
	wantShared.Cols[4] = wantShared.Cols[0]
	if !sharesStorage(b) {
		t.Fatal("shared vector not noticed")
	}
	if !reflect.DeepEqual(batchRows(wantShared), batchRows(sortBlockOrderOwned(schema, b))) {
		t.Fatal("shared vectors sorted wrongly")
	}
}

// batchRows returns b's rows as values.
func batchRows(b *col.Batch) [][]any {
	var out [][]any
	for r := 0; r < b.Rows(); r++ {
		row := make([]any, len(b.Cols))
		for i, v := range b.Cols {
			row[i] = v.Get(r)
		}
		out = append(out, row)
	}
	return out
}
