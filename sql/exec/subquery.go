package exec

import (
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// subResult is the cached result of an uncorrelated subquery.
type subResult struct {
	rows [][]any
}

// runSub runs a subquery's plan and returns at most limit rows (0: all).
func runSub(ctx *Ctx, s *plan.Subquery, limit int) ([][]any, error) {
	op, err := build(ctx, s.Plan)
	if err != nil {
		return nil, err
	}
	defer op.Close()
	var rows [][]any
	for {
		b, err := op.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			return rows, nil
		}
		rows = appendRows(rows, b)
		if limit > 0 && len(rows) >= limit {
			return rows, nil
		}
	}
}

// subRows returns the rows of s for the current row: uncorrelated
// subqueries run once per statement, correlated ones once per row with
// the current row pushed as the innermost outer row.
func subRows(ctx *Ctx, s *plan.Subquery, env *rowEnv) ([][]any, error) {
	limit := 0
	switch s.Kind {
	case plan.SubExists:
		limit = 1
	case plan.SubScalar:
		limit = 2
	}
	if !s.Correlated {
		if r := ctx.subs[s]; r != nil {
			return r.rows, nil
		}
		rows, err := runSub(ctx, s, 0)
		if err != nil {
			return nil, err
		}
		if ctx.subs == nil {
			ctx.subs = map[*plan.Subquery]*subResult{}
		}
		ctx.subs[s] = &subResult{rows: rows}
		return rows, nil
	}
	ctx.pushOuter(env.full())
	defer ctx.popOuter()
	return runSub(ctx, s, limit)
}

func evalSubquery(ctx *Ctx, s *plan.Subquery, env *rowEnv) (any, error) {
	rows, err := subRows(ctx, s, env)
	if err != nil {
		return nil, err
	}
	switch s.Kind {
	case plan.SubScalar:
		if len(rows) > 1 {
			return nil, pgerr.New(pgerr.CardinalityViolation, "more than one row returned by a subquery used as an expression")
		}
		if len(rows) == 0 {
			return nil, nil
		}
		return rows[0][0], nil
	case plan.SubExists:
		return len(rows) > 0, nil
	case plan.SubArray:
		elem, ok := s.T.Elem()
		if !ok {
			elem = types.Text
		}
		vals := make([]any, len(rows))
		for i, r := range rows {
			vals[i] = r[0]
		}
		return types.NewArray(elem, vals), nil
	case plan.SubIn, plan.SubAny, plan.SubAll:
		v, err := eval(ctx, s.E, env)
		if err != nil {
			return nil, err
		}
		op, all := s.Op, s.Kind == plan.SubAll
		if s.Kind == plan.SubIn {
			op, all = plan.OpEq, false
		}
		if len(rows) == 0 {
			return all != s.Not, nil
		}
		if v == nil {
			return nil, nil
		}
		t := s.E.Type()
		vals := make([]any, len(rows))
		rec, isRec := v.(*types.Record)
		for i, r := range rows {
			if isRec {
				vals[i] = &types.Record{Types: rec.Types, Vals: r[:min(len(r), len(rec.Vals))]}
			} else {
				vals[i] = r[0]
			}
		}
		res, err := quantified(op, all, t, v, vals)
		if err != nil || res == nil {
			return nil, err
		}
		return res.(bool) != s.Not, nil
	}
	return nil, bug("subquery kind %d", s.Kind)
}
