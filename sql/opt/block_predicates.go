package opt

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// Block predicates: a conjunct "column op constant" on a hypertable
// column other than the time column (found by chunk_exclusion.go's pass
// over a WHERE or ON condition, or by filter pushdown) becomes a
// plan.ScanPred, with which the scan skips whole blocks whose min/max
// metadata proves no row matches. The condition itself stays where it
// is: the rows of the blocks read are still filtered by it.

// blockPredicate returns the block predicate "col kind v", or false when
// v's kind is not col's storage kind.
func blockPredicate(col *catalog.Column, kind plan.OpKind, v any) (plan.ScanPred, bool) {
	if k := col.Type.Kind(); k != storageKindOf(v) {
		return plan.ScanPred{}, false
	}
	return plan.ScanPred{Col: col.ID, Op: kind, Value: v}, true
}

// storageKindOf returns the storage kind of a constant's Go value (nil
// for other values).
func storageKindOf(v any) (k interface{ String() string }) {
	switch v.(type) {
	case int64:
		return types.Int8.Kind()
	case float64:
		return types.Float8.Kind()
	case bool:
		return types.Bool.Kind()
	case string:
		return types.Text.Kind()
	}
	return nil
}
