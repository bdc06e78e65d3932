package plan

import (
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/parse"
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
func relOption(d *parse.DefElem) (name, value string) {
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
func deparseExpr(n *parse.Node) (string, error) {
	tree := &parse.ParseResult{Stmts: []*parse.RawStmt{{Stmt: &parse.Node{Node: &parse.Node_SelectStmt{SelectStmt: &parse.SelectStmt{
		TargetList: []*parse.Node{{Node: &parse.Node_ResTarget{ResTarget: &parse.ResTarget{Val: n}}}},
	}}}}}}
	s, err := parse.Deparse(tree)
	if err != nil {
		return "", pgerr.New(pgerr.SyntaxError, "cannot deparse expression: %v", err)
	}
	return strings.TrimPrefix(s, "SELECT "), nil
}

func objName(rv *parse.RangeVar) ObjectName {
	return ObjectName{Schema: rv.Schemaname, Name: rv.Relname}
}

func (b *binder) columnDef(cd *parse.ColumnDef) (ColumnDef, []string, error) {
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
		case parse.ConstrType_CONSTR_NOTNULL:
			d.NotNull = true
		case parse.ConstrType_CONSTR_NULL:
			d.NotNull = false
		case parse.ConstrType_CONSTR_DEFAULT:
			s, err := deparseExpr(con.RawExpr)
			if err != nil {
				return d, nil, err
			}
			d.Default = s
		case parse.ConstrType_CONSTR_PRIMARY:
			d.Primary, d.NotNull = true, true
		case parse.ConstrType_CONSTR_UNIQUE:
			d.Unique = true
			uniq = append(uniq, cd.Colname)
		case parse.ConstrType_CONSTR_CHECK, parse.ConstrType_CONSTR_FOREIGN:
			if _, err := tableConstraint(con, cd.Colname, &d.Checks, &d.ForeignKeys); err != nil {
				return d, nil, err
			}
		case parse.ConstrType_CONSTR_GENERATED, parse.ConstrType_CONSTR_IDENTITY:
			// Accepted, not enforced yet.
		}
	}
	return d, uniq, nil
}

func keyNames(keys []*parse.Node) []string {
	var out []string
	for _, k := range keys {
		out = append(out, strVal(k))
	}
	return out
}

func (b *binder) utility(n *parse.Node, sql string) (Statement, error) {
	switch x := n.Node.(type) {
	case *parse.Node_CreateStmt:
		s := x.CreateStmt
		ct := &CreateTable{Schema: s.Relation.Schemaname, Name: s.Relation.Relname, IfNotExists: s.IfNotExists}
		if err := tempOptions(ct, s.Relation.Relpersistence, s.Oncommit); err != nil {
			return nil, err
		}
		for _, el := range s.TableElts {
			switch e := el.Node.(type) {
			case *parse.Node_ColumnDef:
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
				ct.Checks = append(ct.Checks, d.Checks...)
				ct.ForeignKeys = append(ct.ForeignKeys, d.ForeignKeys...)
				ct.Cols = append(ct.Cols, d)
			case *parse.Node_Constraint:
				switch e.Constraint.Contype {
				case parse.ConstrType_CONSTR_PRIMARY:
					ct.PrimaryKey = keyNames(e.Constraint.Keys)
				case parse.ConstrType_CONSTR_UNIQUE:
					ct.Uniques = append(ct.Uniques, keyNames(e.Constraint.Keys))
				default:
					if _, err := tableConstraint(e.Constraint, "", &ct.Checks, &ct.ForeignKeys); err != nil {
						return nil, err
					}
				}
			case *parse.Node_TableLikeClause:
				return nil, pgerr.New(pgerr.FeatureNotSupported, "CREATE TABLE ... LIKE is not supported yet")
			}
		}
		return ct, nil
	case *parse.Node_CreateTableAsStmt:
		s := x.CreateTableAsStmt
		if s.Objtype == parse.ObjectType_OBJECT_MATVIEW {
			return b.createMatView(s)
		}
		node, err := b.selectStmt(s.Query.GetSelectStmt(), nil)
		if err != nil {
			return nil, err
		}
		ct := &CreateTable{Schema: s.Into.Rel.Schemaname, Name: s.Into.Rel.Relname, IfNotExists: s.IfNotExists, AsQuery: node}
		if err := tempOptions(ct, s.Into.Rel.Relpersistence, s.Into.OnCommit); err != nil {
			return nil, err
		}
		for _, c := range visible(node.Columns()) {
			ct.Cols = append(ct.Cols, ColumnDef{Name: c.Name, Type: c.T})
		}
		return ct, nil
	case *parse.Node_DropStmt:
		s := x.DropStmt
		d := &Drop{IfExists: s.MissingOk, Cascade: s.Behavior == parse.DropBehavior_DROP_CASCADE}
		switch s.RemoveType {
		case parse.ObjectType_OBJECT_TABLE:
			d.Kind = "TABLE"
		case parse.ObjectType_OBJECT_SCHEMA:
			d.Kind = "SCHEMA"
		case parse.ObjectType_OBJECT_INDEX:
			d.Kind = "INDEX"
		case parse.ObjectType_OBJECT_EXTENSION:
			d.Kind = "EXTENSION"
		case parse.ObjectType_OBJECT_VIEW:
			d.Kind = "VIEW"
		case parse.ObjectType_OBJECT_MATVIEW:
			d.Kind = "MATERIALIZED VIEW"
		case parse.ObjectType_OBJECT_SEQUENCE:
			d.Kind = "SEQUENCE"
		case parse.ObjectType_OBJECT_FUNCTION:
			d.Kind = "FUNCTION"
		case parse.ObjectType_OBJECT_PROCEDURE:
			d.Kind = "PROCEDURE"
		case parse.ObjectType_OBJECT_TYPE:
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
	case *parse.Node_AlterTableStmt:
		return b.alterTable(x.AlterTableStmt)
	case *parse.Node_RenameStmt:
		s := x.RenameStmt
		if s.Relation == nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "unsupported ALTER ... RENAME")
		}
		at := &AlterTable{Table: objName(s.Relation), IfExists: s.MissingOk}
		switch s.RenameType {
		case parse.ObjectType_OBJECT_COLUMN:
			at.Cmds = []AlterCmd{{Kind: "RENAME COLUMN", Name: s.Subname, NewName: s.Newname}}
		case parse.ObjectType_OBJECT_TABLE:
			at.Cmds = []AlterCmd{{Kind: "RENAME TABLE", NewName: s.Newname}}
		default:
			return &Noop{Tag: "ALTER TABLE"}, nil
		}
		return at, nil
	case *parse.Node_IndexStmt:
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
	case *parse.Node_CreateSchemaStmt:
		return &CreateSchema{Name: x.CreateSchemaStmt.Schemaname, IfNotExists: x.CreateSchemaStmt.IfNotExists}, nil
	case *parse.Node_CreatedbStmt:
		return &CreateDatabase{Name: x.CreatedbStmt.Dbname}, nil
	case *parse.Node_DropdbStmt:
		d := &Drop{Kind: "DATABASE", Names: []ObjectName{{Name: x.DropdbStmt.Dbname}}, IfExists: x.DropdbStmt.MissingOk}
		for _, o := range x.DropdbStmt.Options {
			de := o.GetDefElem()
			if de.GetDefname() != "force" {
				return nil, pgerr.New(pgerr.SyntaxError, "unrecognized DROP DATABASE option \"%s\"", de.GetDefname())
			}
			d.Force = true
		}
		return d, nil
	case *parse.Node_CreateExtensionStmt:
		return &CreateExtension{Name: x.CreateExtensionStmt.Extname, IfNotExists: x.CreateExtensionStmt.IfNotExists}, nil
	case *parse.Node_TruncateStmt:
		t := &Truncate{Cascade: x.TruncateStmt.Behavior == parse.DropBehavior_DROP_CASCADE}
		for _, r := range x.TruncateStmt.Relations {
			t.Tables = append(t.Tables, objName(r.GetRangeVar()))
		}
		return t, nil
	case *parse.Node_CreateRoleStmt:
		r := &RoleStmt{Create: true, Name: x.CreateRoleStmt.Role}
		if x.CreateRoleStmt.StmtType == parse.RoleStmtType_ROLESTMT_USER {
			t := true
			r.Login = &t
		}
		roleOptions(r, x.CreateRoleStmt.Options)
		return r, nil
	case *parse.Node_AlterRoleStmt:
		r := &RoleStmt{Name: x.AlterRoleStmt.Role.Rolename}
		roleOptions(r, x.AlterRoleStmt.Options)
		return r, nil
	case *parse.Node_DropRoleStmt:
		d := &Drop{Kind: "ROLE", IfExists: x.DropRoleStmt.MissingOk}
		for _, r := range x.DropRoleStmt.Roles {
			d.Names = append(d.Names, ObjectName{Name: r.GetRoleSpec().Rolename})
		}
		return d, nil
	case *parse.Node_TransactionStmt:
		s := x.TransactionStmt
		t := &Transaction{Savepoint: s.SavepointName}
		switch s.Kind {
		case parse.TransactionStmtKind_TRANS_STMT_BEGIN, parse.TransactionStmtKind_TRANS_STMT_START:
			t.Kind = "BEGIN"
		case parse.TransactionStmtKind_TRANS_STMT_COMMIT:
			t.Kind = "COMMIT"
		case parse.TransactionStmtKind_TRANS_STMT_ROLLBACK:
			t.Kind = "ROLLBACK"
		case parse.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
			t.Kind = "SAVEPOINT"
		case parse.TransactionStmtKind_TRANS_STMT_RELEASE:
			t.Kind = "RELEASE"
		case parse.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
			t.Kind = "ROLLBACK TO"
		default:
			return nil, pgerr.New(pgerr.FeatureNotSupported, "two-phase commit is not supported")
		}
		t.Modes = transactionModes(s.Options)
		return t, nil
	case *parse.Node_VariableSetStmt:
		s := x.VariableSetStmt
		st := &Set{Name: strings.ToLower(s.Name), Local: s.IsLocal}
		switch s.Kind {
		case parse.VariableSetKind_VAR_SET_VALUE:
			for _, a := range s.Args {
				if tc := a.GetTypeCast(); tc != nil {
					st.Values = append(st.Values, defString(tc.Arg))
					continue
				}
				st.Values = append(st.Values, defString(a))
			}
		case parse.VariableSetKind_VAR_RESET_ALL:
			st.All = true
		case parse.VariableSetKind_VAR_SET_MULTI:
			switch s.Name {
			case "TRANSACTION":
				return &Transaction{Kind: "SET TRANSACTION", Modes: transactionModes(s.Args)}, nil
			case "SESSION CHARACTERISTICS":
				return &Transaction{Kind: "SET SESSION CHARACTERISTICS", Modes: transactionModes(s.Args)}, nil
			}
			return &Noop{Tag: "SET"}, nil
		}
		return st, nil
	case *parse.Node_VariableShowStmt:
		return &Show{Name: strings.ToLower(x.VariableShowStmt.Name)}, nil
	case *parse.Node_DeallocateStmt:
		return &Deallocate{Name: x.DeallocateStmt.Name, All: x.DeallocateStmt.Name == ""}, nil
	case *parse.Node_ViewStmt:
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
	case *parse.Node_RefreshMatViewStmt:
		return &RefreshMatView{Name: objName(x.RefreshMatViewStmt.Relation), WithData: !x.RefreshMatViewStmt.SkipData}, nil
	case *parse.Node_VacuumStmt:
		if x.VacuumStmt.IsVacuumcmd {
			return &Noop{Tag: "VACUUM"}, nil
		}
		return &Noop{Tag: "ANALYZE"}, nil
	case *parse.Node_GrantStmt:
		if x.GrantStmt.IsGrant {
			return &Noop{Tag: "GRANT"}, nil
		}
		return &Noop{Tag: "REVOKE"}, nil
	case *parse.Node_GrantRoleStmt:
		return &Noop{Tag: "GRANT ROLE"}, nil
	case *parse.Node_CommentStmt:
		return &Noop{Tag: "COMMENT"}, nil
	case *parse.Node_ListenStmt:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "LISTEN is not supported: tsgres has no asynchronous notifications (LISTEN/NOTIFY)")
	case *parse.Node_NotifyStmt:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "NOTIFY is not supported: tsgres has no asynchronous notifications (LISTEN/NOTIFY)")
	case *parse.Node_UnlistenStmt:
		// Nothing can be listened to, so UNLISTEN has nothing to undo and
		// succeeds as in PostgreSQL (poolers reset connections with it).
		return &Noop{Tag: "UNLISTEN"}, nil
	case *parse.Node_DiscardStmt:
		return &Noop{Tag: "DISCARD ALL"}, nil
	case *parse.Node_CheckPointStmt:
		return &Noop{Tag: "CHECKPOINT"}, nil
	case *parse.Node_CreateSeqStmt:
		return &Noop{Tag: "CREATE SEQUENCE"}, nil
	case *parse.Node_ClusterStmt:
		return &Noop{Tag: "CLUSTER"}, nil
	case *parse.Node_ReindexStmt:
		return &Noop{Tag: "REINDEX"}, nil
	case *parse.Node_LockStmt:
		l := &LockTable{Mode: int(x.LockStmt.Mode), NoWait: x.LockStmt.Nowait}
		for _, r := range x.LockStmt.Relations {
			l.Tables = append(l.Tables, objName(r.GetRangeVar()))
		}
		return l, nil
	case *parse.Node_AlterDatabaseSetStmt, *parse.Node_AlterRoleSetStmt:
		return &Noop{Tag: "ALTER DATABASE"}, nil
	case *parse.Node_DoStmt:
		return doStmt(x.DoStmt)
	case *parse.Node_CreateFunctionStmt:
		return b.createFunction(x.CreateFunctionStmt)
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "statement not supported: %s", firstWords(sql))
}

func deparseSelect(n *parse.Node) (string, error) {
	s, err := parse.Deparse(&parse.ParseResult{Stmts: []*parse.RawStmt{{Stmt: n}}})
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

func roleOptions(r *RoleStmt, opts []*parse.Node) {
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

func (b *binder) alterTable(s *parse.AlterTableStmt) (Statement, error) {
	at := &AlterTable{Table: objName(s.Relation), IfExists: s.MissingOk}
	if s.Objtype == parse.ObjectType_OBJECT_MATVIEW || s.Objtype == parse.ObjectType_OBJECT_VIEW {
		return alterView(s)
	}
	for _, c := range s.Cmds {
		cmd := c.GetAlterTableCmd()
		switch cmd.Subtype {
		case parse.AlterTableType_AT_AddColumn:
			d, _, err := b.columnDef(cmd.Def.GetColumnDef())
			if err != nil {
				return nil, err
			}
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "ADD COLUMN", Col: d, IfExists: cmd.MissingOk})
		case parse.AlterTableType_AT_DropColumn:
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "DROP COLUMN", Name: cmd.Name, IfExists: cmd.MissingOk, Cascade: cmd.Behavior == parse.DropBehavior_DROP_CASCADE})
		case parse.AlterTableType_AT_SetRelOptions, parse.AlterTableType_AT_ResetRelOptions:
			opts := map[string]string{}
			for _, o := range cmd.Def.GetList().GetItems() {
				name, v := relOption(o.GetDefElem())
				opts[name] = v
			}
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "SET OPTIONS", Options: opts})
		case parse.AlterTableType_AT_SetNotNull:
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "SET NOT NULL", Name: cmd.Name})
		case parse.AlterTableType_AT_DropNotNull:
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "DROP NOT NULL", Name: cmd.Name})
		case parse.AlterTableType_AT_ColumnDefault:
			ac := AlterCmd{Kind: "DROP DEFAULT", Name: cmd.Name}
			if cmd.Def != nil {
				s, err := deparseExpr(cmd.Def)
				if err != nil {
					return nil, err
				}
				ac.Kind, ac.Col.Default = "SET DEFAULT", s
			}
			at.Cmds = append(at.Cmds, ac)
		case parse.AlterTableType_AT_AlterColumnType:
			d := cmd.Def.GetColumnDef()
			t, err := b.typeName(d.TypeName)
			if err != nil {
				return nil, err
			}
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "ALTER TYPE", Name: cmd.Name, Col: ColumnDef{Name: cmd.Name, Type: t}})
		case parse.AlterTableType_AT_AddConstraint:
			con := cmd.Def.GetConstraint()
			switch con.Contype {
			case parse.ConstrType_CONSTR_PRIMARY, parse.ConstrType_CONSTR_UNIQUE:
				at.Cmds = append(at.Cmds, AlterCmd{Kind: "ADD CONSTRAINT", Name: con.Conname, Unique: keyNames(con.Keys), Primary: con.Contype == parse.ConstrType_CONSTR_PRIMARY})
			default:
				var checks []CheckDef
				var fks []ForeignKeyDef
				ok, err := tableConstraint(con, "", &checks, &fks)
				switch {
				case err != nil:
					return nil, err
				case !ok:
					at.Cmds = append(at.Cmds, AlterCmd{Kind: "NOOP"})
				case len(checks) > 0:
					at.Cmds = append(at.Cmds, AlterCmd{Kind: "ADD CONSTRAINT", Check: &checks[0]})
				default:
					at.Cmds = append(at.Cmds, AlterCmd{Kind: "ADD CONSTRAINT", ForeignKey: &fks[0]})
				}
			}
		case parse.AlterTableType_AT_DropConstraint:
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "DROP CONSTRAINT", Name: cmd.Name, IfExists: cmd.MissingOk, Cascade: cmd.Behavior == parse.DropBehavior_DROP_CASCADE})
		case parse.AlterTableType_AT_ValidateConstraint:
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "VALIDATE CONSTRAINT", Name: cmd.Name})
		default:
			at.Cmds = append(at.Cmds, AlterCmd{Kind: "NOOP"})
		}
	}
	return at, nil
}

// indexOption returns an index column's sort options as pg_index.indoption
// bits: DESC, and NULLS FIRST (the default for DESC).
func indexOption(ie *parse.IndexElem) int16 {
	var o int16
	desc := ie.Ordering == parse.SortByDir_SORTBY_DESC
	if desc {
		o |= catalog.IndexDesc
	}
	switch ie.NullsOrdering {
	case parse.SortByNulls_SORTBY_NULLS_FIRST:
		o |= catalog.IndexNullsFirst
	case parse.SortByNulls_SORTBY_NULLS_DEFAULT:
		if desc {
			o |= catalog.IndexNullsFirst
		}
	}
	return o
}

// transactionModes reads the transaction modes of BEGIN, START
// TRANSACTION and SET TRANSACTION (DefElems named after the settings
// they set).
func transactionModes(opts []*parse.Node) map[string]string {
	if len(opts) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, o := range opts {
		d := o.GetDefElem()
		if d == nil {
			continue
		}
		v := defString(d.Arg)
		switch d.Defname {
		case "transaction_read_only", "transaction_deferrable":
			if v == "1" || v == "true" {
				v = "on"
			} else {
				v = "off"
			}
		}
		m[d.Defname] = v
	}
	return m
}

// tempOptions reads CREATE TABLE's persistence ("t": TEMPORARY; "u":
// UNLOGGED, which tsgres stores like any table) and ON COMMIT action.
func tempOptions(ct *CreateTable, persistence string, onCommit parse.OnCommitAction) error {
	ct.Temp = persistence == "t"
	switch onCommit {
	case parse.OnCommitAction_ONCOMMIT_PRESERVE_ROWS:
		ct.OnCommit = "PRESERVE ROWS"
	case parse.OnCommitAction_ONCOMMIT_DELETE_ROWS:
		ct.OnCommit = "DELETE ROWS"
	case parse.OnCommitAction_ONCOMMIT_DROP:
		ct.OnCommit = "DROP"
	}
	if ct.OnCommit != "" && !ct.Temp {
		return pgerr.New(pgerr.InvalidTableDefinition, "ON COMMIT can only be used on temporary tables")
	}
	return nil
}
