package table

import (
	"github.com/tsgres/tsgres/catalog"
)

// Locks of SELECT ... FOR UPDATE and its kin on a hypertable (package
// exec's LockRows; a regular table's rows are locked with LockRow).

// LockChunks locks chunks ids of hypertable t whole in mode, as SELECT
// ... FOR UPDATE / FOR SHARE lock the rows they read (coarser than
// PostgreSQL's rows), bounding each wait by LockTimeout, and then starts
// a fresh view of committed data, as LockForRewrite does, so the scan
// that lists the chunks' blocks next reads what the transactions it
// waited for committed. false only under SkipLocked, with the chunks
// locked so far kept.
func (w *Writer) LockChunks(t *catalog.Table, ids []uint64, mode LockMode, wait LockWait) (bool, error) {
	for _, id := range ids {
		ctx, cancel := w.lockContext()
		ok, err := w.Txn.LockChunk(ctx, id, mode, wait)
		err = lockError(ctx, t, err)
		cancel()
		if err != nil || !ok {
			return false, err
		}
	}
	if len(ids) > 0 {
		w.Txn.NewStatement()
	}
	return true, nil
}
