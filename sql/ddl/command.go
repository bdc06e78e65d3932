package ddl

import "github.com/tsgres/tsgres/sql/plan"

// CommandName returns PostgreSQL's name for schema-change statement st
// as its errors use it ("cannot execute CREATE TABLE in a read-only
// transaction"), or "" when st is not one this package runs.
func CommandName(st plan.Statement) string {
	switch x := st.(type) {
	case *plan.CreateTable:
		if x.AsQuery != nil {
			return "CREATE TABLE AS"
		}
		return "CREATE TABLE"
	case *plan.Drop:
		return "DROP " + x.Kind
	case *plan.AlterTable:
		return "ALTER TABLE"
	case *plan.CreateIndex:
		return "CREATE INDEX"
	case *plan.CreateSchema:
		return "CREATE SCHEMA"
	case *plan.CreateDatabase:
		return "CREATE DATABASE"
	case *plan.CreateExtension:
		return "CREATE EXTENSION"
	case *plan.Truncate:
		return "TRUNCATE TABLE"
	case *plan.RoleStmt:
		if x.Create {
			return "CREATE ROLE"
		}
		return "ALTER ROLE"
	case *plan.CreateView:
		return "CREATE VIEW"
	case *plan.CreateMatView:
		return "CREATE MATERIALIZED VIEW"
	case *plan.RefreshMatView:
		return "REFRESH MATERIALIZED VIEW"
	case *plan.AlterView:
		return "ALTER VIEW"
	case *plan.CreateFunction:
		if x.Procedure {
			return "CREATE PROCEDURE"
		}
		return "CREATE FUNCTION"
	}
	return ""
}
