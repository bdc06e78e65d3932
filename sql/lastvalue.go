package sql

import (
	"encoding/binary"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// The last-value index.
//
// A hypertable index on (series column, time, ...) — the index TimescaleDB
// users create for "latest value per device" — and the hash space
// dimension keep, in a key space of their own, the newest row of every
// series: key = the series value's key encoding, value = the row's time
// (8 bytes, big endian, sign-flipped) followed by the row in row-store
// encoding. Writes update it in the same transaction as the data, so it
// is exactly as durable and atomic; an older (out-of-order) row never
// replaces a newer one. DELETE and UPDATE recompute the series whose
// newest row they removed.

func lvSpace(t *catalog.Table, ix *catalog.Index) storage.Space {
	return storage.Space{Table: uint64(t.OID), Index: ix.Space}
}

func encodeLV(ts int64, row []byte) []byte {
	out := make([]byte, 8, 8+len(row))
	binary.BigEndian.PutUint64(out, uint64(ts)^(1<<63))
	return append(out, row...)
}

func decodeLVTime(v []byte) int64 {
	if len(v) < 8 {
		return minInt64
	}
	return int64(binary.BigEndian.Uint64(v) ^ (1 << 63))
}

// seriesKey encodes row r's series value for index ix.
func seriesKey(t *catalog.Table, ix *catalog.Index, b *col.Batch, r int) ([]byte, error) {
	i := t.ColByID(ix.Cols[0])
	return table.AppendKey(nil, t.Cols[i].Type, b.Cols[i].Get(r))
}

// maintainLastValue folds appended rows (SQL kinds, all table columns)
// into the hypertable's last-value indexes.
func (s *session) maintainLastValue(t *catalog.Table, b *col.Batch) error {
	ixs := t.LastValueIndexes()
	if len(ixs) == 0 || b.Rows() == 0 {
		return nil
	}
	ti := t.ColByID(t.Hyper.TimeCol)
	times := b.Cols[ti].I64
	for _, ix := range ixs {
		best := map[string]int{}
		var order []string
		for r := 0; r < b.Rows(); r++ {
			k, err := seriesKey(t, ix, b, r)
			if err != nil {
				return err
			}
			ks := string(k)
			if cur, ok := best[ks]; !ok {
				best[ks] = r
				order = append(order, ks)
			} else if times[r] >= times[cur] {
				best[ks] = r
			}
		}
		sp := lvSpace(t, ix)
		row := make([]any, 0, len(t.Cols))
		for _, ks := range order {
			r := best[ks]
			old, found, err := s.txn.Get(sp, []byte(ks))
			if err != nil {
				return err
			}
			if found && decodeLVTime(old) > times[r] {
				continue
			}
			data, err := table.EncodeRow(t, batchRow(b, r, row))
			if err != nil {
				return err
			}
			s.txn.Put(sp, []byte(ks), encodeLV(times[r], data))
		}
	}
	return nil
}

// lastValueRemoved notes rows (SQL kinds) deleted from a hypertable; the
// series whose newest row was among them are returned for recompute.
func (s *session) lastValueRemoved(t *catalog.Table, b *col.Batch, stale map[*catalog.Index]map[string]bool) error {
	ti := t.ColByID(t.Hyper.TimeCol)
	for _, ix := range t.LastValueIndexes() {
		sp := lvSpace(t, ix)
		for r := 0; r < b.Rows(); r++ {
			k, err := seriesKey(t, ix, b, r)
			if err != nil {
				return err
			}
			old, found, err := s.txn.Get(sp, k)
			if err != nil {
				return err
			}
			if found && decodeLVTime(old) == b.Cols[ti].I64[r] {
				if stale[ix] == nil {
					stale[ix] = map[string]bool{}
				}
				stale[ix][string(k)] = true
			}
		}
	}
	return nil
}

// recomputeLastValue rebuilds the entries of stale series (all series
// when stale is nil) by scanning chunks from the newest; the newest row
// of a series lives in the newest chunk that holds the series.
func (s *session) recomputeLastValue(t *catalog.Table, ix *catalog.Index, stale map[string]bool) error {
	sp := lvSpace(t, ix)
	for k := range stale {
		s.txn.Delete(sp, []byte(k))
	}
	schema := chunkSchema(t)
	chunks := s.db.cat.ScanChunksIn(s.ddl, t.OID, minInt64, maxInt64)
	remaining := len(stale)
	for i := len(chunks) - 1; i >= 0 && (stale == nil || remaining > 0); i-- {
		spec := &storage.ScanSpec{Chunk: chunks[i].ID, Cols: schema.Cols, TimeCol: t.Hyper.TimeCol, TimeMin: storage.MinTime, TimeMax: storage.MaxTime}
		blocks, _, err := s.txn.Blocks(spec)
		if err != nil {
			return err
		}
		var found []*col.Batch
		for _, blk := range blocks {
			_, qb, err := s.readBlockSQL(t, spec, blk)
			if err != nil {
				return err
			}
			vecs := qb.Cols
			if stale != nil {
				var keep []int
				for r := 0; r < qb.Rows(); r++ {
					k, err := seriesKey(t, ix, qb, r)
					if err != nil {
						return err
					}
					if stale[string(k)] {
						keep = append(keep, r)
					}
				}
				if len(keep) == 0 {
					continue
				}
				for c := range vecs {
					vecs[c] = vecs[c].Gather(keep)
				}
				qb = col.FromVecs(vecs, len(keep))
			}
			found = append(found, qb)
		}
		one := &catalog.Table{}
		*one = *t
		one.Indexes = []catalog.Index{*ix}
		for _, qb := range found {
			if err := s.maintainLastValue(one, qb); err != nil {
				return err
			}
			if stale != nil {
				for r := 0; r < qb.Rows(); r++ {
					k, _ := seriesKey(t, ix, qb, r)
					if stale[string(k)] {
						delete(stale, string(k))
						remaining--
					}
				}
			}
		}
	}
	return nil
}

// lastValueRows reads a last-value index as full table rows, ordered by
// series key.
func (s *session) lastValueRows(t *catalog.Table, ix *catalog.Index, colIdx []int) ([][]any, error) {
	it := s.txn.Iter(lvSpace(t, ix), nil, nil)
	defer it.Close()
	var out [][]any
	full := make([]any, len(t.Cols))
	for it.Next() {
		row, err := decodeLVRow(t, ix, it.Value(), colIdx, full)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, it.Err()
}

// useLastValue rewrites latest-value-per-series plans to read the
// last-value index instead of scanning chunks:
//
//	DISTINCT ON (s) ... ORDER BY s, time DESC   (Distinct/Sort/Project over the scan)
//	SELECT s, last(x, time), max(time) ... GROUP BY s
//
// The scan may be filtered by predicates on s alone and by lower bounds
// on time (the newest row of a series passes such a bound exactly when
// some row does).
func (s *session) useLastValue(n plan.Node) plan.Node {
	switch x := n.(type) {
	case *plan.Distinct:
		if len(x.On) != 1 {
			break
		}
		srt, ok := x.Input.(*plan.Sort)
		if !ok || len(srt.Keys) < 2 {
			break
		}
		prj, ok := srt.Input.(*plan.Project)
		if !ok {
			break
		}
		on, ok1 := x.On[0].(*plan.ColRef)
		k0, ok2 := srt.Keys[0].E.(*plan.ColRef)
		if !ok1 || !ok2 || on.Idx != k0.Idx {
			break
		}
		// DISTINCT ON sorts by the ON key, then the ORDER BY keys, which
		// repeat it: the first other key must be time DESC.
		next := 1
		for next < len(srt.Keys) {
			if c, ok := srt.Keys[next].E.(*plan.ColRef); ok && c.Idx == on.Idx {
				next++
				continue
			}
			break
		}
		if next >= len(srt.Keys) || !srt.Keys[next].Desc {
			break
		}
		k1, ok3 := srt.Keys[next].E.(*plan.ColRef)
		if !ok3 {
			break
		}
		series, ok4 := prj.Exprs[k0.Idx].(*plan.ColRef)
		tcol, ok5 := prj.Exprs[k1.Idx].(*plan.ColRef)
		if !ok4 || !ok5 {
			break
		}
		if in, ok := s.lastValueInput(prj.Input, series.Idx, tcol.Idx); ok {
			cp := *prj
			cp.Input = in
			cs := *srt
			cs.Input = &cp
			return &plan.Distinct{Input: &cs, On: x.On}
		}
	case *plan.Agg:
		if len(x.Keys) != 1 {
			break
		}
		series, ok := x.Keys[0].(*plan.ColRef)
		if !ok {
			break
		}
		tIdx := -1
		for _, a := range x.Aggs {
			switch {
			case a.Agg.Name == "last" && len(a.Args) == 2 && !a.Distinct && a.Filter == nil:
				tc, ok := a.Args[1].(*plan.ColRef)
				if !ok || tIdx >= 0 && tc.Idx != tIdx {
					return s.rewriteChildren(n)
				}
				tIdx = tc.Idx
			case a.Agg.Name == "max" && len(a.Args) == 1 && a.Filter == nil:
				tc, ok := a.Args[0].(*plan.ColRef)
				if !ok || tIdx >= 0 && tc.Idx != tIdx {
					return s.rewriteChildren(n)
				}
				tIdx = tc.Idx
			default:
				return s.rewriteChildren(n)
			}
		}
		if tIdx < 0 {
			break
		}
		if in, ok := s.lastValueInput(x.Input, series.Idx, tIdx); ok {
			cp := *x
			cp.Input = in
			return &cp
		}
	case *plan.Limit:
		if in, ok := s.latestOne(x); ok {
			cp := *x
			cp.Input = in
			return &cp
		}
	}
	return s.rewriteChildren(n)
}

// latestOne rewrites "... WHERE s = <value> ORDER BY time DESC LIMIT 1"
// (alone or inside a LATERAL join, where <value> is the outer row's
// column) into a point lookup in the last-value index. It returns the
// replacement for the Limit's input.
func (s *session) latestOne(l *plan.Limit) (plan.Node, bool) {
	c, ok := l.Count.(*plan.Const)
	if !ok || c.V != int64(1) || l.Offset != nil {
		return nil, false
	}
	srt, ok := l.Input.(*plan.Sort)
	if !ok || len(srt.Keys) != 1 || !srt.Keys[0].Desc {
		return nil, false
	}
	prj, ok := srt.Input.(*plan.Project)
	if !ok {
		return nil, false
	}
	kc, ok := srt.Keys[0].E.(*plan.ColRef)
	if !ok {
		return nil, false
	}
	tcol, ok := prj.Exprs[kc.Idx].(*plan.ColRef)
	if !ok {
		return nil, false
	}
	f, ok := prj.Input.(*plan.Filter)
	if !ok {
		return nil, false
	}
	hs, ok := f.Input.(*plan.HyperScan)
	if !ok || tcol.Idx >= len(hs.ColIdx) || hs.Table.Cols[hs.ColIdx[tcol.Idx]].ID != hs.Table.Hyper.TimeCol {
		return nil, false
	}
	t := hs.Table
	// Find "series = value" among the conjuncts; the rest must be safe.
	var ix *catalog.Index
	var value plan.Expr
	var rest plan.Expr
	sIdx := -1
	for _, conj := range splitAnd(f.Cond) {
		if ix == nil {
			if op, ok := conj.(*plan.Op); ok && op.Kind == plan.OpEq {
				col, val := op.L, op.R
				if _, isCol := col.(*plan.ColRef); !isCol {
					col, val = op.R, op.L
				}
				if cr, isCol := col.(*plan.ColRef); isCol && noColumns(val) && cr.Idx < len(hs.ColIdx) {
					id := t.Cols[hs.ColIdx[cr.Idx]].ID
					for _, c := range t.LastValueIndexes() {
						if c.Cols[0] == id {
							ix, value, sIdx = c, val, cr.Idx
						}
					}
					if ix != nil {
						continue
					}
				}
			}
		}
		rest = andExpr(rest, conj)
	}
	if ix == nil || !lastValueSafeFilter(rest, sIdx, tcol.Idx) {
		return nil, false
	}
	st := t.Cols[hs.ColIdx[sIdx]].Type
	colIdx := hs.ColIdx
	label := "Custom Scan (LastValue) on " + t.Name + " using " + ix.Name
	var in plan.Node = &plan.FuncScan{Label: label, Cols: hs.Cols, Args: []plan.Expr{value}, Fn: func(ctx any, args []any) ([][]any, error) {
		key, err := table.AppendKey(nil, st, args[0])
		if err != nil || args[0] == nil {
			return nil, err
		}
		return ctx.(*execEnv).s.lastValueGet(t, ix, key, colIdx)
	}}
	if rest != nil {
		in = &plan.Filter{Input: in, Cond: rest}
	}
	cp := *prj
	cp.Input = in
	cs := *srt
	cs.Input = &cp
	return &cs, true
}

func splitAnd(e plan.Expr) []plan.Expr {
	if op, ok := e.(*plan.Op); ok && op.Kind == plan.OpAnd {
		return append(splitAnd(op.L), splitAnd(op.R)...)
	}
	return []plan.Expr{e}
}

func andExpr(a, b plan.Expr) plan.Expr {
	if a == nil {
		return b
	}
	return &plan.Op{T: b.Type(), Kind: plan.OpAnd, L: a, R: b}
}

// noColumns reports whether e reads no column of its own row (constants,
// parameters and outer references are fine).
func noColumns(e plan.Expr) bool {
	ok := true
	plan.Walk(e, func(x plan.Expr) bool {
		switch c := x.(type) {
		case *plan.ColRef, *plan.Subquery:
			ok = false
		case *plan.Call:
			ok = ok && !c.Fn.Volatile
		}
		return ok
	})
	return ok
}

// lastValueGet reads one series' newest row.
func (s *session) lastValueGet(t *catalog.Table, ix *catalog.Index, key []byte, colIdx []int) ([][]any, error) {
	v, found, err := s.txn.Get(lvSpace(t, ix), key)
	if err != nil || !found {
		return nil, err
	}
	row, err := decodeLVRow(t, ix, v, colIdx, make([]any, len(t.Cols)))
	if err != nil {
		return nil, err
	}
	return [][]any{row}, nil
}

// decodeLVRow decodes a last-value entry into full (len(t.Cols)) and
// returns the columns colIdx selects.
func decodeLVRow(t *catalog.Table, ix *catalog.Index, v []byte, colIdx []int, full []any) ([]any, error) {
	if len(v) < 8 {
		return nil, pgerr.New(pgerr.DataCorrupted, "corrupt last-value entry in %s", ix.Name)
	}
	if err := table.DecodeRow(t, v[8:], full); err != nil {
		return nil, err
	}
	row := make([]any, len(colIdx))
	for i, c := range colIdx {
		row[i] = full[c]
	}
	return row, nil
}

func (s *session) rewriteChildren(n plan.Node) plan.Node {
	switch x := n.(type) {
	case *plan.Project:
		cp := *x
		cp.Input = s.useLastValue(x.Input)
		return &cp
	case *plan.Sort:
		cp := *x
		cp.Input = s.useLastValue(x.Input)
		return &cp
	case *plan.Limit:
		cp := *x
		cp.Input = s.useLastValue(x.Input)
		return &cp
	case *plan.Filter:
		cp := *x
		cp.Input = s.useLastValue(x.Input)
		return &cp
	case *plan.Join:
		cp := *x
		cp.Left, cp.Right = s.useLastValue(x.Left), s.useLastValue(x.Right)
		return &cp
	}
	return n
}

// lastValueInput returns a replacement for a (filtered) hypertable scan
// reading the last-value index for series column position sIdx and time
// column position tIdx of the scan's output.
func (s *session) lastValueInput(n plan.Node, sIdx, tIdx int) (plan.Node, bool) {
	var filter plan.Expr
	if f, ok := n.(*plan.Filter); ok {
		filter, n = f.Cond, f.Input
	}
	hs, ok := n.(*plan.HyperScan)
	if !ok || sIdx >= len(hs.ColIdx) || tIdx >= len(hs.ColIdx) {
		return nil, false
	}
	t := hs.Table
	if t.Cols[hs.ColIdx[tIdx]].ID != t.Hyper.TimeCol {
		return nil, false
	}
	var ix *catalog.Index
	for _, c := range t.LastValueIndexes() {
		if c.Cols[0] == t.Cols[hs.ColIdx[sIdx]].ID {
			ix = c
		}
	}
	if ix == nil || !lastValueSafeFilter(filter, sIdx, tIdx) {
		return nil, false
	}
	colIdx := hs.ColIdx
	label := "Custom Scan (LastValue) on " + t.Name + " using " + ix.Name
	v := &plan.Virtual{Name: "LastValue " + ix.Name, Label: label, Cols: hs.Cols, Rows: func(ctx any) ([][]any, error) {
		return ctx.(*execEnv).s.lastValueRows(t, ix, colIdx)
	}}
	if filter != nil {
		return &plan.Filter{Input: v, Cond: filter}, true
	}
	return v, true
}

// lastValueSafeFilter accepts conjunctions of predicates on the series
// column only and lower bounds on the time column.
func lastValueSafeFilter(f plan.Expr, sIdx, tIdx int) bool {
	if f == nil {
		return true
	}
	if op, ok := f.(*plan.Op); ok && op.Kind == plan.OpAnd {
		return lastValueSafeFilter(op.L, sIdx, tIdx) && lastValueSafeFilter(op.R, sIdx, tIdx)
	}
	cols := map[int]bool{}
	volatile := false
	plan.Walk(f, func(e plan.Expr) bool {
		switch x := e.(type) {
		case *plan.ColRef:
			cols[x.Idx] = true
		case *plan.Subquery, *plan.OuterRef:
			volatile = true
		case *plan.Call:
			volatile = volatile || x.Fn.Volatile
		}
		return true
	})
	if volatile {
		return false
	}
	if len(cols) == 1 && cols[sIdx] {
		return true
	}
	if len(cols) == 1 && cols[tIdx] {
		op, ok := f.(*plan.Op)
		if !ok {
			return false
		}
		l, lok := op.L.(*plan.ColRef)
		r, rok := op.R.(*plan.ColRef)
		switch {
		case lok && l.Idx == tIdx && (op.Kind == plan.OpGt || op.Kind == plan.OpGe):
			return true
		case rok && r.Idx == tIdx && (op.Kind == plan.OpLt || op.Kind == plan.OpLe):
			return true
		}
	}
	return false
}
