package server

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// TestWriterValuesMatchTypes checks that the writer's unboxed value
// encoders produce exactly what sql/types' output and send functions do
// for the boxed value, in text and binary.
func TestWriterValuesMatchTypes(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		loc = time.FixedZone("X", -5*3600)
	}
	ints := []int64{0, 1, -1, 42, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64 + 1,
		1_451_606_400_000_000, 1_451_606_400_123_456, -86_400_000_001, types.InfinityTS, types.NegInfinityTS, 16_800, -3}
	floats := []float64{0, math.Copysign(0, -1), 1, -1.5, 0.1, 1.0 / 3, 1e15, 1e16, 123456789012345678, 1e-4, 1e-5,
		math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), 90.00000000000001, 3.4028234663852886e+38}
	intTypes := []types.T{types.Int2, types.Int4, types.Int8, types.Timestamp, types.Timestamptz, types.Date, types.Time, types.Oid}
	floatTypes := []types.T{types.Float8, types.Float4}
	iv, fv := col.NewVec(col.Int64, len(ints)), col.NewVec(col.Float64, len(floats))
	for _, x := range ints {
		iv.AppendInt64(x)
	}
	for _, x := range floats {
		fv.AppendFloat64(x)
	}
	check := func(ty types.T, v *col.Vec) {
		for r := range v.Len() {
			if f := v.Get(r); ty.OID == types.OidFloat4 && !math.IsInf(f.(float64), 0) && math.IsInf(float64(float32(f.(float64))), 0) {
				continue // no float4 datum
			}
			for _, l := range []*time.Location{time.UTC, loc} {
				want := types.AppendText(nil, ty, v.Get(r), l)
				if got := appendTextValue(nil, ty, v, r, l); !bytes.Equal(got, want) {
					t.Errorf("text %d %v: got %q, want %q", ty.OID, v.Get(r), got, want)
				}
			}
			want, werr := types.AppendBinary(nil, ty, v.Get(r))
			got, gerr := appendBinaryValue(nil, ty, v, r)
			if !bytes.Equal(got, want) || (werr == nil) != (gerr == nil) {
				t.Errorf("binary %d %v: got %x %v, want %x %v", ty.OID, v.Get(r), got, gerr, want, werr)
			}
		}
	}
	for _, ty := range intTypes {
		check(ty, iv)
	}
	for _, ty := range floatTypes {
		check(ty, fv)
	}
}
