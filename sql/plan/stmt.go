package plan

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// Statement is a bound statement; the engine switches on its type.
type Statement interface{ stmt() }

// Query returns rows.
type Query struct {
	Node Node
	// Physical is set once Node is the optimized plan (a generic plan
	// reused from the session's plan cache).
	Physical bool
}

// Insert writes rows into Table. Source yields len(Cols) columns already
// converted to the target columns' types.
type Insert struct {
	Table  *catalog.Table
	Cols   []int // target column positions
	Source Node
	// Defaults holds, for every table column not in Cols, its default
	// expression (nil: NULL).
	Defaults   []Expr
	OnConflict *OnConflict
	Returning  []Expr // over the table row
	RetCols    []OutCol
}

// OnConflict is ON CONFLICT ... DO NOTHING / DO UPDATE.
type OnConflict struct {
	DoNothing bool
	// Index is the arbiter index (nil: any unique index).
	Index *catalog.Index
	// Set assigns column positions from expressions over the existing row
	// followed by the EXCLUDED row (2×len(Table.Cols) columns).
	Set   []SetItem
	Where Expr
}

// SetItem is one "col = expr" of UPDATE or DO UPDATE.
type SetItem struct {
	Col int
	E   Expr
}

// Update changes rows of Table matching Filter (over the table row, or
// with From over the table row followed by a source row).
type Update struct {
	Table     *catalog.Table
	Scan      Node // yields full table rows (Scan or HyperScan with exclusion)
	Filter    Expr
	Set       []SetItem
	Returning []Expr
	RetCols   []OutCol
	// From is UPDATE ... FROM's source, nil without one.
	From *DMLSource
}

// Delete removes rows of Table matching Filter (with Using, over the
// table row followed by a source row).
type Delete struct {
	Table     *catalog.Table
	Scan      Node
	Filter    Expr
	Returning []Expr
	RetCols   []OutCol
	// Using is DELETE ... USING's source, nil without one.
	Using *DMLSource
}

// DMLSource is the FROM list of UPDATE ... FROM or the USING list of
// DELETE ... USING. Filter, Set and Returning read rows made of the
// target table's columns followed by the source's; a target row is
// changed once, with the first source row satisfying Filter (PostgreSQL
// leaves which one unspecified).
type DMLSource struct {
	// Node yields the source rows (the FROM items cross-joined).
	Node Node
	// TargetKeys and SourceKeys are equality conjuncts of Filter split
	// into their target-row and source-row sides (over each row alone),
	// for hashing the source; empty when Filter has none.
	TargetKeys, SourceKeys []Expr
}

// ColumnDef defines a column in CREATE TABLE / ADD COLUMN.
type ColumnDef struct {
	Name    string
	Type    types.T
	NotNull bool
	Default string // SQL text, "" none
	Primary bool
	Unique  bool
	Serial  bool
	// Checks and ForeignKeys are the column's CHECK and REFERENCES
	// constraints (bind_constraints.go).
	Checks      []CheckDef
	ForeignKeys []ForeignKeyDef
}

// CreateTable is CREATE TABLE.
type CreateTable struct {
	Schema, Name string
	Cols         []ColumnDef
	PrimaryKey   []string
	Uniques      [][]string
	IfNotExists  bool
	// AsQuery is CREATE TABLE ... AS SELECT.
	AsQuery Node
	// Temp is CREATE TEMP[ORARY] TABLE; OnCommit its ON COMMIT action:
	// "", "PRESERVE ROWS", "DELETE ROWS" or "DROP".
	Temp     bool
	OnCommit string
	// Checks and ForeignKeys are the CHECK and FOREIGN KEY constraints,
	// of the table and of its columns (bind_constraints.go).
	Checks      []CheckDef
	ForeignKeys []ForeignKeyDef
}

// ObjectName is a possibly schema-qualified name.
type ObjectName struct{ Schema, Name string }

// Drop is DROP TABLE/SCHEMA/DATABASE/INDEX/EXTENSION/ROLE/VIEW/SEQUENCE.
type Drop struct {
	Kind     string // "TABLE", "SCHEMA", ...
	Names    []ObjectName
	IfExists bool
	Cascade  bool
	// Force is DROP DATABASE ... WITH (FORCE): end its sessions first.
	Force bool
	// FuncArgs are DROP FUNCTION's argument types, one entry per name
	// (nil: not given).
	FuncArgs [][]types.T
}

// AlterTable is ALTER TABLE with its subcommands.
type AlterTable struct {
	Table    ObjectName
	IfExists bool
	Cmds     []AlterCmd
}

// AlterCmd is one ALTER TABLE action.
type AlterCmd struct {
	Kind     string // ADD COLUMN, DROP COLUMN, RENAME COLUMN, RENAME TABLE, SET OPTIONS, ALTER TYPE, SET NOT NULL, DROP NOT NULL, SET DEFAULT, DROP DEFAULT, ADD CONSTRAINT, DROP CONSTRAINT, NOOP
	Col      ColumnDef
	Name     string
	NewName  string
	IfExists bool
	Options  map[string]string
	Unique   []string // ADD CONSTRAINT UNIQUE/PRIMARY KEY columns
	Primary  bool
	// Check and ForeignKey are ADD CONSTRAINT CHECK / FOREIGN KEY.
	Check      *CheckDef
	ForeignKey *ForeignKeyDef
	// Cascade is DROP CONSTRAINT / DROP COLUMN ... CASCADE.
	Cascade bool
}

// CreateIndex is CREATE [UNIQUE] INDEX.
type CreateIndex struct {
	Name  string
	Table ObjectName
	Cols  []string
	// Options holds each Cols entry's sort options (catalog.IndexDesc,
	// catalog.IndexNullsFirst).
	Options     []int16
	Unique      bool
	IfNotExists bool
}

// Simple DDL and utility statements.
type (
	// CreateSchema is CREATE SCHEMA.
	CreateSchema struct {
		Name        string
		IfNotExists bool
	}
	// CreateDatabase is CREATE DATABASE.
	CreateDatabase struct{ Name string }
	// CreateExtension is CREATE EXTENSION.
	CreateExtension struct {
		Name        string
		IfNotExists bool
	}
	// Truncate is TRUNCATE.
	Truncate struct {
		Tables  []ObjectName
		Cascade bool
	}
	// LockTable is LOCK [TABLE] name, ... [IN mode MODE] [NOWAIT]; Mode
	// is PostgreSQL's lock mode number, 1 (ACCESS SHARE) to 8 (ACCESS
	// EXCLUSIVE, the default).
	LockTable struct {
		Tables []ObjectName
		Mode   int
		NoWait bool
	}
	// RoleStmt is CREATE/ALTER ROLE/USER.
	RoleStmt struct {
		Create      bool
		Name        string
		Password    *string
		Login       *bool
		Superuser   *bool
		IfNotExists bool
	}
	// Transaction is BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE/ROLLBACK TO.
	Transaction struct {
		// Kind is BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK
		// TO, SET TRANSACTION or SET SESSION CHARACTERISTICS.
		Kind      string
		Savepoint string
		// Modes are the transaction modes of BEGIN, SET TRANSACTION and
		// SET SESSION CHARACTERISTICS, as settings: transaction_read_only
		// ("on"/"off"), transaction_isolation ("read committed", ...)
		// and transaction_deferrable.
		Modes map[string]string
	}
	// Set is SET/RESET name.
	Set struct {
		Name   string
		Values []string // nil: RESET / DEFAULT
		Local  bool
		All    bool // RESET ALL
	}
	// Show is SHOW name.
	Show struct{ Name string }
	// ExplainStmt is EXPLAIN [ANALYZE] query.
	ExplainStmt struct {
		Query   Statement
		Analyze bool
	}
	// Copy is COPY table FROM STDIN / TO STDOUT, or COPY (query) TO STDOUT.
	Copy struct {
		Table     *catalog.Table
		Cols      []int
		From      bool
		Query     Node
		Format    string // text, csv, binary
		Header    bool
		Delimiter string
		Null      string
		Quote     string
		Escape    string
	}
	// Noop is a statement accepted with no effect (VACUUM, ANALYZE,
	// GRANT, COMMENT, LISTEN, DISCARD, DEALLOCATE ...); Tag is its
	// command tag.
	Noop struct {
		Tag     string
		Warning string
	}
	// Deallocate drops a prepared statement (All for DEALLOCATE ALL).
	Deallocate struct {
		Name string
		All  bool
	}
	// DeclareCursor is DECLARE name CURSOR [WITH HOLD] FOR query.
	DeclareCursor struct {
		Name string
		Node Node
		Hold bool
	}
	// Fetch is FETCH/MOVE [count] FROM name (Count < 0: ALL).
	Fetch struct {
		Name  string
		Count int64
		Move  bool
	}
	// CloseCursor is CLOSE name / CLOSE ALL.
	CloseCursor struct {
		Name string
		All  bool
	}
	// CallStmt is CALL proc(...) (run_job, refresh_continuous_aggregate).
	CallStmt struct{ E Expr }
	// Do is DO [LANGUAGE plpgsql] 'body': an anonymous PL/pgSQL block,
	// syntax-checked at bind time.
	Do struct{ Body string }
	// CreateView is CREATE VIEW (kept as text and re-bound on use).
	CreateView struct {
		Name    ObjectName
		SQL     string
		Replace bool
		// Cols are the view's columns.
		Cols []OutCol
	}
	// CreateMatView is CREATE MATERIALIZED VIEW, plain (Query) or
	// continuous (Cagg).
	CreateMatView struct {
		Name        ObjectName
		SQL         string
		Cols        []OutCol
		Query       Node
		WithData    bool
		IfNotExists bool
		Cagg        *CaggDef
	}
	// RefreshMatView is REFRESH MATERIALIZED VIEW.
	RefreshMatView struct {
		Name     ObjectName
		WithData bool
	}
	// AlterView is ALTER MATERIALIZED VIEW ... SET (options).
	AlterView struct {
		Name     ObjectName
		IfExists bool
		Options  map[string]string
	}
)

func (*Query) stmt()           {}
func (*Insert) stmt()          {}
func (*Update) stmt()          {}
func (*Delete) stmt()          {}
func (*CreateTable) stmt()     {}
func (*Drop) stmt()            {}
func (*AlterTable) stmt()      {}
func (*CreateIndex) stmt()     {}
func (*CreateSchema) stmt()    {}
func (*CreateDatabase) stmt()  {}
func (*CreateExtension) stmt() {}
func (*Truncate) stmt()        {}
func (*LockTable) stmt()       {}
func (*RoleStmt) stmt()        {}
func (*Transaction) stmt()     {}
func (*Set) stmt()             {}
func (*Show) stmt()            {}
func (*ExplainStmt) stmt()     {}
func (*Copy) stmt()            {}
func (*Noop) stmt()            {}
func (*Deallocate) stmt()      {}
func (*CallStmt) stmt()        {}
func (*Do) stmt()              {}
func (*CreateView) stmt()      {}
func (*CreateMatView) stmt()   {}
func (*RefreshMatView) stmt()  {}
func (*AlterView) stmt()       {}
func (*DeclareCursor) stmt()   {}
func (*Fetch) stmt()           {}
func (*CloseCursor) stmt()     {}
