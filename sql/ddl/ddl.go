package ddl

import (
	"context"
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgcatalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
)

// Run runs schema-change statement st in h's transaction and reports its
// notices and command tag to w. Statements that are not schema changes
// fail with 0A000.
func Run(ctx context.Context, h Host, st plan.Statement, w ResultWriter) error {
	if ok, err := functionStmt(h, st, w); ok || err != nil {
		return err
	}
	if ok, err := viewStmt(ctx, h, st, w); ok || err != nil {
		return err
	}
	switch x := st.(type) {
	case *plan.CreateTable:
		return createTable(h, x, w)
	case *plan.Drop:
		return drop(h, x, w)
	case *plan.AlterTable:
		return alterTable(h, x, w)
	case *plan.CreateIndex:
		return createIndex(h, x, w)
	case *plan.CreateSchema:
		if h.Catalog().Schema(h.Database(), x.Name) != nil && x.IfNotExists {
			_ = w.Notice("NOTICE", "42P06", fmt.Sprintf("schema %q already exists, skipping", x.Name))
			return w.Complete("CREATE SCHEMA")
		}
		if err := h.Writer().CreateSchema(h.Database(), x.Name); err != nil {
			return err
		}
		return w.Complete("CREATE SCHEMA")
	case *plan.CreateDatabase:
		if h.InTransactionBlock() {
			return pgerr.New(pgerr.ActiveSQLTransaction, "CREATE DATABASE cannot run inside a transaction block")
		}
		if _, err := h.Writer().CreateDatabase(x.Name); err != nil {
			return err
		}
		return w.Complete("CREATE DATABASE")
	case *plan.CreateExtension:
		return createExtension(h, x, w)
	case *plan.Truncate:
		return truncate(h, x, w)
	case *plan.RoleStmt:
		return roleStmt(h, x, w)
	case *plan.CreateView:
		return pgerr.New(pgerr.FeatureNotSupported, "CREATE VIEW is not supported yet")
	}
	return pgerr.New(pgerr.FeatureNotSupported, "statement not supported: %T", st)
}

// createExtension records an extension tsgres provides as installed; the
// functions of all of them are always there.
func createExtension(h Host, x *plan.CreateExtension, w ResultWriter) error {
	switch x.Name {
	case "timescaledb", "plpgsql", "pg_stat_statements", "timescaledb_toolkit":
	default:
		return pgerr.New(pgerr.UndefinedFile, "extension %q is not available", x.Name)
	}
	if _, ok := h.Catalog().Extensions(h.Database())[x.Name]; ok {
		if x.IfNotExists {
			_ = w.Notice("NOTICE", "42710", fmt.Sprintf("extension %q already exists, skipping", x.Name))
			return w.Complete("CREATE EXTENSION")
		}
		return pgerr.New(pgerr.DuplicateObject, "extension %q already exists", x.Name)
	}
	if err := h.Writer().CreateExtension(h.Database(), x.Name, pgcatalog.TimescaleVersion); err != nil {
		return err
	}
	return w.Complete("CREATE EXTENSION")
}

// truncate empties tables: a hypertable loses its chunks (and last-value
// entries), a regular table its row store.
func truncate(h Host, x *plan.Truncate, w ResultWriter) error {
	var named []*catalog.Table
	for _, on := range x.Tables {
		t := findTable(h, on)
		if t == nil {
			return noTable(on)
		}
		named = append(named, t)
	}
	targets, err := truncateTargets(h, named, x.Cascade, w)
	if err != nil {
		return err
	}
	for _, t := range targets {
		if t.Hyper != nil {
			for _, c := range h.Chunks(t.OID) {
				h.Txn().DropChunk(c.ID)
			}
			h.Txn().DropTable(uint64(t.OID)) // last-value indexes
		} else {
			h.Txn().DropTable(uint64(t.OID))
		}
	}
	return w.Complete("TRUNCATE TABLE")
}

// schemaOrDefault returns the schema a new object named in schema goes
// to: schema itself, else the first schema of the search path that
// exists (other than pg_catalog), else public.
func schemaOrDefault(h Host, schema string) string {
	if schema != "" {
		return schema
	}
	for _, sc := range h.SearchPath() {
		if strings.HasPrefix(sc, "pg_temp_") {
			continue // searched for names, never a default for new objects
		}
		if h.Catalog().Schema(h.Database(), sc) != nil && sc != catalog.SchemaCatalog {
			return sc
		}
	}
	return catalog.SchemaPublic
}

// findTable resolves the relation a statement names, on the search path
// when the name is unqualified; nil when there is none.
func findTable(h Host, on plan.ObjectName) *catalog.Table {
	return h.Catalog().FindTable(h.Database(), h.SearchPath(), on.Schema, on.Name)
}

// noTable is PostgreSQL's error for a relation name that finds nothing.
func noTable(on plan.ObjectName) error {
	name := on.Name
	if on.Schema != "" {
		name = on.Schema + "." + on.Name
	}
	return pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name)
}
