package storage

import (
	"errors"
	"math/rand"
	"slices"
	"sync"
	"testing"
)

func TestMergeSealsSorted(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	r := rand.New(rand.NewSource(1))
	var all []int64
	for i := 0; i < 12; i++ {
		ts := make([]int64, 1000)
		for j := range ts {
			ts[j] = r.Int63n(100000)
		}
		all = append(all, ts...)
		commitAppend(t, db, 1, ts...)
	}
	before := sortedRows(t, db.Begin(), 1)
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	txn := db.Begin()
	after := sortedRows(t, txn, 1)
	if !slices.Equal(before, after) {
		t.Fatalf("merge changed rows: %d before, %d after", len(before), len(after))
	}
	blocks, _, err := txn.Blocks(fullSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	if want := (len(all) + SealedBlockRows - 1) / SealedBlockRows; len(blocks) != want {
		t.Fatalf("%d blocks after merge, want %d", len(blocks), want)
	}
	prevMax := int64(-1)
	for _, blk := range blocks {
		if !blk.Sealed {
			t.Fatalf("block %d not sealed", blk.ID)
		}
		b, err := txn.ReadBlock(fullSpec(1), blk)
		if err != nil {
			t.Fatal(err)
		}
		ts := b.Cols[0].I64
		if !slices.IsSorted(ts) || ts[0] < prevMax {
			t.Fatalf("block %d not sorted after previous blocks", blk.ID)
		}
		prevMax = ts[len(ts)-1]
	}
	// merging again is a no-op (one small sealed block at most)
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	if after2 := sortedRows(t, db.Begin(), 1); !slices.Equal(after, after2) {
		t.Fatal("second merge changed rows")
	}
	// deltas on top of a small sealed block merge with it
	commitAppend(t, db, 1, 5, 6)
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	blocks, _, _ = db.Begin().Blocks(fullSpec(1))
	for _, blk := range blocks {
		if !blk.Sealed {
			t.Fatal("delta block left after merge")
		}
	}
	if got := sortedRows(t, db.Begin(), 1); len(got) != len(all)+2 {
		t.Fatalf("%d rows, want %d", len(got), len(all)+2)
	}
}

func TestBackgroundMerge(t *testing.T) {
	db := openMem(t, Options{MergeThreshold: 3})
	for i := int64(0); i < 8; i++ {
		commitAppend(t, db, 1, 100-i)
	}
	// The merge runs in the background; call it synchronously too so the
	// test does not wait: both must leave the same rows.
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	got := sortedRows(t, db.Begin(), 1)
	if len(got) != 8 {
		t.Fatalf("%d rows, want 8", len(got))
	}
}

// TestMergeRacesWithWriters runs appends, rewrites and merges concurrently
// and checks no row is lost or duplicated.
func TestMergeRacesWithWriters(t *testing.T) {
	db := openMem(t, Options{MergeThreshold: 2})
	const writers, commits = 2, 40
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < commits; i++ {
				base := int64(w*100000 + i*10)
				txn := db.Begin()
				if err := txn.Append(1, testSchema, mkBatch(base, base+1, base+2)); err != nil {
					t.Error(err)
					return
				}
				if err := txn.Commit(); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	var merges sync.WaitGroup
	merges.Add(1)
	go func() {
		defer merges.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := db.Merge(1); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	// a rewriter that deletes rows with time%10 == 2, retrying on conflict
	deleted := 0
	for i := 0; i < 10; i++ {
		txn := db.Begin()
		err := tryRewriteWhere(txn, 1, func(ts int64) bool { return ts%10 != 2 }, func(int64) bool { return false })
		if err == nil {
			err = txn.Commit()
		} else {
			txn.Rollback()
		}
		if err == nil {
			deleted++
		} else if !errors.Is(err, ErrConflict) {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(stop)
	merges.Wait()
	// final cleanup pass (retry until no conflict), then check
	for {
		txn := db.Begin()
		err := tryRewriteWhere(txn, 1, func(ts int64) bool { return ts%10 != 2 }, func(int64) bool { return false })
		if err == nil {
			err = txn.Commit()
		} else {
			txn.Rollback()
		}
		if err == nil {
			break
		}
		if !errors.Is(err, ErrConflict) {
			t.Fatal(err)
		}
	}
	if err := db.Merge(1); err != nil {
		t.Fatal(err)
	}
	got := sortedRows(t, db.Begin(), 1)
	if len(got) != writers*commits*2 {
		t.Fatalf("%d rows, want %d (rewrites committed: %d)", len(got), writers*commits*2, deleted)
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Fatalf("duplicate row %s", got[i])
		}
	}
}

// TestMergeTinyCommits feeds a chunk single-row commits, merging after
// every 16 as the background merge would, and checks that small sealed
// blocks stay few (they are combined only in groups) and no row is lost.
func TestMergeTinyCommits(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	const n = 3000
	for i := 0; i < n; i++ {
		commitAppend(t, db, 1, int64(i))
		if i%16 == 15 {
			if err := db.Merge(1); err != nil {
				t.Fatal(err)
			}
		}
	}
	txn := db.Begin()
	defer txn.Rollback()
	blocks, _, err := txn.Blocks(fullSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	small, rows := 0, 0
	for _, b := range blocks {
		rows += b.Rows
		if b.Sealed && b.Rows < SealedBlockRows {
			small++
		}
	}
	if rows != n {
		t.Fatalf("%d rows after merges, want %d", rows, n)
	}
	if small > smallSealedFanIn {
		t.Fatalf("%d small sealed blocks, want at most %d", small, smallSealedFanIn)
	}
	if got := len(sortedRows(t, txn, 1)); got != n {
		t.Fatalf("read %d rows, want %d", got, n)
	}
}
