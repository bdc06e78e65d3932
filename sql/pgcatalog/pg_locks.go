package pgcatalog

import (
	"fmt"
	"sort"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// pg_locks and pg_blocking_pids: the lock table of the server (relation
// and object locks, row locks as 'tuple' locks) as an optional Env
// extension (LockLister) reports it; without one both are empty.

// Lock is one row of pg_locks: a session holding or awaiting a lock in
// one mode.
type Lock struct {
	// Type is locktype: "relation", "object", "tuple" or "virtualxid".
	Type string
	// Database and Relation are OIDs, 0 when not applicable; ClassID and
	// ObjID name an object of Type "object".
	Database, Relation uint32
	ClassID, ObjID     uint32
	// VirtualTransaction is "pid/n", the transaction's name.
	VirtualTransaction string
	PID                int32
	// Mode is PostgreSQL's mode name ("AccessShareLock").
	Mode    string
	Granted bool
	// WaitStart is when a waiter began waiting, µs since the Unix epoch
	// (0 when granted).
	WaitStart int64
}

// LockLister is an optional Env extension reporting the server's locks.
type LockLister interface {
	// Locks returns every held and awaited lock.
	Locks() []Lock
	// BlockingPIDs returns the pids of the sessions whose locks the
	// session pid waits for.
	BlockingPIDs(pid int32) []int32
}

func init() {
	pc := catalog.SchemaCatalog
	o, t, b := types.Oid, types.Text, types.Bool
	i2, i4 := types.Int2, types.Int4
	register(pc, "pg_locks", cols(c("locktype", t), c("database", o), c("relation", o), c("page", i4),
		c("tuple", i2), c("virtualxid", t), c("transactionid", tXid), c("classid", o), c("objid", o),
		c("objsubid", i2), c("virtualtransaction", t), c("pid", i4), c("mode", t), c("granted", b),
		c("fastpath", b), c("waitstart", types.Timestamptz)), lockRows)

	int4Array := types.T{OID: types.OidInt4Array, Mod: -1}
	strictFn("pg_blocking_pids", ts(i4), 0, int4Array, withEnv(func(env Env, args []any) (any, error) {
		var pids []any
		if l, ok := env.(LockLister); ok {
			for _, p := range l.BlockingPIDs(int32(argInt(args, 0))) {
				pids = append(pids, int64(p))
			}
		}
		return types.NewArray(types.Int4, pids), nil
	}))
}

// lockRows are pg_locks' rows, granted locks first, by pid.
func lockRows(env Env) ([][]any, error) {
	l, ok := env.(LockLister)
	if !ok {
		return nil, nil
	}
	locks := l.Locks()
	sort.SliceStable(locks, func(i, j int) bool {
		if locks[i].Granted != locks[j].Granted {
			return locks[i].Granted
		}
		return locks[i].PID < locks[j].PID
	})
	orNull := func(v uint32) any {
		if v == 0 {
			return nil
		}
		return int64(v)
	}
	rows := make([][]any, 0, len(locks))
	for _, k := range locks {
		var objSub, waitStart, vxid any
		switch k.Type {
		case "object":
			objSub = int64(0)
		case "virtualxid":
			vxid = k.VirtualTransaction
		}
		if !k.Granted && k.WaitStart != 0 {
			waitStart = k.WaitStart
		}
		var pid any
		if k.PID != 0 {
			pid = int64(k.PID)
		}
		rows = append(rows, []any{k.Type, orNull(k.Database), orNull(k.Relation), nil, nil, vxid, nil,
			orNull(k.ClassID), orNull(k.ObjID), objSub, k.VirtualTransaction, pid, k.Mode, k.Granted,
			false, waitStart})
	}
	return rows, nil
}

// VirtualTransaction formats a virtual transaction id as pg_locks shows
// it (backend id / local transaction number).
func VirtualTransaction(pid int32, n uint64) string { return fmt.Sprintf("%d/%d", pid, n) }
