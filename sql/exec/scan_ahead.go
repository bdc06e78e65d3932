package exec

import (
	"runtime"
	"sync"

	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// Read-ahead. A plain hypertable scan (no ordered reading, no metadata
// hook, no key sets) over many blocks decodes and filters its blocks on
// up to GOMAXPROCS goroutines while the operators above consume the rows:
// decoding is most of the cost of a scan returning many rows (SELECT *
// ... WHERE v > x over hours of data), and the output path runs beside
// it. Batches come out in the order the blocks were taken, so results
// keep the sequential scan's order. At most aheadPerWorker blocks per
// worker wait decoded; Close stops and waits for the workers. The filter
// the workers evaluate must be free of per-statement caches: only
// comparisons of columns with constants (exec.safe) qualify.

// aheadPerWorker is how many decoded blocks per worker may wait for the
// consumer.
const aheadPerWorker = 2

// readAhead is the state of a scan's read-ahead workers.
type readAhead struct {
	h       *hyperScanOp
	workers int
	slots   chan struct{} // a token per block that may be in flight
	results chan aheadBlock
	stop    chan struct{}
	wg      sync.WaitGroup
	seq     int // next sequence number to hand out, under h.mu
	next    int // sequence number the consumer wants
	pending map[int]aheadBlock
	stopped bool
}

// aheadBlock is one block's rows (possibly none), an error, or the end
// of the scan (b and err nil, end set).
type aheadBlock struct {
	seq int
	b   *col.Batch
	err error
	end bool
}

// canReadAhead reports whether the scan may read ahead on several
// goroutines.
func (h *hyperScanOp) canReadAhead() bool {
	return runtime.GOMAXPROCS(0) >= 2 && !h.ordered && h.buckets == nil && h.hook == nil &&
		len(h.n.Keys) == 0 && (h.filter == nil || safe(h.filter))
}

// startReadAhead starts the workers when the scan lists enough blocks
// (as parallel aggregation decides, parallelMinBlocks), the first of them
// being blk of chunk, already taken. It returns false, leaving blk to
// the caller, when there are too few.
func (h *hyperScanOp) startReadAhead(blk *storage.BlockMeta, chunk uint64) bool {
	h.mu.Lock()
	enough := len(h.blocks)+1 >= parallelMinBlocks || h.chunk < len(h.n.Chunks)
	h.mu.Unlock()
	if !enough {
		return false
	}
	h.ctx.funcCtx() // initialize before sharing
	w := runtime.GOMAXPROCS(0)
	ra := &readAhead{h: h, workers: w, slots: make(chan struct{}, w*aheadPerWorker),
		results: make(chan aheadBlock, w*aheadPerWorker+w), stop: make(chan struct{}),
		pending: map[int]aheadBlock{}, seq: 1}
	for range w * aheadPerWorker {
		ra.slots <- struct{}{}
	}
	<-ra.slots // the first block's
	h.ahead = ra
	for i := range w {
		ra.wg.Add(1)
		first := (*storage.BlockMeta)(nil)
		if i == 0 {
			first = blk
		}
		go ra.work(first, chunk)
	}
	if h.ctx.Analyze {
		h.mu.Lock()
		h.readStats.workers = w
		h.mu.Unlock()
	}
	return true
}

// work decodes blocks until the scan ends, an error, or stop; blk, when
// not nil, is its first block (sequence number 0).
func (ra *readAhead) work(blk *storage.BlockMeta, chunk uint64) {
	defer ra.wg.Done()
	h := ra.h
	var buf storage.ReadBuf
	seq := 0
	for {
		if blk == nil {
			select {
			case <-ra.slots:
			case <-ra.stop:
				return
			}
			h.mu.Lock()
			var err error
			blk, chunk, err = h.take()
			seq = ra.seq
			ra.seq++
			h.mu.Unlock()
			if err != nil || blk == nil {
				ra.send(aheadBlock{seq: seq, err: err, end: err == nil})
				return
			}
		}
		err := h.ctx.check()
		var b *col.Batch
		if err == nil {
			b, err = h.decode(blk, chunk, &buf)
		}
		if err == nil {
			unshare(b, &buf)
		}
		if !ra.send(aheadBlock{seq: seq, b: b, err: err}) || err != nil {
			return
		}
		blk = nil
	}
}

// send hands x to the consumer; false when the scan was stopped.
func (ra *readAhead) send(x aheadBlock) bool {
	select {
	case ra.results <- x:
		return true
	case <-ra.stop:
		return false
	}
}

// nextBatch returns the next block's rows in order, skipping empty
// ones; nil at the end.
func (ra *readAhead) nextBatch() (*col.Batch, error) {
	if ra.stopped {
		return nil, nil // after the end or an error
	}
	for {
		x, ok := ra.pending[ra.next]
		if !ok {
			x = <-ra.results
			if x.seq != ra.next {
				ra.pending[x.seq] = x
				continue
			}
		} else {
			delete(ra.pending, ra.next)
		}
		if x.end || x.err != nil {
			ra.close()
			return nil, x.err
		}
		ra.next++
		ra.slots <- struct{}{}
		if x.b.Rows() > 0 {
			return x.b, nil
		}
	}
}

// close stops the workers and waits for them.
func (ra *readAhead) close() {
	if ra.stopped {
		return
	}
	ra.stopped = true
	close(ra.stop)
	ra.wg.Wait()
}
