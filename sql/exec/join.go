package exec

import (
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// cancelCheckEvery is how many candidate row pairs a join examines between
// cancellation checks: often enough that a cross join producing billions
// of pairs stops within milliseconds, rarely enough to cost nothing.
const cancelCheckEvery = 4096

// joinOp is a hash join (when equi-keys are known) or a nested-loop join
// over the materialized right side; LATERAL joins re-run the right side
// for every left row, streaming it batch by batch.
//
// Probing is resumable: a Next call stops as soon as its output batch is
// full, even in the middle of one left row's matches, and the next call
// continues where it stopped. Memory therefore stays bounded by one
// output batch however many rows a left row matches.
type joinOp struct {
	ctx     *Ctx
	n       *plan.Join
	left    Operator
	lw, rw  int // column counts
	right   [][]any
	hash    map[uint64][]int
	keyT    []types.T
	matched []bool // right rows matched (RIGHT/FULL)
	out     rowBuf
	built   bool
	done    bool

	lrows [][]any     // the current left batch
	li    int         // next row of lrows to probe
	cur   *probeState // the left row being probed, nil between rows
	// combined is the probes' scratch row (probeState.combined).
	combined []any
	work     int // row pairs examined, for cancellation checks
	// lastValues reads a last-value right side (lastValueRight) for
	// every left row.
	lastValues *table.LastValueReader
}

// probeState is the progress of one left row through the right side.
type probeState struct {
	lrow     []any
	combined []any    // left row then the right row being tried
	right    [][]any  // rows walked: the right side, or a lateral batch
	cands    []int    // hash candidates in right (when useCands)
	useCands bool     // walk cands instead of every row of right
	pos      int      // next position in cands or right
	rightOp  Operator // lateral: the right side's operator until drained
	matched  bool     // some right row satisfied the condition
}

func newJoin(ctx *Ctx, n *plan.Join) (Operator, error) {
	l, err := build(ctx, n.Left)
	if err != nil {
		return nil, err
	}
	j := &joinOp{ctx: ctx, n: n, left: l, lw: len(n.Left.Columns()), rw: len(n.Right.Columns()),
		out: rowBuf{kinds: kindsOf(n.Columns())}}
	for _, e := range n.EqLeft {
		j.keyT = append(j.keyT, e.Type())
	}
	return j, nil
}

// buildRight materializes the right side (and its hash table).
func (j *joinOp) buildRight() error {
	j.built = true
	op, err := build(j.ctx, j.n.Right)
	if err != nil {
		return err
	}
	rows, err := drain(j.ctx, op)
	if err != nil {
		return err
	}
	j.right = rows
	if j.n.Kind == plan.JoinRight || j.n.Kind == plan.JoinFull {
		j.matched = make([]bool, len(rows))
	}
	if len(j.n.EqRight) == 0 || len(j.n.EqRight) != len(j.n.EqLeft) {
		return nil
	}
	j.hash = map[uint64][]int{}
	key := make([]any, len(j.n.EqRight))
	jk := j.ctx.joinKeys[j.n] // a scan on the outer side wants the keys
	for i, row := range rows {
		ok, err := j.evalKey(j.n.EqRight, row, key)
		if err != nil {
			return err
		}
		if ok {
			h := hashRow(j.keyT, key)
			j.hash[h] = append(j.hash[h], i)
			if jk != nil {
				for k, v := range key {
					jk.vals[k] = append(jk.vals[k], v)
				}
			}
		}
	}
	if jk != nil {
		jk.ready = true
	}
	return nil
}

// evalKey evaluates key expressions over row into key; false when a key
// is NULL (such a row never matches).
func (j *joinOp) evalKey(es []plan.Expr, row, key []any) (bool, error) {
	for i, e := range es {
		v, err := Eval(j.ctx, e, row)
		if err != nil {
			return false, err
		}
		if v == nil {
			return false, nil
		}
		key[i] = v
	}
	return true, nil
}

func (j *joinOp) Next() (*col.Batch, error) {
	if !j.built && !j.n.Lateral {
		if err := j.buildRight(); err != nil {
			return nil, err
		}
	}
	if j.broadcast() {
		return j.nextBroadcast()
	}
	for !j.out.full() {
		switch {
		case j.cur != nil:
			if err := j.step(); err != nil {
				return nil, err
			}
		case j.li < len(j.lrows):
			if err := j.start(j.lrows[j.li]); err != nil {
				return nil, err
			}
			j.li++
		case j.done:
			return j.out.flush(), nil
		default:
			b, err := j.left.Next()
			if err != nil {
				return nil, err
			}
			if err := j.ctx.check(); err != nil {
				return nil, err
			}
			if b == nil {
				j.done = true
				j.emitUnmatchedRight()
				continue
			}
			j.lrows, j.li = appendRows(j.lrows[:0], b.Compact()), 0
		}
	}
	return j.out.flush(), nil
}

// broadcast reports whether every left row pairs with the right side's
// single row: no condition, not LATERAL, an inner, cross or left join.
// That is a CROSS JOIN with an aggregate (z-score queries join every row
// to a CTE holding the mean and deviation).
func (j *joinOp) broadcast() bool {
	if j.n.Lateral || j.n.Cond != nil || len(j.right) != 1 {
		return false
	}
	switch j.n.Kind {
	case plan.JoinInner, plan.JoinCross, plan.JoinLeft:
		return true
	}
	return false
}

// nextBroadcast passes a whole left batch through with the right row's
// values appended as constant vectors: no row is materialized.
func (j *joinOp) nextBroadcast() (*col.Batch, error) {
	b, err := j.left.Next()
	if err != nil || b == nil {
		return nil, err
	}
	if err := j.ctx.check(); err != nil {
		return nil, err
	}
	b = b.Compact()
	n := b.Rows()
	vecs := append(make([]*col.Vec, 0, j.lw+j.rw), b.Cols...)
	for i, v := range j.right[0] {
		c, err := broadcast(j.out.kinds[j.lw+i], v, n)
		if err != nil {
			return nil, err
		}
		vecs = append(vecs, c)
	}
	return col.FromVecs(vecs, n), nil
}

// start begins probing the right side with one left row.
func (j *joinOp) start(lrow []any) error {
	if j.combined == nil {
		j.combined = make([]any, j.lw+j.rw)
	}
	// One probe runs at a time and emits copies: its scratch row is
	// the join's.
	p := &probeState{lrow: lrow, right: j.right, combined: j.combined}
	copy(p.combined, lrow)
	switch {
	case j.n.Lateral:
		j.ctx.pushOuter(lrow)
		if lv, projs := j.lastValueRight(); lv != nil {
			rows, err := lastValueRows(j.ctx, lv, projs, &j.lastValues)
			j.ctx.popOuter()
			if err != nil {
				return err
			}
			p.right = rows
			break
		}
		op, err := build(j.ctx, j.n.Right)
		j.ctx.popOuter()
		if err != nil {
			return err
		}
		p.rightOp, p.right = op, nil
	case j.hash != nil:
		p.useCands = true
		key := make([]any, len(j.n.EqLeft))
		ok, err := j.evalKey(j.n.EqLeft, lrow, key)
		if err != nil || !ok {
			j.cur = p
			return err
		}
		rkey := make([]any, len(key))
		for _, i := range j.hash[hashRow(j.keyT, key)] {
			if _, err := j.evalKey(j.n.EqRight, j.right[i], rkey); err != nil {
				return err
			}
			if rowsEqual(j.keyT, key, rkey) {
				p.cands = append(p.cands, i)
			}
		}
	}
	j.cur = p
	return nil
}

// lastValueRight returns the LATERAL right side when it is one series'
// lookup in a last-value index (at most one row, in datum form), under
// projections (outermost first): the join then reads it per left row
// directly, without building operators and one-row batches for it.
// EXPLAIN ANALYZE keeps the operators, whose counts it shows.
func (j *joinOp) lastValueRight() (*plan.LastValueScan, []*plan.Project) {
	if j.ctx.Analyze {
		return nil, nil
	}
	n := j.n.Right
	var projs []*plan.Project
	for {
		pr, ok := n.(*plan.Project)
		if !ok {
			break
		}
		projs = append(projs, pr)
		n = pr.Input
	}
	lv, ok := n.(*plan.LastValueScan)
	if !ok || lv.Key == nil || lv.Scan != nil {
		return nil, nil
	}
	return lv, projs
}

// lastValueRows looks lv's series up and applies projs (outermost
// first) to the row found, as the operators would.
func lastValueRows(ctx *Ctx, lv *plan.LastValueScan, projs []*plan.Project, r **table.LastValueReader) ([][]any, error) {
	rows, err := lastValueLookup(ctx, lv, r)
	if err != nil {
		return nil, err
	}
	for i := len(projs) - 1; i >= 0; i-- {
		for r, row := range rows {
			out := make([]any, len(projs[i].Exprs))
			for k, e := range projs[i].Exprs {
				if out[k], err = Eval(ctx, e, row); err != nil {
					return nil, err
				}
			}
			rows[r] = out
		}
	}
	return rows, nil
}

// step tries right rows for the current left row until the output batch
// is full or the right side is exhausted.
func (j *joinOp) step() error {
	p := j.cur
	for !j.out.full() {
		if j.work++; j.work%cancelCheckEvery == 0 {
			if err := j.ctx.check(); err != nil {
				return err
			}
		}
		i, ok, err := j.nextRight(p)
		if err != nil {
			return err
		}
		if !ok {
			return j.finish(p)
		}
		stop, err := j.try(p, i)
		if err != nil {
			return err
		}
		if stop {
			return j.finish(p)
		}
	}
	return nil
}

// nextRight returns the index in p.right of the next right row to try;
// ok is false when the right side is exhausted.
func (j *joinOp) nextRight(p *probeState) (i int, ok bool, err error) {
	for {
		if p.useCands {
			if p.pos < len(p.cands) {
				p.pos++
				return p.cands[p.pos-1], true, nil
			}
			return 0, false, nil
		}
		if p.pos < len(p.right) {
			p.pos++
			return p.pos - 1, true, nil
		}
		if p.rightOp == nil {
			return 0, false, nil
		}
		j.ctx.pushOuter(p.lrow)
		b, err := p.rightOp.Next()
		j.ctx.popOuter()
		if err != nil {
			return 0, false, err
		}
		if err := j.ctx.check(); err != nil {
			return 0, false, err
		}
		if b == nil {
			err := p.rightOp.Close()
			p.rightOp = nil
			return 0, false, err
		}
		p.right, p.pos = appendRows(p.right[:0], b), 0
	}
}

// try tests right row i against the join condition and emits the pair;
// stop reports that the left row needs no more right rows (semi/anti).
func (j *joinOp) try(p *probeState, i int) (stop bool, err error) {
	copy(p.combined[j.lw:], p.right[i])
	if j.n.Cond != nil {
		c, err := Eval(j.ctx, j.n.Cond, p.combined)
		if err != nil || c != true {
			return false, err
		}
	}
	p.matched = true
	if j.matched != nil {
		j.matched[i] = true
	}
	if j.n.Kind == plan.JoinSemi || j.n.Kind == plan.JoinAnti {
		return true, nil
	}
	j.out.rows = append(j.out.rows, append([]any(nil), p.combined...))
	return false, nil
}

// finish emits what the left row yields after its probe (semi, anti and
// outer rows) and releases the probe.
func (j *joinOp) finish(p *probeState) error {
	j.cur = nil
	switch j.n.Kind {
	case plan.JoinSemi:
		if p.matched {
			j.out.rows = append(j.out.rows, p.lrow)
		}
	case plan.JoinAnti:
		if !p.matched {
			j.out.rows = append(j.out.rows, p.lrow)
		}
	case plan.JoinLeft, plan.JoinFull:
		if !p.matched {
			row := make([]any, j.lw+j.rw)
			copy(row, p.lrow)
			j.out.rows = append(j.out.rows, row)
		}
	}
	if p.rightOp != nil {
		err := p.rightOp.Close()
		p.rightOp = nil
		return err
	}
	return nil
}

// emitUnmatchedRight adds the NULL-extended unmatched right rows of a
// RIGHT or FULL join.
func (j *joinOp) emitUnmatchedRight() {
	for i, m := range j.matched {
		if !m {
			row := make([]any, j.lw+j.rw)
			copy(row[j.lw:], j.right[i])
			j.out.rows = append(j.out.rows, row)
		}
	}
	j.matched = nil
}

func (j *joinOp) Close() error {
	if j.cur != nil && j.cur.rightOp != nil {
		j.cur.rightOp.Close()
		j.cur.rightOp = nil
	}
	return j.left.Close()
}

// SourceMatcher pairs the target rows of UPDATE ... FROM and DELETE ...
// USING with source rows: Match returns the first source row satisfying
// the statement's condition, so each target row is changed at most once
// (which source row wins when several match is unspecified, as in
// PostgreSQL). The source is materialized once and hashed on the
// condition's equality keys when it has any.
type SourceMatcher struct {
	ctx   *Ctx
	src   *plan.DMLSource
	cond  plan.Expr
	width int // target row width
	rows  [][]any
	hash  map[uint64][]int
	keyT  []types.T
	key   []any
	env   []any // scratch: target row then a candidate source row
	work  int
}

// NewSourceMatcher runs src's source over target rows width columns wide;
// cond (nil: always true) is evaluated over target row plus source row.
func NewSourceMatcher(ctx *Ctx, src *plan.DMLSource, cond plan.Expr, width int) (*SourceMatcher, error) {
	op, err := Build(ctx, src.Node)
	if err != nil {
		return nil, err
	}
	rows, err := drain(ctx, op)
	if err != nil {
		return nil, err
	}
	m := &SourceMatcher{ctx: ctx, src: src, cond: cond, width: width, rows: rows,
		env: make([]any, width+len(src.Node.Columns()))}
	if len(src.TargetKeys) == 0 || len(src.TargetKeys) != len(src.SourceKeys) {
		return m, nil
	}
	for _, e := range src.TargetKeys {
		m.keyT = append(m.keyT, e.Type())
	}
	m.key = make([]any, len(src.SourceKeys))
	m.hash = map[uint64][]int{}
	for i, row := range rows {
		if ok, err := m.evalKey(src.SourceKeys, row); err != nil {
			return nil, err
		} else if ok {
			h := hashRow(m.keyT, m.key)
			m.hash[h] = append(m.hash[h], i)
		}
	}
	return m, nil
}

// evalKey evaluates key expressions over row into m.key; false when a key
// is NULL (the row matches nothing).
func (m *SourceMatcher) evalKey(es []plan.Expr, row []any) (bool, error) {
	for i, e := range es {
		v, err := Eval(m.ctx, e, row)
		if err != nil || v == nil {
			return false, err
		}
		m.key[i] = v
	}
	return true, nil
}

// Match returns target followed by the first source row satisfying the
// condition (a new slice the caller may keep); ok is false when none does.
func (m *SourceMatcher) Match(target []any) (env []any, ok bool, err error) {
	copy(m.env, target)
	try := func(i int) (bool, error) {
		if m.work++; m.work%cancelCheckEvery == 0 {
			if err := m.ctx.check(); err != nil {
				return false, err
			}
		}
		copy(m.env[m.width:], m.rows[i])
		if m.cond == nil {
			return true, nil
		}
		c, err := Eval(m.ctx, m.cond, m.env)
		return c == true, err
	}
	if m.hash != nil {
		if ok, err := m.evalKey(m.src.TargetKeys, target); err != nil || !ok {
			return nil, false, err
		}
		for _, i := range m.hash[hashRow(m.keyT, m.key)] {
			if ok, err := try(i); err != nil || ok {
				return append([]any(nil), m.env...), ok, err
			}
		}
		return nil, false, nil
	}
	for i := range m.rows {
		if ok, err := try(i); err != nil || ok {
			return append([]any(nil), m.env...), ok, err
		}
	}
	return nil, false, nil
}
