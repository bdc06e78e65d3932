package storage

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"
)

func commitKV(t *testing.T, db *DB, sp Space, sets map[string]string, dels ...string) {
	t.Helper()
	txn := db.Begin()
	for k, v := range sets {
		txn.Put(sp, []byte(k), []byte(v))
	}
	for _, k := range dels {
		txn.Delete(sp, []byte(k))
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
}

func getString(t *testing.T, txn *Txn, sp Space, k string) string {
	t.Helper()
	v, ok, err := txn.Get(sp, []byte(k))
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return "<none>"
	}
	return string(v)
}

// A repeatable-read transaction reads one snapshot, taken at its first
// read, across statements, plus its own writes; read committed sees
// each commit.
func TestRepeatableReadKeys(t *testing.T) {
	db := openMem(t, Options{})
	sp := Space{Table: 9}
	commitKV(t, db, sp, map[string]string{"a": "1", "b": "2", "c": "3"})
	rr := db.Begin()
	rr.SetRepeatableRead(true)
	rc := db.Begin()
	if got := iterKeys(t, rr, sp, nil, nil); !slices.Equal(got, []string{"a=1", "b=2", "c=3"}) {
		t.Fatalf("first read = %v", got)
	}
	commitKV(t, db, sp, map[string]string{"a": "10", "d": "4"}, "b")
	rr.NewStatement()
	rc.NewStatement()
	if got := iterKeys(t, rr, sp, nil, nil); !slices.Equal(got, []string{"a=1", "b=2", "c=3"}) {
		t.Fatalf("repeatable read after commit = %v", got)
	}
	if got := getString(t, rr, sp, "a"); got != "1" {
		t.Fatalf("Get a = %s", got)
	}
	if got := getString(t, rr, sp, "d"); got != "<none>" {
		t.Fatalf("Get d = %s", got)
	}
	if got := iterKeys(t, rc, sp, nil, nil); !slices.Equal(got, []string{"a=10", "c=3", "d=4"}) {
		t.Fatalf("read committed after commit = %v", got)
	}
	if v, ok, _ := rr.GetLatest(sp, []byte("d")); !ok || string(v) != "4" {
		t.Fatalf("GetLatest d = %q %v", v, ok)
	}
	// Own writes, savepoints.
	rr.Put(sp, []byte("c"), []byte("30"))
	sp1 := rr.Savepoint()
	rr.Delete(sp, []byte("a"))
	rr.Put(sp, []byte("e"), []byte("5"))
	if got := iterKeys(t, rr, sp, nil, nil); !slices.Equal(got, []string{"b=2", "c=30", "e=5"}) {
		t.Fatalf("with own writes = %v", got)
	}
	rr.RollbackTo(sp1)
	if got := iterKeys(t, rr, sp, nil, nil); !slices.Equal(got, []string{"a=1", "b=2", "c=30"}) {
		t.Fatalf("after RollbackTo = %v", got)
	}
	if got := iterKeys(t, rr, sp, []byte("b"), []byte("c")); !slices.Equal(got, []string{"b=2"}) {
		t.Fatalf("bounded = %v", got)
	}
	// Conflicts: a and b changed after the snapshot, c did not.
	for k, want := range map[string]bool{"a": true, "b": true, "c": false, "d": true, "x": false} {
		if got := rr.ChangedSince(sp, []byte(k)); got != want {
			t.Errorf("ChangedSince(%s) = %v, want %v", k, got, want)
		}
	}
	if rc.ChangedSince(sp, []byte("a")) {
		t.Error("read committed reports a conflict")
	}
	rr.Rollback()
	rc.Rollback()
	if n := db.rr.open.Load(); n != 0 || len(db.rr.last) != 0 {
		t.Fatalf("conflict record not cleared: open %d, keys %d", n, len(db.rr.last))
	}
}

// The merged iterator agrees with a model under random writes.
func TestRepeatableReadOverlayRandom(t *testing.T) {
	db := openMem(t, Options{})
	sp := Space{Table: 3}
	r := rand.New(rand.NewSource(1))
	base := map[string]string{}
	init := map[string]string{}
	for i := 0; i < 50; i++ {
		k := fmt.Sprintf("k%02d", r.Intn(100))
		base[k], init[k] = "s", "s"
	}
	commitKV(t, db, sp, init)
	txn := db.Begin()
	txn.SetRepeatableRead(true)
	iterKeys(t, txn, sp, nil, nil)
	commitKV(t, db, sp, map[string]string{"k00": "late", "k99": "late"})
	model := map[string]string{}
	for k, v := range base {
		model[k] = v
	}
	for i := 0; i < 300; i++ {
		k := fmt.Sprintf("k%02d", r.Intn(100))
		switch r.Intn(3) {
		case 0:
			txn.Delete(sp, []byte(k))
			delete(model, k)
		default:
			v := fmt.Sprint(i)
			txn.Put(sp, []byte(k), []byte(v))
			model[k] = v
		}
		if i%50 == 0 {
			var want []string
			for k, v := range model {
				want = append(want, k+"="+v)
			}
			sort.Strings(want)
			if got := iterKeys(t, txn, sp, nil, nil); !slices.Equal(got, want) {
				t.Fatalf("step %d: got %v\nwant %v", i, got, want)
			}
		}
	}
	txn.DropTable(3)
	if got := iterKeys(t, txn, sp, nil, nil); len(got) != 0 {
		t.Fatalf("after DropTable: %v", got)
	}
	txn.Put(sp, []byte("z"), []byte("1"))
	if got := iterKeys(t, txn, sp, nil, nil); !slices.Equal(got, []string{"z=1"}) {
		t.Fatalf("after DropTable and Put: %v", got)
	}
	txn.Rollback()
}

// Chunk reads of a repeatable-read transaction keep their snapshot, and
// a rewrite committed after it shows in ChunkChangedSince; appends do not.
func TestRepeatableReadChunks(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, 1, 2, 3)
	rr := db.Begin()
	rr.SetRepeatableRead(true)
	if got := sortedRows(t, rr, 1); len(got) != 3 {
		t.Fatalf("rows = %v", got)
	}
	commitAppend(t, db, 1, 4)
	rr.NewStatement()
	if got := sortedRows(t, rr, 1); len(got) != 3 {
		t.Fatalf("rows after append = %v", got)
	}
	if ch, err := rr.ChunkChangedSince(1); err != nil || ch {
		t.Fatalf("ChunkChangedSince after append = %v %v", ch, err)
	}
	w := db.Begin()
	rewriteWhere(t, w, 1, func(ts int64) bool { return ts != 2 }, func(int64) bool { return false })
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	rr.NewStatement()
	if got := sortedRows(t, rr, 1); len(got) != 3 {
		t.Fatalf("rows after delete = %v", got)
	}
	if ch, err := rr.ChunkChangedSince(1); err != nil || !ch {
		t.Fatalf("ChunkChangedSince after delete = %v %v", ch, err)
	}
	// Under ReadLatest the chunk is listed as it is now: 1, 3 and 4 (the
	// rewrite's new block is not in the snapshot).
	restore := rr.ReadLatest()
	blocks, _, err := rr.Blocks(fullSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedRows(t, rr, 1); len(got) != 3 || !strings.HasPrefix(got[0], "1|") || !strings.HasPrefix(got[1], "3|") {
		t.Fatalf("rows under ReadLatest = %v", got)
	}
	restore()
	inSnap := 0
	for _, b := range blocks {
		ok, err := rr.InSnapshot(1, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			inSnap++
		}
	}
	if inSnap != 0 || len(blocks) != 2 { // the append of 4 and the rewrite's block are new
		t.Fatalf("%d of %d latest blocks in the snapshot, want 0 of 2", inSnap, len(blocks))
	}
	old, _, err := rr.Blocks(fullSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := rr.InSnapshot(1, old[0].ID); err != nil || !ok || len(old) != 1 {
		t.Fatalf("snapshot's block: InSnapshot %v %v (%d blocks)", ok, err, len(old))
	}
	if got := sortedRows(t, rr, 1); len(got) != 3 || !strings.HasPrefix(got[1], "2|") {
		t.Fatalf("rows after ReadLatest = %v", got)
	}
	rr.Rollback()
}

// The conflict record forgets writes every open snapshot sees, and keeps
// the others.
func TestRepeatableReadConflictPrune(t *testing.T) {
	db := openMem(t, Options{})
	sp := Space{Table: 4}
	t1 := db.Begin()
	t1.SetRepeatableRead(true)
	getString(t, t1, sp, "a")
	many := map[string]string{}
	for i := 0; i < 5000; i++ {
		many[fmt.Sprintf("k%05d", i)] = "v"
	}
	commitKV(t, db, sp, many)
	t2 := db.Begin()
	t2.SetRepeatableRead(true)
	getString(t, t2, sp, "a")
	commitKV(t, db, sp, map[string]string{"x": "1"})
	if !t1.ChangedSince(sp, []byte("k00001")) || t2.ChangedSince(sp, []byte("k00001")) {
		t.Fatal("k00001: want changed for t1 only")
	}
	t1.Rollback()
	if n := len(db.rr.last); n != 1 {
		t.Fatalf("%d keys recorded after pruning, want 1", n)
	}
	if !t2.ChangedSince(sp, []byte("x")) {
		t.Fatal("x: want changed for t2")
	}
	// ReadLatest shows the latest state to a repeatable-read transaction.
	restore := t2.ReadLatest()
	if got := getString(t, t2, sp, "x"); got != "1" {
		t.Fatalf("x under ReadLatest = %s", got)
	}
	restore()
	if got := getString(t, t2, sp, "x"); got != "<none>" {
		t.Fatalf("x after ReadLatest = %s", got)
	}
	t2.Rollback()
}
