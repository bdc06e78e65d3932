package continuous

import (
	"context"
	"errors"
	"math"
	"sort"
	"sync"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
)

// errWindowTooSmall is TimescaleDB's error for a refresh window that
// holds no whole bucket.
const errWindowTooSmall = "refresh window too small"

// refreshRetries is how often a refresh that lost a write conflict (a
// concurrent merge rewrote a materialization block) is retried.
const refreshRetries = 3

// refreshLocks serializes refreshes of one continuous aggregate (two
// would delete and insert the same buckets twice).
var refreshLocks sync.Map // refreshLockKey -> *sync.Mutex

type refreshLockKey struct {
	cat   *catalog.Store
	matID int32
}

// IsWindowTooSmall reports whether err is Refresh's error for a window
// that holds no whole bucket (a refresh policy then has nothing to do).
func IsWindowTooSmall(err error) bool {
	pe, ok := err.(*pgerr.Error)
	return ok && pe.Message == errWindowTooSmall
}

// Refresh refreshes the continuous aggregate with view OID oid over
// [start, end) (nil: open) in a transaction of its own, opened on
// database d for user; a refresh that loses a write conflict is retried
// a few times. Refreshes of one aggregate run one at a time.
func Refresh(ctx context.Context, h Host, d *catalog.Database, user string, oid uint32, start, end *int64) error {
	view := h.Catalog().Snapshot().TableByOID(oid)
	if view == nil || !view.IsCagg() {
		return pgerr.New(pgerr.UndefinedTable, "continuous aggregate with OID %d does not exist", oid)
	}
	mu, _ := refreshLocks.LoadOrStore(refreshLockKey{h.Catalog(), view.View.Cagg.MatID}, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	var err error
	for try := 0; try < refreshRetries; try++ {
		tx := h.BeginRefresh(ctx, d, user)
		err = refreshTxn(ctx, tx, oid, start, end)
		tx.Close()
		var pe *pgerr.Error
		if err == nil || !errors.As(err, &pe) || pe.Code != "40001" {
			return err
		}
	}
	return err
}

// refreshTxn is one attempt of a refresh, committed at the end.
func refreshTxn(ctx context.Context, tx Txn, oid uint32, start, end *int64) error {
	view := tx.Catalog().TableByOID(oid)
	if view == nil || !view.IsCagg() {
		return pgerr.New(pgerr.UndefinedTable, "continuous aggregate with OID %d does not exist", oid)
	}
	c := view.View.Cagg
	w := c.BucketWidth
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
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
	ranges, err := takeInvalidations(tx, c, lo, hi)
	if err != nil {
		return err
	}
	if len(ranges) == 0 {
		return tx.Commit()
	}
	oldMax, err := matMaxBucket(ctx, tx, c)
	if err != nil {
		return err
	}
	var wm watermarkTracker
	for _, r := range ranges {
		written, tracked, err := materialize(ctx, tx, view, r[0], r[1])
		if err != nil {
			return err
		}
		wm.note(r, written, tracked)
		for _, ch := range tx.Catalog().CaggsOn(view.OID) {
			if err := tx.AddInvalidation(ch.View.Cagg.MatID, r[0], r[1]); err != nil {
				return err
			}
		}
	}
	newMax, known := wm.result(oldMax)
	if !known {
		if newMax, err = matMaxBucket(ctx, tx, c); err != nil {
			return err
		}
	}
	if newMax != nil {
		tx.SetWatermark(c.MatID, *newMax+c.BucketWidth)
	}
	return tx.Commit()
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
func takeInvalidations(tx Txn, c *catalog.Cagg, lo, hi int64) ([][2]int64, error) {
	invs, err := tx.Invalidations(c.MatID)
	if err != nil {
		return nil, err
	}
	var out [][2]int64
	for _, inv := range invs {
		a, b := max(inv.Lo, lo), min(inv.Hi, hi)
		if a >= b {
			continue
		}
		tx.DeleteInvalidation(inv)
		if inv.Lo < lo {
			if err := tx.AddInvalidation(c.MatID, inv.Lo, lo); err != nil {
				return nil, err
			}
		}
		if inv.Hi > hi {
			if err := tx.AddInvalidation(c.MatID, hi, inv.Hi); err != nil {
				return nil, err
			}
		}
		if a != math.MinInt64 {
			a = max(plan.BucketFloor(a, c.BucketWidth), lo)
		}
		if b != math.MaxInt64 {
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
