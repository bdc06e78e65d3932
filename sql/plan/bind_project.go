package plan

import (
	"math"

	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

const (
	minI64 = math.MinInt64
	maxI64 = math.MaxInt64
)

// target is one bound select-list entry.
type target struct {
	e      Expr
	name   string
	hidden bool
	table  uint32
	attnum int16
}

// project binds the select list of block s over input (its FROM and
// WHERE, bound in scope sc) and adds grouping, windows, DISTINCT, ORDER
// BY, the locking clause (lock, nil when none; where is the block's
// WHERE) and LIMIT.
func (b *binder) project(s *parse.SelectStmt, input Node, sc *scope, outer *scope, lock *lockSpec, where Expr) (Node, error) {
	var aggs []*AggCall
	var wins []*WindowFunc
	ec := &exprCtx{sc: sc, aggs: &aggs, wins: &wins, what: "SELECT"}
	keepUnknown := b.keepUnknown
	b.keepUnknown = false
	var targets []target
	for _, rt := range s.TargetList {
		res := rt.GetResTarget()
		if cr := res.Val.GetColumnRef(); cr != nil && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			var rels []*rel
			if len(cr.Fields) == 1 {
				rels = sc.rels
				if len(rels) == 0 {
					return nil, pgerr.New(pgerr.SyntaxError, "SELECT * with no tables specified is not valid")
				}
			} else {
				r, err := sc.relCols(strVal(cr.Fields[len(cr.Fields)-2]))
				if err != nil {
					return nil, err
				}
				rels = []*rel{r}
			}
			for _, r := range rels {
				for i, c := range r.cols {
					if c.Hidden || (len(cr.Fields) == 1 && r.hidden[c.Name]) {
						continue
					}
					targets = append(targets, target{e: &ColRef{T: c.T, Idx: r.off + i, Name: c.Name}, name: c.Name, table: c.TableOID, attnum: c.AttNum})
				}
			}
			continue
		}
		e, err := b.expr(res.Val, ec)
		if err != nil {
			return nil, err
		}
		if isUnknown(e) && !keepUnknown {
			if e, err = b.castTo(e, types.Text, true); err != nil {
				return nil, err
			}
		}
		t := target{e: e, name: res.Name}
		if t.name == "" {
			t.name = deriveName(res.Val)
		}
		if cr, ok := e.(*ColRef); ok {
			all := sc.allCols()
			if cr.Idx < len(all) {
				t.table, t.attnum = all[cr.Idx].TableOID, all[cr.Idx].AttNum
			}
		}
		targets = append(targets, t)
	}
	nvis := len(targets)

	// GROUP BY items: ordinals and output names refer to the select list.
	var keys []Expr
	for _, g := range s.GroupClause {
		e, err := b.groupItem(g, targets[:nvis], sc)
		if err != nil {
			return nil, err
		}
		keys = append(keys, e)
	}
	var having Expr
	if s.HavingClause != nil {
		h, err := b.expr(s.HavingClause, &exprCtx{sc: sc, aggs: &aggs, what: "HAVING"})
		if err != nil {
			return nil, err
		}
		if having, err = b.coerce(h, types.Bool, "argument of HAVING"); err != nil {
			return nil, err
		}
	}
	// ORDER BY and DISTINCT ON: output names/ordinals, else expressions
	// added as hidden columns.
	resolveOut := func(n *parse.Node) (int, error) {
		if c := n.GetAConst(); c != nil {
			if iv, ok := c.Val.(*parse.A_Const_Ival); ok {
				i := int(iv.Ival.Ival)
				if i < 1 || i > nvis {
					return 0, pgerr.New(pgerr.InvalidColumnReference, "ORDER BY position %d is not in select list", i)
				}
				return i - 1, nil
			}
		}
		if cr := n.GetColumnRef(); cr != nil && len(cr.Fields) == 1 {
			name := strVal(cr.Fields[0])
			if _, _, _, err := sc.resolve("", name); err != nil || true {
				for i := 0; i < nvis; i++ {
					if targets[i].name == name {
						if _, _, _, err := sc.resolve("", name); err != nil || exprEqualCol(targets[i].e, sc, name) {
							return i, nil
						}
					}
				}
			}
		}
		e, err := b.expr(n, ec)
		if err != nil {
			return 0, err
		}
		for i, t := range targets {
			if exprEqual(t.e, e) {
				return i, nil
			}
		}
		targets = append(targets, target{e: e, name: "?sort?", hidden: true})
		return len(targets) - 1, nil
	}
	type sortRef struct {
		idx              int
		desc, nullsFirst bool
	}
	var sorts []sortRef
	for _, o := range s.SortClause {
		sb := o.GetSortBy()
		i, err := resolveOut(sb.Node)
		if err != nil {
			return nil, err
		}
		k := sortKey(nil, sb)
		sorts = append(sorts, sortRef{i, k.Desc, k.NullsFirst})
	}
	var distinctOn []int
	distinct := len(s.DistinctClause) > 0
	for _, d := range s.DistinctClause {
		if d == nil || d.Node == nil {
			continue
		}
		i, err := resolveOut(d)
		if err != nil {
			return nil, err
		}
		distinctOn = append(distinctOn, i)
	}

	node := input
	grouped := len(aggs) > 0 || len(keys) > 0 || having != nil
	if lock != nil {
		if err := lock.check(len(aggs) > 0, len(wins) > 0); err != nil {
			return nil, err
		}
		if key := lock.addKeyColumn(); key != nil {
			targets = append(targets, target{e: key, name: "?rowkey?", hidden: true})
		}
	}
	if grouped {
		nk := len(keys)
		cols := make([]OutCol, 0, nk+len(aggs))
		for i, k := range keys {
			cols = append(cols, OutCol{Name: "key" + itoa(i), T: k.Type()})
		}
		for i, a := range aggs {
			cols = append(cols, OutCol{Name: "agg" + itoa(i), T: a.T})
		}
		agg := &Agg{Input: input, Keys: keys, Aggs: aggs, Cols: cols, Grand: len(keys) == 0}
		rw := func(e Expr) (Expr, error) { return rewriteGrouped(e, keys, nk, sc) }
		for i := range targets {
			e, err := rw(targets[i].e)
			if err != nil {
				return nil, err
			}
			targets[i].e = e
		}
		for _, w := range wins {
			for j := range w.Args {
				e, err := rw(w.Args[j])
				if err != nil {
					return nil, err
				}
				w.Args[j] = e
			}
			for j := range w.Part {
				e, err := rw(w.Part[j])
				if err != nil {
					return nil, err
				}
				w.Part[j] = e
			}
			for j := range w.Order {
				e, err := rw(w.Order[j].E)
				if err != nil {
					return nil, err
				}
				w.Order[j].E = e
			}
			if w.Agg != nil {
				for j := range w.Agg.Args {
					e, err := rw(w.Agg.Args[j])
					if err != nil {
						return nil, err
					}
					w.Agg.Args[j] = e
				}
				if w.Agg.Filter != nil {
					e, err := rw(w.Agg.Filter)
					if err != nil {
						return nil, err
					}
					w.Agg.Filter = e
				}
			}
		}
		node = agg
		if having != nil {
			h, err := rw(having)
			if err != nil {
				return nil, err
			}
			node = &Filter{Input: node, Cond: h}
		}
	}
	if len(wins) > 0 {
		base := node.Columns()
		cols := append([]OutCol(nil), base...)
		for i, w := range wins {
			cols = append(cols, OutCol{Name: "win" + itoa(i), T: w.T})
		}
		node = &Window{Input: node, Funcs: wins, Cols: cols}
		nb := len(base)
		for i := range targets {
			targets[i].e = MapExpr(targets[i].e, func(x Expr) (Expr, bool) {
				if w, ok := x.(*winRef); ok {
					return &ColRef{T: w.T, Idx: nb + w.Idx}, true
				}
				return x, false
			})
		}
	}
	// Projection.
	exprs := make([]Expr, len(targets))
	cols := make([]OutCol, len(targets))
	for i, t := range targets {
		exprs[i] = t.e
		cols[i] = OutCol{Name: t.name, T: t.e.Type(), TableOID: t.table, AttNum: t.attnum, Hidden: t.hidden}
	}
	node = &Project{Input: node, Exprs: exprs, Cols: cols}
	keyOf := func(i int, desc, nf bool) SortKey {
		return SortKey{E: &ColRef{T: cols[i].T, Idx: i, Name: cols[i].Name}, Desc: desc, NullsFirst: nf}
	}
	if len(distinctOn) > 0 {
		var sk []SortKey
		var on []Expr
		for _, i := range distinctOn {
			dir := SortKey{}
			for _, s := range sorts {
				if s.idx == i {
					dir = SortKey{Desc: s.desc, NullsFirst: s.nullsFirst}
				}
			}
			sk = append(sk, keyOf(i, dir.Desc, dir.NullsFirst))
			on = append(on, &ColRef{T: cols[i].T, Idx: i})
		}
		for _, s := range sorts {
			sk = append(sk, keyOf(s.idx, s.desc, s.nullsFirst))
		}
		node = &Distinct{Input: &Sort{Input: node, Keys: sk}, On: on}
	} else {
		if distinct {
			if len(targets) > nvis {
				return nil, pgerr.New(pgerr.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
			}
			node = &Distinct{Input: node}
		}
		if len(sorts) > 0 {
			var sk []SortKey
			for _, s := range sorts {
				sk = append(sk, keyOf(s.idx, s.desc, s.nullsFirst))
			}
			node = &Sort{Input: node, Keys: sk}
		}
	}
	if lock != nil {
		node = lock.node(node, where, exprs)
	}
	var err error
	if node, err = b.limit(node, s.LimitCount, s.LimitOffset); err != nil {
		return nil, err
	}
	if len(targets) > nvis {
		node = stripHidden(node)
	}
	return node, nil
}

func exprEqualCol(e Expr, sc *scope, name string) bool {
	cr, ok := e.(*ColRef)
	if !ok {
		return false
	}
	_, idx, _, err := sc.resolve("", name)
	return err == nil && idx == cr.Idx
}

func (b *binder) groupItem(g *parse.Node, targets []target, sc *scope) (Expr, error) {
	if c := g.GetAConst(); c != nil {
		if iv, ok := c.Val.(*parse.A_Const_Ival); ok {
			i := int(iv.Ival.Ival)
			if i < 1 || i > len(targets) {
				return nil, pgerr.New(pgerr.InvalidColumnReference, "GROUP BY position %d is not in select list", i)
			}
			return targets[i-1].e, nil
		}
	}
	if cr := g.GetColumnRef(); cr != nil && len(cr.Fields) == 1 {
		name := strVal(cr.Fields[0])
		if _, _, _, err := sc.resolve("", name); err != nil {
			for _, t := range targets {
				if t.name == name {
					return t.e, nil
				}
			}
		}
	}
	return b.expr(g, &exprCtx{sc: sc, what: "GROUP BY"})
}

// rewriteGrouped maps an expression over the grouping input to one over
// the Agg node's output (keys then aggregates).
func rewriteGrouped(e Expr, keys []Expr, nk int, sc *scope) (Expr, error) {
	var err error
	out := MapExpr(e, func(x Expr) (Expr, bool) {
		if err != nil {
			return x, true
		}
		for i, k := range keys {
			if _, isConst := k.(*Const); !isConst && exprEqual(x, k) {
				return &ColRef{T: k.Type(), Idx: i}, true
			}
		}
		switch c := x.(type) {
		case *aggRef:
			return &ColRef{T: c.T, Idx: nk + c.Idx}, true
		case *ColRef:
			name := c.Name
			all := sc.allCols()
			rel := ""
			if c.Idx < len(all) {
				rel = all[c.Idx].Rel
			}
			if rel != "" {
				name = rel + "." + name
			}
			err = pgerr.New(pgerr.GroupingError, "column %q must appear in the GROUP BY clause or be used in an aggregate function", name)
			return x, true
		}
		return x, false
	})
	return out, err
}

func (b *binder) limit(node Node, count, offset *parse.Node) (Node, error) {
	if count == nil && offset == nil {
		return node, nil
	}
	l := &Limit{Input: node}
	ec := &exprCtx{sc: newScope(nil), what: "LIMIT"}
	if count != nil {
		if c := count.GetAConst(); c == nil || !c.Isnull {
			e, err := b.expr(count, ec)
			if err != nil {
				return nil, err
			}
			if l.Count, err = b.castTo(e, types.Int8, isUnknown(e)); err != nil {
				return nil, err
			}
		}
	}
	if offset != nil {
		e, err := b.expr(offset, ec)
		if err != nil {
			return nil, err
		}
		if l.Offset, err = b.castTo(e, types.Int8, isUnknown(e)); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// orderLimit applies ORDER BY (by output name or position) and LIMIT to a
// node whose columns are final (VALUES, set operations).
func (b *binder) orderLimit(node Node, sorts []*parse.Node, count, offset *parse.Node, outer *scope) (Node, error) {
	if len(sorts) > 0 {
		cols := node.Columns()
		sc := newScope(outer)
		sc.add("", cols)
		var keys []SortKey
		for _, o := range sorts {
			sbn := o.GetSortBy()
			var e Expr
			if c := sbn.Node.GetAConst(); c != nil {
				if iv, ok := c.Val.(*parse.A_Const_Ival); ok {
					i := int(iv.Ival.Ival)
					if i < 1 || i > len(cols) {
						return nil, pgerr.New(pgerr.InvalidColumnReference, "ORDER BY position %d is not in select list", i)
					}
					e = &ColRef{T: cols[i-1].T, Idx: i - 1}
				}
			}
			if e == nil {
				var err error
				if e, err = b.expr(sbn.Node, &exprCtx{sc: sc, what: "ORDER BY"}); err != nil {
					return nil, err
				}
			}
			keys = append(keys, sortKey(e, sbn))
		}
		node = &Sort{Input: node, Keys: keys}
	}
	return b.limit(node, count, offset)
}

// setOp binds a UNION, INTERSECT or EXCEPT. Like PostgreSQL, a branch's
// untyped literals (SELECT NULL, SELECT 'x') stay unknown and take the
// other branch's type; two unknown columns resolve to text.
func (b *binder) setOp(s *parse.SelectStmt, outer *scope) (Node, error) {
	branch := func(s *parse.SelectStmt) (Node, error) {
		c := b.child()
		c.keepUnknown = true
		n, err := c.selectStmt(s, outer)
		b.correlated = b.correlated || c.correlated
		return n, err
	}
	l, err := branch(s.Larg)
	if err != nil {
		return nil, err
	}
	r, err := branch(s.Rarg)
	if err != nil {
		return nil, err
	}
	lc, rc := l.Columns(), r.Columns()
	if len(lc) != len(rc) {
		return nil, pgerr.New(pgerr.SyntaxError, "each %s query must have the same number of columns", setOpName(s.Op))
	}
	cols := make([]OutCol, len(lc))
	var lx, rx []Expr
	needCast := false
	for i := range lc {
		t, ok := commonType(lc[i].T, rc[i].T)
		lu, ru := lc[i].T.OID == types.OidUnknown || lc[i].T.OID == 0, rc[i].T.OID == types.OidUnknown || rc[i].T.OID == 0
		switch {
		case lu && ru:
			t, ok = types.Text, true
		case lu:
			t, ok = rc[i].T, true
		case ru:
			t, ok = lc[i].T, true
		}
		if !ok {
			return nil, pgerr.New(pgerr.DatatypeMismatch, "%s types %s and %s cannot be matched", setOpName(s.Op), typeDisplay(lc[i].T), typeDisplay(rc[i].T))
		}
		cols[i] = OutCol{Name: lc[i].Name, T: t}
		lx = append(lx, castCol(lc[i].T, t, i))
		rx = append(rx, castCol(rc[i].T, t, i))
		if lc[i].T != t || rc[i].T != t {
			needCast = true
		}
	}
	if needCast {
		l = &Project{Input: l, Exprs: lx, Cols: cols}
		r = &Project{Input: r, Exprs: rx, Cols: cols}
	}
	kind := SetUnion
	switch s.Op {
	case parse.SetOperation_SETOP_INTERSECT:
		kind = SetIntersect
	case parse.SetOperation_SETOP_EXCEPT:
		kind = SetExcept
	}
	var node Node = &SetOp{Kind: kind, All: s.All, Left: l, Right: r, Cols: cols}
	return b.orderLimit(node, s.SortClause, s.LimitCount, s.LimitOffset, outer)
}

func castCol(from, to types.T, i int) Expr {
	var e Expr = &ColRef{T: from, Idx: i}
	if from != to {
		e = &Cast{E: e, T: to}
	}
	return e
}

func setOpName(op parse.SetOperation) string {
	switch op {
	case parse.SetOperation_SETOP_INTERSECT:
		return "INTERSECT"
	case parse.SetOperation_SETOP_EXCEPT:
		return "EXCEPT"
	}
	return "UNION"
}

// weakName reports whether n's derived name is one PostgreSQL lets an
// enclosing cast override (FigureColname's strength 1).
func weakName(n *parse.Node) bool {
	switch n.Node.(type) {
	case *parse.Node_TypeCast, *parse.Node_CaseExpr:
		return true
	}
	return false
}

// deriveName names a select-list column the way PostgreSQL does.
func deriveName(n *parse.Node) string {
	switch x := n.Node.(type) {
	case *parse.Node_ColumnRef:
		f := x.ColumnRef.Fields
		return strVal(f[len(f)-1])
	case *parse.Node_FuncCall:
		_, name := funcName(x.FuncCall.Funcname)
		return name
	case *parse.Node_TypeCast:
		// The argument's name wins unless it is only a weak one (another
		// cast's type or "case"): 'r'::regclass::text is named text.
		if d := deriveName(x.TypeCast.Arg); d != "?column?" && !weakName(x.TypeCast.Arg) {
			return d
		}
		names := x.TypeCast.TypeName.Names
		tn := strVal(names[len(names)-1])
		if t, ok := types.ByName(tn); ok {
			tn = t.Info().Name
			if tn == "bpchar" {
				tn = "bpchar"
			}
		}
		return tn
	case *parse.Node_CaseExpr:
		return "case"
	case *parse.Node_CoalesceExpr:
		return "coalesce"
	case *parse.Node_MinMaxExpr:
		if x.MinMaxExpr.Op == parse.MinMaxOp_IS_GREATEST {
			return "greatest"
		}
		return "least"
	case *parse.Node_SubLink:
		switch x.SubLink.SubLinkType {
		case parse.SubLinkType_EXISTS_SUBLINK:
			return "exists"
		case parse.SubLinkType_ARRAY_SUBLINK:
			return "array"
		case parse.SubLinkType_EXPR_SUBLINK:
			if sel := x.SubLink.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) == 1 {
				rt := sel.TargetList[0].GetResTarget()
				if rt.Name != "" {
					return rt.Name
				}
				return deriveName(rt.Val)
			}
		}
	case *parse.Node_SqlvalueFunction:
		switch x.SqlvalueFunction.Op {
		case parse.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, parse.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
			return "current_timestamp"
		case parse.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
			return "current_date"
		case parse.SQLValueFunctionOp_SVFOP_CURRENT_USER:
			return "current_user"
		case parse.SQLValueFunctionOp_SVFOP_USER:
			return "user"
		case parse.SQLValueFunctionOp_SVFOP_SESSION_USER:
			return "session_user"
		case parse.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
			return "current_schema"
		case parse.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
			return "current_catalog"
		case parse.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, parse.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
			return "localtimestamp"
		}
	case *parse.Node_AArrayExpr:
		return "array"
	case *parse.Node_RowExpr:
		return "row"
	case *parse.Node_AIndirection:
		return deriveName(x.AIndirection.Arg)
	}
	return "?column?"
}
