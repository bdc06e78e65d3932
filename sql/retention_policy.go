package sql

import (
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// add_retention_policy and remove_retention_policy: the policy job that
// runs drop_chunks (see runRetention). The chunk selection itself is
// package timescale's.

func init() {
	iv, b, tz, t := types.IntervalT, types.Bool, types.Timestamptz, types.Text
	funcs.RegisterScalar(&funcs.Scalar{Name: "add_retention_policy", Args: []types.T{anyT, anyT, b, iv, tz, t, iv},
		ArgNames: []string{"relation", "drop_after", "if_not_exists", "schedule_interval", "initial_start", "timezone", "drop_created_before"},
		Defaults: 6, Ret: funcs.Fixed(types.Int4), Volatile: true, Fn: addRetentionPolicy})
	funcs.RegisterScalar(&funcs.Scalar{Name: "remove_retention_policy", Args: []types.T{anyT, b},
		ArgNames: []string{"relation", "if_exists"}, Defaults: 1, Ret: funcs.Fixed(types.Void), Volatile: true, Fn: removeRetentionPolicy})
}

// addRetentionPolicy is add_retention_policy(relation, drop_after, ...).
func addRetentionPolicy(ctx *funcs.Ctx, at []types.T, a []any) (any, error) {
	e, t, err := policyArg(ctx, a)
	if err != nil || t == nil {
		return nil, err
	}
	if len(e.s.catalogSnap().JobsFor(procRetention, t.OID)) > 0 {
		if !boolAt(a, 2, false) {
			return nil, pgerr.New(pgerr.DuplicateObject, "retention policy already exists for hypertable %q", t.Name)
		}
		return int64(-1), nil
	}
	cfg, err := lagConfig(t, "drop_after", "drop_created_before", typeAt(at, 1), argAt(a, 1), argAt(a, 6))
	if err != nil {
		return nil, err
	}
	return e.addPolicy(t, policySpec{appName: "Retention Policy", proc: procRetention, schedule: retentionSchedule,
		maxRuntime: retentionMaxRuntime, retryPeriod: retentionRetryPeriod, config: cfg,
		schedule0: argAt(a, 3), initialStart: argAt(a, 4), timezone: argAt(a, 5)})
}

// removeRetentionPolicy is remove_retention_policy(relation, if_exists).
func removeRetentionPolicy(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, t, err := policyArg(ctx, a)
	if err != nil || t == nil {
		return nil, err
	}
	_, err = e.removePolicy(procRetention, t.OID, boolAt(a, 1, false),
		pgerr.New(pgerr.UndefinedObject, "cannot remove retention policy, no such policy exists"))
	return "", err
}
