package exec

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"testing"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

// compressedSensors is benchSensors with every chunk compressed,
// segmented by dev and ordered by time descending.
func compressedSensors(b testing.TB, rows int) (*storage.DB, *catalog.Table, []*catalog.Chunk) {
	db, tbl, chunks := benchSensors(b, rows)
	for _, c := range chunks {
		if _, err := db.CompressChunk(c.ID, storage.CompressOptions{SegmentBy: []uint32{2}}); err != nil {
			b.Fatal(err)
		}
	}
	return db, tbl, chunks
}

// timeRangeScan is SELECT * FROM s WHERE time >= lo AND time < hi
// [AND dev = dev] [AND v > vOver] with the block predicates pushed down
// (no value condition when vOver is NaN).
func timeRangeScan(tbl *catalog.Table, chunks []*catalog.Chunk, lo, hi int64, dev int64, vOver float64) *plan.HyperScan {
	ts := types.Timestamptz
	hs := sensorScan(tbl, chunks, lo, hi-1)
	hs.Filter = op(plan.OpAnd, types.Bool, op(plan.OpGe, types.Bool, cref(0, ts), cnst(lo, ts)),
		op(plan.OpGt, types.Bool, cnst(hi, ts), cref(0, ts))) // hi > time: the constant on the left
	if dev >= 0 {
		hs.Filter = op(plan.OpAnd, types.Bool, hs.Filter, op(plan.OpEq, types.Bool, cref(1, types.Int4), cnst(dev, types.Int4)))
		hs.Preds = []plan.ScanPred{{Col: 2, Op: plan.OpEq, Value: dev}}
	}
	if !math.IsNaN(vOver) {
		hs.Filter = op(plan.OpAnd, types.Bool, hs.Filter, op(plan.OpGt, types.Bool, cref(2, types.Float8), cnst(vOver, types.Float8)))
	}
	return hs
}

// TestTimeOrderMatchesFilter: random time ranges over compressed blocks
// give the same rows with time conditions by block order as with the
// general filter, also when a value condition follows that some or all
// rows of a cut block pass (the cut then leaves its vectors uncopied
// for the filter's compaction).
func TestTimeOrderMatchesFilter(t *testing.T) {
	db, tbl, chunks := compressedSensors(t, 200_000)
	rng := rand.New(rand.NewSource(7))
	run := func(n plan.Node) ([]string, *readStats) {
		txn := db.Begin()
		defer txn.Rollback()
		ctx := newCtx()
		ctx.Txn = txn
		ctx.Analyze = true
		op, err := Build(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := drain(ctx, op)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = fmt.Sprint(r...)
		}
		slices.Sort(out)
		return out, ctx.readStats[n.(*plan.HyperScan)]
	}
	span := int64(20_000) * 1_000_000 // 200,000 rows of 10 devices a second
	for i := 0; i < 40; i++ {
		lo := rng.Int63n(span) - 1_000_000_000
		hi := lo + rng.Int63n(span/4)
		dev := rng.Int63n(12) - 1
		n := timeRangeScan(tbl, chunks, lo, hi, dev, []float64{40, -1e300, math.NaN()}[i%3])
		got, st := run(n)
		DisableTimeOrder = true
		want, _ := run(n)
		DisableTimeOrder = false
		if !slices.Equal(got, want) {
			t.Fatalf("[%d, %d) dev %d: %d rows by block order, %d filtered", lo, hi, dev, len(got), len(want))
		}
		if st == nil || (st.ordered+st.inside == 0 && len(want) > 0) {
			t.Fatalf("[%d, %d) dev %d: no block used its time order (%+v)", lo, hi, dev, st)
		}
	}
}

// BenchmarkCompressedTimeRange reads one device's hour, and every
// device's hour with a value filter, from compressed blocks: time
// conditions by block order against the general filter.
func BenchmarkCompressedTimeRange(b *testing.B) {
	const rows = 1 << 20
	db, tbl, chunks := compressedSensors(b, rows)
	lo := int64(50_000) * 1_000_000
	hi := lo + 3600*1_000_000
	for _, c := range []struct {
		name  string
		dev   int64
		vOver float64
	}{
		{"one-device-hour", 3, math.NaN()},
		{"all-devices-hour-v", -1, 40},
	} {
		for _, off := range []bool{false, true} {
			name := c.name + "/block-order"
			if off {
				name = c.name + "/filter"
			}
			b.Run(name, func(b *testing.B) {
				DisableTimeOrder = off
				defer func() { DisableTimeOrder = false }()
				for i := 0; i < b.N; i++ {
					txn := db.Begin()
					ctx := newCtx()
					ctx.Txn = txn
					op, err := Build(ctx, timeRangeScan(tbl, chunks, lo, hi, c.dev, c.vOver))
					if err != nil {
						b.Fatal(err)
					}
					if _, err := drain(ctx, op); err != nil {
						b.Fatal(err)
					}
					txn.Rollback()
				}
			})
		}
	}
}
