package plan

import (
	"strings"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/types"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The SQL of a continuous aggregate's definition, put together from its
// catalog descriptor. Bucket ranges are [lo, hi) in µs, nil for an open
// end; they are always bucket-aligned, so "bucket in [lo, hi)" and "time
// in [lo, hi)" select the same rows and a range's buckets are complete.
//
//	state query(lo, hi) = SELECT StateSelect FROM source WHERE ... GROUP BY
//	view                = SELECT CaggOutputList FROM state rows
//
// A hierarchical aggregate's source is its parent's state rows with the
// parent's view columns added (CaggParentSource). Which state rows a
// query reads, materialized below the watermark and computed from the
// source above it (the real-time union), is package continuous's
// (continuous/union.go); the binder reaches it through Env.CaggViewSQL.

// CaggStateQuery returns the state query of c over source relation text
// from for buckets in [lo, hi). from is the source hypertable
// (QualifiedName) or, for a hierarchical aggregate, the parent's state
// rows (CaggParentSource).
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

// CaggParentSource returns the FROM text of a state query whose source is
// continuous aggregate parent (materialization hypertable mat) with state
// rows the query text rows: the state columns with the parent's view
// columns added, so the child can both aggregate the parent's finalized
// values and combine its states.
func CaggParentSource(parent *catalog.Cagg, mat *catalog.Table, rows string) string {
	var cols []string
	for _, mc := range mat.Cols {
		cols = append(cols, QuoteIdent(mc.Name))
	}
	isGroup := map[string]bool{}
	for _, g := range parent.GroupCols {
		isGroup[g] = true
	}
	for _, o := range parent.Outputs {
		if !isGroup[o.Name] {
			cols = append(cols, o.Expr+" AS "+QuoteIdent(o.Name))
		}
	}
	return "(SELECT " + strings.Join(cols, ", ") + " FROM (" + rows + ") AS _p)"
}

// definitionSource returns the FROM text a definition over source
// relation src is bound against: the hypertable, or only a parent
// aggregate's materialized rows (no watermark is known while binding a
// definition; the real-time union is package continuous's).
func definitionSource(snap *catalog.Snapshot, src *catalog.Table) string {
	if !src.IsCagg() {
		return QualifiedName(src)
	}
	mat := snap.TableByOID(src.View.Cagg.MatOID)
	return CaggParentSource(src.View.Cagg, mat, "SELECT * FROM "+QualifiedName(mat))
}

// CaggOutputList is the view's select list over state rows: each output
// column's finalizing expression.
func CaggOutputList(c *catalog.Cagg) string {
	out := make([]string, len(c.Outputs))
	for i, o := range c.Outputs {
		out[i] = o.Expr + " AS " + QuoteIdent(o.Name)
	}
	return strings.Join(out, ", ")
}

// QualifiedName returns t's schema-qualified, quoted name.
func QualifiedName(t *catalog.Table) string { return QuoteIdent(t.Schema) + "." + QuoteIdent(t.Name) }

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
func walkNodes(n *parse.Node, f func(*parse.Node) bool) {
	if n == nil || !f(n) {
		return
	}
	eachChild(n.ProtoReflect(), func(c *parse.Node) *parse.Node {
		walkNodes(c, f)
		return c
	})
}

// rewriteNodes replaces, top-down, every node f returns a replacement for
// (ok true); it modifies n in place and returns the new root.
func rewriteNodes(n *parse.Node, f func(*parse.Node) (*parse.Node, bool)) *parse.Node {
	if n == nil {
		return nil
	}
	if r, ok := f(n); ok {
		return r
	}
	eachChild(n.ProtoReflect(), func(c *parse.Node) *parse.Node { return rewriteNodes(c, f) })
	return n
}

// eachChild calls fn on every *parse.Node reachable from m without passing
// through another *parse.Node, storing what fn returns in its place.
func eachChild(m protoreflect.Message, fn func(*parse.Node) *parse.Node) {
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
		if node, ok := el.Interface().(*parse.Node); ok {
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
	res, err := parse.Tree("SELECT " + c.StateSelect)
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
func refreshState(n *parse.Node, alias string) (RefreshState, bool) {
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
func sourceCol(n *parse.Node, alias string) string {
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
