package opt

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// The last_value rule. A hypertable index on (series column, time, ...)
// keeps the newest row of every series (sql/table's last-value index);
// "latest row per series" shapes read it instead of scanning chunks.
// The latest row of one series that the index cannot answer (a filter on
// other columns, or no index) comes from a series scan: its blocks
// newest first, stopping at the first row that passes. Unlike the other
// rules this one replaces nodes: it returns a new plan sharing the
// unchanged subtrees.

// lastValue rewrites latest-value-per-series plans to read the
// last-value index instead of scanning chunks:
//
//	DISTINCT ON (s) ... ORDER BY s, time DESC   (Distinct/Sort/Project over the scan)
//	SELECT s, last(x, time), max(time) ... GROUP BY s
//
// The scan may be filtered by predicates on s alone and by lower bounds
// on time (the newest row of a series passes such a bound exactly when
// some row does).
func lastValue(n plan.Node) plan.Node {
	switch x := n.(type) {
	case *plan.Distinct:
		if len(x.On) != 1 {
			break
		}
		srt, ok := x.Input.(*plan.Sort)
		if !ok || len(srt.Keys) < 2 {
			break
		}
		prj, ok := srt.Input.(*plan.Project)
		if !ok {
			break
		}
		on, ok1 := x.On[0].(*plan.ColRef)
		k0, ok2 := srt.Keys[0].E.(*plan.ColRef)
		if !ok1 || !ok2 || on.Idx != k0.Idx {
			break
		}
		// DISTINCT ON sorts by the ON key, then the ORDER BY keys, which
		// repeat it: the first other key must be time DESC.
		next := 1
		for next < len(srt.Keys) {
			if c, ok := srt.Keys[next].E.(*plan.ColRef); ok && c.Idx == on.Idx {
				next++
				continue
			}
			break
		}
		if next >= len(srt.Keys) || !srt.Keys[next].Desc {
			break
		}
		k1, ok3 := srt.Keys[next].E.(*plan.ColRef)
		if !ok3 {
			break
		}
		series, ok4 := prj.Exprs[k0.Idx].(*plan.ColRef)
		tcol, ok5 := prj.Exprs[k1.Idx].(*plan.ColRef)
		if !ok4 || !ok5 {
			break
		}
		if in, ok := lastValueInput(prj.Input, series.Idx, tcol.Idx); ok {
			cp := *prj
			cp.Input = in
			cs := *srt
			cs.Input = &cp
			return &plan.Distinct{Input: &cs, On: x.On}
		}
	case *plan.Agg:
		if len(x.Keys) != 1 {
			break
		}
		series, ok := x.Keys[0].(*plan.ColRef)
		if !ok {
			break
		}
		tIdx := -1
		for _, a := range x.Aggs {
			switch {
			case a.Agg.Name == "last" && len(a.Args) == 2 && !a.Distinct && a.Filter == nil:
				tc, ok := a.Args[1].(*plan.ColRef)
				if !ok || tIdx >= 0 && tc.Idx != tIdx {
					return rewriteChildren(n)
				}
				tIdx = tc.Idx
			case a.Agg.Name == "max" && len(a.Args) == 1 && a.Filter == nil:
				tc, ok := a.Args[0].(*plan.ColRef)
				if !ok || tIdx >= 0 && tc.Idx != tIdx {
					return rewriteChildren(n)
				}
				tIdx = tc.Idx
			default:
				return rewriteChildren(n)
			}
		}
		if tIdx < 0 {
			break
		}
		if in, ok := lastValueInput(x.Input, series.Idx, tIdx); ok {
			cp := *x
			cp.Input = in
			return &cp
		}
	case *plan.Limit:
		if r, ok := latestOne(x); ok {
			return r
		}
	}
	return rewriteChildren(n)
}

// latestOne rewrites "... WHERE s = <value> ORDER BY time DESC LIMIT 1"
// (alone or inside a LATERAL join, where <value> is the outer row's
// column) into a point lookup in the last-value index. It returns the
// replacement for the Limit: the lookup yields at most one row, so
// neither the sort nor the limit is left.
func latestOne(l *plan.Limit) (plan.Node, bool) {
	c, ok := l.Count.(*plan.Const)
	if !ok || c.V != int64(1) || l.Offset != nil {
		return nil, false
	}
	srt, ok := l.Input.(*plan.Sort)
	if !ok || len(srt.Keys) != 1 || !srt.Keys[0].Desc {
		return nil, false
	}
	prj, ok := srt.Input.(*plan.Project)
	if !ok {
		return nil, false
	}
	kc, ok := srt.Keys[0].E.(*plan.ColRef)
	if !ok {
		return nil, false
	}
	tcol, ok := prj.Exprs[kc.Idx].(*plan.ColRef)
	if !ok {
		return nil, false
	}
	cond, below := filters(prj.Input)
	hs, ok := below.(*plan.HyperScan)
	if !ok || cond == nil || tcol.Idx >= len(hs.ColIdx) || hs.Table.Cols[hs.ColIdx[tcol.Idx]].ID != hs.Table.Hyper.TimeCol {
		return nil, false
	}
	t := hs.Table
	// Find "series = value" among the conjuncts, preferring a column with
	// a last-value index.
	var ix *catalog.Index
	var value plan.Expr
	sIdx, at := -1, -1
	conjs := splitAnd(cond)
	for k, conj := range conjs {
		cr, val, ok := eqValue(conj)
		if !ok || cr.Idx >= len(hs.ColIdx) || hs.ColIdx[cr.Idx] == hs.ColIdx[tcol.Idx] {
			continue
		}
		var cix *catalog.Index
		for _, c := range t.LastValueIndexes() {
			if c.Cols[0] == t.Cols[hs.ColIdx[cr.Idx]].ID {
				cix = c
			}
		}
		if at < 0 || ix == nil && cix != nil {
			ix, value, sIdx, at = cix, val, cr.Idx, k
		}
	}
	if at < 0 {
		return nil, false
	}
	var rest plan.Expr
	for k, conj := range conjs {
		if k != at {
			rest = andExpr(rest, conj)
		}
	}
	series := &t.Cols[hs.ColIdx[sIdx]]
	var in plan.Node
	switch {
	case ix != nil && lastValueSafeFilter(rest, sIdx, tcol.Idx):
		in = &plan.LastValueScan{Table: t, Index: ix, Cols: hs.Cols, ColIdx: hs.ColIdx, Key: value, KeyType: series.Type}
		if rest != nil {
			in = &plan.Filter{Input: in, Cond: rest}
		}
	case seriesScanTime(hs.Cols[tcol.Idx].T):
		// The index cannot answer: read the series' blocks newest first.
		scan := *hs
		scan.Filter = andExpr(hs.Filter, cond)
		scan.Decode = make([]bool, len(hs.Cols))
		scan.Decode[tcol.Idx] = true
		for _, e := range append([]plan.Expr{scan.Filter}, prj.Exprs...) {
			plan.Walk(e, func(x plan.Expr) bool {
				switch c := x.(type) {
				case *plan.ColRef:
					if c.Idx < len(scan.Decode) {
						scan.Decode[c.Idx] = true
					}
				case *plan.Subquery: // may read the row's columns: decode all
					scan.Decode = nil
				}
				return scan.Decode != nil
			})
			if scan.Decode == nil {
				break
			}
		}
		in = &plan.LastValueScan{Table: t, Cols: hs.Cols, ColIdx: hs.ColIdx, Key: value, KeyType: series.Type,
			Scan: &scan, SeriesCol: series.ID}
	default:
		return nil, false
	}
	cp := *prj
	cp.Input = in
	return &cp, true
}

// eqValue matches "column = value" (either way round) where value reads
// no column of the row.
func eqValue(e plan.Expr) (*plan.ColRef, plan.Expr, bool) {
	op, ok := e.(*plan.Op)
	if !ok || op.Kind != plan.OpEq {
		return nil, nil, false
	}
	col, val := op.L, op.R
	if _, isCol := col.(*plan.ColRef); !isCol {
		col, val = op.R, op.L
	}
	cr, isCol := col.(*plan.ColRef)
	if !isCol || !noColumns(val) {
		return nil, nil, false
	}
	return cr, val, true
}

// seriesScanTime reports whether a time column of type t orders as its
// block metadata (microseconds or the integers themselves; a date's
// days do not), so a series scan can stop by block times.
func seriesScanTime(t types.T) bool {
	switch t.OID {
	case types.OidTimestamp, types.OidTimestamptz, types.OidInt2, types.OidInt4, types.OidInt8:
		return true
	}
	return false
}

// filters returns the conjunction of the conditions of the Filters
// stacked on top of n (the innermost first; nil for none) and the node
// below them.
func filters(n plan.Node) (plan.Expr, plan.Node) {
	var conds []plan.Expr
	for {
		f, ok := n.(*plan.Filter)
		if !ok {
			break
		}
		conds = append(conds, f.Cond)
		n = f.Input
	}
	var cond plan.Expr
	for i := len(conds) - 1; i >= 0; i-- {
		cond = andExpr(cond, conds[i])
	}
	return cond, n
}

func splitAnd(e plan.Expr) []plan.Expr {
	if op, ok := e.(*plan.Op); ok && op.Kind == plan.OpAnd {
		return append(splitAnd(op.L), splitAnd(op.R)...)
	}
	return []plan.Expr{e}
}

func andExpr(a, b plan.Expr) plan.Expr {
	if a == nil {
		return b
	}
	return &plan.Op{T: b.Type(), Kind: plan.OpAnd, L: a, R: b}
}

// noColumns reports whether e reads no column of its own row (constants,
// parameters and outer references are fine).
func noColumns(e plan.Expr) bool {
	ok := true
	plan.Walk(e, func(x plan.Expr) bool {
		switch c := x.(type) {
		case *plan.ColRef, *plan.Subquery:
			ok = false
		case *plan.Call:
			ok = ok && !c.Fn.Volatile
		}
		return ok
	})
	return ok
}

// rewriteChildren applies lastValue to each input of n. When one
// changes it returns a copy of n (the bound plan is left as it was),
// else n itself.
func rewriteChildren(n plan.Node) plan.Node {
	changed := false
	out, _ := plan.CopyInputs(n, func(c plan.Node) (plan.Node, error) {
		r := lastValue(c)
		changed = changed || r != c
		return r, nil
	})
	if !changed {
		return n
	}
	return out
}

// lastValueInput returns a replacement for a (filtered) hypertable scan
// reading the last-value index for series column position sIdx and time
// column position tIdx of the scan's output.
func lastValueInput(n plan.Node, sIdx, tIdx int) (plan.Node, bool) {
	filter, n := filters(n)
	hs, ok := n.(*plan.HyperScan)
	if !ok || sIdx >= len(hs.ColIdx) || tIdx >= len(hs.ColIdx) {
		return nil, false
	}
	t := hs.Table
	if t.Cols[hs.ColIdx[tIdx]].ID != t.Hyper.TimeCol {
		return nil, false
	}
	var ix *catalog.Index
	for _, c := range t.LastValueIndexes() {
		if c.Cols[0] == t.Cols[hs.ColIdx[sIdx]].ID {
			ix = c
		}
	}
	if ix == nil || !lastValueSafeFilter(filter, sIdx, tIdx) {
		return nil, false
	}
	v := &plan.LastValueScan{Table: t, Index: ix, Cols: hs.Cols, ColIdx: hs.ColIdx}
	if filter != nil {
		return &plan.Filter{Input: v, Cond: filter}, true
	}
	return v, true
}

// lastValueSafeFilter accepts conjunctions of predicates on the series
// column only (an uncorrelated IN or ANY subquery among them) and lower
// bounds on the time column.
func lastValueSafeFilter(f plan.Expr, sIdx, tIdx int) bool {
	if f == nil {
		return true
	}
	if op, ok := f.(*plan.Op); ok && op.Kind == plan.OpAnd {
		return lastValueSafeFilter(op.L, sIdx, tIdx) && lastValueSafeFilter(op.R, sIdx, tIdx)
	}
	cols := map[int]bool{}
	volatile := false
	plan.Walk(f, func(e plan.Expr) bool {
		switch x := e.(type) {
		case *plan.ColRef:
			cols[x.Idx] = true
		case *plan.Subquery:
			// An uncorrelated subquery is a set of keys computed once
			// ("series IN (SELECT id FROM devices WHERE ...)"): fine
			// when it tests the series column.
			volatile = volatile || x.Correlated
		case *plan.OuterRef:
			volatile = true
		case *plan.Call:
			volatile = volatile || x.Fn.Volatile
		}
		return true
	})
	if volatile {
		return false
	}
	if len(cols) == 1 && cols[sIdx] {
		return true
	}
	if len(cols) == 1 && cols[tIdx] {
		op, ok := f.(*plan.Op)
		if !ok {
			return false
		}
		l, lok := op.L.(*plan.ColRef)
		r, rok := op.R.(*plan.ColRef)
		switch {
		case lok && l.Idx == tIdx && (op.Kind == plan.OpGt || op.Kind == plan.OpGe):
			return true
		case rok && r.Idx == tIdx && (op.Kind == plan.OpLt || op.Kind == plan.OpLe):
			return true
		}
	}
	return false
}
