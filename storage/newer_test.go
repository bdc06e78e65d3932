package storage

import (
	"encoding/binary"
	"testing"
)

// TestNewerCache: PutNewer commits decide from the committed stamps kept
// in memory; plain writes (Put, Delete, DropTable) keep them exact, and
// NewerStamp answers from the transaction's own writes, the cache and
// pebble alike.
func TestNewerCache(t *testing.T) {
	db := openMem(t, Options{})
	sp := Space{Table: 9, Index: 2}
	val := func(ts uint64, s string) []byte {
		return append(binary.BigEndian.AppendUint64(nil, ts), s...)
	}
	get := func(k string) string {
		txn := db.Begin()
		defer txn.Rollback()
		v, ok, err := txn.GetLatest(sp, []byte(k))
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return "<none>"
		}
		return string(v[8:])
	}
	stamp := func(txn *Txn, k string) uint64 {
		st, ok, err := txn.NewerStamp(sp, []byte(k))
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return 0
		}
		return binary.BigEndian.Uint64(st[:])
	}
	put := func(k string, ts uint64, s string) {
		txn := db.Begin()
		txn.PutNewer(sp, []byte(k), val(ts, s))
		if err := txn.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	plain := func(f func(txn *Txn)) {
		txn := db.Begin()
		f(txn)
		if err := txn.Commit(); err != nil {
			t.Fatal(err)
		}
	}

	put("k", 20, "a")
	put("k", 10, "older") // the cache says 20: kept
	if got := get("k"); got != "a" {
		t.Fatalf("older PutNewer replaced the entry: %q", got)
	}
	txn := db.Begin()
	if got := stamp(txn, "k"); got != 20 {
		t.Fatalf("NewerStamp = %d, want 20 (cached)", got)
	}
	txn.PutNewer(sp, []byte("k"), val(25, "mine"))
	if got := stamp(txn, "k"); got != 25 {
		t.Fatalf("NewerStamp = %d, want its own 25", got)
	}
	txn.Rollback()

	// A plain Put lowers the entry: the next PutNewer compares with it,
	// not with the stamp cached before.
	plain(func(txn *Txn) { txn.Put(sp, []byte("k"), val(5, "plain")) })
	put("k", 7, "b")
	if got := get("k"); got != "b" {
		t.Fatalf("after a plain Put of 5, PutNewer of 7: %q, want b", got)
	}
	// Delete, then an older PutNewer lands.
	plain(func(txn *Txn) { txn.Delete(sp, []byte("k")) })
	put("k", 1, "c")
	if got := get("k"); got != "c" {
		t.Fatalf("after a Delete, PutNewer of 1: %q, want c", got)
	}
	// DropTable removes cached entries too.
	put("k", 50, "d")
	plain(func(txn *Txn) { txn.DropTable(9) })
	if got := get("k"); got != "<none>" {
		t.Fatalf("after DropTable: %q", got)
	}
	put("k", 2, "e")
	if got := get("k"); got != "e" {
		t.Fatalf("after DropTable, PutNewer of 2: %q, want e", got)
	}
	// A transaction with a plain write of its own reads through it.
	txn = db.Begin()
	txn.Delete(sp, []byte("k"))
	if got := stamp(txn, "k"); got != 0 {
		t.Fatalf("NewerStamp after its own Delete = %d, want none", got)
	}
	txn.PutNewer(sp, []byte("k"), val(1, "f"))
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	// A key deleted first is written as it is (the recompute after a
	// DELETE does that).
	if got := get("k"); got != "f" {
		t.Fatalf("Delete + older PutNewer: %q, want f", got)
	}
	// Rolled-back savepoints forget PutNewer writes.
	txn = db.Begin()
	sp0 := txn.Savepoint()
	txn.PutNewer(sp, []byte("k"), val(99, "gone"))
	txn.RollbackTo(sp0)
	if got := stamp(txn, "k"); got != 1 {
		t.Fatalf("NewerStamp after RollbackTo = %d, want 1", got)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := get("k"); got != "f" {
		t.Fatalf("after a rolled-back PutNewer: %q, want f", got)
	}
}
