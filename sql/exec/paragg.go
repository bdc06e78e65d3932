package exec

import (
	"runtime"
	"sync"

	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// Parallel aggregation. A typed aggregation (fastAgg) directly over a
// hypertable scan reads the scan's blocks on up to GOMAXPROCS goroutines:
// each takes the next block, decodes it and folds it into its own typed
// accumulators; at the end every worker's groups are folded into the
// aggregation's states, which merge (agg.Fold). The expressions the
// workers evaluate (group keys, aggregate arguments, the scan's filter)
// must be free of per-statement caches: sql/opt's parallel_agg rule
// marks the aggregates where they are (plan.Agg.Parallel).

// parallelMinBlocks is the fewest blocks the first chunk of a scan must
// list for its aggregation to run in parallel (any scan of several chunks
// does).
const parallelMinBlocks = 4

// parallelScan returns the scan a's typed aggregation can read in
// parallel, or nil; st is the scan's EXPLAIN ANALYZE row counter, if any.
func (a *aggOp) parallelScan() (h *hyperScanOp, st *nodeStats) {
	if !a.n.Parallel || a.fast == nil || runtime.GOMAXPROCS(0) < 2 {
		return nil, nil
	}
	in := a.in
	if so, ok := in.(*statsOp); ok {
		in, st = so.in, so.st
	}
	h, ok := in.(*hyperScanOp)
	if !ok {
		return nil, nil
	}
	return h, st
}

// consumeParallel aggregates every block of h on several goroutines,
// counting the scan's rows in st when not nil. It returns false when h
// lists too few blocks; then it has consumed at most the first one.
func (a *aggOp) consumeParallel(h *hyperScanOp, st *nodeStats) (bool, error) {
	a.ctx.funcCtx() // initialize before sharing
	h.mu.Lock()
	first, chunk, err := h.take()
	enough := err == nil && first != nil && (len(h.blocks)+1 >= parallelMinBlocks || h.chunk < len(h.n.Chunks))
	h.mu.Unlock()
	if err != nil {
		return true, err
	}
	if !enough {
		// Too little to split: aggregate what there is here.
		if first != nil {
			b, err := h.decode(first, chunk, nil)
			if err == nil && st != nil {
				st.rows += int64(b.Rows())
			}
			if err == nil && b.Rows() > 0 {
				err = a.consume(b)
			}
			if err != nil {
				return true, err
			}
		}
		return false, nil
	}
	workers := runtime.GOMAXPROCS(0)
	fasts := make([]*fastAgg, workers)
	errs := make([]error, workers)
	var failed sync.Once
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range fasts {
		fasts[w] = newFastAgg(a.n, a.argT)
		wg.Add(1)
		go func() {
			defer wg.Done()
			blk, c := first, chunk
			if w > 0 {
				blk = nil
			}
			if errs[w] = a.drain(h, st, fasts[w], blk, c, stop); errs[w] != nil {
				failed.Do(func() { close(stop) })
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return true, err
		}
	}
	for _, f := range fasts {
		a.flushFast(f, true)
	}
	if a.ctx.Analyze {
		a.ctx.stats[a.n].workers = workers
	}
	return true, nil
}

// drain folds blocks of h into f until the scan ends, starting with blk
// when it is not nil, or until stop is closed; st counts the scan's rows
// when not nil.
func (a *aggOp) drain(h *hyperScanOp, st *nodeStats, f *fastAgg, blk *storage.BlockMeta, chunk uint64, stop <-chan struct{}) error {
	var buf storage.ReadBuf // each block is folded in before the next is read
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		if err := a.ctx.check(); err != nil {
			return err
		}
		if blk == nil {
			h.mu.Lock()
			var err error
			blk, chunk, err = h.take()
			h.mu.Unlock()
			if err != nil || blk == nil {
				return err
			}
		}
		b, err := h.decode(blk, chunk, &buf)
		if err != nil {
			return err
		}
		blk = nil
		if st != nil {
			h.mu.Lock()
			st.rows += int64(b.Rows())
			h.mu.Unlock()
		}
		if b.Rows() > 0 {
			if err := a.consumeFast(f, b); err != nil {
				return err
			}
		}
	}
}

// consumeFast evaluates the group keys and aggregate arguments over b and
// folds them into f.
func (a *aggOp) consumeFast(f *fastAgg, b *col.Batch) error {
	b = b.Compact()
	keys := make([]*col.Vec, len(a.n.Keys))
	var err error
	for i, k := range a.n.Keys {
		if keys[i], err = EvalBatch(a.ctx, k, b); err != nil {
			return err
		}
	}
	args := make([]*col.Vec, len(a.n.Aggs))
	for i, c := range a.n.Aggs {
		if !c.Star {
			if args[i], err = EvalBatch(a.ctx, c.Args[0], b); err != nil {
				return err
			}
		}
	}
	f.consume(keys, args, b.Rows())
	return nil
}
