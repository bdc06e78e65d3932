package storage

import (
	"errors"
	"math/rand"
	"slices"
	"sync"
	"testing"
)

// byDevice compresses testSchema rows segmented by device (column 2).
var byDevice = CompressOptions{SegmentBy: []uint32{2}}

// shuffled returns the times [from, to) in a fixed random order.
func shuffled(from, to int64) []int64 {
	ts := rng(from, to)
	rand.New(rand.NewSource(from)).Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
	return ts
}

// chunkBlocks lists every block of chunk.
func chunkBlocks(t *testing.T, db *DB, chunk uint64) []*BlockMeta {
	t.Helper()
	blocks, _, err := db.Begin().Blocks(fullSpec(chunk))
	if err != nil {
		t.Fatal(err)
	}
	return blocks
}

// checkCompressed verifies that every block of chunk is compressed, holds
// one device (segments here are all >= compressedMinRows rows) and has its
// times descending.
func checkCompressed(t *testing.T, db *DB, chunk uint64) {
	t.Helper()
	txn := db.Begin()
	defer txn.Rollback()
	blocks, _, err := txn.Blocks(fullSpec(chunk))
	if err != nil {
		t.Fatal(err)
	}
	for _, blk := range blocks {
		if !blk.Compressed || !blk.Sealed {
			t.Fatalf("block %d: compressed %v sealed %v", blk.ID, blk.Compressed, blk.Sealed)
		}
		if dev := blk.Col(2); dev.Min != dev.Max {
			t.Fatalf("block %d holds devices %v..%v", blk.ID, dev.Min, dev.Max)
		}
		b, err := txn.ReadBlock(fullSpec(chunk), blk)
		if err != nil {
			t.Fatal(err)
		}
		ts := slices.Clone(b.Cols[0].I64)
		slices.Reverse(ts)
		if !slices.IsSorted(ts) {
			t.Fatalf("block %d: times not descending", blk.ID)
		}
	}
}

func TestCompressRoundTrip(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	for i := int64(0); i < 6; i++ {
		commitAppend(t, db, 1, shuffled(i*1000, (i+1)*1000)...)
	}
	before := sortedRows(t, db.Begin(), 1)
	st, err := db.CompressChunk(1, byDevice)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != 6000 || st.InputBlocks != 6 || st.OutputBlocks != 6 {
		t.Fatalf("stats %+v, want 6000 rows, 6 blocks in, 6 out (two per device)", st)
	}
	if st.UncompressedBytes != st.InputBytes || st.OutputBytes <= 0 || st.OutputBytes >= st.InputBytes {
		t.Fatalf("stats %+v: want 0 < output bytes < input bytes = uncompressed bytes", st)
	}
	if got := sortedRows(t, db.Begin(), 1); !slices.Equal(got, before) {
		t.Fatal("compression changed the rows")
	}
	checkCompressed(t, db, 1)

	// A segmentby equality predicate reads only that segment's blocks.
	spec := fullSpec(1)
	spec.Preds = []BlockPred{{Col: 2, Op: OpEq, Value: "dev1"}}
	blocks, skipped, err := db.Begin().Blocks(spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 || skipped != 4 {
		t.Fatalf("dev1 scan lists %d blocks, skips %d; want 2 and 4", len(blocks), skipped)
	}

	// Compressing again rewrites compressed blocks into the same rows.
	st, err = db.CompressChunk(1, byDevice)
	if err != nil {
		t.Fatal(err)
	}
	if st.UncompressedBytes != 0 || st.Rows != 6000 {
		t.Fatalf("recompression stats %+v", st)
	}
	if got := sortedRows(t, db.Begin(), 1); !slices.Equal(got, before) {
		t.Fatal("recompression changed the rows")
	}

	st, err = db.DecompressChunk(1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != 6000 || st.OutputBlocks != 2 {
		t.Fatalf("decompression stats %+v, want 6000 rows in 2 blocks", st)
	}
	if got := sortedRows(t, db.Begin(), 1); !slices.Equal(got, before) {
		t.Fatal("decompression changed the rows")
	}
	for _, blk := range chunkBlocks(t, db, 1) {
		if blk.Compressed || !blk.Sealed {
			t.Fatalf("block %d after decompression: compressed %v sealed %v", blk.ID, blk.Compressed, blk.Sealed)
		}
	}
}

// TestCompressInTransaction: a staged compression is read back by its
// own transaction (decoded from the staged blocks), and a rollback, or a
// rollback to a savepoint before it, leaves the chunk as it was.
func TestCompressInTransaction(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	if st, err := db.CompressChunk(7, byDevice); err != nil || st.Rows != 0 || st.OutputBlocks != 0 {
		t.Fatalf("compress an empty chunk: %+v %v", st, err)
	}
	commitAppend(t, db, 1, shuffled(0, 3000)...)
	want := sortedRows(t, db.Begin(), 1)
	uncompressed := func() {
		t.Helper()
		for _, blk := range chunkBlocks(t, db, 1) {
			if blk.Compressed {
				t.Fatal("compressed blocks after a rollback")
			}
		}
	}

	txn := db.Begin()
	st, err := txn.CompressChunk(1, byDevice)
	if err != nil || st.Rows != 3000 {
		t.Fatalf("stage: %+v %v", st, err)
	}
	if got := sortedRows(t, txn, 1); !slices.Equal(got, want) {
		t.Fatal("the compressing transaction reads other rows")
	}
	for _, blk := range chunkBlocks(t, db, 1) {
		if blk.Compressed {
			t.Fatal("a staged compression is visible before commit")
		}
	}
	txn.Rollback()
	uncompressed()

	txn = db.Begin()
	txn.PutMeta("x", []byte("1"))
	sp := txn.Savepoint()
	if _, err := txn.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	txn.RollbackTo(sp)
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	uncompressed()
	if got := sortedRows(t, db.Begin(), 1); !slices.Equal(got, want) {
		t.Fatal("rows changed")
	}
}

func TestMergeLeavesCompressedBlocks(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, shuffled(0, 3000)...)
	if _, err := db.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	compressed := map[uint64]bool{}
	for _, blk := range chunkBlocks(t, db, 1) {
		compressed[blk.ID] = true
	}
	// New rows land as delta blocks; the merge seals them into normal
	// blocks (the chunk is partially compressed) and keeps the rest.
	commitAppend(t, db, 1, 5000, 5001)
	commitAppend(t, db, 1, 4000)
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	var plain int
	for _, blk := range chunkBlocks(t, db, 1) {
		switch {
		case blk.Compressed && !compressed[blk.ID]:
			t.Fatalf("merge wrote compressed block %d", blk.ID)
		case !blk.Compressed && compressed[blk.ID]:
			t.Fatalf("block %d lost its compressed flag", blk.ID)
		case !blk.Compressed:
			if !blk.Sealed || blk.Rows != 3 {
				t.Fatalf("merged block %d: sealed %v, %d rows", blk.ID, blk.Sealed, blk.Rows)
			}
			plain++
		default:
			delete(compressed, blk.ID)
		}
	}
	if plain != 1 || len(compressed) != 0 {
		t.Fatalf("%d merged blocks, %d compressed blocks gone", plain, len(compressed))
	}
	want := sortedRows(t, db.Begin(), 1)
	if len(want) != 3003 {
		t.Fatalf("%d rows, want 3003", len(want))
	}
	// Compressing again folds the merged rows in.
	if _, err := db.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	checkCompressed(t, db, 1)
	if got := sortedRows(t, db.Begin(), 1); !slices.Equal(got, want) {
		t.Fatal("recompression changed the rows")
	}
}

func TestRewriteCompressedBlock(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, shuffled(0, 3000)...)
	if _, err := db.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	txn := db.Begin()
	rewriteWhere(t, txn, 1, func(ts int64) bool { return ts%10 != 0 }, func(int64) bool { return false })
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := sortedRows(t, db.Begin(), 1); len(got) != 2700 {
		t.Fatalf("%d rows after delete, want 2700", len(got))
	}
	checkCompressed(t, db, 1)
}

func TestCompressConflicts(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, shuffled(0, 2000)...)
	// A transaction that listed blocks before the compression finds them
	// gone when it rewrites.
	txn := db.Begin()
	blocks, _, err := txn.Blocks(fullSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	if err := txn.RewriteBlock(1, testSchema, blocks[0], nil); !errors.Is(err, ErrConflict) {
		t.Fatalf("rewrite of a compressed-away block: %v, want ErrConflict", err)
	}
	txn.Rollback()
	// A transaction that rewrote blocks and a compression of the same
	// blocks: the first to commit wins, the other fails with ErrConflict.
	txn = db.Begin()
	rewriteWhere(t, txn, 1, func(ts int64) bool { return ts != 7 }, func(int64) bool { return false })
	if _, err := db.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); !errors.Is(err, ErrConflict) {
		t.Fatalf("commit of a rewrite of compressed-away blocks: %v, want ErrConflict", err)
	}
	if got := sortedRows(t, db.Begin(), 1); len(got) != 2000 {
		t.Fatalf("%d rows, want 2000", len(got))
	}
	txn = db.Begin()
	if _, err := txn.DecompressChunk(1); err != nil {
		t.Fatal(err)
	}
	rewriter := db.Begin()
	rewriteWhere(t, rewriter, 1, func(ts int64) bool { return ts != 7 }, func(int64) bool { return false })
	if err := rewriter.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); !errors.Is(err, ErrConflict) {
		t.Fatalf("commit of a decompression after a rewrite: %v, want ErrConflict", err)
	}
	if got := sortedRows(t, db.Begin(), 1); len(got) != 1999 {
		t.Fatalf("%d rows, want 1999", len(got))
	}
}

func TestCompressConcurrentWriter(t *testing.T) {
	db := openMem(t, Options{MergeThreshold: 2})
	commitAppend(t, db, 1, shuffled(0, 3000)...)
	const commits = 40
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := int64(0); i < commits; i++ {
			commitAppend(t, db, 1, 10000+2*i, 10001+2*i)
		}
	}()
	for i := 0; i < 5; i++ {
		if _, err := db.CompressChunk(1, byDevice); err != nil {
			t.Error(err)
		}
	}
	wg.Wait()
	got := sortedRows(t, db.Begin(), 1)
	if len(got) != 3000+2*commits || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Fatalf("%d rows (%d distinct), want %d", len(got), len(slices.Compact(slices.Clone(got))), 3000+2*commits)
	}
	if _, err := db.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	if after := sortedRows(t, db.Begin(), 1); !slices.Equal(after, got) {
		t.Fatal("final compression changed the rows")
	}
}

// TestCompressSurvivesReopen: the swap is one synced batch, so after a
// restart the chunk is whole and compressed (a crash before the commit
// leaves the old blocks, which the batch had not touched).
func TestCompressSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{DisableBackgroundMerge: true})
	if err != nil {
		t.Fatal(err)
	}
	commitAppend(t, db, 1, shuffled(0, 3300)...)
	txn := db.Begin()
	want := sortedRows(t, txn, 1)
	txn.Rollback()
	if _, err := db.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db, dir)
	defer db.Close()
	if got := sortedRows(t, db.Begin(), 1); !slices.Equal(got, want) {
		t.Fatal("rows changed across reopen")
	}
	checkCompressed(t, db, 1)
}

// TestCompressChunkInto: rolling chunk 2 up into compressed chunk 1 moves
// its rows into chunk 1's compressed blocks and deletes chunk 2.
func TestCompressChunkInto(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, shuffled(0, 3000)...)
	commitAppend(t, db, 2, shuffled(3000, 5000)...)
	want := append(sortedRows(t, db.Begin(), 1), sortedRows(t, db.Begin(), 2)...)
	if _, err := db.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	st, err := db.CompressChunkInto(1, 2, byDevice)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != 5000 || st.InputBlocks != 3+1 || st.UncompressedBytes >= st.InputBytes {
		t.Fatalf("stats %+v, want 5000 rows from 4 blocks, 3 compressed", st)
	}
	got := sortedRows(t, db.Begin(), 1)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("chunk 1 holds %d rows, want %d", len(got), len(want))
	}
	checkCompressed(t, db, 1)
	if blocks := chunkBlocks(t, db, 2); len(blocks) != 0 {
		t.Fatalf("chunk 2 still has %d blocks", len(blocks))
	}

	// Chunk 2 is retired: a transaction that still appends to it commits
	// its rows into chunk 1, where chunk 2's rows went.
	late := db.Begin()
	if err := late.Append(2, testSchema, mkBatch(9000)); err != nil {
		t.Fatal(err)
	}
	if err := late.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := sortedRows(t, db.Begin(), 1); len(got) != 5001 {
		t.Fatalf("chunk 1 holds %d rows after the late append, want 5001", len(got))
	}
	if blocks := chunkBlocks(t, db, 2); len(blocks) != 0 {
		t.Fatalf("the late append wrote %d blocks to the retired chunk", len(blocks))
	}
}

// TestCompressChunkIntoConcurrentWriter: rows committed to the retired
// chunk while the roll-up runs are never lost: the roll-up's commit moves
// those committed before it, later ones go to the target chunk, and only
// a commit racing the retirement itself may fail.
func TestCompressChunkIntoConcurrentWriter(t *testing.T) {
	db := openMem(t, Options{MergeThreshold: 2})
	commitAppend(t, db, 1, shuffled(0, 3000)...)
	commitAppend(t, db, 2, shuffled(3000, 6000)...)
	if _, err := db.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	var committed []int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := int64(0); i < 40; i++ {
			txn := db.Begin()
			ts := []int64{10000 + 2*i, 10001 + 2*i}
			if err := txn.Append(2, testSchema, mkBatch(ts...)); err != nil {
				t.Error(err)
				return
			}
			if err := txn.Commit(); err == nil {
				committed = append(committed, ts...)
			} else if !errors.Is(err, ErrConflict) {
				t.Error(err)
				return
			}
		}
	}()
	if _, err := db.CompressChunkInto(1, 2, byDevice); err != nil {
		t.Error(err)
	}
	wg.Wait()
	got := sortedRows(t, db.Begin(), 1)
	got = append(got, sortedRows(t, db.Begin(), 2)...)
	slices.Sort(got)
	if len(got) != 6000+len(committed) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Fatalf("%d rows (%d distinct), want %d", len(got), len(slices.Compact(slices.Clone(got))), 6000+len(committed))
	}
}

// TestRecompressSegmentwise: folding late rows of one device into a
// compressed chunk rewrites only that device's blocks.
func TestRecompressSegmentwise(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, shuffled(0, 6000)...)
	if _, err := db.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	before := chunkBlocks(t, db, 1)
	commitAppend(t, db, 1, 9000, 9003, 9006) // dev0 only (t % 3)
	want := sortedRows(t, db.Begin(), 1)
	st, err := db.CompressChunk(1, byDevice)
	if err != nil {
		t.Fatal(err)
	}
	if st.InputBlocks != 3 || st.Rows != 2003 || st.KeptBytes <= 0 {
		t.Fatalf("stats %+v: want the delta block and dev0's two blocks, 2003 rows, the rest kept", st)
	}
	if got := sortedRows(t, db.Begin(), 1); !slices.Equal(got, want) {
		t.Fatal("recompression changed the rows")
	}
	checkCompressed(t, db, 1)
	after := chunkBlocks(t, db, 1)
	kept := 0
	for _, a := range after {
		for _, b := range before {
			if a.ID == b.ID {
				kept++
			}
		}
	}
	if kept != 4 || len(after) != 6 {
		t.Fatalf("%d blocks after, %d of them untouched; want 6 and 4", len(after), kept)
	}
}

// TestRemoveChunk: a removal fails rather than delete rows another commit
// stored in the chunk after it; once committed, appends to the chunk fail.
func TestRemoveChunk(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, 1, 2, 3)
	txn := db.Begin()
	if err := txn.RemoveChunk(1); err != nil {
		t.Fatal(err)
	}
	commitAppend(t, db, 1, 4)
	if err := txn.Commit(); !errors.Is(err, ErrConflict) {
		t.Fatalf("removal after a concurrent append: %v, want ErrConflict", err)
	}
	if got := sortedRows(t, db.Begin(), 1); len(got) != 4 {
		t.Fatalf("%d rows, want 4", len(got))
	}
	txn = db.Begin()
	if err := txn.RemoveChunk(1); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := sortedRows(t, db.Begin(), 1); len(got) != 0 {
		t.Fatalf("%d rows after the removal", len(got))
	}
	late := db.Begin()
	if err := late.Append(1, testSchema, mkBatch(5)); err != nil {
		t.Fatal(err)
	}
	if err := late.Commit(); !errors.Is(err, ErrConflict) {
		t.Fatalf("append to a removed chunk: %v, want ErrConflict", err)
	}
}

// TestRewriteInPasses: a rewrite larger than rewritePassBytes runs in
// several time ranges, each read and sorted alone; the rows stay the
// same and every block is compressed.
func TestRewriteInPasses(t *testing.T) {
	defer func(old int64) { rewritePassBytes = old }(rewritePassBytes)
	rewritePassBytes = 8 * int64(len(testSchema.Cols)) * 1500
	db := openMem(t, Options{DisableBackgroundMerge: true})
	for i := int64(0); i < 6; i++ {
		commitAppend(t, db, 1, shuffled(i*1000, (i+1)*1000)...)
	}
	want := sortedRows(t, db.Begin(), 1)
	if r := passRanges(chunkBlocks(t, db, 1), len(testSchema.Cols)); len(r) < 3 {
		t.Fatalf("%d passes for 6000 rows at 1500 a pass", len(r))
	}
	st, err := db.CompressChunk(1, byDevice)
	if err != nil || st.Rows != 6000 {
		t.Fatalf("compress: %+v %v", st, err)
	}
	if got := sortedRows(t, db.Begin(), 1); !slices.Equal(got, want) {
		t.Fatal("compression in passes changed the rows")
	}
	for _, blk := range chunkBlocks(t, db, 1) {
		if !blk.Compressed {
			t.Fatalf("block %d not compressed", blk.ID)
		}
	}
	if st, err := db.DecompressChunk(1); err != nil || st.Rows != 6000 {
		t.Fatalf("decompress: %+v %v", st, err)
	}
	if got := sortedRows(t, db.Begin(), 1); !slices.Equal(got, want) {
		t.Fatal("decompression in passes changed the rows")
	}
}

// TestRetireEpochs: a roll-up's commit starts a new epoch, and the oldest
// epoch stays behind while a transaction begun before it is open.
func TestRetireEpochs(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, shuffled(0, 2000)...)
	commitAppend(t, db, 2, shuffled(2000, 3000)...)
	if _, err := db.CompressChunk(1, byDevice); err != nil {
		t.Fatal(err)
	}
	if db.Epoch() != 0 || db.OldestEpoch() != 0 {
		t.Fatalf("epochs %d/%d before any roll-up", db.Epoch(), db.OldestEpoch())
	}
	old := db.Begin()
	if _, err := db.CompressChunkInto(1, 2, byDevice); err != nil {
		t.Fatal(err)
	}
	if db.Epoch() != 1 || db.OldestEpoch() != 0 {
		t.Fatalf("epochs %d/%d with a transaction from before the roll-up open", db.Epoch(), db.OldestEpoch())
	}
	old.Rollback()
	if db.OldestEpoch() != 1 {
		t.Fatalf("oldest epoch %d after it ended, want 1", db.OldestEpoch())
	}
}

func TestSegmentCuts(t *testing.T) {
	// segs lists segment lengths; want the block lengths.
	cases := []struct {
		segs, want []int
	}{
		{[]int{4320}, []int{1080, 1080, 1080, 1080}},
		{[]int{2560, 2560}, []int{1280, 1280, 1280, 1280}},
		{[]int{1280}, []int{1280}},
		{[]int{1281}, []int{640, 641}},
		{[]int{1000, 1000}, []int{1000, 1000}},
		// Small segments share a block, cut at a segment change once it
		// holds compressedMinRows rows, and at compressedBlockRows.
		{[]int{300, 300, 300, 300, 300}, []int{1200, 300}},
		{[]int{700, 700}, []int{1280, 120}},
		{[]int{999, 999, 999}, []int{1280, 1280, 437}},
		// A big segment closes the shared block before it.
		{[]int{100, 3000, 50}, []int{100, 1000, 1000, 1000, 50}},
		{nil, nil},
	}
	for _, c := range cases {
		seg := make([]int, 0)
		for i, n := range c.segs {
			for range n {
				seg = append(seg, i)
			}
		}
		var got []int
		at := 0
		for _, r := range segmentCuts(len(seg), compressedMinRows, func(i, j int) bool { return seg[i] == seg[j] }) {
			if r[0] != at || r[1] <= r[0] {
				t.Fatalf("segments %v: cut %v after row %d", c.segs, r, at)
			}
			got, at = append(got, r[1]-r[0]), r[1]
		}
		if at != len(seg) || !slices.Equal(got, c.want) {
			t.Errorf("segments %v: blocks %v, want %v", c.segs, got, c.want)
		}
	}
}

// TestSegmentCutsOfAPass checks that a pass over part of a chunk's time
// (ownRows below compressedMinRows) keeps a block per large segment.
func TestSegmentCutsOfAPass(t *testing.T) {
	seg := make([]int, 0)
	for i, n := range []int{620, 620, 100, 620, 1500} {
		for range n {
			seg = append(seg, i)
		}
	}
	var got []int
	for _, r := range segmentCuts(len(seg), compressedMinRows/7, func(i, j int) bool { return seg[i] == seg[j] }) {
		got = append(got, r[1]-r[0])
	}
	if want := []int{620, 620, 100, 620, 750, 750}; !slices.Equal(got, want) {
		t.Fatalf("blocks %v, want %v", got, want)
	}
}
