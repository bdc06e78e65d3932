package exec

import (
	"sort"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// sortRow is a row with its evaluated sort keys.
type sortRow struct {
	row  []any
	keys []any
}

// sortSpec compares key tuples by a list of sort keys.
type sortSpec struct {
	ts   []types.T
	keys []plan.SortKey
}

func newSortSpec(keys []plan.SortKey) sortSpec {
	s := sortSpec{keys: keys, ts: make([]types.T, len(keys))}
	for i, k := range keys {
		s.ts[i] = k.E.Type()
	}
	return s
}

// compare orders two key tuples: -1, 0 or +1.
func (s sortSpec) compare(a, b []any) int {
	for i, k := range s.keys {
		x, y := a[i], b[i]
		var c int
		switch {
		case x == nil && y == nil:
			continue
		case x == nil:
			c = 1
			if k.NullsFirst {
				c = -1
			}
			return c
		case y == nil:
			c = -1
			if k.NullsFirst {
				c = 1
			}
			return c
		default:
			c = types.Compare(s.ts[i], x, y)
		}
		if c != 0 {
			if k.Desc {
				return -c
			}
			return c
		}
	}
	return 0
}

// sortKeys evaluates the sort keys of every live row of b.
func sortKeys(ctx *Ctx, keys []plan.SortKey, b *col.Batch) ([]*col.Vec, error) {
	vecs := make([]*col.Vec, len(keys))
	for i, k := range keys {
		v, err := EvalBatch(ctx, k.E, b)
		if err != nil {
			return nil, err
		}
		vecs[i] = v
	}
	return vecs, nil
}

type sortOp struct {
	ctx *Ctx
	in  Operator
	n   *plan.Sort
	out *rowsOp
	top *topN // set by setLimit under a LIMIT
}

func newSort(ctx *Ctx, n *plan.Sort) (Operator, error) {
	in, err := build(ctx, n.Input)
	if err != nil {
		return nil, err
	}
	return &sortOp{ctx: ctx, in: in, n: n}, nil
}

func (s *sortOp) Next() (*col.Batch, error) {
	if s.out != nil {
		return s.out.Next()
	}
	var rows [][]any
	if s.top != nil {
		if err := s.consume(s.top.add); err != nil {
			return nil, err
		}
		rows = s.top.sorted()
	} else {
		var srows []sortRow
		err := s.consume(func(b *col.Batch, kv []*col.Vec) {
			data := appendRows(nil, b)
			flat := make([]any, len(data)*len(kv))
			for r, row := range data {
				keys := flat[r*len(kv) : (r+1)*len(kv) : (r+1)*len(kv)]
				for i, v := range kv {
					keys[i] = v.Get(r)
				}
				srows = append(srows, sortRow{row: row, keys: keys})
			}
		})
		if err != nil {
			return nil, err
		}
		spec := newSortSpec(s.n.Keys)
		sort.SliceStable(srows, func(i, j int) bool { return spec.compare(srows[i].keys, srows[j].keys) < 0 })
		rows = make([][]any, len(srows))
		for i, r := range srows {
			rows[i] = r.row
		}
	}
	s.out = &rowsOp{kinds: kindsOf(s.n.Columns()), rows: rows}
	return s.out.Next()
}

// consume reads the sort's whole input, handing each batch (compacted)
// with its evaluated sort keys to add.
func (s *sortOp) consume(add func(b *col.Batch, kv []*col.Vec)) error {
	for {
		b, err := s.in.Next()
		if err != nil || b == nil {
			return err
		}
		if err := s.ctx.check(); err != nil {
			return err
		}
		b = b.Compact()
		kv, err := sortKeys(s.ctx, s.n.Keys, b)
		if err != nil {
			return err
		}
		add(b, kv)
	}
}

func (s *sortOp) Close() error { return s.in.Close() }

// materialized is a CTE's rows, computed once per statement.
type materialized struct {
	rows [][]any
}

type cteOp struct {
	ctx  *Ctx
	n    *plan.CTERef
	rows *rowsOp
}

func (c *cteOp) Next() (*col.Batch, error) {
	if c.rows == nil {
		m := c.ctx.ctes[c.n.CTE]
		if m == nil {
			op, err := build(c.ctx, c.n.CTE.Plan)
			if err != nil {
				return nil, err
			}
			rows, err := drain(c.ctx, op)
			if err != nil {
				return nil, err
			}
			m = &materialized{rows: rows}
			if c.ctx.ctes == nil {
				c.ctx.ctes = map[*plan.CTE]*materialized{}
			}
			c.ctx.ctes[c.n.CTE] = m
		}
		w := len(c.n.Cols)
		rows := m.rows
		if len(rows) > 0 && len(rows[0]) != w {
			rows = make([][]any, len(m.rows))
			for i, r := range m.rows {
				rows[i] = r[:min(w, len(r))]
			}
		}
		c.rows = &rowsOp{kinds: kindsOf(c.n.Cols), rows: rows}
	}
	return c.rows.Next()
}

func (c *cteOp) Close() error { return nil }
