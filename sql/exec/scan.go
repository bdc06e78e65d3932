package exec

import (
	"cmp"
	"slices"
	"sync"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// scanOp reads a regular table from the row store.
type scanOp struct {
	ctx   *Ctx
	n     *plan.Scan
	it    storage.KVIter
	kinds []col.Kind
	row   []any
	done  bool
	reads *int64 // keys read, for EXPLAIN ANALYZE
	// filled is set once a batch came out full: later batches are
	// allocated at full size, the first ones small (a dimension table
	// of 100 rows read per query should not cost 1,024-row vectors).
	filled bool
}

// scanFirstRows is the capacity of a regular scan's batches until one
// fills up; appends grow them past it.
const scanFirstRows = 64

func newScan(ctx *Ctx, n *plan.Scan) (Operator, error) {
	if ctx.Txn == nil {
		return nil, bug("scan of %s without a transaction", n.Table.Name)
	}
	if n.Key != nil {
		return &keyScanOp{ctx: ctx, n: n, reads: ctx.keyReads(n)}, nil
	}
	if n.Range != nil {
		return newIndexScan(ctx, n), nil
	}
	sp := storage.Space{Table: uint64(n.Table.OID)}
	return &scanOp{ctx: ctx, n: n, it: ctx.Txn.Iter(sp, nil, nil), kinds: kindsOf(n.Cols),
		row: make([]any, len(n.Table.Cols)), reads: ctx.keyReads(n)}, nil
}

func (s *scanOp) Next() (*col.Batch, error) {
	if s.done {
		return nil, nil
	}
	if err := s.ctx.check(); err != nil {
		return nil, err
	}
	size := max(1, col.DefaultBatchSize)
	capacity := size
	if !s.filled {
		capacity = min(size, scanFirstRows)
	}
	b := col.NewBatch(s.kinds, capacity)
	rows := 0
	for rows < size && s.it.Next() {
		*s.reads++
		if err := table.DecodeRow(s.n.Table, s.it.Value(), s.row); err != nil {
			return nil, err
		}
		if err := appendScanRow(b, s.n, s.row, s.it.Key()); err != nil {
			return nil, err
		}
		rows++
	}
	if rows < size {
		s.done = true
		if err := s.it.Err(); err != nil {
			return nil, err
		}
	} else {
		s.filled = true
	}
	if rows == 0 {
		return nil, nil
	}
	b.SetRows(rows)
	return b, nil
}

// appendScanRow appends to b the output columns of scan n for the table
// row row stored under key (the hidden RowKeyCol column is the key).
func appendScanRow(b *col.Batch, n *plan.Scan, row []any, key []byte) error {
	for i, ci := range n.ColIdx {
		if ci == plan.RowKeyCol {
			b.Cols[i].Append(string(key))
			continue
		}
		if err := appendDatum(b.Cols[i], row[ci]); err != nil {
			return err
		}
	}
	return nil
}

func (s *scanOp) Close() error {
	if s.it == nil {
		return nil
	}
	err := s.it.Close()
	s.it = nil
	return err
}

// hyperScanOp reads the blocks of a hypertable's chunks.
type hyperScanOp struct {
	ctx    *Ctx
	n      *plan.HyperScan
	chunk  int              // next chunk to open
	spec   storage.ScanSpec // Chunk unset: take and decode fill it in copies
	blocks []*storage.BlockMeta
	// blocksChunk is the chunk blocks belong to.
	blocksChunk uint64
	stats       *storage.ScanStats
	hook        blockHook // consumes whole blocks from metadata; may be nil
	// filter keeps the rows of each block that pass it (the plan's scan
	// filter; sql/opt's fuse_filter rule moves a Filter right above the
	// scan into it).
	filter plan.Expr
	// readStats counts what the time conditions per block
	// (scan_timeconds.go) and the read-ahead did.
	readStats *readStats
	// pos maps each decoded column to its output position; nil when
	// every column is decoded in order.
	pos     []int
	holders []*col.Vec // all-NULL placeholders for columns not decoded
	// buf is what Next decodes into while the filter keeps few rows:
	// their copies leave the buffer free for the next block, saving the
	// allocations (and garbage) of decoding every block afresh.
	buf    *storage.ReadBuf
	shared bool // the last filtered block kept most of its rows

	// An ordered scan (see topn.go) reads chunks and blocks by time,
	// newest first when desc, and stops at blocks that cannot hold a
	// time beating bound's.
	ordered, desc bool
	bound         func() (int64, bool)
	// chunkOrder lists positions in n.Chunks in reading order; nil reads
	// them in plan order.
	chunkOrder []int

	// keys are the scan's key sets (plan.HyperScan.Keys), computed when
	// the first chunk has a block in the time range (keysReady); keyStats
	// counts what they did.
	keys      []*keySet
	bkeys     []storage.BlockKeys // keys' block forms
	keysReady bool
	keyStats  *keySetStats
	// keysErr is the error computing the key sets raised. It is raised
	// only when a row passes the scan's other filters, where PostgreSQL
	// would first run the subquery; until then every block is read.
	keysErr error
	// buckets, for an ordered bucket scan (orderedbuckets.go), keeps the
	// best buckets of the rows read so far, which bound the scan.
	buckets *bucketTop
	// tconds are the filter's time conditions (scan_timeconds.go).
	tconds timeConds

	// ahead, when set, reads the blocks on several goroutines
	// (scan_ahead.go); started is set once Next has decided.
	ahead   *readAhead
	started bool

	// mu guards take, the stats and holders when several goroutines read
	// the scan (parallel aggregation).
	mu sync.Mutex
}

func newHyperScan(ctx *Ctx, n *plan.HyperScan) (Operator, error) {
	if ctx.Txn == nil {
		return nil, bug("scan of %s without a transaction", n.Table.Name)
	}
	if n.Table.Hyper == nil {
		return nil, bug("hypertable scan of plain table %s", n.Table.Name)
	}
	h := &hyperScanOp{ctx: ctx, n: n, stats: scanCounter(ctx, &ctx.scans, n), filter: n.Filter}
	for _, k := range n.Keys {
		if k.Join != nil {
			ctx.wantJoinKeys(k.Join)
		}
	}
	if len(n.Keys) > 0 {
		h.keyStats = scanCounter(ctx, &ctx.keySets, n)
	}
	h.readStats = scanCounter(ctx, &ctx.readStats, n)
	need := n.Decode
	if DisableFastAgg { // the differential tests' generic path decodes everything
		need = nil
	}
	cols := make([]storage.ColumnRef, 0, len(n.ColIdx))
	for i, ci := range n.ColIdx {
		if need != nil && !need[i] {
			continue
		}
		c := &n.Table.Cols[ci]
		cols = append(cols, storage.ColumnRef{ID: c.ID, Kind: table.StorageKind(c.Type)})
		h.pos = append(h.pos, i)
	}
	if need == nil {
		h.pos = nil
	}
	lo, hi := n.TimeMin, n.TimeMax
	if lo == 0 && hi == 0 { // unset bounds: the whole time range
		lo, hi = storage.MinTime, storage.MaxTime
	}
	h.spec = storage.ScanSpec{Cols: cols, TimeCol: n.Table.Hyper.TimeCol, TimeMin: lo, TimeMax: hi, Preds: BlockPreds(n.Preds)}
	return h, nil
}

// scanCounter returns scan n's counters of one kind: under EXPLAIN
// ANALYZE the one in *m shared by every run of n (made on first use),
// otherwise a scratch one.
func scanCounter[T any](ctx *Ctx, m *map[*plan.HyperScan]*T, n *plan.HyperScan) *T {
	if !ctx.Analyze {
		return new(T)
	}
	if *m == nil {
		*m = map[*plan.HyperScan]*T{}
	}
	st := (*m)[n]
	if st == nil {
		st = new(T)
		(*m)[n] = st
	}
	return st
}

// blockPredOps maps the comparisons filter pushdown collects to the storage
// layer's block-skipping operators. Each pair must mean the same thing with
// the column on the left: a wrong pair (say OpLe to storage.OpLt) skips
// blocks that hold matching rows, and those rows are lost.
// TestBlockPredOps checks every pair against real block metadata.
var blockPredOps = map[plan.OpKind]storage.PredOp{
	plan.OpEq: storage.OpEq,
	plan.OpLt: storage.OpLt,
	plan.OpLe: storage.OpLe,
	plan.OpGt: storage.OpGt,
	plan.OpGe: storage.OpGe,
}

// BlockPreds converts a hypertable scan's pushed-down predicates to the
// storage layer's block predicates (nil for none).
func BlockPreds(ps []plan.ScanPred) []storage.BlockPred {
	if ps == nil {
		return nil
	}
	out := make([]storage.BlockPred, len(ps))
	for i, p := range ps {
		out[i] = storage.BlockPred{Col: p.Col, Op: blockPredOps[p.Op], Value: p.Value}
	}
	return out
}

func (h *hyperScanOp) Next() (*col.Batch, error) {
	if h.ahead != nil {
		return h.ahead.nextBatch()
	}
	for {
		if err := h.ctx.check(); err != nil {
			return nil, err
		}
		blk, chunk, err := h.take()
		if err != nil || blk == nil {
			return nil, err
		}
		if !h.started {
			h.started = true
			if h.canReadAhead() && h.startReadAhead(blk, chunk) {
				return h.ahead.nextBatch() // scan_ahead.go
			}
		}
		var buf *storage.ReadBuf
		if h.filter != nil && !h.shared {
			if h.buf == nil {
				h.buf = &storage.ReadBuf{}
			}
			buf = h.buf
		}
		b, err := h.decode(blk, chunk, buf)
		if err != nil {
			return nil, err
		}
		if buf != nil {
			h.shared = 2*b.Rows() > blk.Rows
			unshare(b, buf)
		}
		if b.Rows() > 0 {
			return b, nil
		}
	}
}

// order makes the scan read by time (newest first when desc), skipping
// chunks and blocks whose times all sort after the key bound returns.
func (h *hyperScanOp) order(desc bool, bound func() (int64, bool)) {
	h.ordered, h.desc, h.bound = true, desc, bound
	chunks := h.n.Chunks
	h.chunkOrder = make([]int, len(chunks))
	for i := range h.chunkOrder {
		h.chunkOrder[i] = i
	}
	slices.SortStableFunc(h.chunkOrder, func(i, j int) int {
		a, b := chunks[i], chunks[j]
		if desc {
			return cmp.Compare(b.End, a.End)
		}
		return cmp.Compare(a.Start, b.Start)
	})
}

// beyond reports whether rows with times in [lo, hi] cannot enter the
// ordered scan's result any more.
func (h *hyperScanOp) beyond(lo, hi int64) bool {
	b, ok := h.bound()
	if !ok {
		return false
	}
	if h.desc {
		return hi < b
	}
	return lo > b
}

// sortBlocks puts blocks in the ordered scan's reading order: by latest
// time descending, or by earliest time ascending.
func (h *hyperScanOp) sortBlocks(blocks []*storage.BlockMeta) {
	slices.SortStableFunc(blocks, func(a, b *storage.BlockMeta) int {
		if h.desc {
			return cmp.Compare(b.MaxTime, a.MaxTime)
		}
		return cmp.Compare(a.MinTime, b.MinTime)
	})
}

// unshare copies the vectors of b that are buf's, so b outlives the
// next decode into buf.
func unshare(b *col.Batch, buf *storage.ReadBuf) {
	for i, v := range b.Cols {
		if buf.Holds(v) {
			b.Cols[i] = v.Clone()
		}
	}
}

// take returns the next block to decode and its chunk, or a nil block at
// the end. Blocks the metadata hook consumes are skipped. Parallel readers
// call it under h.mu.
func (h *hyperScanOp) take() (*storage.BlockMeta, uint64, error) {
	for {
		for len(h.blocks) == 0 {
			if h.chunk >= len(h.n.Chunks) {
				return nil, 0, nil
			}
			ci := h.chunk
			if h.chunkOrder != nil {
				ci = h.chunkOrder[ci]
			}
			c := h.n.Chunks[ci]
			h.chunk++
			if h.ordered && h.beyond(c.Start, c.End-1) {
				continue
			}
			spec := h.spec // h.spec stays read-only for decode
			spec.Chunk = c.ID
			blocks, err := h.chunkBlocks(&spec)
			if err != nil {
				return nil, 0, err
			}
			if h.ordered {
				h.sortBlocks(blocks)
			}
			h.blocks, h.blocksChunk = blocks, c.ID
		}
		blk := h.blocks[0]
		h.blocks = h.blocks[1:]
		if h.ordered && h.beyond(blk.MinTime, blk.MaxTime) {
			// Sorted: no later block of this chunk can do better.
			h.stats.BlocksSkipped += 1 + len(h.blocks)
			h.blocks = nil
			continue
		}
		if h.hook != nil && h.keysCover(blk) && h.hook(blk) {
			continue
		}
		return blk, h.blocksChunk, nil
	}
}

// decode reads block blk of chunk and returns its rows that pass the
// scan's filter (possibly none), decoding into buf's vectors when buf is
// not nil (the batch is then valid until the next call with buf). It may
// run on several goroutines at once (parallel aggregation): shared state
// is only touched under h.mu.
func (h *hyperScanOp) decode(blk *storage.BlockMeta, chunk uint64, buf *storage.ReadBuf) (*col.Batch, error) {
	spec := h.spec
	spec.Chunk = chunk
	raw, err := h.ctx.Txn.ReadBlockBuf(&spec, blk, buf)
	if err != nil {
		return nil, err
	}
	raw = raw.Compact()
	rows := raw.Rows()
	vecs := make([]*col.Vec, len(h.n.ColIdx))
	for j, v := range raw.Cols {
		i := j
		if h.pos != nil {
			i = h.pos[j]
		}
		c := &h.n.Table.Cols[h.n.ColIdx[i]]
		if vecs[i], err = table.FromStorage(c.Type, v); err != nil {
			return nil, err
		}
	}
	h.mu.Lock()
	h.stats.BlocksRead++
	h.stats.RowsRead += rows
	for i, v := range vecs {
		if v == nil {
			vecs[i] = h.placeholder(kindOf(h.n.Cols[i].T), rows)
		}
	}
	h.mu.Unlock()
	b := col.FromVecs(vecs, rows)
	if h.keys != nil && !h.keysCover(blk) { // a covered block's rows all pass
		var removed int
		b, removed = probeKeys(h.keys, b)
		h.mu.Lock()
		h.keyStats.rows += removed
		h.mu.Unlock()
	}
	if h.buckets != nil && b.Rows() > 0 {
		// Rows outside the best buckets so far go before the filter
		// runs: it then tests only the rows that may still count.
		h.mu.Lock()
		bound, ok := h.buckets.bound()
		h.mu.Unlock()
		if ok {
			b = h.buckets.trim(b.Compact(), bound)
		}
	}
	if h.filter != nil && b.Rows() > 0 {
		if b, err = h.filterBlock(blk, b, buf); err != nil {
			return nil, err
		}
	}
	if h.keysErr != nil && b.Rows() > 0 {
		return nil, h.keysErr
	}
	if h.buckets != nil && b.Rows() > 0 {
		h.mu.Lock()
		h.buckets.add(b)
		h.mu.Unlock()
	}
	return b, nil
}

func (h *hyperScanOp) Close() error {
	if h.ahead != nil {
		h.ahead.close()
	}
	return nil
}

// chunkBlocks lists the blocks of spec's chunk to read: those that may
// hold rows in the time range passing the block predicates and, when the
// scan has key sets, holding keys, which storage finds through its key
// index (storage.Txn.KeyBlocks). The keys are computed when the first
// chunk has a block in the time range (so an empty time range never runs
// the subquery; the block predicates are not checked first: that would
// visit every block of a chunk whose blocks they mostly skip). When
// computing them fails, every block is read and the error waits for a
// row that passes the scan's other filters (see keysErr).
func (h *hyperScanOp) chunkBlocks(spec *storage.ScanSpec) ([]*storage.BlockMeta, error) {
	if len(h.n.Keys) > 0 && !h.keysReady {
		ok, skipped, err := h.ctx.Txn.HasBlocks(spec)
		if err != nil || !ok {
			h.stats.BlocksSkipped += skipped
			return nil, err
		}
		keys, err := keySetsOf(h.ctx, h.n)
		h.keys, h.keysErr, h.keysReady = keys, err, true
		for _, k := range keys {
			h.bkeys = append(h.bkeys, k.block)
		}
	}
	if h.keysErr != nil || len(h.bkeys) == 0 {
		blocks, skipped, err := h.ctx.Txn.Blocks(spec)
		h.stats.BlocksSkipped += skipped
		return blocks, err
	}
	blocks, n, err := h.ctx.Txn.KeyBlocks(spec, h.bkeys)
	h.stats.BlocksSkipped += n.Skipped
	h.keyStats.blocks += n.KeySkipped
	h.keyStats.indexed += n.Indexed
	return blocks, err
}

// keysCover reports whether every row of blk passes the scan's key sets,
// so that metadata may answer for the block.
func (h *hyperScanOp) keysCover(blk *storage.BlockMeta) bool {
	if h.keysErr != nil {
		return false
	}
	for _, k := range h.keys {
		if !k.covers(blk) {
			return false
		}
	}
	return true
}

// virtualOp returns rows computed by a catalog view or similar.
type virtualOp struct {
	ctx  *Ctx
	n    *plan.Virtual
	rows *rowsOp
}

func (v *virtualOp) Next() (*col.Batch, error) {
	if v.rows == nil {
		if v.n.Rows == nil {
			return nil, bug("virtual relation %s without rows", v.n.Name)
		}
		rows, err := v.n.Rows(v.ctx.Engine)
		if err != nil {
			return nil, err
		}
		if err := checkRows(kindsOf(v.n.Cols), rows); err != nil {
			return nil, err
		}
		v.rows = &rowsOp{kinds: kindsOf(v.n.Cols), rows: rows}
	}
	return v.rows.Next()
}

func (v *virtualOp) Close() error { return nil }

// checkRows verifies that externally produced rows fit the columns' kinds
// (so building batches from them cannot panic).
func checkRows(kinds []col.Kind, rows [][]any) error {
	for _, r := range rows {
		if len(r) < len(kinds) {
			return bug("row of %d values for %d columns", len(r), len(kinds))
		}
		for i, k := range kinds {
			if r[i] == nil {
				continue
			}
			if err := checkDatum(k, r[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// valuesOp evaluates a VALUES list.
type valuesOp struct {
	ctx  *Ctx
	n    *plan.Values
	rows *rowsOp
}

func (v *valuesOp) Next() (*col.Batch, error) {
	if v.rows == nil {
		kinds := kindsOf(v.n.Cols)
		rows := make([][]any, len(v.n.Rows))
		for i, exprs := range v.n.Rows {
			row := make([]any, len(exprs))
			for j, e := range exprs {
				x, err := Eval(v.ctx, e, nil)
				if err != nil {
					return nil, err
				}
				row[j] = x
			}
			rows[i] = row
		}
		if err := checkRows(kinds, rows); err != nil {
			return nil, err
		}
		v.rows = &rowsOp{kinds: kinds, rows: rows}
	}
	return v.rows.Next()
}

func (v *valuesOp) Close() error { return nil }

// funcScanOp runs a set-returning function in FROM: a streaming one
// (plan.FuncScan.Stream) one batch per Next, otherwise materialized.
type funcScanOp struct {
	ctx   *Ctx
	n     *plan.FuncScan
	rows  *rowsOp       // materialized result
	next  funcs.SetIter // streaming result, nil until started
	kinds []col.Kind
	ord   int64 // rows streamed so far (WITH ORDINALITY)
}

func (f *funcScanOp) Next() (*col.Batch, error) {
	if f.rows != nil {
		return f.rows.Next()
	}
	if f.next != nil {
		return f.nextStreamed()
	}
	args := make([]any, len(f.n.Args))
	for i, a := range f.n.Args {
		x, err := Eval(f.ctx, a, nil)
		if err != nil {
			return nil, err
		}
		args[i] = x
	}
	f.kinds = kindsOf(f.n.Cols)
	if f.n.Stream != nil {
		next, err := f.n.Stream(f.ctx.Engine, args)
		if err != nil {
			return nil, err
		}
		f.next = next
		return f.nextStreamed()
	}
	rows, err := f.n.Fn(f.ctx.Engine, args)
	if err != nil {
		return nil, err
	}
	f.addOrdinality(rows)
	if err := checkRows(f.kinds, rows); err != nil {
		return nil, err
	}
	f.rows = &rowsOp{kinds: f.kinds, rows: rows}
	return f.rows.Next()
}

// nextStreamed returns the next batch of a streaming function.
func (f *funcScanOp) nextStreamed() (*col.Batch, error) {
	if err := f.ctx.check(); err != nil {
		return nil, err
	}
	rows, err := f.next(max(1, col.DefaultBatchSize))
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	f.addOrdinality(rows)
	if err := checkRows(f.kinds, rows); err != nil {
		return nil, err
	}
	return rowsBatch(f.kinds, rows), nil
}

// addOrdinality appends the ordinality column when the scan has one.
func (f *funcScanOp) addOrdinality(rows [][]any) {
	if !f.n.Ordinality {
		return
	}
	for i, r := range rows {
		f.ord++
		rows[i] = append(r[:len(r):len(r)], f.ord)
	}
}

func (f *funcScanOp) Close() error { return nil }
