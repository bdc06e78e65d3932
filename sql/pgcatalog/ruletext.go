package pgcatalog

import (
	"math"
	"strconv"
	"strings"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// RuleText renders bound expression e over a row of columns cols as
// PostgreSQL's ruleutils.c prints a stored expression: pg_get_expr and
// pg_get_constraintdef(oid) with pretty false ("((v > 0) AND (v < 10))",
// every operator in parentheses), psql's \d with pretty true ("v > 0
// AND v < 10", parentheses only where precedence needs them). Implicit
// casts show where an operator or function reads them, as
// "(name)::text"; constants print as get_const_expr does. Expression
// kinds ruleutils prints differently than sketched here fall back to
// plan.Format.
func RuleText(e plan.Expr, cols []plan.OutCol, pretty bool) string {
	r := ruleText{cols: cols, pretty: pretty}
	r.expr(e, nil, false)
	return r.sb.String()
}

type ruleText struct {
	sb     strings.Builder
	cols   []plan.OutCol
	pretty bool
}

func (r *ruleText) open() {
	if !r.pretty {
		r.sb.WriteByte('(')
	}
}

func (r *ruleText) close() {
	if !r.pretty {
		r.sb.WriteByte(')')
	}
}

// paren prints e as an argument of parent, in parentheses when pretty
// printing needs them (ruleutils' get_rule_expr_paren and isSimpleNode).
func (r *ruleText) paren(e, parent plan.Expr, showImplicit bool) {
	need := r.pretty && !simpleNode(e, parent)
	if need {
		r.sb.WriteByte('(')
	}
	r.expr(e, parent, showImplicit)
	if need {
		r.sb.WriteByte(')')
	}
}

// opPriority is 1 for + and -, 2 for * / %, 0 for other operators.
func opPriority(e plan.Expr) int {
	o, ok := e.(*plan.Op)
	if !ok || o.R == nil {
		return 0
	}
	switch o.Kind {
	case plan.OpAdd, plan.OpSub:
		return 1
	case plan.OpMul, plan.OpDiv, plan.OpMod:
		return 2
	}
	return 0
}

func isBool(e plan.Expr) (plan.OpKind, bool) {
	if o, ok := e.(*plan.Op); ok && (o.Kind == plan.OpAnd || o.Kind == plan.OpOr || o.Kind == plan.OpNot) {
		return o.Kind, true
	}
	return 0, false
}

// simpleNode reports whether e needs no parentheses as an argument of
// parent when pretty printing (ruleutils' isSimpleNode, in part).
func simpleNode(e, parent plan.Expr) bool {
	switch x := e.(type) {
	case *plan.ColRef, *plan.Const, *plan.Param, *plan.Call, *plan.Case, *plan.Coalesce, *plan.MinMax, *plan.NullIf, *plan.ArrayExpr:
		return true
	case *plan.Cast:
		return true // prints as (arg)::type or arg::type with its own parentheses
	case *plan.Op:
		if k, ok := isBool(x); ok {
			pk, pok := isBool(parent)
			if !pok {
				return false
			}
			switch k {
			case plan.OpNot, plan.OpAnd:
				return pk == plan.OpAnd || pk == plan.OpOr
			case plan.OpOr:
				return pk == plan.OpOr
			}
			return false
		}
		if _, ok := parent.(*plan.Op); ok {
			if _, pb := isBool(parent); !pb {
				op, pp := opPriority(e), opPriority(parent)
				if op == 0 || pp == 0 {
					return false
				}
				if op > pp {
					return true
				}
				if op < pp {
					return false
				}
				return parent.(*plan.Op).L == e
			}
		}
		_, pb := isBool(parent)
		return pb
	case *plan.IsNull, *plan.BoolTest, *plan.InList, *plan.Like, *plan.AnyArray:
		_, pb := isBool(parent)
		return pb
	}
	return false
}

// textOperand is operand e of a built-in operator as PostgreSQL binds
// it: varchar has no operators of its own, so a varchar operand is
// converted to text (a constant becomes a text constant).
func textOperand(e plan.Expr) plan.Expr {
	if e == nil || e.Type().OID != types.OidVarchar {
		return e
	}
	if c, ok := e.(*plan.Const); ok {
		return &plan.Const{T: types.Text, V: c.V}
	}
	return &plan.Cast{E: e, T: types.Text}
}

// typeName is format_type_with_typemod.
func typeName(t types.T) string { return FormatType(t.OID, t.Mod, true) }

func (r *ruleText) expr(e, parent plan.Expr, showImplicit bool) {
	switch x := e.(type) {
	case nil:
		r.sb.WriteString("NULL")
	case *plan.ColRef:
		if x.Idx < len(r.cols) {
			r.sb.WriteString(types.QuoteIdent(r.cols[x.Idx].Name))
		} else {
			r.sb.WriteString(x.Name)
		}
	case *plan.Const:
		r.constant(x)
	case *plan.Cast:
		if c, ok := x.E.(*plan.Const); ok && (c.T.OID == types.OidUnknown || c.T.OID == types.OidText) {
			// A string literal is converted when the expression is
			// parsed: the result is a constant of the target type.
			r.constant(&plan.Const{T: x.T, V: castConst(c, x.T)})
			return
		}
		if !showImplicit {
			r.paren(x.E, e, false)
			return
		}
		r.open()
		r.paren(x.E, e, false)
		r.close()
		r.sb.WriteString("::" + typeName(x.T))
	case *plan.Op:
		r.open()
		switch {
		case x.Kind == plan.OpNot:
			r.sb.WriteString("NOT ")
			r.paren(x.L, e, false)
		case x.R == nil:
			r.sb.WriteString(x.Kind.String() + " ")
			r.paren(x.L, e, true)
		case x.Kind == plan.OpAnd || x.Kind == plan.OpOr:
			r.boolArgs(x, x.Kind.String())
		default:
			op := x.Kind.String()
			r.paren(textOperand(x.L), e, true)
			r.sb.WriteString(" " + op + " ")
			r.paren(textOperand(x.R), e, true)
		}
		r.close()
	case *plan.IsNull:
		r.open()
		r.paren(x.E, e, true)
		if x.Not {
			r.sb.WriteString(" IS NOT NULL")
		} else {
			r.sb.WriteString(" IS NULL")
		}
		r.close()
	case *plan.BoolTest:
		r.open()
		r.paren(x.E, e, false)
		r.sb.WriteString(" IS ")
		if x.Not {
			r.sb.WriteString("NOT ")
		}
		if x.Value {
			r.sb.WriteString("TRUE")
		} else {
			r.sb.WriteString("FALSE")
		}
		r.close()
	case *plan.InList:
		// x IN (a, b) is stored as x = ANY (ARRAY[a, b]); over varchar,
		// as x::text = ANY (ARRAY[a, b]::text[]) with varchar elements.
		varchar := x.E.Type().OID == types.OidVarchar
		r.open()
		r.paren(textOperand(x.E), e, true)
		if x.Not {
			r.sb.WriteString(" <> ALL (")
		} else {
			r.sb.WriteString(" = ANY (")
		}
		if varchar {
			r.open()
		}
		r.sb.WriteString("ARRAY[")
		for i, a := range x.List {
			if i > 0 {
				r.sb.WriteString(", ")
			}
			if c, ok := a.(*plan.Const); ok && varchar {
				a = &plan.Const{T: types.T{OID: types.OidVarchar, Mod: -1}, V: c.V}
			}
			r.expr(a, e, true)
		}
		r.sb.WriteString("]")
		if varchar {
			r.close()
			r.sb.WriteString("::text[]")
		}
		r.sb.WriteString(")")
		r.close()
	case *plan.Like:
		op := "~~"
		if x.CaseFold {
			op = "~~*"
		}
		if x.Not {
			op = "!" + op
		}
		r.open()
		r.paren(x.E, e, true)
		r.sb.WriteString(" " + op + " ")
		r.paren(x.Pattern, e, true)
		r.close()
	case *plan.Call:
		r.sb.WriteString(x.Fn.Name + "(")
		for i, a := range x.Args {
			if i > 0 {
				r.sb.WriteString(", ")
			}
			r.expr(a, e, true)
		}
		r.sb.WriteString(")")
	case *plan.Coalesce:
		r.list("COALESCE(", x.Args, e)
	case *plan.MinMax:
		if x.Greatest {
			r.list("GREATEST(", x.Args, e)
		} else {
			r.list("LEAST(", x.Args, e)
		}
	case *plan.NullIf:
		r.list("NULLIF(", []plan.Expr{x.A, x.B}, e)
	case *plan.Case:
		r.sb.WriteString("CASE")
		for _, w := range x.Whens {
			r.sb.WriteString(" WHEN ")
			r.expr(w.Cond, e, false)
			r.sb.WriteString(" THEN ")
			r.expr(w.Then, e, true)
		}
		if x.Else != nil {
			r.sb.WriteString(" ELSE ")
			r.expr(x.Else, e, true)
		}
		r.sb.WriteString(" END")
	default:
		r.sb.WriteString(plan.Format(e, r.cols))
	}
}

func (r *ruleText) list(head string, args []plan.Expr, parent plan.Expr) {
	r.sb.WriteString(head)
	for i, a := range args {
		if i > 0 {
			r.sb.WriteString(", ")
		}
		r.expr(a, parent, true)
	}
	r.sb.WriteString(")")
}

// boolArgs prints the operands of AND / OR chain x, flattened as
// PostgreSQL stores them ("a AND b AND c" is one BoolExpr).
func (r *ruleText) boolArgs(x *plan.Op, kw string) {
	var args []plan.Expr
	var flat func(e plan.Expr)
	flat = func(e plan.Expr) {
		if o, ok := e.(*plan.Op); ok && o.Kind == x.Kind {
			flat(o.L)
			flat(o.R)
			return
		}
		args = append(args, e)
	}
	flat(x)
	for i, a := range args {
		if i > 0 {
			r.sb.WriteString(" " + kw + " ")
		}
		r.paren(a, x, false)
	}
}

// castConst converts constant c to t for printing; the value as it is
// when the conversion fails.
func castConst(c *plan.Const, t types.T) any {
	if c.V == nil {
		return nil
	}
	v, err := types.Cast(c.V, c.T, t, nil)
	if err != nil {
		return c.V
	}
	return v
}

// constant prints a constant as get_const_expr does: integers and
// decimal numbers bare unless negative, booleans bare, everything else
// quoted with its type. An int8 or int2 constant within int4's range
// prints bare too: PostgreSQL would have kept the literal an integer
// and used a cross-type operator.
func (r *ruleText) constant(c *plan.Const) {
	if c.V == nil {
		r.sb.WriteString("NULL::" + typeName(c.T))
		return
	}
	text := types.FormatText(c.T, c.V, nil)
	switch c.T.OID {
	case types.OidInt4, types.OidInt2, types.OidInt8:
		t := c.T
		if n, err := strconv.ParseInt(text, 10, 64); err == nil && n >= math.MinInt32 && n <= math.MaxInt32 {
			t = types.Int4
		}
		if t.OID == types.OidInt4 && !strings.HasPrefix(text, "-") {
			r.sb.WriteString(text)
			return
		}
		r.sb.WriteString(quoteLiteral(text) + "::" + typeName(t))
		return
	case types.OidBool:
		if c.V == true {
			r.sb.WriteString("true")
		} else {
			r.sb.WriteString("false")
		}
		return
	case types.OidNumeric, types.OidFloat8, types.OidFloat4:
		// Most likely a number literal (int4 or numeric) the binder
		// converted: PostgreSQL shows the literal and the conversion.
		lit := types.Numeric
		if n, err := strconv.ParseInt(text, 10, 64); err == nil && n >= math.MinInt32 && n <= math.MaxInt32 {
			lit = types.Int4
		}
		if c.T.OID == lit.OID && c.T.Mod < 0 && !strings.HasPrefix(text, "-") && strings.ContainsAny(text, ".eE") {
			r.sb.WriteString(text)
			return
		}
		if c.T.OID != lit.OID && !strings.ContainsAny(text, "NnIi") {
			r.open()
			r.constant(&plan.Const{T: lit, V: numberValue(lit, text)})
			r.close()
			r.sb.WriteString("::" + typeName(c.T))
			return
		}
	}
	r.sb.WriteString(quoteLiteral(text) + "::" + typeName(c.T))
}

// numberValue is text parsed as a constant of type lit (int4 or
// numeric).
func numberValue(lit types.T, text string) any {
	v, err := types.ParseText(lit, text, nil)
	if err != nil {
		return text
	}
	return v
}
