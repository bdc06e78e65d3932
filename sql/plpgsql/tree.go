package plpgsql

// The statement tree the parser (parse.go) builds and the interpreter
// (exec.go) walks. Expressions and SQL statements stay text (plExpr).

// plFunc is a parsed PL/pgSQL body.
type plFunc struct {
	body *plBlock
}

// plExpr is the SQL text of an expression ("x + 1") or statement.
type plExpr = string

// plStmt is one statement of a body; lineNo is its line (see plLine).
type plStmt interface{ lineNo() int }

// plLine is a statement's line in the body (0 for one the parser added).
type plLine struct{ Lineno int }

func (l plLine) lineNo() int { return l.Lineno }

// plDecl is one variable of a block's DECLARE section.
type plDecl struct {
	name    string
	typ     string // the declared type as written: "int", "record", "t%ROWTYPE"
	notNull bool
	def     plExpr // "" without a default
	// cursor is set for a bound cursor (name CURSOR [(args)] FOR query).
	cursor *plCursorDef
}

type (
	plBlock struct {
		plLine
		label    string
		decls    []*plDecl
		body     []plStmt
		handlers []*plHandler // nil without an EXCEPTION clause
	}
	plHandler struct {
		conds []string // condition names, SQLSTATEs or "others"
		body  []plStmt
	}
	plAssign struct {
		plLine
		text plExpr // "target := expr"
	}
	plIf struct {
		plLine
		conds  []plExpr // IF and ELSIF conditions
		bodies [][]plStmt
		els    []plStmt
	}
	plCase struct {
		plLine
		expr    plExpr // "" for a searched CASE
		varName string // the hidden variable holding expr's value
		whens   []plExpr
		bodies  [][]plStmt
		hasElse bool
		els     []plStmt
	}
	plLoop struct {
		plLine
		label string
		cond  plExpr // WHILE condition; "" for LOOP
		body  []plStmt
	}
	plForI struct {
		plLine
		label              string
		varName            string
		lower, upper, step plExpr
		reverse            bool
		body               []plStmt
	}
	plForS struct {
		plLine
		label   string
		target  []string // variables, or one record variable
		query   plExpr
		dynamic bool // FOR ... IN EXECUTE query USING params
		params  []plExpr
		body    []plStmt
	}
	plForeach struct {
		plLine
		label   string
		varName string
		slice   int
		expr    plExpr
		body    []plStmt
	}
	plExit struct {
		plLine
		isExit bool // EXIT, else CONTINUE
		label  string
		cond   plExpr
	}
	plReturn struct {
		plLine
		expr plExpr
	}
	plRaise struct {
		plLine
		level    int // elog level: see raiseSeverity
		condname string
		message  string
		params   []plExpr
		options  []plRaiseOpt
	}
	plRaiseOpt struct {
		kind int // 0 ERRCODE, 1 MESSAGE, 2 DETAIL, 3 HINT, others ignored
		expr plExpr
	}
	plAssert struct {
		plLine
		cond, message plExpr
	}
	plExecSQL struct {
		plLine
		sql    plExpr
		into   bool
		strict bool
		target []string
	}
	plDynExec struct {
		plLine
		query  plExpr
		into   bool
		strict bool
		target []string
		params []plExpr
	}
	plReturnNext struct {
		plLine
		expr plExpr // "" for the OUT parameters' row
	}
	plReturnQuery struct {
		plLine
		query   plExpr
		dynamic bool // RETURN QUERY EXECUTE query USING params
		params  []plExpr
	}
	plPerform struct {
		plLine
		sql plExpr
	}
	plGetDiag struct {
		plLine
		stacked bool
		items   []plDiagItem
	}
	plDiagItem struct {
		kind   string // ROW_COUNT, MESSAGE_TEXT, ...
		target string // variable name
	}
	plCommit struct {
		plLine
		rollback bool
	}
)
