package storage

import "testing"

// TestPointReadCache checks that cached point reads serve only reads of
// the generation they were read at: a later commit is seen at once, a
// repeatable-read snapshot keeps its own value, and a transaction sees
// its own writes.
func TestPointReadCache(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	sp := Space{Table: 7, Index: 1}
	put := func(v string) {
		txn := db.Begin()
		txn.Put(sp, []byte("k"), []byte(v))
		if err := txn.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	get := func(txn *Txn) string {
		t.Helper()
		v, ok, err := txn.Get(sp, []byte("k"))
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return "<none>"
		}
		return string(v)
	}
	read := func() string {
		txn := db.Begin()
		defer txn.Rollback()
		return get(txn)
	}

	if got := read(); got != "<none>" {
		t.Fatalf("empty: %s", got)
	}
	put("v1") // a cached "not found" must not survive the commit
	if got := read(); got != "v1" {
		t.Fatalf("after the first commit: %s", got)
	}
	gen := db.lists.started.Load()
	if _, _, hit := db.reads.lookup(gen, rowKey(sp, []byte("k"))); !hit {
		t.Fatalf("no cached read of generation %d", gen)
	}
	if got := read(); got != "v1" {
		t.Fatalf("cached: %s", got)
	}

	old := db.Begin()
	old.SetRepeatableRead(true)
	defer old.Rollback()
	if got := get(old); got != "v1" {
		t.Fatalf("snapshot: %s", got)
	}
	put("v2")
	if got := read(); got != "v2" {
		t.Fatalf("after the second commit: %s", got)
	}
	if got := get(old); got != "v1" {
		t.Fatalf("snapshot after a commit: %s", got)
	}

	own := db.Begin()
	defer own.Rollback()
	if got := get(own); got != "v2" {
		t.Fatalf("before own write: %s", got)
	}
	own.Put(sp, []byte("k"), []byte("mine"))
	if got := get(own); got != "mine" {
		t.Fatalf("own write: %s", got)
	}
	if got := read(); got != "v2" {
		t.Fatalf("another transaction sees an uncommitted write: %s", got)
	}

	// Reads of an older generation never replace a newer one's.
	db.reads.store(gen, []byte("x"), []byte("old"), true)
	if _, _, hit := db.reads.lookup(gen, []byte("x")); hit {
		t.Fatal("a read of an older generation was stored")
	}
}
