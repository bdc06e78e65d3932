package plan

import "github.com/tsgres/tsgres/catalog"

// IndexRange makes a Scan of a regular table read its rows through one
// of its indexes (sql/opt's index_scan and index_order rules): only the
// entries whose first len(Eq) key columns equal Eq and whose next column
// equals one of In or lies between Lo and Hi, in the index's order (its
// reverse when Backward). Every value is a constant or a parameter of
// the key column's type (KeyEquality types only, so the range is exact):
// a NULL value selects nothing.
type IndexRange struct {
	// Index is the index read: the primary key (the rows themselves), a
	// unique or a plain index with stored entries (catalog.IndexLayout).
	Index *catalog.Index
	// Eq holds the values of the leading key columns.
	Eq []Expr
	// In, when set, lists values of key column len(Eq): the scan reads
	// one range per distinct value, in the list's order.
	In []Expr
	// InArray, when set, is an array (a constant or parameter) whose
	// elements take the place of In: "col = ANY ($1)".
	InArray Expr
	// Lo and Hi bound key column len(Eq) (nil: unbounded); LoIncl and
	// HiIncl say whether a bound itself is in the range. A bound also
	// keeps out the column's NULLs.
	Lo, Hi         Expr
	LoIncl, HiIncl bool
	// Backward reads from the last entry to the first (ORDER BY in the
	// reverse of the index's order).
	Backward bool
	// Only marks an index-only scan (sql/opt's index_only rule): every
	// column the plan reads from the scan is a key column of the index
	// or of the primary key, so rows are decoded from the index's keys
	// and not read; the other columns read as NULL.
	Only bool
	// Conds are the conjuncts of the query's WHERE clause the range
	// answers, in key column order (EXPLAIN's "Index Cond"); they are
	// not evaluated again.
	Conds []Expr
}

// IndexRangeExprs returns the values r evaluates.
func IndexRangeExprs(r *IndexRange) []Expr {
	out := append(append([]Expr(nil), r.Eq...), r.In...)
	if r.InArray != nil {
		out = append(out, r.InArray)
	}
	if r.Lo != nil {
		out = append(out, r.Lo)
	}
	if r.Hi != nil {
		out = append(out, r.Hi)
	}
	return out
}

// ConstOrParam reports whether e is a constant or a parameter, possibly
// cast: a value an index range can be built from before the scan.
func ConstOrParam(e Expr) bool { return constOrParam(e) }
