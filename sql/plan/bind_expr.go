package plan

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// exprCtx says what an expression may contain where it is bound.
type exprCtx struct {
	sc *scope
	// aggs collects aggregate calls when aggregates are allowed (select
	// list, HAVING, ORDER BY of a grouped query); nil forbids them.
	aggs *[]*AggCall
	// wins collects window functions when allowed.
	wins *[]*WindowFunc
	// argAggs collects aggregate calls inside the arguments of the
	// aggregates being bound: set for a window aggregate, whose arguments
	// are computed after grouping ("sum(count(*)) OVER ()"); nil forbids
	// nested aggregates.
	argAggs *[]*AggCall
	// what names the clause for error messages ("WHERE", "JOIN/ON", ...).
	what string
}

// aggRef is a placeholder for aggregate i until the grouped rewrite.
type aggRef struct {
	T   types.T
	Idx int
}

// winRef is a placeholder for window function i.
type winRef struct {
	T   types.T
	Idx int
}

func (e *aggRef) Type() types.T { return e.T }
func (e *winRef) Type() types.T { return e.T }

func (b *binder) expr(n *parse.Node, ec *exprCtx) (Expr, error) {
	if n == nil {
		return &Const{T: types.Unknown}, nil
	}
	switch x := n.Node.(type) {
	case *parse.Node_AConst:
		return constant(x.AConst)
	case *parse.Node_ColumnRef:
		return b.columnRef(x.ColumnRef, ec)
	case *parse.Node_ParamRef:
		return b.param(int(x.ParamRef.Number))
	case *parse.Node_TypeCast:
		return b.typeCast(x.TypeCast, ec)
	case *parse.Node_AExpr:
		return b.aExpr(x.AExpr, ec)
	case *parse.Node_BoolExpr:
		return b.boolExpr(x.BoolExpr, ec)
	case *parse.Node_NullTest:
		e, err := b.expr(x.NullTest.Arg, ec)
		if err != nil {
			return nil, err
		}
		return &IsNull{E: e, Not: x.NullTest.Nulltesttype == parse.NullTestType_IS_NOT_NULL}, nil
	case *parse.Node_BooleanTest:
		e, err := b.expr(x.BooleanTest.Arg, ec)
		if err != nil {
			return nil, err
		}
		if e, err = b.coerce(e, types.Bool, "argument of IS TRUE"); err != nil {
			return nil, err
		}
		switch x.BooleanTest.Booltesttype {
		case parse.BoolTestType_IS_TRUE:
			return &BoolTest{E: e, Value: true}, nil
		case parse.BoolTestType_IS_NOT_TRUE:
			return &BoolTest{E: e, Value: true, Not: true}, nil
		case parse.BoolTestType_IS_FALSE:
			return &BoolTest{E: e, Value: false}, nil
		case parse.BoolTestType_IS_NOT_FALSE:
			return &BoolTest{E: e, Value: false, Not: true}, nil
		case parse.BoolTestType_IS_UNKNOWN:
			return &IsNull{E: e}, nil
		default:
			return &IsNull{E: e, Not: true}, nil
		}
	case *parse.Node_FuncCall:
		return b.funcCall(x.FuncCall, ec)
	case *parse.Node_SqlvalueFunction:
		return b.sqlValueFunc(x.SqlvalueFunction)
	case *parse.Node_CaseExpr:
		return b.caseExpr(x.CaseExpr, ec)
	case *parse.Node_CoalesceExpr:
		args, err := b.exprList(x.CoalesceExpr.Args, ec)
		if err != nil {
			return nil, err
		}
		t, args, err := b.unify(args, "COALESCE")
		if err != nil {
			return nil, err
		}
		return &Coalesce{T: t, Args: args}, nil
	case *parse.Node_MinMaxExpr:
		args, err := b.exprList(x.MinMaxExpr.Args, ec)
		if err != nil {
			return nil, err
		}
		name := "LEAST"
		if x.MinMaxExpr.Op == parse.MinMaxOp_IS_GREATEST {
			name = "GREATEST"
		}
		t, args, err := b.unify(args, name)
		if err != nil {
			return nil, err
		}
		return &MinMax{T: t, Args: args, Greatest: name == "GREATEST"}, nil
	case *parse.Node_SubLink:
		return b.subLink(x.SubLink, ec)
	case *parse.Node_AArrayExpr:
		elems, err := b.exprList(x.AArrayExpr.Elements, ec)
		if err != nil {
			return nil, err
		}
		if len(elems) == 0 {
			return &ArrayExpr{T: types.TextArray}, nil
		}
		t, elems, err := b.unify(elems, "ARRAY")
		if err != nil {
			return nil, err
		}
		at, ok := types.ArrayOf(t)
		if !ok {
			at = types.TextArray
		}
		return &ArrayExpr{T: at, Elems: elems}, nil
	case *parse.Node_AIndirection:
		e, err := b.expr(x.AIndirection.Arg, ec)
		if err != nil {
			return nil, err
		}
		for _, ind := range x.AIndirection.Indirection {
			if ind.GetString_() != nil {
				if e, err = fieldSelect(e, strVal(ind)); err != nil {
					return nil, err
				}
				continue
			}
			if ind.GetAStar() != nil {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "row expansion via \"*\" is not supported here")
			}
			ai := ind.GetAIndices()
			if ai == nil || ai.IsSlice {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "this kind of indirection is not supported")
			}
			idx, err := b.expr(ai.Uidx, ec)
			if err != nil {
				return nil, err
			}
			if idx, err = b.coerce(idx, types.Int4, "array subscript"); err != nil {
				return nil, err
			}
			et, ok := e.Type().Elem()
			if !ok {
				return nil, pgerr.New(pgerr.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", e.Type().Info().SQLName)
			}
			e = &Subscript{T: et, E: e, Idx: idx}
		}
		return e, nil
	case *parse.Node_RowExpr:
		args, err := b.exprList(x.RowExpr.Args, ec)
		if err != nil {
			return nil, err
		}
		return &RowExpr{Args: args}, nil
	case *parse.Node_CollateClause:
		return b.expr(x.CollateClause.Arg, ec)
	case *parse.Node_NamedArgExpr:
		return nil, pgerr.New(pgerr.SyntaxError, "named argument %s outside a function call", x.NamedArgExpr.Name)
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "unsupported expression: %T", n.Node)
}

// fieldSelect binds (e).name: a field of the record a function with
// named result columns (OUT parameters, RETURNS TABLE, a table's row
// type) returns.
func fieldSelect(e Expr, name string) (Expr, error) {
	t := e.Type()
	if t.OID != types.OidRecord {
		return nil, pgerr.New(pgerr.WrongObjectType, "column notation .%s applied to type %s, which is not a composite type", name, t.Info().SQLName)
	}
	c, ok := e.(*Call)
	if !ok || len(c.Fn.OutNames) < 2 || len(c.Fn.OutNames) != len(c.Fn.OutTypes) {
		return nil, pgerr.New(pgerr.UndefinedColumn, "could not identify column %q in record data type", name)
	}
	i := slices.Index(c.Fn.OutNames, name)
	if i < 0 {
		return nil, pgerr.New(pgerr.UndefinedColumn, "could not identify column %q in record data type", name)
	}
	ft := c.Fn.OutTypes[i]
	fn := &funcs.Scalar{Name: name, Args: []types.T{types.RecordT}, Ret: funcs.Fixed(ft), Strict: true, Volatile: true,
		Fn: func(_ *funcs.Ctx, _ []types.T, args []any) (any, error) {
			r, ok := args[0].(*types.Record)
			if !ok || i >= len(r.Vals) {
				return nil, pgerr.New(pgerr.Internal, "BUG: field %s of a non-record value", name)
			}
			return r.Vals[i], nil
		}}
	return &Call{T: ft, Fn: fn, Args: []Expr{e}, ArgTypes: []types.T{t}}, nil
}

func (b *binder) exprList(ns []*parse.Node, ec *exprCtx) ([]Expr, error) {
	out := make([]Expr, len(ns))
	for i, n := range ns {
		e, err := b.expr(n, ec)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func constant(c *parse.A_Const) (Expr, error) {
	if c.Isnull {
		return &Const{T: types.Unknown}, nil
	}
	switch v := c.Val.(type) {
	case *parse.A_Const_Ival:
		return &Const{T: types.Int4, V: int64(v.Ival.Ival)}, nil
	case *parse.A_Const_Fval:
		s := v.Fval.Fval
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				if i >= math.MinInt32 && i <= math.MaxInt32 {
					return &Const{T: types.Int4, V: i}, nil
				}
				return &Const{T: types.Int8, V: i}, nil
			}
		}
		d, err := types.ParseText(types.Numeric, s, nil)
		if err != nil {
			return nil, err
		}
		return &Const{T: types.Numeric, V: d}, nil
	case *parse.A_Const_Boolval:
		return &Const{T: types.Bool, V: v.Boolval.Boolval}, nil
	case *parse.A_Const_Sval:
		return &Const{T: types.Unknown, V: v.Sval.Sval}, nil
	case *parse.A_Const_Bsval:
		return &Const{T: types.Unknown, V: v.Bsval.Bsval}, nil
	}
	return &Const{T: types.Unknown}, nil
}

func strVal(n *parse.Node) string {
	if s := n.GetString_(); s != nil {
		return s.Sval
	}
	return ""
}

func (b *binder) columnRef(c *parse.ColumnRef, ec *exprCtx) (Expr, error) {
	var parts []string
	for _, f := range c.Fields {
		if f.GetAStar() != nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "\"*\" is not allowed here")
		}
		parts = append(parts, strVal(f))
	}
	qual, name := "", parts[len(parts)-1]
	if len(parts) >= 2 {
		qual = parts[len(parts)-2]
	}
	if ec == nil || ec.sc == nil {
		if e := b.argRef(name); len(parts) == 1 && e != nil {
			return e, nil
		}
		return nil, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", name)
	}
	depth, idx, col, err := ec.sc.resolve(qual, name)
	if err != nil {
		if len(parts) == 1 && b.outputAlias != nil {
			if e, ok := b.outputAlias[name]; ok {
				return e, nil
			}
		}
		if e := b.argRef(name); len(parts) == 1 && e != nil {
			return e, nil
		}
		return nil, err
	}
	if depth > 0 {
		// Every block between the reference and the row it reads is
		// correlated: an enclosing subquery must be re-run per outer
		// row for its own subqueries to see that row.
		b.correlated = true
		for sc, d := ec.sc, 0; sc != nil && d < depth; sc, d = sc.parent, d+1 {
			if sc.owner != nil {
				sc.owner.correlated = true
			}
		}
		return &OuterRef{T: col.T, Depth: depth, Idx: idx}, nil
	}
	return &ColRef{T: col.T, Idx: idx, Name: name}, nil
}

func (b *binder) param(n int) (Expr, error) {
	if b.lits != nil && n >= b.litBase && n-b.litBase < len(b.lits) {
		return constant(b.lits[n-b.litBase].GetAConst())
	}
	if n < 1 || n > 65535 {
		return nil, pgerr.New(pgerr.UndefinedParameter, "there is no parameter $%d", n)
	}
	for len(b.params) < n {
		b.params = append(b.params, types.T{})
	}
	return &Param{T: b.params[n-1], N: n}, nil
}

// setParamType fixes the type of an untyped parameter from context.
func (b *binder) setParamType(p *Param, t types.T) {
	if b.params[p.N-1].OID == 0 || b.params[p.N-1].OID == types.OidUnknown {
		b.params[p.N-1] = t
	}
	p.T = b.params[p.N-1]
}

// typeName resolves a pg TypeName to a types.T.
func (b *binder) typeName(tn *parse.TypeName) (types.T, error) {
	var names []string
	for _, n := range tn.Names {
		names = append(names, strVal(n))
	}
	name := names[len(names)-1]
	if len(names) == 2 && names[0] == "pg_catalog" {
		name = names[1]
	}
	var mods []int32
	for _, m := range tn.Typmods {
		if c := m.GetAConst(); c != nil {
			if iv, ok := c.Val.(*parse.A_Const_Ival); ok {
				mods = append(mods, iv.Ival.Ival)
			}
		}
	}
	t, ok := types.ByName(name)
	if !ok {
		switch name {
		case "timestamptz", "timestamp with time zone":
			t = types.Timestamptz
		case "regclass":
			t = types.Regclass
		case "refcursor":
			// A cursor's name; tsgres has no separate refcursor type.
			t = types.Text
		default:
			return types.T{}, pgerr.New(pgerr.UndefinedObject, "type %q does not exist", name)
		}
	}
	switch t.OID {
	case types.OidVarchar, types.OidBpchar:
		if len(mods) == 1 {
			t.Mod = mods[0] + 4
		} else if t.OID == types.OidBpchar && name == "bpchar" && len(mods) == 0 {
			t.Mod = -1
		} else if t.OID == types.OidBpchar {
			t.Mod = 1 + 4
		}
	case types.OidNumeric:
		if len(mods) == 1 {
			t.Mod = mods[0]<<16 + 4
		} else if len(mods) == 2 {
			t.Mod = mods[0]<<16 | mods[1] + 4
		}
	}
	if len(tn.ArrayBounds) > 0 {
		at, ok := types.ArrayOf(t)
		if !ok {
			return types.T{}, pgerr.New(pgerr.UndefinedObject, "type %s[] does not exist", name)
		}
		t = at
	}
	return t, nil
}

func (b *binder) typeCast(tc *parse.TypeCast, ec *exprCtx) (Expr, error) {
	t, err := b.typeName(tc.TypeName)
	if err != nil {
		return nil, err
	}
	e, err := b.expr(tc.Arg, ec)
	if err != nil {
		return nil, err
	}
	return b.castTo(e, t, true)
}

// castTo converts e to t; explicit allows explicit-only casts.
func (b *binder) castTo(e Expr, t types.T, explicit bool) (Expr, error) {
	from := e.Type()
	if p, ok := e.(*Param); ok && (p.T.OID == 0 || p.T.OID == types.OidUnknown) {
		b.setParamType(p, t)
		return p, nil
	}
	if from == t {
		return e, nil
	}
	if c, ok := e.(*Const); ok && (from.OID == types.OidUnknown || from.IsTextual()) && isReg(t) && c.V != nil && b.env != nil {
		oid, err := b.env.ResolveReg(t, c.V.(string))
		if err != nil {
			return nil, err
		}
		return &Const{T: t, V: oid}, nil
	}
	if c, ok := e.(*Const); ok && from.OID == types.OidUnknown {
		if c.V == nil {
			return &Const{T: t}, nil
		}
		if explicit && (t.OID == types.OidVarchar || t.OID == types.OidBpchar) && t.Mod >= 0 {
			v, err := types.Cast(c.V.(string), types.Text, t, b.loc)
			if err != nil {
				return nil, err
			}
			return &Const{T: t, V: v}, nil
		}
		v, err := types.ParseText(t, c.V.(string), b.loc)
		if err != nil {
			return nil, err
		}
		return &Const{T: t, V: v}, nil
	}
	if from.OID == t.OID && from.Mod == t.Mod {
		return e, nil
	}
	if !explicit {
		imp, assign, _ := types.CastContextOK(from, t)
		if !imp && !assign {
			return nil, pgerr.New(pgerr.CannotCoerce, "cannot cast type %s to %s", from.Info().SQLName, t.Info().SQLName)
		}
	}
	if isReg(from) && t.IsTextual() {
		// reg* to text goes through the type's output function, which
		// prints the name (needs the session's catalog and search path).
		out := &Call{T: types.Text, Fn: funcs.Scalars(RegOutFunc)[0], Args: []Expr{e}, ArgTypes: []types.T{from}}
		return b.castTo(out, t, explicit)
	}
	if c, ok := e.(*Const); ok {
		if c.V == nil {
			return &Const{T: t}, nil
		}
		v, err := types.Cast(c.V, from, t, b.loc)
		if err != nil {
			return nil, err
		}
		return &Const{T: t, V: v}, nil
	}
	return &Cast{E: e, T: t}, nil
}

// coerce converts e to t implicitly or fails with 42804.
func (b *binder) coerce(e Expr, t types.T, what string) (Expr, error) {
	from := e.Type()
	if from == t || from.OID == t.OID && t.Mod < 0 {
		return e, nil
	}
	if from.OID == types.OidUnknown || from.OID == 0 {
		return b.castTo(e, t, true)
	}
	imp, _, _ := types.CastContextOK(from, t)
	if !imp {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "%s must be type %s, not type %s", what, t.Info().SQLName, from.Info().SQLName)
	}
	return b.castTo(e, t, false)
}

// assign converts e to column type t with assignment-cast rules.
func (b *binder) assign(e Expr, t types.T, col string) (Expr, error) {
	from := e.Type()
	if from == t {
		return e, nil
	}
	if from.OID == types.OidUnknown || from.OID == 0 {
		return b.castTo(e, t, false)
	}
	imp, asg, _ := types.CastContextOK(from, t)
	if !imp && !asg && from.OID != t.OID {
		return nil, pgerr.New(pgerr.DatatypeMismatch, "column %q is of type %s but expression is of type %s", col, t.Info().SQLName, from.Info().SQLName).
			WithHint("You will need to rewrite or cast the expression.")
	}
	return b.castTo(e, t, true)
}

// isReg reports whether t is one of the reg* OID alias types.
func isReg(t types.T) bool {
	switch t.OID {
	case types.OidRegclass, types.OidRegtype, types.OidRegnamesp, types.OidRegrole, types.OidRegproc, types.OidRegprocedur:
		return true
	}
	return false
}

// RegOutFunc names the scalar (registered by the engine) that renders a
// reg* value as its name.
const RegOutFunc = "tsgres_regout"

// IsReg reports whether t is a reg* type (its values print as names).
func IsReg(t types.T) bool { return isReg(t) }
