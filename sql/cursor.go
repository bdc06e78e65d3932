package sql

import (
	"context"
	"fmt"

	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/plpgsql"
	"github.com/tsgres/tsgres/storage/col"
)

// cursor is a portal: a SQL-level cursor (DECLARE ... CURSOR), used by
// psycopg2's named cursors to stream big results, or one a PL/pgSQL
// routine opened (plpgsql_host.go), whose rows are materialized.
type cursor struct {
	ectx    *exec.Ctx // its Context is replaced by each FETCH's
	op      exec.Operator
	cols    []Column
	pending *col.Batch
	hold    bool
	done    bool
	// mat, when set, holds all the cursor's rows (op is then nil).
	mat *plpgsql.Cursor
}

func (c *cursor) close() {
	if c.op != nil {
		c.op.Close()
		c.op = nil
	}
}

func (s *session) declareCursor(env *execEnv, x *plan.DeclareCursor, w ResultWriter) error {
	if !s.inBlock && !x.Hold {
		return pgerr.New(pgerr.NoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, ok := s.cursors[x.Name]; ok {
		return pgerr.New(pgerr.DuplicateCursor, "cursor %q already exists", x.Name)
	}
	node := s.physical(finalizeOutput(x.Node))
	ectx := env.execCtx()
	op, err := exec.Build(ectx, node)
	if err != nil {
		return err
	}
	c := &cursor{ectx: ectx, op: op, cols: columnsOf(node.Columns()), hold: x.Hold}
	if x.Hold {
		// A holdable cursor outlives its transaction: materialize it now.
		rows := &batchCollector{}
		if _, _, err := stream(op, rows, 0, nil); err != nil {
			op.Close()
			return err
		}
		op.Close()
		c.op = &batchList{batches: rows.batches}
	}
	if s.cursors == nil {
		s.cursors = map[string]*cursor{}
	}
	s.cursors[x.Name] = c
	return w.Complete("DECLARE CURSOR")
}

func (s *session) fetch(env *execEnv, x *plan.Fetch, w ResultWriter) error {
	c, ok := s.cursors[x.Name]
	if !ok {
		return pgerr.New(pgerr.InvalidCursorName, "cursor %q does not exist", x.Name)
	}
	if c.ectx != nil {
		c.ectx.Context = env.ctx
	}
	verb := "FETCH"
	var out ResultWriter = w
	if x.Move {
		verb, out = "MOVE", &batchCollector{discard: true}
	} else if err := w.Columns(c.cols); err != nil {
		return err
	}
	if c.mat != nil {
		return c.fetchRows(x, verb, out, w)
	}
	if c.done || x.Count == 0 {
		return w.Complete(verb + " 0")
	}
	max := int(x.Count)
	if x.Count < 0 {
		max = 0
	}
	n, pending, err := stream(c.op, out, max, c.pending)
	c.pending = pending
	if err != nil {
		return err
	}
	if max == 0 || n < max {
		c.done = true
	}
	return w.Complete(fmt.Sprintf("%s %d", verb, n))
}

// fetchRows runs a forward FETCH or MOVE of x on a materialized cursor,
// writing the rows to out and the tag to w.
func (c *cursor) fetchRows(x *plan.Fetch, verb string, out, w ResultWriter) error {
	rows, err := c.mat.Forward(x.Count)
	if err != nil {
		return err
	}
	n := len(rows)
	if n > 0 {
		vecs := make([]*col.Vec, len(c.cols))
		for j, cl := range c.cols {
			vecs[j] = col.NewVec(cl.Type.Kind(), n)
			for _, r := range rows {
				vecs[j].Append(r[j])
			}
		}
		if err := out.Batch(col.FromVecs(vecs, n)); err != nil {
			return err
		}
	}
	return w.Complete(fmt.Sprintf("%s %d", verb, n))
}

// materialize reads the rest of a cursor declared in SQL so PL/pgSQL
// can move in it; a PL/pgSQL cursor's rows are read already.
func (c *cursor) materialize(ctx context.Context) (*plpgsql.Cursor, error) {
	if c.mat != nil {
		return c.mat, nil
	}
	rows := &batchCollector{}
	if c.op != nil && !c.done {
		c.ectx.Context = ctx
		if _, _, err := stream(c.op, rows, 0, c.pending); err != nil {
			return nil, err
		}
	}
	c.close()
	var data [][]any
	for _, b := range rows.batches {
		for i := 0; i < b.Len(); i++ {
			data = append(data, b.Values(i, nil))
		}
	}
	c.mat, c.pending, c.done = plpgsql.NewCursor(columnsToPl(c.cols), data), nil, false
	return c.mat, nil
}

// closeCursors closes cursors at transaction end (all with everything).
func (s *session) closeCursors(everything bool) {
	for name, c := range s.cursors {
		if everything || !c.hold {
			c.close()
			delete(s.cursors, name)
		}
	}
}

// batchCollector is a ResultWriter that keeps (copies of) batches.
type batchCollector struct {
	ResultWriter
	batches []*col.Batch
	discard bool
}

func (b *batchCollector) Batch(x *col.Batch) error {
	if !b.discard {
		b.batches = append(b.batches, copyBatch(x.Compact()))
	}
	return nil
}

// batchList replays collected batches as an operator.
type batchList struct{ batches []*col.Batch }

func (l *batchList) Next() (*col.Batch, error) {
	if len(l.batches) == 0 {
		return nil, nil
	}
	b := l.batches[0]
	l.batches = l.batches[1:]
	return b, nil
}

func (l *batchList) Close() error { return nil }
