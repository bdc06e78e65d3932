package dml

import (
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/storage/col"
)

// returner collects the RETURNING rows of a DML statement. A nil
// returner (no RETURNING clause) collects nothing.
type returner struct {
	exprs []plan.Expr
	cols  []plan.OutCol
	rows  [][]any
}

// newReturner returns the returner of RETURNING exprs (result columns
// cols); nil without a RETURNING clause.
func newReturner(exprs []plan.Expr, cols []plan.OutCol) *returner {
	if len(exprs) == 0 {
		return nil
	}
	return &returner{exprs: exprs, cols: cols}
}

// add evaluates the RETURNING expressions over row (the row the
// statement's expressions read) and keeps the result.
func (r *returner) add(ec *exec.Ctx, row []any) error {
	if r == nil {
		return nil
	}
	out := make([]any, len(r.exprs))
	for i, e := range r.exprs {
		v, err := exec.Eval(ec, e, row)
		if err != nil {
			return err
		}
		out[i] = v
	}
	r.rows = append(r.rows, out)
	return nil
}

// finish sends RETURNING rows (if any) and the command tag.
func (r *returner) finish(out Output, tag string) error {
	if r != nil {
		if err := out.Columns(r.cols); err != nil {
			return err
		}
		if len(r.rows) > 0 {
			if err := out.Batch(rowsToBatch(r.cols, r.rows)); err != nil {
				return err
			}
		}
	}
	return out.Complete(tag)
}

// rowsToBatch builds a batch of columns cols from datum rows.
func rowsToBatch(cols []plan.OutCol, rows [][]any) *col.Batch {
	vecs := make([]*col.Vec, len(cols))
	for j, c := range cols {
		v := col.NewVec(c.T.Kind(), len(rows))
		for _, r := range rows {
			v.Append(r[j])
		}
		vecs[j] = v
	}
	return col.FromVecs(vecs, len(rows))
}
