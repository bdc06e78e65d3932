package opt

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
)

// indexOnly: an index scan (plan.IndexRange) under a projection or an
// aggregate (possibly through a filter) whose every column read is a key
// column of the index or of the primary key, of a type its key decodes
// back to, reads only the index's keys and no rows: EXPLAIN "Index Only
// Scan". It runs after the other rules (the index ranges are chosen on
// the nodes below the projection), on every node.
func indexOnly(n plan.Node) {
	var in plan.Node
	switch x := n.(type) {
	case *plan.Project:
		in = x.Input
	case *plan.Agg:
		in = x.Input
	default:
		return
	}
	exprs := plan.NodeExprs(n)
	if f, ok := in.(*plan.Filter); ok {
		exprs, in = append(exprs, f.Cond), f.Input
	}
	s, ok := in.(*plan.Scan)
	if !ok || s.Range == nil || s.Range.Only || s.Table == nil {
		return
	}
	covered := map[int]bool{} // table columns the keys give
	if s.Table.IndexLayout(s.Range.Index) != catalog.IndexRows {
		for _, id := range s.Range.Index.Cols {
			covered[s.Table.ColByID(id)] = true
		}
	}
	if pk := s.Table.PrimaryKey(); pk != nil {
		for _, id := range pk.Cols {
			covered[s.Table.ColByID(id)] = true
		}
	}
	only := true
	for _, e := range exprs {
		plan.Walk(e, func(x plan.Expr) bool {
			switch c := x.(type) {
			case *plan.Subquery:
				only = false
			case *plan.ColRef:
				if c.Idx < 0 || c.Idx >= len(s.ColIdx) {
					only = false
					break
				}
				pos := s.ColIdx[c.Idx]
				if pos < 0 || !covered[pos] || !plan.KeyEquality(s.Table.Cols[pos].Type) {
					only = false
				}
			}
			return only
		})
	}
	s.Range.Only = only
}

// lateRules run after the others, on every node of the physical plan.
var lateRules = []rule{
	{"index_only", indexOnly},
}

// applyLate runs lateRules on n and every node below it, including the
// plans of subqueries and CTEs (each CTE once).
func applyLate(n plan.Node, seen map[*plan.CTE]bool) {
	if r, ok := n.(*plan.CTERef); ok {
		if seen[r.CTE] {
			return
		}
		seen[r.CTE] = true
	}
	for _, r := range lateRules {
		r.apply(n)
	}
	eachSubquery(n, func(s *plan.Subquery) { applyLate(s.Plan, seen) })
	plan.MapInputs(n, func(c plan.Node) plan.Node {
		applyLate(c, seen)
		return c
	})
}
