package opt

import (
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// orderedScan: under LIMIT, a sort whose first key is a hypertable's time
// column keeps only its best n rows, and the scan below can read chunks
// and blocks newest first (oldest first for ASC) and stop once no further
// block can hold a row that beats the n-th best one: TimescaleDB's
// ordered ChunkAppend, on block metadata. The key is followed down
// through projections and filters to the scan that produces it
// unchanged. A date time column is left alone: block times are in
// microseconds, its values in days.
func orderedScan(n plan.Node) {
	s, cr := limitedSort(n)
	if s == nil {
		return
	}
	hs, i := timeSource(s.Input, cr.Idx)
	if hs == nil || hs.Table == nil || hs.Table.Hyper == nil || i != hs.TimeIdx() {
		return
	}
	if !timeOrderable(hs.Cols[i].T) {
		return
	}
	hs.Order = scanTimeOrder(s.Keys[0].Desc)
}

// timeOrderable reports whether a time column of type t compares in the
// unit of block metadata times: timestamp, timestamptz and integers (a
// date's values are days, block times microseconds).
func timeOrderable(t types.T) bool {
	return t.OID == types.OidTimestamp || t.OID == types.OidTimestamptz || t.IsInteger()
}

// scanTimeOrder is the block order of a scan feeding a sort by time.
func scanTimeOrder(desc bool) plan.ScanOrder {
	if desc {
		return plan.ScanTimeDesc
	}
	return plan.ScanTimeAsc
}

// limitedSort returns the Sort under n when n is a LIMIT with a count
// over a Sort whose first key is a column, with that column; nil
// otherwise.
func limitedSort(n plan.Node) (*plan.Sort, *plan.ColRef) {
	l, ok := n.(*plan.Limit)
	if !ok || l.Count == nil {
		return nil, nil
	}
	s, ok := l.Input.(*plan.Sort)
	if !ok || len(s.Keys) == 0 {
		return nil, nil
	}
	cr, ok := s.Keys[0].E.(*plan.ColRef)
	if !ok {
		return nil, nil
	}
	return s, cr
}

// timeSource follows output column i of n down through projections and
// filters to the hypertable scan producing it unchanged.
func timeSource(n plan.Node, i int) (*plan.HyperScan, int) {
	for {
		switch x := n.(type) {
		case *plan.HyperScan:
			return x, i
		case *plan.Filter:
			n = x.Input
		case *plan.Project:
			if i < 0 || i >= len(x.Exprs) {
				return nil, 0
			}
			cr, ok := x.Exprs[i].(*plan.ColRef)
			if !ok {
				return nil, 0
			}
			n, i = x.Input, cr.Idx
		default:
			return nil, 0
		}
	}
}
