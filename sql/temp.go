package sql

import (
	"context"
	"fmt"

	"github.com/tsgres/tsgres/sql/ddl"
	"github.com/tsgres/tsgres/sql/plan"
)

// Temporary tables. A session's temporary tables live in its own schema,
// pg_temp_<pid>, which is first on its search path for names (never a
// default for new objects) and on no other session's: other sessions do
// not see them by name. The schema and everything in it is dropped when
// the session ends; a schema a crashed server left behind is dropped
// when a session with that pid first creates a temporary table. ON
// COMMIT DROP drops a table when its transaction commits, ON COMMIT
// DELETE ROWS empties it at every commit.

// tempSchemaName is the session's temporary schema.
func (s *session) tempSchemaName() string { return fmt.Sprintf("pg_temp_%d", s.pid) }

// TempSchema implements ddl.Host.
func (h ddlHost) TempSchema() (string, error) {
	s := h.e.s
	name := s.tempSchemaName()
	exists := s.catalogSnap().Schema(s.dbOID, name) != nil
	if exists && !s.tempReady {
		// Left behind by a server that stopped before its session ended.
		drop := &plan.Drop{Kind: "SCHEMA", Names: []plan.ObjectName{{Name: name}}, Cascade: true}
		if err := ddl.Run(h.e.ctx, h, drop, discard{}); err != nil {
			return "", err
		}
		exists = false
	}
	if !exists {
		if err := h.Writer().CreateSchema(s.dbOID, name); err != nil {
			return "", err
		}
	}
	s.tempReady = true
	return name, nil
}

// OnCommit implements ddl.Host.
func (h ddlHost) OnCommit(on plan.ObjectName, action string) {
	s := h.e.s
	if s.onCommit == nil {
		s.onCommit = map[plan.ObjectName]string{}
	}
	s.onCommit[on] = action
}

// runOnCommit runs the ON COMMIT actions of the session's temporary
// tables inside the committing transaction.
func (s *session) runOnCommit() error {
	if len(s.onCommit) == 0 {
		return nil
	}
	env := s.newEnv(context.Background(), nil)
	for on, action := range s.onCommit {
		if s.catalogSnap().Table(s.dbOID, on.Schema, on.Name) == nil {
			delete(s.onCommit, on)
			continue
		}
		var st plan.Statement = &plan.Truncate{Tables: []plan.ObjectName{on}}
		if action == "DROP" {
			st = &plan.Drop{Kind: "TABLE", Names: []plan.ObjectName{on}, IfExists: true}
			delete(s.onCommit, on)
		}
		if err := ddl.Run(env.ctx, ddlHost{env}, st, discard{}); err != nil {
			return err
		}
	}
	return nil
}

// forgetOnCommit drops the ON COMMIT actions of tables a rollback took
// away (ON COMMIT DROP tables live only in their creating transaction).
func (s *session) forgetOnCommit() {
	for on, action := range s.onCommit {
		if action == "DROP" || s.db.cat.Snapshot().Table(s.dbOID, on.Schema, on.Name) == nil {
			delete(s.onCommit, on)
		}
	}
}

// dropTempSchema drops the session's temporary schema at its end.
func (s *session) dropTempSchema() {
	if !s.tempReady {
		return
	}
	s.tempReady = false
	if err := s.Query(context.Background(), "DROP SCHEMA IF EXISTS "+s.tempSchemaName()+" CASCADE", discard{}); err != nil {
		s.db.log.Warn("dropping temporary schema", "schema", s.tempSchemaName(), "err", err)
	}
}
