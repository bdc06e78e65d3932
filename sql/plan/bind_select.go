package plan

import (
	"strconv"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// selectStmt binds a SELECT (or VALUES / set operation). outer is the
// enclosing query's scope for correlated references (nil at top level).
func (b *binder) selectStmt(s *parse.SelectStmt, outer *scope) (Node, error) {
	n, err := b.selectBlock(s, outer)
	if err != nil {
		return n, err
	}
	if n, err = b.env.RewriteBlock(n); err != nil {
		return nil, err
	}
	return postponeVolatile(n), nil
}

// selectBlock binds a SELECT without the optimizer's block rewrites.
func (b *binder) selectBlock(s *parse.SelectStmt, outer *scope) (Node, error) {
	if s == nil {
		return nil, pgerr.New(pgerr.SyntaxError, "expected a SELECT")
	}
	keepUnknown := b.keepUnknown
	b.keepUnknown = false // not for the subqueries bound below
	if s.WithClause != nil {
		if err := b.withClause(s.WithClause, outer); err != nil {
			return nil, err
		}
	}
	lock, err := lockingClause(s)
	if err != nil {
		return nil, err
	}
	if s.Op != parse.SetOperation_SETOP_NONE {
		return b.setOp(s, outer)
	}
	if len(s.ValuesLists) > 0 {
		n, err := b.values(s.ValuesLists, outer)
		if err != nil {
			return nil, err
		}
		return b.orderLimit(n, s.SortClause, s.LimitCount, s.LimitOffset, outer)
	}
	if s2, err := b.srfTargets(s); err != nil {
		return nil, err
	} else if s2 != s {
		if lock != nil {
			lock.srf = true
		}
		s = s2
	}
	sc := newScope(outer)
	sc.owner = b
	var input Node
	if len(s.FromClause) == 0 {
		input = &Values{Rows: [][]Expr{{}}}
		if lock != nil {
			if err := lock.lockTargets(nil, nil); err != nil {
				return nil, err
			}
		}
	} else {
		var items []Node
		for _, f := range s.FromClause {
			n, err := b.fromItem(f, sc)
			if err != nil {
				return nil, err
			}
			items = append(items, n)
			if input == nil {
				input = n
			} else if lat, ok := n.(*lateralNode); ok {
				input = &Join{Kind: JoinCross, Left: input, Right: lat.Node, Lateral: true}
			} else {
				input = &Join{Kind: JoinCross, Left: input, Right: n}
			}
		}
		if lat, ok := input.(*lateralNode); ok {
			input = lat.Node
		}
		if err := sc.checkAliases(); err != nil {
			return nil, err
		}
		if lock != nil {
			if lock.srf {
				// The lifted set-returning functions are no FROM item
				// of the query's.
				items = items[:len(items)-1]
			}
			if err := lock.lockTargets(s.FromClause[:len(items)], items); err != nil {
				return nil, err
			}
		}
	}
	for _, wd := range s.WindowClause {
		w := wd.GetWindowDef()
		if b.windows == nil {
			b.windows = map[string]*parse.WindowDef{}
		}
		b.windows[w.Name] = w
	}
	var where Expr
	if s.WhereClause != nil {
		cond, err := b.expr(s.WhereClause, &exprCtx{sc: sc, what: "WHERE"})
		if err != nil {
			return nil, err
		}
		if cond, err = b.coerce(cond, types.Bool, "argument of WHERE"); err != nil {
			return nil, err
		}
		if err := b.env.NarrowScans(input, 0, cond); err != nil {
			return nil, err
		}
		b.env.LookupChunks(input)
		input = &Filter{Input: input, Cond: cond}
		where = cond
	} else {
		b.env.LookupChunks(input)
	}
	b.keepUnknown = keepUnknown
	return b.project(s, input, sc, outer, lock, where)
}

// lateralNode marks a FROM item that must be joined laterally.
type lateralNode struct{ Node }

func (b *binder) withClause(w *parse.WithClause, outer *scope) error {
	if b.ctes == nil {
		b.ctes = map[string]*CTE{}
	}
	for _, c := range w.Ctes {
		cte := c.GetCommonTableExpr()
		sub := b.child()
		sub.ctes = b.ctes
		sel := cte.Ctequery.GetSelectStmt()
		if sel == nil {
			return pgerr.New(pgerr.FeatureNotSupported, "WITH %s: only SELECT is supported in WITH", cte.Ctename)
		}
		n, err := sub.selectStmt(sel, outer)
		if err != nil {
			return err
		}
		b.correlated = b.correlated || sub.correlated
		if len(cte.Aliascolnames) > 0 {
			n = renameCols(n, cte.Aliascolnames)
		}
		b.ctes[cte.Ctename] = &CTE{Name: cte.Ctename, Plan: n, Correlated: sub.correlated}
	}
	return nil
}

func renameCols(n Node, names []*parse.Node) Node {
	cols := visible(n.Columns())
	exprs := make([]Expr, len(cols))
	out := make([]OutCol, len(cols))
	for i, c := range cols {
		exprs[i] = &ColRef{T: c.T, Idx: i, Name: c.Name}
		out[i] = c
		if i < len(names) {
			out[i].Name = strVal(names[i])
		}
	}
	return &Project{Input: n, Exprs: exprs, Cols: out}
}

func (b *binder) values(lists []*parse.Node, outer *scope) (Node, error) {
	var rows [][]Expr
	for _, l := range lists {
		row, err := b.exprList(l.GetList().GetItems(), &exprCtx{sc: newScope(outer), what: "VALUES"})
		if err != nil {
			return nil, err
		}
		if len(rows) > 0 && len(row) != len(rows[0]) {
			return nil, pgerr.New(pgerr.SyntaxError, "VALUES lists must all be the same length")
		}
		rows = append(rows, row)
	}
	cols := make([]OutCol, len(rows[0]))
	for j := range cols {
		col := make([]Expr, len(rows))
		for i := range rows {
			col[i] = rows[i][j]
		}
		t, col, err := b.unify(col, "VALUES")
		if err != nil {
			return nil, err
		}
		for i := range rows {
			rows[i][j] = col[i]
		}
		cols[j] = OutCol{Name: "column" + itoa(j+1), T: t}
	}
	return &Values{Cols: cols, Rows: rows}, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

func (b *binder) fromItem(n *parse.Node, sc *scope) (Node, error) {
	switch x := n.Node.(type) {
	case *parse.Node_RangeVar:
		return b.rangeVar(x.RangeVar, sc)
	case *parse.Node_JoinExpr:
		return b.joinExpr(x.JoinExpr, sc)
	case *parse.Node_RangeSubselect:
		rs := x.RangeSubselect
		sub := b.child()
		parent := sc.parent
		if rs.Lateral {
			parent = sc
		}
		node, err := sub.selectStmt(rs.Subquery.GetSelectStmt(), parent)
		if err != nil {
			return nil, err
		}
		alias := ""
		if rs.Alias != nil {
			alias = rs.Alias.Aliasname
			if len(rs.Alias.Colnames) > 0 {
				node = renameCols(node, rs.Alias.Colnames)
			}
		}
		cols := relCols(visible(node.Columns()), alias)
		if len(cols) != len(node.Columns()) {
			node = stripHidden(node)
		}
		sc.add(alias, cols)
		if !rs.Lateral && sub.correlated {
			// It reads a row enclosing this block: so does the block.
			b.correlated = true
		}
		if rs.Lateral && sub.correlated {
			return &lateralNode{node}, nil
		}
		return node, nil
	case *parse.Node_RangeFunction:
		return b.rangeFunction(x.RangeFunction, sc)
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "unsupported FROM item %T", n.Node)
}

func relCols(cols []OutCol, alias string) []OutCol {
	out := make([]OutCol, len(cols))
	for i, c := range cols {
		c.Rel = alias
		out[i] = c
	}
	return out
}

func stripHidden(n Node) Node {
	all := n.Columns()
	var exprs []Expr
	var cols []OutCol
	for i, c := range all {
		if !c.Hidden {
			exprs = append(exprs, &ColRef{T: c.T, Idx: i, Name: c.Name})
			cols = append(cols, c)
		}
	}
	return &Project{Input: n, Exprs: exprs, Cols: cols}
}

// LookupTable resolves a possibly qualified table name, telling env
// (a RelationNoter) of the relation found.
func lookupTable(env Env, schema, name string) *catalog.Table {
	t := findTable(env, schema, name)
	if n, ok := env.(RelationNoter); ok && t != nil {
		n.NoteRelation(t)
	}
	return t
}

func findTable(env Env, schema, name string) *catalog.Table {
	snap := env.Catalog()
	if schema == "pg_temp" {
		schema = catalog.TempSchemaOf(env.SearchPath())
	}
	if schema != "" {
		return snap.Table(env.Database(), schema, name)
	}
	for _, s := range env.SearchPath() {
		if t := snap.Table(env.Database(), s, name); t != nil {
			return t
		}
	}
	return nil
}

func (b *binder) rangeVar(rv *parse.RangeVar, sc *scope) (Node, error) {
	alias := rv.Relname
	if rv.Alias != nil {
		alias = rv.Alias.Aliasname
	}
	var node Node
	if c := b.cte(rv.Relname); c != nil && rv.Schemaname == "" {
		node = &CTERef{CTE: c, Cols: visible(c.Plan.Columns())}
	} else if t := lookupTable(b.env, rv.Schemaname, rv.Relname); t != nil && t.View != nil && t.View.Kind == catalog.ViewPlain {
		n, err := b.viewNode(t)
		if err != nil {
			return nil, err
		}
		node = n
	} else if t != nil {
		if t.View != nil {
			if _, err := b.viewNode(t); err != nil {
				return nil, err
			}
		}
		cols := make([]OutCol, len(t.Cols))
		idx := make([]int, len(t.Cols))
		for i, c := range t.Cols {
			cols[i] = OutCol{Name: c.Name, T: c.Type, TableOID: t.OID, AttNum: int16(i + 1)}
			idx[i] = i
		}
		if t.Hyper != nil {
			node = &HyperScan{Table: t, Cols: cols, ColIdx: idx, TimeMin: minI64, TimeMax: maxI64}
		} else {
			node = &Scan{Table: t, Cols: cols, ColIdx: idx}
		}
	} else if v, ok := b.virtual(rv.Schemaname, rv.Relname); ok {
		node = v
	} else {
		name := rv.Relname
		if rv.Schemaname != "" {
			name = rv.Schemaname + "." + rv.Relname
		}
		return nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name).WithPosition(rv.Location + 1)
	}
	cols := relCols(node.Columns(), alias)
	if rv.Alias != nil {
		for i, cn := range rv.Alias.Colnames {
			if i < len(cols) {
				cols[i].Name = strVal(cn)
			}
		}
	}
	sc.add(alias, cols)
	return node, nil
}

func (b *binder) virtual(schema, name string) (*Virtual, bool) {
	if schema != "" {
		return b.env.VirtualTable(schema, name)
	}
	if v, ok := b.env.VirtualTable(catalog.SchemaCatalog, name); ok {
		return v, true
	}
	return nil, false
}

func (b *binder) joinExpr(j *parse.JoinExpr, outer *scope) (Node, error) {
	// A join binds its items in a scope of its own, as PostgreSQL does:
	// its ON condition and its lateral items see the join's own row (the
	// row the Join evaluates them over), not FROM items before the join
	// ("FROM a, b JOIN c ON ..."). The join's relations are then added
	// to the enclosing FROM scope at their place in its row.
	sc := newScope(outer.parent)
	left, err := b.fromItem(j.Larg, sc)
	if err != nil {
		return nil, err
	}
	leftRels := len(sc.rels)
	leftCols := sc.ncols
	right, err := b.fromItem(j.Rarg, sc)
	if err != nil {
		return nil, err
	}
	defer mergeScope(outer, sc)
	lateral := false
	if lat, ok := left.(*lateralNode); ok {
		left = lat.Node
	}
	if lat, ok := right.(*lateralNode); ok {
		right, lateral = lat.Node, true
	}
	kind := JoinInner
	switch j.Jointype {
	case parse.JoinType_JOIN_LEFT:
		kind = JoinLeft
	case parse.JoinType_JOIN_RIGHT:
		kind = JoinRight
	case parse.JoinType_JOIN_FULL:
		kind = JoinFull
	}
	var cond Expr
	var using []string
	for _, u := range j.UsingClause {
		using = append(using, strVal(u))
	}
	if j.IsNatural {
		for _, r := range sc.rels[:leftRels] {
			for _, c := range r.cols {
				for _, r2 := range sc.rels[leftRels:] {
					for _, c2 := range r2.cols {
						if c.Name == c2.Name {
							using = append(using, c.Name)
						}
					}
				}
			}
		}
	}
	if len(using) > 0 {
		for _, name := range using {
			li, ri := -1, -1
			var lt, rt types.T
			for _, r := range sc.rels {
				for i, c := range r.cols {
					if c.Name != name {
						continue
					}
					if r.off+i < leftCols && li < 0 {
						li, lt = r.off+i, c.T
					} else if r.off+i >= leftCols && ri < 0 {
						ri, rt = r.off+i, c.T
						if r.hidden == nil {
							r.hidden = map[string]bool{}
						}
						r.hidden[name] = true
					}
				}
			}
			if li < 0 || ri < 0 {
				return nil, pgerr.New(pgerr.UndefinedColumn, "column %q specified in USING clause does not exist in %s table", name, map[bool]string{true: "left", false: "right"}[li < 0])
			}
			eq, err := b.compare(OpEq, "=", &ColRef{T: lt, Idx: li, Name: name}, &ColRef{T: rt, Idx: ri, Name: name})
			if err != nil {
				return nil, err
			}
			cond = And(cond, eq)
		}
	} else if j.Quals != nil {
		q, err := b.expr(j.Quals, &exprCtx{sc: sc, what: "JOIN conditions"})
		if err != nil {
			return nil, err
		}
		if q, err = b.coerce(q, types.Bool, "argument of JOIN/ON"); err != nil {
			return nil, err
		}
		cond = q
	} else if kind == JoinInner && !j.IsNatural {
		kind = JoinCross
	}
	jn := &Join{Kind: kind, Left: left, Right: right, Cond: cond, Lateral: lateral}
	// Conditions of inner joins narrow hypertable scans like WHERE does.
	if kind == JoinInner && cond != nil {
		if err := b.env.NarrowScans(jn, 0, cond); err != nil {
			return nil, err
		}
	}
	if !lateral {
		jn.EqLeft, jn.EqRight = equiKeys(cond, leftCols)
	}
	return jn, nil
}

// mergeScope appends a join's scope js to the enclosing FROM scope sc,
// moving its relations to their offsets in sc's row.
func mergeScope(sc, js *scope) {
	base := sc.ncols
	for _, r := range js.rels {
		r.off += base
		sc.rels = append(sc.rels, r)
	}
	sc.ncols += js.ncols
}

// equiKeys finds "left col = right col" conjuncts for a hash join.
func equiKeys(cond Expr, leftCols int) (l, r []Expr) {
	if cond == nil {
		return nil, nil
	}
	for _, c := range Conjuncts(cond) {
		op, ok := c.(*Op)
		if !ok || op.Kind != OpEq {
			continue
		}
		ls, rs := sideOf(op.L, leftCols), sideOf(op.R, leftCols)
		switch {
		case ls == 1 && rs == 2:
			l, r = append(l, op.L), append(r, shift(op.R, -leftCols))
		case ls == 2 && rs == 1:
			l, r = append(l, op.R), append(r, shift(op.L, -leftCols))
		}
	}
	return l, r
}

// sideOf reports 1 when e reads only left columns, 2 only right, 0 otherwise.
func sideOf(e Expr, leftCols int) int {
	side := 0
	ok := true
	Walk(e, func(x Expr) bool {
		switch c := x.(type) {
		case *ColRef:
			s := 1
			if c.Idx >= leftCols {
				s = 2
			}
			if side != 0 && side != s {
				ok = false
			}
			side = s
		case *OuterRef, *Subquery, *Param:
			ok = false
		case *Call:
			if c.Fn.Volatile {
				ok = false
			}
		}
		return ok
	})
	if !ok {
		return 0
	}
	return side
}

// shift moves ColRef indexes by d.
func shift(e Expr, d int) Expr {
	return MapExpr(e, func(x Expr) (Expr, bool) {
		if c, ok := x.(*ColRef); ok {
			cp := *c
			cp.Idx += d
			return &cp, true
		}
		return x, false
	})
}

func (b *binder) rangeFunction(rf *parse.RangeFunction, sc *scope) (Node, error) {
	if len(rf.Functions) != 1 {
		return b.rowsFrom(rf, sc)
	}
	items := rf.Functions[0].GetList().GetItems()
	fc := items[0].GetFuncCall()
	if fc == nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "unsupported function in FROM")
	}
	_, name := funcName(fc.Funcname)
	// Functions in FROM are implicitly LATERAL: their arguments may read
	// the FROM items before them ("FROM t, generate_series(1, t.n)").
	lateral := len(sc.rels) > 0
	parent := sc.parent
	if lateral {
		parent = sc
	}
	sub := b.child()
	argScope := &exprCtx{sc: newScope(parent), what: "functions in FROM"}
	var args []Expr
	var names []string
	for _, a := range fc.Args {
		n := a
		name := ""
		if na := a.GetNamedArgExpr(); na != nil {
			n, name = na.Arg, na.Name
		}
		e, err := sub.expr(n, argScope)
		if err != nil {
			return nil, err
		}
		args, names = append(args, e), append(names, name)
	}
	raw := append([]Expr(nil), args...) // before unknowns become text
	var argTypes []types.T
	for i, a := range args {
		if isUnknown(a) {
			args[i], _ = b.castTo(a, types.Text, true)
		}
		argTypes = append(argTypes, args[i].Type())
	}
	lname := strings.ToLower(name)
	var fn funcs.SetFunc
	var cols []OutCol
	set := funcs.LookupSet(lname)
	ok := false
	if set != nil {
		var sc []funcs.SetCol
		if fn, sc, ok = set.Resolve(argTypes); ok {
			for _, c := range sc {
				cols = append(cols, OutCol{Name: c.Name, T: c.T})
			}
		}
	}
	named, user := false, false
	if !ok {
		var callArgs []Expr
		var err error
		if fn, cols, callArgs, named, user, err = sub.userFunctionScan(rf, lname, raw, names); err != nil {
			return nil, err
		}
		if user {
			args = callArgs
		}
	}
	switch {
	case ok:
		var err error
		if args, err = placeNamed(lname, args, names); err != nil {
			return nil, err
		}
	case !user:
		call, err := sub.call(lname, args, names)
		if err != nil {
			return nil, err
		}
		fn, cols = scalarAsSet(call.(*Call), lname)
		args = []Expr{call}
	}
	fcols := cols
	cols = append([]OutCol(nil), cols...)
	if rf.Ordinality {
		cols = append(cols, OutCol{Name: "ordinality", T: types.Int8})
	}
	alias := name
	if rf.Alias != nil {
		alias = rf.Alias.Aliasname
		if len(fcols) == 1 && len(rf.Alias.Colnames) == 0 && !named {
			cols[0].Name = alias
		}
		for i, cn := range rf.Alias.Colnames {
			if i < len(cols) {
				cols[i].Name = strVal(cn)
			}
		}
	}
	node := &FuncScan{Fn: fn, Args: args, Cols: cols, Ordinality: rf.Ordinality, Name: lname, Alias: alias}
	if ok && set.Stream != nil {
		node.Stream, _ = set.Stream(argTypes)
	}
	sc.add(alias, relCols(cols, alias))
	if !sub.correlated {
		return node, nil
	}
	if !lateral {
		// The arguments read the enclosing query's row ("SELECT
		// array(SELECT x FROM unnest(t.arr) x) FROM t"): the query being
		// bound is correlated, the function is not lateral.
		b.correlated = true
		return node, nil
	}
	if readsEnclosing(args) {
		b.correlated = true
	}
	return &lateralNode{node}, nil
}

// readsEnclosing reports whether lateral function arguments read the
// enclosing query's row (outer references past the FROM scope, or a
// correlated subquery, conservatively), besides earlier FROM items.
func readsEnclosing(args []Expr) bool {
	found := false
	for _, a := range args {
		Walk(a, func(x Expr) bool {
			switch x := x.(type) {
			case *OuterRef:
				found = found || x.Depth > 1
			case *Subquery:
				found = found || x.Correlated
			}
			return !found
		})
	}
	return found
}

// srfArgNames are the parameter names of set-returning functions, for
// named notation.
var srfArgNames = map[string][]string{
	"show_chunks":     {"relation", "older_than", "newer_than"},
	"generate_series": {"start", "stop", "step"},
}

func placeNamed(fn string, args []Expr, names []string) ([]Expr, error) {
	named := false
	for _, n := range names {
		named = named || n != ""
	}
	if !named {
		return args, nil
	}
	decl := srfArgNames[fn]
	out := make([]Expr, len(decl))
	for i, a := range args {
		pos := i
		if names[i] != "" {
			pos = -1
			for j, d := range decl {
				if d == names[i] {
					pos = j
				}
			}
		}
		if pos < 0 || pos >= len(out) {
			return nil, pgerr.New(pgerr.UndefinedFunction, "function %s has no parameter named %q", fn, names[i])
		}
		out[pos] = a
	}
	for len(out) > 0 && out[len(out)-1] == nil {
		out = out[:len(out)-1]
	}
	for i, a := range out {
		if a == nil {
			out[i] = &Const{T: types.Text}
		}
	}
	return out, nil
}

// scalarAsSet turns a scalar call in FROM into a one-row function scan;
// record results with declared fields expand into columns.
func scalarAsSet(c *Call, name string) (funcs.SetFunc, []OutCol) {
	var cols []OutCol
	if len(c.Fn.OutNames) > 0 {
		for i, n := range c.Fn.OutNames {
			cols = append(cols, OutCol{Name: n, T: c.Fn.OutTypes[i]})
		}
	} else {
		cols = []OutCol{{Name: name, T: c.T}}
	}
	expand := len(c.Fn.OutNames) > 0
	return func(ctx any, args []any) ([][]any, error) {
		v := args[0]
		if expand {
			if r, ok := v.(*types.Record); ok {
				return [][]any{append([]any(nil), r.Vals...)}, nil
			}
		}
		return [][]any{{v}}, nil
	}, cols
}
