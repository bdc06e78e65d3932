package exec

import (
	"math/rand"
	"testing"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// kernelBatch is one full batch of sensor-like columns: time (µs, one
// second apart), device (100 devices) and a float value with 2 decimals.
func kernelBatch() *col.Batch {
	n := col.DefaultBatchSize
	rng := rand.New(rand.NewSource(1))
	ts, dev, val := col.NewVec(col.Int64, n), col.NewVec(col.Int64, n), col.NewVec(col.Float64, n)
	for i := range n {
		ts.AppendInt64(757_382_400_000_000 + int64(i)*1_000_000)
		dev.AppendInt64(int64(rng.Intn(100)))
		val.AppendFloat64(float64(rng.Intn(10000)) / 100)
	}
	return col.FromVecs([]*col.Vec{ts, dev, val}, n)
}

// benchEval measures EvalBatch of e over one batch, reporting values/s.
func benchEval(b *testing.B, e plan.Expr) {
	batch := kernelBatch()
	ctx := newCtx()
	b.SetBytes(8 * int64(batch.Len()))
	b.ReportAllocs()
	for b.Loop() {
		out, err := EvalBatch(ctx, e, batch)
		if err != nil {
			b.Fatal(err)
		}
		if out.Len() != batch.Len() {
			b.Fatalf("%d results for %d rows", out.Len(), batch.Len())
		}
	}
	b.ReportMetric(float64(batch.Len())*float64(b.N)/b.Elapsed().Seconds(), "values/s")
}

// BenchmarkFilterKernel measures the vectorized comparisons a WHERE clause
// runs: float > const, int = const, and their AND.
func BenchmarkFilterKernel(b *testing.B) {
	gtF := op(plan.OpGt, types.Bool, cref(2, types.Float8), cnst(50.0, types.Float8))
	eqI := op(plan.OpEq, types.Bool, cref(1, types.Int8), cnst(int64(42), types.Int8))
	b.Run("float-gt", func(b *testing.B) { benchEval(b, gtF) })
	b.Run("int-eq", func(b *testing.B) { benchEval(b, eqI) })
	b.Run("and", func(b *testing.B) { benchEval(b, op(plan.OpAnd, types.Bool, gtF, eqI)) })
}

// BenchmarkArithKernel measures value * 1.8 + 32 over a float column.
func BenchmarkArithKernel(b *testing.B) {
	mul := op(plan.OpMul, types.Float8, cref(2, types.Float8), cnst(1.8, types.Float8))
	benchEval(b, op(plan.OpAdd, types.Float8, mul, cnst(32.0, types.Float8)))
}

// BenchmarkTimeBucketKernel measures the vectorized time_bucket('1
// minute', time).
func BenchmarkTimeBucketKernel(b *testing.B) {
	benchEval(b, timeBucketCall(b, types.Interval{Micros: 60_000_000}, cref(0, types.Timestamptz)))
}

// BenchmarkFastAggKernel measures typed hash aggregation's consume: GROUP
// BY device with count(*), avg, min and max over the float column.
func BenchmarkFastAggKernel(b *testing.B) {
	batch := kernelBatch()
	v := cref(2, types.Float8)
	node := &plan.Agg{Keys: []plan.Expr{cref(1, types.Int8)}, Aggs: []*plan.AggCall{
		aggCall(b, "count", nil), aggCall(b, "avg", []plan.Expr{v}), aggCall(b, "min", []plan.Expr{v}), aggCall(b, "max", []plan.Expr{v})}}
	argT := [][]types.T{nil, {types.Float8}, {types.Float8}, {types.Float8}}
	f := newFastAgg(node, argT)
	if f == nil {
		b.Fatal("aggregation does not qualify for typed hash aggregation")
	}
	keys := []*col.Vec{batch.Cols[1]}
	args := []*col.Vec{nil, batch.Cols[2], batch.Cols[2], batch.Cols[2]}
	b.SetBytes(16 * int64(batch.Len()))
	b.ReportAllocs()
	for b.Loop() {
		f.consume(keys, args, batch.Len())
	}
	if f.ngroup != 100 {
		b.Fatalf("%d groups, want 100", f.ngroup)
	}
	b.ReportMetric(float64(batch.Len())*float64(b.N)/b.Elapsed().Seconds(), "values/s")
}
