package exec

import (
	"math/rand"
	"testing"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// batchSource replays prebuilt batches (an in-memory scan).
type batchSource struct {
	batches []*col.Batch
	pos     int
}

func (s *batchSource) Next() (*col.Batch, error) {
	if s.pos >= len(s.batches) {
		return nil, nil
	}
	s.pos++
	return s.batches[s.pos-1], nil
}

func (s *batchSource) Close() error { return nil }

// BenchmarkFilterAgg measures SELECT device, avg(value), count(*) FROM t
// WHERE value > 50 GROUP BY device over 1M float rows.
func BenchmarkFilterAgg(b *testing.B) {
	const rows = 1 << 20
	rng := rand.New(rand.NewSource(1))
	var batches []*col.Batch
	for i := 0; i < rows; i += col.DefaultBatchSize {
		dev, val := col.NewVec(col.Int64, col.DefaultBatchSize), col.NewVec(col.Float64, col.DefaultBatchSize)
		for j := 0; j < col.DefaultBatchSize; j++ {
			dev.AppendInt64(int64(rng.Intn(100)))
			val.AppendFloat64(float64(rng.Intn(10000)) / 100)
		}
		batches = append(batches, col.FromVecs([]*col.Vec{dev, val}, col.DefaultBatchSize))
	}
	cols := ocols("device", types.Int8, "value", types.Float8)
	for i := 0; i < b.N; i++ {
		ctx := newCtx()
		src := &batchSource{batches: batches}
		f := &filterOp{ctx: ctx, in: src, n: &plan.Filter{Cond: op(plan.OpGt, types.Bool, cref(1, types.Float8), cnst(50.0, types.Float8))}}
		node := &plan.Agg{Input: virt(cols), Keys: []plan.Expr{cref(0, types.Int8)},
			Aggs: []*plan.AggCall{aggCall(nil, "avg", []plan.Expr{cref(1, types.Float8)}), aggCall(nil, "count", nil)},
			Cols: ocols("device", types.Int8, "avg", types.Float8, "n", types.Int8)}
		aop, err := newAgg(ctx, node)
		if err != nil {
			b.Fatal(err)
		}
		aop.(*aggOp).in = f
		n := 0
		for {
			out, err := aop.Next()
			if err != nil {
				b.Fatal(err)
			}
			if out == nil {
				break
			}
			n += out.Len()
		}
		if n != 100 {
			b.Fatalf("%d groups", n)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
