package storage

import (
	"slices"
	"testing"
)

// TestBlockListCache: a chunk's stored block list is reused by later
// snapshots of the same generation and read again after any commit; a
// snapshot taken before a commit keeps its own list.
func TestBlockListCache(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, 1, 2, 3)
	commitAppend(t, db, 1, 10, 11)
	ids := func(txn *Txn) []uint64 {
		blocks, _, err := txn.Blocks(fullSpec(1))
		if err != nil {
			t.Fatal(err)
		}
		var out []uint64
		for _, b := range blocks {
			out = append(out, b.ID)
		}
		return out
	}
	old := db.Begin()
	old.SetRepeatableRead(true)
	defer old.Rollback()
	first := ids(old)

	a := db.Begin()
	before := ids(a)
	a.Rollback()
	b := db.Begin()
	again := ids(b)
	b.Rollback()
	if !slices.Equal(before, again) || !slices.Equal(before, first) {
		t.Fatalf("lists differ without a commit: %v, %v, %v", first, before, again)
	}
	gen := db.lists.started.Load()
	if e, ok := db.lists.lists[1]; !ok || e.gen != gen {
		t.Fatalf("no cached list of generation %d: %+v", gen, db.lists.lists[1])
	}

	commitAppend(t, db, 1, 20)
	c := db.Begin()
	after := ids(c)
	c.Rollback()
	if len(after) != len(before)+1 {
		t.Fatalf("after a commit: blocks %v, before %v", after, before)
	}
	if got := ids(old); !slices.Equal(got, first) {
		t.Fatalf("repeatable-read snapshot lists %v after a commit, first %v", got, first)
	}
	if got := sortedRows(t, old, 1); len(got) != 5 {
		t.Fatalf("repeatable-read snapshot reads %d rows, want 5", len(got))
	}
}
