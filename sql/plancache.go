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
	kinds    []uint32 // plan.LiteralKinds of the statement it was made for
	snap     *catalog.Snapshot
	settings string
	customs  int       // custom plans made for it so far
	node     plan.Node // the generic physical plan; nil: none (yet)
	params   []types.T
	rels     []*catalog.Table
}

// planSettings are the settings a plan depends on beyond the catalog.
func (s *session) planSettings() string {
	return s.settings["search_path"] + "\x00" + s.settings["enable_indexscan"] + "\x00" +
		s.settings["tsgres.optimizer"] + "\x00" + s.settings["timezone"] + "\x00" + s.user
}

// cachedQuery returns the generic plan of p, bound to its literals'
// values, when the session has one that holds.
func (s *session) cachedQuery(ctx context.Context, p *parse.Statement) (*execEnv, plan.Statement, bool) {
	e := s.plans[p.Tree()]
	if e == nil || e.node == nil || e.snap != s.catalogSnap() || !slices.Equal(e.kinds, plan.LiteralKinds(p, nil)) ||
		e.settings != s.planSettings() {
		return nil, nil, false
	}
	vals, err := plan.LiteralParams(p, e.params, s.loc)
	if err != nil {
		return nil, nil, false // bind the custom plan, which reports it
	}
	env := s.newEnv(ctx, vals)
	env.rels = append(env.relBuf[:0], e.rels...)
	return env, &plan.Query{Node: e.node, Physical: true}, true
}

// notePlan records that p was bound to the custom plan st (in env) and,
// from the genericAfter-th time on, tries a generic plan for it. It
// optimizes st's query so the two can be compared; run does not repeat
// that.
func (s *session) notePlan(p *parse.Statement, env *execEnv, st plan.Statement) {
	q, ok := st.(*plan.Query)
	if !ok || !p.IsQuery() {
		return
	}
	if lits, base := p.Literals(); len(lits) == 0 || base != 1 {
		return
	}
	snap, settings := s.catalogSnap(), s.planSettings()
	e := s.plans[p.Tree()]
	kinds := plan.LiteralKinds(p, nil)
	if e == nil || e.snap != snap || e.settings != settings || !slices.Equal(e.kinds, kinds) {
		if s.plans == nil || len(s.plans) >= planCacheSize {
			s.plans = map[*parse.RawStmt]*cachedPlan{}
		}
		e = &cachedPlan{kinds: kinds, snap: snap, settings: settings}
		s.plans[p.Tree()] = e
	}
	e.customs++
	if e.customs != genericAfter {
		return
	}
	for _, t := range env.rels {
		if t.Hyper != nil {
			return
		}
	}
	q.Node, q.Physical = s.physical(finalizeOutput(q.Node)), true
	genv := s.newEnv(env.ctx, nil)
	gst, params, ok, err := plan.BindGeneric(genv, p, s.loc)
	gq, isQuery := gst.(*plan.Query)
	if err != nil || !ok || !isQuery {
		return
	}
	for _, t := range params {
		if t.OID == 0 || t.OID == types.OidUnknown {
			return
		}
	}
	gnode := s.physical(finalizeOutput(gq.Node))
	if !plan.SameShape(q.Node, gnode) || !slices.Equal(env.rels, genv.rels) {
		return
	}
	e.node, e.params, e.rels = gnode, params, slices.Clone(genv.rels)
}
