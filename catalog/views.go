package catalog

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

// Views, materialized views and continuous aggregates are Tables whose
// View field is set, so they share OIDs, names, columns and persistence
// with tables:
//
//   - a view (Kind 'v') has no storage; queries bind its SQL text;
//   - a materialized view (Kind 'm') is a regular row-store table holding
//     the result of its SQL as of the last REFRESH;
//   - a continuous aggregate is a view (Kind 'v', as in TimescaleDB) with
//     Cagg set; its data lives in a separate materialization hypertable
//     (_timescaledb_internal._materialized_hypertable_N) holding one row of
//     partial aggregate states per bucket and group.
//
// Continuous-aggregate run state is kept outside the descriptors, in
// metadata keys written in the transactions that change it:
//
//	cagg/wm/<matID>                     watermark: end of the materialized range (8 bytes, µs)
//	cagg/inv/<matID>/<seq>              invalidated range [lo, hi) (16 bytes, µs)
//
// A raw-data write commits one invalidation per continuous aggregate on
// the hypertable; a refresh consumes the entries overlapping its window
// and adds one for every continuous aggregate built on it.

// View kinds (pg_class.relkind).
const (
	ViewPlain        = 'v'
	ViewMaterialized = 'm'
)

// View is the view part of a Table.
type View struct {
	// Kind is ViewPlain or ViewMaterialized.
	Kind byte
	// SQL is the defining query as deparsed text.
	SQL string
	// Populated reports whether a materialized view holds data (false
	// after WITH NO DATA until REFRESH MATERIALIZED VIEW).
	Populated bool
	// Cagg is set for continuous aggregates.
	Cagg *Cagg `json:",omitempty"`
}

// Cagg is a continuous aggregate: how its partial states are computed
// from its source and how they are finalized into the view's columns.
// All SQL fragments are deparsed text over fixed names (see sql/plan's
// cagg.go for how they are put together).
type Cagg struct {
	// MatOID and MatID name the materialization hypertable.
	MatOID uint32
	MatID  int32
	// SourceOID is the raw hypertable, or the parent continuous
	// aggregate's view for a hierarchical one.
	SourceOID uint32
	// SourceAlias is the name the defining query gives its source.
	SourceAlias string
	// SourceTime is the source's time column (the parent's bucket column
	// for a hierarchical aggregate).
	SourceTime string
	// TimeType is the type of the bucket column.
	TimeType types.T
	// BucketWidth is the time_bucket width in µs.
	BucketWidth int64
	// MaterializedOnly turns real-time aggregation off.
	MaterializedOnly bool
	// GroupCols are the materialization hypertable's grouping columns,
	// the bucket column first.
	GroupCols []string
	// StateSelect is the select list over the source computing the
	// grouping columns (in GroupCols order) and the partial states.
	StateSelect string
	// Where is the defining query's WHERE condition ("" for none).
	Where string
	// Outputs are the view's columns.
	Outputs []CaggOutput
}

// CaggOutput is one column of a continuous aggregate's view.
type CaggOutput struct {
	Name string
	// Expr computes the column from one row of the materialization
	// hypertable (its grouping and state columns).
	Expr string
	// Agg names the aggregate when the column is exactly one aggregate
	// with decomposed states ("avg", "stddev", ...); a continuous
	// aggregate on top combines those states exactly.
	Agg string `json:",omitempty"`
	// States are the state columns of Agg.
	States []string `json:",omitempty"`
}

// BucketCol is the name of the bucket column.
func (c *Cagg) BucketCol() string { return c.GroupCols[0] }

// IsView reports whether t is a view, materialized view or continuous
// aggregate rather than a table.
func (t *Table) IsView() bool { return t.View != nil }

// IsCagg reports whether t is a continuous aggregate's view.
func (t *Table) IsCagg() bool { return t.View != nil && t.View.Cagg != nil }

// Relkind is t's pg_class.relkind.
func (t *Table) Relkind() byte {
	if t.View != nil {
		return t.View.Kind
	}
	return 'r'
}

// viewIndex maps source relations to the continuous aggregates on them.
type viewIndex struct {
	bySrc  map[uint32][]*Table // source OID -> cagg views
	byMat  map[uint32]*Table   // materialization hypertable OID -> cagg view
	byMID  map[int32]*Table    // materialization hypertable id -> cagg view
	nCaggs int
}

// caggIndex returns the snapshot's continuous-aggregate index, building
// it on first use. Writers reset it whenever they change a table.
func (s *Snapshot) caggIndex() *viewIndex {
	if ix := s.views.Load(); ix != nil {
		return ix
	}
	ix := &viewIndex{bySrc: map[uint32][]*Table{}, byMat: map[uint32]*Table{}, byMID: map[int32]*Table{}}
	for _, t := range s.tables {
		if !t.IsCagg() {
			continue
		}
		c := t.View.Cagg
		ix.bySrc[c.SourceOID] = append(ix.bySrc[c.SourceOID], t)
		ix.byMat[c.MatOID] = t
		ix.byMID[c.MatID] = t
		ix.nCaggs++
	}
	for _, l := range ix.bySrc {
		sort.Slice(l, func(i, j int) bool { return l[i].OID < l[j].OID })
	}
	s.views.Store(ix)
	return ix
}

// CaggsOn returns the continuous aggregates defined directly on relation
// oid (a hypertable or a continuous aggregate's view), ordered by OID.
func (s *Snapshot) CaggsOn(oid uint32) []*Table { return s.caggIndex().bySrc[oid] }

// CaggByMat returns the continuous aggregate whose materialization
// hypertable is oid, or nil.
func (s *Snapshot) CaggByMat(oid uint32) *Table { return s.caggIndex().byMat[oid] }

// CaggByMatID returns the continuous aggregate whose materialization
// hypertable has id, or nil.
func (s *Snapshot) CaggByMatID(id int32) *Table { return s.caggIndex().byMID[id] }

// Caggs returns the continuous aggregates of db ordered by OID.
func (s *Snapshot) Caggs(db uint32) []*Table {
	if s.caggIndex().nCaggs == 0 {
		return nil
	}
	var out []*Table
	for _, t := range s.Tables(db) {
		if t.IsCagg() {
			out = append(out, t)
		}
	}
	return out
}

// Metadata key prefixes of continuous-aggregate run state.
const (
	keyCaggWM  = "cagg/wm/"
	keyCaggInv = "cagg/inv/"
	seqInval   = "cagg_inval"
)

func watermarkKey(matID int32) string { return fmt.Sprintf("%s%010d", keyCaggWM, matID) }

func invalPrefix(matID int32) string { return fmt.Sprintf("%s%010d/", keyCaggInv, matID) }

// Watermark returns the end of a continuous aggregate's materialized
// range as seen by txn; ok is false before the first refresh that
// materialized anything.
func Watermark(txn *storage.Txn, matID int32) (wm int64, ok bool, err error) {
	v, ok, err := txn.GetMeta(watermarkKey(matID))
	if err != nil || !ok || len(v) != 8 {
		return 0, false, err
	}
	return int64(binary.BigEndian.Uint64(v)), true, nil
}

// SetWatermark sets a continuous aggregate's watermark in txn.
func SetWatermark(txn *storage.Txn, matID int32, wm int64) {
	txn.PutMeta(watermarkKey(matID), binary.BigEndian.AppendUint64(nil, uint64(wm)))
}

// Invalidation is a time range [Lo, Hi) of a continuous aggregate that
// must be recomputed; Key identifies its metadata entry.
type Invalidation struct {
	Key    string
	Lo, Hi int64
}

// AddInvalidation records that [lo, hi) of continuous aggregate matID must
// be recomputed, in txn.
func (s *Store) AddInvalidation(txn *storage.Txn, matID int32, lo, hi int64) error {
	n, err := s.db.NextSequence(seqInval, 1)
	if err != nil {
		return fmt.Errorf("allocate invalidation id: %w", err)
	}
	v := binary.BigEndian.AppendUint64(nil, uint64(lo))
	txn.PutMeta(fmt.Sprintf("%s%020d", invalPrefix(matID), n), binary.BigEndian.AppendUint64(v, uint64(hi)))
	return nil
}

// Invalidations returns the pending invalidations of continuous
// aggregate matID as seen by txn.
func Invalidations(txn *storage.Txn, matID int32) ([]Invalidation, error) {
	var out []Invalidation
	err := txn.ScanMeta(invalPrefix(matID), func(k string, v []byte) error {
		if len(v) != 16 {
			return fmt.Errorf("invalidation %s: bad length %d", k, len(v))
		}
		out = append(out, Invalidation{Key: k, Lo: int64(binary.BigEndian.Uint64(v)), Hi: int64(binary.BigEndian.Uint64(v[8:]))})
		return nil
	})
	return out, err
}

// DeleteInvalidation removes a consumed invalidation in txn.
func DeleteInvalidation(txn *storage.Txn, inv Invalidation) { txn.DeleteMeta(inv.Key) }

// DropCaggState deletes a continuous aggregate's watermark and
// invalidations in txn (DROP MATERIALIZED VIEW).
func DropCaggState(txn *storage.Txn, matID int32) error {
	txn.DeleteMeta(watermarkKey(matID))
	invs, err := Invalidations(txn, matID)
	for _, inv := range invs {
		txn.DeleteMeta(inv.Key)
	}
	return err
}

// MaterializationName is the name of continuous aggregate id's
// materialization hypertable.
func MaterializationName(id int32) string {
	return fmt.Sprintf("_materialized_hypertable_%d", id)
}
