package sql

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// returner collects RETURNING rows of a DML statement.
type returner struct {
	exprs []plan.Expr
	cols  []plan.OutCol
	rows  [][]any
}

func (r *returner) add(ec *exec.Ctx, row []any) error {
	if r == nil {
		return nil
	}
	out := make([]any, len(r.exprs))
	for i, e := range r.exprs {
		v, err := exec.Eval(ec, e, row)
		if err != nil {
			return err
		}
		out[i] = v
	}
	r.rows = append(r.rows, out)
	return nil
}

func newReturner(exprs []plan.Expr, cols []plan.OutCol) *returner {
	if len(exprs) == 0 {
		return nil
	}
	return &returner{exprs: exprs, cols: cols}
}

// finish sends RETURNING rows (if any) and the command tag.
func (r *returner) finish(w ResultWriter, tag string) error {
	if r != nil {
		if err := w.Columns(columnsOf(r.cols)); err != nil {
			return err
		}
		if len(r.rows) > 0 {
			if err := w.Batch(rowsToBatch(r.cols, r.rows)); err != nil {
				return err
			}
		}
	}
	return w.Complete(tag)
}

func rowsToBatch(cols []plan.OutCol, rows [][]any) *col.Batch {
	vecs := make([]*col.Vec, len(cols))
	for j, c := range cols {
		v := col.NewVec(c.T.Kind(), len(rows))
		for _, r := range rows {
			v.Append(r[j])
		}
		vecs[j] = v
	}
	return col.FromVecs(vecs, len(rows))
}

// batchRow copies row i of b into a datum slice.
func batchRow(b *col.Batch, i int, dst []any) []any {
	dst = dst[:0]
	for _, v := range b.Cols {
		dst = append(dst, v.Get(i))
	}
	return dst
}

func notNullError(t *catalog.Table, c *catalog.Column) error {
	return pgerr.New(pgerr.NotNullViolation, "null value in column %q of relation %q violates not-null constraint", c.Name, t.Name)
}

func (s *session) insert(env *execEnv, x *plan.Insert, w ResultWriter) error {
	ec := env.execCtx()
	op, err := exec.Build(ec, s.physical(x.Source))
	if err != nil {
		return err
	}
	defer op.Close()
	t := x.Table
	ret := newReturner(x.Returning, x.RetCols)
	var n int64
	for {
		b, err := op.Next()
		if err != nil {
			return err
		}
		if b == nil {
			break
		}
		b = b.Compact()
		if b.Rows() == 0 {
			continue
		}
		full, err := s.fullRows(ec, t, x.Cols, x.Defaults, b)
		if err != nil {
			return err
		}
		var k int64
		if t.Hyper != nil {
			k, err = s.appendHyper(ec, t, full, ret)
		} else {
			k, err = s.insertRowStore(ec, t, full, x.OnConflict, ret)
		}
		if err != nil {
			return err
		}
		n += k
	}
	return ret.finish(w, fmt.Sprintf("INSERT 0 %d", n))
}

// fullRows widens a batch of the statement's target columns to all table
// columns, filling defaults.
func (s *session) fullRows(ec *exec.Ctx, t *catalog.Table, cols []int, defaults []plan.Expr, b *col.Batch) (*col.Batch, error) {
	full := make([]*col.Vec, len(t.Cols))
	for j, ci := range cols {
		full[ci] = b.Cols[j]
	}
	for i := range t.Cols {
		if full[i] != nil {
			continue
		}
		d := defaults[i]
		v := col.NewVec(t.Cols[i].Type.Kind(), b.Rows())
		if c, ok := d.(*plan.Const); ok || d == nil {
			var val any
			if ok {
				val = c.V
			}
			for r := 0; r < b.Rows(); r++ {
				v.Append(val)
			}
		} else {
			for r := 0; r < b.Rows(); r++ {
				val, err := exec.Eval(ec, d, nil)
				if err != nil {
					return nil, err
				}
				v.Append(val)
			}
		}
		full[i] = v
	}
	for i := range t.Cols {
		if t.Cols[i].NotNull && full[i].HasNulls() {
			return nil, notNullError(t, &t.Cols[i])
		}
	}
	return col.FromVecs(full, b.Rows()), nil
}

func chunkSchema(t *catalog.Table) storage.ChunkSchema {
	cs := storage.ChunkSchema{Cols: make([]storage.ColumnRef, len(t.Cols)), TimeCol: t.ColByID(t.Hyper.TimeCol)}
	for i, c := range t.Cols {
		cs.Cols[i] = storage.ColumnRef{ID: c.ID, Kind: table.StorageKind(c.Type)}
	}
	return cs
}

func spacePartition(t *catalog.Table, b *col.Batch, row int) int {
	sp := t.Hyper.Space
	if sp == nil || sp.Partitions <= 1 {
		return 0
	}
	i := t.ColByID(sp.Col)
	v := b.Cols[i].Get(row)
	if v == nil {
		return 0
	}
	h := fnv.New32a()
	h.Write(types.AppendText(nil, t.Cols[i].Type, v, nil))
	return int(h.Sum32() % uint32(sp.Partitions))
}

// appendHyper routes rows to chunks by time (and space partition) and
// appends them to the transaction.
func (s *session) appendHyper(ec *exec.Ctx, t *catalog.Table, b *col.Batch, ret *returner) (int64, error) {
	return s.appendHyperRows(ec, t, b, ret, false)
}

// appendHyperOwned is appendHyper for a batch whose vectors the caller
// hands over (COPY): the transaction may keep them without copying.
func (s *session) appendHyperOwned(ec *exec.Ctx, t *catalog.Table, b *col.Batch) (int64, error) {
	return s.appendHyperRows(ec, t, b, nil, true)
}

func (s *session) appendHyperRows(ec *exec.Ctx, t *catalog.Table, b *col.Batch, ret *returner, owned bool) (int64, error) {
	ti := t.ColByID(t.Hyper.TimeCol)
	tv := b.Cols[ti]
	if tv.HasNulls() {
		return 0, notNullError(t, &t.Cols[ti])
	}
	if err := table.MaintainLastValue(s.txn, t, b); err != nil {
		return 0, err
	}
	s.noteHyperWrite(t, tv, b.Rows())
	groups := map[*catalog.Chunk][]int{}
	var order []*catalog.Chunk
	var last *catalog.Chunk
	one, err := s.singleChunk(t, ti, b)
	if err != nil {
		return 0, err
	}
	if one != nil {
		order = []*catalog.Chunk{one}
	}
	for r := 0; r < b.Rows() && one == nil; r++ {
		ts := table.DimensionValue(t.Cols[ti].Type, tv.I64[r])
		part := spacePartition(t, b, r)
		c := last
		if c == nil || ts < c.Start || ts >= c.End || c.Partition != part {
			var err error
			if c, err = s.db.cat.ChunkFor(s.ddl, t, ts, part); err != nil {
				return 0, err
			}
			last = c
		}
		if _, ok := groups[c]; !ok {
			order = append(order, c)
		}
		groups[c] = append(groups[c], r)
	}
	schema := chunkSchema(t)
	for _, c := range order {
		rows, n := groups[c], len(groups[c])
		if len(order) == 1 {
			n = b.Rows()
		}
		vecs := make([]*col.Vec, len(t.Cols))
		for i, v := range b.Cols {
			if len(order) > 1 {
				v = v.Gather(rows)
			}
			sv, err := table.ToStorage(t.Cols[i].Type, v)
			if err != nil {
				return 0, err
			}
			vecs[i] = sv
		}
		app := s.txn.Append
		if owned {
			app = s.txn.AppendOwned
		}
		if err := app(c.ID, schema, col.FromVecs(vecs, n)); err != nil {
			return 0, pgerr.Wrap(err, pgerr.Internal, "append to chunk %s", c.Name)
		}
	}
	if ret != nil {
		row := make([]any, 0, len(t.Cols))
		for r := 0; r < b.Rows(); r++ {
			if err := ret.add(ec, batchRow(b, r, row)); err != nil {
				return 0, err
			}
		}
	}
	return int64(b.Rows()), nil
}

// singleChunk returns the chunk holding all of b's rows when there is
// one (no space partitioning and the time range fits a chunk), else nil.
func (s *session) singleChunk(t *catalog.Table, ti int, b *col.Batch) (*catalog.Chunk, error) {
	if sp := t.Hyper.Space; (sp != nil && sp.Partitions > 1) || b.Rows() == 0 {
		return nil, nil
	}
	times := b.Cols[ti].I64[:b.Rows()]
	lo, hi := times[0], times[0]
	for _, x := range times[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	tt := t.Cols[ti].Type
	lo, hi = table.DimensionValue(tt, lo), table.DimensionValue(tt, hi)
	c, err := s.db.cat.ChunkFor(s.ddl, t, lo, 0)
	if err != nil {
		return nil, err
	}
	if lo < c.Start || hi >= c.End || c.Partition != 0 {
		return nil, nil
	}
	return c, nil
}

func uniqueViolation(t *catalog.Table, ix *catalog.Index, row []any) error {
	var names, vals []string
	for _, id := range ix.Cols {
		i := t.ColByID(id)
		names = append(names, t.Cols[i].Name)
		vals = append(vals, types.FormatText(t.Cols[i].Type, row[i], nil))
	}
	return pgerr.New(pgerr.UniqueViolation, "duplicate key value violates unique constraint %q", ix.Name).
		WithDetail("Key (%s)=(%s) already exists.", strings.Join(names, ", "), strings.Join(vals, ", "))
}

func (s *session) rowKey(t *catalog.Table, row []any) ([]byte, error) {
	var rowID int64
	if t.PrimaryKey() == nil {
		id, err := s.db.store.NextSequence(fmt.Sprintf("rowid/%d", t.OID), 1)
		if err != nil {
			return nil, err
		}
		rowID = id
	}
	return table.RowKey(t, row, rowID)
}

// conflict finds an existing row conflicting with row on a unique index;
// it returns the existing row's key and the index.
func (s *session) conflict(t *catalog.Table, row []any, key []byte) ([]byte, *catalog.Index, error) {
	sp := storage.Space{Table: uint64(t.OID)}
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if !ix.Unique {
			continue
		}
		if ix.Primary {
			if _, found, err := s.txn.Get(sp, key); err != nil {
				return nil, nil, err
			} else if found {
				return key, ix, nil
			}
			continue
		}
		ik, ok := table.IndexKey(t, ix, row)
		if !ok {
			continue
		}
		pk, found, err := s.txn.Get(storage.Space{Table: uint64(t.OID), Index: ix.Space}, ik)
		if err != nil {
			return nil, nil, err
		}
		if found {
			return append([]byte(nil), pk...), ix, nil
		}
	}
	return nil, nil, nil
}

func (s *session) putRow(t *catalog.Table, key []byte, row []any) error {
	data, err := table.EncodeRow(t, row)
	if err != nil {
		return err
	}
	s.txn.Put(storage.Space{Table: uint64(t.OID)}, key, data)
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if !ix.Unique || ix.Primary || ix.Space == 0 {
			continue
		}
		if ik, ok := table.IndexKey(t, ix, row); ok {
			s.txn.Put(storage.Space{Table: uint64(t.OID), Index: ix.Space}, ik, key)
		}
	}
	return nil
}

func (s *session) deleteRow(t *catalog.Table, key []byte, row []any) {
	s.txn.Delete(storage.Space{Table: uint64(t.OID)}, key)
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if !ix.Unique || ix.Primary || ix.Space == 0 {
			continue
		}
		if ik, ok := table.IndexKey(t, ix, row); ok {
			s.txn.Delete(storage.Space{Table: uint64(t.OID), Index: ix.Space}, ik)
		}
	}
}

func (s *session) getRow(t *catalog.Table, key []byte) ([]any, error) {
	data, found, err := s.txn.Get(storage.Space{Table: uint64(t.OID)}, key)
	if err != nil || !found {
		return nil, err
	}
	row := make([]any, len(t.Cols))
	if err := table.DecodeRow(t, data, row); err != nil {
		return nil, err
	}
	return row, nil
}

func (s *session) insertRowStore(ec *exec.Ctx, t *catalog.Table, b *col.Batch, oc *plan.OnConflict, ret *returner) (int64, error) {
	var n int64
	touched := map[string]bool{}
	for r := 0; r < b.Rows(); r++ {
		row := batchRow(b, r, make([]any, 0, len(t.Cols)))
		key, err := s.rowKey(t, row)
		if err != nil {
			return n, err
		}
		ckey, ix, err := s.conflict(t, row, key)
		if err != nil {
			return n, err
		}
		if ix != nil {
			if oc == nil || oc.Index != nil && oc.Index.OID != ix.OID {
				return n, uniqueViolation(t, ix, row)
			}
			if oc.DoNothing {
				continue
			}
			if touched[string(ckey)] {
				return n, pgerr.New(pgerr.CardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time").
					WithHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")
			}
			old, err := s.getRow(t, ckey)
			if err != nil {
				return n, err
			}
			both := append(append(make([]any, 0, 2*len(row)), old...), row...)
			if oc.Where != nil {
				ok, err := exec.Eval(ec, oc.Where, both)
				if err != nil {
					return n, err
				}
				if ok != true {
					continue
				}
			}
			nrow := append([]any(nil), old...)
			for _, set := range oc.Set {
				v, err := exec.Eval(ec, set.E, both)
				if err != nil {
					return n, err
				}
				nrow[set.Col] = v
			}
			if err := s.replaceRow(t, ckey, old, nrow); err != nil {
				return n, err
			}
			nk, _ := table.RowKey(t, nrow, 0)
			touched[string(nk)] = true
			if err := ret.add(ec, nrow); err != nil {
				return n, err
			}
			n++
			continue
		}
		if err := s.putRow(t, key, row); err != nil {
			return n, err
		}
		touched[string(key)] = true
		if err := ret.add(ec, row); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// replaceRow updates a stored row, moving it when its key changes and
// checking unique constraints.
func (s *session) replaceRow(t *catalog.Table, key []byte, old, row []any) error {
	for i := range t.Cols {
		if t.Cols[i].NotNull && row[i] == nil {
			return notNullError(t, &t.Cols[i])
		}
	}
	s.deleteRow(t, key, old)
	nkey := key
	if t.PrimaryKey() != nil {
		var err error
		if nkey, err = table.RowKey(t, row, 0); err != nil {
			return err
		}
	}
	if ck, ix, err := s.conflict(t, row, nkey); err != nil {
		return err
	} else if ix != nil && string(ck) != string(key) {
		return uniqueViolation(t, ix, row)
	}
	return s.putRow(t, nkey, row)
}

// rowMatch decides whether a target row is changed; env is the row the
// statement's expressions read: the table row, followed by the matching
// source row for UPDATE ... FROM and DELETE ... USING.
type rowMatch func(row []any) (env []any, ok bool, err error)

// newRowMatch returns the rowMatch of a statement with filter and, when
// src is not nil, a FROM/USING source.
func newRowMatch(ec *exec.Ctx, t *catalog.Table, filter plan.Expr, src *plan.DMLSource) (rowMatch, error) {
	if src != nil {
		m, err := exec.NewSourceMatcher(ec, src, filter, len(t.Cols))
		if err != nil {
			return nil, err
		}
		return m.Match, nil
	}
	return func(row []any) ([]any, bool, error) {
		if filter == nil {
			return row, true, nil
		}
		ok, err := exec.Eval(ec, filter, row)
		return row, ok == true, err
	}, nil
}

// matchRows returns the keys, rows and expression rows (see rowMatch) of
// a regular table's rows that match.
func (s *session) matchRows(ec *exec.Ctx, t *catalog.Table, match rowMatch) (keys [][]byte, rows, envs [][]any, err error) {
	it := s.txn.Iter(storage.Space{Table: uint64(t.OID)}, nil, nil)
	defer it.Close()
	for it.Next() {
		row := make([]any, len(t.Cols))
		if err := table.DecodeRow(t, it.Value(), row); err != nil {
			return nil, nil, nil, err
		}
		env, ok, err := match(row)
		if err != nil {
			return nil, nil, nil, err
		}
		if !ok {
			continue
		}
		keys = append(keys, append([]byte(nil), it.Key()...))
		rows, envs = append(rows, row), append(envs, env)
		if len(rows)%1024 == 0 && ec.Context.Err() != nil {
			return nil, nil, nil, pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
		}
	}
	return keys, rows, envs, it.Err()
}

func (s *session) update(env *execEnv, x *plan.Update, w ResultWriter) error {
	ec := env.execCtx()
	t := x.Table
	ret := newReturner(x.Returning, x.RetCols)
	if t.Hyper != nil {
		n, err := s.rewriteHyper(ec, t, x.Scan.(*plan.HyperScan), x.Filter, x.From, x.Set, ret)
		if err != nil {
			return err
		}
		return ret.finish(w, fmt.Sprintf("UPDATE %d", n))
	}
	match, err := newRowMatch(ec, t, x.Filter, x.From)
	if err != nil {
		return err
	}
	keys, rows, envs, err := s.matchRows(ec, t, match)
	if err != nil {
		return err
	}
	for i, old := range rows {
		row, err := updatedRow(ec, envs[i], x.Set)
		if err != nil {
			return err
		}
		if err := s.replaceRow(t, keys[i], old, row[:len(t.Cols)]); err != nil {
			return err
		}
		if err := ret.add(ec, row); err != nil {
			return err
		}
	}
	return ret.finish(w, fmt.Sprintf("UPDATE %d", len(rows)))
}

// updatedRow applies set to a target row: env is the row the expressions
// read (see rowMatch), starting with the table row. The result is env
// with the table part updated, which RETURNING reads.
func updatedRow(ec *exec.Ctx, env []any, set []plan.SetItem) ([]any, error) {
	row := append([]any(nil), env...)
	for _, it := range set {
		v, err := exec.Eval(ec, it.E, env)
		if err != nil {
			return nil, err
		}
		row[it.Col] = v
	}
	return row, nil
}

func (s *session) delete(env *execEnv, x *plan.Delete, w ResultWriter) error {
	ec := env.execCtx()
	t := x.Table
	ret := newReturner(x.Returning, x.RetCols)
	if t.Hyper != nil {
		n, err := s.rewriteHyper(ec, t, x.Scan.(*plan.HyperScan), x.Filter, x.Using, nil, ret)
		if err != nil {
			return err
		}
		return ret.finish(w, fmt.Sprintf("DELETE %d", n))
	}
	match, err := newRowMatch(ec, t, x.Filter, x.Using)
	if err != nil {
		return err
	}
	keys, rows, envs, err := s.matchRows(ec, t, match)
	if err != nil {
		return err
	}
	for i, row := range rows {
		s.deleteRow(t, keys[i], row)
		if err := ret.add(ec, envs[i]); err != nil {
			return err
		}
	}
	return ret.finish(w, fmt.Sprintf("DELETE %d", len(rows)))
}

// rewriteHyper deletes (set == nil) or updates the rows of a hypertable
// matching filter (joined with src for UPDATE ... FROM and DELETE ...
// USING) by rewriting the affected blocks; updated rows are re-appended
// so a changed time moves them to the right chunk.
func (s *session) rewriteHyper(ec *exec.Ctx, t *catalog.Table, scan *plan.HyperScan, filter plan.Expr, src *plan.DMLSource, set []plan.SetItem, ret *returner) (int64, error) {
	schema := chunkSchema(t)
	var n int64
	var moved []*col.Batch
	// matched are re-appended rows whose RETURNING rows were added
	// already (they read source columns the table batch lacks).
	var matched []*col.Batch
	var match rowMatch
	if src != nil {
		var err error
		if match, err = newRowMatch(ec, t, filter, src); err != nil {
			return 0, err
		}
	}
	stale := map[*catalog.Index]map[string]bool{}
	for _, c := range scan.Chunks {
		spec := &storage.ScanSpec{Chunk: c.ID, Cols: schema.Cols, TimeCol: t.Hyper.TimeCol, TimeMin: scan.TimeMin, TimeMax: scan.TimeMax, Preds: exec.BlockPreds(scan.Preds)}
		blocks, _, err := s.txn.Blocks(spec)
		if err != nil {
			return n, err
		}
		for _, blk := range blocks {
			sb, qb, err := s.readBlockSQL(t, spec, blk)
			if err != nil {
				return n, err
			}
			var keep, hit []int
			var envs [][]any // expression rows of hit (with src only)
			if match != nil {
				if hit, keep, envs, err = matchBlock(qb, match); err != nil {
					return n, err
				}
			} else if filter == nil {
				for r := 0; r < qb.Rows(); r++ {
					hit = append(hit, r)
				}
			} else {
				m, err := exec.EvalBatch(ec, filter, qb)
				if err != nil {
					return n, err
				}
				for r := 0; r < qb.Rows(); r++ {
					if !m.IsNull(r) && m.B[r] {
						hit = append(hit, r)
					} else {
						keep = append(keep, r)
					}
				}
			}
			if len(hit) == 0 {
				continue
			}
			nvecs := make([]*col.Vec, len(sb.Cols))
			for i, v := range sb.Cols {
				nvecs[i] = v.Gather(keep)
			}
			if err := s.txn.RewriteBlock(c.ID, schema, blk, col.FromVecs(nvecs, len(keep))); err != nil {
				if errors.Is(err, storage.ErrConflict) {
					return n, newRewriteRace()
				}
				return n, err
			}
			n += int64(len(hit))
			hb := qb
			if len(keep) > 0 {
				hv := make([]*col.Vec, len(qb.Cols))
				for i, v := range qb.Cols {
					hv[i] = v.Gather(hit)
				}
				hb = col.FromVecs(hv, len(hit))
			}
			if err := table.LastValueRemoved(s.txn, t, hb, stale); err != nil {
				return n, err
			}
			s.noteHyperWrite(t, hb.Cols[t.ColByID(t.Hyper.TimeCol)], hb.Rows())
			if set == nil {
				if ret != nil {
					row := make([]any, 0, len(t.Cols))
					for r := 0; r < hb.Rows(); r++ {
						env := batchRow(hb, r, row)
						if envs != nil {
							env = envs[r]
						}
						if err := ret.add(ec, env); err != nil {
							return n, err
						}
					}
				}
				continue
			}
			if envs != nil {
				b, err := updatedBatch(ec, t, envs, set, ret)
				if err != nil {
					return n, err
				}
				matched = append(matched, b)
				continue
			}
			nb := make([]*col.Vec, len(hb.Cols))
			copy(nb, hb.Cols)
			for _, it := range set {
				v, err := exec.EvalBatch(ec, it.E, hb)
				if err != nil {
					return n, err
				}
				nb[it.Col] = v
			}
			moved = append(moved, col.FromVecs(nb, hb.Rows()))
		}
	}
	for ix, keys := range stale {
		if err := s.recomputeLastValue(t, ix, keys); err != nil {
			return n, err
		}
	}
	for k, b := range append(moved, matched...) {
		for i := range t.Cols {
			if t.Cols[i].NotNull && b.Cols[i].HasNulls() {
				return n, notNullError(t, &t.Cols[i])
			}
		}
		r := ret
		if k >= len(moved) {
			r = nil
		}
		if _, err := s.appendHyper(ec, t, b, r); err != nil {
			return n, err
		}
	}
	return n, nil
}

// matchBlock splits a block's rows (in SQL kinds) into those match hits,
// with their expression rows, and those it keeps.
func matchBlock(qb *col.Batch, match rowMatch) (hit, keep []int, envs [][]any, err error) {
	for r := 0; r < qb.Rows(); r++ {
		env, ok, err := match(batchRow(qb, r, nil))
		if err != nil {
			return nil, nil, nil, err
		}
		if ok {
			hit, envs = append(hit, r), append(envs, env)
		} else {
			keep = append(keep, r)
		}
	}
	return hit, keep, envs, nil
}

// updatedBatch applies set to matched hypertable rows (expression rows
// envs, see rowMatch), adds their RETURNING rows and returns the updated
// table rows as a batch to re-append.
func updatedBatch(ec *exec.Ctx, t *catalog.Table, envs [][]any, set []plan.SetItem, ret *returner) (*col.Batch, error) {
	rows := make([][]any, len(envs))
	for i, env := range envs {
		row, err := updatedRow(ec, env, set)
		if err != nil {
			return nil, err
		}
		if err := ret.add(ec, row); err != nil {
			return nil, err
		}
		rows[i] = row[:len(t.Cols)]
	}
	cols := make([]plan.OutCol, len(t.Cols))
	for i, c := range t.Cols {
		cols[i] = plan.OutCol{Name: c.Name, T: c.Type}
	}
	return rowsToBatch(cols, rows), nil
}

// readBlockSQL reads every column of a hypertable block, returning it in
// storage kinds (for rewriting) and converted to SQL kinds (for
// evaluating expressions).
func (s *session) readBlockSQL(t *catalog.Table, spec *storage.ScanSpec, blk *storage.BlockMeta) (stored, rows *col.Batch, err error) {
	sb, err := s.txn.ReadBlock(spec, blk)
	if err != nil {
		return nil, nil, err
	}
	sb = sb.Compact()
	vecs := make([]*col.Vec, len(t.Cols))
	for i, v := range sb.Cols {
		if vecs[i], err = table.FromStorage(t.Cols[i].Type, v); err != nil {
			return nil, nil, err
		}
	}
	return sb, col.FromVecs(vecs, sb.Rows()), nil
}
