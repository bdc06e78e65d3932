package continuous

import (
	"github.com/tsgres/tsgres/catalog"
)

// snapTxn is a Txn that only answers Catalog: enough to decide whether
// the typed refresh takes an aggregate.
type snapTxn struct {
	Txn
	snap *catalog.Snapshot
}

func (t snapTxn) Catalog() *catalog.Snapshot { return t.snap }

// TypedRefresh reports whether view, in catalog snap, is refreshed with
// typed accumulators rather than INSERT ... SELECT.
func TypedRefresh(snap *catalog.Snapshot, view *catalog.Table) bool {
	return newTypedRefresh(snapTxn{snap: snap}, view) != nil
}
