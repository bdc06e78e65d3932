package exec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tsgres/tsgres/sql/agg"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/opt"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

var batchSizes = []int{1, 2, 3, 1024}

// forSizes runs f once per batch size.
func forSizes(t *testing.T, f func(t *testing.T)) {
	old := col.DefaultBatchSize
	defer func() { col.DefaultBatchSize = old }()
	for _, n := range batchSizes {
		col.DefaultBatchSize = n
		t.Run(fmt.Sprintf("batch%d", n), f)
	}
}

func newCtx() *Ctx {
	return &Ctx{Context: context.Background(), Funcs: &funcs.Ctx{Loc: utcLoc}}
}

func ocols(spec ...any) []plan.OutCol {
	var out []plan.OutCol
	for i := 0; i < len(spec); i += 2 {
		out = append(out, plan.OutCol{Name: spec[i].(string), T: spec[i+1].(types.T)})
	}
	return out
}

// virt is an input node producing rows.
func virt(cols []plan.OutCol, rows ...[]any) *plan.Virtual {
	return &plan.Virtual{Name: "t", Cols: cols, Rows: func(any) ([][]any, error) {
		out := make([][]any, len(rows))
		for i, r := range rows {
			out[i] = append([]any(nil), r...)
		}
		return out, nil
	}}
}

func r(vals ...any) []any { return vals }

func cref(i int, t types.T) *plan.ColRef { return &plan.ColRef{T: t, Idx: i} }
func cnst(v any, t types.T) *plan.Const  { return &plan.Const{T: t, V: v} }
func op(k plan.OpKind, t types.T, l, rr plan.Expr) *plan.Op {
	return &plan.Op{T: t, Kind: k, L: l, R: rr}
}
func i64(v int64) *plan.Const { return cnst(v, types.Int8) }

// run executes n and renders its visible rows as "a|b" strings.
func run(t *testing.T, ctx *Ctx, n plan.Node) []string {
	t.Helper()
	got, err := runErr(ctx, n)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return got
}

func runErr(ctx *Ctx, n plan.Node) ([]string, error) {
	op, err := Build(ctx, opt.Optimize(n))
	if err != nil {
		return nil, err
	}
	defer op.Close()
	cols := n.Columns()
	var out []string
	for {
		b, err := op.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			return out, nil
		}
		if len(b.Cols) != len(cols) {
			return nil, fmt.Errorf("batch has %d columns, node %d", len(b.Cols), len(cols))
		}
		for i := 0; i < b.Len(); i++ {
			row := b.Row(i)
			var parts []string
			for j, c := range b.Cols {
				if cols[j].Hidden {
					continue
				}
				v := c.Get(row)
				if v == nil {
					parts = append(parts, "NULL")
				} else {
					parts = append(parts, types.FormatText(cols[j].T, v, utcLoc))
				}
			}
			out = append(out, strings.Join(parts, "|"))
		}
	}
}

func want(t *testing.T, got []string, exp ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(exp, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(exp, "\n"))
	}
}

func code(err error) pgerr.Code {
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func aggCall(t testing.TB, name string, args []plan.Expr) *plan.AggCall {
	var at []types.T
	for _, a := range args {
		at = append(at, a.Type())
	}
	for _, a := range agg.Overloads(name) {
		if len(a.Args) != len(at) {
			continue
		}
		ok := true
		for i := range at {
			if a.Args[i].OID != at[i].OID && a.Args[i].OID != types.OidAny && a.Args[i].OID != types.OidAnyElement {
				ok = false
			}
		}
		if ok {
			return &plan.AggCall{Agg: a, Args: args, ArgTypes: at, T: a.Ret(at), Star: len(args) == 0}
		}
	}
	panic(fmt.Sprintf("no aggregate %s%v", name, at))
}
