package exec

import (
	"cmp"
	"slices"
	"strings"

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
	for i := range s.keys {
		if c := s.compare1(i, a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// compare1 orders two values of sort key i (nil is NULL).
func (s sortSpec) compare1(i int, x, y any) int {
	k := s.keys[i]
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		if k.NullsFirst {
			return -1
		}
		return 1
	case y == nil:
		if k.NullsFirst {
			return 1
		}
		return -1
	}
	c := types.Compare(s.ts[i], x, y)
	if k.Desc {
		return -c
	}
	return c
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
	out Operator // the sorted rows, once the input is read
	top *topN    // set by setLimit under a LIMIT
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
	if s.top != nil {
		if err := s.consume(s.top.add); err != nil {
			return nil, err
		}
		s.out = &rowsOp{kinds: kindsOf(s.n.Columns()), rows: s.top.sorted()}
		return s.out.Next()
	}
	vs := &vecSort{spec: newSortSpec(s.n.Keys)}
	if err := s.consume(vs.add); err != nil {
		return nil, err
	}
	slices.SortStableFunc(vs.refs, vs.compare)
	s.out = &sortedOp{vs: vs, kinds: kindsOf(s.n.Columns())}
	return s.out.Next()
}

// vecSort sorts whole input batches without boxing their values: it
// keeps copies of the batches and their sort key vectors and sorts
// references to their rows, comparing the keys' typed slices.
type vecSort struct {
	spec    sortSpec
	batches []*col.Batch
	keys    [][]*col.Vec // per batch, per sort key
	refs    []sortRef
}

// sortRef is row r of batch b.
type sortRef struct{ b, r int32 }

func (v *vecSort) add(b *col.Batch, kv []*col.Vec) {
	// The input may reuse its vectors for its next batch: keep copies
	// (one per vector: a key that is an input column shares its copy).
	copies := map[*col.Vec]*col.Vec{}
	clone := func(c *col.Vec) *col.Vec {
		if cp, ok := copies[c]; ok {
			return cp
		}
		cp := c.Clone()
		copies[c] = cp
		return cp
	}
	cols := make([]*col.Vec, len(b.Cols))
	for i, c := range b.Cols {
		cols[i] = clone(c)
	}
	keys := make([]*col.Vec, len(kv))
	for i, k := range kv {
		keys[i] = clone(k)
	}
	bi := int32(len(v.batches))
	v.batches = append(v.batches, col.FromVecs(cols, b.Rows()))
	v.keys = append(v.keys, keys)
	for r := 0; r < b.Rows(); r++ {
		v.refs = append(v.refs, sortRef{bi, int32(r)})
	}
}

// compare orders two rows as sortSpec.compare orders their key tuples.
func (v *vecSort) compare(a, b sortRef) int {
	ka, kb := v.keys[a.b], v.keys[b.b]
	for k, key := range v.spec.keys {
		x, y := ka[k], kb[k]
		i, j := int(a.r), int(b.r)
		var c int
		if x.Kind != y.Kind || x.Kind == col.Any || x.Kind == col.Bytes && v.spec.ts[k].OID == types.OidBpchar {
			c = v.spec.compare1(k, x.Get(i), y.Get(j))
			if c != 0 {
				return c
			}
			continue
		}
		xn, yn := x.IsNull(i), y.IsNull(j)
		switch {
		case xn && yn:
			continue
		case xn:
			if key.NullsFirst {
				return -1
			}
			return 1
		case yn:
			if key.NullsFirst {
				return 1
			}
			return -1
		}
		switch x.Kind {
		case col.Int64:
			c = cmp.Compare(x.I64[i], y.I64[j])
		case col.Float64:
			c = types.CompareFloat64(x.F64[i], y.F64[j])
		case col.Bool:
			c = types.CompareBool(x.B[i], y.B[j])
		case col.Bytes:
			c = strings.Compare(x.S[i], y.S[j])
		}
		if c != 0 {
			if key.Desc {
				return -c
			}
			return c
		}
	}
	return 0
}

// sortedOp hands out a vecSort's rows in sorted order, in batches.
type sortedOp struct {
	vs    *vecSort
	kinds []col.Kind
	pos   int
}

func (o *sortedOp) Next() (*col.Batch, error) {
	refs := o.vs.refs[o.pos:]
	if len(refs) == 0 {
		return nil, nil
	}
	refs = refs[:min(len(refs), max(1, col.DefaultBatchSize))]
	o.pos += len(refs)
	out := col.NewBatch(o.kinds, len(refs))
	for _, ref := range refs {
		src := o.vs.batches[ref.b]
		for j, c := range out.Cols {
			c.AppendFrom(src.Cols[j], int(ref.r))
		}
	}
	out.SetRows(len(refs))
	return out, nil
}

func (o *sortedOp) Close() error { return nil }

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
			if !c.n.CTE.Correlated {
				c.ctx.ctes[c.n.CTE] = m
			}
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
