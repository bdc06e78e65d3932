package exec

import (
	"context"
	"testing"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// seqRows returns a virtual input of the integers 1..n.
func seqRows(n int) *plan.Virtual {
	return &plan.Virtual{Name: "seq", Cols: ocols("i", types.Int8), Rows: func(any) ([][]any, error) {
		out := make([][]any, n)
		for i := range out {
			out[i] = []any{int64(i + 1)}
		}
		return out, nil
	}}
}

// TestJoinBatchesBounded checks that a join whose left rows each match
// many right rows hands out batches no larger than the batch size, and
// still produces every pair in order.
func TestJoinBatchesBounded(t *testing.T) {
	forSizes(t, func(t *testing.T) {
		j := &plan.Join{Kind: plan.JoinCross, Left: seqRows(3), Right: seqRows(50)}
		op, err := Build(newCtx(), j)
		if err != nil {
			t.Fatal(err)
		}
		defer op.Close()
		total, last := 0, int64(0)
		for {
			b, err := op.Next()
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				break
			}
			if b.Len() > max(1, col.DefaultBatchSize) {
				t.Fatalf("batch of %d rows, batch size %d", b.Len(), col.DefaultBatchSize)
			}
			for i := 0; i < b.Len(); i++ {
				r := b.Row(i)
				key := b.Cols[0].Get(r).(int64)*1000 + b.Cols[1].Get(r).(int64)
				if key <= last {
					t.Fatalf("pair %d after %d", key, last)
				}
				last = key
			}
			total += b.Len()
		}
		if total != 150 {
			t.Fatalf("got %d rows, want 150", total)
		}
	})
}

// TestJoinCancelMidProbe checks that a cross join notices cancellation
// inside one left row's probe, before producing all its pairs.
func TestJoinCancelMidProbe(t *testing.T) {
	cctx, cancel := context.WithCancel(context.Background())
	ctx := newCtx()
	ctx.Context = cctx
	// The condition is never true, so no output batch ever fills: only
	// the per-pair check can stop the loop.
	never := op(plan.OpEq, types.Bool, cref(0, types.Int8), i64(-1))
	j := &plan.Join{Kind: plan.JoinInner, Left: seqRows(2), Right: seqRows(3 * cancelCheckEvery), Cond: never}
	o, err := Build(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	jo := o.(*joinOp)
	if err := jo.buildRight(); err != nil {
		t.Fatal(err)
	}
	if err := jo.start([]any{int64(1)}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := o.Next(); code(err) != pgerr.QueryCanceled {
		t.Fatalf("got %v, want 57014", err)
	}
	if jo.cur == nil || jo.cur.pos > cancelCheckEvery {
		t.Fatalf("probe was not interrupted: %+v", jo.cur)
	}
}

// TestLateralJoinStreamsRight checks that a lateral right side larger
// than a batch is consumed batch by batch and joined completely.
func TestLateralJoinStreamsRight(t *testing.T) {
	forSizes(t, func(t *testing.T) {
		o := &plan.OuterRef{T: types.Int8, Depth: 1, Idx: 0}
		right := &plan.Values{Cols: ocols("m", types.Int8), Rows: [][]plan.Expr{{o}, {op(plan.OpMul, types.Int8, o, i64(10))}, {op(plan.OpMul, types.Int8, o, i64(100))}}}
		j := &plan.Join{Kind: plan.JoinLeft, Left: seqRows(2), Right: right, Lateral: true,
			Cond: op(plan.OpGt, types.Bool, cref(1, types.Int8), i64(1))}
		want(t, run(t, newCtx(), j), "1|10", "1|100", "2|2", "2|20", "2|200")
	})
}

// TestJoinBroadcast checks the single-right-row shortcut (left batches
// pass through with the right row's values as constant columns) against
// the row-by-row nested loop, for cross, inner and left joins, and that a
// left join with an empty right side still NULL-extends.
func TestJoinBroadcast(t *testing.T) {
	one := &plan.Virtual{Name: "one", Cols: ocols("a", types.Int8, "b", types.Text), Rows: func(any) ([][]any, error) {
		return [][]any{{int64(7), nil}}, nil
	}}
	rows := func(n plan.Node) [][]any {
		t.Helper()
		ctx := newCtx()
		op, err := Build(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		out, err := drain(ctx, op)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, kind := range []plan.JoinKind{plan.JoinCross, plan.JoinInner, plan.JoinLeft} {
		fast := rows(&plan.Join{Kind: kind, Left: seqRows(10000), Right: one})
		slow := rows(&plan.Join{Kind: kind, Left: seqRows(10000), Right: one, Cond: cnst(true, types.Bool)})
		if len(fast) != 10000 || len(slow) != 10000 {
			t.Fatalf("kind %v: %d and %d rows, want 10000", kind, len(fast), len(slow))
		}
		for i := range fast {
			if fast[i][0] != slow[i][0] || fast[i][1] != slow[i][1] || fast[i][2] != slow[i][2] {
				t.Fatalf("kind %v row %d: %v, want %v", kind, i, fast[i], slow[i])
			}
		}
	}
	none := &plan.Virtual{Name: "none", Cols: ocols("a", types.Int8), Rows: func(any) ([][]any, error) { return nil, nil }}
	got := rows(&plan.Join{Kind: plan.JoinLeft, Left: seqRows(3), Right: none})
	if len(got) != 3 || got[0][1] != nil {
		t.Fatalf("left join with empty right: %v", got)
	}
}
