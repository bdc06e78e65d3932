package table

import (
	"math"
	"testing"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

func devices() *catalog.Table {
	return &catalog.Table{OID: 16500, Name: "devices", Cols: []catalog.Column{
		{ID: 1, Name: "id", Type: types.Int8},
		{ID: 2, Name: "name", Type: types.Text},
		{ID: 3, Name: "price", Type: types.Numeric},
		{ID: 5, Name: "tags", Type: types.TextArray},
	}, Indexes: []catalog.Index{{Name: "devices_pkey", Cols: []uint32{1}, Primary: true, Unique: true}}}
}

func TestRowCodec(t *testing.T) {
	tbl := devices()
	price, _, _ := apd.NewFromString("12.50")
	vals := []any{int64(7), "dev \x00 7", price, types.NewArray(types.Text, []any{"a", nil})}
	data, err := EncodeRow(tbl, vals)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]any, len(tbl.Cols))
	if err := DecodeRow(tbl, data, got); err != nil {
		t.Fatal(err)
	}
	for i := range vals {
		if types.Compare(tbl.Cols[i].Type, vals[i], got[i]) != 0 {
			t.Fatalf("column %d: got %v want %v", i, got[i], vals[i])
		}
	}
	// ADD COLUMN reads NULL; DROP COLUMN skips; RENAME is irrelevant.
	t2 := tbl.Clone()
	t2.Cols = append(t2.Cols[:1], t2.Cols[2:]...)
	t2.Cols = append(t2.Cols, catalog.Column{ID: 9, Name: "extra", Type: types.Int4})
	got2 := make([]any, len(t2.Cols))
	if err := DecodeRow(t2, data, got2); err != nil {
		t.Fatal(err)
	}
	if got2[0] != int64(7) || got2[3] != nil || types.Compare(types.Numeric, got2[1], price) != 0 {
		t.Fatalf("after schema change: %v", got2)
	}
	// Nulls are not stored.
	nulls, _ := EncodeRow(tbl, []any{int64(1), nil, nil, nil})
	if len(nulls) >= len(data) {
		t.Fatalf("null row not compact: %d bytes", len(nulls))
	}
	for _, bad := range [][]byte{nil, {9}, {1, 5}, {1, 1, 1, 200}} {
		if err := DecodeRow(tbl, bad, got); err == nil {
			t.Fatalf("corrupt row %v decoded", bad)
		}
	}
	k1, _ := RowKey(tbl, []any{int64(-1)}, 0)
	k2, _ := RowKey(tbl, []any{int64(5)}, 0)
	if string(k1) >= string(k2) {
		t.Fatalf("row keys out of order")
	}
}

func TestDimensionValue(t *testing.T) {
	if got := DimensionValue(types.Date, 2); got != 2*types.MicrosPerDay {
		t.Errorf("date dimension value = %d", got)
	}
	if got := DimensionValue(types.Date, math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("infinite date = %d", got)
	}
	if got := DimensionValue(types.Timestamptz, 7); got != 7 {
		t.Errorf("timestamptz dimension value = %d", got)
	}
}

// TestRowEncoderMatchesEncodeRow checks that the batch row encoder of
// the last-value index writes exactly EncodeRow's bytes.
func TestRowEncoderMatchesEncodeRow(t *testing.T) {
	tbl := &catalog.Table{OID: 16501, Name: "m", Cols: []catalog.Column{
		{ID: 1, Name: "time", Type: types.Timestamptz},
		{ID: 2, Name: "dev", Type: types.Int4},
		{ID: 4, Name: "v8", Type: types.Float8},
		{ID: 5, Name: "v4", Type: types.Float4},
		{ID: 6, Name: "name", Type: types.Text},
	}}
	rows := [][]any{
		{int64(1_000_000), int64(7), 1.5, 2.25, "a"},
		{int64(2_000_000), nil, math.NaN(), nil, nil},
		{int64(-5), int64(-1), math.Inf(-1), float64(3), "\x00b"},
	}
	vecs := make([]*col.Vec, len(tbl.Cols))
	for i, c := range tbl.Cols {
		vecs[i] = col.NewVec(c.Type.Kind(), len(rows))
		for _, r := range rows {
			vecs[i].Append(r[i])
		}
	}
	b := col.FromVecs(vecs, len(rows))
	var e rowEncoder
	for r, vals := range rows {
		want, err := EncodeRow(tbl, vals)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.appendRow([]byte("pre"), tbl, b, r)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != "pre"+string(want) {
			t.Fatalf("row %d: got %x want %x", r, got, want)
		}
	}
}
