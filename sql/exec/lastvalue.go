package exec

import (
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage/col"
)

// lastValueOp reads a hypertable's last-value index (plan.LastValueScan):
// every series' newest row in series-key order, or, with a key, the one
// series' newest row (none when the key is NULL or the series has no
// rows).
type lastValueOp struct {
	ctx  *Ctx
	n    *plan.LastValueScan
	rows *rowsOp
}

func (l *lastValueOp) Next() (*col.Batch, error) {
	if l.rows == nil {
		if l.ctx.Txn == nil {
			return nil, bug("last-value scan of %s without a transaction", l.n.Table.Name)
		}
		var rows [][]any
		if l.n.Key == nil {
			var err error
			if rows, err = table.LastValueRows(l.ctx.Txn, l.n.Table, l.n.Index, l.n.ColIdx); err != nil {
				return nil, err
			}
		} else {
			v, err := Eval(l.ctx, l.n.Key, nil)
			if err != nil {
				return nil, err
			}
			if v != nil {
				key, err := table.AppendKey(nil, l.n.KeyType, v)
				if err != nil {
					return nil, err
				}
				if rows, err = table.LastValueGet(l.ctx.Txn, l.n.Table, l.n.Index, key, l.n.ColIdx); err != nil {
					return nil, err
				}
			}
		}
		kinds := kindsOf(l.n.Cols)
		if err := checkRows(kinds, rows); err != nil {
			return nil, err
		}
		l.rows = &rowsOp{kinds: kinds, rows: rows}
	}
	return l.rows.Next()
}

func (l *lastValueOp) Close() error { return nil }
