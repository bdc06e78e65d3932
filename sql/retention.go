package sql

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

// Retention: drop_chunks and the retention policy.
//
// A chunk is dropped only when its whole range is older than older_than
// (range end <= cutoff) and, with newer_than, its whole range is newer
// (range start >= cutoff), as in TimescaleDB: data inside the window is
// never dropped, some data beyond it may stay until its chunk ends.
// Dropping is a catalog change plus a range deletion of the chunk's data
// in the caller's transaction; the last-value index entries that pointed
// into dropped chunks are recomputed in the same transaction.

func init() {
	iv, b, tz, t := types.IntervalT, types.Bool, types.Timestamptz, types.Text
	funcs.RegisterScalar(&funcs.Scalar{Name: "add_retention_policy", Args: []types.T{anyT, anyT, b, iv, tz, t, iv},
		ArgNames: []string{"relation", "drop_after", "if_not_exists", "schedule_interval", "initial_start", "timezone", "drop_created_before"},
		Defaults: 6, Ret: funcs.Fixed(types.Int4), Volatile: true, Fn: addRetentionPolicy})
	funcs.RegisterScalar(&funcs.Scalar{Name: "remove_retention_policy", Args: []types.T{anyT, b},
		ArgNames: []string{"relation", "if_exists"}, Defaults: 1, Ret: funcs.Fixed(types.Void), Volatile: true, Fn: removeRetentionPolicy})
}

// chunkFilter selects chunks by range (time-dimension units) and by
// creation time (µs); unset bounds are math.MinInt64/MaxInt64.
type chunkFilter struct {
	older, newer                int64
	createdBefore, createdAfter int64
}

func openFilter() chunkFilter {
	return chunkFilter{older: maxInt64, newer: minInt64, createdBefore: maxInt64, createdAfter: minInt64}
}

func (f chunkFilter) match(c *catalog.Chunk) bool {
	return c.End <= f.older && c.Start >= f.newer && c.Created < f.createdBefore && c.Created > f.createdAfter
}

// dropChunksFunc returns drop_chunks(relation, older_than, newer_than,
// verbose, created_before, created_after) for argument types at; it
// returns the dropped chunks' qualified names.
func dropChunksFunc(at []types.T) plan.SetFunc {
	return func(ctx any, args []any) ([][]any, error) {
		e := ctx.(*execEnv)
		t, err := e.policyTarget(args[0])
		if err != nil {
			return nil, err
		}
		f, err := e.dropFilter(t, at, args)
		if err != nil {
			return nil, err
		}
		dropped, err := e.s.dropChunks(t, f)
		if err != nil {
			return nil, err
		}
		out := make([][]any, len(dropped))
		for i, c := range dropped {
			out[i] = []any{c.Schema + "." + c.Name}
		}
		return out, nil
	}
}

// pointType returns the type of drop_chunks' integer-valued time
// arguments. The set function gets argument types in call order, before
// named arguments are put in place, so the bounds' types are told apart
// by kind only: intervals and text carry their own, and every other
// argument must share one type (a timestamp, a date or an integer).
func pointType(at []types.T) (types.T, error) {
	var pt types.T
	for _, t := range at[1:] {
		if t.OID == types.OidInterval || t.OID == types.OidText || t.OID == types.OidBool || !(t.IsTime() || t.IsInteger()) {
			continue
		}
		if pt.OID != 0 && pt.OID != t.OID {
			return pt, pgerr.New(pgerr.FeatureNotSupported, "drop_chunks bounds of different types (%s and %s) are not supported; cast them to one type",
				pt.Info().SQLName, t.Info().SQLName)
		}
		pt = t
	}
	return pt, nil
}

// dropFilter checks drop_chunks' bounds as TimescaleDB does.
func (e *execEnv) dropFilter(t *catalog.Table, at []types.T, args []any) (chunkFilter, error) {
	f := openFilter()
	older, newer := argAt(args, 1), argAt(args, 2)
	before, after := argAt(args, 4), argAt(args, 5)
	if older == nil && newer == nil && before == nil && after == nil {
		return f, pgerr.New(pgerr.InvalidParameterValue, "invalid time range for dropping chunks").
			WithHint("At least one of older_than/newer_than or created_before/created_after must be provided.")
	}
	if (older != nil || newer != nil) && (before != nil || after != nil) {
		return f, pgerr.New(pgerr.InvalidParameterValue, "cannot specify older_than or newer_than together with created_before or created_after")
	}
	pt, err := pointType(at)
	if err != nil {
		return f, err
	}
	for _, b := range []struct {
		v   any
		dst *int64
		dim bool
	}{{older, &f.older, true}, {newer, &f.newer, true}, {before, &f.createdBefore, false}, {after, &f.createdAfter, false}} {
		if b.v == nil {
			continue
		}
		vt := valueType(b.v, pt)
		if b.dim {
			*b.dst, err = e.dimensionCutoff(t, vt, b.v)
		} else {
			*b.dst, err = e.creationCutoff(vt, b.v)
		}
		if err != nil {
			return f, err
		}
	}
	if older != nil && newer != nil && f.older <= f.newer {
		return f, pgerr.New(pgerr.InvalidParameterValue, "invalid time range for dropping chunks").
			WithHint("When both older_than and newer_than are specified, older_than must refer to a time that is more recent than newer_than so that a valid overlapping range is specified.")
	}
	return f, nil
}

// valueType is the SQL type of a drop_chunks bound: interval and text by
// their Go form, integers and time values by pt.
func valueType(v any, pt types.T) types.T {
	switch v.(type) {
	case types.Interval:
		return types.IntervalT
	case string:
		return types.Text
	}
	if pt.OID == 0 {
		return types.Int8
	}
	return pt
}

// policyFilter is the filter of a policy run: chunks older than now()
// minus lag (interval text or a JSON number), or created before now()
// minus createdBefore (interval text).
func (e *execEnv) policyFilter(t *catalog.Table, lag any, createdBefore string) (chunkFilter, error) {
	f := openFilter()
	var err error
	switch x := lag.(type) {
	case string:
		f.older, err = e.dimensionCutoff(t, types.Text, x)
	case float64:
		var now int64
		if now, err = e.integerNow(t); err == nil {
			f.older, err = e.dimensionCutoff(t, types.Int8, now-int64(x))
		}
	}
	if err == nil && createdBefore != "" {
		f.createdBefore, err = e.creationCutoff(types.Text, createdBefore)
	}
	return f, err
}

// dimensionCutoff converts an older_than/newer_than argument of type at
// to the hypertable's time-dimension units: integers for integer time,
// otherwise an interval (now() minus it) or a point in time.
func (e *execEnv) dimensionCutoff(t *catalog.Table, at types.T, v any) (int64, error) {
	tt := t.Cols[t.ColByID(t.Hyper.TimeCol)].Type
	if tt.IsInteger() {
		if n, ok := v.(int64); ok && at.IsInteger() {
			return n, nil
		}
		return 0, badTimeArg(at, tt)
	}
	ts, err := e.pointInTime(at, v, tt)
	if err != nil {
		return 0, err
	}
	return timeValue(tt, ts), nil
}

// creationCutoff converts created_before/created_after to µs since the
// epoch (chunk creation times).
func (e *execEnv) creationCutoff(at types.T, v any) (int64, error) {
	return e.pointInTime(at, v, types.Timestamptz)
}

// pointInTime converts an interval (now() minus it), a time value or
// text holding either to a datum of time type tt.
func (e *execEnv) pointInTime(at types.T, v any, tt types.T) (int64, error) {
	loc := e.s.loc
	if s, ok := v.(string); ok {
		// A point in time first: tsgres's interval input accepts some
		// timestamps ('2020-01-03 12:00') that PostgreSQL rejects.
		if ts, err := types.ParseText(types.Timestamptz, s, loc); err == nil {
			v, at = ts, types.Timestamptz
		} else if iv, err := types.ParseText(types.IntervalT, s, nil); err == nil {
			v, at = iv, types.IntervalT
		} else {
			return 0, err
		}
	}
	if iv, ok := v.(types.Interval); ok {
		now, err := types.SubInterval(types.Timestamptz, e.funcCtx().Now, iv, loc)
		if err != nil {
			return 0, err
		}
		v, at = now, types.Timestamptz
	}
	if !at.IsTime() {
		return 0, badTimeArg(at, tt)
	}
	c, err := types.Cast(v, at, tt, loc)
	if err != nil {
		return 0, err
	}
	return c.(int64), nil
}

func badTimeArg(at, want types.T) error {
	return pgerr.New(pgerr.InvalidParameterValue, "invalid time argument type %q", at.Info().SQLName).
		WithHint("Try casting the argument to %q.", want.Info().SQLName)
}

// dropChunks drops t's chunks matching f in the session's transaction and
// returns them.
func (s *session) dropChunks(t *catalog.Table, f chunkFilter) ([]*catalog.Chunk, error) {
	var drop []*catalog.Chunk
	for _, c := range s.chunks(t.OID) {
		if f.match(c) {
			drop = append(drop, c)
		}
	}
	if len(drop) == 0 {
		return nil, nil
	}
	stale, err := s.lastValueIn(t, drop)
	if err != nil {
		return nil, err
	}
	if err := s.db.cat.DropChunks(s.writer(), drop); err != nil {
		return nil, err
	}
	for _, ix := range t.LastValueIndexes() {
		if len(stale[ix]) == 0 {
			continue
		}
		if err := s.recomputeLastValue(t, ix, stale[ix]); err != nil {
			return nil, err
		}
	}
	return drop, nil
}

// lastValueIn returns, per last-value index, the series whose newest row
// lies in one of chunks.
func (s *session) lastValueIn(t *catalog.Table, chunks []*catalog.Chunk) (map[*catalog.Index]map[string]bool, error) {
	stale := map[*catalog.Index]map[string]bool{}
	tt := t.Cols[t.ColByID(t.Hyper.TimeCol)].Type
	for _, ix := range t.LastValueIndexes() {
		it := s.txn.Iter(lvSpace(t, ix), nil, nil)
		for it.Next() {
			ts := timeValue(tt, decodeLVTime(it.Value()))
			for _, c := range chunks {
				if ts >= c.Start && ts < c.End {
					if stale[ix] == nil {
						stale[ix] = map[string]bool{}
					}
					stale[ix][string(it.Key())] = true
					break
				}
			}
		}
		if err := it.Close(); err != nil {
			return nil, err
		}
	}
	return stale, nil
}

func addRetentionPolicy(ctx *funcs.Ctx, at []types.T, a []any) (any, error) {
	e, t, err := policyArg(ctx, a)
	if err != nil || t == nil {
		return nil, err
	}
	if len(e.s.catalogSnap().JobsFor(procRetention, t.OID)) > 0 {
		if !boolAt(a, 2, false) {
			return nil, pgerr.New(pgerr.DuplicateObject, "retention policy already exists for hypertable %q", t.Name)
		}
		return int64(-1), nil
	}
	cfg, err := lagConfig(t, "drop_after", "drop_created_before", typeAt(at, 1), argAt(a, 1), argAt(a, 6))
	if err != nil {
		return nil, err
	}
	return e.addPolicy(t, policySpec{appName: "Retention Policy", proc: procRetention, schedule: retentionSchedule,
		maxRuntime: retentionMaxRuntime, retryPeriod: retentionRetryPeriod, config: cfg,
		schedule0: argAt(a, 3), initialStart: argAt(a, 4), timezone: argAt(a, 5)})
}

func removeRetentionPolicy(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, t, err := policyArg(ctx, a)
	if err != nil || t == nil {
		return nil, err
	}
	_, err = e.removePolicy(procRetention, t.OID, boolAt(a, 1, false),
		pgerr.New(pgerr.UndefinedObject, "cannot remove retention policy, no such policy exists"))
	return "", err
}

// ChunkRows implements pgcatalog.RowCounter: the rows of a chunk as its
// block metadata counts them, including this transaction's own writes.
func (e *execEnv) ChunkRows(t *catalog.Table, chunkID uint64) (int64, error) {
	spec := &storage.ScanSpec{Chunk: chunkID, TimeCol: t.Hyper.TimeCol, TimeMin: storage.MinTime, TimeMax: storage.MaxTime}
	blocks, _, err := e.s.txn.Blocks(spec)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, b := range blocks {
		n += int64(b.Rows)
	}
	return n, nil
}

// TableRows implements pgcatalog.RowCounter for regular tables: it counts
// the primary key space.
func (e *execEnv) TableRows(t *catalog.Table) (int64, error) {
	it := e.s.txn.Iter(storage.Space{Table: uint64(t.OID)}, nil, nil)
	var n int64
	for it.Next() {
		n++
	}
	return n, it.Close()
}
