package exec

import (
	"fmt"
	"slices"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage/col"
)

// lastValueOp reads a hypertable's last-value index (plan.LastValueScan):
// every series' newest row in series-key order, or, with a key, the one
// series' newest row (none when the key is NULL or the series has no
// rows). With a series scan (plan.LastValueScan.Scan) it finds the one
// series' newest row that passes the scan's filter in its blocks
// instead.
type lastValueOp struct {
	ctx  *Ctx
	n    *plan.LastValueScan
	rows *rowsOp
}

func (l *lastValueOp) Next() (*col.Batch, error) {
	if l.rows == nil {
		if l.ctx.Txn == nil {
			return nil, bug("last-value scan of %s without a transaction", l.n.Table.Name)
		}
		var rows [][]any
		var err error
		switch {
		case l.n.Key == nil:
			rows, err = table.LastValueRows(l.ctx.Txn, l.n.Table, l.n.Index, l.n.ColIdx)
		case l.n.Scan != nil:
			rows, err = l.seriesScan()
		default:
			rows, err = lastValueLookup(l.ctx, l.n, nil)
		}
		if err != nil {
			return nil, err
		}
		kinds := kindsOf(l.n.Cols)
		if err := checkRows(kinds, rows); err != nil {
			return nil, err
		}
		l.rows = &rowsOp{kinds: kinds, rows: rows}
	}
	return l.rows.Next()
}

// lastValueLookup reads the series n's key names from its last-value
// index: its newest row, or none. A LATERAL join calls it per left row
// (joinOp.lastValueRight) with the reader *r it keeps for all of them
// (created here on the first call); without r it is one point read.
func lastValueLookup(ctx *Ctx, n *plan.LastValueScan, r **table.LastValueReader) ([][]any, error) {
	if ctx.Txn == nil {
		return nil, bug("last-value scan of %s without a transaction", n.Table.Name)
	}
	v, err := Eval(ctx, n.Key, nil)
	if err != nil || v == nil {
		return nil, err
	}
	if r == nil {
		key, err := table.AppendKey(nil, n.KeyType, v)
		if err != nil {
			return nil, err
		}
		return table.LastValueGet(ctx.Txn, n.Table, n.Index, key, n.ColIdx)
	}
	if *r == nil {
		*r = table.NewLastValueReader(ctx.Txn, n.Table, n.Index)
	}
	key, err := table.AppendKey((*r).KeyBuf(), n.KeyType, v)
	if err != nil {
		return nil, err
	}
	row, found, err := (*r).Lookup(key, n.ColIdx)
	if err != nil || !found {
		return nil, err
	}
	return [][]any{row}, nil
}

// seriesScan reads the key's series newest block first and returns its
// newest row that passes the scan's filter. Blocks whose min/max of the
// series column exclude the key are skipped; once a row is found, so are
// the blocks whose times all lie before it.
func (l *lastValueOp) seriesScan() ([][]any, error) {
	v, err := Eval(l.ctx, l.n.Key, nil)
	if err != nil || v == nil { // series = NULL holds for no row
		return nil, err
	}
	hs := *l.n.Scan
	if p, ok := seriesPred(l.n, v); ok {
		hs.Preds = append(slices.Clip(hs.Preds), p)
	}
	op, err := newHyperScan(l.ctx, &hs)
	if err != nil {
		return nil, err
	}
	h := op.(*hyperScanOp)
	if l.ctx.Analyze {
		// Count every outer row's blocks under the plan's scan node.
		delete(l.ctx.scans, &hs)
		if st := l.ctx.scans[l.n.Scan]; st != nil {
			h.stats = st
		} else {
			l.ctx.scans[l.n.Scan] = h.stats
		}
	}
	ti := hs.TimeIdx()
	var best []any
	var bestTime int64
	h.order(true, func() (int64, bool) { return bestTime, best != nil })
	for {
		b, err := h.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		times := b.Cols[ti].I64
		r := -1
		for i := 0; i < b.Rows(); i++ {
			p := b.Row(i)
			if (r < 0 || times[p] > times[r]) && (best == nil || times[p] > bestTime) {
				r = p
			}
		}
		if r >= 0 {
			best, bestTime = b.Values(r, nil), times[r]
		}
	}
	if best == nil {
		return nil, nil
	}
	return [][]any{best}, nil
}

// seriesPred is the block predicate "series column = v", when v has the
// column's storage kind (else blocks are not skipped by it).
func seriesPred(n *plan.LastValueScan, v any) (plan.ScanPred, bool) {
	c := n.Table.Cols[n.Table.ColByID(n.SeriesCol)]
	var k col.Kind
	switch v.(type) {
	case int64:
		k = col.Int64
	case float64:
		k = col.Float64
	case string:
		k = col.Bytes
	case bool:
		k = col.Bool
	default:
		return plan.ScanPred{}, false
	}
	if c.Type.Kind() != k {
		return plan.ScanPred{}, false
	}
	return plan.ScanPred{Col: n.SeriesCol, Op: plan.OpEq, Value: v}, true
}

func (l *lastValueOp) Close() error { return nil }

// seriesScan describes a last-value series scan for EXPLAIN: the series,
// the scan's decisions, how it reads and stops, and (with ANALYZE) the
// blocks all outer rows' scans read and skipped.
func (e *explainer) seriesScan(x *plan.LastValueScan) (string, []string, []plan.Node) {
	s := x.Scan
	props := []string{"Series: " + x.Table.Cols[x.Table.ColByID(x.SeriesCol)].Name + " = " + fmtExpr(x.Key, nil) +
		", its blocks newest first, stopping at the first row that passes"}
	props = append(props, fmt.Sprintf("Chunks excluded: %d of %d", s.Excluded, s.Total))
	props = append(props, scanDecisions(s)...)
	if e.analyze {
		if st := e.ctx.scans[s]; st != nil {
			props = append(props, fmt.Sprintf("Blocks read: %d  Blocks skipped by metadata: %d", st.BlocksRead, st.BlocksSkipped))
		}
	}
	if s.Filter != nil {
		props = append(props, "Filter: "+fmtExpr(s.Filter, s.Cols))
	}
	return "Custom Scan (LastValue) on " + x.Table.Name, props, nil
}
