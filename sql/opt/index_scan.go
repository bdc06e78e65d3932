package opt

import (
	"github.com/tsgres/tsgres/sql/plan"
)

// indexScan: a filter right above a regular table's scan whose conjuncts
// compare key columns of a stored index with constants or parameters
// reads only the index's matching range: the whole primary key pinned is
// a key lookup (key_lookup.go); otherwise the index answering the most
// conjuncts (equalities on leading key columns, then an IN list or a
// range on the next; a unique index fully pinned first) gives the scan
// its plan.IndexRange. The conjuncts the lookup or range answers leave
// the filter (EXPLAIN shows them as "Index Cond"); the filter goes when
// none is left. A scan whose range index_order already chose (ORDER BY
// ... LIMIT) only loses the conjuncts that range answers. It returns the
// node replacing n.
func indexScan(n plan.Node) plan.Node {
	f, ok := n.(*plan.Filter)
	if !ok {
		return n
	}
	s, ok := f.Input.(*plan.Scan)
	if !ok || s.Table == nil || s.Table.Hyper != nil || s.Key != nil {
		return n
	}
	conds := plan.Conjuncts(f.Cond)
	var used []plan.Expr
	switch {
	case s.Range != nil:
		used = s.Range.Conds
	default:
		if used = keyLookup(s, conds); used == nil {
			if r := bestRange(s, conds); r != nil {
				s.Range, used = r, r.Conds
			}
		}
	}
	if len(used) == 0 {
		return n
	}
	rest := withoutConds(conds, used)
	if len(rest) == 0 {
		return s
	}
	f.Cond = conjoin(rest)
	return f
}
