package table

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// Write-write conflicts of REPEATABLE READ and SERIALIZABLE transactions
// (storage.Txn.SetRepeatableRead): a transaction that reads one snapshot
// must not change, or lock, a row that a transaction committed after
// that snapshot changed, as PostgreSQL's first-updater-wins rule. In
// READ COMMITTED the checks pass (the writer re-reads the newest version
// instead).

// CheckRowUnchanged fails with 40001 when a transaction committed after
// the snapshot of the writer's transaction updated or deleted the row of
// t under key. The caller holds the row's lock, so such a writer has
// finished committing.
func (w *Writer) CheckRowUnchanged(t *catalog.Table, key []byte) error {
	if !w.Txn.ChangedSince(rowSpace(t), key) {
		return nil
	}
	_, found, err := w.Txn.GetLatest(rowSpace(t), key)
	if err != nil {
		return err
	}
	if !found {
		return pgerr.New(pgerr.SerializationFailure, "could not serialize access due to concurrent delete")
	}
	return pgerr.New(pgerr.SerializationFailure, "could not serialize access due to concurrent update")
}

// CheckChunksUnchanged fails with 40001 when a transaction committed
// after the snapshot of the writer's transaction rewrote (updated or
// deleted rows of) one of chunks ids; rows appended meanwhile are no
// conflict. The caller holds the chunks' locks (LockChunks).
func (w *Writer) CheckChunksUnchanged(ids []uint64) error {
	for _, id := range ids {
		changed, err := w.Txn.ChunkChangedSince(id)
		if err != nil {
			return err
		}
		if changed {
			return pgerr.New(pgerr.SerializationFailure, "could not serialize access due to concurrent update")
		}
	}
	return nil
}

// CheckRowVisible fails with 40001 when the row of t under key, which a
// uniqueness check found among the latest committed rows, is not in the
// snapshot of the writer's REPEATABLE READ or SERIALIZABLE transaction:
// ON CONFLICT DO NOTHING must not skip a row its transaction cannot see
// (PostgreSQL's ExecCheckTIDVisible).
func (w *Writer) CheckRowVisible(t *catalog.Table, key []byte) error {
	if !w.Txn.RepeatableRead() {
		return nil
	}
	_, found, err := w.Txn.Get(rowSpace(t), key)
	if err != nil || found {
		return err
	}
	return pgerr.New(pgerr.SerializationFailure, "could not serialize access due to concurrent update")
}

// CheckBlockVisible fails with 40001 when stored block b, holding a row
// a uniqueness check found among the latest committed rows of a
// hypertable, is not in the snapshot of the writer's REPEATABLE READ or
// SERIALIZABLE transaction: ON CONFLICT must not skip or update a row its
// transaction cannot see (PostgreSQL's ExecCheckTIDVisible).
func (w *Writer) CheckBlockVisible(b BlockRef) error {
	if !b.Stored() {
		return nil
	}
	ok, err := w.Txn.InSnapshot(b.chunk, b.blk.ID)
	if err != nil || ok {
		return err
	}
	return pgerr.New(pgerr.SerializationFailure, "could not serialize access due to concurrent update")
}
