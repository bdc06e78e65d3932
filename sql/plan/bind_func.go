package plan

import (
	"slices"
	"strings"

	"github.com/tsgres/tsgres/sql/agg"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

func funcName(names []*parse.Node) (schema, name string) {
	if len(names) == 2 {
		return strVal(names[0]), strVal(names[1])
	}
	return "", strVal(names[len(names)-1])
}

var windowOnly = map[string]bool{"row_number": true, "rank": true, "dense_rank": true, "lag": true, "lead": true,
	"first_value": true, "last_value": true, "ntile": true, "percent_rank": true, "cume_dist": true, "nth_value": true}

func (b *binder) funcCall(fc *parse.FuncCall, ec *exprCtx) (Expr, error) {
	schema, name := funcName(fc.Funcname)
	name = strings.ToLower(name)
	isCall := ec != nil && ec.what == "CALL"
	user, wrongKind := b.userOverloads(schema, name, isCall)
	if len(user) == 0 && wrongKind != nil && len(funcs.Scalars(name)) == 0 {
		return nil, wrongKindError(wrongKind, isCall)
	}
	if fc.Over != nil {
		return b.windowCall(name, fc, ec)
	}
	if fc.AggStar || len(agg.Overloads(name)) > 0 && len(funcs.Scalars(name)) == 0 {
		return b.aggCall(name, fc, ec)
	}
	// Named and positional arguments.
	var args []Expr
	var names []string
	for _, a := range fc.Args {
		if na := a.GetNamedArgExpr(); na != nil {
			e, err := b.expr(na.Arg, ec)
			if err != nil {
				return nil, err
			}
			args = append(args, e)
			names = append(names, na.Name)
			continue
		}
		e, err := b.expr(a, ec)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
		names = append(names, "")
	}
	return b.callWith(name, args, names, user)
}

// callByName resolves a function with positional arguments.
func (b *binder) callByName(name string, args []Expr) (Expr, error) {
	return b.call(name, args, make([]string, len(args)))
}

// call resolves an overload of scalar function name and coerces arguments.
func (b *binder) call(name string, args []Expr, names []string) (Expr, error) {
	return b.callWith(name, args, names, nil)
}

// callWith is call with extra overloads (user-defined functions).
func (b *binder) callWith(name string, args []Expr, names []string, extra []*funcs.Scalar) (Expr, error) {
	overloads := funcs.Scalars(name)
	if len(extra) > 0 {
		overloads = append(append([]*funcs.Scalar(nil), overloads...), extra...)
	}
	if len(overloads) == 0 {
		return nil, b.noFunction(name, args)
	}
	var best *funcs.Scalar
	var bestArgs []Expr
	bestCost := 1 << 30
	for _, f := range overloads {
		ordered, ok := orderArgs(f, args, names)
		if !ok {
			continue
		}
		cost, ok := matchCost(f, ordered)
		if !ok || cost >= bestCost {
			continue
		}
		best, bestArgs, bestCost = f, ordered, cost
	}
	if best == nil {
		return nil, b.noFunction(name, args)
	}
	if slices.Contains(extra, best) && best.Defaults > 0 {
		var err error
		if bestArgs, err = b.withDefaults(best, bestArgs); err != nil {
			return nil, err
		}
	}
	out := make([]Expr, 0, len(bestArgs))
	argTypes := make([]types.T, 0, len(bestArgs))
	var poly types.T
	for i, a := range bestArgs {
		if a == nil { // omitted default in the middle
			out = append(out, nil)
			argTypes = append(argTypes, types.T{})
			continue
		}
		want := declType(best, i)
		var err error
		switch want.OID {
		case types.OidAny:
			if isUnknown(a) {
				a, err = b.castTo(a, types.Text, true)
			}
		case types.OidAnyElement:
			if poly.OID == 0 && !isUnknown(a) {
				poly = a.Type()
			}
			if isUnknown(a) {
				t := poly
				if t.OID == 0 {
					t = types.Text
				}
				a, err = b.castTo(a, t, true)
			}
		case types.OidAnyArray:
			if isUnknown(a) {
				a, err = b.castTo(a, types.TextArray, true)
			}
		default:
			a, err = b.castTo(a, want, isUnknown(a))
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		argTypes = append(argTypes, a.Type())
	}
	// Trim trailing omitted arguments.
	for len(out) > 0 && out[len(out)-1] == nil {
		out = out[:len(out)-1]
		argTypes = argTypes[:len(argTypes)-1]
	}
	for i, a := range out {
		if a == nil {
			out[i] = &Const{T: declType(best, i)}
			argTypes[i] = declType(best, i)
		}
	}
	return &Call{T: best.Ret(argTypes), Fn: best, Args: out, ArgTypes: argTypes}, nil
}

// withDefaults completes the arguments of a call to user-defined
// function f with the DEFAULT expressions of those omitted.
func (b *binder) withDefaults(f *funcs.Scalar, args []Expr) ([]Expr, error) {
	out := make([]Expr, len(f.Args))
	copy(out, args)
	first := len(f.Args) - len(f.DefaultSQL)
	for i, a := range out {
		if a != nil || i < first {
			continue
		}
		e, err := b.paramDefaultExpr(f.DefaultSQL[i-first], f.Args[i])
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func declType(f *funcs.Scalar, i int) types.T {
	if i >= len(f.Args) {
		return f.Args[len(f.Args)-1]
	}
	return f.Args[i]
}

// orderArgs places named arguments at their declared positions.
func orderArgs(f *funcs.Scalar, args []Expr, names []string) ([]Expr, bool) {
	hasNamed := false
	for _, n := range names {
		if n != "" {
			hasNamed = true
		}
	}
	if !hasNamed {
		return args, true
	}
	out := make([]Expr, len(f.Args))
	maxPos := -1
	for i, a := range args {
		pos := i
		if names[i] != "" {
			pos = -1
			for j, an := range f.ArgNames {
				if an == names[i] {
					pos = j
				}
			}
			if pos < 0 {
				return nil, false
			}
		}
		if pos >= len(out) || out[pos] != nil {
			return nil, false
		}
		out[pos] = a
		if pos > maxPos {
			maxPos = pos
		}
	}
	out = out[:maxPos+1]
	for i, a := range out {
		if a == nil && i < len(f.Args)-f.Defaults {
			return nil, false
		}
	}
	return out, true
}

// matchCost scores how well args fit f (lower is better).
func matchCost(f *funcs.Scalar, args []Expr) (int, bool) {
	n := len(args)
	if f.Variadic {
		if n < len(f.Args)-1 {
			return 0, false
		}
	} else if n > len(f.Args) || n < len(f.Args)-f.Defaults {
		return 0, false
	}
	cost := 0
	for i, a := range args {
		if a == nil {
			continue
		}
		want := declType(f, i)
		got := a.Type()
		switch {
		case want.OID == types.OidAny || want.OID == types.OidAnyElement:
			cost++
		case want.OID == types.OidAnyArray:
			if !got.IsArray() && !isUnknown(a) {
				return 0, false
			}
			cost++
		case got.OID == want.OID:
		case isUnknown(a):
			cost++
			if want.OID != types.OidText {
				cost++
			}
		default:
			imp, _, _ := types.CastContextOK(got, want)
			if !imp {
				return 0, false
			}
			cost += 2 + castDistance(got, want)
		}
	}
	return cost, true
}

func castDistance(from, to types.T) int {
	rf, rt := numRank(from), numRank(to)
	if rf > 0 && rt > 0 && rt > rf {
		return rt - rf
	}
	return 3
}

func (b *binder) noFunction(name string, args []Expr) error {
	var ts []string
	for _, a := range args {
		ts = append(ts, typeDisplay(a.Type()))
	}
	return pgerr.New(pgerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(ts, ", ")).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

func (b *binder) aggCall(name string, fc *parse.FuncCall, ec *exprCtx) (Expr, error) {
	if ec == nil || ec.aggs == nil {
		what := "WHERE"
		if ec != nil && ec.what != "" {
			what = ec.what
		}
		return nil, pgerr.New(pgerr.GroupingError, "aggregate functions are not allowed in %s", what)
	}
	// Arguments of an aggregate are bound without aggregates allowed.
	inner := &exprCtx{sc: ec.sc, aggs: ec.argAggs, what: "aggregate function calls"}
	ac := &AggCall{Distinct: fc.AggDistinct, Star: fc.AggStar}
	argNodes := fc.Args
	if fc.AggWithinGroup {
		for _, d := range fc.Args {
			e, err := b.expr(d, inner)
			if err != nil {
				return nil, err
			}
			ac.Direct = append(ac.Direct, e)
		}
		argNodes = nil
		for _, s := range fc.AggOrder {
			argNodes = append(argNodes, s.GetSortBy().Node)
		}
	} else {
		for _, s := range fc.AggOrder {
			sb := s.GetSortBy()
			e, err := b.expr(sb.Node, inner)
			if err != nil {
				return nil, err
			}
			ac.OrderBy = append(ac.OrderBy, sortKey(e, sb))
		}
	}
	args, err := b.exprList(argNodes, inner)
	if err != nil {
		return nil, err
	}
	var found *agg.Aggregate
	for _, a := range agg.Overloads(name) {
		if a.OrderedSet != fc.AggWithinGroup {
			continue
		}
		if len(a.Args) != len(args) && !(fc.AggStar && len(a.Args) == 0) {
			continue
		}
		ok := true
		for i, want := range a.Args {
			got := args[i].Type()
			if want.OID == types.OidAny || want.OID == types.OidAnyElement || got.OID == want.OID || isUnknown(args[i]) {
				continue
			}
			if imp, _, _ := types.CastContextOK(got, want); !imp {
				ok = false
			}
		}
		if ok && (found == nil || exactArgs(a, args) && !exactArgs(found, args)) {
			found = a
		}
	}
	if found == nil {
		if len(agg.Overloads(name)) == 0 && !fc.AggStar {
			return nil, b.noFunction(name, args)
		}
		return nil, b.noFunction(name, args)
	}
	for i, want := range found.Args {
		if want.OID == types.OidAny || want.OID == types.OidAnyElement {
			if isUnknown(args[i]) {
				args[i], _ = b.castTo(args[i], types.Text, true)
			}
			continue
		}
		if args[i], err = b.castTo(args[i], want, isUnknown(args[i])); err != nil {
			return nil, err
		}
	}
	for i := range ac.Direct {
		if i < len(found.DirectArgs) {
			if ac.Direct[i], err = b.castTo(ac.Direct[i], found.DirectArgs[i], true); err != nil {
				return nil, err
			}
		}
	}
	ac.Agg = found
	ac.Args = args
	for _, a := range args {
		ac.ArgTypes = append(ac.ArgTypes, a.Type())
	}
	ac.T = found.Ret(ac.ArgTypes)
	if fc.AggFilter != nil {
		f, err := b.expr(fc.AggFilter, &exprCtx{sc: ec.sc, what: "FILTER"})
		if err != nil {
			return nil, err
		}
		if ac.Filter, err = b.coerce(f, types.Bool, "argument of FILTER"); err != nil {
			return nil, err
		}
	}
	*ec.aggs = append(*ec.aggs, ac)
	return &aggRef{T: ac.T, Idx: len(*ec.aggs) - 1}, nil
}

func exactArgs(a *agg.Aggregate, args []Expr) bool {
	for i, want := range a.Args {
		if args[i].Type().OID != want.OID {
			return false
		}
	}
	return true
}

func sortKey(e Expr, sb *parse.SortBy) SortKey {
	k := SortKey{E: e, Desc: sb.SortbyDir == parse.SortByDir_SORTBY_DESC}
	switch sb.SortbyNulls {
	case parse.SortByNulls_SORTBY_NULLS_FIRST:
		k.NullsFirst = true
	case parse.SortByNulls_SORTBY_NULLS_LAST:
		k.NullsFirst = false
	default:
		k.NullsFirst = k.Desc // PostgreSQL: NULLs sort as larger than any value
	}
	return k
}

func (b *binder) windowCall(name string, fc *parse.FuncCall, ec *exprCtx) (Expr, error) {
	if ec == nil || ec.wins == nil {
		return nil, pgerr.New(pgerr.WindowingError, "window functions are not allowed in %s", orDefault(ec))
	}
	wd := fc.Over
	if wd.Name != "" && b.windows != nil {
		if named, ok := b.windows[wd.Name]; ok {
			wd = named
		}
	}
	wf := &WindowFunc{Name: name}
	inner := &exprCtx{sc: ec.sc, aggs: ec.aggs, what: "window function calls"}
	for _, p := range wd.PartitionClause {
		e, err := b.expr(p, inner)
		if err != nil {
			return nil, err
		}
		wf.Part = append(wf.Part, e)
	}
	for _, o := range wd.OrderClause {
		sb := o.GetSortBy()
		e, err := b.expr(sb.Node, inner)
		if err != nil {
			return nil, err
		}
		wf.Order = append(wf.Order, sortKey(e, sb))
	}
	wf.FullFrame = len(wf.Order) == 0
	// FRAMEOPTION_ROWS = 0x00004; default frame is RANGE UNBOUNDED PRECEDING.
	if wd.FrameOptions&0x4 != 0 {
		wf.RowsFrame = true
	}
	if windowOnly[name] {
		args, err := b.exprList(fc.Args, inner)
		if err != nil {
			return nil, err
		}
		wf.Args = args
		switch name {
		case "row_number", "rank", "dense_rank", "ntile":
			wf.T = types.Int8
			if name == "ntile" {
				wf.T = types.Int4
			}
		case "percent_rank", "cume_dist":
			wf.T = types.Float8
		default:
			if len(args) == 0 {
				return nil, b.noFunction(name, args)
			}
			wf.T = args[0].Type()
			if len(args) > 1 {
				if args[1], err = b.castTo(args[1], types.Int8, isUnknown(args[1])); err != nil {
					return nil, err
				}
			}
			if len(args) > 2 {
				if args[2], err = b.castTo(args[2], wf.T, isUnknown(args[2])); err != nil {
					return nil, err
				}
			}
		}
	} else {
		var aggs []*AggCall
		actx := &exprCtx{sc: ec.sc, aggs: &aggs, argAggs: ec.aggs, what: "window function calls"}
		fc2 := &parse.FuncCall{Funcname: fc.Funcname, Args: fc.Args, AggOrder: fc.AggOrder, AggFilter: fc.AggFilter,
			AggStar: fc.AggStar, AggDistinct: fc.AggDistinct, FuncVariadic: fc.FuncVariadic}
		if _, err := b.aggCall(name, fc2, actx); err != nil {
			return nil, err
		}
		wf.Agg = aggs[0]
		wf.T = wf.Agg.T
	}
	*ec.wins = append(*ec.wins, wf)
	return &winRef{T: wf.T, Idx: len(*ec.wins) - 1}, nil
}

func orDefault(ec *exprCtx) string {
	if ec != nil && ec.what != "" {
		return ec.what
	}
	return "this context"
}

func (b *binder) subLink(sl *parse.SubLink, ec *exprCtx) (Expr, error) {
	var sc *scope
	if ec != nil {
		sc = ec.sc
	}
	sub := b.child()
	node, err := sub.selectStmt(sl.Subselect.GetSelectStmt(), sc)
	if err != nil {
		return nil, err
	}
	cols := visible(node.Columns())
	s := &Subquery{Plan: node, Correlated: sub.correlated}
	switch sl.SubLinkType {
	case parse.SubLinkType_EXISTS_SUBLINK:
		s.Kind, s.T = SubExists, types.Bool
	case parse.SubLinkType_EXPR_SUBLINK:
		if len(cols) != 1 {
			return nil, pgerr.New(pgerr.SyntaxError, "subquery must return only one column")
		}
		s.Kind, s.T = SubScalar, cols[0].T
	case parse.SubLinkType_ARRAY_SUBLINK:
		at, ok := types.ArrayOf(cols[0].T)
		if !ok {
			at = types.TextArray
		}
		s.Kind, s.T = SubArray, at
	case parse.SubLinkType_ANY_SUBLINK, parse.SubLinkType_ALL_SUBLINK:
		if len(cols) != 1 {
			return nil, pgerr.New(pgerr.SyntaxError, "subquery has too many columns")
		}
		l, err := b.expr(sl.Testexpr, ec)
		if err != nil {
			return nil, err
		}
		op := "="
		if len(sl.OperName) > 0 {
			op = opName(sl.OperName)
		}
		k, ok := cmpOps[op]
		if !ok {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "operator %s in subquery comparison is not supported", op)
		}
		t, ok := commonType(l.Type(), cols[0].T)
		if isUnknown(l) {
			t, ok = cols[0].T, true
		}
		if !ok {
			return nil, b.noOperator(op, l, &Const{T: cols[0].T})
		}
		if l, err = b.castTo(l, t, isUnknown(l)); err != nil {
			return nil, err
		}
		if cols[0].T != t {
			node = castProject(node, t)
		}
		s.Plan = node
		s.Kind, s.T, s.E, s.Op = SubAny, types.Bool, l, k
		if sl.SubLinkType == parse.SubLinkType_ALL_SUBLINK {
			s.Kind = SubAll
		} else if k == OpEq {
			s.Kind = SubIn
		}
	default:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "unsupported subquery kind")
	}
	return s, nil
}

// castProject wraps a one-column node so its column has type t.
func castProject(n Node, t types.T) Node {
	c := n.Columns()[0]
	return &Project{Input: n, Exprs: []Expr{&Cast{E: &ColRef{T: c.T, Idx: 0}, T: t}}, Cols: []OutCol{{Name: c.Name, T: t}}}
}

func visible(cols []OutCol) []OutCol {
	var out []OutCol
	for _, c := range cols {
		if !c.Hidden {
			out = append(out, c)
		}
	}
	return out
}
