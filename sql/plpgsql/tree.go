package plpgsql

// The statement tree the parser (parse.go) builds and the interpreter
// (exec.go) walks. Expressions and SQL statements stay text (expr).

// function is a parsed PL/pgSQL body.
type function struct {
	body *block
}

// expr is the SQL text of an expression ("x + 1") or statement.
type expr = string

// stmt is one statement of a body; lineNo is its line (see line).
type stmt interface{ lineNo() int }

// line is a statement's line in the body (0 for one the parser added).
type line struct{ Lineno int }

func (l line) lineNo() int { return l.Lineno }

// decl is one variable of a block's DECLARE section.
type decl struct {
	name    string
	typ     string // the declared type as written: "int", "record", "t%ROWTYPE"
	notNull bool
	def     expr // "" without a default
	// cursor is set for a bound cursor (name CURSOR [(args)] FOR query).
	cursor *cursorDecl
}

type (
	block struct {
		line
		label    string
		decls    []*decl
		body     []stmt
		handlers []*handler // nil without an EXCEPTION clause
	}
	handler struct {
		conds []string // condition names, SQLSTATEs or "others"
		body  []stmt
	}
	assignStmt struct {
		line
		text expr // "target := expr"
	}
	ifStmt struct {
		line
		conds  []expr // IF and ELSIF conditions
		bodies [][]stmt
		els    []stmt
	}
	caseStmt struct {
		line
		expr    expr   // "" for a searched CASE
		varName string // the hidden variable holding expr's value
		whens   []expr
		bodies  [][]stmt
		hasElse bool
		els     []stmt
	}
	loopStmt struct {
		line
		label string
		cond  expr // WHILE condition; "" for LOOP
		body  []stmt
	}
	forIntLoop struct {
		line
		label              string
		varName            string
		lower, upper, step expr
		reverse            bool
		body               []stmt
	}
	forQueryLoop struct {
		line
		label   string
		target  []string // variables, or one record variable
		query   expr
		dynamic bool // FOR ... IN EXECUTE query USING params
		params  []expr
		body    []stmt
	}
	foreachLoop struct {
		line
		label   string
		varName string
		slice   int
		expr    expr
		body    []stmt
	}
	exitStmt struct {
		line
		isExit bool // EXIT, else CONTINUE
		label  string
		cond   expr
	}
	returnStmt struct {
		line
		expr expr
	}
	raiseStmt struct {
		line
		level    int // elog level: see raiseSeverity
		condname string
		message  string
		params   []expr
		options  []raiseOption
	}
	raiseOption struct {
		kind int // 0 ERRCODE, 1 MESSAGE, 2 DETAIL, 3 HINT, others ignored
		expr expr
	}
	assertStmt struct {
		line
		cond, message expr
	}
	sqlStmt struct {
		line
		sql    expr
		into   bool
		strict bool
		target []string
	}
	dynExecStmt struct {
		line
		query  expr
		into   bool
		strict bool
		target []string
		params []expr
	}
	returnNextStmt struct {
		line
		expr expr // "" for the OUT parameters' row
	}
	returnQueryStmt struct {
		line
		query   expr
		dynamic bool // RETURN QUERY EXECUTE query USING params
		params  []expr
	}
	performStmt struct {
		line
		sql expr
	}
	getDiagStmt struct {
		line
		stacked bool
		items   []diagItem
	}
	diagItem struct {
		kind   string // ROW_COUNT, MESSAGE_TEXT, ...
		target string // variable name
	}
	commitStmt struct {
		line
		rollback bool
	}
)
