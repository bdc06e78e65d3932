package storage

import (
	"encoding/binary"
	"slices"
	"testing"
)

func openMem(t testing.TB, opts Options) *DB {
	t.Helper()
	opts.InMemory = true
	db, err := Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// reopen closes db and opens its directory again, as a restart does.
func reopen(t testing.TB, db *DB, dir string) *DB {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(dir, Options{DisableBackgroundMerge: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func mustGetMeta(t *testing.T, txn *Txn, key string) (string, bool) {
	t.Helper()
	v, ok, err := txn.GetMeta(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(v), ok
}

func TestMetaSavepoints(t *testing.T) {
	db := openMem(t, Options{})
	txn := db.Begin()
	txn.PutMeta("a", []byte("1"))
	sp := txn.Savepoint()
	txn.PutMeta("b", []byte("2"))
	txn.DeleteMeta("a")
	if _, ok := mustGetMeta(t, txn, "a"); ok {
		t.Fatal("deleted key a still visible")
	}
	txn.RollbackTo(sp)
	if v, ok := mustGetMeta(t, txn, "a"); !ok || v != "1" {
		t.Fatalf("after RollbackTo a = %q %v, want 1", v, ok)
	}
	if _, ok := mustGetMeta(t, txn, "b"); ok {
		t.Fatal("b visible after RollbackTo")
	}
	// not visible to others before commit
	other := db.Begin()
	if _, ok := mustGetMeta(t, other, "a"); ok {
		t.Fatal("uncommitted write visible to another transaction")
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	// read committed: the open transaction sees the commit
	if v, ok := mustGetMeta(t, other, "a"); !ok || v != "1" {
		t.Fatalf("other sees a = %q %v after commit", v, ok)
	}
	other.Rollback()

	rb := db.Begin()
	rb.PutMeta("c", []byte("3"))
	rb.Rollback()
	if _, ok := mustGetMeta(t, db.Begin(), "c"); ok {
		t.Fatal("rolled back write persisted")
	}
	if err := rb.Commit(); err == nil {
		t.Fatal("commit after rollback succeeded")
	}
	if err := db.Begin().Commit(); err != nil {
		t.Fatalf("empty commit: %v", err)
	}
}

func TestScanMeta(t *testing.T) {
	db := openMem(t, Options{})
	txn := db.Begin()
	for _, k := range []string{"tbl/2", "tbl/1", "job/1", "tbl/3"} {
		txn.PutMeta(k, []byte(k))
	}
	txn.Commit()
	txn = db.Begin()
	txn.DeleteMeta("tbl/2")
	txn.PutMeta("tbl/0", []byte("new"))
	var got []string
	err := txn.ScanMeta("tbl/", func(k string, v []byte) error {
		got = append(got, k+"="+string(v))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tbl/0=new", "tbl/1=tbl/1", "tbl/3=tbl/3"}
	if !slices.Equal(got, want) {
		t.Fatalf("ScanMeta = %v, want %v", got, want)
	}
}

func iterKeys(t *testing.T, txn *Txn, sp Space, start, end []byte) []string {
	t.Helper()
	it := txn.Iter(sp, start, end)
	var out []string
	for it.Next() {
		out = append(out, string(it.Key())+"="+string(it.Value()))
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	// IterReverse must yield the same keys backwards.
	rev := txn.IterReverse(sp, start, end)
	var back []string
	for rev.Next() {
		back = append(back, string(rev.Key())+"="+string(rev.Value()))
	}
	if err := rev.Close(); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(back)
	if !slices.Equal(back, out) {
		t.Fatalf("IterReverse, reversed: %v\nIter: %v", back, out)
	}
	return out
}

func TestRowStore(t *testing.T) {
	db := openMem(t, Options{})
	rows := Space{Table: 7, Index: 0}
	idx := Space{Table: 7, Index: 1}
	other := Space{Table: 8, Index: 0}
	txn := db.Begin()
	for _, k := range []string{"b", "d", "f"} {
		txn.Put(rows, []byte(k), []byte("v"+k))
	}
	txn.Put(idx, []byte("x"), []byte("b"))
	txn.Put(other, []byte("a"), []byte("o"))
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}

	txn = db.Begin()
	txn.Put(rows, []byte("a"), []byte("va"))
	txn.Put(rows, []byte("e"), []byte("ve"))
	txn.Delete(rows, []byte("d"))
	txn.Put(rows, []byte("f"), []byte("vf2"))
	cases := []struct {
		start, end string
		want       []string
	}{
		{"", "", []string{"a=va", "b=vb", "e=ve", "f=vf2"}},
		{"b", "f", []string{"b=vb", "e=ve"}},
		{"c", "", []string{"e=ve", "f=vf2"}},
	}
	for _, c := range cases {
		var s, e []byte
		if c.start != "" {
			s = []byte(c.start)
		}
		if c.end != "" {
			e = []byte(c.end)
		}
		if got := iterKeys(t, txn, rows, s, e); !slices.Equal(got, c.want) {
			t.Errorf("Iter(%q, %q) = %v, want %v", c.start, c.end, got, c.want)
		}
	}
	if v, ok, err := txn.Get(rows, []byte("f")); err != nil || !ok || string(v) != "vf2" {
		t.Fatalf("Get f = %q %v %v", v, ok, err)
	}
	sp := txn.Savepoint()
	txn.DropTable(7)
	if got := iterKeys(t, txn, rows, nil, nil); len(got) != 0 {
		t.Fatalf("rows after DropTable: %v", got)
	}
	if _, ok, _ := txn.Get(idx, []byte("x")); ok {
		t.Fatal("index entry survived DropTable")
	}
	txn.RollbackTo(sp)
	if got := iterKeys(t, txn, rows, nil, nil); len(got) != 4 {
		t.Fatalf("rows after RollbackTo: %v", got)
	}
	txn.DropTable(7)
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	txn = db.Begin()
	if got := iterKeys(t, txn, rows, nil, nil); len(got) != 0 {
		t.Fatalf("rows after committed DropTable: %v", got)
	}
	if got := iterKeys(t, txn, other, nil, nil); !slices.Equal(got, []string{"a=o"}) {
		t.Fatalf("other table damaged: %v", got)
	}
}

func TestSequences(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{DisableBackgroundMerge: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(1); i <= 40; i++ {
		v, err := db.NextSequence("s", 1)
		if err != nil || v != i {
			t.Fatalf("NextSequence = %d %v, want %d", v, err, i)
		}
	}
	if v, _ := db.NextSequence("t", 5); v != 5 {
		t.Fatalf("step 5 from 0 = %d", v)
	}
	if err := db.SetSequence("u", 100); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(dir, Options{DisableBackgroundMerge: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := db.NextSequence("s", 1)
	if err != nil || v <= 40 {
		t.Fatalf("after reopen NextSequence = %d %v, want > 40", v, err)
	}
	if v, _ := db.NextSequence("u", 1); v != 101 {
		t.Fatalf("after setval 100 next = %d, want 101", v)
	}
	if v, _ := db.NextSequence("u", -2); v != 99 {
		t.Fatalf("step -2 = %d, want 99", v)
	}
	if err := db.SetSequence("x", 1<<62); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NextSequence("x", 1<<62); err == nil {
		t.Fatal("overflow not reported")
	}
}

func TestKeyPrefixesDisjoint(t *testing.T) {
	keys := map[string][]byte{
		"meta":  metaKey("zzz"),
		"seq":   seqKey(""),
		"row":   rowKey(Space{Table: 1}, nil),
		"chunk": blockMetaKey(1, 1),
		"col":   colKey(1, 1, 1),
		"int":   internalKey(internalBlockIDs),
	}
	seen := map[byte]string{}
	for name, k := range keys {
		if name == "col" {
			continue
		}
		if prev, ok := seen[k[0]]; ok {
			t.Fatalf("%s and %s share prefix %x", name, prev, k[0])
		}
		seen[k[0]] = name
	}
	if c, id, err := parseBlockMetaKey(blockMetaKey(5, 9)); err != nil || c != 5 || id != 9 {
		t.Fatalf("parseBlockMetaKey = %d %d %v", c, id, err)
	}
	ms, me := chunkMetaSpan(5)
	if k := colKey(5, 1, 1); string(k) >= string(ms) && string(k) < string(me) {
		t.Fatal("column key inside metadata span")
	}
}

// TestPutNewer: of two transactions writing the same key with PutNewer,
// the newer value (by its 8-byte prefix) stays, whatever the commit
// order; a plain Put still overwrites.
func TestPutNewer(t *testing.T) {
	db := openMem(t, Options{})
	sp := Space{Table: 9, Index: 2}
	val := func(ts uint64, s string) []byte {
		return append(binary.BigEndian.AppendUint64(nil, ts), s...)
	}
	get := func() string {
		txn := db.Begin()
		defer txn.Rollback()
		v, ok, err := txn.GetLatest(sp, []byte("k"))
		if err != nil || !ok {
			t.Fatalf("get: %v %v", ok, err)
		}
		return string(v[8:])
	}
	commit := func(txn *Txn) {
		if err := txn.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	newer, older := db.Begin(), db.Begin()
	newer.PutNewer(sp, []byte("k"), val(20, "new"))
	older.PutNewer(sp, []byte("k"), val(10, "old"))
	commit(newer)
	commit(older) // commits last, yet older
	if got := get(); got != "new" {
		t.Fatalf("after an older commit last: %q, want new", got)
	}
	later := db.Begin()
	later.PutNewer(sp, []byte("k"), val(30, "later"))
	commit(later)
	if got := get(); got != "later" {
		t.Fatalf("after a newer commit: %q, want later", got)
	}
	plain := db.Begin()
	plain.Put(sp, []byte("k"), val(5, "plain"))
	commit(plain)
	if got := get(); got != "plain" {
		t.Fatalf("after a plain Put: %q, want plain", got)
	}
}
