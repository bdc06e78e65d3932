package storage

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/storage/col"
)

func TestMetaRoundTrip(t *testing.T) {
	b := mkBatch(5, 1, 9, 2)
	long := strings.Repeat("x", maxStatString+1)
	b.Cols[1].S[0] = long
	m, err := computeMeta(42, testSchema, b, true)
	if err != nil {
		t.Fatal(err)
	}
	if m.Col(2).Min != nil {
		t.Fatal("over-long string kept as min")
	}
	got, err := decodeMeta(42, encodeMeta(nil, m))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, m)
	}
	enc := encodeMeta(nil, m)
	for i := 0; i < len(enc); i++ { // truncations error, never panic
		if _, err := decodeMeta(1, enc[:i]); err == nil {
			t.Fatalf("truncated metadata (%d of %d bytes) decoded", i, len(enc))
		}
	}
}

func TestColumnStatsEdgeCases(t *testing.T) {
	iv := col.NewVec(col.Int64, 2)
	iv.AppendInt64(math.MaxInt64)
	iv.AppendInt64(1)
	cm := columnStats(ColumnRef{ID: 1, Kind: col.Int64}, iv, 2)
	if cm.SumExact {
		t.Fatal("overflowing int sum marked exact")
	}
	fv := col.NewVec(col.Float64, 3)
	fv.AppendFloat64(1)
	fv.AppendFloat64(math.NaN())
	fv.AppendFloat64(-2)
	cm = columnStats(ColumnRef{ID: 1, Kind: col.Float64}, fv, 3)
	if cm.Min != -2.0 || !math.IsNaN(cm.Max.(float64)) {
		t.Fatalf("float min/max with NaN = %v/%v", cm.Min, cm.Max)
	}
	// NaN is the greatest value: "> 5" may match, "< -3" may not
	blk := &BlockMeta{Rows: 3, Cols: []ColumnMeta{cm}}
	if !predMayMatch(&BlockPred{Col: 1, Op: OpGt, Value: 5.0}, blk) {
		t.Fatal("NaN max should allow > 5")
	}
	if predMayMatch(&BlockPred{Col: 1, Op: OpLt, Value: -3.0}, blk) {
		t.Fatal("min -2 should exclude < -3")
	}
}

func FuzzDecodeMeta(f *testing.F) {
	m, _ := computeMeta(1, testSchema, mkBatch(1, 2, 3), false)
	f.Add(encodeMeta(nil, m))
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeMeta(1, b)
	})
}
