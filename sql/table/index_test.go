package table

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// indexedTable is a table (id PRIMARY KEY, a int, b text) with a plain
// index on (a opt0, b opt1).
func indexedTable(opt0, opt1 int16) *catalog.Table {
	return &catalog.Table{OID: 20000, Name: "t", Cols: []catalog.Column{
		{ID: 1, Name: "id", Type: types.Int8, NotNull: true},
		{ID: 2, Name: "a", Type: types.Int8},
		{ID: 3, Name: "b", Type: types.Text},
	}, Indexes: []catalog.Index{
		{Name: "t_pkey", Cols: []uint32{1}, Unique: true, Primary: true},
		{Name: "t_a_b", Cols: []uint32{2, 3}, Options: []int16{opt0, opt1}, Space: 1},
	}}
}

// compareOpt compares column values as ORDER BY with index options o.
func compareOpt(x, y any, o int16) int {
	if x == nil || y == nil {
		if x == nil && y == nil {
			return 0
		}
		c := 1 // NULLs last
		if x != nil {
			c = -1
		}
		if o&catalog.IndexNullsFirst != 0 {
			c = -c
		}
		return c
	}
	var c int
	switch v := x.(type) {
	case int64:
		c = int(v - y.(int64))
	case string:
		c = strings.Compare(v, y.(string))
	}
	if o&catalog.IndexDesc != 0 {
		c = -c
	}
	return c
}

// TestIndexEntryOrder checks that entry keys sort like ORDER BY the
// index's columns (with every DESC / NULLS FIRST combination), then the
// row key, and that the row key is found at their end.
func TestIndexEntryOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	opts := []int16{0, catalog.IndexDesc, catalog.IndexNullsFirst, catalog.IndexDesc | catalog.IndexNullsFirst}
	for _, o0 := range opts {
		for _, o1 := range opts {
			tb := indexedTable(o0, o1)
			ix := &tb.Indexes[1]
			type ent struct {
				row []any
				key []byte
			}
			var ents []ent
			for i := 0; i < 300; i++ {
				row := []any{int64(i), int64(rng.Intn(7) - 3), fmt.Sprintf("s%d\x00%d", rng.Intn(5), rng.Intn(3))}
				if rng.Intn(6) == 0 {
					row[1] = nil
				}
				if rng.Intn(6) == 0 {
					row[2] = nil
				}
				rk, _ := RowKey(tb, row, 0)
				k, err := entryKey(tb, ix, row, rk)
				if err != nil {
					t.Fatal(err)
				}
				got, err := EntryRowKey(ix, k)
				if err != nil || string(got) != string(rk) {
					t.Fatalf("row key of entry %x: %x, %v; want %x", k, got, err, rk)
				}
				ents = append(ents, ent{row, k})
			}
			slices.SortFunc(ents, func(x, y ent) int { return strings.Compare(string(x.key), string(y.key)) })
			for i := 1; i < len(ents); i++ {
				x, y := ents[i-1].row, ents[i].row
				c := compareOpt(x[1], y[1], o0)
				if c == 0 {
					c = compareOpt(x[2], y[2], o1)
				}
				if c == 0 {
					c = int(x[0].(int64) - y[0].(int64))
				}
				if c > 0 {
					t.Fatalf("options %d,%d: %v sorts before %v", o0, o1, x, y)
				}
			}
		}
	}
}

// TestIndexMaintained checks that PutRow, ReplaceRow and DeleteRow keep
// a plain index's entries in step with the rows, and that IndexSpan and
// IndexIter read exactly the matching rows.
func TestIndexMaintained(t *testing.T) {
	w, _ := testWriter(t)
	tb := indexedTable(catalog.IndexDesc|catalog.IndexNullsFirst, 0)
	ix := &tb.Indexes[1]
	rows := map[int64][]any{}
	for i := int64(0); i < 50; i++ {
		row := []any{i, i % 5, fmt.Sprint("v", i%3)}
		if i%11 == 0 {
			row[1] = nil
		}
		key, _ := RowKey(tb, row, 0)
		if err := w.PutRow(tb, key, row); err != nil {
			t.Fatal(err)
		}
		rows[i] = row
	}
	for i := int64(0); i < 50; i += 4 {
		key, _ := RowKey(tb, rows[i], 0)
		nrow := []any{i, int64(9), "moved"}
		if err := w.ReplaceRow(tb, key, rows[i], nrow); err != nil {
			t.Fatal(err)
		}
		rows[i] = nrow
	}
	for i := int64(1); i < 50; i += 7 {
		key, _ := RowKey(tb, rows[i], 0)
		w.DeleteRow(tb, key, rows[i])
		delete(rows, i)
	}
	read := func(eq []any, lo, hi *IndexBound, backward bool) []int64 {
		start, end, err := IndexSpan(tb, ix, eq, lo, hi)
		if err != nil {
			t.Fatal(err)
		}
		it := NewIndexIter(w.Txn, tb, ix, start, end, backward)
		defer it.Close()
		var ids []int64
		for it.Next() {
			ids = append(ids, it.Row()[0].(int64))
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	want := func(f func(a any) bool) []int64 {
		var ids []int64
		for id, r := range rows {
			if f(r[1]) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		return ids
	}
	sorted := func(ids []int64) []int64 { slices.Sort(ids); return ids }
	if got, w := sorted(read([]any{int64(2)}, nil, nil, false)), want(func(a any) bool { return a == int64(2) }); !slices.Equal(got, w) {
		t.Errorf("a = 2: %v, want %v", got, w)
	}
	if got, w := sorted(read(nil, &IndexBound{Val: int64(1)}, &IndexBound{Val: int64(3), Incl: true}, true)), want(func(a any) bool { return a != nil && a.(int64) > 1 && a.(int64) <= 3 }); !slices.Equal(got, w) {
		t.Errorf("1 < a <= 3: %v, want %v", got, w)
	}
	all := read(nil, nil, nil, false)
	if len(all) != len(rows) || rows[all[0]][1] != nil {
		t.Errorf("whole index: %v (NULLs first)", all)
	}
}

// TestLookupIndex checks Writer.LookupIndex on a plain index prefix, the
// primary key and a NULL value.
func TestLookupIndex(t *testing.T) {
	w, _ := testWriter(t)
	tb := indexedTable(0, catalog.IndexDesc)
	for i := int64(0); i < 20; i++ {
		row := []any{i, i % 4, fmt.Sprint("v", i%2)}
		key, _ := RowKey(tb, row, 0)
		if err := w.PutRow(tb, key, row); err != nil {
			t.Fatal(err)
		}
	}
	count := func(ix *catalog.Index, vals ...any) int {
		it, err := w.LookupIndex(tb, ix, vals)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		n := 0
		for it.Next() {
			n++
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(&tb.Indexes[1], int64(1)); n != 5 {
		t.Errorf("a = 1: %d rows, want 5", n)
	}
	if n := count(&tb.Indexes[1], int64(1), "v1"); n != 5 {
		t.Errorf("a = 1, b = v1: %d rows, want 5", n)
	}
	if n := count(&tb.Indexes[1], int64(2), "v1"); n != 0 {
		t.Errorf("a = 2, b = v1: %d rows, want 0", n)
	}
	if n := count(&tb.Indexes[0], int64(7)); n != 1 {
		t.Errorf("id = 7: %d rows, want 1", n)
	}
	if n := count(&tb.Indexes[1], nil); n != 0 {
		t.Errorf("a = NULL: %d rows, want 0", n)
	}
}
