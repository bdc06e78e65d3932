package table

import (
	"errors"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// Hypertable blocks read whole and rewritten: UPDATE and DELETE of a
// hypertable, and rebuilding last-value entries, read a chunk's blocks
// with every column and write back the rows they keep.

// BlockScan returns the scan of every column of chunk chunkID of
// hypertable t over times [tmin, tmax], skipping blocks preds exclude.
func BlockScan(t *catalog.Table, chunkID uint64, tmin, tmax int64, preds []storage.BlockPred) *storage.ScanSpec {
	return &storage.ScanSpec{Chunk: chunkID, Cols: ChunkSchema(t).Cols, TimeCol: t.Hyper.TimeCol, TimeMin: tmin, TimeMax: tmax, Preds: preds}
}

// ReadBlock reads every column of block blk of hypertable t (spec from
// BlockScan), returning it in storage kinds (for RewriteBlock) and
// converted to SQL kinds (for evaluating expressions).
func (w *Writer) ReadBlock(t *catalog.Table, spec *storage.ScanSpec, blk *storage.BlockMeta) (stored, rows *col.Batch, err error) {
	sb, err := w.Txn.ReadBlock(spec, blk)
	if err != nil {
		return nil, nil, err
	}
	sb = sb.Compact()
	vecs := make([]*col.Vec, len(t.Cols))
	for i, v := range sb.Cols {
		if vecs[i], err = FromStorage(t.Cols[i].Type, v); err != nil {
			return nil, nil, err
		}
	}
	return sb, col.FromVecs(vecs, sb.Rows()), nil
}

// RewriteBlock replaces block blk of chunk chunkID of hypertable t with
// the rows keep of stored (its rows in storage kinds, from ReadBlock). It
// fails with a RaceError when a commit or the background merge replaced
// the block since it was read.
func (w *Writer) RewriteBlock(t *catalog.Table, chunkID uint64, blk *storage.BlockMeta, stored *col.Batch, keep []int) error {
	if err := w.Txn.RewriteBlock(chunkID, ChunkSchema(t), blk, stored.Gather(keep)); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return newRaceError()
		}
		return err
	}
	return nil
}

// RaceError is the error of an UPDATE or DELETE that read a block a
// commit or the background merge replaced before the statement rewrote
// it (RewriteBlock). The block's rows are still there, so the statement
// can run again on a fresh snapshot (PostgreSQL's READ COMMITTED
// re-evaluates a concurrently updated row rather than failing); the
// session does so. It unwraps to the 40001 error the client sees when
// the statement cannot run again.
type RaceError struct{ pe *pgerr.Error }

func (e RaceError) Error() string { return e.pe.Message }

// Unwrap returns the error's SQLSTATE 40001 form.
func (e RaceError) Unwrap() error { return e.pe }

func newRaceError() error {
	return RaceError{pgerr.New("40001", "could not serialize access due to concurrent update")}
}
