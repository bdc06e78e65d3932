package continuous

import (
	"fmt"
	"math"

	"github.com/tsgres/tsgres/catalog"
)

// Creating a continuous aggregate: the catalog objects an analysed
// definition becomes. The analysis itself (the binder's) and the
// statement around it (IF NOT EXISTS, WITH DATA and its refresh) are the
// engine's.

// Creator is the session running CREATE MATERIALIZED VIEW ... WITH
// (timescaledb.continuous): its catalog writer and transaction. All it
// creates commits or rolls back with the session's transaction.
type Creator interface {
	// NewHypertableID allocates a hypertable ID. IDs are not returned
	// when the transaction rolls back.
	NewHypertableID() (int32, error)
	// CreateTable creates relation t in the session's DDL.
	CreateTable(t *catalog.Table) error
	// CheckColumns checks a new relation's column list by the engine's
	// rules (no name twice).
	CheckColumns(cols []catalog.Column) error
	// AddInvalidation logs [lo, hi) (µs, bounds may be the int64
	// extremes for open ends) as invalid for materialization matID.
	AddInvalidation(matID int32, lo, hi int64) error
}

// Definition is an analysed continuous aggregate, ready to create.
type Definition struct {
	// DB, Schema, Name and Owner name the view and its owner, who also
	// owns the materialization hypertable.
	DB                  uint32
	Schema, Name, Owner string
	// SQL is the defining query's text, kept with the view.
	SQL string
	// Cagg is the analysed descriptor; Create fills in MatOID and MatID
	// on a copy.
	Cagg *catalog.Cagg
	// MatCols are the materialization hypertable's columns (the bucket
	// first, then the other grouping columns, then states), Cols the
	// view's, each with IDs from 1.
	MatCols, Cols []catalog.Column
	// ChunkInterval is the materialization hypertable's chunk width (µs).
	ChunkInterval int64
}

// Create creates continuous aggregate d: its materialization hypertable
// (_timescaledb_internal._materialized_hypertable_N, not null bucket
// column as its time column) and its view, and logs the whole time line
// as invalid, so the first refresh materializes everything. It returns
// the view.
func Create(cr Creator, d Definition) (*catalog.Table, error) {
	id, err := cr.NewHypertableID()
	if err != nil {
		return nil, err
	}
	mat := &catalog.Table{DB: d.DB, Schema: catalog.SchemaInternal, Name: catalog.MaterializationName(id),
		Owner: d.Owner, Cols: d.MatCols}
	mat.NextColID = uint32(len(mat.Cols))
	mat.Cols[0].NotNull = true
	mat.Hyper = &catalog.Hypertable{ID: id, TimeCol: mat.Cols[0].ID, Interval: d.ChunkInterval,
		AssociatedSchema: catalog.SchemaInternal, AssociatedPrefix: fmt.Sprintf("_hyper_%d", id)}
	if err := cr.CreateTable(mat); err != nil {
		return nil, err
	}
	c := *d.Cagg
	c.MatOID, c.MatID = mat.OID, id
	view := &catalog.Table{DB: d.DB, Schema: d.Schema, Name: d.Name, Owner: d.Owner, Cols: d.Cols,
		View: &catalog.View{Kind: catalog.ViewPlain, SQL: d.SQL, Cagg: &c}}
	view.NextColID = uint32(len(view.Cols))
	if err := cr.CheckColumns(view.Cols); err != nil {
		return nil, err
	}
	if err := cr.CreateTable(view); err != nil {
		return nil, err
	}
	// Everything is invalid until refreshed.
	if err := cr.AddInvalidation(id, math.MinInt64, math.MaxInt64); err != nil {
		return nil, err
	}
	return view, nil
}
