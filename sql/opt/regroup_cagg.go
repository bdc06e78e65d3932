package opt

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// Regrouping a continuous aggregate by its own grouping. A materialization
// hypertable holds one row per bucket and grouping value, so a query
// that groups a continuous aggregate by its bucket (or time_bucket of it
// with the aggregate's own width) and all its other grouping columns,
// as dashboards do ("time_bucket('1 hour', bucket), device" over an
// hourly aggregate), forms groups of exactly one row. Such an
// aggregation is a projection: max(x), min(x) and sum(x) of one row are
// x, count(*) is 1 and count(x) is 0 or 1.

// regroupAggs replaces such aggregations anywhere in n by projections.
func regroupAggs(env Env, n plan.Node) plan.Node {
	n, _ = plan.CopyInputs(n, func(c plan.Node) (plan.Node, error) { return regroupAggs(env, c), nil })
	a, ok := n.(*plan.Agg)
	if !ok || len(a.Keys) == 0 {
		return n
	}
	in := a.Input
	if f, ok := in.(*plan.Filter); ok {
		in = f.Input
	}
	hs, ok := in.(*plan.HyperScan)
	if !ok || hs.Table.Hyper == nil {
		return n
	}
	view := env.Catalog().CaggByMatID(hs.Table.Hyper.ID)
	if view == nil || view.View.Cagg.MatOID != hs.Table.OID {
		return n
	}
	keys, ok := uniqueKeys(a.Keys, hs, view.View.Cagg)
	if !ok {
		return n
	}
	exprs := keys
	for _, c := range a.Aggs {
		e, ok := oneRowAgg(c)
		if !ok {
			return n
		}
		exprs = append(exprs, e)
	}
	return &plan.Project{Input: a.Input, Exprs: exprs, Cols: a.Cols}
}

// uniqueKeys reports whether grouping keys cover c's grouping columns in
// materialization scan hs, and returns the keys with time_bucket of the
// bucket at the aggregate's own width replaced by the bucket itself.
func uniqueKeys(keys []plan.Expr, hs *plan.HyperScan, c *catalog.Cagg) ([]plan.Expr, bool) {
	colName := func(e plan.Expr) string {
		if cr, ok := e.(*plan.ColRef); ok && cr.Idx >= 0 && cr.Idx < len(hs.ColIdx) {
			return hs.Table.Cols[hs.ColIdx[cr.Idx]].Name
		}
		return ""
	}
	covered := map[string]bool{}
	out := make([]plan.Expr, len(keys))
	for i, k := range keys {
		out[i] = k
		if call, ok := k.(*plan.Call); ok && call.Fn.Name == "time_bucket" && len(call.Args) == 2 && colName(call.Args[1]) == c.BucketCol() {
			if w, ok := call.Args[0].(*plan.Const); ok {
				if iv, ok := w.V.(types.Interval); ok && iv.Months == 0 && types.IntervalMicros(iv) == c.BucketWidth {
					out[i] = call.Args[1]
					covered[c.BucketCol()] = true
				}
			}
			continue
		}
		if name := colName(k); name != "" {
			covered[name] = true
		}
	}
	for _, g := range c.GroupCols {
		if !covered[g] {
			return nil, false
		}
	}
	return out, true
}

// oneRowAgg returns what aggregate call c yields over one row.
func oneRowAgg(c *plan.AggCall) (plan.Expr, bool) {
	if c.Distinct || c.Filter != nil || len(c.OrderBy) > 0 || len(c.Direct) > 0 {
		return nil, false
	}
	if c.Star {
		return &plan.Const{T: types.Int8, V: int64(1)}, c.Agg.Name == "count"
	}
	if len(c.Args) != 1 {
		return nil, false
	}
	x := c.Args[0]
	switch c.Agg.Name {
	case "max", "min":
		return x, x.Type() == c.T
	case "count":
		return &plan.Case{T: types.Int8, Whens: []plan.When{{Cond: &plan.IsNull{E: x}, Then: &plan.Const{T: types.Int8, V: int64(0)}}},
			Else: &plan.Const{T: types.Int8, V: int64(1)}}, true
	case "sum":
		switch {
		case x.Type() == c.T:
			return x, true
		case x.Type().IsInteger() && (c.T.OID == types.OidInt8 || c.T.OID == types.OidNumeric):
			return &plan.Cast{E: x, T: c.T}, true
		}
	}
	return nil, false
}
