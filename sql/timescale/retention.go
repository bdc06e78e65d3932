package timescale

import (
	"math"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/sql/types"
)

// Retention: drop_chunks and the chunk selection of retention and
// compression policy runs.
//
// A chunk is dropped only when its whole range is older than older_than
// (range end <= cutoff) and, with newer_than, its whole range is newer
// (range start >= cutoff), as in TimescaleDB: data inside the window is
// never dropped, some data beyond it may stay until its chunk ends.
// Dropping is a catalog change plus a range deletion of the chunk's data
// in the caller's transaction; the last-value index entries that pointed
// into dropped chunks are recomputed in the same transaction.

// ChunkFilter selects chunks by range (time-dimension units) and by
// creation time (µs since the Unix epoch); PolicyFilter builds one. The
// zero value selects nothing.
type ChunkFilter struct {
	// Older and Newer bound the chunk's range: End <= Older and
	// Start >= Newer.
	Older, Newer int64
	// CreatedBefore and CreatedAfter bound the chunk's creation time,
	// exclusively.
	CreatedBefore, CreatedAfter int64
}

// openFilter returns the filter without bounds (each at the extreme
// int64).
func openFilter() ChunkFilter {
	return ChunkFilter{Older: math.MaxInt64, Newer: math.MinInt64, CreatedBefore: math.MaxInt64, CreatedAfter: math.MinInt64}
}

// Match reports whether c passes every bound of f.
func (f ChunkFilter) Match(c *catalog.Chunk) bool {
	return c.End <= f.Older && c.Start >= f.Newer && c.Created < f.CreatedBefore && c.Created > f.CreatedAfter
}

// dropChunksFunc returns drop_chunks(relation, older_than, newer_than,
// verbose, created_before, created_after) for argument types at; it
// returns the dropped chunks' qualified names.
func dropChunksFunc(at []types.T) funcs.SetFunc {
	return func(ctx any, args []any) ([][]any, error) {
		h := setHost(ctx)
		t, err := ResolvePolicyTarget(h, args[0])
		if err != nil {
			return nil, err
		}
		f, err := dropFilter(h, t, at, args)
		if err != nil {
			return nil, err
		}
		dropped, err := dropChunks(h, t, f)
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
func dropFilter(h Host, t *catalog.Table, at []types.T, args []any) (ChunkFilter, error) {
	f := openFilter()
	older, newer := funcs.Arg(args, 1), funcs.Arg(args, 2)
	before, after := funcs.Arg(args, 4), funcs.Arg(args, 5)
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
	}{{older, &f.Older, true}, {newer, &f.Newer, true}, {before, &f.CreatedBefore, false}, {after, &f.CreatedAfter, false}} {
		if b.v == nil {
			continue
		}
		vt := valueType(b.v, pt)
		if b.dim {
			*b.dst, err = dimensionCutoff(h, t, vt, b.v)
		} else {
			*b.dst, err = creationCutoff(h, vt, b.v)
		}
		if err != nil {
			return f, err
		}
	}
	if older != nil && newer != nil && f.Older <= f.Newer {
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

// PolicyFilter returns the filter of a policy run on hypertable t:
// chunks older than now() minus lag (interval text, or a JSON number for
// integer time, subtracted from the integer now function's value), or
// created before now() minus createdBefore (interval text; "" for
// none). A nil lag leaves the range open.
func PolicyFilter(h Host, t *catalog.Table, lag any, createdBefore string) (ChunkFilter, error) {
	f := openFilter()
	var err error
	switch x := lag.(type) {
	case string:
		f.Older, err = dimensionCutoff(h, t, types.Text, x)
	case float64:
		var now int64
		if now, err = h.IntegerNow(t); err == nil {
			f.Older, err = dimensionCutoff(h, t, types.Int8, now-int64(x))
		}
	}
	if err == nil && createdBefore != "" {
		f.CreatedBefore, err = creationCutoff(h, types.Text, createdBefore)
	}
	return f, err
}

// dimensionCutoff converts an older_than/newer_than argument of type at
// to the hypertable's time-dimension units: integers for integer time,
// otherwise an interval (now() minus it) or a point in time.
func dimensionCutoff(h Host, t *catalog.Table, at types.T, v any) (int64, error) {
	tt := timeType(t)
	if tt.IsInteger() {
		if n, ok := v.(int64); ok && at.IsInteger() {
			return n, nil
		}
		return 0, badTimeArg(at, tt)
	}
	ts, err := pointInTime(h, at, v, tt)
	if err != nil {
		return 0, err
	}
	return table.DimensionValue(tt, ts), nil
}

// creationCutoff converts created_before/created_after to µs since the
// epoch (chunk creation times).
func creationCutoff(h Host, at types.T, v any) (int64, error) {
	return pointInTime(h, at, v, types.Timestamptz)
}

// pointInTime converts an interval (now() minus it), a time value or
// text holding either to a datum of time type tt.
func pointInTime(h Host, at types.T, v any, tt types.T) (int64, error) {
	loc := h.Location()
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
		now, err := types.SubInterval(types.Timestamptz, h.Now(), iv, loc)
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

// badTimeArg is TimescaleDB's error for a bound of the wrong type.
func badTimeArg(at, want types.T) error {
	return pgerr.New(pgerr.InvalidParameterValue, "invalid time argument type %q", at.Info().SQLName).
		WithHint("Try casting the argument to %q.", want.Info().SQLName)
}

// dropChunks drops hypertable t's chunks matching f in the session's
// transaction and returns them, recomputing the last-value entries that
// pointed into them.
func dropChunks(h Host, t *catalog.Table, f ChunkFilter) ([]*catalog.Chunk, error) {
	var drop []*catalog.Chunk
	for _, c := range h.Chunks(t.OID) {
		if f.Match(c) {
			drop = append(drop, c)
		}
	}
	if len(drop) == 0 {
		return nil, nil
	}
	stale, err := h.StaleLastValues(t, drop)
	if err != nil {
		return nil, err
	}
	if err := h.Store().DropChunks(h.Writer(), drop); err != nil {
		return nil, err
	}
	for _, ix := range t.LastValueIndexes() {
		if len(stale[ix]) == 0 {
			continue
		}
		if err := h.RecomputeLastValue(t, ix, stale[ix]); err != nil {
			return nil, err
		}
	}
	return drop, nil
}
