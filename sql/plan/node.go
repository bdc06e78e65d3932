package plan

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/types"
)

// OutCol is one output column of a node.
type OutCol struct {
	Name string
	T    types.T
	// Table/Attnum identify a plain table column (RowDescription).
	TableOID uint32
	AttNum   int16
	// Rel is the range-table alias the column is visible under ("" when
	// the column has no qualifier, e.g. expressions).
	Rel string
	// Hidden columns are not visible to "*" (sort keys added for ORDER BY).
	Hidden bool
}

// Node is a relational plan node.
type Node interface {
	Columns() []OutCol
}

// SortKey orders by an expression.
type SortKey struct {
	E          Expr
	Desc       bool
	NullsFirst bool
}

// VirtualRows produces the rows of a catalog view (pg_catalog,
// information_schema, timescaledb_information) or a set-returning function
// when the node runs; Ctx is the exec context's opaque engine handle.
type VirtualRows func(ctx any) ([][]any, error)

// Scan reads a regular (row store) table.
type Scan struct {
	Table *catalog.Table
	Cols  []OutCol
	// ColIdx maps each output column to the table's column position;
	// RowKeyCol marks the hidden row key column LockRows reads.
	ColIdx []int
	// Key, when set (sql/opt's key_lookup rule), holds the values of the
	// primary key's columns, in the key's order (constants or
	// parameters): the scan reads only the row stored under that key.
	// KeyIndex is the primary key. The condition that pinned them stays
	// above the scan.
	Key      []Expr
	KeyIndex *catalog.Index
	// Range, when set (sql/opt's index rules), makes the scan read its
	// rows through an index (see IndexRange); nil with Key nil reads
	// every row in row key order (Seq Scan).
	Range *IndexRange
}

// HyperScan reads chunks of a hypertable.
type HyperScan struct {
	Table  *catalog.Table
	Cols   []OutCol
	ColIdx []int
	// Chunks are those left after exclusion; Excluded counts the others.
	Chunks   []*catalog.Chunk
	Excluded int
	Total    int
	// TimeMin/TimeMax bound the time column (inclusive) for block skipping.
	TimeMin, TimeMax int64
	Preds            []ScanPred
	// Filter, when set, is applied inside the scan (expressions over Cols).
	Filter Expr

	// The fields below are physical decisions, set by sql/opt.

	// Decode marks the columns the scan decodes (nil: all); the others
	// read as NULL because nothing above the scan uses them.
	Decode []bool
	// Order, when not ScanAnyOrder, makes the scan read chunks and blocks
	// by time and stop early once a top-N sort above it is full and no
	// further block can beat its worst row.
	Order ScanOrder
	// Keys are key sets sql/opt's key_sets rule took out of the filter:
	// the scan reads only rows whose column holds one of the keys and
	// skips blocks whose min/max of that column holds none.
	Keys []KeySet
	// BucketKey, set with Order, is the group key time_bucket(width,
	// time) of an aggregate right above the scan whose buckets a sort and
	// LIMIT n above it take the first n of: the scan skips blocks whose
	// rows all fall in buckets after the n-th best one it has produced
	// (sql/opt's ordered_buckets rule).
	BucketKey Expr
}

// KeySet is "column IN (keys)" pushed into a hypertable scan. Cond is the
// WHERE conjunct it replaces: an uncorrelated "Col IN (subquery)" or
// "Col = ANY (subquery)", "Col = ANY (array)" or "Col IN (list)" whose
// array or list holds no column; its keys are computed once per
// execution. Idx is the scan column Cond tests. A row passes when its
// column equals a key: NULLs and non-keys are dropped, as the conjunct of
// a WHERE drops them.
//
// A key set with a nil Cond is a hash join's runtime filter: its keys are
// the values of equi-key JoinKey of Join's inner (right, build) side,
// known once the join has built its hash table and before it reads the
// scan on its outer side. Only inner and semi joins get one: a row whose
// key is not among them joins nothing.
type KeySet struct {
	Idx     int
	Cond    Expr
	Join    *Join
	JoinKey int
}

// TimeIdx returns the position of the hypertable's time column among the
// scan's columns, or -1 when the scan does not read it.
func (n *HyperScan) TimeIdx() int {
	if n.Table == nil || n.Table.Hyper == nil {
		return -1
	}
	for i, ci := range n.ColIdx {
		if ci >= 0 && ci < len(n.Table.Cols) && n.Table.Cols[ci].ID == n.Table.Hyper.TimeCol {
			return i
		}
	}
	return -1
}

// ScanOrder is the order a hypertable scan reads its blocks in.
type ScanOrder uint8

const (
	// ScanAnyOrder reads blocks in storage order.
	ScanAnyOrder ScanOrder = iota
	// ScanTimeAsc reads oldest first, for ORDER BY time LIMIT n.
	ScanTimeAsc
	// ScanTimeDesc reads newest first, for ORDER BY time DESC LIMIT n.
	ScanTimeDesc
)

// ScanPred is "column Op constant" on a storable column of a hypertable,
// collected by filter pushdown for block skipping: a scan may skip a whole
// block whose min/max metadata proves no row can match, but rows of the
// blocks it returns are not filtered by it (the query's filter still is).
// Col is the column's catalog id; Op is one of OpEq, OpLt, OpLe, OpGt and
// OpGe, with the column on its left; Value is int64, float64, bool or
// string by the column's storage kind. The executor turns it into the
// storage layer's block predicate where it builds the scan.
type ScanPred struct {
	Col   uint32
	Op    OpKind
	Value any
}

// LastValueScan reads the newest row of every series, or of the one
// series Key names, from a hypertable's last-value index instead of its
// chunks (sql/table keeps the index; sql/opt's last_value rule puts this
// node where the scan was).
type LastValueScan struct {
	Table  *catalog.Table
	Index  *catalog.Index
	Cols   []OutCol
	ColIdx []int
	// Key, when set, is the one series' value (a constant, parameter or
	// outer column) of type KeyType; nil reads every series.
	Key     Expr
	KeyType types.T
	// Scan, when set, answers for the one series Key names where the
	// index cannot (a filter on other columns, or no last-value index:
	// Index is then nil): the filtered hypertable scan, read newest
	// block first, skipping the blocks whose min/max of column SeriesCol
	// cannot hold Key's value, and stopping once no unread block can
	// hold a newer row that passes.
	Scan      *HyperScan
	SeriesCol uint32
}

// Virtual produces rows computed at run time.
type Virtual struct {
	Name string
	Cols []OutCol
	Rows VirtualRows
}

// Values is a VALUES list or a FROM-less SELECT's single row.
type Values struct {
	Cols []OutCol
	Rows [][]Expr
}

// Filter keeps rows where Cond is true.
type Filter struct {
	Input Node
	Cond  Expr
}

// Project computes expressions over its input.
type Project struct {
	Input Node
	Exprs []Expr
	Cols  []OutCol
}

// ProjectSet is a projection with one set-returning function call: each
// input row yields as many rows as the function returns.
type ProjectSet struct {
	Input Node
	Exprs []Expr // SRF positions hold nil
	SRF   int    // index of the SRF column
	Fn    funcs.SetFunc
	Args  []Expr
	Cols  []OutCol
}

// FuncScan is a set-returning function in FROM.
type FuncScan struct {
	Fn   funcs.SetFunc
	Args []Expr
	Cols []OutCol
	// Name is the function's name and Alias the FROM item's (EXPLAIN).
	Name, Alias string
	// Stream, when set, produces the same rows as Fn incrementally; the
	// executor prefers it.
	Stream funcs.SetStream
	// Ordinality appends a bigint ordinality column.
	Ordinality bool
}

// Agg groups its input by Keys and computes Aggs; output is keys then aggs.
type Agg struct {
	Input Node
	Keys  []Expr
	Aggs  []*AggCall
	Cols  []OutCol
	// Grand is true for an aggregate without GROUP BY (one row even on
	// empty input).
	Grand bool

	// The fields below are physical decisions, set by sql/opt.

	// FromMetadata lets the aggregate take whole blocks of the hypertable
	// scan below from their metadata (count, sum, min, max per column)
	// when the blocks lie inside the filter's time range and hold one
	// group, without decoding them.
	FromMetadata bool
	// Parallel lets a typed aggregation read the scan below on several
	// goroutines, merging their partial states.
	Parallel bool
}

// Sort orders its input.
type Sort struct {
	Input Node
	Keys  []SortKey
}

// Limit skips Offset rows and returns at most Count (nil: all).
type Limit struct {
	Input         Node
	Count, Offset Expr
}

// Distinct removes duplicate rows; with On set, keeps the first row of
// each group of equal On values (input must be sorted by them).
type Distinct struct {
	Input Node
	On    []Expr
}

// JoinKind is a join type.
type JoinKind uint8

// Join kinds.
const (
	JoinInner JoinKind = iota + 1
	JoinLeft
	JoinRight
	JoinFull
	JoinCross
	JoinSemi
	JoinAnti
)

// Join joins two inputs; output is left columns then right columns. A
// Lateral join re-runs Right for every left row (Right refers to the left
// row with OuterRef depth 1).
type Join struct {
	Kind    JoinKind
	Left    Node
	Right   Node
	Cond    Expr // over left+right columns; nil: true
	Lateral bool
	// EqLeft/EqRight are equi-join keys found in Cond (hash join).
	EqLeft, EqRight []Expr
}

// SetOpKind is UNION/INTERSECT/EXCEPT.
type SetOpKind uint8

// Set operations.
const (
	SetUnion SetOpKind = iota + 1
	SetIntersect
	SetExcept
)

// SetOp combines two inputs with the same column count.
type SetOp struct {
	Kind        SetOpKind
	All         bool
	Left, Right Node
	Cols        []OutCol
}

// WindowFunc is one window function computed by a Window node.
type WindowFunc struct {
	Name  string // row_number, rank, dense_rank, lag, lead, first_value, last_value, ntile, or an aggregate
	Args  []Expr
	Agg   *AggCall // for aggregates over windows
	T     types.T
	Part  []Expr
	Order []SortKey
	// Frame: whole partition when false and no ORDER BY; running (up to
	// the current row's peers) when Order is set, as PostgreSQL's default.
	FullFrame bool
	RowsFrame bool // ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
}

// Window appends one column per function to its input rows.
type Window struct {
	Input Node
	Funcs []*WindowFunc
	Cols  []OutCol
}

// CTERef reads a materialized common table expression.
type CTERef struct {
	CTE  *CTE
	Cols []OutCol
}

// CTE is a WITH query, materialized once per statement.
type CTE struct {
	Name string
	Plan Node
	// Correlated CTEs read an enclosing query's row: they are computed
	// again each time they are read, not once per statement.
	Correlated bool
}

// Explain wraps a plan for EXPLAIN.
type Explain struct {
	Input   Node
	Analyze bool
	Verbose bool
}

// Columns implementations.
func (n *Scan) Columns() []OutCol      { return n.Cols }
func (n *HyperScan) Columns() []OutCol { return n.Cols }
func (n *Virtual) Columns() []OutCol   { return n.Cols }
func (n *Values) Columns() []OutCol    { return n.Cols }
func (n *Filter) Columns() []OutCol    { return n.Input.Columns() }
func (n *Project) Columns() []OutCol   { return n.Cols }
func (n *ProjectSet) Columns() []OutCol {
	return n.Cols
}
func (n *FuncScan) Columns() []OutCol      { return n.Cols }
func (n *Agg) Columns() []OutCol           { return n.Cols }
func (n *Sort) Columns() []OutCol          { return n.Input.Columns() }
func (n *Limit) Columns() []OutCol         { return n.Input.Columns() }
func (n *LastValueScan) Columns() []OutCol { return n.Cols }
func (n *Distinct) Columns() []OutCol      { return n.Input.Columns() }
func (n *Join) Columns() []OutCol {
	if n.Kind == JoinSemi || n.Kind == JoinAnti {
		return n.Left.Columns()
	}
	return append(append([]OutCol(nil), n.Left.Columns()...), n.Right.Columns()...)
}
func (n *SetOp) Columns() []OutCol   { return n.Cols }
func (n *Window) Columns() []OutCol  { return n.Cols }
func (n *CTERef) Columns() []OutCol  { return n.Cols }
func (n *Explain) Columns() []OutCol { return []OutCol{{Name: "QUERY PLAN", T: types.Text}} }
