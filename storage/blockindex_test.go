package storage

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/tsgres/tsgres/storage/col"
)

// keyMeta is a one-column block (column 7) for the key index tests: kind
// Int64 with min/max lo/hi, or all NULL when nulls.
func keyMeta(id uint64, lo, hi any, nulls bool) *BlockMeta {
	c := ColumnMeta{ID: 7, Kind: col.Int64, Count: 10, Min: lo, Max: hi}
	if _, ok := lo.(string); ok {
		c.Kind = col.Bytes
	}
	if nulls {
		c.NullCount, c.Min, c.Max = 10, nil, nil
	}
	return &BlockMeta{ID: id, Rows: 10, Cols: []ColumnMeta{c}}
}

// linearCandidates is what the key index must find: the blocks with rows
// that BlockKeys.MayHold admits, by position.
func linearCandidates(metas []*BlockMeta, k *BlockKeys) []int {
	var out []int
	for i, m := range metas {
		if m.Rows > 0 && k.MayHold(m) {
			out = append(out, i)
		}
	}
	return out
}

func indexCandidates(metas []*BlockMeta, k *BlockKeys) []int {
	var out []int
	eachBit(buildKeyIndex(metas, k.Col).candidates(k, metas), func(p int) { out = append(out, p) })
	return out
}

func checkIndex(t *testing.T, name string, metas []*BlockMeta, k *BlockKeys) {
	t.Helper()
	want, got := linearCandidates(metas, k), indexCandidates(metas, k)
	if !slices.Equal(want, got) {
		t.Fatalf("%s: key index found %v, want %v", name, got, want)
	}
}

func intKeys(ks ...int64) *BlockKeys { return &BlockKeys{Col: 7, Kind: col.Int64, Ints: ks} }

// TestKeyIndexCases: empty lists, NULL-only, absent and empty blocks,
// blocks without min/max, single-valued, ranged and wide blocks.
func TestKeyIndexCases(t *testing.T) {
	checkIndex(t, "empty list", nil, intKeys(1))
	checkIndex(t, "no keys", []*BlockMeta{keyMeta(1, int64(1), int64(1), false)}, intKeys())
	metas := []*BlockMeta{
		keyMeta(1, int64(1), int64(1), false),
		keyMeta(2, int64(1), int64(2), false),
		keyMeta(3, nil, nil, true),                                         // all NULL
		{ID: 4, Rows: 10},                                                  // column absent
		{ID: 5, Rows: 0, Cols: keyMeta(5, int64(3), int64(3), false).Cols}, // empty
		keyMeta(6, int64(0), int64(1000), false),                           // wide
		keyMeta(7, int64(5), int64(5), false),
		keyMeta(8, int64(5), int64(5), false),
		keyMeta(9, int64(7), int64(9), false),
		keyMeta(10, "a", "z", false), // another kind: read
	}
	m := keyMeta(11, int64(1), int64(1), false)
	m.Cols[0].Min, m.Cols[0].Max = nil, nil // no min/max kept: read
	metas = append(metas, m)
	for _, ks := range [][]int64{{1}, {2}, {3}, {5}, {6}, {8}, {9}, {10}, {2000}, {-5}, {1, 5, 8}} {
		checkIndex(t, fmt.Sprint(ks), metas, intKeys(ks...))
	}
	// A wide block among narrow ones is kept apart (loose).
	var many []*BlockMeta
	for i := range 100 {
		many = append(many, keyMeta(uint64(i), int64(2*i), int64(2*i+1), false))
	}
	many = append(many, keyMeta(100, int64(0), int64(500), false))
	x := buildKeyIndex(many, 7)
	if len(x.loose) != 1 || x.loose[0] != 100 {
		t.Fatalf("loose blocks %v, want [100]", x.loose)
	}
	checkIndex(t, "wide", many, intKeys(3, 50, 51, 199, 300))
}

// TestKeyIndexRandom compares the key index with a check of every block
// on random lists of integer and text keys: sorted runs of narrow blocks
// (sealed and compressed blocks), wide and NULL-only blocks, in random
// and sorted order, with few and many keys.
func TestKeyIndexRandom(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for iter := range 300 {
		n := r.Intn(200)
		series := 1 + r.Intn(300)
		var metas []*BlockMeta
		for i := range n {
			var lo, hi int64
			switch r.Intn(10) {
			case 0: // wide
				lo = int64(r.Intn(series))
				hi = lo + int64(r.Intn(series))
			case 1:
				metas = append(metas, keyMeta(uint64(i), nil, nil, true))
				continue
			default: // narrow, roughly in series order
				lo = int64(i*series/max(n, 1) + r.Intn(3) - 1)
				hi = lo + int64(r.Intn(3)/2)
			}
			metas = append(metas, keyMeta(uint64(i), lo, hi, false))
		}
		if iter%3 == 0 {
			r.Shuffle(len(metas), func(i, j int) { metas[i], metas[j] = metas[j], metas[i] })
		}
		nk := 1 + r.Intn(5)
		if iter%5 == 0 {
			nk = r.Intn(2 * series)
		}
		set := map[int64]bool{}
		for range nk {
			set[int64(r.Intn(series+2)-1)] = true
		}
		ints := make([]int64, 0, len(set))
		strs := make([]string, 0, len(set))
		for v := range set {
			ints = append(ints, v)
			strs = append(strs, fmt.Sprintf("host_%06d", v))
		}
		slices.Sort(ints)
		slices.Sort(strs)
		checkIndex(t, fmt.Sprintf("iteration %d int", iter), metas, intKeys(ints...))

		// The same as text.
		text := make([]*BlockMeta, len(metas))
		for i, m := range metas {
			c := m.Cols[0]
			if c.Min != nil {
				c = keyMeta(m.ID, fmt.Sprintf("host_%06d", c.Min), fmt.Sprintf("host_%06d", c.Max), false).Cols[0]
			}
			text[i] = &BlockMeta{ID: m.ID, Rows: m.Rows, Cols: []ColumnMeta{c}}
		}
		checkIndex(t, fmt.Sprintf("iteration %d text", iter), text, &BlockKeys{Col: 7, Kind: col.Bytes, Strs: strs})
	}
}

// TestKeyBlocks: Txn.KeyBlocks lists what Blocks lists, filtered by the
// keys, in the same order, with truthful counts, through the key index of
// the cached list and without it (the transaction's own blocks).
func TestKeyBlocks(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	for i := range 30 {
		commitAppend(t, db, 1, int64(3*i), int64(3*i+1), int64(3*i+2))
	}
	commitAppend(t, db, 1, 1000, 1003, 1006) // dev1 only
	txn := db.Begin()
	defer txn.Rollback()
	if err := txn.Append(1, testSchema, mkBatch(2000)); err != nil { // dev2, pending
		t.Fatal(err)
	}
	spec := fullSpec(1)
	spec.TimeMin, spec.TimeMax = 10, 2000
	all, skipped, err := txn.Blocks(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, keys := range [][]string{{"dev1"}, {"dev2"}, {"dev0", "dev2"}, {"nope"}, {}} {
		k := BlockKeys{Col: 2, Kind: col.Bytes, Strs: keys}
		var want []uint64
		for _, m := range all {
			if k.MayHold(m) {
				want = append(want, m.ID)
			}
		}
		got, n, err := txn.KeyBlocks(spec, []BlockKeys{k})
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 1 && keys[0] == "dev1" { // the first use checks every block
			if got, n, err = txn.KeyBlocks(spec, []BlockKeys{k}); err != nil {
				t.Fatal(err)
			}
		}
		var ids []uint64
		for _, m := range got {
			ids = append(ids, m.ID)
		}
		if !slices.Equal(ids, want) {
			t.Fatalf("keys %v: blocks %v, want %v", keys, ids, want)
		}
		if n.Indexed == 0 && len(keys) > 0 && keys[0] != "nope" {
			t.Fatalf("keys %v: the key index was not used: %+v", keys, n)
		}
		// Every block is counted once: read, skipped by time or by keys.
		if total := len(got) + n.Skipped + n.KeySkipped; total != len(all)+skipped {
			t.Fatalf("keys %v: %d read + %+v, want %d blocks", keys, len(got), n, len(all)+skipped)
		}
	}
	for range 2 { // the second use goes through the time index
		spec.TimeMin, spec.TimeMax = 10, 2000
		ok, _, err := txn.HasBlocks(spec)
		if err != nil || !ok {
			t.Fatalf("HasBlocks = %v, %v", ok, err)
		}
		spec.TimeMin, spec.TimeMax = 5000, 6000
		ok, skipped, err = txn.HasBlocks(spec)
		if err != nil || ok || skipped != 32 {
			t.Fatalf("HasBlocks of an empty range = %v, %d skipped, %v; want false, 32", ok, skipped, err)
		}
	}
	spec.TimeMin, spec.TimeMax = 2000, 2000 // only the pending rows
	if ok, _, err := txn.HasBlocks(spec); err != nil || !ok {
		t.Fatalf("HasBlocks of the pending rows = %v, %v", ok, err)
	}
}

// TestTimeIndex compares the time index's overlap test with a check of
// every block on random lists.
func TestTimeIndex(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for iter := range 500 {
		n := r.Intn(60)
		metas := make([]*BlockMeta, n)
		for i := range metas {
			lo := int64(r.Intn(1000))
			metas[i] = &BlockMeta{ID: uint64(i), Rows: r.Intn(5), MinTime: lo, MaxTime: lo + int64(r.Intn(100))}
		}
		x := buildTimeIndex(metas)
		for range 20 {
			lo := int64(r.Intn(1200) - 100)
			hi := lo + int64(r.Intn(50))
			want := false
			for _, m := range metas {
				want = want || (m.Rows > 0 && m.MaxTime >= lo && m.MinTime <= hi)
			}
			p := x.overlap(lo, hi)
			if (p >= 0) != want {
				t.Fatalf("iteration %d [%d, %d]: overlap %d, want %v", iter, lo, hi, p, want)
			}
			if p >= 0 {
				if m := metas[p]; m.Rows == 0 || m.MaxTime < lo || m.MinTime > hi {
					t.Fatalf("iteration %d [%d, %d]: block %+v does not overlap", iter, lo, hi, m)
				}
			}
		}
	}
}

// TestKeyIndexKept: a commit to another chunk keeps a chunk's key
// indexes; a commit to the chunk itself rebuilds them.
func TestKeyIndexKept(t *testing.T) {
	db := openMem(t, Options{DisableBackgroundMerge: true})
	commitAppend(t, db, 1, 1, 2, 3)
	list := func() *listIndexes {
		txn := db.Begin()
		defer txn.Rollback()
		for range 2 { // the second use builds the index
			if _, _, err := txn.KeyBlocks(fullSpec(1), []BlockKeys{{Col: 2, Kind: col.Bytes, Strs: []string{"dev1"}}}); err != nil {
				t.Fatal(err)
			}
		}
		return db.lists.lists[1].idx
	}
	first := list()
	if first == nil || first.cols[2] == nil {
		t.Fatal("no key index built")
	}
	commitAppend(t, db, 2, 5)
	if list() != first {
		t.Fatal("a commit to another chunk dropped the key index")
	}
	commitAppend(t, db, 1, 5)
	if list() == first {
		t.Fatal("a commit to the chunk kept its old key index")
	}
}

// seriesBlocks is a compressed chunk of TSBS at scale 4000: 13,500
// single-series blocks in series order.
func seriesBlocks() []*BlockMeta {
	metas := make([]*BlockMeta, 13500)
	for i := range metas {
		s := int64(i * 4000 / len(metas))
		metas[i] = keyMeta(uint64(i+1), s, s, false)
		metas[i].Cols = append(metas[i].Cols, ColumnMeta{ID: 8, Kind: col.Float64, Count: 10, Min: 0.0, Max: 1.0})
	}
	return metas
}

// BenchmarkKeyCandidates finds the blocks of one and of eight series
// among 13,500 blocks with the key index and by checking every block.
func BenchmarkKeyCandidates(b *testing.B) {
	metas := seriesBlocks()
	x := buildKeyIndex(metas, 7)
	for _, keys := range [][]int64{{1234}, {7, 500, 999, 1500, 2000, 2500, 3000, 3999}} {
		k := intKeys(keys...)
		b.Run(fmt.Sprintf("index/keys=%d", len(keys)), func(b *testing.B) {
			for range b.N {
				n := 0
				eachBit(x.candidates(k, metas), func(int) { n++ })
			}
		})
		b.Run(fmt.Sprintf("linear/keys=%d", len(keys)), func(b *testing.B) {
			for range b.N {
				n := 0
				for _, m := range metas {
					if k.MayHold(m) {
						n++
					}
				}
			}
		})
	}
	b.Run("build", func(b *testing.B) {
		for range b.N {
			buildKeyIndex(metas, 7)
		}
	})
}
