package exec

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// Explain renders n as PostgreSQL's EXPLAIN (COSTS OFF) text: one line
// per node, children introduced by "->", properties indented below their
// node. With analyze the plan is run first (its rows discarded) and each
// node shows "(actual rows=N loops=L)"; hypertable scans add block counts.
func Explain(ctx *Ctx, n plan.Node, analyze bool) ([]string, error) {
	var elapsed time.Duration
	if analyze {
		saved := ctx.Analyze
		ctx.Analyze = true
		ctx.stats, ctx.scans, ctx.reads, ctx.keySets, ctx.readStats = nil, nil, nil, nil, nil
		start := time.Now()
		op, err := build(ctx, n)
		if err == nil {
			for {
				var b *col.Batch
				if b, err = op.Next(); err != nil || b == nil {
					break
				}
			}
			if cerr := op.Close(); err == nil {
				err = cerr
			}
		}
		ctx.Analyze = saved
		if err != nil {
			return nil, err
		}
		elapsed = time.Since(start)
	}
	e := &explainer{ctx: ctx, analyze: analyze}
	e.node(n, 0)
	if analyze {
		e.lines = append(e.lines, fmt.Sprintf("Execution Time: %.3f ms", float64(elapsed.Microseconds())/1000))
	}
	return e.lines, nil
}

type explainer struct {
	ctx     *Ctx
	analyze bool
	lines   []string
}

func (e *explainer) header(depth int, label string, n plan.Node) {
	prefix := ""
	if depth > 0 {
		prefix = strings.Repeat(" ", 6*(depth-1)+2) + "->  "
	}
	if e.analyze {
		st := e.ctx.stats[n]
		if st == nil {
			label += " (never executed)"
		} else {
			loops := max(st.loops, 1)
			label += fmt.Sprintf(" (actual rows=%d loops=%d)", st.rows/loops, st.loops)
		}
	}
	e.lines = append(e.lines, prefix+label)
}

func (e *explainer) prop(depth int, format string, args ...any) {
	e.lines = append(e.lines, strings.Repeat(" ", 6*depth+2)+fmt.Sprintf(format, args...))
}

// node renders n at depth; filter is a Filter node merged into it.
func (e *explainer) node(n plan.Node, depth int) {
	e.nodeWith(n, depth, nil, n)
}

// nodeWith renders n, adding filter as its "Filter:" property and taking
// actual row counts from statsNode (the topmost node merged into it).
func (e *explainer) nodeWith(n plan.Node, depth int, filter plan.Expr, statsNode plan.Node) {
	switch x := n.(type) {
	case *plan.Filter:
		// Merge consecutive filters into the node below (as PostgreSQL
		// shows quals on the scan or join that applies them).
		cond := x.Cond
		if filter != nil {
			cond = &plan.Op{T: types.Bool, Kind: plan.OpAnd, L: filter, R: x.Cond}
		}
		e.nodeWith(x.Input, depth, cond, statsNode)
		return
	case *plan.Project:
		e.nodeWith(x.Input, depth, filter, statsNode)
		return
	case *plan.Explain:
		e.nodeWith(x.Input, depth, filter, statsNode)
		return
	}
	if hs, ok := n.(*plan.HyperScan); ok && hs.Filter != nil {
		// The scan's own filter shows with the filters merged into it.
		if filter != nil {
			filter = &plan.Op{T: types.Bool, Kind: plan.OpAnd, L: filter, R: hs.Filter}
		} else {
			filter = hs.Filter
		}
	}
	label, props, kids := e.describe(n)
	e.header(depth, label, statsNode)
	for _, p := range props {
		e.prop(depth, "%s", p)
	}
	if filter != nil {
		e.prop(depth, "Filter: %s", fmtExpr(filter, n.Columns()))
		if in, out := e.ctx.stats[n], e.ctx.stats[statsNode]; e.analyze && in != nil && out != nil && n != statsNode {
			e.prop(depth, "Rows Removed by Filter: %d", (in.rows-out.rows)/max(in.loops, 1))
		}
	}
	if s, ok := n.(*plan.Scan); ok && e.analyze {
		// After PostgreSQL's lines, as its "Buffers:" line is.
		e.prop(depth, "%s", e.keyReads(s))
	}
	for _, k := range kids {
		e.node(k, depth+1)
	}
}

// keyReads returns the EXPLAIN ANALYZE line of the keys regular table
// scan n read: "Keys Read: N" (index entries and rows).
func (e *explainer) keyReads(n *plan.Scan) string {
	var reads int64
	if r := e.ctx.reads[n]; r != nil {
		reads = *r
	}
	return fmt.Sprintf("Keys Read: %d", reads)
}

// describe returns a node's label, properties and children.
func (e *explainer) describe(n plan.Node) (string, []string, []plan.Node) {
	switch x := n.(type) {
	case *plan.Scan:
		if x.Key != nil {
			var conds []string
			for i, id := range x.KeyIndex.Cols {
				conds = append(conds, "("+x.Table.Cols[x.Table.ColByID(id)].Name+" = "+fmtExpr(x.Key[i], nil)+")")
			}
			cond := strings.Join(conds, " AND ")
			if len(conds) > 1 {
				cond = "(" + cond + ")"
			}
			return "Index Scan using " + x.KeyIndex.Name + " on " + x.Table.Name, []string{"Index Cond: " + cond}, nil
		}
		if r := x.Range; r != nil {
			label := "Index Scan"
			if r.Only {
				label = "Index Only Scan"
			}
			if r.Backward {
				label += " Backward"
			}
			label += " using "
			var props []string
			if len(r.Conds) > 0 {
				var conds []string
				for _, c := range r.Conds {
					// PostgreSQL shows "5 = id" as "(id = 5)".
					if op, ok := c.(*plan.Op); ok {
						if _, colLeft := op.L.(*plan.ColRef); !colLeft {
							c = &plan.Op{T: op.T, Kind: op.Kind.Flip(), L: op.R, R: op.L}
						}
					}
					conds = append(conds, fmtExpr(c, x.Cols))
				}
				cond := strings.Join(conds, " AND ")
				if len(conds) > 1 {
					cond = "(" + cond + ")"
				}
				props = append(props, "Index Cond: "+cond)
			}
			return label + r.Index.Name + " on " + x.Table.Name, props, nil
		}
		return "Seq Scan on " + x.Table.Name, nil, nil
	case *plan.HyperScan:
		props := []string{fmt.Sprintf("Chunks excluded: %d of %d", x.Excluded, x.Total)}
		props = append(props, scanDecisions(x)...)
		if e.analyze {
			var rs readStats // zero when the scan counted none
			if p := e.ctx.readStats[x]; p != nil {
				rs = *p
			}
			if st := e.ctx.scans[x]; st != nil {
				read := fmt.Sprintf("Blocks read: %d  Blocks skipped by metadata: %d", st.BlocksRead, st.BlocksSkipped)
				if rs.inside > 0 {
					// scan_timeconds.go: these blocks' rows skipped the
					// filter's time conditions.
					read += fmt.Sprintf("  Blocks inside the time conditions: %d", rs.inside)
				}
				if rs.workers > 0 {
					read += fmt.Sprintf("  Read ahead by %d workers", rs.workers)
				}
				props = append(props, read)
			}
			if k := e.ctx.keySets[x]; k != nil {
				line := fmt.Sprintf("Blocks skipped by key set: %d  Rows removed by key set: %d", k.blocks, k.rows)
				if k.indexed > 0 {
					// storage's key index found these candidates by
					// binary search (storage/blockindex.go).
					line += fmt.Sprintf("  Candidates by key index: %d", k.indexed)
				}
				props = append(props, line)
			}
			if rs.ordered > 0 {
				props = append(props, fmt.Sprintf("Time conditions by block order: %d blocks  Rows cut: %d", rs.ordered, rs.rowsCut))
			}
			if m := e.ctx.metaAggs[x]; m != nil {
				props = append(props, fmt.Sprintf("Blocks answered from metadata: %d", m.blocks))
			}
		}
		return "Custom Scan (ChunkAppend) on " + x.Table.Name, props, nil
	case *plan.LastValueScan:
		if x.Scan != nil {
			return e.seriesScan(x)
		}
		var props []string
		if x.Key != nil {
			props = append(props, "Series: "+x.Table.Cols[x.Table.ColByID(x.Index.Cols[0])].Name+" = "+fmtExpr(x.Key, nil))
		}
		return "Custom Scan (LastValue) on " + x.Table.Name + " using " + x.Index.Name, props, nil
	case *plan.Virtual:
		return "Seq Scan on " + x.Name, nil, nil
	case *plan.Values:
		if len(x.Rows) == 1 {
			return "Result", nil, nil
		}
		return `Values Scan on "*VALUES*"`, nil, nil
	case *plan.FuncScan:
		// PostgreSQL: the function's name, then the alias when it
		// differs.
		name := x.Name
		switch {
		case name == "":
			name = x.Alias
		case x.Alias != "" && x.Alias != name:
			name += " " + x.Alias
		}
		return "Function Scan on " + name, nil, nil
	case *plan.ProjectSet:
		return "ProjectSet", nil, []plan.Node{x.Input}
	case *plan.Agg:
		in := x.Input.Columns()
		props := aggDecisions(x)
		if st := e.ctx.stats[x]; e.analyze && st != nil && st.workers > 0 {
			props = append(props, fmt.Sprintf("Workers: %d (parallel block scan)", st.workers))
		}
		if len(x.Keys) == 0 {
			return "Aggregate", props, []plan.Node{x.Input}
		}
		return "HashAggregate", append([]string{"Group Key: " + fmtList(x.Keys, in)}, props...), []plan.Node{x.Input}
	case *plan.Sort:
		in := x.Input.Columns()
		keys := make([]string, len(x.Keys))
		for i, k := range x.Keys {
			keys[i] = fmtSortKey(sortKeyExpr(x, k.E, in))
			if k.Desc {
				keys[i] += " DESC"
				if !k.NullsFirst {
					keys[i] += " NULLS LAST"
				}
			} else if k.NullsFirst {
				keys[i] += " NULLS FIRST"
			}
		}
		return "Sort", []string{"Sort Key: " + strings.Join(keys, ", ")}, []plan.Node{x.Input}
	case *plan.Limit:
		return "Limit", nil, []plan.Node{x.Input}
	case *plan.LockRows:
		return "LockRows", nil, []plan.Node{x.Input}
	case *plan.Distinct:
		if len(x.On) > 0 {
			return "Unique", nil, []plan.Node{x.Input}
		}
		cols := x.Input.Columns()
		keys := make([]string, 0, len(cols))
		for _, c := range cols {
			keys = append(keys, qualName(c))
		}
		return "HashAggregate", []string{"Group Key: " + strings.Join(keys, ", ")}, []plan.Node{x.Input}
	case *plan.Join:
		return e.describeJoin(x)
	case *plan.SetOp:
		switch {
		case x.Kind == plan.SetUnion && x.All:
			return "Append", nil, []plan.Node{x.Left, x.Right}
		case x.Kind == plan.SetUnion:
			return "HashAggregate", nil, []plan.Node{x.Left, x.Right}
		case x.Kind == plan.SetIntersect:
			return "HashSetOp Intersect" + allSuffix(x.All), nil, []plan.Node{x.Left, x.Right}
		}
		return "HashSetOp Except" + allSuffix(x.All), nil, []plan.Node{x.Left, x.Right}
	case *plan.Window:
		return "WindowAgg", nil, []plan.Node{x.Input}
	case *plan.CTERef:
		return "CTE Scan on " + x.CTE.Name, nil, nil
	}
	return fmt.Sprintf("%T", n), nil, nil
}

func allSuffix(all bool) string {
	if all {
		return " All"
	}
	return ""
}

func (e *explainer) describeJoin(x *plan.Join) (string, []string, []plan.Node) {
	kind := map[plan.JoinKind]string{plan.JoinLeft: " Left", plan.JoinRight: " Right", plan.JoinFull: " Full",
		plan.JoinSemi: " Semi", plan.JoinAnti: " Anti"}[x.Kind]
	cols := append(append([]plan.OutCol(nil), x.Left.Columns()...), x.Right.Columns()...)
	if len(x.EqLeft) > 0 && !x.Lateral {
		var props []string
		if x.Cond != nil {
			props = append(props, "Hash Cond: "+fmtExpr(x.Cond, cols))
		}
		return "Hash" + kind + " Join", props, []plan.Node{x.Left, x.Right}
	}
	var props []string
	if x.Cond != nil {
		props = append(props, "Join Filter: "+fmtExpr(x.Cond, cols))
	}
	label := "Nested Loop"
	if kind != "" {
		label += kind + " Join"
	}
	return label, props, []plan.Node{x.Left, x.Right}
}

func qualName(c plan.OutCol) string {
	if c.Rel != "" {
		return c.Rel + "." + c.Name
	}
	return c.Name
}

func fmtList(es []plan.Expr, cols []plan.OutCol) string {
	parts := make([]string, len(es))
	for i, x := range es {
		parts[i] = fmtExpr(x, cols)
	}
	return strings.Join(parts, ", ")
}

// fmtExpr deparses an expression the way EXPLAIN shows it.
func fmtExpr(e plan.Expr, cols []plan.OutCol) string {
	switch x := e.(type) {
	case nil:
		return "NULL"
	case *plan.Const:
		if x.V == nil {
			return "NULL"
		}
		s := types.FormatText(x.T, x.V, utcLoc)
		if x.T.IsInteger() {
			return s
		}
		name := x.T.Info().SQLName
		if elem, ok := x.T.Elem(); ok {
			name = elem.Info().SQLName + "[]"
		}
		return "'" + strings.ReplaceAll(s, "'", "''") + "'::" + name
	case *plan.ColRef:
		if x.Idx >= 0 && x.Idx < len(cols) {
			return qualName(cols[x.Idx])
		}
		if x.Name != "" {
			return x.Name
		}
		return fmt.Sprintf("$%d", x.Idx)
	case *plan.Param:
		return fmt.Sprintf("$%d", x.N)
	case *plan.Call:
		name := "?"
		if x.Fn != nil {
			name = x.Fn.Name
		}
		return name + "(" + fmtList(x.Args, cols) + ")"
	case *plan.Op:
		if x.R == nil {
			return "(" + x.Kind.String() + " " + fmtExpr(x.L, cols) + ")"
		}
		return "(" + fmtExpr(x.L, cols) + " " + x.Kind.String() + " " + fmtExpr(x.R, cols) + ")"
	case *plan.Cast:
		return "(" + fmtExpr(x.E, cols) + ")::" + x.T.Info().SQLName
	case *plan.IsNull:
		if x.Not {
			return "(" + fmtExpr(x.E, cols) + " IS NOT NULL)"
		}
		return "(" + fmtExpr(x.E, cols) + " IS NULL)"
	case *plan.AnyArray:
		q := " ANY ("
		if x.All {
			q = " ALL ("
		}
		return "(" + fmtExpr(x.E, cols) + " " + x.Op.String() + q + fmtExpr(x.Array, cols) + "))"
	case *plan.InList:
		op := "= ANY"
		if x.Not {
			op = "<> ALL"
		}
		return "(" + fmtExpr(x.E, cols) + " " + op + " (" + fmtList(x.List, cols) + "))"
	case *plan.Like:
		op := "~~"
		if x.CaseFold {
			op = "~~*"
		}
		if x.Not {
			op = "!" + op
		}
		return "(" + fmtExpr(x.E, cols) + " " + op + " " + fmtExpr(x.Pattern, cols) + ")"
	case *plan.Subquery:
		return "(SubPlan)"
	}
	return plan.Format(e, cols)
}

// explainOp returns the EXPLAIN text of its plan as rows.
type explainOp struct {
	ctx  *Ctx
	n    *plan.Explain
	rows *rowsOp
}

func (x *explainOp) Next() (*col.Batch, error) {
	if x.rows == nil {
		lines, err := Explain(x.ctx, x.n.Input, x.n.Analyze)
		if err != nil {
			return nil, err
		}
		rows := make([][]any, len(lines))
		for i, l := range lines {
			rows[i] = []any{l}
		}
		x.rows = &rowsOp{kinds: []col.Kind{col.Bytes}, rows: rows}
	}
	return x.rows.Next()
}

func (x *explainOp) Close() error { return nil }

// scanDecisions returns the EXPLAIN properties of the optimizer's and the
// binder's decisions about how a hypertable scan reads: the time range
// blocks are skipped outside of, the block predicates, the ordered read
// with early stop, and the columns decoded when not all are.
func scanDecisions(x *plan.HyperScan) []string {
	var props []string
	ti := x.TimeIdx()
	timeName := "time"
	if ti >= 0 {
		timeName = x.Cols[ti].Name
	}
	if (x.TimeMin != 0 || x.TimeMax != 0) && (x.TimeMin != math.MinInt64 || x.TimeMax != math.MaxInt64) {
		props = append(props, "Blocks skipped by time: "+timeRange(x, ti, timeName))
	}
	if len(x.Preds) > 0 {
		preds := make([]string, len(x.Preds))
		for i, p := range x.Preds {
			name := fmt.Sprintf("column %d", p.Col)
			if ci := x.Table.ColByID(p.Col); ci >= 0 {
				name = x.Table.Cols[ci].Name
			}
			v := fmt.Sprint(p.Value)
			if s, ok := p.Value.(string); ok {
				v = "'" + strings.ReplaceAll(s, "'", "''") + "'"
			}
			preds[i] = name + " " + p.Op.String() + " " + v
		}
		props = append(props, "Blocks skipped by min/max: "+strings.Join(preds, " AND "))
		if sk := seriesKeyName(x); sk != "" {
			props = append(props, "Series key: "+sk+" (blocks sorted by "+sk+", "+timeName+")")
		}
	}
	for _, k := range x.Keys {
		props = append(props, "Series keys: "+keySetText(x, k))
	}
	stop := "stopping at the LIMIT"
	if x.BucketKey != nil {
		stop = "stopping once the LIMIT's buckets are complete"
	}
	switch x.Order {
	case plan.ScanTimeAsc:
		props = append(props, "Ordered by: "+timeName+", "+stop)
	case plan.ScanTimeDesc:
		props = append(props, "Ordered by: "+timeName+" DESC, "+stop)
	}
	if x.Decode != nil {
		var names []string
		for i, d := range x.Decode {
			if d {
				names = append(names, x.Cols[i].Name)
			}
		}
		if len(names) < len(x.Decode) {
			props = append(props, fmt.Sprintf("Columns decoded: %d of %d (%s)", len(names), len(x.Decode), strings.Join(names, ", ")))
		}
	}
	return props
}

// keySetText renders a key set pushed into scan x: its condition, with
// a subquery shown as PostgreSQL shows a hashed one.
func keySetText(x *plan.HyperScan, k plan.KeySet) string {
	if k.Cond == nil {
		return x.Cols[k.Idx].Name + " IN (inner keys of the hash join)"
	}
	if _, ok := k.Cond.(*plan.Subquery); ok {
		return x.Cols[k.Idx].Name + " IN (SubPlan)"
	}
	return fmtExpr(k.Cond, x.Cols)
}

// timeRange renders the scan's inclusive time bounds in the time column's
// type, an open end as -infinity or infinity.
func timeRange(x *plan.HyperScan, ti int, name string) string {
	bound := func(v int64) string {
		if ti >= 0 {
			if t := x.Cols[ti].T; t.OID == types.OidTimestamptz || t.OID == types.OidTimestamp {
				return "'" + types.FormatText(t, v, utcLoc) + "'"
			}
		}
		return fmt.Sprint(v)
	}
	var parts []string
	if x.TimeMin != math.MinInt64 {
		parts = append(parts, name+" >= "+bound(x.TimeMin))
	}
	if x.TimeMax != math.MaxInt64 {
		parts = append(parts, name+" <= "+bound(x.TimeMax))
	}
	return strings.Join(parts, " AND ")
}

// aggDecisions returns the EXPLAIN properties of the optimizer's
// decisions about an aggregation.
func aggDecisions(x *plan.Agg) []string {
	var props []string
	if x.FromMetadata {
		props = append(props, "Whole blocks answered from metadata: yes")
	}
	if x.Parallel {
		props = append(props, "Parallel block scan: allowed")
	}
	return props
}

// fmtSortKey formats a sort key as PostgreSQL does: an expression other
// than a column in parentheses of its own.
func fmtSortKey(e plan.Expr, cols []plan.OutCol) string {
	if _, ok := e.(*plan.ColRef); ok {
		return fmtExpr(e, cols)
	}
	return "(" + fmtExpr(e, cols) + ")"
}

// sortKeyExpr returns what a Sort key stands for: a hidden column the
// projection below added for ORDER BY (a key not in the select list) is
// shown as the projection's expression, as PostgreSQL shows it.
func sortKeyExpr(x *plan.Sort, e plan.Expr, in []plan.OutCol) (plan.Expr, []plan.OutCol) {
	c, ok := e.(*plan.ColRef)
	prj, isProject := x.Input.(*plan.Project)
	if !ok || !isProject || c.Idx < 0 || c.Idx >= len(prj.Cols) || !prj.Cols[c.Idx].Hidden || c.Idx >= len(prj.Exprs) {
		return e, in
	}
	return prj.Exprs[c.Idx], prj.Input.Columns()
}

// seriesKeyName returns the name of the hypertable's series key when one
// of the scan's block predicates is on it ("" otherwise): blocks are
// sorted by it, so the predicate skips all but the series' blocks.
func seriesKeyName(x *plan.HyperScan) string {
	sk := x.Table.SeriesKey()
	if sk == 0 {
		return ""
	}
	for _, p := range x.Preds {
		if p.Col == sk {
			return x.Table.Cols[x.Table.ColByID(sk)].Name
		}
	}
	return ""
}
