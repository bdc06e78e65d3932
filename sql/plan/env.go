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
	// Rewriter is the optimizer's part in binding (sql/opt.Rewriter).
	Rewriter
}

// RelationNoter is implemented by an Env that hears of each relation
// (table, view) the binder resolves by name: the engine locks them
// before the statement runs (AccessShare, RowExclusive for a DML
// target), as PostgreSQL locks relations while parsing.
type RelationNoter interface {
	NoteRelation(t *catalog.Table)
}

// Rewriter rewrites the plans the binder produces (sql/opt implements it;
// the session's Env passes it on). The binder only binds: it calls the
// Rewriter at three points and leaves every decision to it.
type Rewriter interface {
	// NarrowScans narrows the hypertable scans of FROM tree from (reached
	// through joins) by cond, a WHERE or inner join ON condition over
	// from's row starting at column off: their time bounds and block
	// predicates. The binder calls it for each inner join's ON condition
	// and each FROM list's WHERE, before LookupChunks.
	NarrowScans(from Node, off int, cond Expr) error
	// LookupChunks sets the chunk list of every hypertable scan of FROM
	// tree from, by the scan's time bounds. Every hypertable scan the
	// binder makes must pass through it once.
	LookupChunks(from Node)
	// RewriteBlock rewrites a bound query block (a SELECT, VALUES or set
	// operation, at any nesting level) before it becomes part of the
	// enclosing plan; the result has the same columns.
	RewriteBlock(n Node) (Node, error)
}
