package exec

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// Ctx is the per-statement execution context. The zero values of its
// unexported fields are ready to use; a Ctx must not be shared by
// concurrently running statements.
type Ctx struct {
	// Context is checked once per batch; when it is done the statement
	// fails with 57014.
	Context context.Context
	// Txn reads (and, for DML, writes) storage.
	Txn *storage.Txn
	// Params holds the values of $1.. as datums.
	Params []any
	// Funcs is passed to scalar functions and aggregate states.
	Funcs *funcs.Ctx
	// Engine is passed to plan.VirtualRows and funcs.SetFunc.
	Engine any
	// Analyze collects per-node statistics for EXPLAIN ANALYZE.
	Analyze bool
	// LockTimeout bounds each wait for a row or chunk lock of SELECT
	// ... FOR UPDATE (lock_timeout); 0: none.
	LockTimeout time.Duration
	// ReadOnly is set in a READ ONLY transaction, where row locks are
	// refused (25006).
	ReadOnly bool

	outer   [][]any                       // enclosing rows, innermost last
	subs    map[*plan.Subquery]*subResult // uncorrelated subquery results
	ctes    map[*plan.CTE]*materialized   // CTE results
	regexes map[string]*regexp.Regexp     // compiled patterns
	stats   map[plan.Node]*nodeStats      // EXPLAIN ANALYZE
	scans   map[*plan.HyperScan]*storage.ScanStats
	// metaAggs are the metadata aggregates over scans (EXPLAIN ANALYZE).
	metaAggs map[*plan.HyperScan]*metaAgg
	// keySets counts what each scan's key sets did (EXPLAIN ANALYZE).
	keySets map[*plan.HyperScan]*keySetStats
	// readStats counts how each hypertable scan read its blocks beyond
	// storage.ScanStats (EXPLAIN ANALYZE): time conditions left out,
	// read-ahead workers.
	readStats map[*plan.HyperScan]*readStats
	// joinKeys are hash joins' inner keys for runtime filters.
	joinKeys map[*plan.Join]*joinKeys
	// reads counts the keys each regular table scan read (EXPLAIN
	// ANALYZE "Keys Read").
	reads map[*plan.Scan]*int64
}

// keyReads returns the counter of keys scan n reads: shared by every
// run of n under EXPLAIN ANALYZE, a scratch one otherwise.
func (ctx *Ctx) keyReads(n *plan.Scan) *int64 {
	if !ctx.Analyze {
		return new(int64)
	}
	if ctx.reads == nil {
		ctx.reads = map[*plan.Scan]*int64{}
	}
	if ctx.reads[n] == nil {
		ctx.reads[n] = new(int64)
	}
	return ctx.reads[n]
}

// Operator produces the rows of a plan node.
type Operator interface {
	// Next returns the next batch, or nil when the input is exhausted.
	// The batch is valid until the next call.
	Next() (*col.Batch, error)
	// Close releases resources; it may be called more than once.
	Close() error
}

// nodeStats counts what one node produced (EXPLAIN ANALYZE).
type nodeStats struct {
	rows    int64
	loops   int64
	workers int // goroutines a parallel aggregation ran on (0: serial)
}

// errCanceled is PostgreSQL's error for a canceled statement.
func errCanceled() error {
	return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
}

// check returns the cancellation error when the statement's context is done.
func (c *Ctx) check() error {
	if c.Context != nil && c.Context.Err() != nil {
		return errCanceled()
	}
	return nil
}

// funcCtx returns the function context, never nil.
func (c *Ctx) funcCtx() *funcs.Ctx {
	if c.Funcs == nil {
		c.Funcs = &funcs.Ctx{Loc: utcLoc}
	}
	if c.Funcs.Loc == nil {
		c.Funcs.Loc = utcLoc
	}
	return c.Funcs
}

// pushOuter makes row the innermost enclosing row; popOuter undoes it.
func (c *Ctx) pushOuter(row []any) { c.outer = append(c.outer, row) }
func (c *Ctx) popOuter()           { c.outer = c.outer[:len(c.outer)-1] }

// outerVal reads column idx of the enclosing row at depth (1 = innermost).
func (c *Ctx) outerVal(depth, idx int) (any, error) {
	k := len(c.outer) - depth
	if depth < 1 || k < 0 || idx < 0 || idx >= len(c.outer[k]) {
		return nil, pgerr.New(pgerr.Internal, "outer reference depth %d column %d out of range", depth, idx)
	}
	return c.outer[k][idx], nil
}

// Build returns the operator running n.
func Build(ctx *Ctx, n plan.Node) (op Operator, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = pgerr.New(pgerr.Internal, "build %T: %v", n, r)
		}
	}()
	op, err = build(ctx, n)
	if err != nil {
		return nil, err
	}
	return op, nil
}

func build(ctx *Ctx, n plan.Node) (Operator, error) {
	var op Operator
	var err error
	switch n := n.(type) {
	case *plan.Scan:
		op, err = newScan(ctx, n)
	case *plan.HyperScan:
		op, err = newHyperScan(ctx, n)
	case *plan.LastValueScan:
		op = &lastValueOp{ctx: ctx, n: n}
	case *plan.Virtual:
		op = &virtualOp{ctx: ctx, n: n}
	case *plan.Values:
		op = &valuesOp{ctx: ctx, n: n}
	case *plan.FuncScan:
		op = &funcScanOp{ctx: ctx, n: n}
	case *plan.Filter:
		op, err = newFilter(ctx, n)
	case *plan.Project:
		op, err = newProject(ctx, n)
	case *plan.ProjectSet:
		op, err = newProjectSet(ctx, n)
	case *plan.Agg:
		op, err = newAgg(ctx, n)
	case *plan.Sort:
		op, err = newSort(ctx, n)
	case *plan.Limit:
		op, err = newLimit(ctx, n)
	case *plan.LockRows:
		op, err = newLockRows(ctx, n)
	case *plan.Distinct:
		op, err = newDistinct(ctx, n)
	case *plan.Join:
		op, err = newJoin(ctx, n)
	case *plan.SetOp:
		op, err = newSetOp(ctx, n)
	case *plan.Window:
		op, err = newWindow(ctx, n)
	case *plan.CTERef:
		op = &cteOp{ctx: ctx, n: n}
	case *plan.Explain:
		op = &explainOp{ctx: ctx, n: n}
	default:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "cannot execute plan node %T", n)
	}
	if err != nil {
		return nil, err
	}
	if ctx.Analyze {
		if ctx.stats == nil {
			ctx.stats = map[plan.Node]*nodeStats{}
		}
		st := ctx.stats[n]
		if st == nil {
			st = &nodeStats{}
			ctx.stats[n] = st
		}
		st.loops++
		op = &statsOp{in: op, st: st}
	}
	return op, nil
}

// statsOp counts the rows an operator returns.
type statsOp struct {
	in Operator
	st *nodeStats
}

func (s *statsOp) Next() (*col.Batch, error) {
	b, err := s.in.Next()
	if b != nil {
		s.st.rows += int64(b.Len())
	}
	return b, err
}

func (s *statsOp) Close() error { return s.in.Close() }

// unwrapStats returns the operator EXPLAIN ANALYZE's row counter wraps.
func unwrapStats(op Operator) Operator {
	if s, ok := op.(*statsOp); ok {
		return s.in
	}
	return op
}

// kindsOf returns the vector kinds of a node's columns.
func kindsOf(cols []plan.OutCol) []col.Kind {
	ks := make([]col.Kind, len(cols))
	for i, c := range cols {
		ks[i] = kindOf(c.T)
	}
	return ks
}

// drain reads every row of op into datum rows and closes it.
func drain(ctx *Ctx, op Operator) ([][]any, error) {
	defer op.Close()
	var rows [][]any
	for {
		b, err := op.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			return rows, nil
		}
		if err := ctx.check(); err != nil {
			return nil, err
		}
		rows = appendRows(rows, b)
	}
}

// appendRows appends the live rows of b as datum rows.
func appendRows(rows [][]any, b *col.Batch) [][]any {
	n := b.Len()
	w := len(b.Cols)
	flat := make([]any, n*w)
	for i := 0; i < n; i++ {
		r := b.Row(i)
		row := flat[i*w : (i+1)*w : (i+1)*w]
		for j, c := range b.Cols {
			row[j] = c.Get(r)
		}
		rows = append(rows, row)
	}
	return rows
}

// rowsBatch builds a batch from datum rows.
func rowsBatch(kinds []col.Kind, rows [][]any) *col.Batch {
	b := col.NewBatch(kinds, len(rows))
	for _, row := range rows {
		for j, v := range b.Cols {
			v.Append(row[j])
		}
	}
	b.SetRows(len(rows))
	return b
}

// rowsOp returns materialized rows in batches.
type rowsOp struct {
	kinds []col.Kind
	rows  [][]any
	pos   int
}

func (r *rowsOp) Next() (*col.Batch, error) {
	if r.pos >= len(r.rows) {
		return nil, nil
	}
	end := min(len(r.rows), r.pos+max(1, col.DefaultBatchSize))
	b := rowsBatch(r.kinds, r.rows[r.pos:end])
	r.pos = end
	return b, nil
}

func (r *rowsOp) Close() error { return nil }

// bug reports a broken plan invariant as an internal error.
func bug(format string, args ...any) error {
	return pgerr.New(pgerr.Internal, "BUG: %s", fmt.Sprintf(format, args...))
}
