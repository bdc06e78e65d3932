package exec

import (
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// indexScanOp reads the rows of a regular table through an index range
// (plan.IndexRange, sql/opt's index rules): one key range of the index
// per IN-list value (one when there is no list), each read in the
// index's order or its reverse.
type indexScanOp struct {
	ctx   *Ctx
	n     *plan.Scan
	kinds []col.Kind
	spans [][2][]byte // key ranges still to read, in order
	it    *table.IndexIter
	built bool
	done  bool
	// size is the next batch's row count: 1, doubling up to
	// col.DefaultBatchSize, so a LIMIT (or a LockRows under one) above
	// the scan reads and locks no more rows than it needs.
	size  int
	reads *int64 // keys read, for EXPLAIN ANALYZE
}

func newIndexScan(ctx *Ctx, n *plan.Scan) *indexScanOp {
	return &indexScanOp{ctx: ctx, n: n, kinds: kindsOf(n.Cols), reads: ctx.keyReads(n)}
}

// buildSpans evaluates the range's values into key ranges; none when a
// value is NULL (it equals nothing).
func (s *indexScanOp) buildSpans() error {
	r := s.n.Range
	eval := func(e plan.Expr) (any, error) { return Eval(s.ctx, e, nil) }
	eq := make([]any, len(r.Eq))
	for i, e := range r.Eq {
		v, err := eval(e)
		if err != nil || v == nil {
			return err
		}
		eq[i] = v
	}
	if r.In != nil || r.InArray != nil {
		vals := make([]any, len(r.In))
		for i, e := range r.In {
			v, err := eval(e)
			if err != nil {
				return err
			}
			vals[i] = v
		}
		if r.InArray != nil {
			av, err := eval(r.InArray)
			if err != nil || av == nil {
				return err
			}
			arr, ok := av.(*types.Array)
			if !ok {
				return bug("index range over = ANY (%T)", av)
			}
			vals = arr.Vals
		}
		seen := map[string]bool{}
		for _, v := range vals {
			if v == nil {
				continue
			}
			start, end, err := table.IndexSpan(s.n.Table, r.Index, append(eq[:len(eq):len(eq)], v), nil, nil)
			if err != nil {
				return err
			}
			if !seen[string(start)] {
				seen[string(start)] = true
				s.spans = append(s.spans, [2][]byte{start, end})
			}
		}
		return nil
	}
	bound := func(e plan.Expr, incl bool) (*table.IndexBound, bool, error) {
		if e == nil {
			return nil, true, nil
		}
		v, err := eval(e)
		if err != nil || v == nil {
			return nil, false, err
		}
		return &table.IndexBound{Val: v, Incl: incl}, true, nil
	}
	lo, ok, err := bound(r.Lo, r.LoIncl)
	if err != nil || !ok {
		return err
	}
	hi, ok, err := bound(r.Hi, r.HiIncl)
	if err != nil || !ok {
		return err
	}
	start, end, err := table.IndexSpan(s.n.Table, r.Index, eq, lo, hi)
	if err != nil {
		return err
	}
	s.spans = append(s.spans, [2][]byte{start, end})
	return nil
}

func (s *indexScanOp) Next() (*col.Batch, error) {
	if s.done {
		return nil, nil
	}
	if err := s.ctx.check(); err != nil {
		return nil, err
	}
	if !s.built {
		s.built = true
		if err := s.buildSpans(); err != nil {
			return nil, err
		}
	}
	size := max(1, s.size)
	s.size = min(2*size, max(1, col.DefaultBatchSize))
	b := col.NewBatch(s.kinds, size)
	rows := 0
	for rows < size {
		if s.it == nil {
			if len(s.spans) == 0 {
				s.done = true
				break
			}
			sp := s.spans[0]
			s.spans = s.spans[1:]
			s.it = table.NewIndexIter(s.ctx.Txn, s.n.Table, s.n.Range.Index, sp[0], sp[1], s.n.Range.Backward)
			if s.n.Range.Only {
				s.it.KeysOnly()
			}
		}
		if !s.it.Next() {
			if err := s.closeIter(); err != nil {
				return nil, err
			}
			continue
		}
		if err := appendScanRow(b, s.n, s.it.Row(), s.it.Key()); err != nil {
			return nil, err
		}
		rows++
	}
	if rows == 0 {
		return nil, nil
	}
	b.SetRows(rows)
	return b, nil
}

// closeIter closes the current range's iterator, counting its reads.
func (s *indexScanOp) closeIter() error {
	if s.it == nil {
		return nil
	}
	*s.reads += int64(s.it.Reads())
	err := s.it.Close()
	s.it = nil
	return err
}

func (s *indexScanOp) Close() error {
	s.done = true
	return s.closeIter()
}
