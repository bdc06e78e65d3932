package sql

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// The last-value index (format and maintenance: sql/table/lastvalue.go;
// the rewrite that reads it: sql/opt/last_value.go). Rebuilding entries
// needs the catalog's chunk list and the session's block reader, so it
// stays here.

// recomputeLastValue rebuilds the entries of stale series (all series
// when stale is nil) by scanning chunks from the newest; the newest row
// of a series lives in the newest chunk that holds the series.
func (s *session) recomputeLastValue(t *catalog.Table, ix *catalog.Index, stale map[string]bool) error {
	sp := table.LastValueSpace(t, ix)
	for k := range stale {
		s.txn.Delete(sp, []byte(k))
	}
	schema := chunkSchema(t)
	chunks := s.db.cat.ScanChunksIn(s.ddl, t.OID, minInt64, maxInt64)
	remaining := len(stale)
	for i := len(chunks) - 1; i >= 0 && (stale == nil || remaining > 0); i-- {
		spec := &storage.ScanSpec{Chunk: chunks[i].ID, Cols: schema.Cols, TimeCol: t.Hyper.TimeCol, TimeMin: storage.MinTime, TimeMax: storage.MaxTime}
		blocks, _, err := s.txn.Blocks(spec)
		if err != nil {
			return err
		}
		var found []*col.Batch
		for _, blk := range blocks {
			_, qb, err := s.readBlockSQL(t, spec, blk)
			if err != nil {
				return err
			}
			vecs := qb.Cols
			if stale != nil {
				var keep []int
				for r := 0; r < qb.Rows(); r++ {
					k, err := table.SeriesKey(t, ix, qb, r)
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
			if err := table.MaintainLastValue(s.txn, one, qb); err != nil {
				return err
			}
			if stale != nil {
				for r := 0; r < qb.Rows(); r++ {
					k, _ := table.SeriesKey(t, ix, qb, r)
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
