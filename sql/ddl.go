package sql

import (
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/server/scram"
	"github.com/tsgres/tsgres/sql/exec"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/table"
	"github.com/tsgres/tsgres/storage"
	"github.com/tsgres/tsgres/storage/col"
)

func (s *session) schemaOrDefault(name string) string {
	if name != "" {
		return name
	}
	env := &execEnv{s: s}
	for _, sc := range env.SearchPath() {
		if s.catalogSnap().Schema(s.dbOID, sc) != nil && sc != catalog.SchemaCatalog {
			return sc
		}
	}
	return catalog.SchemaPublic
}

func (s *session) findTable(on plan.ObjectName) *catalog.Table {
	snap := s.catalogSnap()
	if on.Schema != "" {
		return snap.Table(s.dbOID, on.Schema, on.Name)
	}
	for _, sc := range (&execEnv{s: s}).SearchPath() {
		if t := snap.Table(s.dbOID, sc, on.Name); t != nil {
			return t
		}
	}
	return nil
}

func noTable(on plan.ObjectName) error {
	name := on.Name
	if on.Schema != "" {
		name = on.Schema + "." + on.Name
	}
	return pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name)
}

func (s *session) ddlStmt(env *execEnv, st plan.Statement, w ResultWriter) error {
	switch x := st.(type) {
	case *plan.CreateTable:
		return s.createTable(env, x, w)
	case *plan.Drop:
		return s.drop(x, w)
	case *plan.AlterTable:
		return s.alterTable(env, x, w)
	case *plan.CreateIndex:
		return s.createIndex(x, w)
	case *plan.CreateSchema:
		if s.catalogSnap().Schema(s.dbOID, x.Name) != nil && x.IfNotExists {
			_ = w.Notice("NOTICE", "42P06", fmt.Sprintf("schema %q already exists, skipping", x.Name))
			return w.Complete("CREATE SCHEMA")
		}
		if err := s.writer().CreateSchema(s.dbOID, x.Name); err != nil {
			return err
		}
		return w.Complete("CREATE SCHEMA")
	case *plan.CreateDatabase:
		if s.inBlock {
			return pgerr.New(pgerr.ActiveSQLTransaction, "CREATE DATABASE cannot run inside a transaction block")
		}
		if _, err := s.writer().CreateDatabase(x.Name); err != nil {
			return err
		}
		return w.Complete("CREATE DATABASE")
	case *plan.CreateExtension:
		switch x.Name {
		case "timescaledb", "plpgsql", "pg_stat_statements", "timescaledb_toolkit":
		default:
			return pgerr.New(pgerr.UndefinedFile, "extension %q is not available", x.Name)
		}
		if _, ok := s.catalogSnap().Extensions(s.dbOID)[x.Name]; ok {
			if x.IfNotExists {
				_ = w.Notice("NOTICE", "42710", fmt.Sprintf("extension %q already exists, skipping", x.Name))
				return w.Complete("CREATE EXTENSION")
			}
			return pgerr.New(pgerr.DuplicateObject, "extension %q already exists", x.Name)
		}
		if err := s.writer().CreateExtension(s.dbOID, x.Name, TimescaleVersion); err != nil {
			return err
		}
		return w.Complete("CREATE EXTENSION")
	case *plan.Truncate:
		for _, on := range x.Tables {
			t := s.findTable(on)
			if t == nil {
				return noTable(on)
			}
			if t.Hyper != nil {
				for _, c := range s.chunks(t.OID) {
					s.txn.DropChunk(c.ID)
				}
				s.txn.DropTable(uint64(t.OID)) // last-value indexes
			} else {
				s.txn.DropTable(uint64(t.OID))
			}
		}
		return w.Complete("TRUNCATE TABLE")
	case *plan.RoleStmt:
		return s.roleStmt(x, w)
	case *plan.CreateView:
		return pgerr.New(pgerr.FeatureNotSupported, "CREATE VIEW is not supported yet")
	}
	return pgerr.New(pgerr.FeatureNotSupported, "statement not supported: %T", st)
}

func (s *session) createTable(env *execEnv, x *plan.CreateTable, w ResultWriter) error {
	schema := s.schemaOrDefault(x.Schema)
	if s.catalogSnap().Table(s.dbOID, schema, x.Name) != nil && x.IfNotExists {
		_ = w.Notice("NOTICE", "42P07", fmt.Sprintf("relation %q already exists, skipping", x.Name))
		return w.Complete("CREATE TABLE")
	}
	t := &catalog.Table{DB: s.dbOID, Schema: schema, Name: x.Name, Owner: s.user}
	wr := s.writer()
	seen := map[string]bool{}
	for _, cd := range x.Cols {
		if seen[cd.Name] {
			return pgerr.New(pgerr.DuplicateColumn, "column %q specified more than once", cd.Name)
		}
		seen[cd.Name] = true
		c := catalog.Column{Name: cd.Name, Type: cd.Type, NotNull: cd.NotNull, Default: cd.Default}
		if cd.Serial {
			seq := fmt.Sprintf("%s_%s_seq", x.Name, cd.Name)
			if _, err := wr.CreateSequence(s.dbOID, schema, seq); err != nil {
				return err
			}
			c.Default = fmt.Sprintf("nextval('%s'::regclass)", seq)
		}
		t.Cols = append(t.Cols, c)
	}
	if len(t.Cols) > 1600 {
		return pgerr.New(pgerr.TooManyColumns, "tables can have at most 1600 columns")
	}
	if err := addIndexes(t, x.PrimaryKey, x.Uniques); err != nil {
		return err
	}
	if err := wr.CreateTable(t); err != nil {
		return err
	}
	if x.AsQuery != nil {
		ins := &plan.Insert{Table: t, Source: x.AsQuery, Defaults: make([]plan.Expr, len(t.Cols))}
		for i := range t.Cols {
			ins.Cols = append(ins.Cols, i)
		}
		return s.insert(env, ins, &tagOnly{ResultWriter: w, tag: "SELECT"})
	}
	return w.Complete("CREATE TABLE")
}

// tagOnly rewrites "INSERT 0 n" completions (CREATE TABLE AS reports SELECT n).
type tagOnly struct {
	ResultWriter
	tag string
}

func (t *tagOnly) Complete(tag string) error {
	f := strings.Fields(tag)
	return t.ResultWriter.Complete(t.tag + " " + f[len(f)-1])
}

func addIndexes(t *catalog.Table, pk []string, uniques [][]string) error {
	ids := func(names []string) ([]uint32, error) {
		var out []uint32
		for _, n := range names {
			c := t.Col(n)
			if c == nil {
				return nil, pgerr.New(pgerr.UndefinedColumn, "column %q named in key does not exist", n)
			}
			out = append(out, c.ID)
		}
		return out, nil
	}
	for i := range t.Cols {
		if t.Cols[i].ID == 0 {
			t.NextColID++
			t.Cols[i].ID = t.NextColID
		}
	}
	if len(pk) > 0 {
		if t.PrimaryKey() != nil {
			return pgerr.New(pgerr.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", t.Name)
		}
		cols, err := ids(pk)
		if err != nil {
			return err
		}
		for _, n := range pk {
			t.Col(n).NotNull = true
		}
		t.Indexes = append(t.Indexes, catalog.Index{Name: t.Name + "_pkey", Cols: cols, Unique: true, Primary: true, Method: "btree"})
	}
	for _, u := range uniques {
		cols, err := ids(u)
		if err != nil {
			return err
		}
		t.NextSpace++
		t.Indexes = append(t.Indexes, catalog.Index{Name: t.Name + "_" + strings.Join(u, "_") + "_key", Cols: cols, Unique: true, Space: t.NextSpace, Method: "btree"})
	}
	return nil
}

func (s *session) drop(x *plan.Drop, w ResultWriter) error {
	tag := "DROP " + x.Kind
	for _, on := range x.Names {
		switch x.Kind {
		case "TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE":
			t := s.findTable(on)
			if t == nil {
				if x.IfExists {
					_ = w.Notice("NOTICE", "00000", fmt.Sprintf("%s %q does not exist, skipping", strings.ToLower(x.Kind), on.Name))
					continue
				}
				if x.Kind == "SEQUENCE" {
					continue
				}
				return noTable(on)
			}
			if err := s.writer().DropTable(t); err != nil {
				return err
			}
		case "SCHEMA":
			if s.catalogSnap().Schema(s.dbOID, on.Name) == nil && x.IfExists {
				_ = w.Notice("NOTICE", "00000", fmt.Sprintf("schema %q does not exist, skipping", on.Name))
				continue
			}
			if err := s.writer().DropSchema(s.dbOID, on.Name, x.Cascade); err != nil {
				return err
			}
		case "DATABASE":
			if s.inBlock {
				return pgerr.New(pgerr.ActiveSQLTransaction, "DROP DATABASE cannot run inside a transaction block")
			}
			if on.Name == s.dbName {
				return pgerr.New(pgerr.ObjectInUse, "cannot drop the currently open database")
			}
			if s.catalogSnap().Database(on.Name) == nil && x.IfExists {
				_ = w.Notice("NOTICE", "00000", fmt.Sprintf("database %q does not exist, skipping", on.Name))
				continue
			}
			if err := s.writer().DropDatabase(on.Name); err != nil {
				return err
			}
		case "INDEX":
			if err := s.dropIndex(on, x.IfExists, w); err != nil {
				return err
			}
		case "EXTENSION":
			if _, ok := s.catalogSnap().Extensions(s.dbOID)[on.Name]; !ok {
				if x.IfExists {
					continue
				}
				return pgerr.New(pgerr.UndefinedObject, "extension %q does not exist", on.Name)
			}
			s.writer().DropExtension(s.dbOID, on.Name)
		case "ROLE":
			if s.catalogSnap().Role(on.Name) == nil && x.IfExists {
				continue
			}
			if err := s.writer().DropRole(on.Name); err != nil {
				return err
			}
		default:
			if !x.IfExists {
				return pgerr.New(pgerr.UndefinedObject, "%s %q does not exist", strings.ToLower(x.Kind), on.Name)
			}
		}
	}
	return w.Complete(tag)
}

func (s *session) dropIndex(on plan.ObjectName, ifExists bool, w ResultWriter) error {
	for _, t := range s.catalogSnap().Tables(s.dbOID) {
		for i, ix := range t.Indexes {
			if ix.Name != on.Name {
				continue
			}
			if ix.Primary {
				return pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop index %s because constraint %s on table %s requires it", ix.Name, ix.Name, t.Name)
			}
			nt := t.Clone()
			nt.Indexes = append(nt.Indexes[:i], nt.Indexes[i+1:]...)
			// A dropped unique index's entries stay in its key space,
			// unreadable, until DROP TABLE removes the table's spaces.
			return s.writer().PutTable(nt)
		}
	}
	if ifExists {
		_ = w.Notice("NOTICE", "00000", fmt.Sprintf("index %q does not exist, skipping", on.Name))
		return nil
	}
	return pgerr.New(pgerr.UndefinedObject, "index %q does not exist", on.Name)
}

func (s *session) createIndex(x *plan.CreateIndex, w ResultWriter) error {
	t := s.findTable(x.Table)
	if t == nil {
		return noTable(x.Table)
	}
	name := x.Name
	if name == "" {
		name = t.Name + "_" + strings.Join(x.Cols, "_") + "_idx"
	}
	for _, ix := range t.Indexes {
		if ix.Name == name {
			if x.IfNotExists {
				_ = w.Notice("NOTICE", "42P07", fmt.Sprintf("relation %q already exists, skipping", name))
				return w.Complete("CREATE INDEX")
			}
			return pgerr.New(pgerr.DuplicateTable, "relation %q already exists", name)
		}
	}
	nt := t.Clone()
	ix := catalog.Index{Name: name, Method: "btree"}
	for i, c := range x.Cols {
		col := t.Col(c)
		if col == nil && c != "expr" {
			return pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", c)
		}
		if col != nil {
			ix.Cols = append(ix.Cols, col.ID)
			ix.Options = append(ix.Options, x.Options[i])
		}
	}
	if t.Hyper != nil && len(ix.Cols) >= 2 && ix.Cols[0] != t.Hyper.TimeCol && containsID(ix.Cols, t.Hyper.TimeCol) && !t.HasLastValue(ix.Cols[0]) {
		nt.NextSpace++
		ix.Space, ix.LastValue = nt.NextSpace, true
	}
	if x.Unique && t.Hyper == nil {
		ix.Unique, ix.Standalone = true, true
		nt.NextSpace++
		ix.Space = nt.NextSpace
		// Build the index from existing rows, failing on duplicates.
		if err := s.buildUnique(nt, &ix); err != nil {
			return err
		}
	}
	oid, err := s.db.cat.NewOID()
	if err != nil {
		return err
	}
	ix.OID = oid
	nt.Indexes = append(nt.Indexes, ix)
	if err := s.writer().PutTable(nt); err != nil {
		return err
	}
	if ix.LastValue {
		if err := s.tableWriter().RecomputeLastValue(nt, &nt.Indexes[len(nt.Indexes)-1], nil); err != nil {
			return err
		}
	}
	return w.Complete("CREATE INDEX")
}

func (s *session) buildUnique(t *catalog.Table, ix *catalog.Index) error {
	it := s.txn.Iter(storage.Space{Table: uint64(t.OID)}, nil, nil)
	defer it.Close()
	for it.Next() {
		row := make([]any, len(t.Cols))
		if err := table.DecodeRow(t, it.Value(), row); err != nil {
			return err
		}
		k, ok := table.IndexKey(t, ix, row)
		if !ok {
			continue
		}
		sp := storage.Space{Table: uint64(t.OID), Index: ix.Space}
		if _, found, err := s.txn.Get(sp, k); err != nil {
			return err
		} else if found {
			return pgerr.New(pgerr.UniqueViolation, "could not create unique index %q", ix.Name)
		}
		s.txn.Put(sp, k, append([]byte(nil), it.Key()...))
	}
	return it.Err()
}

func (s *session) alterTable(env *execEnv, x *plan.AlterTable, w ResultWriter) error {
	t := s.findTable(x.Table)
	if t == nil {
		if x.IfExists {
			_ = w.Notice("NOTICE", "00000", fmt.Sprintf("relation %q does not exist, skipping", x.Table.Name))
			return w.Complete("ALTER TABLE")
		}
		return noTable(x.Table)
	}
	nt := t.Clone()
	for _, cmd := range x.Cmds {
		switch cmd.Kind {
		case "ADD COLUMN":
			if nt.Col(cmd.Col.Name) != nil {
				if cmd.IfExists {
					continue
				}
				return pgerr.New(pgerr.DuplicateColumn, "column %q of relation %q already exists", cmd.Col.Name, t.Name)
			}
			nt.NextColID++
			c := catalog.Column{ID: nt.NextColID, Name: cmd.Col.Name, Type: cmd.Col.Type, NotNull: cmd.Col.NotNull, Default: cmd.Col.Default}
			if c.NotNull && c.Default == "" && s.hasRows(t) {
				return pgerr.New(pgerr.NotNullViolation, "column %q of relation %q contains null values", c.Name, t.Name)
			}
			nt.Cols = append(nt.Cols, c)
			if c.Default != "" && s.hasRows(t) {
				if err := s.backfill(env, nt, len(nt.Cols)-1); err != nil {
					return err
				}
			}
			if cmd.Col.Primary || cmd.Col.Unique {
				var pk []string
				var uq [][]string
				if cmd.Col.Primary {
					pk = []string{c.Name}
				} else {
					uq = [][]string{{c.Name}}
				}
				if err := addIndexes(nt, pk, uq); err != nil {
					return err
				}
			}
		case "DROP COLUMN":
			i := nt.ColIndex(cmd.Name)
			if i < 0 {
				if cmd.IfExists {
					_ = w.Notice("NOTICE", "00000", fmt.Sprintf("column %q of relation %q does not exist, skipping", cmd.Name, t.Name))
					continue
				}
				return pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
			}
			id := nt.Cols[i].ID
			if nt.Hyper != nil && (nt.Hyper.TimeCol == id || nt.Hyper.Space != nil && nt.Hyper.Space.Col == id) {
				return pgerr.New(pgerr.FeatureNotSupported, "cannot drop column named in partition key").WithDetail("cannot drop column that is a hypertable partitioning (space or time) dimension")
			}
			nt.Cols = append(nt.Cols[:i], nt.Cols[i+1:]...)
			var ixs []catalog.Index
			for _, ix := range nt.Indexes {
				uses := false
				for _, c := range ix.Cols {
					uses = uses || c == id
				}
				if !uses {
					ixs = append(ixs, ix)
				}
			}
			nt.Indexes = ixs
		case "RENAME COLUMN":
			i := nt.ColIndex(cmd.Name)
			if i < 0 {
				return pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", cmd.Name)
			}
			if nt.Col(cmd.NewName) != nil {
				return pgerr.New(pgerr.DuplicateColumn, "column %q of relation %q already exists", cmd.NewName, t.Name)
			}
			nt.Cols[i].Name = cmd.NewName
		case "RENAME TABLE":
			if s.catalogSnap().Table(s.dbOID, nt.Schema, cmd.NewName) != nil {
				return pgerr.New(pgerr.DuplicateTable, "relation %q already exists", cmd.NewName)
			}
			nt.Name = cmd.NewName
		case "SET NOT NULL", "DROP NOT NULL":
			i := nt.ColIndex(cmd.Name)
			if i < 0 {
				return pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
			}
			nt.Cols[i].NotNull = cmd.Kind == "SET NOT NULL"
		case "SET DEFAULT", "DROP DEFAULT":
			i := nt.ColIndex(cmd.Name)
			if i < 0 {
				return pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
			}
			nt.Cols[i].Default = cmd.Col.Default
		case "SET OPTIONS":
			rest, err := s.setCompression(nt, cmd.Options)
			if err != nil {
				return err
			}
			if nt.Options == nil {
				nt.Options = map[string]string{}
			}
			for k, v := range rest {
				if strings.HasPrefix(k, "timescaledb.") && nt.Hyper == nil {
					return pgerr.New(pgerr.WrongObjectType, "table %q is not a hypertable", t.Name)
				}
				nt.Options[k] = v
			}
		case "ADD CONSTRAINT":
			var pk []string
			var uq [][]string
			if cmd.Primary {
				pk = cmd.Unique
			} else {
				uq = [][]string{cmd.Unique}
			}
			if err := addIndexes(nt, pk, uq); err != nil {
				return err
			}
			if !cmd.Primary && nt.Hyper == nil {
				ix := &nt.Indexes[len(nt.Indexes)-1]
				if cmd.Name != "" {
					ix.Name = cmd.Name
				}
				if err := s.buildUnique(nt, ix); err != nil {
					return err
				}
			}
		case "ALTER TYPE":
			i := nt.ColIndex(cmd.Name)
			if i < 0 {
				return pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", cmd.Name, t.Name)
			}
			if s.hasRows(t) && nt.Cols[i].Type.Kind() != cmd.Col.Type.Kind() {
				return pgerr.New(pgerr.FeatureNotSupported, "changing the type of a column with data is not supported yet")
			}
			nt.Cols[i].Type = cmd.Col.Type
		}
	}
	if err := s.assignIndexOIDs(nt); err != nil {
		return err
	}
	if err := s.writer().PutTable(nt); err != nil {
		return err
	}
	return w.Complete("ALTER TABLE")
}

// assignIndexOIDs gives the indexes ALTER TABLE added (ADD CONSTRAINT,
// ADD COLUMN ... UNIQUE) their OIDs; CREATE TABLE's get theirs from the
// catalog writer.
func (s *session) assignIndexOIDs(t *catalog.Table) error {
	for i := range t.Indexes {
		if t.Indexes[i].OID != 0 {
			continue
		}
		oid, err := s.db.cat.NewOID()
		if err != nil {
			return err
		}
		t.Indexes[i].OID = oid
	}
	return nil
}

func (s *session) hasRows(t *catalog.Table) bool {
	if t.Hyper != nil {
		return len(s.chunks(t.OID)) > 0
	}
	it := s.txn.Iter(storage.Space{Table: uint64(t.OID)}, nil, nil)
	defer it.Close()
	return it.Next()
}

func (s *session) roleStmt(x *plan.RoleStmt, w ResultWriter) error {
	snap := s.catalogSnap()
	r := snap.Role(x.Name)
	tag := "ALTER ROLE"
	if x.Create {
		if r != nil {
			return pgerr.New(pgerr.DuplicateObject, "role %q already exists", x.Name)
		}
		r = &catalog.Role{Name: x.Name}
		tag = "CREATE ROLE"
	} else if r == nil {
		return pgerr.New(pgerr.UndefinedObject, "role %q does not exist", x.Name)
	} else {
		cp := *r
		r = &cp
	}
	if x.Login != nil {
		r.Login = *x.Login
	}
	if x.Superuser != nil {
		r.Superuser = *x.Superuser
	}
	if x.Password != nil {
		r.Secret = scram.Secret(*x.Password)
	}
	if x.Create {
		if err := s.writer().CreateRole(r); err != nil {
			return err
		}
	} else if err := s.writer().PutRole(r); err != nil {
		return err
	}
	return w.Complete(tag)
}

// backfill gives existing rows the default of newly added column ci, as
// PostgreSQL does for ADD COLUMN ... DEFAULT. nt is the new table version.
func (s *session) backfill(env *execEnv, nt *catalog.Table, ci int) error {
	c := &nt.Cols[ci]
	d, err := plan.BindExpr(env, c.Default, s.loc)
	if err != nil {
		return err
	}
	if d.Type() != c.Type {
		d = &plan.Cast{E: d, T: c.Type}
	}
	ec := env.execCtx()
	v, err := exec.Eval(ec, d, nil)
	if err != nil || v == nil {
		return err
	}
	if nt.Hyper == nil {
		old := *nt
		old.Cols = nt.Cols[:ci]
		it := s.txn.Iter(storage.Space{Table: uint64(nt.OID)}, nil, nil)
		var keys [][]byte
		var rows [][]any
		for it.Next() {
			row := make([]any, len(old.Cols), len(nt.Cols))
			if err := table.DecodeRow(&old, it.Value(), row); err != nil {
				it.Close()
				return err
			}
			keys = append(keys, append([]byte(nil), it.Key()...))
			rows = append(rows, append(row, v))
		}
		if err := it.Close(); err != nil {
			return err
		}
		for i, row := range rows {
			data, err := table.EncodeRow(nt, row)
			if err != nil {
				return err
			}
			s.txn.Put(storage.Space{Table: uint64(nt.OID)}, keys[i], data)
		}
		return nil
	}
	newSchema := table.ChunkSchema(nt)
	oldSchema := newSchema
	oldSchema.Cols = newSchema.Cols[:ci]
	sv := col.NewVec(table.StorageKind(c.Type), 1)
	sv.Append(v)
	stored, err := table.ToStorage(c.Type, sv)
	if err != nil {
		return err
	}
	for _, ch := range s.chunks(nt.OID) {
		spec := &storage.ScanSpec{Chunk: ch.ID, Cols: oldSchema.Cols, TimeCol: nt.Hyper.TimeCol, TimeMin: storage.MinTime, TimeMax: storage.MaxTime}
		blocks, _, err := s.txn.Blocks(spec)
		if err != nil {
			return err
		}
		for _, blk := range blocks {
			b, err := s.txn.ReadBlock(spec, blk)
			if err != nil {
				return err
			}
			b = b.Compact()
			fill := col.NewVec(stored.Kind, b.Rows())
			for r := 0; r < b.Rows(); r++ {
				fill.AppendFrom(stored, 0)
			}
			nb := col.FromVecs(append(append([]*col.Vec(nil), b.Cols...), fill), b.Rows())
			if err := s.txn.RewriteBlock(ch.ID, newSchema, blk, nb); err != nil {
				return err
			}
		}
	}
	return nil
}

func containsID(ids []uint32, id uint32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
