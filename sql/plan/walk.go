package plan

import (
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/sql/types"
)

// eachOperand calls f for each of e's direct subexpressions that is not
// nil, in order: the one list of an expression's operands, which Walk
// follows without building a slice (binding and planning walk every
// expression many times) and children collects.
func eachOperand(e Expr, f func(Expr)) {
	one := func(c Expr) {
		if c != nil {
			f(c)
		}
	}
	all := func(cs []Expr) {
		for _, c := range cs {
			one(c)
		}
	}
	switch x := e.(type) {
	case *Call:
		all(x.Args)
	case *Op:
		one(x.L)
		one(x.R)
	case *IsNull:
		one(x.E)
	case *BoolTest:
		one(x.E)
	case *Cast:
		one(x.E)
	case *Case:
		for _, w := range x.Whens {
			one(w.Cond)
			one(w.Then)
		}
		one(x.Else)
	case *Coalesce:
		all(x.Args)
	case *NullIf:
		one(x.A)
		one(x.B)
	case *MinMax:
		all(x.Args)
	case *InList:
		one(x.E)
		all(x.List)
	case *Like:
		one(x.E)
		one(x.Pattern)
		one(x.Escape)
	case *Subquery:
		one(x.E)
	case *ArrayExpr:
		all(x.Elems)
	case *AnyArray:
		one(x.E)
		one(x.Array)
	case *Subscript:
		one(x.E)
		one(x.Idx)
	case *RowExpr:
		all(x.Args)
	}
}

// children returns e's direct subexpressions.
func children(e Expr) []Expr {
	var out []Expr
	eachOperand(e, func(c Expr) { out = append(out, c) })
	return out
}

// Walk calls f for e and, while f returns true, its subexpressions.
func Walk(e Expr, f func(Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	eachOperand(e, func(c Expr) { Walk(c, f) })
}

// MapExpr rebuilds e bottom-up... top-down: f may replace a node; when it
// reports done the replacement's children are not visited.
func MapExpr(e Expr, f func(Expr) (Expr, bool)) Expr {
	if e == nil {
		return nil
	}
	r, done := f(e)
	if done {
		return r
	}
	m := func(x Expr) Expr { return MapExpr(x, f) }
	ms := func(xs []Expr) []Expr {
		out := make([]Expr, len(xs))
		for i, x := range xs {
			out[i] = m(x)
		}
		return out
	}
	switch x := r.(type) {
	case *Call:
		cp := *x
		cp.Args = ms(x.Args)
		return &cp
	case *Op:
		cp := *x
		cp.L = m(x.L)
		if x.R != nil {
			cp.R = m(x.R)
		}
		return &cp
	case *IsNull:
		return &IsNull{E: m(x.E), Not: x.Not}
	case *BoolTest:
		return &BoolTest{E: m(x.E), Value: x.Value, Not: x.Not}
	case *Cast:
		return &Cast{E: m(x.E), T: x.T}
	case *Case:
		cp := &Case{T: x.T, Else: m(x.Else)}
		for _, w := range x.Whens {
			cp.Whens = append(cp.Whens, When{Cond: m(w.Cond), Then: m(w.Then)})
		}
		return cp
	case *Coalesce:
		return &Coalesce{T: x.T, Args: ms(x.Args)}
	case *NullIf:
		return &NullIf{A: m(x.A), B: m(x.B)}
	case *MinMax:
		return &MinMax{T: x.T, Args: ms(x.Args), Greatest: x.Greatest}
	case *InList:
		return &InList{E: m(x.E), List: ms(x.List), Not: x.Not}
	case *Like:
		return &Like{E: m(x.E), Pattern: m(x.Pattern), Not: x.Not, CaseFold: x.CaseFold, Escape: m(x.Escape)}
	case *Subquery:
		cp := *x
		cp.E = m(x.E)
		return &cp
	case *ArrayExpr:
		return &ArrayExpr{T: x.T, Elems: ms(x.Elems)}
	case *AnyArray:
		return &AnyArray{E: m(x.E), Op: x.Op, Array: m(x.Array), All: x.All}
	case *Subscript:
		return &Subscript{T: x.T, E: m(x.E), Idx: m(x.Idx)}
	case *RowExpr:
		return &RowExpr{Args: ms(x.Args)}
	}
	return r
}

// Format renders e for EXPLAIN and as a structural key (cols names column
// indexes; nil prints $n).
func Format(e Expr, cols []OutCol) string {
	var sb strings.Builder
	format(&sb, e, cols)
	return sb.String()
}

func format(sb *strings.Builder, e Expr, cols []OutCol) {
	switch x := e.(type) {
	case nil:
		sb.WriteString("NULL")
	case *Const:
		if x.V == nil {
			sb.WriteString("NULL")
		} else {
			fmt.Fprintf(sb, "'%s'::%s", types.FormatText(x.T, x.V, nil), x.T.Info().Name)
		}
	case *ColRef:
		if cols != nil && x.Idx < len(cols) {
			if cols[x.Idx].Rel != "" {
				sb.WriteString(cols[x.Idx].Rel + ".")
			}
			sb.WriteString(cols[x.Idx].Name)
		} else {
			fmt.Fprintf(sb, "#%d", x.Idx)
		}
	case *OuterRef:
		fmt.Fprintf(sb, "outer%d.#%d", x.Depth, x.Idx)
	case *Param:
		fmt.Fprintf(sb, "$%d", x.N)
	case *Call:
		sb.WriteString(x.Fn.Name + "(")
		for i, a := range x.Args {
			if i > 0 {
				sb.WriteString(", ")
			}
			format(sb, a, cols)
		}
		sb.WriteString(")")
	case *Op:
		sb.WriteString("(")
		if x.R == nil {
			sb.WriteString(x.Kind.String() + " ")
			format(sb, x.L, cols)
		} else {
			format(sb, x.L, cols)
			sb.WriteString(" " + x.Kind.String() + " ")
			format(sb, x.R, cols)
		}
		sb.WriteString(")")
	case *Cast:
		sb.WriteString("(")
		format(sb, x.E, cols)
		sb.WriteString(")::" + x.T.Info().Name)
		if x.T.Mod >= 0 {
			fmt.Fprintf(sb, "(%d)", x.T.Mod)
		}
	case *aggRef:
		fmt.Fprintf(sb, "agg#%d", x.Idx)
	case *winRef:
		fmt.Fprintf(sb, "win#%d", x.Idx)
	case *Subquery:
		fmt.Fprintf(sb, "(SubPlan %p)", x)
	default:
		name := strings.TrimPrefix(fmt.Sprintf("%T", e), "*plan.")
		sb.WriteString(name + "(")
		for i, c := range children(e) {
			if i > 0 {
				sb.WriteString(", ")
			}
			format(sb, c, cols)
		}
		switch y := e.(type) {
		case *IsNull:
			fmt.Fprintf(sb, " not=%v", y.Not)
		case *BoolTest:
			fmt.Fprintf(sb, " %v not=%v", y.Value, y.Not)
		case *InList:
			fmt.Fprintf(sb, " not=%v", y.Not)
		case *Like:
			fmt.Fprintf(sb, " not=%v fold=%v", y.Not, y.CaseFold)
		case *MinMax:
			fmt.Fprintf(sb, " g=%v", y.Greatest)
		case *AnyArray:
			fmt.Fprintf(sb, " %v all=%v", y.Op, y.All)
		}
		sb.WriteString(")")
	}
}

// exprEqual compares bound expressions structurally.
func exprEqual(a, b Expr) bool { return Format(a, nil) == Format(b, nil) }

// And returns the conjunction of a and b; a nil operand is absent.
func And(a, b Expr) Expr {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	return &Op{T: types.Bool, Kind: OpAnd, L: a, R: b}
}

// Conjuncts splits an AND tree into its operands.
func Conjuncts(e Expr) []Expr {
	return appendConjuncts(make([]Expr, 0, 4), e)
}

// appendConjuncts appends the conjuncts of e to dst.
func appendConjuncts(dst []Expr, e Expr) []Expr {
	if op, ok := e.(*Op); ok && op.Kind == OpAnd {
		return appendConjuncts(appendConjuncts(dst, op.L), op.R)
	}
	return append(dst, e)
}

// Movable reports whether e may be evaluated at another place in the
// plan: it holds no subqueries, outer references or volatile calls.
func Movable(e Expr) bool {
	ok := true
	Walk(e, func(x Expr) bool {
		switch x := x.(type) {
		case *Subquery, *OuterRef:
			ok = false
		case *Call:
			ok = ok && !x.Fn.Volatile
		}
		return ok
	})
	return ok
}

// Subst replaces every column reference in e with the expression at that
// position in exprs (e read over a projection becomes e read over the
// projection's input).
func Subst(e Expr, exprs []Expr) Expr {
	return MapExpr(e, func(x Expr) (Expr, bool) {
		if c, ok := x.(*ColRef); ok {
			return exprs[c.Idx], true
		}
		return x, false
	})
}

// Pinned returns the columns that cond's conjuncts pin by equality to a
// constant or a parameter (possibly cast) of the column's own type:
// column index (ColRef.Idx) -> the value expression.
func Pinned(cond Expr) map[int]Expr {
	var out map[int]Expr
	for _, c := range Conjuncts(cond) {
		op, ok := c.(*Op)
		if !ok || op.Kind != OpEq {
			continue
		}
		col, val := op.L, op.R
		if _, isCol := col.(*ColRef); !isCol {
			col, val = op.R, op.L
		}
		cr, isCol := col.(*ColRef)
		if !isCol || val.Type().OID != cr.T.OID || !constOrParam(val) {
			continue
		}
		if out == nil {
			out = map[int]Expr{}
		}
		out[cr.Idx] = val
	}
	return out
}

// constOrParam reports whether e is a constant or a parameter, possibly
// cast.
func constOrParam(e Expr) bool {
	switch x := e.(type) {
	case *Const, *Param:
		return true
	case *Cast:
		return constOrParam(x.E)
	}
	return false
}
