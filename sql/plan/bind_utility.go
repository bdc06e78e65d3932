package plan

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// TimescaleDB's set-returning functions beyond show_chunks: callable in
// FROM and in a select list, with named arguments.
func init() {
	for name, params := range map[string][]string{
		"drop_chunks":          {"relation", "older_than", "newer_than", "verbose", "created_before", "created_after"},
		"chunks_detailed_size": {"hypertable"},
	} {
		srfNames[name] = true
		srfArgNames[name] = params
	}
}

// relOption decodes one WITH (...) / SET (...) storage option: its name
// qualified by its namespace ("timescaledb.compress") and its value as
// text ("true" when given without one).
func relOption(d *pg.DefElem) (name, value string) {
	name = d.Defname
	if d.Defnamespace != "" {
		name = d.Defnamespace + "." + name
	}
	value = "true"
	if d.Arg != nil {
		value = defString(d.Arg)
	}
	return name, value
}

// deparseExpr turns an expression node back into SQL text.
func deparseExpr(n *pg.Node) (string, error) {
	tree := &pg.ParseResult{Stmts: []*pg.RawStmt{{Stmt: &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: &pg.SelectStmt{
		TargetList: []*pg.Node{{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: n}}}},
	}}}}}}
	s, err := pg.Deparse(tree)
	if err != nil {
		return "", pgerr.New(pgerr.SyntaxError, "cannot deparse expression: %v", err)
	}
	return strings.TrimPrefix(s, "SELECT "), nil
}

func objName(rv *pg.RangeVar) ObjectName { return ObjectName{Schema: rv.Schemaname, Name: rv.Relname} }

func (b *binder) columnDef(cd *pg.ColumnDef) (ColumnDef, []string, error) {
	d := ColumnDef{Name: cd.Colname}
	names := cd.TypeName.Names
	tn := strVal(names[len(names)-1])
	switch tn {
	case "serial", "serial4", "bigserial", "serial8", "smallserial", "serial2":
		d.Serial = true
		d.NotNull = true
	}
	t, err := b.typeName(cd.TypeName)
	if err != nil {
		return d, nil, err
	}
	d.Type = t
	var uniq []string
	for _, c := range cd.Constraints {
		con := c.GetConstraint()
		switch con.Contype {
		case pg.ConstrType_CONSTR_NOTNULL:
			d.NotNull = true
		case pg.ConstrType_CONSTR_NULL:
			d.NotNull = false
		case pg.ConstrType_CONSTR_DEFAULT:
			s, err := deparseExpr(con.RawExpr)
			if err != nil {
				return d, nil, err
			}
			d.Default = s
		case pg.ConstrType_CONSTR_PRIMARY:
			d.Primary, d.NotNull = true, true
		case pg.ConstrType_CONSTR_UNIQUE:
			d.Unique = true
			uniq = append(uniq, cd.Colname)
		case pg.ConstrType_CONSTR_CHECK, pg.ConstrType_CONSTR_FOREIGN, pg.ConstrType_CONSTR_GENERATED, pg.ConstrType_CONSTR_IDENTITY:
			// Accepted, not enforced yet.
		}
	}
	return d, uniq, nil
}

func keyNames(keys []*pg.Node) []string {
	var out []string
	for _, k := range keys {
		out = append(out, strVal(k))
	}
	return out
}

func (b *binder) utility(n *pg.Node, sql string) (Statement, error) {
	switch x := n.Node.(type) {
	case *pg.Node_CreateStmt:
		s := x.CreateStmt
		ct := &CreateTable{Schema: s.Relation.Schemaname, Name: s.Relation.Relname, IfNotExists: s.IfNotExists}
		for _, el := range s.TableElts {
			switch e := el.Node.(type) {
			case *pg.Node_ColumnDef:
				d, _, err := b.columnDef(e.ColumnDef)
				if err != nil {
					return nil, err
				}
				if d.Primary {
					ct.PrimaryKey = []string{d.Name}
				}
				if d.Unique {
					ct.Uniques = append(ct.Uniques, []string{d.Name})
				}
				ct.Cols = append(ct.Cols, d)
			case *pg.Node_Constraint:
				switch e.Constraint.Contype {
				case pg.ConstrType_CONSTR_PRIMARY:
					ct.PrimaryKey = keyNames(e.Constraint.Keys)
				case pg.ConstrType_CONSTR_UNIQUE:
					ct.Uniques = append(ct.Uniques, keyNames(e.Constraint.Keys))
				}
			case *pg.Node_TableLikeClause:
				return nil, pgerr.New(pgerr.FeatureNotSupported, "CREATE TABLE ... LIKE is not supported yet")
			}
		}
		return ct, nil
	case *pg.Node_CreateTableAsStmt:
		s := x.CreateTableAsStmt
		if s.Objtype == pg.ObjectType_OBJECT_MATVIEW {
			return b.createMatView(s)
		}
		node, err := b.selectStmt(s.Query.GetSelectStmt(), nil)
		if err != nil {
			return nil, err
		}
		ct := &CreateTable{Schema: s.Into.Rel.Schemaname, Name: s.Into.Rel.Relname, IfNotExists: s.IfNotExists, AsQuery: node}
		for _, c := range visible(node.Columns()) {
			ct.Cols = append(ct.Cols, ColumnDef{Name: c.Name, Type: c.T})
		}
		return ct, nil
	case *pg.Node_DropStmt:
		s := x.DropStmt
		d := &Drop{IfExists: s.MissingOk, Cascade: s.Behavior == pg.DropBehavior_DROP_CASCADE}
		switch s.RemoveType {
		case pg.ObjectType_OBJECT_TABLE:
			d.Kind = "TABLE"
		case pg.ObjectType_OBJECT_SCHEMA:
			d.Kind = "SCHEMA"
		case pg.ObjectType_OBJECT_INDEX:
			d.Kind = "INDEX"
		case pg.ObjectType_OBJECT_EXTENSION:
			d.Kind = "EXTENSION"
		case pg.ObjectType_OBJECT_VIEW:
			d.Kind = "VIEW"
		case pg.ObjectType_OBJECT_MATVIEW:
			d.Kind = "MATERIALIZED VIEW"
		case pg.ObjectType_OBJECT_SEQUENCE:
			d.Kind = "SEQUENCE"
		case pg.ObjectType_OBJECT_FUNCTION:
			d.Kind = "FUNCTION"
		case pg.ObjectType_OBJECT_PROCEDURE:
			d.Kind = "PROCEDURE"
		case pg.ObjectType_OBJECT_TYPE:
			d.Kind = "TYPE"
		default:
			return nil, pgerr.New(pgerr.FeatureNotSupported, "unsupported DROP")
		}
		for _, o := range s.Objects {
			var parts []string
			if l := o.GetList(); l != nil {
				for _, it := range l.Items {
					parts = append(parts, strVal(it))
				}
			} else if s := o.GetString_(); s != nil {
				parts = []string{s.Sval}
			} else if tn := o.GetTypeName(); tn != nil {
				for _, it := range tn.Names {
					parts = append(parts, strVal(it))
				}
			} else if ow := o.GetObjectWithArgs(); ow != nil {
				for _, it := range ow.Objname {
					parts = append(parts, strVal(it))
				}
				ts, err := b.funcArgTypes(ow)
				if err != nil {
					return nil, err
				}
				d.FuncArgs = append(d.FuncArgs, ts)
			}
			on := ObjectName{}
			if len(parts) >= 2 {
				on.Schema, on.Name = parts[len(parts)-2], parts[len(parts)-1]
			} else if len(parts) == 1 {
				on.Name = parts[0]
			}
			d.Names = append(d.Names, on)
		}
		return d, nil
	case *pg.Node_AlterTableStmt:
		return b.alterTable(x.AlterTableStmt)
	case *pg.Node_RenameStmt:
		s := x.RenameStmt
		if s.Relation == nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "unsupported ALTER ... RENAME")
		}
		at := &AlterTable{Table: objName(s.Relation), IfExists: s.MissingOk}
		switch s.RenameType {
		case pg.ObjectType_OBJECT_COLUMN:
			at.Cmds = []AlterCmd{{Kind: "RENAME COLUMN", Name: s.Subname, NewName: s.Newname}}
		case pg.ObjectType_OBJECT_TABLE:
			at.Cmds = []AlterCmd{{Kind: "RENAME TABLE", NewName: s.Newname}}
		default:
			return &Noop{Tag: "ALTER TABLE"}, nil
		}
		return at, nil
	case *pg.Node_IndexStmt:
		s := x.IndexStmt
		ci := &CreateIndex{Name: s.Idxname, Table: objName(s.Relation), Unique: s.Unique, IfNotExists: s.IfNotExists}
		for _, p := range s.IndexParams {
			ie := p.GetIndexElem()
			ci.Options = append(ci.Options, indexOption(ie))
			if ie.Name == "" {
				ci.Cols = append(ci.Cols, "expr")
				continue
			}
			ci.Cols = append(ci.Cols, ie.Name)
		}
		return ci, nil
	case *pg.Node_CreateSchemaStmt:
		return &CreateSchema{Name: x.CreateSchemaStmt.Schemaname, IfNotExists: x.CreateSchemaStmt.IfNotExists}, nil
	case *pg.Node_CreatedbStmt:
		return &CreateDatabase{Name: x.CreatedbStmt.Dbname}, nil
	case *pg.Node_DropdbStmt:
		return &Drop{Kind: "DATABASE", Names: []ObjectName{{Name: x.DropdbStmt.Dbname}}, IfExists: x.DropdbStmt.MissingOk}, nil
	case *pg.Node_CreateExtensionStmt:
		return &CreateExtension{Name: x.CreateExtensionStmt.Extname, IfNotExists: x.CreateExtensionStmt.IfNotExists}, nil
	case *pg.Node_TruncateStmt:
		t := &Truncate{}
		for _, r := range x.TruncateStmt.Relations {
			t.Tables = append(t.Tables, objName(r.GetRangeVar()))
		}
		return t, nil
	case *pg.Node_CreateRoleStmt:
		r := &RoleStmt{Create: true, Name: x.CreateRoleStmt.Role}
		if x.CreateRoleStmt.StmtType == pg.RoleStmtType_ROLESTMT_USER {
			t := true
			r.Login = &t
		}
		roleOptions(r, x.CreateRoleStmt.Options)
		return r, nil
	case *pg.Node_AlterRoleStmt:
		r := &RoleStmt{Name: x.AlterRoleStmt.Role.Rolename}
		roleOptions(r, x.AlterRoleStmt.Options)
		return r, nil
	case *pg.Node_DropRoleStmt:
		d := &Drop{Kind: "ROLE", IfExists: x.DropRoleStmt.MissingOk}
		for _, r := range x.DropRoleStmt.Roles {
			d.Names = append(d.Names, ObjectName{Name: r.GetRoleSpec().Rolename})
		}
		return d, nil
	case *pg.Node_TransactionStmt:
		s := x.TransactionStmt
		t := &Transaction{Savepoint: s.SavepointName}
		switch s.Kind {
		case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
			t.Kind = "BEGIN"
		case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
			t.Kind = "COMMIT"
		case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
			t.Kind = "ROLLBACK"
		case pg.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
			t.Kind = "SAVEPOINT"
		case pg.TransactionStmtKind_TRANS_STMT_RELEASE:
			t.Kind = "RELEASE"
		case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
			t.Kind = "ROLLBACK TO"
		default:
			return nil, pgerr.New(pgerr.FeatureNotSupported, "two-phase commit is not supported")
		}
		return t, nil
	case *pg.Node_VariableSetStmt:
		s := x.VariableSetStmt
		st := &Set{Name: strings.ToLower(s.Name), Local: s.IsLocal}
		switch s.Kind {
		case pg.VariableSetKind_VAR_SET_VALUE:
			for _, a := range s.Args {
				if tc := a.GetTypeCast(); tc != nil {
					st.Values = append(st.Values, defString(tc.Arg))
					continue
				}
				st.Values = append(st.Values, defString(a))
			}
		case pg.VariableSetKind_VAR_RESET_ALL:
			st.All = true
		case pg.VariableSetKind_VAR_SET_MULTI:
			return &Noop{Tag: "SET"}, nil
		}
		return st, nil
	case *pg.Node_VariableShowStmt:
		return &Show{Name: strings.ToLower(x.VariableShowStmt.Name)}, nil
	case *pg.Node_DeallocateStmt:
		return &Deallocate{Name: x.DeallocateStmt.Name, All: x.DeallocateStmt.Name == ""}, nil
	case *pg.Node_ViewStmt:
		s := x.ViewStmt
		q, err := deparseSelect(s.Query)
		if err != nil {
			return nil, err
		}
		node, err := b.selectStmt(s.Query.GetSelectStmt(), nil)
		if err != nil {
			return nil, err
		}
		return &CreateView{Name: objName(s.View), SQL: q, Replace: s.Replace, Cols: viewCols(node, s.Aliases)}, nil
	case *pg.Node_RefreshMatViewStmt:
		return &RefreshMatView{Name: objName(x.RefreshMatViewStmt.Relation), WithData: !x.RefreshMatViewStmt.SkipData}, nil
	case *pg.Node_VacuumStmt:
		if x.VacuumStmt.IsVacuumcmd {
			return &Noop{Tag: "VACUUM"}, nil
		}
		return &Noop{Tag: "ANALYZE"}, nil
	case *pg.Node_GrantStmt:
		if x.GrantStmt.IsGrant {
			return &Noop{Tag: "GRANT"}, nil
		}
		return &Noop{Tag: "REVOKE"}, nil
	case *pg.Node_GrantRoleStmt:
		return &Noop{Tag: "GRANT ROLE"}, nil
	case *pg.Node_CommentStmt:
		return &Noop{Tag: "COMMENT"}, nil
	case *pg.Node_ListenStmt:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "LISTEN is not supported: tsgres has no asynchronous notifications (LISTEN/NOTIFY)")
	case *pg.Node_NotifyStmt:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "NOTIFY is not supported: tsgres has no asynchronous notifications (LISTEN/NOTIFY)")
	case *pg.Node_UnlistenStmt:
		// Nothing can be listened to, so UNLISTEN has nothing to undo and
		// succeeds as in PostgreSQL (poolers reset connections with it).
		return &Noop{Tag: "UNLISTEN"}, nil
	case *pg.Node_DiscardStmt:
		return &Noop{Tag: "DISCARD ALL"}, nil
	case *pg.Node_CheckPointStmt:
		return &Noop{Tag: "CHECKPOINT"}, nil
	case *pg.Node_CreateSeqStmt:
		return &Noop{Tag: "CREATE SEQUENCE"}, nil
	case *pg.Node_ClusterStmt:
		return &Noop{Tag: "CLUSTER"}, nil
	case *pg.Node_ReindexStmt:
		return &Noop{Tag: "REINDEX"}, nil
	case *pg.Node_LockStmt:
		return &Noop{Tag: "LOCK TABLE"}, nil
	case *pg.Node_AlterDatabaseSetStmt, *pg.Node_AlterRoleSetStmt:
		return &Noop{Tag: "ALTER DATABASE"}, nil
	case *pg.Node_DoStmt:
		return doStmt(x.DoStmt)
	case *pg.Node_CreateFunctionStmt:
		return b.createFunction(x.CreateFunctionStmt)
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "statement not supported: %s", firstWords(sql))
}

func deparseSelect(n *pg.Node) (string, error) {
	s, err := pg.Deparse(&pg.ParseResult{Stmts: []*pg.RawStmt{{Stmt: n}}})
	if err != nil {
		return "", pgerr.New(pgerr.SyntaxError, "cannot deparse query: %v", err)
	}
	return s, nil
}

func firstWords(sql string) string {
	f := strings.Fields(sql)
	if len(f) > 3 {
		f = f[:3]
	}
	return strings.Join(f, " ")
}

func roleOptions(r *RoleStmt, opts []*pg.Node) {
	for _, o := range opts {
		d := o.GetDefElem()
		switch d.Defname {
		case "password":
			if d.Arg != nil {
				p := defString(d.Arg)
				r.Password = &p
			}
		case "canlogin":
			v := defBool(d.Arg)
			r.Login = &v
		case "superuser":
			v := defBool(d.Arg)
			r.Superuser = &v
		}
	}
}

func (b *binder) alterTable(s *pg.AlterTableStmt) (Statement, error) {
	at := &AlterTable{Table: objName(s.Relation), IfExists: s.MissingOk}
	if s.Objtype == pg.ObjectType_OBJECT_MATVIEW || s.Objtype == pg.ObjectType_OBJECT_VIEW {
		return alterView(s)
	}
	for _, c := range s.Cmds {
		cmd := c.GetAlterTableCmd()
		switch cmd.Subtype {
		case pg.AlterTableType_AT_AddColumn:
			d, _, err := b.columnDef(cmd.Def.GetColumnDef())
			if err != nil {
				return nil, err
			}
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "ADD COLUMN", Col: d, IfExists: cmd.MissingOk})
		case pg.AlterTableType_AT_DropColumn:
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "DROP COLUMN", Name: cmd.Name, IfExists: cmd.MissingOk})
		case pg.AlterTableType_AT_SetRelOptions, pg.AlterTableType_AT_ResetRelOptions:
			opts := map[string]string{}
			for _, o := range cmd.Def.GetList().GetItems() {
				name, v := relOption(o.GetDefElem())
				opts[name] = v
			}
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "SET OPTIONS", Options: opts})
		case pg.AlterTableType_AT_SetNotNull:
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "SET NOT NULL", Name: cmd.Name})
		case pg.AlterTableType_AT_DropNotNull:
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "DROP NOT NULL", Name: cmd.Name})
		case pg.AlterTableType_AT_ColumnDefault:
			ac := AlterCmd{Kind: "DROP DEFAULT", Name: cmd.Name}
			if cmd.Def != nil {
				s, err := deparseExpr(cmd.Def)
				if err != nil {
					return nil, err
				}
				ac.Kind, ac.Col.Default = "SET DEFAULT", s
			}
			at.Cmds = append(at.Cmds, ac)
		case pg.AlterTableType_AT_AlterColumnType:
			d := cmd.Def.GetColumnDef()
			t, err := b.typeName(d.TypeName)
			if err != nil {
				return nil, err
			}
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "ALTER TYPE", Name: cmd.Name, Col: ColumnDef{Name: cmd.Name, Type: t}})
		case pg.AlterTableType_AT_AddConstraint:
			con := cmd.Def.GetConstraint()
			switch con.Contype {
			case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE:
				at.Cmds = append(at.Cmds, AlterCmd{Kind: "ADD CONSTRAINT", Name: con.Conname, Unique: keyNames(con.Keys), Primary: con.Contype == pg.ConstrType_CONSTR_PRIMARY})
			default:
				at.Cmds = append(at.Cmds, AlterCmd{Kind: "NOOP"})
			}
		default:
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "NOOP"})
		}
	}
	return at, nil
}

// indexOption returns an index column's sort options as pg_index.indoption
// bits: DESC, and NULLS FIRST (the default for DESC).
func indexOption(ie *pg.IndexElem) int16 {
	var o int16
	desc := ie.Ordering == pg.SortByDir_SORTBY_DESC
	if desc {
		o |= catalog.IndexDesc
	}
	switch ie.NullsOrdering {
	case pg.SortByNulls_SORTBY_NULLS_FIRST:
		o |= catalog.IndexNullsFirst
	case pg.SortByNulls_SORTBY_NULLS_DEFAULT:
		if desc {
			o |= catalog.IndexNullsFirst
		}
	}
	return o
}
