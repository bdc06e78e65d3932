package plpgsql

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// PL/pgSQL bodies are parsed by PostgreSQL's own PL/pgSQL grammar
// (parse.PlpgsqlJSON, through pg_query) into a JSON tree, which this file
// turns into the stmt tree (tree.go) the interpreter (exec.go) walks.
//
// The JSON keeps every variable as a "datum" numbered in creation order
// but does not say which block declares which variable; declScopes
// recovers that from the DECLARE sections of the source text.

// funcCache holds parsed bodies by routine signature and source.
var funcCache = struct {
	sync.Mutex
	m map[string]*function
}{m: map[string]*function{}}

// funcCacheSize bounds funcCache; a full cache is dropped whole.
const funcCacheSize = 512

// parsePlpgsql parses (or finds in the cache) a PL/pgSQL body of a
// routine with parameters argNames; setof says it returns a set.
func parsePlpgsql(argNames []string, procedure, setof bool, body string) (*function, error) {
	key := fmt.Sprintf("%v\x00%v\x00%q\x00%s", procedure, setof, argNames, body)
	funcCache.Lock()
	f := funcCache.m[key]
	funcCache.Unlock()
	if f != nil {
		return f, nil
	}
	j, err := parse.PlpgsqlJSON(argNames, procedure, setof, body)
	if err != nil {
		return nil, err
	}
	if f, err = buildPlFunc(j, argNames, body); err != nil {
		return nil, err
	}
	funcCache.Lock()
	if len(funcCache.m) >= funcCacheSize {
		funcCache.m = map[string]*function{}
	}
	funcCache.m[key] = f
	funcCache.Unlock()
	return f, nil
}

// jnode is one JSON node: {"PLpgSQL_xxx": {...fields}}.
type jnode map[string]json.RawMessage

// jfields are the fields of any PL/pgSQL JSON node this file reads.
type jfields struct {
	Lineno     int             `json:"lineno"`
	Label      string          `json:"label"`
	Refname    string          `json:"refname"`
	Datatype   *jnode          `json:"datatype"`
	Typname    string          `json:"typname"`
	Notnull    bool            `json:"notnull"`
	DefaultVal *jnode          `json:"default_val"`
	Fields     []jrowField     `json:"fields"`
	Body       []jnode         `json:"body"`
	Exceptions *jnode          `json:"exceptions"`
	ExcList    []jnode         `json:"exc_list"`
	Conditions []jnode         `json:"conditions"`
	Condname   string          `json:"condname"`
	Action     json.RawMessage `json:"action"`
	Expr       *jnode          `json:"expr"`
	Query      json.RawMessage `json:"query"`
	Dynquery   *jnode          `json:"dynquery"`
	Cond       *jnode          `json:"cond"`
	ThenBody   []jnode         `json:"then_body"`
	ElsifList  []jnode         `json:"elsif_list"`
	ElseBody   []jnode         `json:"else_body"`
	Stmts      []jnode         `json:"stmts"`
	TExpr      *jnode          `json:"t_expr"`
	TVarno     int             `json:"t_varno"`
	CaseWhens  []jnode         `json:"case_when_list"`
	HaveElse   bool            `json:"have_else"`
	ElseStmts  []jnode         `json:"else_stmts"`
	Var        *jnode          `json:"var"`
	Lower      *jnode          `json:"lower"`
	Upper      *jnode          `json:"upper"`
	Step       *jnode          `json:"step"`
	Reverse    bool            `json:"reverse"`
	Params     []jnode         `json:"params"`
	Varno      int             `json:"varno"`
	Slice      int             `json:"slice"`
	IsExit     bool            `json:"is_exit"`
	ElogLevel  int             `json:"elog_level"`
	Message    json.RawMessage `json:"message"`
	Options    []jnode         `json:"options"`
	OptType    int             `json:"opt_type"`
	Sqlstmt    *jnode          `json:"sqlstmt"`
	Into       bool            `json:"into"`
	Strict     bool            `json:"strict"`
	Target     json.RawMessage `json:"target"`
	IsStacked  bool            `json:"is_stacked"`
	DiagItems  []jnode         `json:"diag_items"`
	Kind       string          `json:"kind"`
	Chain      bool            `json:"chain"`
	CursorExpr *jnode          `json:"cursor_explicit_expr"`
	CursorArgs *int            `json:"cursor_explicit_argrow"`
	CursorOpts int             `json:"cursor_options"`
}

type jrowField struct {
	Name  string `json:"name"`
	Varno int    `json:"varno"`
}

// kind returns the node's type name and decoded fields.
func (n jnode) kind() (string, *jfields, error) {
	for k, raw := range n {
		f := &jfields{}
		if err := json.Unmarshal(raw, f); err != nil {
			return "", nil, pgerr.New(pgerr.Internal, "decode PL/pgSQL %s: %v", k, err)
		}
		return k, f, nil
	}
	return "", nil, pgerr.New(pgerr.Internal, "empty PL/pgSQL node")
}

// builder turns the JSON tree into stmts.
type builder struct {
	datums []*jfields
	kinds  []string
	// declCounts are the datum counts of the DECLARE sections of the
	// source's blocks in source order; decls the declared datums.
	declCounts []int
	decls      []int
	nextBlock  int
	nextDecl   int
}

func buildPlFunc(j string, argNames []string, body string) (*function, error) {
	var top []struct {
		F struct {
			Datums []jnode `json:"datums"`
			Action jnode   `json:"action"`
		} `json:"PLpgSQL_function"`
	}
	if err := json.Unmarshal([]byte(j), &top); err != nil || len(top) != 1 {
		return nil, pgerr.New(pgerr.Internal, "decode PL/pgSQL tree: %v", err)
	}
	b := &builder{}
	for _, d := range top[0].F.Datums {
		k, f, err := d.kind()
		if err != nil {
			return nil, err
		}
		b.datums, b.kinds = append(b.datums, f), append(b.kinds, k)
	}
	cursorArgs := b.cursorArgDatums()
	for i, f := range b.datums {
		if b.kinds[i] == "PLpgSQL_var" && f.Datatype != nil && (typname(f) != "UNKNOWN" || f.CursorExpr != nil) && !cursorArgs[i] {
			b.decls = append(b.decls, i)
		}
	}
	b.declCounts = declSections(body)
	st, err := b.stmt(top[0].F.Action)
	if err != nil {
		return nil, err
	}
	blk, ok := st.(*block)
	if !ok {
		return nil, pgerr.New(pgerr.Internal, "PL/pgSQL body is not a block")
	}
	if b.nextDecl != len(b.decls) {
		// The source's DECLARE sections were not understood: give the
		// remaining declarations to the outermost block.
		for _, i := range b.decls[b.nextDecl:] {
			blk.decls = append(blk.decls, b.decl(i))
		}
	}
	return &function{body: blk}, nil
}

func typname(f *jfields) string {
	if f.Datatype == nil {
		return ""
	}
	_, t, err := f.Datatype.kind()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(t.Typname)
}

func (b *builder) decl(i int) *decl {
	f := b.datums[i]
	d := &decl{name: f.Refname, typ: typname(f), notNull: f.Notnull, def: exprText(f.DefaultVal)}
	if f.CursorExpr != nil {
		d.typ, d.cursor = "refcursor", b.cursorDef(f)
	}
	return d
}

// blockDecls returns the declarations of the next real block.
func (b *builder) blockDecls() []*decl {
	n := 0
	if b.nextBlock < len(b.declCounts) {
		n = b.declCounts[b.nextBlock]
	}
	b.nextBlock++
	var out []*decl
	for ; n > 0 && b.nextDecl < len(b.decls); n-- {
		out = append(out, b.decl(b.decls[b.nextDecl]))
		b.nextDecl++
	}
	return out
}

// exprText is the query text of a PLpgSQL_expr node ("" for nil).
func exprText(n *jnode) expr {
	if n == nil {
		return ""
	}
	_, f, err := n.kind()
	if err != nil {
		return ""
	}
	var s string
	_ = json.Unmarshal(f.Query, &s)
	return s
}

func exprTexts(ns []jnode) []expr {
	out := make([]expr, len(ns))
	for i := range ns {
		out[i] = exprText(&ns[i])
	}
	return out
}

// target returns the variable names of an INTO or FOR target.
func (b *builder) target(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var n jnode
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, pgerr.New(pgerr.Internal, "decode PL/pgSQL target: %v", err)
	}
	k, f, err := n.kind()
	if err != nil {
		return nil, err
	}
	if k != "PLpgSQL_row" {
		return []string{f.Refname}, nil
	}
	out := make([]string, len(f.Fields))
	for i, fd := range f.Fields {
		out[i] = fd.Name
	}
	return out, nil
}

func (b *builder) stmts(ns []jnode) ([]stmt, error) {
	out := make([]stmt, 0, len(ns))
	for _, n := range ns {
		s, err := b.stmt(n)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (b *builder) datumName(varno int) string {
	if varno >= 0 && varno < len(b.datums) {
		return b.datums[varno].Refname
	}
	return ""
}

// stmt converts one statement node.
func (b *builder) stmt(n jnode) (stmt, error) {
	k, f, err := n.kind()
	if err != nil {
		return nil, err
	}
	ln := line{f.Lineno}
	switch k {
	case "PLpgSQL_stmt_block":
		return b.block(f)
	case "PLpgSQL_stmt_assign":
		return &assignStmt{line: ln, text: exprText(f.Expr)}, nil
	case "PLpgSQL_stmt_if":
		s := &ifStmt{line: ln, conds: []expr{exprText(f.Cond)}}
		then, err := b.stmts(f.ThenBody)
		if err != nil {
			return nil, err
		}
		s.bodies = append(s.bodies, then)
		for _, ei := range f.ElsifList {
			_, ef, err := ei.kind()
			if err != nil {
				return nil, err
			}
			body, err := b.stmts(ef.Stmts)
			if err != nil {
				return nil, err
			}
			s.conds, s.bodies = append(s.conds, exprText(ef.Cond)), append(s.bodies, body)
		}
		s.els, err = b.stmts(f.ElseBody)
		return s, err
	case "PLpgSQL_stmt_case":
		s := &caseStmt{line: ln, expr: exprText(f.TExpr), hasElse: f.HaveElse}
		if s.expr != "" {
			s.varName = b.datumName(f.TVarno)
		}
		for _, cw := range f.CaseWhens {
			_, cf, err := cw.kind()
			if err != nil {
				return nil, err
			}
			body, err := b.stmts(cf.Stmts)
			if err != nil {
				return nil, err
			}
			s.whens, s.bodies = append(s.whens, exprText(cf.Expr)), append(s.bodies, body)
		}
		s.els, err = b.stmts(f.ElseStmts)
		return s, err
	case "PLpgSQL_stmt_loop", "PLpgSQL_stmt_while":
		body, err := b.stmts(f.Body)
		return &loopStmt{line: ln, label: f.Label, cond: exprText(f.Cond), body: body}, err
	case "PLpgSQL_stmt_fori":
		body, err := b.stmts(f.Body)
		if text, ok := parse.PlpgsqlCursorText(exprText(f.Lower)); ok {
			return forCursorStmt(ln, f, text, body, err)
		}
		s := &forIntLoop{line: ln, label: f.Label, lower: exprText(f.Lower), upper: exprText(f.Upper),
			step: exprText(f.Step), reverse: f.Reverse, body: body}
		if f.Var != nil {
			if _, vf, err := f.Var.kind(); err == nil {
				s.varName = vf.Refname
			}
		}
		return s, err
	case "PLpgSQL_stmt_fors", "PLpgSQL_stmt_dynfors":
		var q jnode
		_ = json.Unmarshal(f.Query, &q)
		s := &forQueryLoop{line: ln, label: f.Label, query: exprText(&q), dynamic: k == "PLpgSQL_stmt_dynfors", params: exprTexts(f.Params)}
		if f.Var != nil {
			raw, _ := json.Marshal(f.Var)
			if s.target, err = b.target(raw); err != nil {
				return nil, err
			}
		}
		s.body, err = b.stmts(f.Body)
		return s, err
	case "PLpgSQL_stmt_foreach_a":
		body, err := b.stmts(f.Body)
		return &foreachLoop{line: ln, label: f.Label, varName: b.datumName(f.Varno), slice: f.Slice, expr: exprText(f.Expr), body: body}, err
	case "PLpgSQL_stmt_exit":
		return &exitStmt{line: ln, isExit: f.IsExit, label: f.Label, cond: exprText(f.Cond)}, nil
	case "PLpgSQL_stmt_return":
		return &returnStmt{line: ln, expr: exprText(f.Expr)}, nil
	case "PLpgSQL_stmt_raise":
		s := &raiseStmt{line: ln, level: f.ElogLevel, condname: f.Condname, params: exprTexts(f.Params)}
		_ = json.Unmarshal(f.Message, &s.message)
		for _, o := range f.Options {
			_, of, err := o.kind()
			if err != nil {
				return nil, err
			}
			s.options = append(s.options, raiseOption{kind: of.OptType, expr: exprText(of.Expr)})
		}
		return s, nil
	case "PLpgSQL_stmt_assert":
		var m jnode
		_ = json.Unmarshal(f.Message, &m)
		return &assertStmt{line: ln, cond: exprText(f.Cond), message: exprText(&m)}, nil
	case "PLpgSQL_stmt_execsql":
		t, err := b.target(f.Target)
		return &sqlStmt{line: ln, sql: exprText(f.Sqlstmt), into: f.Into, strict: f.Strict, target: t}, err
	case "PLpgSQL_stmt_dynexecute":
		var q jnode
		_ = json.Unmarshal(f.Query, &q)
		t, err := b.target(f.Target)
		return &dynExecStmt{line: ln, query: exprText(&q), into: f.Into, strict: f.Strict, target: t, params: exprTexts(f.Params)}, err
	case "PLpgSQL_stmt_perform", "PLpgSQL_stmt_call":
		if text, ok := parse.PlpgsqlCursorText(exprText(f.Expr)); ok {
			return parseCursorStmt(ln, text)
		}
		return &performStmt{line: ln, sql: exprText(f.Expr)}, nil
	case "PLpgSQL_stmt_getdiag":
		s := &getDiagStmt{line: ln, stacked: f.IsStacked}
		for _, it := range f.DiagItems {
			_, itf, err := it.kind()
			if err != nil {
				return nil, err
			}
			var target struct {
				Target int `json:"target"`
			}
			_ = json.Unmarshal(it["PLpgSQL_diag_item"], &target)
			s.items = append(s.items, diagItem{kind: itf.Kind, target: b.datumName(target.Target)})
		}
		return s, nil
	case "PLpgSQL_stmt_commit", "PLpgSQL_stmt_rollback":
		if f.Chain {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "COMMIT AND CHAIN in PL/pgSQL is not supported")
		}
		return &commitStmt{line: ln, rollback: k == "PLpgSQL_stmt_rollback"}, nil
	case "PLpgSQL_stmt_return_next":
		s := &returnNextStmt{line: ln, expr: exprText(f.Expr)}
		if s.expr == parse.PlpgsqlOutRow {
			s.expr = ""
		}
		return s, nil
	case "PLpgSQL_stmt_return_query":
		s := &returnQueryStmt{line: ln, params: exprTexts(f.Params)}
		if f.Dynquery != nil {
			s.query, s.dynamic = exprText(f.Dynquery), true
		} else {
			var q jnode
			_ = json.Unmarshal(f.Query, &q)
			s.query = exprText(&q)
		}
		return s, nil
	}
	what := strings.TrimPrefix(strings.ToUpper(strings.TrimPrefix(k, "PLpgSQL_stmt_")), "PLPGSQL_")
	return nil, pgerr.New(pgerr.FeatureNotSupported, "PL/pgSQL statement %s is not supported", what)
}

// block converts a block; a block without a line number is the wrapper
// the parser adds around a body and has no DECLARE section of its own.
func (b *builder) block(f *jfields) (*block, error) {
	blk := &block{line: line{f.Lineno}, label: f.Label}
	if f.Lineno > 0 {
		blk.decls = b.blockDecls()
	}
	var err error
	if blk.body, err = b.stmts(f.Body); err != nil {
		return nil, err
	}
	if f.Exceptions == nil {
		return blk, nil
	}
	_, ef, err := f.Exceptions.kind()
	if err != nil {
		return nil, err
	}
	for _, e := range ef.ExcList {
		_, hf, err := e.kind()
		if err != nil {
			return nil, err
		}
		h := &handler{}
		for _, c := range hf.Conditions {
			_, cf, err := c.kind()
			if err != nil {
				return nil, err
			}
			h.conds = append(h.conds, cf.Condname)
		}
		var action []jnode
		_ = json.Unmarshal(hf.Action, &action)
		if h.body, err = b.stmts(action); err != nil {
			return nil, err
		}
		blk.handlers = append(blk.handlers, h)
	}
	return blk, nil
}
