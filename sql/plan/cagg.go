package plan

import (
	"fmt"
	"strings"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/agg"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Continuous-aggregate definitions: CREATE MATERIALIZED VIEW ... WITH
// (timescaledb.continuous) is analysed into a catalog.Cagg.
//
// The defining query "SELECT time_bucket(w, time) AS bucket, g..., aggs
// FROM src [WHERE ...] GROUP BY bucket, g..." becomes
//
//   - a state query: the grouping expressions and, per aggregate, its
//     partial states (StateSelect), evaluated per bucket range;
//   - per view column a finalize expression over one row of states.
//
// avg is kept as (sum, count) and the float stddev/variance family as
// (count, mean, M2) so a continuous aggregate built on this one combines
// them exactly; every other aggregate (sum, min, max, count, first, last,
// percentile_cont, ...) is stored as its own value, which is exact because
// a refresh always recomputes whole buckets from the source.

// CaggDef is an analysed continuous aggregate.
type CaggDef struct {
	Cagg *catalog.Cagg
	// Source is the raw hypertable or the parent continuous aggregate.
	Source *catalog.Table
	// MatCols are the materialization hypertable's columns (grouping
	// columns, then states).
	MatCols []OutCol
	// Cols are the view's columns.
	Cols []OutCol
	// ChunkInterval is the materialization hypertable's chunk width.
	ChunkInterval int64
}

// stddevFamily maps the variance/stddev aggregates to their finalizers
// over (n, mean, m2).
var stddevFamily = map[string]string{
	"stddev":      "sqrt(greatest(%[3]s, 0) / (%[1]s - 1))",
	"stddev_samp": "sqrt(greatest(%[3]s, 0) / (%[1]s - 1))",
	"stddev_pop":  "sqrt(greatest(%[3]s, 0) / %[1]s)",
	"variance":    "(greatest(%[3]s, 0) / (%[1]s - 1))",
	"var_samp":    "(greatest(%[3]s, 0) / (%[1]s - 1))",
	"var_pop":     "(greatest(%[3]s, 0) / %[1]s)",
}

// minRows is how many rows each stddev-family finalizer needs.
func minRows(fn string) int {
	if strings.HasSuffix(fn, "_pop") {
		return 1
	}
	return 2
}

// caggAgg is one aggregate call of the defining query.
type caggAgg struct {
	node   *parse.Node
	fn     string
	states []string // state column names
	exprs  []string // state expressions over the source
	// kind: "avg", "stddev" (decomposed) or "" (kept whole).
	kind string
}

type caggGroup struct {
	node *parse.Node
	text string
	name string
}

func caggErr(format string, a ...any) *pgerr.Error {
	return pgerr.New(pgerr.FeatureNotSupported, format, a...)
}

// caggDef analyses a continuous aggregate's defining query.
func (b *binder) caggDef(sel *parse.SelectStmt) (*CaggDef, error) {
	switch {
	case sel == nil || sel.Op != parse.SetOperation_SETOP_NONE || len(sel.ValuesLists) > 0:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "invalid continuous aggregate query").WithHint("Use a SELECT query in the continuous aggregate view.")
	case sel.WithClause != nil:
		return nil, caggErr("invalid continuous aggregate query").WithDetail("CTEs, subqueries and set-returning functions are not supported by continuous aggregates.")
	case len(sel.DistinctClause) > 0:
		return nil, caggErr("invalid continuous aggregate query").WithDetail("DISTINCT / DISTINCT ON queries are not supported by continuous aggregates.")
	case len(sel.SortClause) > 0 || sel.LimitCount != nil || sel.LimitOffset != nil:
		return nil, caggErr("invalid continuous aggregate query").WithDetail("ORDER BY, LIMIT and OFFSET are not supported by continuous aggregates.")
	case sel.HavingClause != nil:
		return nil, caggErr("HAVING is not supported in continuous aggregates by tsgres")
	case len(sel.WindowClause) > 0:
		return nil, caggErr("invalid continuous aggregate query").WithDetail("Window functions are not supported by continuous aggregates.")
	case len(sel.FromClause) != 1 || sel.FromClause[0].GetRangeVar() == nil:
		return nil, caggErr("invalid continuous aggregate view").WithHint("Include at least one hypertable or continuous aggregate in the FROM clause; joins are not supported.")
	case len(sel.GroupClause) == 0:
		return nil, caggErr("invalid continuous aggregate query").WithHint("Include at least one aggregate function and a GROUP BY clause with time bucket.")
	}
	if _, err := b.child().selectStmt(sel, nil); err != nil {
		return nil, err
	}
	rv := sel.FromClause[0].GetRangeVar()
	src := lookupTable(b.env, rv.Schemaname, rv.Relname)
	c := &catalog.Cagg{SourceAlias: rv.Relname}
	if rv.Alias != nil {
		c.SourceAlias = rv.Alias.Aliasname
	}
	var parent *catalog.Cagg
	switch {
	case src == nil:
		return nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", rv.Relname)
	case src.IsCagg():
		parent = src.View.Cagg
		c.SourceTime, c.TimeType = parent.BucketCol(), parent.TimeType
	case src.Hyper != nil && src.View == nil:
		tc := src.Cols[src.ColByID(src.Hyper.TimeCol)]
		if tc.Type.OID != types.OidTimestamptz && tc.Type.OID != types.OidTimestamp {
			return nil, caggErr("continuous aggregates on hypertables with %s time columns are not supported by tsgres", tc.Type.Info().Name)
		}
		c.SourceTime, c.TimeType = tc.Name, tc.Type
	default:
		return nil, caggErr("invalid continuous aggregate view").WithHint("Include at least one hypertable or continuous aggregate in the FROM clause.")
	}
	c.SourceOID = src.OID
	for _, t := range sel.TargetList {
		if t.GetResTarget().GetVal().GetColumnRef() != nil && isStar(t.GetResTarget().Val.GetColumnRef()) {
			return nil, caggErr("SELECT * is not supported in continuous aggregates")
		}
	}
	orig, err := b.child().selectStmt(sel, nil)
	if err != nil {
		return nil, err
	}
	outCols := visible(orig.Columns())
	groups, err := b.caggGroups(sel, src, c, outCols)
	if err != nil {
		return nil, err
	}
	if parent != nil && c.BucketWidth%parent.BucketWidth != 0 {
		return nil, caggErr("cannot create continuous aggregate with incompatible bucket width").
			WithDetail("Time bucket width of %q should be a multiple of the time bucket width of its source %q.", sel.TargetList[0].GetResTarget().Name, src.Name)
	}
	d := &CaggDef{Cagg: c, Source: src}
	aggs, err := b.caggAggs(sel, src, c, parent)
	if err != nil {
		return nil, err
	}
	var sel2 []string
	for _, g := range groups {
		c.GroupCols = append(c.GroupCols, g.name)
		sel2 = append(sel2, g.text+" AS "+QuoteIdent(g.name))
	}
	for _, a := range aggs {
		for i := range a.states {
			sel2 = append(sel2, a.exprs[i]+" AS "+QuoteIdent(a.states[i]))
		}
	}
	c.StateSelect = strings.Join(sel2, ", ")
	if sel.WhereClause != nil {
		if c.Where, err = deparseExpr(sel.WhereClause); err != nil {
			return nil, err
		}
	}
	stateSQL := CaggStateQuery(c, definitionSource(b.env.Catalog(), src), nil, nil)
	matNode, err := b.bindSQL(stateSQL)
	if err != nil {
		return nil, err
	}
	d.MatCols = visible(matNode.Columns())
	stype := map[string]types.T{}
	for _, mc := range d.MatCols {
		stype[mc.Name] = mc.T
	}
	for i, t := range sel.TargetList {
		out, err := caggOutput(t.GetResTarget().Val, outCols[i].Name, groups, aggs, stype)
		if err != nil {
			return nil, err
		}
		c.Outputs = append(c.Outputs, out)
	}
	final, err := b.bindSQL("SELECT " + CaggOutputList(c) + " FROM (" + stateSQL + ") AS _m")
	if err != nil {
		return nil, err
	}
	d.Cols = visible(final.Columns())
	if parent != nil {
		d.ChunkInterval = 10 * parent.BucketWidth * 1000
	} else {
		d.ChunkInterval = 10 * src.Hyper.Interval
	}
	return d, nil
}

func isStar(cr *parse.ColumnRef) bool {
	for _, f := range cr.Fields {
		if f.GetAStar() != nil {
			return true
		}
	}
	return false
}

// bindSQL binds a generated SELECT in a fresh binder.
func (b *binder) bindSQL(sql string) (Node, error) {
	res, err := parse.Tree(sql)
	if err != nil {
		return nil, fmt.Errorf("BUG: generated continuous aggregate query does not parse: %w: %s", err, sql)
	}
	nb := newBinder(b.env, nil, b.loc)
	nb.viewDepth = b.viewDepth + 1
	if nb.viewDepth > maxViewDepth {
		return nil, pgerr.New("42P17", "infinite recursion detected in rules for relation")
	}
	return nb.selectStmt(res.Stmts[0].Stmt.GetSelectStmt(), nil)
}

// caggGroups resolves the GROUP BY list, finds the time bucket and names
// the grouping columns (bucket first).
func (b *binder) caggGroups(sel *parse.SelectStmt, src *catalog.Table, c *catalog.Cagg, outCols []OutCol) ([]caggGroup, error) {
	isSourceCol := func(name string) bool {
		if src.IsCagg() {
			for _, o := range src.View.Cagg.Outputs {
				if o.Name == name {
					return true
				}
			}
			return false
		}
		return src.Col(name) != nil
	}
	var groups []caggGroup
	bucket := -1
	for _, g := range sel.GroupClause {
		n := g
		if k, ok := intConst(g); ok && k >= 1 && int(k) <= len(sel.TargetList) {
			n = sel.TargetList[k-1].GetResTarget().Val
		} else if cr := g.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && !isSourceCol(strVal(cr.Fields[0])) {
			for _, t := range sel.TargetList {
				if rt := t.GetResTarget(); rt.Name == strVal(cr.Fields[0]) {
					n = rt.Val
				}
			}
		}
		text, err := deparseExpr(n)
		if err != nil {
			return nil, err
		}
		gr := caggGroup{node: n, text: text}
		if fc := n.GetFuncCall(); fc != nil && aggName(fc) == "time_bucket" {
			if bucket >= 0 {
				return nil, caggErr("continuous aggregate view cannot contain multiple time bucket functions")
			}
			w, err := b.bucketWidth(fc, c)
			if err != nil {
				return nil, err
			}
			c.BucketWidth = w
			bucket = len(groups)
		}
		groups = append(groups, gr)
	}
	if bucket < 0 {
		return nil, caggErr("continuous aggregate view must include a valid time bucket function")
	}
	groups[0], groups[bucket] = groups[bucket], groups[0]
	used := map[string]bool{}
	for i := range groups {
		for j, t := range sel.TargetList {
			if s, _ := deparseExpr(t.GetResTarget().Val); s == groups[i].text {
				groups[i].name = outCols[j].Name
				break
			}
		}
		if groups[i].name == "" || used[groups[i].name] {
			groups[i].name = fmt.Sprintf("grp_%d", i+1)
		}
		used[groups[i].name] = true
	}
	return groups, nil
}

func intConst(n *parse.Node) (int32, bool) {
	if ac := n.GetAConst(); ac != nil && ac.GetIval() != nil {
		return ac.GetIval().Ival, true
	}
	return 0, false
}

func aggName(fc *parse.FuncCall) string {
	return strings.ToLower(strVal(fc.Funcname[len(fc.Funcname)-1]))
}

// bucketWidth checks time_bucket(width, time) and returns width in µs.
func (b *binder) bucketWidth(fc *parse.FuncCall, c *catalog.Cagg) (int64, error) {
	if len(fc.Args) != 2 {
		return 0, caggErr("continuous aggregates support only time_bucket(width, time) in tsgres (no origin, offset or time zone)")
	}
	cr := fc.Args[1].GetColumnRef()
	if cr == nil || strVal(cr.Fields[len(cr.Fields)-1]) != c.SourceTime {
		return 0, caggErr("time bucket function must reference the primary hypertable dimension column")
	}
	e, err := b.expr(fc.Args[0], &exprCtx{sc: newScope(nil), what: "time_bucket width"})
	if err != nil {
		return 0, err
	}
	if e, err = b.coerce(e, types.IntervalT, "time_bucket width"); err != nil {
		return 0, err
	}
	v, ok, err := b.env.EvalConst(e)
	if err != nil {
		return 0, err
	}
	iv, isIv := v.(types.Interval)
	if !ok || !isIv {
		return 0, caggErr("only immutable expressions allowed in time bucket function").WithHint("Use an immutable expression as first argument to the time bucket function.")
	}
	if iv.Months != 0 {
		return 0, caggErr("continuous aggregates with month-based time buckets are not supported by tsgres")
	}
	w := types.IntervalMicros(iv)
	if w <= 0 {
		return 0, pgerr.New(pgerr.InvalidParameterValue, "period must be greater than 0")
	}
	return w, nil
}

// caggAggs collects the aggregate calls of the select list and their
// partial states.
func (b *binder) caggAggs(sel *parse.SelectStmt, src *catalog.Table, c *catalog.Cagg, parent *catalog.Cagg) ([]*caggAgg, error) {
	var aggs []*caggAgg
	var walkErr error
	for _, t := range sel.TargetList {
		walkNodes(t.GetResTarget().Val, func(n *parse.Node) bool {
			fc := n.GetFuncCall()
			if fc == nil || walkErr != nil {
				return walkErr == nil
			}
			fn := aggName(fc)
			if len(agg.Overloads(fn)) == 0 && !fc.AggWithinGroup {
				return true
			}
			if fc.Over != nil {
				walkErr = caggErr("invalid continuous aggregate query").WithDetail("Window functions are not supported by continuous aggregates.")
				return false
			}
			if fc.AggFilter != nil || fc.AggDistinct || (len(fc.AggOrder) > 0 && !fc.AggWithinGroup) {
				walkErr = caggErr("aggregates with FILTER / DISTINCT / ORDER BY are not supported")
				return false
			}
			a, err := b.caggAgg(n, fc, fn, len(aggs)+1, src, c, parent)
			if err != nil {
				walkErr = err
				return false
			}
			aggs = append(aggs, a)
			return false
		})
	}
	if walkErr != nil {
		return nil, walkErr
	}
	if len(aggs) == 0 {
		return nil, caggErr("invalid continuous aggregate query").WithHint("Include at least one aggregate function and a GROUP BY clause with time bucket.")
	}
	return aggs, nil
}

// caggAgg works out the partial states of aggregate call n, the i-th.
func (b *binder) caggAgg(n *parse.Node, fc *parse.FuncCall, fn string, i int, src *catalog.Table, c *catalog.Cagg, parent *catalog.Cagg) (*caggAgg, error) {
	a := &caggAgg{node: n, fn: fn}
	name := func(s string) string { return fmt.Sprintf("agg_%d_%s", i, s) }
	var arg string
	if len(fc.Args) == 1 && !fc.AggWithinGroup {
		var err error
		if arg, err = deparseExpr(fc.Args[0]); err != nil {
			return nil, err
		}
	}
	// In a hierarchical aggregate, avg and stddev over the parent's
	// decomposed column combine the parent's states.
	if po := parentOutput(parent, fc); po != nil {
		p := func(s string) string { return QuoteIdent(c.SourceAlias) + "." + QuoteIdent(s) }
		switch {
		case fn == "avg" && po.Agg == "avg":
			a.kind = "avg"
			a.states = []string{name("sum"), name("count")}
			a.exprs = []string{"sum(" + p(po.States[0]) + ")", "sum(" + p(po.States[1]) + ")"}
			return a, nil
		case stddevFamily[fn] != "" && po.Agg == "stddev":
			n, mean, m2 := p(po.States[0]), p(po.States[1]), p(po.States[2])
			nm := fmt.Sprintf("sum(%s * %s)", n, mean)
			a.kind = "stddev"
			a.states = []string{name("n"), name("mean"), name("m2")}
			a.exprs = []string{"sum(" + n + ")",
				fmt.Sprintf("%s / nullif(sum(%s), 0)", nm, n),
				fmt.Sprintf("sum(%[3]s) + sum(%[1]s * %[2]s * %[2]s) - %[4]s * %[4]s / nullif(sum(%[1]s), 0)", n, mean, m2, nm)}
			return a, nil
		}
	}
	whole, err := deparseExpr(n)
	if err != nil {
		return nil, err
	}
	switch {
	case fn == "avg" && arg != "":
		a.kind = "avg"
		a.states = []string{name("sum"), name("count")}
		a.exprs = []string{"sum(" + arg + ")", "count(" + arg + ")"}
	case stddevFamily[fn] != "" && arg != "":
		probe, err := b.bindSQL("SELECT " + whole + " FROM " + definitionSource(b.env.Catalog(), src) + " AS " + QuoteIdent(c.SourceAlias))
		if err != nil {
			return nil, err
		}
		if t := visible(probe.Columns())[0].T; t.OID != types.OidFloat8 {
			a.states, a.exprs = []string{name(fn)}, []string{whole}
			return a, nil
		}
		a.kind = "stddev"
		a.states = []string{name("n"), name("mean"), name("m2")}
		a.exprs = []string{"count(" + arg + ")", "avg(" + arg + ")", "var_pop(" + arg + ") * count(" + arg + ")"}
	default:
		a.states, a.exprs = []string{name(fn)}, []string{whole}
	}
	return a, nil
}

// parentOutput returns the parent's output column an aggregate's only
// argument names, or nil.
func parentOutput(parent *catalog.Cagg, fc *parse.FuncCall) *catalog.CaggOutput {
	if parent == nil || len(fc.Args) != 1 {
		return nil
	}
	cr := fc.Args[0].GetColumnRef()
	if cr == nil {
		return nil
	}
	name := strVal(cr.Fields[len(cr.Fields)-1])
	for i := range parent.Outputs {
		if parent.Outputs[i].Name == name && parent.Outputs[i].Agg != "" {
			return &parent.Outputs[i]
		}
	}
	return nil
}

// caggOutput builds a view column's finalize expression: grouping
// expressions become their columns, aggregates their finalizers.
func caggOutput(val *parse.Node, name string, groups []caggGroup, aggs []*caggAgg, stype map[string]types.T) (catalog.CaggOutput, error) {
	out := catalog.CaggOutput{Name: name}
	byNode := map[*parse.Node]*caggAgg{}
	for _, a := range aggs {
		byNode[a.node] = a
	}
	var ferr error
	rewritten := rewriteNodes(val, func(n *parse.Node) (*parse.Node, bool) {
		if a := byNode[n]; a != nil {
			text := finalizer(a, stype)
			if n == val && a.kind != "" {
				out.Agg, out.States = a.kind, a.states
			}
			r, err := parseExprText(text)
			if err != nil {
				ferr = err
			}
			return r, true
		}
		s, err := deparseExpr(n)
		if err != nil {
			return nil, false
		}
		for _, g := range groups {
			if g.text == s || (n.GetColumnRef() != nil && g.node.GetColumnRef() != nil && lastField(n) == lastField(g.node)) {
				r, _ := parseExprText(QuoteIdent(g.name))
				return r, true
			}
		}
		return nil, false
	})
	if ferr != nil {
		return out, ferr
	}
	expr, err := deparseExpr(rewritten)
	if err != nil {
		return out, err
	}
	out.Expr = expr
	return out, nil
}

func lastField(n *parse.Node) string {
	cr := n.GetColumnRef()
	return strVal(cr.Fields[len(cr.Fields)-1])
}

// finalizer returns the SQL finishing aggregate a from its state columns.
func finalizer(a *caggAgg, stype map[string]types.T) string {
	q := func(i int) string { return QuoteIdent(a.states[i]) }
	switch a.kind {
	case "avg":
		if t := stype[a.states[0]]; t.OID == types.OidFloat8 || t.OID == types.OidFloat4 {
			return fmt.Sprintf("(%s / nullif(%s, 0))", q(0), q(1))
		}
		return fmt.Sprintf("(%s::numeric / nullif(%s, 0))", q(0), q(1))
	case "stddev":
		return fmt.Sprintf("(CASE WHEN %s >= %d THEN %s END)", q(0), minRows(a.fn), fmt.Sprintf(stddevFamily[a.fn], q(0), q(1), q(2)))
	}
	return q(0)
}

// parseExprText parses one SQL expression into a node.
func parseExprText(s string) (*parse.Node, error) {
	res, err := parse.Fresh("SELECT " + s)
	if err != nil {
		return nil, fmt.Errorf("BUG: generated expression %q does not parse: %w", s, err)
	}
	return res.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val, nil
}

// QuoteIdent quotes an identifier for the SQL generated from a
// continuous aggregate's descriptor (always quoted, so any name is safe).
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
