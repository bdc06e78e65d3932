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
	if s.out == nil && s.top != nil {
		for {
			b, err := s.in.Next()
			if err != nil {
				return nil, err
			}
			if b == nil {
				break
			}
			if err := s.ctx.check(); err != nil {
				return nil, err
			}
			kv, err := sortKeys(s.ctx, s.n.Keys, b)
			if err != nil {
				return nil, err
			}
			s.top.add(b, kv)
		}
		s.out = &rowsOp{kinds: kindsOf(s.n.Columns()), rows: s.top.sorted()}
	}
	if s.out == nil {
		spec := newSortSpec(s.n.Keys)
		var rows []sortRow
		for {
			b, err := s.in.Next()
			if err != nil {
				return nil, err
			}
			if b == nil {
				break
			}
			if err := s.ctx.check(); err != nil {
				return nil, err
			}
			b = b.Compact()
			kv, err := sortKeys(s.ctx, s.n.Keys, b)
			if err != nil {
				return nil, err
			}
			data := appendRows(nil, b)
			flat := make([]any, len(data)*len(kv))
			for r, row := range data {
				keys := flat[r*len(kv) : (r+1)*len(kv) : (r+1)*len(kv)]
				for i, v := range kv {
					keys[i] = v.Get(r)
				}
				rows = append(rows, sortRow{row: row, keys: keys})
			}
		}
		sort.SliceStable(rows, func(i, j int) bool { return spec.compare(rows[i].keys, rows[j].keys) < 0 })
		out := make([][]any, len(rows))
		for i, r := range rows {
			out[i] = r.row
		}
		s.out = &rowsOp{kinds: kindsOf(s.n.Columns()), rows: out}
	}
	return s.out.Next()
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
