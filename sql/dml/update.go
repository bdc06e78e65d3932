package dml

import (
	"fmt"
	"slices"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
)

// Update runs UPDATE x: a hypertable's matching rows are rewritten block
// by block (rewriteHyper), a regular table's replaced row by row. The
// tag is "UPDATE n".
func Update(h Host, x *plan.Update, out Output) error {
	ec := h.ExecCtx()
	w := h.Writer()
	t := x.Table
	ret := newReturner(x.Returning, x.RetCols)
	cs := newConstraints(h, ec, w)
	if t.Hyper != nil {
		n, err := rewriteHyper(ec, w, cs, t, x.Scan.(*plan.HyperScan), x.Filter, x.From, x.Set, ret)
		if err != nil {
			return err
		}
		return ret.finish(out, fmt.Sprintf("UPDATE %d", n))
	}
	match, err := newRowMatch(ec, t, x.Filter, x.From)
	if err != nil {
		return err
	}
	keys, err := matchRows(ec, w, t, match, x.Filter, x.From == nil)
	if err != nil {
		return err
	}
	mode := updateLockMode(t, x.Set)
	n := 0
	// olds and news are the replaced and new row versions, for the
	// foreign keys from and to t (constraints.go).
	var olds, news [][]any
	fks := len(t.ForeignKeys) > 0 || cs.referenced(t)
	for _, key := range keys {
		old, env, ok, err := lockAndRecheck(w, t, key, mode, match)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		row, err := updatedRow(ec, env, x.Set)
		if err != nil {
			return err
		}
		if err := cs.checkRow(t, row[:len(t.Cols)]); err != nil {
			return err
		}
		if err := w.ReplaceRow(t, key, old, row[:len(t.Cols)]); err != nil {
			return err
		}
		if fks {
			olds, news = append(olds, old), append(news, row[:len(t.Cols)])
		}
		if err := ret.add(ec, row); err != nil {
			return err
		}
		n++
	}
	if fks {
		if err := cs.updatedReferences(t, olds, news); err != nil {
			return err
		}
		if err := cs.parentChanged(t, olds, news); err != nil {
			return err
		}
	}
	return ret.finish(out, fmt.Sprintf("UPDATE %d", n))
}

// lockAndRecheck locks the row of t under key in mode, waiting for a
// concurrent writer of it to end, then reads its newest version and
// checks it against match again (PostgreSQL's READ COMMITTED
// re-evaluation): ok is false when the row is gone or no longer
// matches; otherwise row is the newest version and env the row the
// statement's expressions read (see rowMatch). In REPEATABLE READ and
// SERIALIZABLE a row a transaction committed after the snapshot changed
// fails the statement with 40001 instead (Writer.CheckRowUnchanged); an
// unchanged row's newest version is the snapshot's.
func lockAndRecheck(w *table.Writer, t *catalog.Table, key []byte, mode table.LockMode, match rowMatch) (row, env []any, ok bool, err error) {
	if _, err := w.LockRow(t, key, mode, table.Wait); err != nil {
		return nil, nil, false, err
	}
	if err := w.CheckRowUnchanged(t, key); err != nil {
		return nil, nil, false, err
	}
	if row, err = w.GetRow(t, key); err != nil || row == nil {
		return nil, nil, false, err
	}
	env, ok, err = match(row)
	return row, env, ok, err
}

// updateLockMode is the row lock an UPDATE of set takes: FOR UPDATE when
// it assigns a column of a unique index (a key column, which foreign
// keys may reference), FOR NO KEY UPDATE otherwise, as in PostgreSQL.
func updateLockMode(t *catalog.Table, set []plan.SetItem) table.LockMode {
	for _, it := range set {
		id := t.Cols[it.Col].ID
		for i := range t.Indexes {
			if t.Indexes[i].Unique && slices.Contains(t.Indexes[i].Cols, id) {
				return table.LockUpdate
			}
		}
	}
	return table.LockNoKeyUpdate
}

// Delete runs DELETE x, on a hypertable by rewriting the blocks holding
// matching rows (rewriteHyper), on a regular table row by row. The tag
// is "DELETE n".
func Delete(h Host, x *plan.Delete, out Output) error {
	ec := h.ExecCtx()
	w := h.Writer()
	t := x.Table
	ret := newReturner(x.Returning, x.RetCols)
	cs := newConstraints(h, ec, w)
	if t.Hyper != nil {
		n, err := rewriteHyper(ec, w, cs, t, x.Scan.(*plan.HyperScan), x.Filter, x.Using, nil, ret)
		if err != nil {
			return err
		}
		return ret.finish(out, fmt.Sprintf("DELETE %d", n))
	}
	match, err := newRowMatch(ec, t, x.Filter, x.Using)
	if err != nil {
		return err
	}
	keys, err := matchRows(ec, w, t, match, x.Filter, x.Using == nil)
	if err != nil {
		return err
	}
	n := 0
	var olds [][]any // deleted rows, when foreign keys reference t
	referenced := cs.referenced(t)
	for _, key := range keys {
		row, env, ok, err := lockAndRecheck(w, t, key, table.LockUpdate, match)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		w.DeleteRow(t, key, row)
		if referenced {
			olds = append(olds, row)
		}
		if err := ret.add(ec, env); err != nil {
			return err
		}
		n++
	}
	if err := cs.parentChanged(t, olds, nil); err != nil {
		return err
	}
	return ret.finish(out, fmt.Sprintf("DELETE %d", n))
}

// rowMatch decides whether a target row is changed; env is the row the
// statement's expressions read: the table row, followed by the matching
// source row for UPDATE ... FROM and DELETE ... USING.
type rowMatch func(row []any) (env []any, ok bool, err error)

// newRowMatch returns the rowMatch of a statement with filter and, when
// src is not nil, a FROM/USING source.
func newRowMatch(ec *exec.Ctx, t *catalog.Table, filter plan.Expr, src *plan.DMLSource) (rowMatch, error) {
	if src != nil {
		m, err := exec.NewSourceMatcher(ec, src, filter, len(t.Cols))
		if err != nil {
			return nil, err
		}
		return m.Match, nil
	}
	return func(row []any) ([]any, bool, error) {
		if filter == nil {
			return row, true, nil
		}
		ok, err := exec.Eval(ec, filter, row)
		return row, ok == true, err
	}, nil
}

// matchRows returns the keys of a regular table's rows that match, in
// key order. Every row is read before any is changed; each is locked and
// checked again before it is (lockAndRecheck). When plain (no FROM or
// USING source) and filter pins the primary key, only that row is read;
// when an index answers part of filter, only the rows it selects are
// (keyed.go).
func matchRows(ec *exec.Ctx, w *table.Writer, t *catalog.Table, match rowMatch, filter plan.Expr, plain bool) (keys [][]byte, err error) {
	if plain {
		key, ok, err := pinnedKey(ec, t, filter)
		if err != nil {
			return nil, err
		}
		if ok {
			if key == nil {
				return nil, nil
			}
			return matchKeys(w, t, [][]byte{key}, match)
		}
		if keys, ok, err := indexedKeys(ec, t, filter); err != nil || ok {
			if err != nil {
				return nil, err
			}
			return matchKeys(w, t, keys, match)
		}
	}
	it := w.Rows(t)
	defer it.Close()
	for n := 1; it.Next(); n++ {
		_, ok, err := match(it.Row())
		if err != nil {
			return nil, err
		}
		if ok {
			keys = append(keys, it.Key())
		}
		if n%1024 == 0 && ec.Context.Err() != nil {
			return nil, pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
		}
	}
	return keys, it.Err()
}

// updatedRow applies set to a target row: env is the row the expressions
// read (see rowMatch), starting with the table row. The result is env
// with the table part updated, which RETURNING reads.
func updatedRow(ec *exec.Ctx, env []any, set []plan.SetItem) ([]any, error) {
	row := append([]any(nil), env...)
	for _, it := range set {
		v, err := exec.Eval(ec, it.E, env)
		if err != nil {
			return nil, err
		}
		row[it.Col] = v
	}
	return row, nil
}
