package plan

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// Env is what the binder needs from the engine and session.
type Env interface {
	// Catalog is the catalog the statement sees (including the session's
	// uncommitted DDL).
	Catalog() *catalog.Snapshot
	// Database is the session's database OID.
	Database() uint32
	// SearchPath lists the schemas searched for unqualified names.
	SearchPath() []string
	// Chunks returns the chunks of a hypertable meeting [lo, hi] and the
	// hypertable's total chunk count.
	Chunks(t *catalog.Table, lo, hi int64) (chunks []*catalog.Chunk, total int)
	// VirtualTable returns a catalog view (pg_catalog.pg_class,
	// information_schema.tables, timescaledb_information.chunks, ...).
	VirtualTable(schema, name string) (*Virtual, bool)
	// EvalConst evaluates an expression without column references
	// (constants, parameters with their bound values, stable functions
	// such as now()); ok is false when it cannot be evaluated yet (an
	// unbound parameter during Prepare).
	EvalConst(e Expr) (v any, ok bool, err error)
	// ResolveReg converts the text of a reg* value ('conditions',
	// 'integer', 'public') to its OID, with PostgreSQL's errors.
	ResolveReg(t types.T, s string) (int64, error)
	// CaggViewSQL returns the query a reference to continuous aggregate
	// view expands to (its real-time union, built by package continuous
	// from the watermark the statement's transaction sees).
	CaggViewSQL(view *catalog.Table) (string, error)
}
