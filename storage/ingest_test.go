package storage

import (
	"slices"
	"testing"
)

// TestAppendOwnedBlocks appends segments (owned and copied, crossing the
// delta block size) and checks the committed blocks: every row once, in
// order, sealed blocks of exactly SealedBlockRows rows.
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
	// The rows arrive in time order, so each append's leading multiple of
	// SealedBlockRows rows becomes sealed blocks (encoded in the
	// background) and only the rows between them stay delta blocks.
	ndelta := 0
	for _, blk := range blocks {
		switch {
		case blk.Sealed && blk.Rows != SealedBlockRows:
			t.Fatalf("sealed block of %d rows, want %d", blk.Rows, SealedBlockRows)
		case !blk.Sealed:
			ndelta++
		}
	}
	if ndelta > len(sizes) {
		t.Fatalf("%d delta blocks (sizes %v) for %d appends", ndelta, sizesGot, len(sizes))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("rows differ: got %d rows, want %d", len(got), len(want))
	}
}

// TestUnsortedAppendStaysDelta checks that a large commit out of time
// order is written as one delta block (for the merge to sort), and that
// the merge then seals it into sorted blocks.
func TestUnsortedAppendStaysDelta(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	ts := rng(0, 3*SealedBlockRows)
	ts[0], ts[len(ts)-1] = ts[len(ts)-1], ts[0]
	commitAppend(t, db, 1, ts...)
	blocks, _, err := db.Begin().Blocks(fullSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 1 || blocks[0].Sealed || blocks[0].Rows != len(ts) {
		t.Fatalf("got %d blocks (first sealed %v), want one delta block of %d rows", len(blocks), blocks[0].Sealed, len(ts))
	}
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	blocks, _, err = db.Begin().Blocks(fullSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 {
		t.Fatalf("%d blocks after merge, want 3", len(blocks))
	}
	for _, blk := range blocks {
		if !blk.Sealed || blk.Rows != SealedBlockRows {
			t.Fatalf("block %d: sealed %v, %d rows; want sealed %d rows", blk.ID, blk.Sealed, blk.Rows, SealedBlockRows)
		}
	}
}

// TestPreEncodedAppendRollback checks that appends encoded in the
// background follow savepoints: rolled-back appends leave nothing, kept
// ones are committed whole, and the transaction reads its own rows
// meanwhile.
func TestPreEncodedAppendRollback(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	txn := db.Begin()
	keep := rng(0, 2*SealedBlockRows+10)
	if err := txn.Append(1, testSchema, mkBatch(keep...)); err != nil {
		t.Fatal(err)
	}
	sp := txn.Savepoint()
	if err := txn.Append(1, testSchema, mkBatch(rng(1_000_000, 1_000_000+3*SealedBlockRows)...)); err != nil {
		t.Fatal(err)
	}
	if got := len(rowStrings(t, txn, fullSpec(1))); got != len(keep)+3*SealedBlockRows {
		t.Fatalf("transaction sees %d rows, want %d", got, len(keep)+3*SealedBlockRows)
	}
	txn.RollbackTo(sp)
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	r := db.Begin()
	defer r.Rollback()
	blocks, _, err := r.Blocks(fullSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, blk := range blocks {
		sizes = append(sizes, blk.Rows)
	}
	if want := []int{SealedBlockRows, SealedBlockRows, 10}; !slices.Equal(sizes, want) {
		t.Fatalf("block sizes %v, want %v", sizes, want)
	}
	if got := len(rowStrings(t, r, fullSpec(1))); got != len(keep) {
		t.Fatalf("committed %d rows, want %d", got, len(keep))
	}
}

// TestChunkBytesCountsRecentWrites checks that a chunk's size includes
// rows committed a moment ago (still in the memtable before the flush).
func TestChunkBytesCountsRecentWrites(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 3, rng(0, 5000)...)
	n, err := db.ChunkBytes(3)
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 { // regular timestamps pack into a few hundred bytes
		t.Fatalf("ChunkBytes = %d right after writing 5000 rows", n)
	}
	if n, err := db.ChunkBytes(4); err != nil || n != 0 {
		t.Fatalf("ChunkBytes of an empty chunk = %d, %v", n, err)
	}
}
