package continuous

import (
	"context"
	"fmt"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// The retention and compression policies' job runs (procedures
// ProcRetention and ProcCompression). Their SQL functions
// (add/remove_*_policy) are package timescale's. A run executes in the
// job's internal session: retention calls drop_chunks; compression asks
// the session which chunks the policy selects (JobSession.
// CompressionCandidates, which package timescale decides) and compresses
// each in a transaction of its own.

// ErrNoIntegerNow is TimescaleDB's error for an integer-time policy on a
// hypertable without set_integer_now_func.
var ErrNoIntegerNow = pgerr.New(pgerr.UndefinedFunction, "integer_now function not set")

// policyHypertable parses a policy job's config and finds its hypertable.
func policyHypertable(s JobSession, j *catalog.Job) (PolicyConfig, *catalog.Table, error) {
	pc, err := ParsePolicyConfig(j.Config)
	if err != nil {
		return pc, nil, err
	}
	t := s.Catalog().HypertableByID(pc.HypertableID)
	if t == nil {
		return pc, nil, pgerr.New(pgerr.UndefinedTable, "hypertable %d of job %d does not exist", pc.HypertableID, j.ID)
	}
	return pc, t, nil
}

// runRetention is policy_retention: drop the hypertable's chunks older
// than drop_after (or created before drop_created_before).
func runRetention(ctx context.Context, s JobSession, j *catalog.Job) error {
	pc, t, err := policyHypertable(s, j)
	if err != nil {
		return err
	}
	arg := ""
	switch {
	case len(pc.DropAfter) > 0:
		lit, err := LagLiteral(pc.DropAfter)
		if err != nil {
			return err
		}
		if lit, err = integerNowLag(s.Catalog(), t, lit); err != nil {
			return err
		}
		arg = "older_than => " + lit
	default:
		arg = "created_before => " + quoteLiteral(pc.DropCreatedBefore) + "::interval"
	}
	return s.Query(ctx, fmt.Sprintf("SELECT count(*) FROM drop_chunks(%d, %s)", t.OID, arg))
}

// integerNowLag turns an integer lag literal of an integer-time
// hypertable's policy into "now_func() - lag"; other lags stay as they are.
func integerNowLag(snap *catalog.Snapshot, t *catalog.Table, lit string) (string, error) {
	if tt := t.Cols[t.ColByID(t.Hyper.TimeCol)].Type; !tt.IsInteger() {
		return lit, nil
	}
	f := snap.FunctionByOID(t.Hyper.IntegerNowFunc)
	if f == nil {
		return "", ErrNoIntegerNow
	}
	return fmt.Sprintf("%s.%s() - %s", quoteIdent(f.Schema), quoteIdent(f.Name), lit), nil
}

// runCompression is policy_compression: compress, one transaction per
// chunk, every chunk the policy selects (see JobSession.
// CompressionCandidates).
func runCompression(ctx context.Context, s JobSession, j *catalog.Job) error {
	pc, t, err := policyHypertable(s, j)
	if err != nil {
		return err
	}
	todo, err := s.CompressionCandidates(ctx, t, pc)
	if err != nil {
		return err
	}
	for _, c := range todo {
		q := fmt.Sprintf("SELECT compress_chunk(%s, if_not_compressed => true)", quoteLiteral(quoteIdent(c.Schema)+"."+quoteIdent(c.Name)))
		if err := s.Query(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
