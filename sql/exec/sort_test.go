package exec

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"testing"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// TestSortMatchesBoxedOrder sorts random rows (NULLs, NaNs, ties, every
// vector kind, bpchar and numeric keys) on random key lists with and
// without LIMIT, at several batch sizes, and checks the order against a
// stable sort of boxed rows with sortSpec.compare: the typed full sort
// and the top-N heap must agree with it exactly.
func TestSortMatchesBoxedOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	cols := ocols("i", types.Int8, "f", types.Float8, "b", types.Bool, "s", types.Text,
		"c", types.T{OID: types.OidBpchar, Mod: -1}, "n", types.Numeric, "id", types.Int8)
	var rows [][]any
	for id := 0; id < 300; id++ {
		row := []any{int64(rng.Intn(5)), float64(rng.Intn(4)) / 2, rng.Intn(2) == 0,
			[]string{"a", "b", "ab", ""}[rng.Intn(4)], []string{"x", "x  ", "y"}[rng.Intn(3)],
			types.NumericFromInt64(int64(rng.Intn(7) - 3)), int64(id)}
		if rng.Intn(8) == 0 {
			row[1] = math.NaN()
		}
		for j := 0; j < 6; j++ {
			if rng.Intn(9) == 0 {
				row[j] = nil
			}
		}
		rows = append(rows, row)
	}
	for trial := 0; trial < 40; trial++ {
		var keys []plan.SortKey
		for k := rng.Intn(3) + 1; k > 0; k-- {
			c := rng.Intn(6)
			keys = append(keys, plan.SortKey{E: cref(c, cols[c].T), Desc: rng.Intn(2) == 0, NullsFirst: rng.Intn(2) == 0})
		}
		spec := newSortSpec(keys)
		want := append([][]any(nil), rows...)
		sort.SliceStable(want, func(a, b int) bool {
			ka, kb := make([]any, len(keys)), make([]any, len(keys))
			for i, k := range keys {
				ka[i], kb[i] = want[a][k.E.(*plan.ColRef).Idx], want[b][k.E.(*plan.ColRef).Idx]
			}
			return spec.compare(ka, kb) < 0
		})
		limit := 0
		if trial%2 == 1 {
			limit = 1 + rng.Intn(40)
			want = want[:limit]
		}
		forSizes(t, func(t *testing.T) {
			var n plan.Node = &plan.Sort{Input: virt(cols, rows...), Keys: keys}
			if limit > 0 {
				n = &plan.Limit{Input: n, Count: i64(int64(limit))}
			}
			got := run(t, newCtx(), n)
			if len(got) != len(want) {
				t.Fatalf("trial %d: %d rows, want %d", trial, len(got), len(want))
			}
			for i, g := range got {
				if id := fmt.Sprint(want[i][6]); g[len(g)-len(id)-1:] != "|"+id {
					t.Fatalf("trial %d (keys %+v, limit %d): row %d is %s, want id %s", trial, keys, limit, i, g, id)
				}
			}
		})
	}
}
