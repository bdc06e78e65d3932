package exec

import (
	"sort"
	"strings"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// windowOp materializes its input and appends one column per window
// function. Rows come out in the first function's PARTITION BY / ORDER
// BY order, as PostgreSQL's WindowAgg does.
type windowOp struct {
	ctx *Ctx
	in  Operator
	n   *plan.Window
	out *rowsOp
}

func newWindow(ctx *Ctx, n *plan.Window) (Operator, error) {
	in, err := build(ctx, n.Input)
	if err != nil {
		return nil, err
	}
	return &windowOp{ctx: ctx, in: in, n: n}, nil
}

func (w *windowOp) Close() error { return w.in.Close() }

func (w *windowOp) Next() (*col.Batch, error) {
	if w.out == nil {
		rows, err := drain(w.ctx, w.in)
		if err != nil {
			return nil, err
		}
		width := len(w.n.Input.Columns())
		out := make([][]any, len(rows))
		for i, r := range rows {
			row := make([]any, width+len(w.n.Funcs))
			copy(row, r)
			out[i] = row
		}
		var first []int
		for fi, f := range w.n.Funcs {
			order, err := w.compute(f, rows, out, width+fi)
			if err != nil {
				return nil, err
			}
			if fi == 0 {
				first = order
			}
		}
		sorted := make([][]any, len(out))
		for i, k := range first {
			sorted[i] = out[k]
		}
		if len(w.n.Funcs) == 0 {
			sorted = out
		}
		kinds := kindsOf(w.n.Cols)
		if err := checkRows(kinds, sorted); err != nil {
			return nil, err
		}
		w.out = &rowsOp{kinds: kinds, rows: sorted}
	}
	return w.out.Next()
}

// winRow is one input row's partition and order keys.
type winRow struct {
	idx   int
	part  []any
	order []any
}

// compute fills column c of out for function f and returns the row
// order (indexes into rows) the function was computed in.
func (w *windowOp) compute(f *plan.WindowFunc, rows, out [][]any, c int) ([]int, error) {
	wr := make([]winRow, len(rows))
	partT := make([]types.T, len(f.Part))
	for i, e := range f.Part {
		partT[i] = e.Type()
	}
	spec := newSortSpec(f.Order)
	for i, r := range rows {
		wr[i].idx = i
		wr[i].part = make([]any, len(f.Part))
		for k, e := range f.Part {
			v, err := Eval(w.ctx, e, r)
			if err != nil {
				return nil, err
			}
			wr[i].part[k] = v
		}
		wr[i].order = make([]any, len(f.Order))
		for k, sk := range f.Order {
			v, err := Eval(w.ctx, sk.E, r)
			if err != nil {
				return nil, err
			}
			wr[i].order[k] = v
		}
	}
	partSpec := make([]plan.SortKey, len(f.Part))
	for i, e := range f.Part {
		partSpec[i] = plan.SortKey{E: e}
	}
	pspec := newSortSpec(partSpec)
	sort.SliceStable(wr, func(i, j int) bool {
		if c := pspec.compare(wr[i].part, wr[j].part); c != 0 {
			return c < 0
		}
		return spec.compare(wr[i].order, wr[j].order) < 0
	})
	order := make([]int, len(wr))
	for i := range wr {
		order[i] = wr[i].idx
	}
	for start := 0; start < len(wr); {
		end := start + 1
		for end < len(wr) && rowsEqual(partT, wr[start].part, wr[end].part) {
			end++
		}
		if err := w.partition(f, spec, rows, out, c, wr[start:end]); err != nil {
			return nil, err
		}
		start = end
	}
	return order, nil
}

// peerEnd returns the end of the peer group starting at i.
func peerEnd(spec sortSpec, p []winRow, i int) int {
	j := i + 1
	for j < len(p) && spec.compare(p[i].order, p[j].order) == 0 {
		j++
	}
	return j
}

// partition computes f over one partition p (sorted).
func (w *windowOp) partition(f *plan.WindowFunc, spec sortSpec, rows, out [][]any, c int, p []winRow) error {
	n := len(p)
	set := func(i int, v any) { out[p[i].idx][c] = v }
	arg := func(k, i int) (any, error) {
		if k >= len(f.Args) {
			return nil, nil
		}
		return Eval(w.ctx, f.Args[k], rows[p[i].idx])
	}
	if f.Agg != nil {
		return w.aggregate(f, spec, rows, p, set)
	}
	name := strings.ToLower(f.Name)
	switch name {
	case "row_number":
		for i := range p {
			set(i, int64(i+1))
		}
	case "rank", "dense_rank", "percent_rank", "cume_dist":
		dense := int64(0)
		for i := 0; i < n; {
			e := peerEnd(spec, p, i)
			dense++
			for k := i; k < e; k++ {
				switch name {
				case "rank":
					set(k, int64(i+1))
				case "dense_rank":
					set(k, dense)
				case "percent_rank":
					if n > 1 {
						set(k, float64(i)/float64(n-1))
					} else {
						set(k, float64(0))
					}
				default:
					set(k, float64(e)/float64(n))
				}
			}
			i = e
		}
	case "ntile":
		for i := range p {
			v, err := arg(0, i)
			if err != nil {
				return err
			}
			if v == nil {
				set(i, nil)
				continue
			}
			k, _ := v.(int64)
			if k <= 0 {
				return pgerr.New("22014", "argument of ntile must be greater than zero")
			}
			size, extra := int64(n)/k, int64(n)%k
			// The first extra buckets hold size+1 rows.
			pos := int64(i)
			var bucket int64
			if pos < extra*(size+1) {
				bucket = pos/(size+1) + 1
			} else {
				bucket = extra + (pos-extra*(size+1))/max(size, 1) + 1
			}
			set(i, bucket)
		}
	case "lag", "lead":
		for i := range p {
			off := int64(1)
			if len(f.Args) > 1 {
				v, err := arg(1, i)
				if err != nil {
					return err
				}
				if v == nil {
					set(i, nil)
					continue
				}
				off, _ = v.(int64)
			}
			if name == "lag" {
				off = -off
			}
			j := int64(i) + off
			if j >= 0 && j < int64(n) {
				v, err := arg(0, int(j))
				if err != nil {
					return err
				}
				set(i, v)
				continue
			}
			v, err := arg(2, i)
			if err != nil {
				return err
			}
			set(i, v)
		}
	case "first_value", "last_value", "nth_value":
		for i := range p {
			lo, hi := w.frame(f, spec, p, i)
			var j int
			switch name {
			case "first_value":
				j = lo
			case "last_value":
				j = hi - 1
			default:
				v, err := arg(1, i)
				if err != nil {
					return err
				}
				k, _ := v.(int64)
				if v == nil {
					set(i, nil)
					continue
				}
				if k <= 0 {
					return pgerr.New("22016", "argument of nth_value must be greater than zero")
				}
				j = lo + int(k) - 1
			}
			if j < lo || j >= hi {
				set(i, nil)
				continue
			}
			v, err := arg(0, j)
			if err != nil {
				return err
			}
			set(i, v)
		}
	default:
		return pgerr.New(pgerr.FeatureNotSupported, "window function %s is not supported", f.Name)
	}
	return nil
}

// frame returns the frame [lo, hi) of row i.
func (w *windowOp) frame(f *plan.WindowFunc, spec sortSpec, p []winRow, i int) (int, int) {
	switch {
	case f.FullFrame || len(f.Order) == 0:
		return 0, len(p)
	case f.RowsFrame:
		return 0, i + 1
	}
	// RANGE UNBOUNDED PRECEDING .. CURRENT ROW: through the last peer.
	j := i + 1
	for j < len(p) && spec.compare(p[i].order, p[j].order) == 0 {
		j++
	}
	return 0, j
}

// aggregate computes an aggregate over each row's frame incrementally.
func (w *windowOp) aggregate(f *plan.WindowFunc, spec sortSpec, rows [][]any, p []winRow, set func(int, any)) error {
	c := f.Agg
	argT := c.ArgTypes
	direct := make([]any, len(c.Direct))
	for i, e := range c.Direct {
		v, err := Eval(w.ctx, e, nil)
		if err != nil {
			return err
		}
		direct[i] = v
	}
	if len(direct) == 0 {
		direct = nil
	}
	st := c.Agg.New(argT, direct)
	fctx := w.ctx.funcCtx()
	fed := 0
	feed := func(to int) error {
		for ; fed < to; fed++ {
			row := rows[p[fed].idx]
			if c.Filter != nil {
				ok, err := Eval(w.ctx, c.Filter, row)
				if err != nil {
					return err
				}
				if ok != true {
					continue
				}
			}
			var args []any
			if !c.Star {
				args = make([]any, len(c.Args))
				for k, e := range c.Args {
					v, err := Eval(w.ctx, e, row)
					if err != nil {
						return err
					}
					args[k] = v
				}
			}
			if err := st.Add(fctx, args); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range p {
		_, hi := w.frame(f, spec, p, i)
		if err := feed(hi); err != nil {
			return err
		}
		v, err := st.Result(fctx)
		if err != nil {
			return err
		}
		set(i, v)
	}
	return nil
}
