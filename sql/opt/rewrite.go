package opt

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
)

// Env is what the block rewrites need of the session: the catalog the
// statement sees, the chunks of a hypertable and the values of
// constant expressions (parameters, now(), the session's time zone).
// The session's binding environment (plan.Env) provides it.
type Env interface {
	// Catalog is the catalog the statement sees.
	Catalog() *catalog.Snapshot
	// Chunks returns the chunks of a hypertable meeting [lo, hi] and the
	// hypertable's total chunk count.
	Chunks(t *catalog.Table, lo, hi int64) (chunks []*catalog.Chunk, total int)
	// EvalConst evaluates an expression without column references; ok
	// is false when it cannot be evaluated yet (an unbound parameter).
	EvalConst(e plan.Expr) (v any, ok bool, err error)
}

// Rewriter applies the block rewrites to the plans the binder produces;
// it implements plan.Rewriter. The binder calls it where it finishes a
// FROM list (NarrowScans, LookupChunks) and a query block (RewriteBlock),
// so every bound plan gets the rewrites exactly once, at every level of
// nesting (subqueries, CTEs, views, set operation arms), whichever
// statement holds it.
type Rewriter struct {
	Env Env
	// Off switches the rewrites off (SET tsgres.optimizer = off): scans
	// read all their hypertable's chunks and blocks, filters stay where
	// the query put them, and no column is pruned. The answers are the
	// same; tests compare both.
	Off bool
}

var _ plan.Rewriter = Rewriter{}

// NarrowScans applies the conjuncts of cond, a condition over the row of
// FROM tree from starting at column off, to the time bounds and block
// predicates of the tree's hypertable scans (chunk_exclusion.go,
// block_predicates.go).
func (r Rewriter) NarrowScans(from plan.Node, off int, cond plan.Expr) error {
	if r.Off || cond == nil {
		return nil
	}
	scans := fromScans(from, off, nil)
	if len(scans) == 0 {
		return nil
	}
	if err := narrow(r.Env, scans, cond); err != nil {
		return err
	}
	for _, h := range scans {
		h.scan.TimeMin, h.scan.TimeMax = h.lo, h.hi
	}
	return nil
}

// LookupChunks sets the chunk list of every hypertable scan of FROM tree
// from to the chunks its time bounds leave (chunk_exclusion.go).
func (r Rewriter) LookupChunks(from plan.Node) {
	for _, h := range fromScans(from, 0, nil) {
		lookupChunks(r.Env, h.scan, h.lo, h.hi)
	}
}

// RewriteBlock returns bound query block n rewritten by, in this order:
// filter pushdown (push_filters.go, narrowing the scans the filters
// reach), projection merging (merge_projects.go), regrouping of
// continuous aggregates (regroup_cagg.go) and column pruning
// (prune_columns.go). The block's root keeps exactly its columns.
func (r Rewriter) RewriteBlock(n plan.Node) (plan.Node, error) {
	if r.Off {
		return n, nil
	}
	n, err := pushFilters(r.Env, n)
	if err != nil {
		return nil, err
	}
	n = regroupAggs(r.Env, mergeProjects(n))
	n, _ = prune(n, allTrue(len(n.Columns())))
	return n, nil
}

// colsOf marks the columns e reads in need; it returns false when e holds
// a correlated subquery (which may read any column).
func colsOf(e plan.Expr, need []bool) bool {
	ok := true
	plan.Walk(e, func(x plan.Expr) bool {
		switch x := x.(type) {
		case *plan.ColRef:
			if x.Idx >= 0 && x.Idx < len(need) {
				need[x.Idx] = true
			}
		case *plan.Subquery:
			ok = ok && !x.Correlated
		}
		return true
	})
	return ok
}

// aggExprs returns every expression an aggregation evaluates over its
// input.
func aggExprs(a *plan.Agg) []plan.Expr {
	out := append([]plan.Expr(nil), a.Keys...)
	for _, c := range a.Aggs {
		out = append(out, c.Args...)
		out = append(out, c.Direct...)
		if c.Filter != nil {
			out = append(out, c.Filter)
		}
		for _, k := range c.OrderBy {
			out = append(out, k.E)
		}
	}
	return out
}

// mapAggCall returns a copy of c with f applied to its expressions.
func mapAggCall(c *plan.AggCall, f func(plan.Expr) plan.Expr) *plan.AggCall {
	cp := *c
	cp.Args = mapExprs(c.Args, f)
	cp.Direct = mapExprs(c.Direct, f)
	if c.Filter != nil {
		cp.Filter = f(c.Filter)
	}
	if c.OrderBy != nil {
		cp.OrderBy = make([]plan.SortKey, len(c.OrderBy))
		for i, k := range c.OrderBy {
			cp.OrderBy[i] = plan.SortKey{E: f(k.E), Desc: k.Desc, NullsFirst: k.NullsFirst}
		}
	}
	return &cp
}

func mapExprs(es []plan.Expr, f func(plan.Expr) plan.Expr) []plan.Expr {
	if es == nil {
		return nil
	}
	out := make([]plan.Expr, len(es))
	for i, e := range es {
		out[i] = f(e)
	}
	return out
}

// remap rewrites e's column references through m (old position -> new).
func remap(e plan.Expr, m []int) plan.Expr {
	if e == nil {
		return nil
	}
	return plan.MapExpr(e, func(x plan.Expr) (plan.Expr, bool) {
		if c, ok := x.(*plan.ColRef); ok {
			return &plan.ColRef{T: c.T, Idx: m[c.Idx], Name: c.Name}, true
		}
		return x, false
	})
}
