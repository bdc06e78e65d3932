package plan

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// CHECK and FOREIGN KEY constraints as CREATE TABLE and ALTER TABLE ADD
// CONSTRAINT write them. The binder only reads them: naming, validation
// against the catalog and storing are package ddl's; the expression of a
// CHECK is bound against its table with BindCheck.

// CheckDef is a CHECK constraint as written.
type CheckDef struct {
	// Name is the constraint name ("" : chosen by PostgreSQL's rules).
	Name string
	// Expr is the expression as SQL text (deparsed).
	Expr string
	// NotValid is NOT VALID (ALTER TABLE ADD CONSTRAINT): existing rows
	// are not checked.
	NotValid bool
	// NoInherit is NO INHERIT (shown, otherwise without effect).
	NoInherit bool
}

// ForeignKeyDef is a FOREIGN KEY (or column REFERENCES) constraint as
// written.
type ForeignKeyDef struct {
	Name string
	// Cols are the referencing columns; RefCols the referenced ones (nil:
	// the referenced table's primary key).
	Cols     []string
	RefTable ObjectName
	RefCols  []string
	// OnDelete, OnUpdate and Match are pg_constraint's letters
	// (catalog.FKNoAction, ..., catalog.FKMatchSimple).
	OnDelete, OnUpdate, Match byte
	NotValid                  bool
}

// tableConstraint reads a CHECK or FOREIGN KEY constraint of a table or
// (with col set) of column col into checks or fks; ok is false for other
// kinds of constraint.
func tableConstraint(con *parse.Constraint, col string, checks *[]CheckDef, fks *[]ForeignKeyDef) (ok bool, err error) {
	switch con.Contype {
	case parse.ConstrType_CONSTR_CHECK:
		s, err := deparseExpr(con.RawExpr)
		if err != nil {
			return true, err
		}
		*checks = append(*checks, CheckDef{Name: con.Conname, Expr: s, NotValid: con.SkipValidation, NoInherit: con.IsNoInherit})
		return true, nil
	case parse.ConstrType_CONSTR_FOREIGN:
		fk := ForeignKeyDef{
			Name:     con.Conname,
			Cols:     keyNames(con.FkAttrs),
			RefTable: objName(con.Pktable),
			RefCols:  keyNames(con.PkAttrs),
			OnDelete: fkAction(con.FkDelAction),
			OnUpdate: fkAction(con.FkUpdAction),
			Match:    catalog.FKMatchSimple,
			NotValid: con.SkipValidation,
		}
		if col != "" {
			fk.Cols = []string{col}
		}
		switch con.FkMatchtype {
		case "f":
			fk.Match = catalog.FKMatchFull
		case "p":
			return true, pgerr.New(pgerr.FeatureNotSupported, "MATCH PARTIAL not yet implemented")
		}
		if len(con.FkDelSetCols) > 0 {
			return true, pgerr.New(pgerr.FeatureNotSupported, "ON DELETE SET NULL/DEFAULT with a column list is not supported")
		}
		if con.Deferrable || con.Initdeferred {
			return true, pgerr.New(pgerr.FeatureNotSupported, "DEFERRABLE foreign keys are not supported")
		}
		*fks = append(*fks, fk)
		return true, nil
	}
	return false, nil
}

// fkAction converts the parser's action letter ("" is NO ACTION).
func fkAction(a string) byte {
	if a == "" {
		return catalog.FKNoAction
	}
	return a[0]
}

// BindCheck binds the expression of a CHECK constraint of table t: a
// boolean over a row of t's columns (in t.Cols order). It fails as
// PostgreSQL does for a non-boolean expression, a subquery or an
// aggregate.
func BindCheck(env Env, t *catalog.Table, sql string) (Expr, error) {
	res, err := parse.Tree("SELECT " + sql)
	if err != nil {
		return nil, err
	}
	val := res.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val
	b := newBinder(env, nil, nil)
	e, err := b.expr(val, &exprCtx{sc: tableScope(t, t.Name), what: "check constraints"})
	if err != nil {
		return nil, err
	}
	sub := false
	Walk(e, func(x Expr) bool {
		if _, ok := x.(*Subquery); ok {
			sub = true
		}
		return !sub
	})
	if sub {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "cannot use subquery in check constraint")
	}
	return b.coerce(e, types.Bool, "argument of CHECK")
}

// ColumnsOf returns the distinct table columns (ColRef indexes) e reads,
// in order of first appearance.
func ColumnsOf(e Expr) []int {
	var out []int
	seen := map[int]bool{}
	Walk(e, func(x Expr) bool {
		if c, ok := x.(*ColRef); ok && !seen[c.Idx] {
			seen[c.Idx] = true
			out = append(out, c.Idx)
		}
		return true
	})
	return out
}
