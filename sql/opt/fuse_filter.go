package opt

import "github.com/tsgres/tsgres/sql/plan"

// fuseFilter: a Filter right above a hypertable scan without a filter of
// its own becomes the scan's filter, applied to each block as it is
// decoded (the rows a block drops are never copied out of it). It returns
// the node that replaces n.
func fuseFilter(n plan.Node) plan.Node {
	f, ok := n.(*plan.Filter)
	if !ok {
		return n
	}
	hs, ok := f.Input.(*plan.HyperScan)
	if !ok || hs.Filter != nil {
		return n
	}
	hs.Filter = f.Cond
	return hs
}
