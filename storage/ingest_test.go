package storage

import (
	"slices"
	"testing"
)

// TestAppendOwnedBlocks appends segments (owned and copied, crossing the
// delta block size) and checks the committed blocks: every row once, in
// order, blocks cut at exactly maxDeltaBlockRows.
func TestAppendOwnedBlocks(t *testing.T) {
	sizes := []int{1000, 60000, 10000, maxDeltaBlockRows + 5, 3}
	db := openMem(t, Options{DisableBackgroundMerge: true})
	txn := db.Begin()
	var want []int64
	next := int64(0)
	for i, n := range sizes {
		ts := rng(next, next+int64(n))
		next += int64(n)
		want = append(want, ts...)
		b := mkBatch(ts...)
		var err error
		if i%2 == 0 {
			err = txn.AppendOwned(7, testSchema, b)
		} else {
			err = txn.Append(7, testSchema, b)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	r := db.Begin()
	defer r.Rollback()
	spec := fullSpec(7)
	blocks, _, err := r.Blocks(spec)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	var sizesGot []int
	for _, blk := range blocks {
		b, err := r.ReadBlock(spec, blk)
		if err != nil {
			t.Fatal(err)
		}
		sizesGot = append(sizesGot, b.Rows())
		for i := 0; i < b.Rows(); i++ {
			got = append(got, b.Cols[0].I64[i])
			if wantNull := b.Cols[0].I64[i]%2 != 0; b.Cols[4].IsNull(i) != wantNull {
				t.Fatalf("row %d: null %v", b.Cols[0].I64[i], !wantNull)
			}
		}
	}
	total := len(want)
	wantSizes := []int{maxDeltaBlockRows, maxDeltaBlockRows, total - 2*maxDeltaBlockRows}
	if !slices.Equal(sizesGot, wantSizes) {
		t.Fatalf("block sizes %v, want %v", sizesGot, wantSizes)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("rows differ: got %d rows, want %d", len(got), len(want))
	}
}
