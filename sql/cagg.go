package sql

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// Continuous aggregates: creation, refresh and invalidation.
//
// A refresh of window [start, end) runs in an internal session, in one
// transaction: it takes the pending invalidations of the aggregate that
// overlap the window (putting back the parts outside it), widens them to
// whole buckets, deletes those buckets from the materialization
// hypertable and inserts their partial states recomputed from the source,
// one bounded slice of buckets at a time so the aggregation's memory stays
// proportional to one slice's groups: with typed accumulators when the
// states are simple (cagg_refresh.go), else one INSERT ... SELECT per
// slice. The watermark, the consumed invalidations and new invalidations
// for aggregates built on this one commit with the data, so a crash
// leaves the previous result.

// refreshSlice is the time span one INSERT ... SELECT of a refresh covers
// (at least one bucket): it bounds the groups aggregated at once.
const refreshSlice = types.MicrosPerHour

// errWindowTooSmall is TimescaleDB's error for a refresh window that
// holds no whole bucket.
const errWindowTooSmall = "refresh window too small"

// refreshRetries is how often a refresh that lost a write conflict (a
// concurrent merge rewrote a materialization block) is retried.
const refreshRetries = 3

// caggLocks serializes refreshes of one continuous aggregate (two would
// delete and insert the same buckets twice).
var caggLocks sync.Map // caggLockKey -> *sync.Mutex

type caggLockKey struct {
	db    *DB
	matID int32
}

// CaggWatermark implements plan.Env.
func (e *execEnv) CaggWatermark(matID int32) (int64, bool, error) {
	if e.s.txn == nil {
		txn := e.s.db.store.Begin()
		defer txn.Rollback()
		return catalog.Watermark(txn, matID)
	}
	return catalog.Watermark(e.s.txn, matID)
}

func (s *session) createCagg(ctx context.Context, x *plan.CreateMatView, w ResultWriter) error {
	schema := s.schemaOrDefault(x.Name.Schema)
	if s.catalogSnap().Table(s.dbOID, schema, x.Name.Name) != nil {
		if x.IfNotExists {
			_ = w.Notice("NOTICE", "42P07", fmt.Sprintf("continuous aggregate %q already exists, skipping", x.Name.Name))
			return w.Complete("CREATE MATERIALIZED VIEW")
		}
		return pgerr.New(pgerr.DuplicateTable, "relation %q already exists", x.Name.Name)
	}
	if x.WithData && s.inBlock {
		return pgerr.New(pgerr.ActiveSQLTransaction, "CREATE MATERIALIZED VIEW ... WITH DATA cannot run inside a transaction block")
	}
	def := x.Cagg
	wr := s.writer()
	id, err := wr.NewHypertableID()
	if err != nil {
		return err
	}
	mat := &catalog.Table{DB: s.dbOID, Schema: catalog.SchemaInternal, Name: catalog.MaterializationName(id),
		Owner: s.user, Cols: viewColumns(def.MatCols)}
	mat.NextColID = uint32(len(mat.Cols))
	mat.Cols[0].NotNull = true
	mat.Hyper = &catalog.Hypertable{ID: id, TimeCol: mat.Cols[0].ID, Interval: def.ChunkInterval,
		AssociatedSchema: catalog.SchemaInternal, AssociatedPrefix: fmt.Sprintf("_hyper_%d", id)}
	if err := wr.CreateTable(mat); err != nil {
		return err
	}
	c := *def.Cagg
	c.MatOID, c.MatID = mat.OID, id
	view := &catalog.Table{DB: s.dbOID, Schema: schema, Name: x.Name.Name, Owner: s.user, Cols: viewColumns(x.Cols),
		View: &catalog.View{Kind: catalog.ViewPlain, SQL: x.SQL, Cagg: &c}}
	view.NextColID = uint32(len(view.Cols))
	if err := checkColumnNames(view.Cols); err != nil {
		return err
	}
	if err := wr.CreateTable(view); err != nil {
		return err
	}
	// Everything is invalid until refreshed.
	if err := s.db.cat.AddInvalidation(s.txn, id, minInt64, maxInt64); err != nil {
		return err
	}
	if !x.WithData {
		return w.Complete("CREATE MATERIALIZED VIEW")
	}
	if err := s.commit(); err != nil {
		return err
	}
	_ = w.Notice("NOTICE", "00000", fmt.Sprintf("refreshing continuous aggregate %q", view.Name))
	if err := s.db.refreshCagg(ctx, s, view.OID, nil, nil); err != nil {
		return err
	}
	return w.Complete("CREATE MATERIALIZED VIEW")
}

// dropCagg drops continuous aggregate t with its materialization
// hypertable, policies, watermark and invalidations; continuous
// aggregates built on it go too with cascade.
func (s *session) dropCagg(t *catalog.Table, cascade bool, w ResultWriter) error {
	children := s.catalogSnap().CaggsOn(t.OID)
	if len(children) > 0 && !cascade {
		return pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop view %s because other objects depend on it", t.Name).
			WithDetail("view %s depends on view %s", children[0].Name, t.Name).
			WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	for _, ch := range children {
		if err := s.dropCagg(ch, true, w); err != nil {
			return err
		}
	}
	c := t.View.Cagg
	wr := s.writer()
	if mat := s.catalogSnap().TableByOID(c.MatOID); mat != nil {
		if err := wr.DropTable(mat); err != nil {
			return err
		}
	}
	if err := wr.DropTable(t); err != nil {
		return err
	}
	return catalog.DropCaggState(s.txn, c.MatID)
}

// noteHyperWrite records the time range of rows written to or deleted
// from hypertable t (time vector tv, n rows) for the continuous
// aggregates on it; commit turns it into invalidations.
func (s *session) noteHyperWrite(t *catalog.Table, tv *col.Vec, n int) {
	if n == 0 || len(s.catalogSnap().CaggsOn(t.OID)) == 0 {
		return
	}
	times := tv.I64[:n]
	lo, hi := times[0], times[0]
	for _, x := range times[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	if s.caggInval == nil {
		s.caggInval = map[uint32][2]int64{}
	}
	if r, ok := s.caggInval[t.OID]; ok {
		lo, hi = min(lo, r[0]), max(hi, r[1])
	}
	s.caggInval[t.OID] = [2]int64{lo, hi}
}

// flushInvalidations adds the transaction's write ranges as
// invalidations of the continuous aggregates on the written hypertables,
// in the transaction being committed.
func (s *session) flushInvalidations() error {
	snap := s.catalogSnap()
	for oid, r := range s.caggInval {
		hi := r[1]
		if hi < maxInt64 {
			hi++
		}
		for _, v := range snap.CaggsOn(oid) {
			if err := s.db.cat.AddInvalidation(s.txn, v.View.Cagg.MatID, r[0], hi); err != nil {
				return err
			}
		}
	}
	s.caggInval = nil
	return nil
}

// refreshCagg refreshes continuous aggregate oid over [start, end) (nil:
// open) in a transaction of its own; caller is the session asking
// (database and user).
func (db *DB) refreshCagg(ctx context.Context, caller *session, oid uint32, start, end *int64) error {
	d := caller.db.cat.Snapshot().Database(caller.dbName)
	if d == nil {
		return pgerr.New(pgerr.InvalidCatalogName, "database %q does not exist", caller.dbName)
	}
	return db.refreshCaggIn(ctx, d, caller.user, oid, start, end)
}

func (db *DB) refreshCaggIn(ctx context.Context, d *catalog.Database, user string, oid uint32, start, end *int64) error {
	view := db.cat.Snapshot().TableByOID(oid)
	if view == nil || !view.IsCagg() {
		return pgerr.New(pgerr.UndefinedTable, "continuous aggregate with OID %d does not exist", oid)
	}
	mu, _ := caggLocks.LoadOrStore(caggLockKey{db, view.View.Cagg.MatID}, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	var err error
	for try := 0; try < refreshRetries; try++ {
		s := newSession(db, StartupParams{User: user, Database: d.Name}, d)
		err = s.refreshTxn(ctx, oid, start, end)
		s.Close()
		var pe *pgerr.Error
		if err == nil || !errors.As(err, &pe) || pe.Code != "40001" {
			return err
		}
	}
	return err
}

// refreshTxn is one attempt of a refresh, committed at the end.
func (s *session) refreshTxn(ctx context.Context, oid uint32, start, end *int64) error {
	s.begin()
	s.inBlock = true
	view := s.catalogSnap().TableByOID(oid)
	if view == nil || !view.IsCagg() {
		return pgerr.New(pgerr.UndefinedTable, "continuous aggregate with OID %d does not exist", oid)
	}
	c := view.View.Cagg
	w := c.BucketWidth
	lo, hi := int64(minInt64), int64(maxInt64)
	if start != nil {
		lo = plan.BucketCeil(*start, w)
	}
	if end != nil {
		hi = plan.BucketFloor(*end, w)
	}
	if lo >= hi {
		return pgerr.New(pgerr.InvalidParameterValue, errWindowTooSmall).
			WithDetail("The refresh window must cover at least one bucket of data.").
			WithHint("Align the refresh window with the bucket time zone or use at least two buckets.")
	}
	ranges, err := s.takeInvalidations(c, lo, hi)
	if err != nil {
		return err
	}
	if len(ranges) == 0 {
		return s.commit()
	}
	env := s.newEnv(ctx, nil)
	oldMax, err := s.matMaxBucket(ctx, c)
	if err != nil {
		return err
	}
	var wm watermarkTracker
	for _, r := range ranges {
		written, tracked, err := s.materialize(ctx, env, view, r[0], r[1])
		if err != nil {
			return err
		}
		wm.note(r, written, tracked)
		for _, ch := range s.catalogSnap().CaggsOn(view.OID) {
			if err := s.db.cat.AddInvalidation(s.txn, ch.View.Cagg.MatID, r[0], r[1]); err != nil {
				return err
			}
		}
	}
	newMax, known := wm.result(oldMax)
	if !known {
		if newMax, err = s.matMaxBucket(ctx, c); err != nil {
			return err
		}
	}
	if newMax != nil {
		catalog.SetWatermark(s.txn, c.MatID, *newMax+c.BucketWidth)
	}
	return s.commit()
}

// watermarkTracker works out a refresh's new last materialized bucket
// from the one before and what the refresh wrote, so the refresh need not
// query the materialization's uncommitted rows.
type watermarkTracker struct {
	ranges [][2]int64
	// max is the last bucket written; unknown when a range was
	// materialized by SQL (its rows are not seen here).
	max     *int64
	unknown bool
}

// note records that range r was rewritten with last bucket written
// (nil: nothing written), which is known when tracked.
func (t *watermarkTracker) note(r [2]int64, written *int64, tracked bool) {
	t.ranges = append(t.ranges, r)
	switch {
	case !tracked:
		t.unknown = true
	case written != nil && (t.max == nil || *written > *t.max):
		t.max = written
	}
}

// result returns the new last bucket given the one before the refresh
// (nil: none), and false when it must be queried instead.
func (t *watermarkTracker) result(old *int64) (*int64, bool) {
	if t.unknown {
		return nil, false
	}
	if old == nil {
		return t.max, true
	}
	for _, r := range t.ranges {
		if *old >= r[0] && *old < r[1] {
			// The old last bucket was rewritten: rows from r[0] on are
			// exactly those written (nothing lay above the old last).
			if t.max != nil && *t.max >= r[0] {
				return t.max, true
			}
			return nil, false
		}
	}
	if t.max != nil && *t.max > *old {
		return t.max, true
	}
	return old, true
}

// takeInvalidations consumes c's invalidations overlapping [lo, hi) and
// returns the bucket ranges to recompute, merged and sorted; the parts
// outside the window stay pending.
func (s *session) takeInvalidations(c *catalog.Cagg, lo, hi int64) ([][2]int64, error) {
	invs, err := catalog.Invalidations(s.txn, c.MatID)
	if err != nil {
		return nil, err
	}
	var out [][2]int64
	for _, inv := range invs {
		a, b := max(inv.Lo, lo), min(inv.Hi, hi)
		if a >= b {
			continue
		}
		catalog.DeleteInvalidation(s.txn, inv)
		if inv.Lo < lo {
			if err := s.db.cat.AddInvalidation(s.txn, c.MatID, inv.Lo, lo); err != nil {
				return nil, err
			}
		}
		if inv.Hi > hi {
			if err := s.db.cat.AddInvalidation(s.txn, c.MatID, hi, inv.Hi); err != nil {
				return nil, err
			}
		}
		if a != minInt64 {
			a = max(plan.BucketFloor(a, c.BucketWidth), lo)
		}
		if b != maxInt64 {
			b = min(plan.BucketCeil(b, c.BucketWidth), hi)
		}
		out = append(out, [2]int64{a, b})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	var merged [][2]int64
	for _, r := range out {
		if n := len(merged); n > 0 && r[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	return merged, nil
}

// bound returns p for a finite bound, nil for an open one.
func bound(v int64) *int64 {
	if v == minInt64 || v == maxInt64 {
		return nil
	}
	return &v
}

// materialize replaces view's materialized buckets in [lo, hi) with
// states recomputed from its source, one slice at a time, and returns
// the last bucket written (nil: none) and whether it is known (the typed
// refresh knows; INSERT ... SELECT does not tell).
func (s *session) materialize(ctx context.Context, env *execEnv, view *catalog.Table, lo, hi int64) (*int64, bool, error) {
	c := view.View.Cagg
	mat := s.catalogSnap().TableByOID(c.MatOID)
	matName := quoteIdent(mat.Schema) + "." + quoteIdent(mat.Name)
	bc := quoteIdent(c.BucketCol())
	del := "DELETE FROM " + matName
	var conds []string
	if l := bound(lo); l != nil {
		conds = append(conds, bc+" >= "+plan.TimeLiteral(c.TimeType, *l))
	}
	if h := bound(hi); h != nil {
		conds = append(conds, bc+" < "+plan.TimeLiteral(c.TimeType, *h))
	}
	for i, cond := range conds {
		if i == 0 {
			del += " WHERE " + cond
		} else {
			del += " AND " + cond
		}
	}
	if err := s.Query(ctx, del, discard{}); err != nil {
		return nil, false, err
	}
	first, last, ok, err := s.sourceExtent(ctx, c, lo, hi)
	if err != nil || !ok {
		return nil, true, err
	}
	w := c.BucketWidth
	lo, hi = max(lo, plan.BucketFloor(first, w)), min(hi, plan.BucketFloor(last, w)+w)
	step := max(w, refreshSlice/w*w)
	if r := s.newTypedRefresh(env, view); r != nil {
		if err := r.run(ctx, lo, hi, step); err != nil {
			return nil, false, fmt.Errorf("materialize %s: %w", view.Name, err)
		}
		return r.last, true, nil
	}
	for a := lo; a < hi; a += step {
		b := min(a+step, hi)
		q := "INSERT INTO " + matName + " " + plan.CaggStateQuery(c, plan.CaggSourceSQL(env, c, &a, &b), &a, &b)
		if err := s.Query(ctx, q, discard{}); err != nil {
			return nil, false, fmt.Errorf("materialize %s: %w", view.Name, err)
		}
	}
	return nil, false, nil
}

// sourceExtent returns the first and last source times in [lo, hi).
func (s *session) sourceExtent(ctx context.Context, c *catalog.Cagg, lo, hi int64) (first, last int64, ok bool, err error) {
	env := s.newEnv(ctx, nil)
	tc := quoteIdent(c.SourceAlias) + "." + quoteIdent(c.SourceTime)
	q := "SELECT min(" + tc + "), max(" + tc + ") FROM " + plan.CaggSourceSQL(env, c, bound(lo), bound(hi)) + " AS " + quoteIdent(c.SourceAlias)
	var conds []string
	if l := bound(lo); l != nil {
		conds = append(conds, tc+" >= "+plan.TimeLiteral(c.TimeType, *l))
	}
	if h := bound(hi); h != nil {
		conds = append(conds, tc+" < "+plan.TimeLiteral(c.TimeType, *h))
	}
	for i, cond := range conds {
		if i == 0 {
			q += " WHERE " + cond
		} else {
			q += " AND " + cond
		}
	}
	row, err := s.queryRow(ctx, q)
	if err != nil || row[0] == nil {
		return 0, 0, false, err
	}
	return row[0].(int64), row[1].(int64), true, nil
}

// matMaxBucket returns the last bucket in c's materialization (nil:
// none).
func (s *session) matMaxBucket(ctx context.Context, c *catalog.Cagg) (*int64, error) {
	mat := s.catalogSnap().TableByOID(c.MatOID)
	row, err := s.queryRow(ctx, "SELECT max("+quoteIdent(c.BucketCol())+") FROM "+quoteIdent(mat.Schema)+"."+quoteIdent(mat.Name))
	if err != nil || row[0] == nil {
		return nil, err
	}
	v := row[0].(int64)
	return &v, nil
}

// queryRow runs a one-row query in the session's transaction.
func (s *session) queryRow(ctx context.Context, q string) ([]any, error) {
	var rc rowCollector
	if err := s.Query(ctx, q, &rc); err != nil {
		return nil, err
	}
	if len(rc.rows) != 1 {
		return nil, pgerr.New(pgerr.Internal, "BUG: %q returned %d rows", q, len(rc.rows))
	}
	return rc.rows[0], nil
}

// rowCollector is a ResultWriter keeping rows as Go values.
type rowCollector struct {
	discard
	cols []Column
	rows [][]any
}

func (r *rowCollector) Columns(c []Column) error { r.cols = c; return nil }

func (r *rowCollector) Batch(b *col.Batch) error {
	for i := 0; i < b.Len(); i++ {
		row := make([]any, len(b.Cols))
		for j, v := range b.Cols {
			row[j] = v.Get(b.Row(i))
		}
		r.rows = append(r.rows, row)
	}
	return nil
}

// timeArg converts a refresh window argument to µs (nil for NULL).
func timeArg(v any, t types.T) (*int64, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		return &x, nil
	case string:
		p, err := types.ParseText(t, x, nil)
		if err != nil {
			return nil, err
		}
		us := p.(int64)
		return &us, nil
	}
	return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid refresh window argument of type %T", v)
}
