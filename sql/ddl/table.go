package ddl

import (
	"fmt"
	"strings"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
)

// maxColumns is PostgreSQL's limit on a table's columns.
const maxColumns = 1600

// createTable runs CREATE TABLE and CREATE TABLE ... AS: serial columns
// get a sequence and a nextval default, PRIMARY KEY and UNIQUE become
// indexes, and AS fills the new table with its query's rows.
func createTable(h Host, x *plan.CreateTable, w ResultWriter) error {
	if x.Schema == "pg_temp" {
		x.Temp = true // CREATE TABLE pg_temp.t makes a temporary table, as in PostgreSQL
	}
	schema := schemaOrDefault(h, x.Schema)
	if x.Temp {
		if x.Schema != "" && x.Schema != "pg_temp" && !strings.HasPrefix(x.Schema, "pg_temp_") {
			return pgerr.New(pgerr.InvalidTableDefinition, "cannot create temporary relation in non-temporary schema")
		}
		var err error
		if schema, err = h.TempSchema(); err != nil {
			return err
		}
	}
	if h.Catalog().Table(h.Database(), schema, x.Name) != nil && x.IfNotExists {
		_ = w.Notice("NOTICE", "42P07", fmt.Sprintf("relation %q already exists, skipping", x.Name))
		return w.Complete("CREATE TABLE")
	}
	t := &catalog.Table{DB: h.Database(), Schema: schema, Name: x.Name, Owner: h.User()}
	wr := h.Writer()
	seen := map[string]bool{}
	for _, cd := range x.Cols {
		if seen[cd.Name] {
			return pgerr.New(pgerr.DuplicateColumn, "column %q specified more than once", cd.Name)
		}
		seen[cd.Name] = true
		c := catalog.Column{Name: cd.Name, Type: cd.Type, NotNull: cd.NotNull, Default: cd.Default}
		if cd.Serial {
			seq := fmt.Sprintf("%s_%s_seq", x.Name, cd.Name)
			if _, err := wr.CreateSequence(h.Database(), schema, seq); err != nil {
				return err
			}
			c.Default = fmt.Sprintf("nextval('%s'::regclass)", seq)
		}
		t.Cols = append(t.Cols, c)
	}
	if len(t.Cols) > maxColumns {
		return pgerr.New(pgerr.TooManyColumns, "tables can have at most 1600 columns")
	}
	if err := addIndexes(t, x.PrimaryKey, x.Uniques); err != nil {
		return err
	}
	if err := addChecks(h, t, x.Checks, false); err != nil {
		return err
	}
	if err := wr.CreateTable(t); err != nil {
		return err
	}
	if len(x.ForeignKeys) > 0 {
		// After CreateTable: a foreign key may reference the new table.
		if err := addForeignKeys(h, t, x.ForeignKeys, false); err != nil {
			return err
		}
		if err := wr.PutTable(t); err != nil {
			return err
		}
	}
	if x.OnCommit == "DROP" || x.OnCommit == "DELETE ROWS" {
		h.OnCommit(plan.ObjectName{Schema: schema, Name: x.Name}, x.OnCommit)
	}
	if x.AsQuery != nil {
		return fill(h, t, x.AsQuery, w)
	}
	return w.Complete("CREATE TABLE")
}

// fill inserts query's rows into new table (or materialized view) t and
// completes with "SELECT n", as CREATE TABLE AS and CREATE MATERIALIZED
// VIEW report.
func fill(h Host, t *catalog.Table, query plan.Node, w ResultWriter) error {
	n, err := h.Insert(t, query)
	if err != nil {
		return err
	}
	return w.Complete(fmt.Sprintf("SELECT %d", n))
}

// addIndexes gives t's new columns their IDs and adds the indexes of a
// primary key (its columns become NOT NULL) and of unique constraints,
// named as PostgreSQL names them. A unique index gets a key space of
// its own; the primary key is the row store's key.
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

// drop runs DROP of tables, sequences, schemas, databases, indexes,
// extensions and roles (views and functions have been handled before).
func drop(h Host, x *plan.Drop, w ResultWriter) error {
	tag := "DROP " + x.Kind
	dropping := map[uint32]bool{} // tables this statement drops
	for _, on := range x.Names {
		if t := findTable(h, on); t != nil {
			dropping[t.OID] = true
		}
	}
	for _, on := range x.Names {
		switch x.Kind {
		case "TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE":
			t := findTable(h, on)
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
			if tables, fks := dependentForeignKeys(h, t, nil, dropping); len(fks) > 0 {
				if !x.Cascade {
					return dependentsError(strings.ToLower(x.Kind)+" "+t.Name, "table "+t.Name, tables, fks)
				}
				if err := dropDependentForeignKeys(h, tables, fks, w); err != nil {
					return err
				}
			}
			if err := h.Writer().DropTable(t); err != nil {
				return err
			}
		case "SCHEMA":
			if h.Catalog().Schema(h.Database(), on.Name) == nil && x.IfExists {
				_ = w.Notice("NOTICE", "00000", fmt.Sprintf("schema %q does not exist, skipping", on.Name))
				continue
			}
			if err := h.Writer().DropSchema(h.Database(), on.Name, x.Cascade); err != nil {
				return err
			}
		case "DATABASE":
			if h.InTransactionBlock() {
				return pgerr.New(pgerr.ActiveSQLTransaction, "DROP DATABASE cannot run inside a transaction block")
			}
			if on.Name == h.DatabaseName() {
				return pgerr.New(pgerr.ObjectInUse, "cannot drop the currently open database")
			}
			if h.Catalog().Database(on.Name) == nil && x.IfExists {
				_ = w.Notice("NOTICE", "00000", fmt.Sprintf("database %q does not exist, skipping", on.Name))
				continue
			}
			if h.Catalog().Database(on.Name) != nil {
				if err := endSessions(h, on.Name, x.Force); err != nil {
					return err
				}
			}
			if err := h.Writer().DropDatabase(on.Name); err != nil {
				return err
			}
		case "INDEX":
			if err := dropIndex(h, on, x.IfExists, w); err != nil {
				return err
			}
		case "EXTENSION":
			if _, ok := h.Catalog().Extensions(h.Database())[on.Name]; !ok {
				if x.IfExists {
					continue
				}
				return pgerr.New(pgerr.UndefinedObject, "extension %q does not exist", on.Name)
			}
			h.Writer().DropExtension(h.Database(), on.Name)
		case "ROLE":
			if h.Catalog().Role(on.Name) == nil && x.IfExists {
				continue
			}
			if err := h.Writer().DropRole(on.Name); err != nil {
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

// dropDatabaseWait is how long DROP DATABASE waits for the sessions
// connected to the database to end, as PostgreSQL's
// CountOtherDBBackends does (5 s, polling every 100 ms).
const (
	dropDatabaseWait = 5 * time.Second
	dropDatabasePoll = 100 * time.Millisecond
)

// endSessions waits for the other sessions connected to database name
// to end (terminating them first when force is set) and fails with
// 55006 when some are still there after dropDatabaseWait.
func endSessions(h Host, name string, force bool) error {
	pids := h.OtherSessions(name)
	if force {
		for _, pid := range pids {
			h.Terminate(pid)
		}
	}
	for deadline := time.Now().Add(dropDatabaseWait); len(pids) > 0 && time.Now().Before(deadline); pids = h.OtherSessions(name) {
		time.Sleep(dropDatabasePoll)
	}
	if len(pids) == 0 {
		return nil
	}
	detail := fmt.Sprintf("There are %d other sessions using the database.", len(pids))
	if len(pids) == 1 {
		detail = "There is 1 other session using the database."
	}
	return pgerr.New(pgerr.ObjectInUse, "database %q is being accessed by other users", name).WithDetail("%s", detail)
}
