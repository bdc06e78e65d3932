package exec

import (
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// keyScanOp reads the one row of a regular table stored under the key a
// scan's Key expressions give (sql/opt's key_lookup rule): an index scan
// of the primary key by equality.
type keyScanOp struct {
	ctx   *Ctx
	n     *plan.Scan
	done  bool
	reads *int64 // keys read, for EXPLAIN ANALYZE
}

func (s *keyScanOp) Next() (*col.Batch, error) {
	if s.done {
		return nil, nil
	}
	s.done = true
	t := s.n.Table
	vals := make([]any, len(t.Cols))
	for i, id := range s.n.KeyIndex.Cols {
		v, err := Eval(s.ctx, s.n.Key[i], nil)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, nil // NULL = anything is never true
		}
		vals[t.ColByID(id)] = v
	}
	key, err := table.RowKey(t, vals, 0)
	if err != nil {
		return nil, err
	}
	*s.reads++
	data, found, err := s.ctx.Txn.Get(storage.Space{Table: uint64(t.OID)}, key)
	if err != nil || !found {
		return nil, err
	}
	row := make([]any, len(t.Cols))
	if err := table.DecodeRow(t, data, row); err != nil {
		return nil, err
	}
	b := col.NewBatch(kindsOf(s.n.Cols), 1)
	if err := appendScanRow(b, s.n, row, key); err != nil {
		return nil, err
	}
	b.SetRows(1)
	return b, nil
}

func (s *keyScanOp) Close() error { return nil }
