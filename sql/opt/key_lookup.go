package opt

import (
	"github.com/tsgres/tsgres/sql/plan"
)

// Key lookup: a filter right above a regular table's scan that pins every
// primary key column by equality to a constant or parameter ("WHERE id =
// 5", "WHERE aid = $1 AND ...") turns the scan into a read of the one row
// stored under that key (EXPLAIN: "Index Scan using t_pkey on t"). The
// filter stays: it checks the row (and any other conjunct).
func keyLookup(n plan.Node) {
	f, ok := n.(*plan.Filter)
	if !ok {
		return
	}
	s, ok := f.Input.(*plan.Scan)
	if !ok || s.Key != nil || s.Table == nil {
		return
	}
	pinned := map[int]plan.Expr{} // table column position -> value
	for out, e := range plan.Pinned(f.Cond) {
		if out < len(s.ColIdx) && s.ColIdx[out] >= 0 && e.Type().OID == s.Table.Cols[s.ColIdx[out]].Type.OID {
			pinned[s.ColIdx[out]] = e
		}
	}
	cols := plan.PinnedPrimaryKey(s.Table, func(pos int) bool { _, ok := pinned[pos]; return ok })
	if cols == nil {
		return
	}
	s.Key = make([]plan.Expr, len(cols))
	for i, pos := range cols {
		s.Key[i] = pinned[pos]
	}
	s.KeyIndex = s.Table.PrimaryKey()
}
