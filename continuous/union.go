package continuous

import (
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/plan"
)

// The real-time union: which state rows a query on a continuous
// aggregate reads. Bucket ranges are [lo, hi) in µs, nil for an open
// end, always bucket-aligned.
//
//	state rows(lo, hi) = grouping columns + partial states per bucket:
//	  materialized rows below the watermark UNION ALL the state query over
//	  the source from the watermark on (only the materialized rows when
//	  materialized_only)
//	view               = per-row finalize over state rows(-inf, +inf)
//
// The state query and the finalizing select list come from the
// definition (plan.CaggStateQuery, plan.CaggOutputList).

// Watermarks is what the real-time union needs to know: the catalog and
// each aggregate's refresh state. A Txn is one; so is the engine's
// statement environment.
type Watermarks interface {
	// Catalog returns the catalog the caller sees.
	Catalog() *catalog.Snapshot
	// CaggWatermark returns a continuous aggregate's watermark (ok false
	// before anything was materialized).
	CaggWatermark(matID int32) (wm int64, ok bool, err error)
}

// ViewSQL returns the query a reference to continuous aggregate view
// expands to: with materialized_only the finalized materialization, else
// the materialized rows below the watermark UNION ALL the finalized state
// query over the source from the watermark on (all of it from the source
// before the first refresh).
func ViewSQL(env Watermarks, view *catalog.Table) (string, error) {
	c := view.View.Cagg
	mat := env.Catalog().TableByOID(c.MatOID)
	outs := plan.CaggOutputList(c)
	if c.MaterializedOnly {
		return "SELECT " + outs + " FROM " + plan.QualifiedName(mat), nil
	}
	wm, ok, err := env.CaggWatermark(c.MatID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "SELECT " + outs + " FROM (" + plan.CaggStateQuery(c, sourceSQL(env, c, nil, nil), nil, nil) + ") AS _r", nil
	}
	raw := plan.CaggStateQuery(c, sourceSQL(env, c, &wm, nil), &wm, nil)
	return "SELECT " + outs + " FROM " + plan.QualifiedName(mat) + " WHERE " + quoteIdent(c.BucketCol()) + " < " + plan.TimeLiteral(c.TimeType, wm) +
		" UNION ALL SELECT " + outs + " FROM (" + raw + ") AS _r", nil
}

// sourceSQL returns the FROM text of c's state query for buckets in
// [lo, hi): the raw hypertable, or the parent's state rows.
func sourceSQL(env Watermarks, c *catalog.Cagg, lo, hi *int64) string {
	src := env.Catalog().TableByOID(c.SourceOID)
	if !src.IsCagg() {
		return plan.QualifiedName(src)
	}
	p := src.View.Cagg
	return plan.CaggParentSource(p, env.Catalog().TableByOID(p.MatOID), stateRows(env, src, lo, hi))
}

// stateRows returns continuous aggregate view's state rows for buckets in
// [lo, hi).
func stateRows(env Watermarks, view *catalog.Table, lo, hi *int64) string {
	c := view.View.Cagg
	mat := env.Catalog().TableByOID(c.MatOID)
	bc := quoteIdent(c.BucketCol())
	matRows := func(lo, hi *int64) string {
		var conds []string
		if lo != nil {
			conds = append(conds, bc+" >= "+plan.TimeLiteral(c.TimeType, *lo))
		}
		if hi != nil {
			conds = append(conds, bc+" < "+plan.TimeLiteral(c.TimeType, *hi))
		}
		s := "SELECT * FROM " + plan.QualifiedName(mat)
		if len(conds) > 0 {
			s += " WHERE " + strings.Join(conds, " AND ")
		}
		return s
	}
	if c.MaterializedOnly {
		return matRows(lo, hi)
	}
	wm, ok, err := env.CaggWatermark(c.MatID)
	if err != nil || !ok {
		return plan.CaggStateQuery(c, sourceSQL(env, c, lo, hi), lo, hi)
	}
	var parts []string
	if lo == nil || *lo < wm {
		mhi := &wm
		if hi != nil && *hi < wm {
			mhi = hi
		}
		parts = append(parts, matRows(lo, mhi))
	}
	if hi == nil || *hi > wm {
		rlo := &wm
		if lo != nil && *lo > wm {
			rlo = lo
		}
		parts = append(parts, plan.CaggStateQuery(c, sourceSQL(env, c, rlo, hi), rlo, hi))
	}
	return strings.Join(parts, " UNION ALL ")
}
