package table

import (
	"math"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// RecomputeLastValue rebuilds the entries of last-value index ix of
// hypertable t for the series keys in stale (all series when stale is
// nil) from the rows t holds, scanning chunks from the newest: the
// newest row of a series lives in the newest chunk that holds the series.
// Found series are removed from stale.
func (w *Writer) RecomputeLastValue(t *catalog.Table, ix *catalog.Index, stale map[string]bool) error {
	defer w.Txn.ReadLatest()() // the newest rows, in REPEATABLE READ too
	sp := LastValueSpace(t, ix)
	for k := range stale {
		w.Txn.Delete(sp, []byte(k))
	}
	chunks := w.Env.ScanChunks(t.OID, math.MinInt64, math.MaxInt64)
	remaining := len(stale)
	for i := len(chunks) - 1; i >= 0 && (stale == nil || remaining > 0); i-- {
		spec := BlockScan(t, chunks[i].ID, storage.MinTime, storage.MaxTime, nil)
		blocks, _, err := w.Txn.Blocks(spec)
		if err != nil {
			return err
		}
		var found []*col.Batch
		for _, blk := range blocks {
			_, qb, err := w.ReadBlock(t, spec, blk)
			if err != nil {
				return err
			}
			vecs := qb.Cols
			if stale != nil {
				var keep []int
				for r := 0; r < qb.Rows(); r++ {
					k, err := SeriesKey(t, ix, qb, r)
					if err != nil {
						return err
					}
					if stale[string(k)] {
						keep = append(keep, r)
					}
				}
				if len(keep) == 0 {
					continue
				}
				for c := range vecs {
					vecs[c] = vecs[c].Gather(keep)
				}
				qb = col.FromVecs(vecs, len(keep))
			}
			found = append(found, qb)
		}
		one := &catalog.Table{}
		*one = *t
		one.Indexes = []catalog.Index{*ix}
		for _, qb := range found {
			if err := MaintainLastValue(w.Txn, one, qb); err != nil {
				return err
			}
			if stale != nil {
				for r := 0; r < qb.Rows(); r++ {
					k, _ := SeriesKey(t, ix, qb, r)
					if stale[string(k)] {
						delete(stale, string(k))
						remaining--
					}
				}
			}
		}
	}
	return nil
}
