package sql

import (
	"strings"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
)

// Transaction isolation levels. transaction_isolation is the current
// transaction's level (reset to default_transaction_isolation when a
// transaction starts, session.begin); it can change until the
// transaction's first query. READ UNCOMMITTED runs as READ COMMITTED
// (as in PostgreSQL); REPEATABLE READ and SERIALIZABLE read one snapshot
// for the whole transaction (storage.Txn.SetRepeatableRead) and fail a
// write to a row or block that a transaction committed after that
// snapshot changed with 40001 (sql/dml, sql/exec's row locks).
// SERIALIZABLE gives REPEATABLE READ's guarantees, not more: see
// docs/design.md.

// isolationLevels are the values of transaction_isolation, in the order
// PostgreSQL's hint lists them.
var isolationLevels = []string{"serializable", "repeatable read", "read committed", "read uncommitted"}

// snapshotLevel reports whether level reads one snapshot per
// transaction.
func snapshotLevel(level string) bool {
	return level == "repeatable read" || level == "serializable"
}

// isolationValue validates a value of setting name (transaction_isolation
// or default_transaction_isolation) and returns it in canonical form.
func isolationValue(name, val string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(val))
	for _, l := range isolationLevels {
		if v == l {
			return l, nil
		}
	}
	return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter %q: %q", name, val).
		WithHint("Available values: %s.", strings.Join(isolationLevels, ", "))
}

// setIsolation changes the current transaction's isolation level, as
// PostgreSQL's check_XactIsoLevel allows: not after its first query, nor
// inside a savepoint, unless the level stays the same.
func (s *session) setIsolation(level string) error {
	level, err := isolationValue("transaction_isolation", level)
	if err != nil {
		return err
	}
	if s.txn != nil && level != s.settings["transaction_isolation"] {
		if s.queried {
			return pgerr.New(pgerr.ActiveSQLTransaction, "SET TRANSACTION ISOLATION LEVEL must be called before any query")
		}
		if len(s.savepoints) > 0 {
			return pgerr.New(pgerr.ActiveSQLTransaction, "SET TRANSACTION ISOLATION LEVEL must not be called in a subtransaction")
		}
		s.txn.SetRepeatableRead(snapshotLevel(level))
	}
	s.settings["transaction_isolation"] = level
	return nil
}

// noteQuery records that st ran in the current transaction: anything but
// SET and SHOW fixes its isolation level.
func (s *session) noteQuery(st plan.Statement) {
	switch st.(type) {
	case *plan.Set, *plan.Show:
	default:
		s.queried = true
	}
}

// repeatable reports whether the current transaction reads one snapshot.
func (s *session) repeatable() bool {
	return s.txn != nil && snapshotLevel(s.settings["transaction_isolation"])
}
