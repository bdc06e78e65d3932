package continuous

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/agg"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

// Typed refresh. Most continuous aggregates group a hypertable by the
// time bucket and a few columns and keep count/sum/min/max states (avg
// is sum + count). For those a refresh does not run INSERT ... SELECT
// (a generic hash aggregation with one boxed state object per aggregate
// and group): it scans the columns it needs, folds them into the
// aggregates' vector forms (agg.Vector) indexed by dense group ids, and
// appends the state rows (agg.Vector.Final) as
// column vectors, sorted by bucket and in runs of whole sealed blocks, so
// the materialization lands as sealed blocks rather than delta blocks.

// flushRows is how many state rows a refresh collects before appending;
// appends are cut to whole storage.SealedBlockRows runs so time-ordered
// state rows land as sealed blocks.
const flushRows = 16 * storage.SealedBlockRows

// typedRefresh computes the state rows of one continuous aggregate.
type typedRefresh struct {
	tx    Txn
	c     *catalog.Cagg
	mat   *catalog.Table
	spec  *plan.RefreshSpec
	scanQ string // SELECT of the needed source columns, time first
	// pos[i] is the scan column of grouping column i+1 and of state i
	// after them (-1 for count(*)).
	groupPos []int
	statePos []int
	kinds    []col.Kind // scan column kinds
	// matPos[j] is the materialization column of output j (bucket,
	// groups, states).
	matPos []int

	ids     map[groupKey]int32
	dense   denseIDs
	buckets []int64
	groups  []*col.Vec // grouping column values per group
	accs    []agg.Vector
	gids    []int32
	keyBuf  []byte
	pending []*col.Vec // appended state rows not yet flushed
	npend   int
	// last is the last bucket written (nil: none yet).
	last *int64
}

// groupKey identifies a group: the bucket, up to two integer grouping
// values and the others encoded in s.
type groupKey struct {
	bucket int64
	i      [2]int64
	s      string
	nulls  uint8
}

// denseIDs caches the group ids of the usual grouping, (bucket, one
// integer column such as a device id): per bucket a slice indexed by
// value - lo, so most rows find their group without hashing.
type denseIDs struct {
	lo       int64
	set      bool
	byBucket map[int64][]int32 // group id + 1; 0: not cached
	bucket   int64
	cur      []int32
}

// denseMax bounds the value range denseIDs caches per bucket.
const denseMax = 1 << 16

// id returns the cached id of (bucket, v), or -1.
func (d *denseIDs) id(bucket, v int64) int32 {
	if !d.set {
		// Room below the first value for smaller ones.
		d.lo, d.set, d.byBucket = v-denseMax/4, true, map[int64][]int32{}
		d.bucket, d.cur = bucket, nil
	}
	if bucket != d.bucket || d.cur == nil {
		d.bucket, d.cur = bucket, d.byBucket[bucket]
	}
	i := v - d.lo
	if i < 0 || i >= int64(len(d.cur)) {
		return -1
	}
	return d.cur[i] - 1
}

// inRange reports whether v can be cached (after a call of id).
func (d *denseIDs) inRange(v int64) bool { return v-d.lo >= 0 && v-d.lo < denseMax }

// put caches id for (bucket, v), which must be in range.
func (d *denseIDs) put(bucket, v int64, id int32) {
	i := v - d.lo
	s := d.byBucket[bucket]
	if int64(len(s)) <= i {
		s = growZero(s, int(i)+1)
		d.byBucket[bucket] = s
	}
	s[i] = id + 1
	if bucket == d.bucket {
		d.cur = s
	}
}

// maxTypedGroups is how many grouping columns besides the bucket the
// typed refresh handles (their nulls are a bit mask).
const maxTypedGroups = 8

// newTypedRefresh returns the typed refresh of view, or nil when its
// state query does not qualify.
func newTypedRefresh(tx Txn, view *catalog.Table) *typedRefresh {
	c := view.View.Cagg
	snap := tx.Catalog()
	src, mat := snap.TableByOID(c.SourceOID), snap.TableByOID(c.MatOID)
	if src == nil || mat == nil || src.IsCagg() || src.Hyper == nil {
		return nil
	}
	spec, ok := plan.CaggRefreshSpec(c)
	if !ok || len(spec.Groups) > maxTypedGroups || len(mat.Cols) != 1+len(spec.Groups)+len(spec.States) {
		return nil
	}
	r := &typedRefresh{tx: tx, c: c, mat: mat, spec: spec, ids: map[groupKey]int32{}}
	var names []string
	at := func(name string) (int, bool) {
		tc := src.Col(name)
		if tc == nil {
			return 0, false
		}
		if i := slices.Index(names, name); i >= 0 {
			return i, true
		}
		names = append(names, name)
		r.kinds = append(r.kinds, tc.Type.Kind())
		return len(names) - 1, true
	}
	if _, ok := at(c.SourceTime); !ok {
		return nil
	}
	outNames := append([]string{c.BucketCol()}, c.GroupCols[1:]...)
	for _, g := range spec.Groups {
		p, ok := at(g)
		if !ok || r.kinds[p] == col.Any {
			return nil
		}
		r.groupPos = append(r.groupPos, p)
		r.groups = append(r.groups, col.NewVec(r.kinds[p], 0))
	}
	for _, st := range spec.States {
		p := -1
		if st.Col != "" {
			if p, ok = at(st.Col); !ok {
				return nil
			}
		}
		acc, ok := stateVector(st, src, mat)
		if !ok {
			return nil
		}
		r.statePos = append(r.statePos, p)
		r.accs = append(r.accs, acc)
		outNames = append(outNames, st.Name)
	}
	for _, n := range outNames {
		i := slices.IndexFunc(mat.Cols, func(mc catalog.Column) bool { return mc.Name == n })
		if i < 0 {
			return nil
		}
		r.matPos = append(r.matPos, i)
	}
	cols := make([]string, len(names))
	for i, n := range names {
		cols[i] = quoteIdent(c.SourceAlias) + "." + quoteIdent(n)
	}
	r.scanQ = fmt.Sprintf("SELECT %s FROM %s AS %s", strings.Join(cols, ", "), quoteIdent(src.Schema)+"."+quoteIdent(src.Name), quoteIdent(c.SourceAlias))
	return r
}

// stateVector returns the vector form of state st over its source
// column, or false when it has none or its result is not what the
// materialization column holds. Only int64- and float64-kind results
// are taken: they are appended as the materialization stores them.
func stateVector(st plan.RefreshState, src, mat *catalog.Table) (agg.Vector, bool) {
	mc := mat.Col(st.Name)
	if mc == nil {
		return nil, false
	}
	var at []types.T
	if st.Col != "" {
		at = []types.T{src.Col(st.Col).Type}
	}
	a := agg.Lookup(st.Fn, at)
	if a == nil {
		return nil, false
	}
	ret := a.Ret(at)
	if k := ret.Kind(); k != col.Int64 && k != col.Float64 || mc.Type != ret {
		return nil, false
	}
	return a.NewVector(at)
}

// run materializes the buckets in [lo, hi), bucket-aligned, one slice
// of step at a time.
func (r *typedRefresh) run(ctx context.Context, lo, hi, step int64) error {
	tc := quoteIdent(r.c.SourceAlias) + "." + quoteIdent(r.c.SourceTime)
	for a := lo; a < hi; a += step {
		b := min(a+step, hi)
		q := r.scanQ + " WHERE " + tc + " >= " + plan.TimeLiteral(r.c.TimeType, a) + " AND " + tc + " < " + plan.TimeLiteral(r.c.TimeType, b)
		if r.c.Where != "" {
			q += " AND (" + r.c.Where + ")"
		}
		if err := r.tx.Query(ctx, q, r.consume); err != nil {
			return err
		}
		if err := r.emit(); err != nil {
			return err
		}
		if r.npend >= flushRows {
			if err := r.flush(r.npend / storage.SealedBlockRows * storage.SealedBlockRows); err != nil {
				return err
			}
		}
	}
	return r.flush(r.npend)
}

// consume folds one batch of scanned rows into the accumulators.
func (r *typedRefresh) consume(b *col.Batch) error {
	b = b.Compact()
	n := b.Rows()
	r.gids = slices.Grow(r.gids[:0], n)[:n]
	times := b.Cols[0].I64
	var dv *col.Vec
	if len(r.groupPos) == 1 && b.Cols[r.groupPos[0]].Kind == col.Int64 {
		dv = b.Cols[r.groupPos[0]]
	}
	for row := 0; row < n; row++ {
		k := groupKey{bucket: plan.BucketFloor(times[row], r.c.BucketWidth)}
		// A non-null value in the dense range is found or created there
		// only; other keys live in the map.
		if dv != nil && !dv.IsNull(row) {
			v := dv.I64[row]
			id := r.dense.id(k.bucket, v)
			if id < 0 && r.dense.inRange(v) {
				k.i[0] = v
				id = r.newGroup(k, b, row)
				r.dense.put(k.bucket, v, id)
			}
			if id >= 0 {
				r.gids[row] = id
				continue
			}
		}
		ints := 0
		r.keyBuf = r.keyBuf[:0]
		for j, p := range r.groupPos {
			v := b.Cols[p]
			if v.IsNull(row) {
				k.nulls |= 1 << j
				continue
			}
			switch {
			case v.Kind == col.Int64 && ints < len(k.i):
				k.i[ints] = v.I64[row]
				ints++
			case v.Kind == col.Int64:
				r.keyBuf = binary.LittleEndian.AppendUint64(r.keyBuf, uint64(v.I64[row]))
			case v.Kind == col.Float64:
				r.keyBuf = binary.LittleEndian.AppendUint64(r.keyBuf, floatKey(v.F64[row]))
			case v.Kind == col.Bool:
				r.keyBuf = append(r.keyBuf, boolByte(v.B[row]))
			default:
				r.keyBuf = binary.AppendUvarint(r.keyBuf, uint64(len(v.S[row])))
				r.keyBuf = append(r.keyBuf, v.S[row]...)
			}
		}
		id, ok := r.ids[groupKey{bucket: k.bucket, i: k.i, nulls: k.nulls, s: string(r.keyBuf)}]
		if !ok {
			k.s = string(r.keyBuf)
			id = r.newGroup(k, b, row)
			r.ids[k] = id
		}
		r.gids[row] = id
	}
	for i := range r.accs {
		var v *col.Vec
		if p := r.statePos[i]; p >= 0 {
			v = b.Cols[p]
		}
		r.accs[i].Grow(len(r.buckets))
		r.accs[i].Add(r.gids, v)
	}
	return nil
}

// floatKey encodes a float grouping value so that values SQL holds equal
// (0 and -0, every NaN) share a key.
func floatKey(f float64) uint64 {
	switch {
	case f == 0:
		return 0
	case math.IsNaN(f):
		return math.Float64bits(math.NaN())
	}
	return math.Float64bits(f)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// newGroup adds group k, whose grouping values are those of row (the
// caller indexes it).
func (r *typedRefresh) newGroup(k groupKey, b *col.Batch, row int) int32 {
	id := int32(len(r.buckets))
	r.buckets = append(r.buckets, k.bucket)
	for j, p := range r.groupPos {
		r.groups[j].AppendFrom(b.Cols[p], row)
	}
	return id
}

// growZero returns xs extended to length n with zero values.
func growZero(xs []int32, n int) []int32 {
	k := len(xs)
	xs = slices.Grow(xs, n-k)[:n]
	clear(xs[k:])
	return xs
}

// emit moves the slice's groups, ordered by bucket, to the pending rows
// and resets the accumulators.
func (r *typedRefresh) emit() error {
	n := len(r.buckets)
	if n == 0 {
		return nil
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(x, y int32) int {
		return cmp.Compare(r.buckets[x], r.buckets[y])
	})
	if r.pending == nil {
		r.pending = make([]*col.Vec, len(r.matPos))
		for j, mi := range r.matPos {
			r.pending[j] = col.NewVec(table.StorageKind(r.mat.Cols[mi].Type), 2*flushRows)
		}
	}
	for _, g := range order {
		r.pending[0].AppendInt64(r.buckets[g])
	}
	for j, gv := range r.groups {
		dst := r.pending[1+j]
		for _, g := range order {
			dst.AppendFrom(gv, int(g))
		}
		r.groups[j] = col.NewVec(gv.Kind, 0)
	}
	base := 1 + len(r.groups)
	for i := range r.accs {
		if err := r.accs[i].Final(r.pending[base+i], order); err != nil {
			return err
		}
		r.accs[i].Reset()
	}
	r.npend += n
	last := r.buckets[order[n-1]]
	if r.last == nil || last > *r.last {
		r.last = &last
	}
	clear(r.ids)
	r.dense = denseIDs{}
	r.buckets = r.buckets[:0]
	return nil
}

// flush appends the first n pending rows to the materialization
// hypertable and keeps the rest pending.
func (r *typedRefresh) flush(n int) error {
	if n == 0 {
		return nil
	}
	full := make([]*col.Vec, len(r.mat.Cols))
	rest := make([]*col.Vec, len(r.pending))
	for j, v := range r.pending {
		full[r.matPos[j]] = v.Slice(0, n)
		rest[j] = col.NewVec(v.Kind, 2*flushRows)
		for i := n; i < r.npend; i++ {
			rest[j].AppendFrom(v, i)
		}
	}
	if err := r.tx.AppendRows(r.mat, col.FromVecs(full, n)); err != nil {
		return err
	}
	r.pending, r.npend = rest, r.npend-n
	return nil
}
