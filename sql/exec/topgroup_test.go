package exec

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/sql/opt"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// TestTopGroupDifferential compares DISTINCT ON over a sort, answered by
// topGroupOp, with the generic sort-then-distinct path.
func TestTopGroupDifferential(t *testing.T) {
	db := openDB(t)
	tbl := sensorTable()
	chunks, txn := loadSensors(t, db, tbl, rand.New(rand.NewSource(5)), 6, 300)
	defer txn.Rollback()
	ts := types.Timestamptz
	cases := map[string]struct {
		on   []plan.Expr
		rest []plan.SortKey
	}{
		"dev-latest":        {[]plan.Expr{cref(1, types.Int4)}, []plan.SortKey{{E: cref(0, ts), Desc: true, NullsFirst: true}}},
		"dev-tag-latest":    {[]plan.Expr{cref(1, types.Int4), cref(4, types.Text)}, []plan.SortKey{{E: cref(0, ts), Desc: true, NullsFirst: true}}},
		"tag-max-v":         {[]plan.Expr{cref(4, types.Text)}, []plan.SortKey{{E: cref(2, types.Float8), Desc: true}, {E: cref(0, ts)}}},
		"dev-min-v-nullsfs": {[]plan.Expr{cref(1, types.Int4)}, []plan.SortKey{{E: cref(2, types.Float8), NullsFirst: true}}},
		"dev-n-ties":        {[]plan.Expr{cref(1, types.Int4)}, []plan.SortKey{{E: cref(3, types.Int8), Desc: true}}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			node := func() plan.Node {
				keys := make([]plan.SortKey, 0, len(c.on)+len(c.rest))
				for _, e := range c.on {
					keys = append(keys, plan.SortKey{E: e})
				}
				keys = append(keys, c.rest...)
				return &plan.Distinct{On: c.on, Input: &plan.Sort{Input: sensorScan(tbl, chunks, 0, 0), Keys: keys}}
			}
			defer func() { DisableFastAgg = false }()
			DisableFastAgg = true
			ctx := newCtx()
			ctx.Txn = txn
			slow := collect(t, ctx, node())
			DisableFastAgg = false
			ctx = newCtx()
			ctx.Txn = txn
			op, err := Build(ctx, opt.Optimize(node()))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := op.(*topGroupOp); !ok {
				t.Fatalf("built %T, want *topGroupOp", op)
			}
			op.Close()
			fast := collect(t, ctx, node())
			if len(slow) < 3 {
				t.Fatalf("only %d groups", len(slow))
			}
			if strings.Join(slow, "\n") != strings.Join(fast, "\n") {
				t.Fatalf("top-group\n%s\ngeneric\n%s", strings.Join(fast, "\n"), strings.Join(slow, "\n"))
			}
		})
	}
}
