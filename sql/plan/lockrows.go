package plan

import (
	"slices"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Row locking clauses: SELECT ... FOR UPDATE / FOR NO KEY UPDATE /
// FOR SHARE / FOR KEY SHARE [OF table] [NOWAIT | SKIP LOCKED].
//
// The binder plans a locking clause as a LockRows node above the block's
// Sort (and DISTINCT ON, which PostgreSQL rejects anyway) and below its
// Limit, as PostgreSQL does: only the rows the block returns are locked,
// and LIMIT counts rows after SKIP LOCKED skipped some. A regular table's
// Scan then also produces its rows' storage keys as a hidden column
// (ColIdx entry RowKeyCol), which the projection carries up to LockRows.
//
// After locking a row, the executor re-reads its newest committed version
// and re-checks the block's WHERE on it (PostgreSQL's EvalPlanQual): a
// row deleted meanwhile or no longer matching is dropped, otherwise the
// output row is recomputed from the new version. For that, LockTarget
// holds the WHERE and the select list bound over the table's own row
// (the block reads one table, so its FROM row is that table's row).
//
// Scope: the locked tables of a block must be its only FROM item (a
// regular table or a hypertable). Joins, subqueries and views in FROM are
// rejected with 0A000; functions, CTEs and system views in FROM have
// nothing to lock and are left alone. A hypertable is locked whole chunk
// by chunk (LockTarget.Chunks); SKIP LOCKED on a hypertable is rejected.

// RowKeyCol is the Scan.ColIdx entry of the hidden column holding each
// row's storage key (a bytea), produced for LockRows.
const RowKeyCol = -1

// LockStrength is a row lock strength, weakest first.
type LockStrength uint8

const (
	LockForKeyShare LockStrength = iota + 1
	LockForShare
	LockForNoKeyUpdate
	LockForUpdate
)

// String returns the clause as PostgreSQL spells it in messages.
func (s LockStrength) String() string {
	switch s {
	case LockForKeyShare:
		return "FOR KEY SHARE"
	case LockForShare:
		return "FOR SHARE"
	case LockForNoKeyUpdate:
		return "FOR NO KEY UPDATE"
	}
	return "FOR UPDATE"
}

// LockWaitPolicy is what locking a row held by another transaction does.
type LockWaitPolicy uint8

const (
	// LockWaitBlock waits for the holders to end.
	LockWaitBlock LockWaitPolicy = iota
	// LockSkipLocked drops the row from the result.
	LockSkipLocked
	// LockNoWait fails the statement with 55P03.
	LockNoWait
)

// LockRows locks each row its input produces in the tables of Targets,
// re-checks it against the newest committed version and passes it on
// (recomputed from that version), or drops it.
type LockRows struct {
	Input    Node
	Strength LockStrength
	Wait     LockWaitPolicy
	Targets  []LockTarget
}

// Columns returns the input's columns.
func (n *LockRows) Columns() []OutCol { return n.Input.Columns() }

// LockTarget is one locked table of a LockRows node.
type LockTarget struct {
	Table *catalog.Table
	// KeyCol is the input column holding the row key (regular tables;
	// -1 for hypertables).
	KeyCol int
	// Recheck is the block's WHERE over the table's full row (nil: none).
	Recheck Expr
	// Exprs recompute each input column from the table's full row; a nil
	// entry keeps the input's value.
	Exprs []Expr
	// Chunks are the hypertable chunks the scan reads, each locked whole
	// before the first row is returned.
	Chunks []uint64
}

// lockSpec is a block's locking clauses, merged.
type lockSpec struct {
	first    LockStrength // the first clause's, which messages name
	strength LockStrength // the strongest
	wait     LockWaitPolicy
	rels     []string // OF names; nil: every table of the block
	srf      bool     // the select list had set-returning functions
	target   *LockTarget
	scan     *Scan      // the locked regular table's scan
	hyper    *HyperScan // the locked hypertable's scan
}

// strengthOf returns a locking clause's strength.
func strengthOf(lc *parse.LockingClause) LockStrength {
	switch lc.Strength {
	case parse.LockClauseStrength_LCS_FORKEYSHARE:
		return LockForKeyShare
	case parse.LockClauseStrength_LCS_FORSHARE:
		return LockForShare
	case parse.LockClauseStrength_LCS_FORNOKEYUPDATE:
		return LockForNoKeyUpdate
	}
	return LockForUpdate
}

// lockingClause merges the locking clauses of s (nil when it has none)
// and rejects the query forms PostgreSQL rejects before binding. As in
// PostgreSQL, a table named by several clauses gets the strongest
// strength and the strictest wait policy (NOWAIT over SKIP LOCKED).
func lockingClause(s *parse.SelectStmt) (*lockSpec, error) {
	if len(s.LockingClause) == 0 {
		return nil, nil
	}
	ls := &lockSpec{first: strengthOf(s.LockingClause[0].GetLockingClause())}
	all := false
	for _, n := range s.LockingClause {
		lc := n.GetLockingClause()
		ls.strength = max(ls.strength, strengthOf(lc))
		switch lc.WaitPolicy {
		case parse.LockWaitPolicy_LockWaitSkip:
			ls.wait = max(ls.wait, LockSkipLocked)
		case parse.LockWaitPolicy_LockWaitError:
			ls.wait = LockNoWait
		}
		if len(lc.LockedRels) == 0 {
			all = true
		}
		for _, r := range lc.LockedRels {
			rv := r.GetRangeVar()
			if rv.GetSchemaname() != "" || rv.GetCatalogname() != "" {
				return nil, pgerr.New(pgerr.SyntaxError, "%s must specify unqualified relation names", strengthOf(lc)).
					WithPosition(rv.Location + 1)
			}
			ls.rels = append(ls.rels, rv.GetRelname())
		}
	}
	if all {
		ls.rels = nil
	}
	switch {
	case s.Op != parse.SetOperation_SETOP_NONE:
		return nil, ls.notAllowed("UNION/INTERSECT/EXCEPT")
	case len(s.ValuesLists) > 0:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "%s cannot be applied to VALUES", ls.first)
	case len(s.DistinctClause) > 0:
		return nil, ls.notAllowed("DISTINCT clause")
	case len(s.GroupClause) > 0:
		return nil, ls.notAllowed("GROUP BY clause")
	case s.HavingClause != nil:
		return nil, ls.notAllowed("HAVING clause")
	}
	return ls, nil
}

// notAllowed is PostgreSQL's error for a locking clause in a query of
// the form what.
func (ls *lockSpec) notAllowed(what string) error {
	return pgerr.New(pgerr.FeatureNotSupported, "%s is not allowed with %s", ls.first, what)
}

// check rejects, after binding the select list, the query forms
// PostgreSQL rejects then.
func (ls *lockSpec) check(aggs, wins bool) error {
	switch {
	case aggs:
		return ls.notAllowed("aggregate functions")
	case wins:
		return ls.notAllowed("window functions")
	case ls.srf:
		return ls.notAllowed("set-returning functions in the target list")
	}
	return nil
}

// lockTargets finds the tables a block's locking clause locks among its
// FROM items (from, bound as nodes) and prepares their scans: a regular
// table's Scan gets its hidden row key column.
func (ls *lockSpec) lockTargets(from []*parse.Node, nodes []Node) error {
	named := func(alias string) bool {
		return ls.rels == nil || slices.Contains(ls.rels, alias)
	}
	found := map[string]bool{}
	lockable := 0
	for i, f := range from {
		alias := ""
		if rv := f.GetRangeVar(); rv != nil {
			alias = rv.Relname
			if rv.Alias != nil {
				alias = rv.Alias.Aliasname
			}
		} else if rf := f.GetRangeFunction(); rf != nil {
			if rf.Alias != nil {
				found[rf.Alias.Aliasname] = true
			}
			continue
		} else if rs := f.GetRangeSubselect(); rs != nil {
			if rs.Alias != nil && !named(rs.Alias.Aliasname) {
				continue
			}
			return pgerr.New(pgerr.FeatureNotSupported, "%s is not supported on a subquery in FROM", ls.first)
		} else {
			return pgerr.New(pgerr.FeatureNotSupported, "%s is not supported on a join", ls.first)
		}
		found[alias] = true
		if !named(alias) {
			continue
		}
		switch x := nodes[i].(type) {
		case *Scan:
			lockable++
			ls.scan = x
			ls.target = &LockTarget{Table: x.Table}
		case *HyperScan:
			lockable++
			if ls.wait == LockSkipLocked {
				return pgerr.New(pgerr.FeatureNotSupported, "SKIP LOCKED is not supported on hypertable %q", x.Table.Name).
					WithHint("tsgres locks hypertables by whole chunks; use NOWAIT or wait.")
			}
			ls.hyper = x
			ls.target = &LockTarget{Table: x.Table, KeyCol: -1}
		case *CTERef, *Virtual, *FuncScan:
			// Nothing stored to lock.
		default:
			return pgerr.New(pgerr.FeatureNotSupported, "%s is not supported on view %q", ls.first, alias)
		}
	}
	for _, r := range ls.rels {
		if !found[r] {
			return pgerr.New(pgerr.UndefinedTable, "relation %q in %s clause not found in FROM clause", r, ls.first)
		}
	}
	if lockable > 1 {
		return pgerr.New(pgerr.FeatureNotSupported, "%s is not supported on a join", ls.first)
	}
	return nil
}

// addKeyColumn makes the locked regular table's scan produce its row keys
// as a hidden last column and returns a reference to it (nil when the
// block locks no regular table).
func (ls *lockSpec) addKeyColumn() Expr {
	if ls.scan == nil {
		return nil
	}
	sc := ls.scan
	sc.Cols = append(slices.Clip(sc.Cols), OutCol{Name: "?rowkey?", T: types.Bytea, Hidden: true})
	sc.ColIdx = append(slices.Clip(sc.ColIdx), RowKeyCol)
	return &ColRef{T: types.Bytea, Idx: len(sc.Cols) - 1, Name: "?rowkey?"}
}

// node wraps input, the block's plan below its Limit, in a LockRows.
// where is the block's WHERE and exprs its select list (hidden columns
// included, the row key last), all over the FROM row.
func (ls *lockSpec) node(input Node, where Expr, exprs []Expr) Node {
	if ls.target == nil {
		return input
	}
	t := *ls.target
	if ls.scan != nil {
		t.KeyCol = len(exprs) - 1
		t.Recheck = where
		t.Exprs = append(slices.Clip(exprs[:len(exprs)-1]), nil)
	}
	if ls.hyper != nil {
		// LookupChunks has listed the scan's chunks by now.
		for _, c := range ls.hyper.Chunks {
			t.Chunks = append(t.Chunks, c.ID)
		}
	}
	return &LockRows{Input: input, Strength: ls.strength, Wait: ls.wait, Targets: []LockTarget{t}}
}
