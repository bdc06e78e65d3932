package continuous

import (
	"math"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// WriteLog collects, for one transaction, the time range written to or
// deleted from each hypertable that has continuous aggregates on it. At
// commit Flush turns it into invalidations of those aggregates, in the
// committing transaction, so the log and the data commit together. The
// zero value (nil) is an empty log.
type WriteLog map[uint32][2]int64

// Note records that rows with times (µs) were written to or deleted from
// hypertable t; snap is the catalog the writing session sees. Writes to
// a hypertable without continuous aggregates are not logged.
func (l *WriteLog) Note(snap *catalog.Snapshot, t *catalog.Table, times []int64) {
	if len(times) == 0 || len(snap.CaggsOn(t.OID)) == 0 {
		return
	}
	lo, hi := times[0], times[0]
	for _, x := range times[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	if *l == nil {
		*l = WriteLog{}
	}
	if r, ok := (*l)[t.OID]; ok {
		lo, hi = min(lo, r[0]), max(hi, r[1])
	}
	(*l)[t.OID] = [2]int64{lo, hi}
}

// Flush logs each written range [lo, hi] as the invalidation [lo, hi+1)
// of every continuous aggregate on its hypertable, through add.
func (l WriteLog) Flush(snap *catalog.Snapshot, add func(matID int32, lo, hi int64) error) error {
	for oid, r := range l {
		hi := r[1]
		if hi < math.MaxInt64 {
			hi++
		}
		for _, v := range snap.CaggsOn(oid) {
			if err := add(v.View.Cagg.MatID, r[0], hi); err != nil {
				return err
			}
		}
	}
	return nil
}

// Drop drops continuous aggregate t with its materialization hypertable,
// watermark and invalidations (policies go with the materialization
// hypertable); continuous aggregates built on it go too with cascade,
// else their existence is an error.
func Drop(d Dropper, t *catalog.Table, cascade bool) error {
	children := d.Catalog().CaggsOn(t.OID)
	if len(children) > 0 && !cascade {
		return pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop view %s because other objects depend on it", t.Name).
			WithDetail("view %s depends on view %s", children[0].Name, t.Name).
			WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	for _, ch := range children {
		if err := Drop(d, ch, true); err != nil {
			return err
		}
	}
	c := t.View.Cagg
	if mat := d.Catalog().TableByOID(c.MatOID); mat != nil {
		if err := d.DropTable(mat); err != nil {
			return err
		}
	}
	if err := d.DropTable(t); err != nil {
		return err
	}
	return d.DropCaggState(c.MatID)
}
