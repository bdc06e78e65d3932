package plan

import (
	"strings"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Bind binds one parsed statement. params are the client-declared
// parameter types (zero OID: infer); the result's parameter types are
// final (unresolved ones are text).
func Bind(env Env, p *parse.Statement, params []types.T, loc *time.Location) (Statement, []types.T, error) {
	b := newBinder(env, params, loc)
	b.lits, b.litBase = p.Literals()
	st, err := b.statement(p.Tree().Stmt, p.SQL)
	if err != nil {
		return nil, nil, err
	}
	return st, b.paramTypes(), nil
}

// BindExpr binds a standalone SQL expression (column defaults) with no
// columns in scope.
func BindExpr(env Env, sql string, loc *time.Location) (Expr, error) {
	res, err := parse.Tree("SELECT " + sql)
	if err != nil {
		return nil, err
	}
	sel := res.Stmts[0].Stmt.GetSelectStmt()
	b := newBinder(env, nil, loc)
	return b.expr(sel.TargetList[0].GetResTarget().Val, &exprCtx{sc: newScope(nil), what: "DEFAULT expressions"})
}

func (b *binder) statement(n *parse.Node, sql string) (Statement, error) {
	switch x := n.Node.(type) {
	case *parse.Node_SelectStmt:
		node, err := b.selectStmt(x.SelectStmt, nil)
		if err != nil {
			return nil, err
		}
		return &Query{Node: node}, nil
	case *parse.Node_InsertStmt:
		return b.insert(x.InsertStmt)
	case *parse.Node_UpdateStmt:
		return b.update(x.UpdateStmt)
	case *parse.Node_DeleteStmt:
		return b.delete(x.DeleteStmt)
	case *parse.Node_ExplainStmt:
		inner, err := b.statement(x.ExplainStmt.Query, sql)
		if err != nil {
			return nil, err
		}
		e := &ExplainStmt{Query: inner}
		for _, o := range x.ExplainStmt.Options {
			d := o.GetDefElem()
			if d.Defname == "analyze" && (d.Arg == nil || defBool(d.Arg)) {
				e.Analyze = true
			}
		}
		return e, nil
	case *parse.Node_CopyStmt:
		return b.copyStmt(x.CopyStmt)
	case *parse.Node_DeclareCursorStmt:
		d := x.DeclareCursorStmt
		node, err := b.selectStmt(d.Query.GetSelectStmt(), nil)
		if err != nil {
			return nil, err
		}
		const cursorOptHold = 0x20
		return &DeclareCursor{Name: d.Portalname, Node: node, Hold: d.Options&cursorOptHold != 0}, nil
	case *parse.Node_FetchStmt:
		f := x.FetchStmt
		if f.Direction != parse.FetchDirection_FETCH_FORWARD {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "only forward FETCH is supported")
		}
		n := f.HowMany
		if n == 9223372036854775807 {
			n = -1
		}
		return &Fetch{Name: f.Portalname, Count: n, Move: f.Ismove}, nil
	case *parse.Node_ClosePortalStmt:
		return &CloseCursor{Name: x.ClosePortalStmt.Portalname, All: x.ClosePortalStmt.Portalname == ""}, nil
	case *parse.Node_CallStmt:
		e, err := b.funcCall(x.CallStmt.Funccall, &exprCtx{sc: newScope(nil), what: "CALL"})
		if err != nil {
			return nil, err
		}
		return &CallStmt{E: e}, nil
	case *parse.Node_PrepareStmt:
		return b.prepare(x.PrepareStmt, sql)
	case *parse.Node_ExecuteStmt:
		return b.execute(x.ExecuteStmt)
	}
	return b.utility(n, sql)
}

func (b *binder) table(rv *parse.RangeVar) (*catalog.Table, error) {
	t := lookupTable(b.env, rv.Schemaname, rv.Relname)
	if t == nil {
		name := rv.Relname
		if rv.Schemaname != "" {
			name = rv.Schemaname + "." + name
		}
		return nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name).WithPosition(rv.Location + 1)
	}
	return t, nil
}

func tableScope(t *catalog.Table, alias string) *scope {
	sc := newScope(nil)
	sc.add(alias, tableCols(t, alias))
	return sc
}

func tableCols(t *catalog.Table, alias string) []OutCol {
	cols := make([]OutCol, len(t.Cols))
	for i, c := range t.Cols {
		cols[i] = OutCol{Name: c.Name, T: c.Type, TableOID: t.OID, AttNum: int16(i + 1), Rel: alias}
	}
	return cols
}

func (b *binder) insert(s *parse.InsertStmt) (Statement, error) {
	if s.WithClause != nil {
		if err := b.withClause(s.WithClause, nil); err != nil {
			return nil, err
		}
	}
	t, err := b.table(s.Relation)
	if err != nil {
		return nil, err
	}
	if err := viewWriteError(t, writeInsert); err != nil {
		return nil, err
	}
	ins := &Insert{Table: t}
	if len(s.Cols) == 0 {
		for i := range t.Cols {
			ins.Cols = append(ins.Cols, i)
		}
	} else {
		seen := map[int]bool{}
		for _, c := range s.Cols {
			name := c.GetResTarget().Name
			i := t.ColIndex(name)
			if i < 0 {
				return nil, pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", name, t.Name)
			}
			if seen[i] {
				return nil, pgerr.New(pgerr.DuplicateColumn, "column %q specified more than once", name)
			}
			seen[i] = true
			ins.Cols = append(ins.Cols, i)
		}
	}
	sel := s.SelectStmt.GetSelectStmt()
	if len(s.Cols) == 0 && sel != nil && len(sel.ValuesLists) > 0 {
		// Without a column list, VALUES fills the leading columns
		// ("INSERT INTO t VALUES (1, 'a')" on a 3-column table).
		if n := len(sel.ValuesLists[0].GetList().GetItems()); n < len(ins.Cols) {
			ins.Cols = ins.Cols[:n]
		}
	}
	switch {
	case sel == nil:
		// INSERT ... DEFAULT VALUES
		ins.Cols = nil
		ins.Source = &Values{Rows: [][]Expr{{}}}
	case len(sel.ValuesLists) > 0 && sel.Op == parse.SetOperation_SETOP_NONE:
		src := &Values{}
		for _, l := range sel.ValuesLists {
			items := l.GetList().GetItems()
			if len(items) > len(ins.Cols) {
				return nil, pgerr.New(pgerr.SyntaxError, "INSERT has more expressions than target columns")
			}
			if len(items) < len(ins.Cols) {
				return nil, pgerr.New(pgerr.SyntaxError, "INSERT has more target columns than expressions")
			}
			row := make([]Expr, len(items))
			for j, it := range items {
				col := &t.Cols[ins.Cols[j]]
				if it.GetSetToDefault() != nil {
					d, err := b.defaultExpr(col)
					if err != nil {
						return nil, err
					}
					row[j] = d
					continue
				}
				var e Expr
				var err error
				if pr := it.GetParamRef(); pr != nil {
					// Fast path for parameter lists (multi-row INSERT
					// from drivers): no expression context needed.
					e, err = b.param(int(pr.Number))
				} else {
					e, err = b.expr(it, &exprCtx{sc: newScope(nil), what: "VALUES"})
				}
				if err != nil {
					return nil, err
				}
				if row[j], err = b.assign(e, col.Type, col.Name); err != nil {
					return nil, err
				}
			}
			src.Rows = append(src.Rows, row)
		}
		for _, ci := range ins.Cols {
			src.Cols = append(src.Cols, OutCol{Name: t.Cols[ci].Name, T: t.Cols[ci].Type})
		}
		ins.Source = src
	default:
		b.keepUnknown = true
		node, err := b.selectStmt(sel, nil)
		b.keepUnknown = false
		if err != nil {
			return nil, err
		}
		cols := visible(node.Columns())
		if len(cols) > len(ins.Cols) {
			return nil, pgerr.New(pgerr.SyntaxError, "INSERT has more expressions than target columns")
		}
		if len(cols) < len(ins.Cols) {
			ins.Cols = ins.Cols[:len(cols)]
		}
		exprs := make([]Expr, len(cols))
		outs := make([]OutCol, len(cols))
		for j, c := range cols {
			col := &t.Cols[ins.Cols[j]]
			e, err := b.assign(&ColRef{T: c.T, Idx: j, Name: c.Name}, col.Type, col.Name)
			if err != nil {
				return nil, err
			}
			exprs[j], outs[j] = e, OutCol{Name: col.Name, T: col.Type}
		}
		ins.Source = &Project{Input: node, Exprs: exprs, Cols: outs}
	}
	given := map[int]bool{}
	for _, c := range ins.Cols {
		given[c] = true
	}
	ins.Defaults = make([]Expr, len(t.Cols))
	for i := range t.Cols {
		if given[i] {
			continue
		}
		d, err := b.defaultExpr(&t.Cols[i])
		if err != nil {
			return nil, err
		}
		ins.Defaults[i] = d
	}
	alias := t.Name
	if s.Relation.Alias != nil {
		alias = s.Relation.Alias.Aliasname
	}
	if oc := s.OnConflictClause; oc != nil {
		c := &OnConflict{DoNothing: oc.Action == parse.OnConflictAction_ONCONFLICT_NOTHING}
		if oc.Infer != nil {
			var names []string
			for _, ie := range oc.Infer.IndexElems {
				names = append(names, ie.GetIndexElem().Name)
			}
			if oc.Infer.Conname != "" {
				for i := range t.Indexes {
					if t.Indexes[i].Name == oc.Infer.Conname {
						c.Index = &t.Indexes[i]
					}
				}
			} else {
				c.Index = findUnique(t, names)
			}
			if c.Index == nil {
				return nil, pgerr.New(pgerr.InvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
			}
		} else if !c.DoNothing {
			return nil, pgerr.New(pgerr.SyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name").
				WithHint("For example, ON CONFLICT (column_name).")
		}
		if !c.DoNothing {
			sc := newScope(nil)
			sc.add(alias, tableCols(t, alias))
			sc.add("excluded", tableCols(t, "excluded"))
			for _, rt := range oc.TargetList {
				res := rt.GetResTarget()
				i := t.ColIndex(res.Name)
				if i < 0 {
					return nil, pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", res.Name, t.Name)
				}
				e, err := b.expr(res.Val, &exprCtx{sc: sc, what: "ON CONFLICT DO UPDATE"})
				if err != nil {
					return nil, err
				}
				if e, err = b.assign(e, t.Cols[i].Type, t.Cols[i].Name); err != nil {
					return nil, err
				}
				c.Set = append(c.Set, SetItem{Col: i, E: e})
			}
			if oc.WhereClause != nil {
				w, err := b.expr(oc.WhereClause, &exprCtx{sc: sc, what: "WHERE"})
				if err != nil {
					return nil, err
				}
				if c.Where, err = b.coerce(w, types.Bool, "argument of WHERE"); err != nil {
					return nil, err
				}
			}
		}
		ins.OnConflict = c
	}
	if len(s.ReturningList) > 0 {
		var err error
		if ins.Returning, ins.RetCols, err = b.returning(s.ReturningList, tableScope(t, alias)); err != nil {
			return nil, err
		}
	}
	return ins, nil
}

// findUnique returns the unique index on exactly the named columns.
func findUnique(t *catalog.Table, names []string) *catalog.Index {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if !ix.Unique || len(ix.Cols) != len(names) {
			continue
		}
		ok := true
		for _, n := range names {
			c := t.Col(n)
			found := false
			for _, id := range ix.Cols {
				if c != nil && c.ID == id {
					found = true
				}
			}
			ok = ok && found
		}
		if ok {
			return ix
		}
	}
	return nil
}

func (b *binder) defaultExpr(col *catalog.Column) (Expr, error) {
	if col.Default == "" {
		return &Const{T: col.Type}, nil
	}
	e, err := BindExpr(b.env, col.Default, b.loc)
	if err != nil {
		return nil, err
	}
	return b.assign(e, col.Type, col.Name)
}

// returning binds a RETURNING list over sc: the target table's row,
// followed by the FROM/USING items of UPDATE/DELETE.
func (b *binder) returning(list []*parse.Node, sc *scope) ([]Expr, []OutCol, error) {
	var exprs []Expr
	var cols []OutCol
	for _, rt := range list {
		res := rt.GetResTarget()
		if cr := res.Val.GetColumnRef(); cr != nil && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			rels := sc.rels
			if len(cr.Fields) > 1 {
				r, err := sc.relCols(strVal(cr.Fields[len(cr.Fields)-2]))
				if err != nil {
					return nil, nil, err
				}
				rels = []*rel{r}
			}
			for _, r := range rels {
				for i, c := range r.cols {
					if c.Hidden {
						continue
					}
					exprs = append(exprs, &ColRef{T: c.T, Idx: r.off + i, Name: c.Name})
					cols = append(cols, OutCol{Name: c.Name, T: c.T, TableOID: c.TableOID, AttNum: c.AttNum})
				}
			}
			continue
		}
		e, err := b.expr(res.Val, &exprCtx{sc: sc, what: "RETURNING"})
		if err != nil {
			return nil, nil, err
		}
		if isUnknown(e) {
			e, _ = b.castTo(e, types.Text, true)
		}
		name := res.Name
		if name == "" {
			name = deriveName(res.Val)
		}
		exprs = append(exprs, e)
		cols = append(cols, OutCol{Name: name, T: e.Type()})
	}
	return exprs, cols, nil
}

// tableScan returns a node reading every column of t, narrowed by the
// time bounds in where for hypertables.
func (b *binder) tableScan(t *catalog.Table, alias string, where Expr) (Node, error) {
	cols := tableCols(t, alias)
	idx := make([]int, len(t.Cols))
	for i := range idx {
		idx[i] = i
	}
	if t.Hyper == nil {
		return &Scan{Table: t, Cols: cols, ColIdx: idx}, nil
	}
	hs := &HyperScan{Table: t, Cols: cols, ColIdx: idx, TimeMin: minI64, TimeMax: maxI64}
	if err := b.env.NarrowScans(hs, 0, where); err != nil {
		return nil, err
	}
	b.env.LookupChunks(hs)
	return hs, nil
}

// dmlTarget is the common part of binding UPDATE and DELETE.
type dmlTarget struct {
	t       *catalog.Table
	alias   string
	sc      *scope
	filter  Expr
	scan    Node
	ret     []Expr
	retCols []OutCol
	src     *DMLSource // FROM / USING items, nil without
	srcOff  int        // position of src's first column in the row WHERE reads
}

func (b *binder) dmlTarget(rv *parse.RangeVar, op writeOp) (*dmlTarget, error) {
	t, err := b.table(rv)
	if err != nil {
		return nil, err
	}
	if err := viewWriteError(t, op); err != nil {
		return nil, err
	}
	alias := t.Name
	if rv.Alias != nil {
		alias = rv.Alias.Aliasname
	}
	return &dmlTarget{t: t, alias: alias, sc: tableScope(t, alias)}, nil
}

// finishDML binds WHERE and RETURNING and picks the scan (narrowed by the
// WHERE's time bounds for hypertables).
func (b *binder) finishDML(d *dmlTarget, where *parse.Node, returning []*parse.Node) error {
	if where != nil {
		w, err := b.expr(where, &exprCtx{sc: d.sc, what: "WHERE"})
		if err != nil {
			return err
		}
		if d.filter, err = b.coerce(w, types.Bool, "argument of WHERE"); err != nil {
			return err
		}
	}
	var err error
	if d.scan, err = b.tableScan(d.t, d.alias, d.filter); err != nil {
		return err
	}
	if d.src != nil {
		if err := b.finishSource(d); err != nil {
			return err
		}
	}
	if len(returning) > 0 {
		d.ret, d.retCols, err = b.returning(returning, d.sc)
	}
	return err
}

func (b *binder) update(s *parse.UpdateStmt) (Statement, error) {
	d, err := b.dmlTarget(s.Relation, writeUpdate)
	if err != nil {
		return nil, err
	}
	if err := b.dmlSource(d, s.FromClause); err != nil {
		return nil, err
	}
	t := d.t
	u := &Update{Table: t}
	for _, rt := range s.TargetList {
		res := rt.GetResTarget()
		i := t.ColIndex(res.Name)
		if i < 0 {
			return nil, pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", res.Name, t.Name)
		}
		var e Expr
		if res.Val.GetSetToDefault() != nil {
			e, err = b.defaultExpr(&t.Cols[i])
		} else {
			e, err = b.expr(res.Val, &exprCtx{sc: d.sc, what: "UPDATE"})
			if err == nil {
				e, err = b.assign(e, t.Cols[i].Type, t.Cols[i].Name)
			}
		}
		if err != nil {
			return nil, err
		}
		u.Set = append(u.Set, SetItem{Col: i, E: e})
	}
	if err := b.finishDML(d, s.WhereClause, s.ReturningList); err != nil {
		return nil, err
	}
	u.Filter, u.Scan, u.Returning, u.RetCols, u.From = d.filter, d.scan, d.ret, d.retCols, d.src
	return u, nil
}

func (b *binder) delete(s *parse.DeleteStmt) (Statement, error) {
	d, err := b.dmlTarget(s.Relation, writeDelete)
	if err != nil {
		return nil, err
	}
	if err := b.dmlSource(d, s.UsingClause); err != nil {
		return nil, err
	}
	if err := b.finishDML(d, s.WhereClause, s.ReturningList); err != nil {
		return nil, err
	}
	return &Delete{Table: d.t, Scan: d.scan, Filter: d.filter, Returning: d.ret, RetCols: d.retCols, Using: d.src}, nil
}

// dmlSource binds the FROM items of UPDATE ... FROM (or DELETE ...
// USING), cross-joined, after the target table in d's scope. The items
// are bound in a scope of their own, like a join's, so lateral references
// among them see the source row the executor evaluates them over.
func (b *binder) dmlSource(d *dmlTarget, items []*parse.Node) error {
	if len(items) == 0 {
		return nil
	}
	fs := newScope(d.sc.parent)
	var input Node
	for _, f := range items {
		n, err := b.fromItem(f, fs)
		if err != nil {
			return err
		}
		lat, isLat := n.(*lateralNode)
		switch {
		case input == nil && isLat:
			input = lat.Node
		case input == nil:
			input = n
		case isLat:
			input = &Join{Kind: JoinCross, Left: input, Right: lat.Node, Lateral: true}
		default:
			input = &Join{Kind: JoinCross, Left: input, Right: n}
		}
	}
	d.srcOff = d.sc.ncols
	mergeScope(d.sc, fs)
	if err := d.sc.checkAliases(); err != nil {
		return err
	}
	d.src = &DMLSource{Node: input}
	return nil
}

// finishSource narrows the source's hypertable scans by the bound WHERE
// and finds its hash keys.
func (b *binder) finishSource(d *dmlTarget) error {
	if err := b.env.NarrowScans(d.src.Node, d.srcOff, d.filter); err != nil {
		return err
	}
	b.env.LookupChunks(d.src.Node)
	d.src.TargetKeys, d.src.SourceKeys = equiKeys(d.filter, len(d.t.Cols))
	return nil
}

func defBool(n *parse.Node) bool {
	switch x := n.Node.(type) {
	case *parse.Node_Boolean:
		return x.Boolean.Boolval
	case *parse.Node_String_:
		v := strings.ToLower(x.String_.Sval)
		return v == "true" || v == "on" || v == "1" || v == "yes"
	case *parse.Node_Integer:
		return x.Integer.Ival != 0
	case *parse.Node_AConst:
		if bv, ok := x.AConst.Val.(*parse.A_Const_Boolval); ok {
			return bv.Boolval.Boolval
		}
		if sv, ok := x.AConst.Val.(*parse.A_Const_Sval); ok {
			v := strings.ToLower(sv.Sval.Sval)
			return v == "true" || v == "on"
		}
	}
	return true
}

func defString(n *parse.Node) string {
	if n == nil {
		return ""
	}
	switch x := n.Node.(type) {
	case *parse.Node_String_:
		return x.String_.Sval
	case *parse.Node_Integer:
		return itoa(int(x.Integer.Ival))
	case *parse.Node_Float:
		return x.Float.Fval
	case *parse.Node_Boolean:
		if x.Boolean.Boolval {
			return "true"
		}
		return "false"
	case *parse.Node_TypeName:
		return strVal(x.TypeName.Names[len(x.TypeName.Names)-1])
	case *parse.Node_AConst:
		switch v := x.AConst.Val.(type) {
		case *parse.A_Const_Sval:
			return v.Sval.Sval
		case *parse.A_Const_Ival:
			return itoa(int(v.Ival.Ival))
		case *parse.A_Const_Fval:
			return v.Fval.Fval
		case *parse.A_Const_Boolval:
			if v.Boolval.Boolval {
				return "true"
			}
			return "false"
		}
	case *parse.Node_List:
		var parts []string
		for _, it := range x.List.Items {
			parts = append(parts, defString(it))
		}
		return strings.Join(parts, ",")
	}
	return ""
}

func (b *binder) copyStmt(s *parse.CopyStmt) (Statement, error) {
	c := &Copy{From: s.IsFrom, Format: "text", Delimiter: "\t", Null: `\N`, Quote: `"`}
	if s.Filename != "" {
		return nil, pgerr.New(pgerr.InsufficientPrivilege, "COPY to or from a file is not supported; use STDIN/STDOUT (psql \\copy)")
	}
	delimSet, nullSet := false, false
	for _, o := range s.Options {
		d := o.GetDefElem()
		switch d.Defname {
		case "format":
			c.Format = strings.ToLower(defString(d.Arg))
		case "csv":
			c.Format = "csv"
		case "binary":
			c.Format = "binary"
		case "header":
			c.Header = d.Arg == nil || defBool(d.Arg)
		case "delimiter":
			c.Delimiter, delimSet = defString(d.Arg), true
		case "null":
			c.Null, nullSet = defString(d.Arg), true
		case "quote":
			c.Quote = defString(d.Arg)
		case "escape":
			c.Escape = defString(d.Arg)
		case "freeze", "encoding", "force_not_null", "force_null", "force_quote":
		default:
			return nil, pgerr.New(pgerr.SyntaxError, "option %q not recognized", d.Defname)
		}
	}
	switch c.Format {
	case "text", "csv", "binary":
	default:
		return nil, pgerr.New(pgerr.InvalidParameterValue, "COPY format %q not recognized", c.Format)
	}
	if c.Format == "csv" {
		if !delimSet {
			c.Delimiter = ","
		}
		if !nullSet {
			c.Null = ""
		}
	}
	if c.Escape == "" {
		c.Escape = c.Quote
	}
	if c.Format == "csv" && c.Quote == "" {
		// CSV reading and writing need a quote byte.
		return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY quote must be a single one-byte character")
	}
	if len(c.Delimiter) != 1 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY delimiter must be a single one-byte character")
	}
	if s.Query != nil {
		if s.IsFrom {
			return nil, pgerr.New(pgerr.SyntaxError, "COPY FROM does not support a query")
		}
		node, err := b.selectStmt(s.Query.GetSelectStmt(), nil)
		if err != nil {
			return nil, err
		}
		c.Query = node
		return c, nil
	}
	t, err := b.table(s.Relation)
	if err != nil {
		return nil, err
	}
	op := writeCopyTo
	if !s.IsFrom {
		op = writeCopyFrom
	}
	if err := viewWriteError(t, op); err != nil {
		return nil, err
	}
	c.Table = t
	if len(s.Attlist) == 0 {
		for i := range t.Cols {
			c.Cols = append(c.Cols, i)
		}
	} else {
		for _, a := range s.Attlist {
			name := strVal(a)
			i := t.ColIndex(name)
			if i < 0 {
				return nil, pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", name, t.Name)
			}
			c.Cols = append(c.Cols, i)
		}
	}
	if !s.IsFrom {
		idx := make([]int, len(c.Cols))
		cols := make([]OutCol, len(c.Cols))
		all := tableCols(t, t.Name)
		for i, ci := range c.Cols {
			idx[i], cols[i] = ci, all[ci]
		}
		if t.Hyper != nil {
			hs := &HyperScan{Table: t, Cols: cols, ColIdx: idx, TimeMin: minI64, TimeMax: maxI64}
			b.env.LookupChunks(hs)
			c.Query = hs
		} else {
			c.Query = &Scan{Table: t, Cols: cols, ColIdx: idx}
		}
	}
	return c, nil
}

// writeOp names a statement writing to (or, for COPY TO, reading from the
// storage of) a relation, in the words of PostgreSQL's errors.
type writeOp int

const (
	writeInsert writeOp = iota
	writeUpdate
	writeDelete
	writeCopyTo   // COPY t FROM STDIN: copies to t
	writeCopyFrom // COPY t TO STDOUT: copies from t
)

// viewWriteError is PostgreSQL's error for op on a view (continuous
// aggregates included: they are views, as in TimescaleDB) or a
// materialized view, nil for a table. Views here are never automatically
// updatable and have no INSTEAD OF triggers or rules.
func viewWriteError(t *catalog.Table, op writeOp) error {
	if t.View == nil {
		return nil
	}
	if t.View.Kind == catalog.ViewMaterialized {
		switch op {
		case writeCopyTo:
			return pgerr.New(pgerr.WrongObjectType, "cannot copy to materialized view %q", t.Name)
		case writeCopyFrom:
			return pgerr.New(pgerr.WrongObjectType, "cannot copy from materialized view %q", t.Name).
				WithHint("Try the COPY (SELECT ...) TO variant.")
		}
		return pgerr.New(pgerr.WrongObjectType, "cannot change materialized view %q", t.Name)
	}
	switch op {
	case writeInsert:
		return viewDMLError("insert into", "inserting into", "INSERT", t)
	case writeUpdate:
		return viewDMLError("update", "updating", "UPDATE", t)
	case writeDelete:
		return viewDMLError("delete from", "deleting from", "DELETE", t)
	case writeCopyTo:
		return pgerr.New(pgerr.WrongObjectType, "cannot copy to view %q", t.Name).
			WithHint("To enable copying to a view, provide an INSTEAD OF INSERT trigger.")
	}
	return pgerr.New(pgerr.WrongObjectType, "cannot copy from view %q", t.Name).
		WithHint("Try the COPY (SELECT ...) TO variant.")
}

// viewDMLError is PostgreSQL's error for INSERT/UPDATE/DELETE on a view
// that is not automatically updatable.
func viewDMLError(verb, gerund, cmd string, t *catalog.Table) error {
	return pgerr.New(pgerr.ObjectNotInPrerequisiteState, "cannot %s view %q", verb, t.Name).
		WithHint("To enable %s the view, provide an INSTEAD OF %s trigger or an unconditional ON %s DO INSTEAD rule.", gerund, cmd, cmd)
}
