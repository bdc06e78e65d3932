package opt

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
)

// The index choice shared by the index rules (key_lookup, index_scan,
// index_order): which conjuncts of a filter over a regular table's scan
// an index range can answer, and which index answers the most.

// colConds are the conjuncts on one table column an index range can
// answer: each compares the column with a constant or parameter of its
// own type, a type whose key order is its SQL order (plan.KeyEquality).
type colConds struct {
	eq, eqCond plan.Expr
	in         []plan.Expr
	inArray    plan.Expr
	inCond     plan.Expr
	lo, hi     plan.Expr
	loIncl     bool
	hiIncl     bool
	loCond     plan.Expr
	hiCond     plan.Expr
}

// scanConds sorts the conjuncts of a filter over s by the table column
// (position in s.Table.Cols) they constrain; the first of each kind per
// column is kept, the others stay in the filter.
func scanConds(s *plan.Scan, conds []plan.Expr) map[int]*colConds {
	out := map[int]*colConds{}
	at := func(e plan.Expr) (int, *colConds) {
		cr, ok := e.(*plan.ColRef)
		if !ok || cr.Idx < 0 || cr.Idx >= len(s.ColIdx) || s.ColIdx[cr.Idx] < 0 {
			return -1, nil
		}
		pos := s.ColIdx[cr.Idx]
		if t := s.Table.Cols[pos].Type; !plan.KeyEquality(t) || cr.T.OID != t.OID {
			return -1, nil
		}
		if out[pos] == nil {
			out[pos] = &colConds{}
		}
		return pos, out[pos]
	}
	value := func(v plan.Expr, col plan.Expr) bool {
		return plan.ConstOrParam(v) && v.Type().OID == col.Type().OID
	}
	for _, c := range conds {
		switch x := c.(type) {
		case *plan.Op:
			l, r, kind := x.L, x.R, x.Kind
			if _, ok := l.(*plan.ColRef); !ok {
				l, r, kind = r, l, kind.Flip()
			}
			if _, ok := l.(*plan.ColRef); !ok || !value(r, l) {
				continue
			}
			switch kind {
			case plan.OpEq, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe:
			default:
				continue
			}
			_, cc := at(l)
			if cc == nil {
				continue
			}
			switch kind {
			case plan.OpEq:
				if cc.eq == nil {
					cc.eq, cc.eqCond = r, c
				}
			case plan.OpGt, plan.OpGe:
				if cc.lo == nil {
					cc.lo, cc.loIncl, cc.loCond = r, kind == plan.OpGe, c
				}
			default:
				if cc.hi == nil {
					cc.hi, cc.hiIncl, cc.hiCond = r, kind == plan.OpLe, c
				}
			}
		case *plan.InList:
			if x.Not || len(x.List) == 0 {
				continue
			}
			ok := true
			for _, v := range x.List {
				ok = ok && value(v, x.E)
			}
			if !ok {
				continue
			}
			if _, cc := at(x.E); cc != nil && cc.in == nil && cc.inArray == nil {
				cc.in, cc.inCond = x.List, c
			}
		case *plan.AnyArray:
			elem, ok := x.Array.Type().Elem()
			if x.All || x.Op != plan.OpEq || !ok || elem.OID != x.E.Type().OID || !plan.ConstOrParam(x.Array) {
				continue
			}
			if _, cc := at(x.E); cc != nil && cc.in == nil && cc.inArray == nil {
				cc.inArray, cc.inCond = x.Array, c
			}
		}
	}
	return out
}

// indexRange returns the range of index ix over s's table that answers
// the most of cc (equalities on leading key columns, then an IN list or
// bounds on the next), with its score (0: it answers nothing). noIn
// leaves IN lists out (the range must read in index order).
func indexRange(s *plan.Scan, ix *catalog.Index, cc map[int]*colConds, noIn bool) (*plan.IndexRange, int) {
	r := &plan.IndexRange{Index: ix}
	score := 0
	for _, id := range ix.Cols {
		c := cc[s.Table.ColByID(id)]
		if c == nil {
			break
		}
		if c.eq != nil {
			r.Eq = append(r.Eq, c.eq)
			r.Conds = append(r.Conds, c.eqCond)
			score += 10
			continue
		}
		if (c.in != nil || c.inArray != nil) && !noIn {
			r.In, r.InArray, r.Conds = c.in, c.inArray, append(r.Conds, c.inCond)
			score += 5
			break
		}
		if c.lo != nil {
			r.Lo, r.LoIncl, r.Conds = c.lo, c.loIncl, append(r.Conds, c.loCond)
			score += 3
		}
		if c.hi != nil {
			r.Hi, r.HiIncl, r.Conds = c.hi, c.hiIncl, append(r.Conds, c.hiCond)
			score += 3
		}
		break
	}
	if s.Table.IndexLayout(ix) == catalog.IndexUniqueKeys {
		// A row with a NULL key column has no entry: the range misses
		// it unless the conjuncts keep NULLs out of every key column.
		for i := len(r.Eq) + 1; i <= len(ix.Cols); i++ {
			if i == len(r.Eq)+1 && (r.In != nil || r.InArray != nil || r.Lo != nil || r.Hi != nil) {
				continue
			}
			if !s.Table.Cols[s.Table.ColByID(ix.Cols[i-1])].NotNull {
				return r, 0
			}
		}
	}
	if len(r.Eq) == len(ix.Cols) && ix.Unique {
		score += 100 // at most one row
	}
	return r, score
}

// bestRange returns the index range over s answering the most of conds,
// nil when no stored index answers any.
func bestRange(s *plan.Scan, conds []plan.Expr) *plan.IndexRange {
	cc := scanConds(s, conds)
	if len(cc) == 0 {
		return nil
	}
	return bestIndex(s, cc, func(*plan.IndexRange) bool { return true })
}

// bestIndex returns the range of a stored index of s's table answering
// the most of cc among those accept takes, nil when none answers any.
// Fewer key columns read less per entry: the better on a tie.
func bestIndex(s *plan.Scan, cc map[int]*colConds, accept func(*plan.IndexRange) bool) *plan.IndexRange {
	var best *plan.IndexRange
	bestScore := 0
	for i := range s.Table.Indexes {
		ix := &s.Table.Indexes[i]
		if s.Table.IndexLayout(ix) == catalog.IndexNotStored {
			continue
		}
		r, score := indexRange(s, ix, cc, false)
		if score == 0 || !accept(r) {
			continue
		}
		if score > bestScore || score == bestScore && len(ix.Cols) < len(best.Index.Cols) {
			best, bestScore = r, score
		}
	}
	return best
}

// withoutConds returns conds without those in used (the same expressions).
func withoutConds(conds, used []plan.Expr) []plan.Expr {
	var out []plan.Expr
	for _, c := range conds {
		found := false
		for _, u := range used {
			found = found || u == c
		}
		if !found {
			out = append(out, c)
		}
	}
	return out
}

// conjoin returns the AND of conds; nil when there are none.
func conjoin(conds []plan.Expr) plan.Expr {
	var e plan.Expr
	for _, c := range conds {
		e = plan.And(e, c)
	}
	return e
}

// IndexRangeFor returns the index range over scan s (a regular table)
// that index_scan would choose for filter cond, nil when no stored index
// answers any conjunct. UPDATE and DELETE (sql/dml) read their candidate
// rows through it; it changes nothing.
func IndexRangeFor(s *plan.Scan, cond plan.Expr) *plan.IndexRange {
	if cond == nil || s.Table == nil || s.Table.Hyper != nil {
		return nil
	}
	return bestRange(s, plan.Conjuncts(cond))
}
