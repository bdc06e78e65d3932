package dml

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
)

// Keyed UPDATE and DELETE: when the WHERE clause pins every primary key
// column of a regular table to a constant or a parameter (WHERE id = 5,
// WHERE aid = $1 AND ...), the statement reads that one row by its key
// instead of scanning the table. The rest of the WHERE clause is still
// checked on the row.

// pinnedKey returns the row key of t that filter pins by equalities on
// every primary key column: ok is false when it pins none (scan the
// table), key is nil with ok true when a pinned value is NULL (no row
// matches).
func pinnedKey(ec *exec.Ctx, t *catalog.Table, filter plan.Expr) (key []byte, ok bool, err error) {
	if filter == nil {
		return nil, false, nil
	}
	pinned := plan.Pinned(filter)
	cols := plan.PinnedPrimaryKey(t, func(pos int) bool {
		e, ok := pinned[pos]
		return ok && pos < len(t.Cols) && e.Type().OID == t.Cols[pos].Type.OID
	})
	if cols == nil {
		return nil, false, nil
	}
	vals := make([]any, len(t.Cols))
	for _, pos := range cols {
		v, err := exec.Eval(ec, pinned[pos], nil)
		if err != nil {
			return nil, false, err
		}
		if v == nil {
			return nil, true, nil
		}
		vals[pos] = v
	}
	key, err = table.RowKey(t, vals, 0)
	return key, err == nil, err
}
