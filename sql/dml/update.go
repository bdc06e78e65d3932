package dml

import (
	"fmt"

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
	if t.Hyper != nil {
		n, err := rewriteHyper(ec, w, t, x.Scan.(*plan.HyperScan), x.Filter, x.From, x.Set, ret)
		if err != nil {
			return err
		}
		return ret.finish(out, fmt.Sprintf("UPDATE %d", n))
	}
	match, err := newRowMatch(ec, t, x.Filter, x.From)
	if err != nil {
		return err
	}
	keys, rows, envs, err := matchRows(ec, w, t, match)
	if err != nil {
		return err
	}
	for i, old := range rows {
		row, err := updatedRow(ec, envs[i], x.Set)
		if err != nil {
			return err
		}
		if err := w.ReplaceRow(t, keys[i], old, row[:len(t.Cols)]); err != nil {
			return err
		}
		if err := ret.add(ec, row); err != nil {
			return err
		}
	}
	return ret.finish(out, fmt.Sprintf("UPDATE %d", len(rows)))
}

// Delete runs DELETE x, on a hypertable by rewriting the blocks holding
// matching rows (rewriteHyper), on a regular table row by row. The tag
// is "DELETE n".
func Delete(h Host, x *plan.Delete, out Output) error {
	ec := h.ExecCtx()
	w := h.Writer()
	t := x.Table
	ret := newReturner(x.Returning, x.RetCols)
	if t.Hyper != nil {
		n, err := rewriteHyper(ec, w, t, x.Scan.(*plan.HyperScan), x.Filter, x.Using, nil, ret)
		if err != nil {
			return err
		}
		return ret.finish(out, fmt.Sprintf("DELETE %d", n))
	}
	match, err := newRowMatch(ec, t, x.Filter, x.Using)
	if err != nil {
		return err
	}
	keys, rows, envs, err := matchRows(ec, w, t, match)
	if err != nil {
		return err
	}
	for i, row := range rows {
		w.DeleteRow(t, keys[i], row)
		if err := ret.add(ec, envs[i]); err != nil {
			return err
		}
	}
	return ret.finish(out, fmt.Sprintf("DELETE %d", len(rows)))
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

// matchRows returns the keys, rows and expression rows (see rowMatch) of
// a regular table's rows that match. Every row is read before any is
// changed.
func matchRows(ec *exec.Ctx, w *table.Writer, t *catalog.Table, match rowMatch) (keys [][]byte, rows, envs [][]any, err error) {
	it := w.Rows(t)
	defer it.Close()
	for it.Next() {
		row := it.Row()
		env, ok, err := match(row)
		if err != nil {
			return nil, nil, nil, err
		}
		if !ok {
			continue
		}
		keys = append(keys, it.Key())
		rows, envs = append(rows, row), append(envs, env)
		if len(rows)%1024 == 0 && ec.Context.Err() != nil {
			return nil, nil, nil, pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
		}
	}
	return keys, rows, envs, it.Err()
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
