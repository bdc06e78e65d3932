package plan

import (
	"slices"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/agg"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Set-returning functions in the select list.
//
// PostgreSQL 10+ evaluates the set-returning calls of a select list side
// by side for each row that passed WHERE: the row repeats as often as the
// longest result, shorter results padded with NULL, and a row whose
// functions all return nothing disappears. That is exactly
//
//	SELECT ..., s.c0, ..., s.c1 FROM <from>, LATERAL ROWS FROM (f0(...), f1(...)) s(c0, c1)
//
// so srfTargets rewrites the statement into that form and the ordinary
// LATERAL and function-scan machinery does the work. Clients depend on
// it: SQLAlchemy reflects primary keys with
// "SELECT unnest(ix.indkey) attnum, generate_subscripts(ix.indkey, 1) ord
// FROM pg_index ix WHERE ...".

// srfNames are the set-returning functions a select list may call.
var srfNames = map[string]bool{"generate_series": true, "generate_subscripts": true, "unnest": true, "show_chunks": true, "pg_partition_ancestors": true}

// srfAlias names the FROM item holding the select list's function results;
// it cannot be written as an unquoted identifier, so it cannot clash.
const srfAlias = "?srf?"

// srfCall returns the call when n is a top-level set-returning function
// call of a select list: a built-in one or a user-defined SETOF function.
func (b *binder) srfCall(n *parse.Node) *parse.FuncCall {
	fc := n.GetFuncCall()
	if fc == nil || fc.Over != nil {
		return nil
	}
	schema, name := funcName(fc.Funcname)
	name = strings.ToLower(name)
	if srfNames[name] {
		return fc
	}
	fs, _ := b.userFunctions(schema, name)
	for _, f := range fs {
		if f.RetSet {
			return fc
		}
	}
	return nil
}

// srfTargets returns s rewritten so the set-returning calls of its
// select list, at the top of a target or inside its expression
// ("SELECT f() + 1"), come from a LATERAL ROWS FROM item, or s itself
// when it has none. s is not modified (parse trees are cached).
func (b *binder) srfTargets(s *parse.SelectStmt) (*parse.SelectStmt, error) {
	s, err := b.fieldTargets(s)
	if err != nil {
		return nil, err
	}
	var calls []int
	for i, t := range s.TargetList {
		if v := t.GetResTarget().GetVal(); v != nil && (b.srfCall(v) != nil || b.hasSRF(v.ProtoReflect())) {
			calls = append(calls, i)
		}
	}
	if len(calls) == 0 {
		return s, nil
	}
	if len(s.GroupClause) > 0 || s.HavingClause != nil || len(s.WindowClause) > 0 || groupedTargets(s.TargetList) {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "set-returning functions in the select list of a query with aggregates or window functions are not supported")
	}
	targets := append([]*parse.Node(nil), s.TargetList...)
	var fns, colnames []*parse.Node
	// lift moves one call to the FROM item and returns its column.
	lift := func(call *parse.Node, loc int32) *parse.Node {
		col := "?column" + itoa(len(fns)) + "?"
		fns = append(fns, parse.MakeListNode([]*parse.Node{call, nil}))
		colnames = append(colnames, parse.MakeStrNode(col))
		return parse.MakeColumnRefNode([]*parse.Node{parse.MakeStrNode(srfAlias), parse.MakeStrNode(col)}, loc)
	}
	for _, i := range calls {
		rt := targets[i].GetResTarget()
		name := rt.Name
		if name == "" {
			name = deriveName(rt.Val)
		}
		val := rt.Val
		if b.srfCall(val) != nil {
			val = lift(val, rt.Location)
		} else {
			val = proto.Clone(val).(*parse.Node)
			if err := b.liftSRFs(val.ProtoReflect(), lift); err != nil {
				return nil, err
			}
		}
		targets[i] = parse.MakeResTargetNodeWithNameAndVal(name, val, rt.Location)
	}
	for _, t := range targets {
		if cr := t.GetResTarget().GetVal().GetColumnRef(); cr != nil && len(cr.Fields) == 1 && cr.Fields[0].GetAStar() != nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "* together with set-returning functions in the select list is not supported")
		}
	}
	rf := &parse.RangeFunction{Lateral: true, IsRowsfrom: len(fns) > 1, Functions: fns,
		Alias: &parse.Alias{Aliasname: srfAlias, Colnames: colnames}}
	from := append(append([]*parse.Node(nil), s.FromClause...), &parse.Node{Node: &parse.Node_RangeFunction{RangeFunction: rf}})
	return &parse.SelectStmt{
		DistinctClause: s.DistinctClause,
		TargetList:     targets,
		FromClause:     from,
		WhereClause:    s.WhereClause,
		SortClause:     s.SortClause,
		LimitOffset:    s.LimitOffset,
		LimitCount:     s.LimitCount,
		LimitOption:    s.LimitOption,
		LockingClause:  s.LockingClause,
		Op:             s.Op,
	}, nil
}

// hasSRF reports whether a set-returning call occurs in expression m,
// not looking into subqueries.
func (b *binder) hasSRF(m protoreflect.Message) bool {
	return hasCall(m, func(fc *parse.FuncCall) bool {
		return b.srfCall(&parse.Node{Node: &parse.Node_FuncCall{FuncCall: fc}}) != nil
	})
}

// liftSRFs replaces each set-returning call in expression m (a copy of
// a target) by the column lift returns for it. As in PostgreSQL, such a
// call may not be conditional (in CASE or COALESCE); selecting a field
// of its record result is not supported.
func (b *binder) liftSRFs(m protoreflect.Message, lift func(*parse.Node, int32) *parse.Node) error {
	switch x := m.Interface().(type) {
	case *parse.SubLink:
		return nil
	case *parse.CaseExpr, *parse.CoalesceExpr:
		if b.hasSRF(m) {
			what := "CASE"
			if _, ok := x.(*parse.CoalesceExpr); ok {
				what = "COALESCE"
			}
			return pgerr.New(pgerr.FeatureNotSupported, "set-returning functions are not allowed in %s", what).
				WithHint("You might be able to move the set-returning function into a LATERAL FROM item.")
		}
		return nil
	case *parse.A_Indirection:
		if b.srfCall(x.Arg) != nil {
			return pgerr.New(pgerr.FeatureNotSupported, "selecting a field of a set-returning function's result in the select list is not supported")
		}
	case *parse.Node:
		if fc := b.srfCall(x); fc != nil {
			call := &parse.Node{Node: x.Node}
			x.Node = lift(call, fc.Location).Node
			return nil
		}
	}
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil || fd.IsMap() {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len() && err == nil; i++ {
				err = b.liftSRFs(l.Get(i).Message(), lift)
			}
		} else {
			err = b.liftSRFs(v.Message(), lift)
		}
		return err == nil
	})
	return err
}

// fieldTargets returns s with its field selections from function
// results named as PostgreSQL names them ("SELECT (f(1)).x" is column
// x) and "(f(1)).*" expanded to one target per result column, or s
// itself when it has none.
func (b *binder) fieldTargets(s *parse.SelectStmt) (*parse.SelectStmt, error) {
	var targets []*parse.Node
	for i, t := range s.TargetList {
		rt := t.GetResTarget()
		ind := rt.GetVal().GetAIndirection()
		if ind == nil || len(ind.Indirection) == 0 {
			if targets != nil {
				targets = append(targets, t)
			}
			continue
		}
		if targets == nil {
			targets = append([]*parse.Node(nil), s.TargetList[:i]...)
		}
		last := ind.Indirection[len(ind.Indirection)-1]
		switch {
		case last.GetString_() != nil && rt.Name == "":
			targets = append(targets, parse.MakeResTargetNodeWithNameAndVal(strVal(last), rt.Val, rt.Location))
		case last.GetAStar() != nil:
			names, err := b.resultNames(ind.Arg)
			if err != nil {
				return nil, err
			}
			head := ind.Indirection[:len(ind.Indirection)-1]
			for _, n := range names {
				path := append(append([]*parse.Node(nil), head...), parse.MakeStrNode(n))
				val := &parse.Node{Node: &parse.Node_AIndirection{AIndirection: &parse.A_Indirection{Arg: ind.Arg, Indirection: path}}}
				targets = append(targets, parse.MakeResTargetNodeWithNameAndVal(n, val, rt.Location))
			}
		default:
			targets = append(targets, t)
		}
	}
	if targets == nil {
		return s, nil
	}
	cp := proto.Clone(s).(*parse.SelectStmt)
	cp.TargetList = targets
	return cp, nil
}

// resultNames returns the result column names of the user-defined
// function call n for "(n).*": every function of that name must have
// the same ones.
func (b *binder) resultNames(n *parse.Node) ([]string, error) {
	fc := n.GetFuncCall()
	if fc == nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "row expansion via \"*\" is supported only on a function call")
	}
	schema, name := funcName(fc.Funcname)
	fs, _ := b.userFunctions(schema, strings.ToLower(name))
	var names []string
	for i, f := range fs {
		if len(f.OutNames) < 2 || i > 0 && !slices.Equal(names, f.OutNames) {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "row expansion via \"*\" needs a function with named result columns")
		}
		names = f.OutNames
	}
	if names == nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "row expansion via \"*\" needs a function with named result columns")
	}
	return names, nil
}

// groupedTargets reports whether a select list calls an aggregate or a
// window function outside subqueries (the query then aggregates, and its
// set-returning calls would run after grouping).
func groupedTargets(targets []*parse.Node) bool {
	for _, t := range targets {
		if hasCall(t.ProtoReflect(), isGroupingCall) {
			return true
		}
	}
	return false
}

func isGroupingCall(fc *parse.FuncCall) bool {
	_, name := funcName(fc.Funcname)
	name = strings.ToLower(name)
	return fc.Over != nil || fc.AggStar || len(agg.Overloads(name)) > 0 && len(funcs.Scalars(name)) == 0
}

// hasCall reports whether a function call matching pred occurs in m,
// not looking into subqueries.
func hasCall(m protoreflect.Message, pred func(*parse.FuncCall) bool) bool {
	switch x := m.Interface().(type) {
	case *parse.FuncCall:
		if pred(x) {
			return true
		}
	case *parse.SubLink, *parse.ColumnRef, *parse.A_Const, *parse.ParamRef:
		return false
	case *parse.ResTarget:
		// The common select-list item, walked without reflection (the
		// walk below costs a few µs a query, most of a short statement's
		// binding).
		if len(x.Indirection) == 0 {
			return x.Val != nil && hasCall(x.Val.ProtoReflect(), pred)
		}
	case *parse.Node:
		switch n := x.Node.(type) {
		case *parse.Node_ColumnRef, *parse.Node_AConst, *parse.Node_ParamRef, *parse.Node_SubLink:
			return false
		case *parse.Node_ResTarget:
			return hasCall(n.ResTarget.ProtoReflect(), pred)
		case *parse.Node_FuncCall:
			return hasCall(n.FuncCall.ProtoReflect(), pred)
		}
	}
	found := false
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil || fd.IsMap() {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len() && !found; i++ {
				found = hasCall(l.Get(i).Message(), pred)
			}
		} else {
			found = hasCall(v.Message(), pred)
		}
		return !found
	})
	return found
}

// rowsFrom binds ROWS FROM (f0(...), f1(...), ...): the functions run
// side by side, row i holding every function's i-th row, shorter results
// padded with NULL.
func (b *binder) rowsFrom(rf *parse.RangeFunction, sc *scope) (Node, error) {
	var parts []*FuncScan
	lateral := false
	for _, f := range rf.Functions {
		if items := f.GetList().GetItems(); len(items) > 1 && items[1] != nil && items[1].Node != nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "column definition lists in ROWS FROM are not supported")
		}
		// Each function binds against a scratch copy of the scope, so
		// only the combined item is added to sc.
		scratch := &scope{rels: sc.rels[:len(sc.rels):len(sc.rels)], parent: sc.parent, ncols: sc.ncols}
		n, err := b.rangeFunction(&parse.RangeFunction{Lateral: rf.Lateral, Functions: []*parse.Node{f}}, scratch)
		if err != nil {
			return nil, err
		}
		if lat, ok := n.(*lateralNode); ok {
			n, lateral = lat.Node, true
		}
		fs, ok := n.(*FuncScan)
		if !ok {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "unsupported function in ROWS FROM")
		}
		parts = append(parts, fs)
	}
	var args []Expr
	var cols []OutCol
	for _, p := range parts {
		args = append(args, p.Args...)
		cols = append(cols, p.Cols...)
	}
	alias := cols[0].Name
	if rf.Alias != nil {
		alias = rf.Alias.Aliasname
		for i, cn := range rf.Alias.Colnames {
			if i < len(cols) {
				cols[i].Name = strVal(cn)
			}
		}
	}
	fn := zipSetFuncs(parts, len(cols))
	if rf.Ordinality {
		cols = append(cols, OutCol{Name: "ordinality", T: types.Int8})
	}
	node := &FuncScan{Fn: fn, Args: args, Cols: cols, Ordinality: rf.Ordinality, Alias: alias}
	sc.add(alias, relCols(cols, alias))
	if lateral {
		return &lateralNode{node}, nil
	}
	return node, nil
}

// zipSetFuncs runs parts' functions on their slices of the combined
// arguments and joins their results row by row; width is the number of
// output columns (excluding ordinality).
func zipSetFuncs(parts []*FuncScan, width int) funcs.SetFunc {
	return func(ctx any, args []any) ([][]any, error) {
		var out [][]any
		argOff, colOff := 0, 0
		for _, p := range parts {
			rows, err := p.Fn(ctx, args[argOff:argOff+len(p.Args)])
			if err != nil {
				return nil, err
			}
			for i, r := range rows {
				for len(out) <= i {
					out = append(out, make([]any, width))
				}
				copy(out[i][colOff:colOff+len(p.Cols)], r)
			}
			argOff += len(p.Args)
			colOff += len(p.Cols)
		}
		return out, nil
	}
}

// userFunctions returns the user-defined functions (not procedures)
// named schema.name and their scalar overloads, in the same order.
func (b *binder) userFunctions(schema, name string) ([]*catalog.Function, []*funcs.Scalar) {
	if b.env == nil || b.env.Catalog() == nil {
		return nil, nil
	}
	var fs []*catalog.Function
	var scs []*funcs.Scalar
	for _, f := range b.env.Catalog().Functions(b.env.Database(), schema, name) {
		if !f.IsProcedure() {
			fs, scs = append(fs, f), append(scs, userScalar(f))
		}
	}
	return fs, scs
}

// userFunctionScan binds a user-defined function called in FROM: user
// is false when the call resolves to no user-defined function. A
// set-returning function's rows come from its body; another function's
// one value (or record) makes one row. named reports that the result
// columns are named by the function (OUT parameters, RETURNS TABLE, a
// table's row type) rather than by an alias. In the select-list rewrite
// (srfTargets) a function with several result columns yields one record
// column, as in PostgreSQL.
func (b *binder) userFunctionScan(rf *parse.RangeFunction, name string, args []Expr, names []string) (
	fn funcs.SetFunc, cols []OutCol, callArgs []Expr, named, user bool, err error) {
	fs, scs := b.userFunctions("", name)
	if len(fs) == 0 {
		return nil, nil, nil, false, false, nil
	}
	e, err := b.callWith(name, args, names, scs)
	if err != nil {
		return nil, nil, nil, false, false, err
	}
	call := e.(*Call)
	i := slices.Index(scs, call.Fn)
	if i < 0 {
		return nil, nil, nil, false, false, nil
	}
	f := fs[i]
	if !f.RetSet {
		fn, cols = scalarAsSet(call, name)
		return fn, cols, []Expr{call}, len(f.OutTypes) > 0, true, nil
	}
	cols = []OutCol{{Name: name, T: f.Ret}}
	if len(f.OutTypes) > 0 {
		cols = cols[:0]
		for j, t := range f.OutTypes {
			cols = append(cols, OutCol{Name: f.OutNames[j], T: t})
		}
	}
	fn = func(ctx any, vals []any) ([][]any, error) {
		r, ok := ctx.(FuncRunner)
		if !ok {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "function %s needs a session", f.Name)
		}
		return r.CallUserSet(f, vals)
	}
	if len(cols) > 1 && rf.Alias != nil && rf.Alias.Aliasname == srfAlias {
		fn, cols = recordRows(fn, cols), []OutCol{{Name: name, T: types.RecordT}}
	}
	return fn, cols, call.Args, len(f.OutTypes) > 0, true, nil
}

// recordRows wraps a set function so each of its rows becomes one record
// value with columns cols.
func recordRows(fn funcs.SetFunc, cols []OutCol) funcs.SetFunc {
	ts := make([]types.T, len(cols))
	for i, c := range cols {
		ts[i] = c.T
	}
	return func(ctx any, args []any) ([][]any, error) {
		rows, err := fn(ctx, args)
		for i, r := range rows {
			rows[i] = []any{&types.Record{Types: ts, Vals: r}}
		}
		return rows, err
	}
}
