package plan

import (
	"strings"
	"time"

	pg "github.com/pganalyze/pg_query_go/v5"
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/types"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The SQL a continuous aggregate runs, put together from its catalog
// descriptor. Bucket ranges are [lo, hi) in µs, nil for an open end; they
// are always bucket-aligned, so "bucket in [lo, hi)" and "time in [lo,
// hi)" select the same rows and a range's buckets are complete.
//
//	state rows(lo, hi)  = grouping columns + partial states per bucket:
//	  materialized rows below the watermark UNION ALL the state query over
//	  the source from the watermark on (only the materialized rows when
//	  materialized_only)
//	view                = per-row finalize over state rows(-inf, +inf)
//	state query(lo, hi) = SELECT StateSelect FROM source WHERE ... GROUP BY
//
// A hierarchical aggregate's source is its parent's state rows with the
// parent's view columns added, so it can both aggregate the parent's
// finalized values and combine the parent's states.

// Watermarks is what the SQL builders need to know about refresh state.
type Watermarks interface {
	Catalog() *catalog.Snapshot
	// CaggWatermark returns a continuous aggregate's watermark (ok false
	// before anything was materialized).
	CaggWatermark(matID int32) (wm int64, ok bool, err error)
}

// CaggViewSQL returns the query a reference to continuous aggregate view
// expands to.
func CaggViewSQL(env Watermarks, view *catalog.Table) (string, error) {
	c := view.View.Cagg
	mat := env.Catalog().TableByOID(c.MatOID)
	outs := caggOutputList(c)
	if c.MaterializedOnly {
		return "SELECT " + outs + " FROM " + qualified(mat), nil
	}
	wm, ok, err := env.CaggWatermark(c.MatID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "SELECT " + outs + " FROM (" + CaggStateQuery(c, caggSourceSQL(env, sourceOf(env, c), nil, nil, false), nil, nil) + ") AS _r", nil
	}
	raw := CaggStateQuery(c, caggSourceSQL(env, sourceOf(env, c), &wm, nil, false), &wm, nil)
	return "SELECT " + outs + " FROM " + qualified(mat) + " WHERE " + QuoteIdent(c.BucketCol()) + " < " + TimeLiteral(c.TimeType, wm) +
		" UNION ALL SELECT " + outs + " FROM (" + raw + ") AS _r", nil
}

// CaggStateQuery returns the state query of c over source relation text
// from (see caggSourceSQL) for buckets in [lo, hi).
func CaggStateQuery(c *catalog.Cagg, from string, lo, hi *int64) string {
	var sb strings.Builder
	sb.WriteString("SELECT ")
	sb.WriteString(c.StateSelect)
	sb.WriteString(" FROM ")
	sb.WriteString(from)
	sb.WriteString(" AS ")
	sb.WriteString(QuoteIdent(c.SourceAlias))
	var conds []string
	if c.Where != "" {
		conds = append(conds, "("+c.Where+")")
	}
	tc := QuoteIdent(c.SourceAlias) + "." + QuoteIdent(c.SourceTime)
	if lo != nil {
		conds = append(conds, tc+" >= "+TimeLiteral(c.TimeType, *lo))
	}
	if hi != nil {
		conds = append(conds, tc+" < "+TimeLiteral(c.TimeType, *hi))
	}
	if len(conds) > 0 {
		sb.WriteString(" WHERE ")
		sb.WriteString(strings.Join(conds, " AND "))
	}
	sb.WriteString(" GROUP BY ")
	for i := range c.GroupCols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(itoa(i + 1))
	}
	return sb.String()
}

// CaggSourceSQL returns the FROM text of c's state query for buckets in
// [lo, hi): the raw hypertable, or the parent's state rows.
func CaggSourceSQL(env Watermarks, c *catalog.Cagg, lo, hi *int64) string {
	return caggSourceSQL(env, sourceOf(env, c), lo, hi, false)
}

func sourceOf(env Watermarks, c *catalog.Cagg) *catalog.Table {
	return env.Catalog().TableByOID(c.SourceOID)
}

// caggSourceSQL is CaggSourceSQL for source relation src; matOnly reads
// only a parent's materialized rows (used to bind definitions, where no
// watermark is known).
func caggSourceSQL(env Watermarks, src *catalog.Table, lo, hi *int64, matOnly bool) string {
	if !src.IsCagg() {
		return qualified(src)
	}
	p := src.View.Cagg
	mat := env.Catalog().TableByOID(p.MatOID)
	var cols []string
	for _, mc := range mat.Cols {
		cols = append(cols, QuoteIdent(mc.Name))
	}
	isGroup := map[string]bool{}
	for _, g := range p.GroupCols {
		isGroup[g] = true
	}
	for _, o := range p.Outputs {
		if !isGroup[o.Name] {
			cols = append(cols, o.Expr+" AS "+QuoteIdent(o.Name))
		}
	}
	return "(SELECT " + strings.Join(cols, ", ") + " FROM (" + caggStateRows(env, src, lo, hi, matOnly) + ") AS _p)"
}

// caggStateRows returns continuous aggregate view's state rows for
// buckets in [lo, hi).
func caggStateRows(env Watermarks, view *catalog.Table, lo, hi *int64, matOnly bool) string {
	c := view.View.Cagg
	mat := env.Catalog().TableByOID(c.MatOID)
	bc := QuoteIdent(c.BucketCol())
	matRows := func(lo, hi *int64) string {
		var conds []string
		if lo != nil {
			conds = append(conds, bc+" >= "+TimeLiteral(c.TimeType, *lo))
		}
		if hi != nil {
			conds = append(conds, bc+" < "+TimeLiteral(c.TimeType, *hi))
		}
		s := "SELECT * FROM " + qualified(mat)
		if len(conds) > 0 {
			s += " WHERE " + strings.Join(conds, " AND ")
		}
		return s
	}
	if matOnly || c.MaterializedOnly {
		return matRows(lo, hi)
	}
	wm, ok, err := env.CaggWatermark(c.MatID)
	if err != nil || !ok {
		return CaggStateQuery(c, caggSourceSQL(env, sourceOf(env, c), lo, hi, false), lo, hi)
	}
	var parts []string
	if lo == nil || *lo < wm {
		mhi := &wm
		if hi != nil && *hi < wm {
			mhi = hi
		}
		parts = append(parts, matRows(lo, mhi))
	}
	if hi == nil || *hi > wm {
		rlo := &wm
		if lo != nil && *lo > wm {
			rlo = lo
		}
		parts = append(parts, CaggStateQuery(c, caggSourceSQL(env, sourceOf(env, c), rlo, hi, false), rlo, hi))
	}
	return strings.Join(parts, " UNION ALL ")
}

// caggOutputList is the view's select list over state rows.
func caggOutputList(c *catalog.Cagg) string {
	out := make([]string, len(c.Outputs))
	for i, o := range c.Outputs {
		out[i] = o.Expr + " AS " + QuoteIdent(o.Name)
	}
	return strings.Join(out, ", ")
}

func qualified(t *catalog.Table) string { return QuoteIdent(t.Schema) + "." + QuoteIdent(t.Name) }

// TimeLiteral renders µs since the Unix epoch as a literal of type t
// (timestamp or timestamptz).
func TimeLiteral(t types.T, us int64) string {
	s := time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999")
	if t.OID == types.OidTimestamptz {
		return "'" + s + "+00'::timestamptz"
	}
	return "'" + s + "'::timestamp"
}

// BucketFloor returns the start of the bucket of width w holding t.
func BucketFloor(t, w int64) int64 {
	d := t - funcs.TimeBucketOrigin
	q := d / w
	if d%w < 0 {
		q--
	}
	return funcs.TimeBucketOrigin + q*w
}

// BucketCeil returns the first bucket boundary at or after t.
func BucketCeil(t, w int64) int64 {
	f := BucketFloor(t, w)
	if f == t {
		return t
	}
	return f + w
}

// walkNodes calls f on n and, while f returns true, on its descendants.
func walkNodes(n *pg.Node, f func(*pg.Node) bool) {
	if n == nil || !f(n) {
		return
	}
	eachChild(n.ProtoReflect(), func(c *pg.Node) *pg.Node {
		walkNodes(c, f)
		return c
	})
}

// rewriteNodes replaces, top-down, every node f returns a replacement for
// (ok true); it modifies n in place and returns the new root.
func rewriteNodes(n *pg.Node, f func(*pg.Node) (*pg.Node, bool)) *pg.Node {
	if n == nil {
		return nil
	}
	if r, ok := f(n); ok {
		return r
	}
	eachChild(n.ProtoReflect(), func(c *pg.Node) *pg.Node { return rewriteNodes(c, f) })
	return n
}

// eachChild calls fn on every *pg.Node reachable from m without passing
// through another *pg.Node, storing what fn returns in its place.
func eachChild(m protoreflect.Message, fn func(*pg.Node) *pg.Node) {
	type field struct {
		fd protoreflect.FieldDescriptor
		v  protoreflect.Value
	}
	var fields []field
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() != nil && !fd.IsMap() {
			fields = append(fields, field{fd, v})
		}
		return true
	})
	visit := func(el protoreflect.Message) protoreflect.Message {
		if node, ok := el.Interface().(*pg.Node); ok {
			return fn(node).ProtoReflect()
		}
		eachChild(el, fn)
		return el
	}
	for _, f := range fields {
		if f.fd.IsList() {
			l := f.v.List()
			for i := 0; i < l.Len(); i++ {
				l.Set(i, protoreflect.ValueOfMessage(visit(l.Get(i).Message())))
			}
			continue
		}
		m.Set(f.fd, protoreflect.ValueOfMessage(visit(f.v.Message())))
	}
}

// RefreshSpec is the shape of a state query simple enough to be computed
// with typed accumulators (see continuous/refresh_typed.go): grouping by the
// time bucket of the source's time column and plain source columns, every
// state count(*), count(col), sum(col), min(col) or max(col).
type RefreshSpec struct {
	// Groups are the source columns of the grouping columns after the
	// bucket, in c.GroupCols order.
	Groups []string
	States []RefreshState
}

// RefreshState is one partial-state column of a RefreshSpec.
type RefreshState struct {
	Name string // materialization column
	Fn   string // count, sum, min or max
	Col  string // source column; "" for count(*)
}

// refreshFns are the aggregates a RefreshSpec computes.
var refreshFns = map[string]bool{"count": true, "sum": true, "min": true, "max": true}

// CaggRefreshSpec returns c's state query as a RefreshSpec, or false when
// it is not that simple (the refresh then runs the state query as SQL).
func CaggRefreshSpec(c *catalog.Cagg) (*RefreshSpec, bool) {
	res, err := parseCached("SELECT " + c.StateSelect)
	if err != nil || len(res.Stmts) != 1 {
		return nil, false
	}
	targets := res.Stmts[0].Stmt.GetSelectStmt().GetTargetList()
	if len(targets) < len(c.GroupCols) {
		return nil, false
	}
	spec := &RefreshSpec{}
	for i, t := range targets {
		rt := t.GetResTarget()
		switch {
		case i == 0:
			fc := rt.GetVal().GetFuncCall()
			if fc == nil || aggName(fc) != "time_bucket" || len(fc.Args) != 2 || sourceCol(fc.Args[1], c.SourceAlias) != c.SourceTime {
				return nil, false
			}
		case i < len(c.GroupCols):
			name := sourceCol(rt.GetVal(), c.SourceAlias)
			if name == "" {
				return nil, false
			}
			spec.Groups = append(spec.Groups, name)
		default:
			st, ok := refreshState(rt.GetVal(), c.SourceAlias)
			if !ok {
				return nil, false
			}
			st.Name = rt.Name
			spec.States = append(spec.States, st)
		}
	}
	return spec, true
}

// refreshState classifies one state expression.
func refreshState(n *pg.Node, alias string) (RefreshState, bool) {
	fc := n.GetFuncCall()
	if fc == nil || fc.AggFilter != nil || fc.AggDistinct || len(fc.AggOrder) > 0 || fc.Over != nil || fc.AggWithinGroup || len(fc.Funcname) != 1 {
		return RefreshState{}, false
	}
	st := RefreshState{Fn: aggName(fc)}
	if !refreshFns[st.Fn] {
		return st, false
	}
	if fc.AggStar {
		return st, st.Fn == "count"
	}
	if len(fc.Args) != 1 {
		return st, false
	}
	st.Col = sourceCol(fc.Args[0], alias)
	return st, st.Col != ""
}

// sourceCol returns the column a plain (optionally alias-qualified)
// column reference names, or "".
func sourceCol(n *pg.Node, alias string) string {
	cr := n.GetColumnRef()
	if cr == nil {
		return ""
	}
	switch len(cr.Fields) {
	case 1:
		return strVal(cr.Fields[0])
	case 2:
		if strVal(cr.Fields[0]) == alias {
			return strVal(cr.Fields[1])
		}
	}
	return ""
}
