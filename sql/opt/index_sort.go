package opt

import (
	"github.com/tsgres/tsgres/sql/plan"
)

// indexSort: a sort (without a LIMIT, which index_order handles) over a
// regular table's scan whose filter an index range answers, where that
// index also gives the sort's order and no other index answers more of
// the filter, goes: the scan reads the range in the index's order
// ("WHERE site = 3 ORDER BY temp DESC" on an index (site, temp DESC)).
// It returns the node replacing n.
func indexSort(n plan.Node) plan.Node {
	srt, ok := n.(*plan.Sort)
	if !ok || len(srt.Keys) == 0 {
		return n
	}
	s, r, score, cc := orderedRange(srt)
	if r == nil || score == 0 {
		return n
	}
	if b := bestIndex(s, cc, func(*plan.IndexRange) bool { return true }); b != nil {
		if _, bs := indexRange(s, b.Index, cc, false); bs > score {
			return n
		}
	}
	s.Range = r
	return srt.Input
}
