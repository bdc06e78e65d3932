package opt

import (
	"github.com/tsgres/tsgres/sql/plan"
)

// Key lookup: conjuncts of a filter right above a regular table's scan
// that pin every primary key column by equality to a constant or
// parameter ("WHERE id = 5", "WHERE aid = $1 AND ...") turn the scan into
// a read of the one row stored under that key (EXPLAIN: "Index Scan
// using t_pkey on t", "Index Cond: (id = 5)"). keyLookup records the key
// on s and returns the conjuncts it answers, which index_scan takes out
// of the filter; nil when the key is not pinned.
func keyLookup(s *plan.Scan, conds []plan.Expr) []plan.Expr {
	pk := s.Table.PrimaryKey()
	if pk == nil {
		return nil
	}
	cc := scanConds(s, conds)
	var key, used []plan.Expr
	for _, id := range pk.Cols {
		c := cc[s.Table.ColByID(id)]
		if c == nil || c.eq == nil {
			return nil
		}
		key, used = append(key, c.eq), append(used, c.eqCond)
	}
	s.Key, s.KeyIndex = key, pk
	return used
}
