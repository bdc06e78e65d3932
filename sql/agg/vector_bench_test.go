package agg

import (
	"testing"

	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// benchRuns returns 1,024 group ids in runs of 360 rows (an hour of
// 10-second readings of one series per group) and a float column.
func benchRuns() ([]int32, *col.Vec) {
	gids := make([]int32, 1024)
	x := col.NewVec(col.Float64, len(gids))
	for i := range gids {
		gids[i] = int32(i / 360)
		x.AppendFloat64(float64(i%97) + 0.25)
	}
	return gids, x
}

// BenchmarkVectorAddRuns measures avg and max of a float column over
// rows whose groups come in runs (time_bucket, series).
func BenchmarkVectorAddRuns(b *testing.B) {
	for _, name := range []string{"avg", "max"} {
		b.Run(name, func(b *testing.B) {
			gids, x := benchRuns()
			var v Vector
			ok := false
			for _, a := range Overloads(name) {
				if len(a.Args) == 1 && argMatches(a.Args[0], types.Float8) {
					v, ok = a.NewVector([]types.T{types.Float8})
					break
				}
			}
			if !ok {
				b.Fatal("no vector form")
			}
			v.Grow(3)
			b.SetBytes(int64(8 * len(gids)))
			for b.Loop() {
				v.Add(gids, x)
			}
		})
	}
}
