package continuous

import (
	"context"
	"fmt"
	"math"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// refreshSlice is the time span one INSERT ... SELECT of a refresh covers
// (at least one bucket): it bounds the groups aggregated at once.
const refreshSlice = types.MicrosPerHour

// quoteIdent quotes an identifier for generated SQL.
func quoteIdent(s string) string { return plan.QuoteIdent(s) }

// bound returns p for a finite bound, nil for an open one.
func bound(v int64) *int64 {
	if v == math.MinInt64 || v == math.MaxInt64 {
		return nil
	}
	return &v
}

// rangeConds returns the conditions "col >= lo" and "col < hi" of type
// c.s time literals for the finite bounds of [lo, hi), joined into a WHERE
// clause with a leading space ("" when both are open).
func rangeConds(column string, c *catalog.Cagg, lo, hi int64) string {
	var conds []string
	if l := bound(lo); l != nil {
		conds = append(conds, column+" >= "+plan.TimeLiteral(c.TimeType, *l))
	}
	if h := bound(hi); h != nil {
		conds = append(conds, column+" < "+plan.TimeLiteral(c.TimeType, *h))
	}
	s := ""
	for i, cond := range conds {
		if i == 0 {
			s += " WHERE " + cond
		} else {
			s += " AND " + cond
		}
	}
	return s
}

// materialize replaces view's materialized buckets in [lo, hi) with
// states recomputed from its source, one slice at a time, and returns
// the last bucket written (nil: none) and whether it is known (the typed
// refresh knows; INSERT ... SELECT does not tell).
func materialize(ctx context.Context, tx Txn, view *catalog.Table, lo, hi int64) (*int64, bool, error) {
	c := view.View.Cagg
	mat := tx.Catalog().TableByOID(c.MatOID)
	matName := quoteIdent(mat.Schema) + "." + quoteIdent(mat.Name)
	del := "DELETE FROM " + matName + rangeConds(quoteIdent(c.BucketCol()), c, lo, hi)
	if err := tx.Query(ctx, del, nil); err != nil {
		return nil, false, err
	}
	first, last, ok, err := sourceExtent(ctx, tx, c, lo, hi)
	if err != nil || !ok {
		return nil, true, err
	}
	w := c.BucketWidth
	lo, hi = max(lo, plan.BucketFloor(first, w)), min(hi, plan.BucketFloor(last, w)+w)
	step := max(w, refreshSlice/w*w)
	if r := newTypedRefresh(tx, view); r != nil {
		if err := r.run(ctx, lo, hi, step); err != nil {
			return nil, false, fmt.Errorf("materialize %s: %w", view.Name, err)
		}
		return r.last, true, nil
	}
	for a := lo; a < hi; a += step {
		b := min(a+step, hi)
		q := "INSERT INTO " + matName + " " + plan.CaggStateQuery(c, sourceSQL(tx, c, &a, &b), &a, &b)
		if err := tx.Query(ctx, q, nil); err != nil {
			return nil, false, fmt.Errorf("materialize %s: %w", view.Name, err)
		}
	}
	return nil, false, nil
}

// sourceExtent returns the first and last source times in [lo, hi).
func sourceExtent(ctx context.Context, tx Txn, c *catalog.Cagg, lo, hi int64) (first, last int64, ok bool, err error) {
	tc := quoteIdent(c.SourceAlias) + "." + quoteIdent(c.SourceTime)
	q := "SELECT min(" + tc + "), max(" + tc + ") FROM " + sourceSQL(tx, c, bound(lo), bound(hi)) + " AS " + quoteIdent(c.SourceAlias) +
		rangeConds(tc, c, lo, hi)
	row, err := queryRow(ctx, tx, q)
	if err != nil || row[0] == nil {
		return 0, 0, false, err
	}
	return row[0].(int64), row[1].(int64), true, nil
}

// matMaxBucket returns the last bucket in c's materialization (nil:
// none).
func matMaxBucket(ctx context.Context, tx Txn, c *catalog.Cagg) (*int64, error) {
	mat := tx.Catalog().TableByOID(c.MatOID)
	row, err := queryRow(ctx, tx, "SELECT max("+quoteIdent(c.BucketCol())+") FROM "+quoteIdent(mat.Schema)+"."+quoteIdent(mat.Name))
	if err != nil || row[0] == nil {
		return nil, err
	}
	v := row[0].(int64)
	return &v, nil
}

// queryRow runs a one-row query in tx and returns its values as Go
// values.
func queryRow(ctx context.Context, tx Txn, q string) ([]any, error) {
	var rows [][]any
	err := tx.Query(ctx, q, func(b *col.Batch) error {
		for i := 0; i < b.Len(); i++ {
			row := make([]any, len(b.Cols))
			for j, v := range b.Cols {
				row[j] = v.Get(b.Row(i))
			}
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, pgerr.New(pgerr.Internal, "BUG: %q returned %d rows", q, len(rows))
	}
	return rows[0], nil
}
