package sql

import (
	"context"
	"slices"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// The session's plan cache: generic plans of normalized queries.
//
// Clients that do not prepare statements (pgbench's default simple
// protocol, psql, many ORMs) send the same query over and over with
// different literals. sql/parse already shares one parse tree per
// normalized text; here a SELECT whose normalized text the session has
// run before is bound once more with its literals as parameters
// (plan.BindGeneric) and optimized. When that generic plan is the custom
// plan with parameters in place of the literals (plan.SameShape), no
// decision depended on a literal's value, and later executions run it
// with the literals' values as parameters, skipping binding and
// optimization. A plan is reused only on the catalog snapshot and the
// planner settings it was made with, for literals of the same kinds, and
// never for hypertables (whose chunk lists come from the time bounds'
// values) or plans with unresolved literal types. Like PostgreSQL's, the
// cache is per session.

// planCacheSize bounds the normalized statements a session remembers.
const planCacheSize = 256

// genericAfter is how many custom plans a normalized query gets before
// a generic one is tried: one-off statements never pay for a second bind.
const genericAfter = 2

type cachedPlan struct {
	kinds   []uint32 // plan.LiteralKinds of the statement it was made for
	customs int      // custom plans made for it so far
	params  []types.T
	genericPlan
}

// planBasis is what a bound plan depends on besides its parameters' values:
// the catalog snapshot and planner settings it was made on, and the
// relations it reads (locked before each run).
type planBasis struct {
	snap     *catalog.Snapshot
	settings planSettings
	rels     []*catalog.Table
}

// planSettings are the settings a plan depends on beyond the catalog.
type planSettings struct {
	searchPath, indexScan, optimizer, timeZone, user string
}

func (s *session) planSettings() planSettings {
	return planSettings{s.settings["search_path"], s.settings["enable_indexscan"],
		s.settings["tsgres.optimizer"], s.settings["timezone"], s.user}
}

// basis returns the basis of a plan bound now that reads rels.
func (s *session) basis(rels []*catalog.Table) planBasis {
	return planBasis{snap: s.catalogSnap(), settings: s.planSettings(), rels: slices.Clone(rels)}
}

// holds reports whether a plan made on b is good on the session's
// current catalog and settings.
func (s *session) holds(b *planBasis) bool {
	return b.snap == s.catalogSnap() && b.settings == s.planSettings()
}

// use gives env the relations of a plan made on b, for locking.
func (b *planBasis) use(env *execEnv) {
	env.rels = append(env.relBuf[:0], b.rels...)
}

// genericPlan is a physical plan that holds for any parameter values
// (node nil: none was found on its basis).
type genericPlan struct {
	planBasis
	node plan.Node
}

// reuse returns g's plan as a statement over env, which gets the
// relations to lock; ok is false when g has no plan for the session's
// current catalog and settings.
func (s *session) reuse(g *genericPlan, env *execEnv) (plan.Statement, bool) {
	if g.node == nil || !s.holds(&g.planBasis) {
		return nil, false
	}
	g.use(env)
	return &plan.Query{Node: g.node, Physical: true}, true
}

// makeGeneric optimizes q, a custom plan bound in env, and the generic
// plan bind returns (bound in the env it is given, without parameter
// values), and returns the generic one when it is q's shape (see
// plan.SameShape). Plans reading hypertables are never generic: their
// chunk lists come from the values of time bounds.
func (s *session) makeGeneric(q *plan.Query, env *execEnv, bind func(*execEnv) (plan.Statement, []types.T, error)) (genericPlan, []types.T) {
	g := genericPlan{planBasis: s.basis(nil)}
	for _, t := range env.rels {
		if t.Hyper != nil {
			return g, nil
		}
	}
	q.Node, q.Physical = s.physical(finalizeOutput(q.Node)), true
	genv := s.newEnv(env.ctx, nil)
	gst, params, err := bind(genv)
	gq, ok := gst.(*plan.Query)
	if err != nil || !ok {
		return g, nil
	}
	for _, t := range params {
		if t.OID == 0 || t.OID == types.OidUnknown {
			return g, nil
		}
	}
	gnode := s.physical(finalizeOutput(gq.Node))
	if !plan.SameShape(q.Node, gnode) || !slices.Equal(env.rels, genv.rels) {
		return g, nil
	}
	g.planBasis, g.node = s.basis(genv.rels), gnode
	return g, params
}

// cachedQuery returns the generic plan of p, bound to its literals'
// values, when the session has one that holds.
func (s *session) cachedQuery(ctx context.Context, p *parse.Statement) (*execEnv, plan.Statement, bool) {
	e := s.plans[p.Tree()]
	if e == nil || e.node == nil || !s.holds(&e.planBasis) {
		return nil, nil, false
	}
	vals, ok, err := plan.LiteralParams(p, e.kinds, e.params, s.loc)
	if err != nil || !ok {
		return nil, nil, false // an error: bind the custom plan, which reports it
	}
	env := s.newEnv(ctx, vals)
	st, ok := s.reuse(&e.genericPlan, env)
	return env, st, ok
}

// notePlan records that p was bound to the custom plan st (in env) and,
// the genericAfter-th time, tries a generic plan for it. It optimizes
// st's query so the two can be compared; run does not repeat that.
func (s *session) notePlan(p *parse.Statement, env *execEnv, st plan.Statement) {
	q, ok := st.(*plan.Query)
	if !ok || !p.IsQuery() {
		return
	}
	if lits, base := p.Literals(); len(lits) == 0 || base != 1 {
		return
	}
	e := s.plans[p.Tree()]
	kinds := plan.LiteralKinds(p, nil)
	if e == nil || !s.holds(&e.planBasis) || !slices.Equal(e.kinds, kinds) {
		if s.plans == nil || len(s.plans) >= planCacheSize {
			s.plans = map[*parse.RawStmt]*cachedPlan{}
		}
		e = &cachedPlan{kinds: kinds, genericPlan: genericPlan{planBasis: s.basis(nil)}}
		s.plans[p.Tree()] = e
	}
	e.customs++
	if e.customs != genericAfter {
		return
	}
	e.genericPlan, e.params = s.makeGeneric(q, env, func(genv *execEnv) (plan.Statement, []types.T, error) {
		st, params, ok, err := plan.BindGeneric(genv, p, s.loc)
		if !ok && err == nil {
			return nil, nil, nil
		}
		return st, params, err
	})
}
