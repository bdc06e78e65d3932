package opt

import (
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// keySets: a WHERE conjunct that tests one hypertable column against a
// set of keys known before the scan starts becomes a key set pushed into
// the scan (plan.KeySet), where it replaces the conjunct. The shapes:
//
//	col IN (uncorrelated subquery)    col = ANY (uncorrelated subquery)
//	col = ANY (array)                 col IN (list)
//
// where the array or list holds only constants and parameters. The
// executor computes the keys once per execution (a subquery once per
// statement, as before), skips blocks whose min/max of the column holds
// no key (for a compressed chunk's segmentby column that selects the
// segments), and keeps a block's rows by a hash-set probe instead of
// evaluating the conjunct per row. This is exact for a conjunct of a
// WHERE: a row passes only when its column equals a key (NULL keys never
// match; a NULL or a non-key column drops the row, as the conjunct's
// NULL or false does). NOT IN is left alone.
//
// The column and keys must compare the way the hash set does: both of
// integer types, both text or varchar, or the same date or timestamp
// type. A widening cast on the column (int4 to int8, varchar to text),
// which the binder adds to compare mixed types, is looked through.
//
// An inner or semi hash join whose outer side reads a hypertable scan
// (through filters and projections) gives the scan a runtime filter: the
// keys of the join's inner side, which the join builds first.
//
// It runs as a pass of its own over the whole plan before the other
// rules, so that the aggregate rules above the scan (column pruning,
// metadata answers) see the filter without the conjunct.
func keySets(n plan.Node) plan.Node {
	return mapPlan(n, func(x plan.Node) plan.Node {
		for y := pushKeySets(x); y != x; y = pushKeySets(x) {
			x = y // an emptied Filter gave way to its input
		}
		return x
	})
}

// pushKeySets moves the key-set conjuncts of a Filter above a hypertable
// scan (directly or through other Filters), or of the scan's own filter,
// into the scan. It returns the node that replaces n (its input, when
// the filter is left empty).
func pushKeySets(n plan.Node) plan.Node {
	switch x := n.(type) {
	case *plan.Filter:
		in := x.Input
		for f, ok := in.(*plan.Filter); ok; f, ok = in.(*plan.Filter) {
			in = f.Input
		}
		hs, ok := in.(*plan.HyperScan)
		if !ok || !keyable(hs) {
			return n
		}
		if x.Cond = takeKeySets(hs, x.Cond); x.Cond == nil {
			return x.Input
		}
	case *plan.HyperScan:
		if x.Filter != nil && keyable(x) {
			x.Filter = takeKeySets(x, x.Filter)
		}
	case *plan.Join:
		joinKeySets(x)
	}
	return n
}

// joinKeySets gives the hypertable scan on the outer (left) side of an
// inner or semi hash join a runtime filter per equi-key that reads a
// scan column: the keys of the join's inner side (plan.KeySet with Join
// set). The join condition stays as it is.
func joinKeySets(j *plan.Join) {
	if j.Lateral || len(j.EqLeft) == 0 || len(j.EqLeft) != len(j.EqRight) {
		return
	}
	if j.Kind != plan.JoinInner && j.Kind != plan.JoinSemi {
		return
	}
	for k, le := range j.EqLeft {
		cr, ok := keyColumn(le)
		if !ok {
			continue
		}
		hs, idx := timeSource(j.Left, cr.Idx)
		if hs == nil || !keyable(hs) || idx < 0 || idx >= len(hs.Cols) {
			continue
		}
		if !sameKeyType(hs.Cols[idx].T, j.EqRight[k].Type()) || !sameKeyType(le.Type(), j.EqRight[k].Type()) {
			continue
		}
		hs.Keys = append(hs.Keys, plan.KeySet{Idx: idx, Join: j, JoinKey: k})
	}
}

// keyable reports whether hs is a hypertable scan key sets can go into.
func keyable(hs *plan.HyperScan) bool {
	return hs.Table != nil && hs.Table.Hyper != nil
}

// takeKeySets adds to hs a key set for each conjunct of cond (over hs's
// columns) that is one, and returns the other conjuncts (nil for none).
func takeKeySets(hs *plan.HyperScan, cond plan.Expr) plan.Expr {
	var rest []plan.Expr
	for _, c := range plan.Conjuncts(cond) {
		if idx, ok := keySetColumn(hs, c); ok {
			hs.Keys = append(hs.Keys, plan.KeySet{Idx: idx, Cond: c})
			continue
		}
		rest = append(rest, c)
	}
	return conjoin(rest)
}

// keySetColumn returns the scan column conjunct c tests against a key
// set, or false when c is not a key set.
func keySetColumn(hs *plan.HyperScan, c plan.Expr) (int, bool) {
	var e plan.Expr
	var keyT types.T
	switch x := c.(type) {
	case *plan.Subquery:
		if x.Not || x.Correlated || (x.Kind != plan.SubIn && !(x.Kind == plan.SubAny && x.Op == plan.OpEq)) {
			return 0, false
		}
		cols := x.Plan.Columns()
		if len(cols) != 1 {
			return 0, false
		}
		e, keyT = x.E, cols[0].T
	case *plan.AnyArray:
		if x.All || x.Op != plan.OpEq || !runConstant(x.Array) {
			return 0, false
		}
		elem, ok := x.Array.Type().Elem()
		if !ok {
			return 0, false
		}
		e, keyT = x.E, elem
	case *plan.InList:
		if x.Not || len(x.List) == 0 {
			return 0, false
		}
		keyT = x.List[0].Type()
		for _, l := range x.List {
			if !runConstant(l) || !sameKeyType(keyT, l.Type()) {
				return 0, false
			}
		}
		e = x.E
	default:
		return 0, false
	}
	cr, ok := keyColumn(e)
	if !ok || cr.Idx < 0 || cr.Idx >= len(hs.Cols) {
		return 0, false
	}
	if !sameKeyType(hs.Cols[cr.Idx].T, keyT) {
		return 0, false
	}
	return cr.Idx, true
}

// keyColumn returns the column e reads, looking through widening casts
// that keep equality as it is.
func keyColumn(e plan.Expr) (*plan.ColRef, bool) {
	for {
		switch x := e.(type) {
		case *plan.ColRef:
			return x, true
		case *plan.Cast:
			if !sameKeyType(x.E.Type(), x.T) || intWidth(x.T) < intWidth(x.E.Type()) {
				return nil, false
			}
			e = x.E
		default:
			return nil, false
		}
	}
}

// sameKeyType reports whether values of types a and b are equal exactly
// when their executor forms (int64 or string) are.
func sameKeyType(a, b types.T) bool {
	switch {
	case a.IsInteger() && b.IsInteger():
		return true
	case plainText(a) && plainText(b):
		return true
	}
	switch a.OID {
	case types.OidDate, types.OidTimestamp, types.OidTimestamptz:
		return a.OID == b.OID
	}
	return false
}

// plainText reports whether t is text or varchar (whose equality is
// byte equality; bpchar's ignores trailing blanks).
func plainText(t types.T) bool {
	return t.OID == types.OidText || t.OID == types.OidVarchar
}

// intWidth returns the byte width of an integer type, 0 for others.
func intWidth(t types.T) int {
	switch t.OID {
	case types.OidInt2:
		return 2
	case types.OidInt4:
		return 4
	case types.OidInt8:
		return 8
	}
	return 0
}

// runConstant reports whether e is built from constants and parameters
// only (arrays of them, casts of them): its value is known before the
// scan starts.
func runConstant(e plan.Expr) bool {
	ok := true
	plan.Walk(e, func(x plan.Expr) bool {
		switch x.(type) {
		case *plan.Const, *plan.Param, *plan.ArrayExpr, *plan.Cast:
		default:
			ok = false
		}
		return ok
	})
	return ok
}
