package exec

import (
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// nullHash is mixed in for a NULL value (NULLs group together).
const nullHash = 0x9e3779b97f4a7c15

// hashRow hashes a row of datums of the given types.
func hashRow(ts []types.T, row []any) uint64 {
	var h uint64 = 0x84222325cbf29ce4
	for i, v := range row {
		if v == nil {
			h = (h ^ nullHash) * 0x100000001b3
			continue
		}
		h = types.Hash(ts[i], v, h)
	}
	return h
}

// rowsEqual compares rows for grouping: NULL equals NULL.
func rowsEqual(ts []types.T, a, b []any) bool {
	for i := range a {
		x, y := a[i], b[i]
		if x == nil || y == nil {
			if x != y {
				return false
			}
			continue
		}
		if types.Compare(ts[i], x, y) != 0 {
			return false
		}
	}
	return true
}

// rowSet is a hash set of rows with a counter per distinct row.
type rowSet struct {
	types  []types.T
	m      map[uint64][]int
	rows   [][]any
	counts []int
}

func newRowSet(ts []types.T) *rowSet { return &rowSet{types: ts, m: map[uint64][]int{}} }

// find returns the index of row, or -1.
func (s *rowSet) find(row []any) int {
	for _, i := range s.m[hashRow(s.types, row)] {
		if rowsEqual(s.types, s.rows[i], row) {
			return i
		}
	}
	return -1
}

// add inserts row (counting duplicates) and reports whether it was new.
func (s *rowSet) add(row []any) (int, bool) {
	h := hashRow(s.types, row)
	for _, i := range s.m[h] {
		if rowsEqual(s.types, s.rows[i], row) {
			s.counts[i]++
			return i, false
		}
	}
	i := len(s.rows)
	s.rows = append(s.rows, row)
	s.counts = append(s.counts, 1)
	s.m[h] = append(s.m[h], i)
	return i, true
}

func typesOf(cols []plan.OutCol) []types.T {
	ts := make([]types.T, len(cols))
	for i, c := range cols {
		ts[i] = c.T
	}
	return ts
}

type distinctOp struct {
	ctx  *Ctx
	in   Operator
	n    *plan.Distinct
	set  *rowSet
	on   []types.T
	last []any // On values of the last row kept
	out  rowBuf
	done bool
}

func newDistinct(ctx *Ctx, n *plan.Distinct) (Operator, error) {
	if !DisableFastAgg {
		t, err := newTopGroup(ctx, n)
		if err != nil {
			return nil, err
		}
		if t != nil {
			return t, nil
		}
	}
	in, err := build(ctx, n.Input)
	if err != nil {
		return nil, err
	}
	cols := n.Columns()
	d := &distinctOp{ctx: ctx, in: in, n: n, out: rowBuf{kinds: kindsOf(cols)}}
	if len(n.On) == 0 {
		d.set = newRowSet(typesOf(cols))
	}
	for _, e := range n.On {
		d.on = append(d.on, e.Type())
	}
	return d, nil
}

func (d *distinctOp) Next() (*col.Batch, error) {
	for !d.done && !d.out.full() {
		b, err := d.in.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			d.done = true
			break
		}
		b = b.Compact()
		rows := appendRows(nil, b)
		if d.set != nil {
			for _, r := range rows {
				if _, added := d.set.add(r); added {
					d.out.rows = append(d.out.rows, r)
				}
			}
			continue
		}
		keys := make([]*col.Vec, len(d.n.On))
		for i, e := range d.n.On {
			if keys[i], err = EvalBatch(d.ctx, e, b); err != nil {
				return nil, err
			}
		}
		for r, row := range rows {
			key := make([]any, len(keys))
			for i, k := range keys {
				key[i] = k.Get(r)
			}
			if d.last == nil || !rowsEqual(d.on, d.last, key) {
				d.last = key
				d.out.rows = append(d.out.rows, row)
			}
		}
	}
	return d.out.flush(), nil
}

func (d *distinctOp) Close() error { return d.in.Close() }

type setOp struct {
	ctx         *Ctx
	n           *plan.SetOp
	left, right Operator
	ts          []types.T
	seen        *rowSet // UNION: rows emitted; others: right side
	emitted     *rowSet
	rightDone   bool
	out         rowBuf
	leftDone    bool
}

func newSetOp(ctx *Ctx, n *plan.SetOp) (Operator, error) {
	l, err := build(ctx, n.Left)
	if err != nil {
		return nil, err
	}
	r, err := build(ctx, n.Right)
	if err != nil {
		l.Close()
		return nil, err
	}
	ts := typesOf(n.Cols)
	return &setOp{ctx: ctx, n: n, left: l, right: r, ts: ts, seen: newRowSet(ts), emitted: newRowSet(ts),
		out: rowBuf{kinds: kindsOf(n.Cols)}}, nil
}

// width trims rows to the set operation's column count.
func (s *setOp) width(rows [][]any) [][]any {
	w := len(s.n.Cols)
	for i, r := range rows {
		if len(r) > w {
			rows[i] = r[:w]
		}
	}
	return rows
}

func (s *setOp) Next() (*col.Batch, error) {
	if s.n.Kind == plan.SetUnion {
		return s.union()
	}
	if !s.rightDone {
		rows, err := drain(s.ctx, s.right)
		if err != nil {
			return nil, err
		}
		for _, r := range s.width(rows) {
			s.seen.add(r)
		}
		s.rightDone = true
	}
	for !s.leftDone && !s.out.full() {
		b, err := s.left.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			s.leftDone = true
			break
		}
		for _, r := range s.width(appendRows(nil, b.Compact())) {
			i := s.seen.find(r)
			inRight := i >= 0 && s.seen.counts[i] > 0
			switch {
			case s.n.Kind == plan.SetIntersect && s.n.All:
				if inRight {
					s.seen.counts[i]--
					s.out.rows = append(s.out.rows, r)
				}
			case s.n.Kind == plan.SetIntersect:
				if inRight {
					if _, added := s.emitted.add(r); added {
						s.out.rows = append(s.out.rows, r)
					}
				}
			case s.n.All: // EXCEPT ALL
				if inRight {
					s.seen.counts[i]--
				} else {
					s.out.rows = append(s.out.rows, r)
				}
			default: // EXCEPT
				if i < 0 {
					if _, added := s.emitted.add(r); added {
						s.out.rows = append(s.out.rows, r)
					}
				}
			}
		}
	}
	return s.out.flush(), nil
}

func (s *setOp) union() (*col.Batch, error) {
	for !s.out.full() {
		src := s.left
		if s.leftDone {
			src = s.right
		}
		b, err := src.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			if s.leftDone {
				break
			}
			s.leftDone = true
			continue
		}
		if err := s.ctx.check(); err != nil {
			return nil, err
		}
		for _, r := range s.width(appendRows(nil, b.Compact())) {
			if s.n.All {
				s.out.rows = append(s.out.rows, r)
			} else if _, added := s.seen.add(r); added {
				s.out.rows = append(s.out.rows, r)
			}
		}
	}
	return s.out.flush(), nil
}

func (s *setOp) Close() error {
	err := s.left.Close()
	if e := s.right.Close(); err == nil {
		err = e
	}
	return err
}
