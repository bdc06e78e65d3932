package dml

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/opt"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
)

// Keyed UPDATE and DELETE: when the WHERE clause pins every primary key
// column of a regular table to a constant or a parameter (WHERE id = 5,
// WHERE aid = $1 AND ...), the statement reads that one row by its key
// instead of scanning the table; when an index answers part of it
// (sql/opt's index choice), the rows the index range selects. The whole
// WHERE clause is still checked on each row.

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

// indexedKeys returns the row keys of t that the index range sql/opt
// chooses for filter (over t's columns) selects: a superset of the rows
// filter matches, which the caller still checks. ok is false when no
// index answers a conjunct of filter (scan the table).
func indexedKeys(ec *exec.Ctx, t *catalog.Table, filter plan.Expr) (keys [][]byte, ok bool, err error) {
	s := &plan.Scan{Table: t}
	for i, c := range t.Cols {
		s.Cols = append(s.Cols, plan.OutCol{Name: c.Name, T: c.Type})
		s.ColIdx = append(s.ColIdx, i)
	}
	r := opt.IndexRangeFor(s, filter)
	if r == nil {
		return nil, false, nil
	}
	r.Only = true // the caller reads each row itself
	ks := &plan.Scan{Table: t, Cols: []plan.OutCol{{Name: "?rowkey?", T: types.Bytea}}, ColIdx: []int{plan.RowKeyCol}, Range: r}
	op, err := exec.Build(ec, ks)
	if err != nil {
		return nil, false, err
	}
	defer op.Close()
	var vals []any
	for {
		b, err := op.Next()
		if err != nil {
			return nil, false, err
		}
		if b == nil {
			return keys, true, nil
		}
		for i := 0; i < b.Len(); i++ {
			vals = b.Values(b.Row(i), vals[:0])
			keys = append(keys, []byte(vals[0].(string)))
		}
	}
}

// matchKeys returns those of keys whose rows of t exist and match.
func matchKeys(w *table.Writer, t *catalog.Table, keys [][]byte, match rowMatch) ([][]byte, error) {
	var out [][]byte
	for _, key := range keys {
		row, err := w.GetRow(t, key)
		if err != nil {
			return nil, err
		}
		if row == nil {
			continue
		}
		if _, ok, err := match(row); err != nil {
			return nil, err
		} else if ok {
			out = append(out, key)
		}
	}
	return out, nil
}
