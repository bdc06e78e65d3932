package plan

import (
	"strings"

	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// numRank orders number types for promotion.
func numRank(t types.T) int {
	switch t.OID {
	case types.OidInt2:
		return 1
	case types.OidInt4:
		return 2
	case types.OidInt8:
		return 3
	case types.OidNumeric:
		return 4
	case types.OidFloat4:
		return 5
	case types.OidFloat8:
		return 6
	}
	return 0
}

func isUnknown(e Expr) bool {
	t := e.Type()
	return t.OID == types.OidUnknown || t.OID == 0
}

// commonType picks the type two operands are compared or combined in.
func commonType(a, b types.T) (types.T, bool) {
	if a.OID == b.OID {
		if a.Mod != b.Mod {
			a.Mod = -1
		}
		return a, true
	}
	ra, rb := numRank(a), numRank(b)
	if ra > 0 && rb > 0 {
		if ra >= rb {
			return types.T{OID: a.OID, Mod: -1}, true
		}
		return types.T{OID: b.OID, Mod: -1}, true
	}
	if a.IsTextual() && b.IsTextual() {
		return types.Text, true
	}
	if a.IsTime() && b.IsTime() {
		if a.OID == types.OidTimestamptz || b.OID == types.OidTimestamptz {
			return types.Timestamptz, true
		}
		return types.Timestamp, true
	}
	if a.OID == types.OidJSONB && b.IsTextual() || b.OID == types.OidJSONB && a.IsTextual() {
		return types.JSONB, true
	}
	oidish := func(t types.T) bool { return t.Category() == 'N' && numRank(t) == 0 }
	if oidish(a) && (oidish(b) || b.IsInteger()) {
		return types.Oid, true
	}
	if oidish(b) && a.IsInteger() {
		return types.Oid, true
	}
	return types.T{}, false
}

// unify coerces exprs to one common type (CASE, COALESCE, IN lists, VALUES).
func (b *binder) unify(es []Expr, what string) (types.T, []Expr, error) {
	var t types.T
	for _, e := range es {
		if isUnknown(e) {
			continue
		}
		if t.OID == 0 {
			t = e.Type()
			continue
		}
		ct, ok := commonType(t, e.Type())
		if !ok {
			return types.T{}, nil, pgerr.New(pgerr.DatatypeMismatch, "%s types %s and %s cannot be matched", what, t.Info().SQLName, e.Type().Info().SQLName)
		}
		t = ct
	}
	if t.OID == 0 {
		t = types.Text
	}
	out := make([]Expr, len(es))
	for i, e := range es {
		c, err := b.castTo(e, t, isUnknown(e))
		if err != nil {
			return types.T{}, nil, err
		}
		out[i] = c
	}
	return t, out, nil
}

func opName(names []*parse.Node) string {
	if len(names) == 0 {
		return ""
	}
	return strVal(names[len(names)-1])
}

var cmpOps = map[string]OpKind{"=": OpEq, "<>": OpNe, "!=": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe}

func (b *binder) aExpr(a *parse.A_Expr, ec *exprCtx) (Expr, error) {
	name := opName(a.Name)
	switch a.Kind {
	case parse.A_Expr_Kind_AEXPR_OP:
		if a.Lexpr == nil {
			r, err := b.expr(a.Rexpr, ec)
			if err != nil {
				return nil, err
			}
			return b.unaryOp(name, r)
		}
		l, err := b.expr(a.Lexpr, ec)
		if err != nil {
			return nil, err
		}
		r, err := b.expr(a.Rexpr, ec)
		if err != nil {
			return nil, err
		}
		return b.binaryOp(name, l, r)
	case parse.A_Expr_Kind_AEXPR_DISTINCT, parse.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		l, r, err := b.pair(a, ec)
		if err != nil {
			return nil, err
		}
		e, err := b.binaryOp("=", l, r)
		if err != nil {
			return nil, err
		}
		op := e.(*Op)
		op.Kind = OpIsDistinct
		if a.Kind == parse.A_Expr_Kind_AEXPR_NOT_DISTINCT {
			op.Kind = OpIsNotDistinct
		}
		return op, nil
	case parse.A_Expr_Kind_AEXPR_NULLIF:
		l, r, err := b.pair(a, ec)
		if err != nil {
			return nil, err
		}
		t, es, err := b.unify([]Expr{l, r}, "NULLIF")
		if err != nil {
			return nil, err
		}
		_ = t
		return &NullIf{A: es[0], B: es[1]}, nil
	case parse.A_Expr_Kind_AEXPR_IN:
		l, err := b.expr(a.Lexpr, ec)
		if err != nil {
			return nil, err
		}
		list, err := b.exprList(a.Rexpr.GetList().GetItems(), ec)
		if err != nil {
			return nil, err
		}
		t, all, err := b.unify(append([]Expr{l}, list...), "IN")
		if err != nil {
			return nil, err
		}
		_ = t
		return &InList{E: all[0], List: all[1:], Not: name == "<>"}, nil
	case parse.A_Expr_Kind_AEXPR_LIKE, parse.A_Expr_Kind_AEXPR_ILIKE:
		l, r, err := b.pair(a, ec)
		if err != nil {
			return nil, err
		}
		if l, err = b.coerce(l, types.Text, "argument of LIKE"); err != nil {
			return nil, b.noOperator(name, l, r)
		}
		if r, err = b.coerce(r, types.Text, "argument of LIKE"); err != nil {
			return nil, b.noOperator(name, l, r)
		}
		return &Like{E: l, Pattern: r, Not: strings.HasPrefix(name, "!"), CaseFold: a.Kind == parse.A_Expr_Kind_AEXPR_ILIKE}, nil
	case parse.A_Expr_Kind_AEXPR_BETWEEN, parse.A_Expr_Kind_AEXPR_NOT_BETWEEN, parse.A_Expr_Kind_AEXPR_BETWEEN_SYM, parse.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		items := a.Rexpr.GetList().GetItems()
		lo, err := b.expr(items[0], ec)
		if err != nil {
			return nil, err
		}
		hi, err := b.expr(items[1], ec)
		if err != nil {
			return nil, err
		}
		x1, err := b.expr(a.Lexpr, ec)
		if err != nil {
			return nil, err
		}
		x2, err := b.expr(a.Lexpr, ec)
		if err != nil {
			return nil, err
		}
		ge, err := b.binaryOp(">=", x1, lo)
		if err != nil {
			return nil, err
		}
		le, err := b.binaryOp("<=", x2, hi)
		if err != nil {
			return nil, err
		}
		var e Expr = &Op{T: types.Bool, Kind: OpAnd, L: ge, R: le}
		if a.Kind == parse.A_Expr_Kind_AEXPR_BETWEEN_SYM || a.Kind == parse.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM {
			x3, _ := b.expr(a.Lexpr, ec)
			x4, _ := b.expr(a.Lexpr, ec)
			ge2, err := b.binaryOp(">=", x3, hi)
			if err != nil {
				return nil, err
			}
			le2, err := b.binaryOp("<=", x4, lo)
			if err != nil {
				return nil, err
			}
			e = &Op{T: types.Bool, Kind: OpOr, L: e, R: &Op{T: types.Bool, Kind: OpAnd, L: ge2, R: le2}}
		}
		if a.Kind == parse.A_Expr_Kind_AEXPR_NOT_BETWEEN || a.Kind == parse.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM {
			e = &Op{T: types.Bool, Kind: OpNot, L: e}
		}
		return e, nil
	case parse.A_Expr_Kind_AEXPR_OP_ANY, parse.A_Expr_Kind_AEXPR_OP_ALL:
		l, r, err := b.pair(a, ec)
		if err != nil {
			return nil, err
		}
		k, ok := cmpOps[name]
		if !ok {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "operator %s ANY/ALL is not supported", name)
		}
		if isUnknown(r) {
			at, ok := types.ArrayOf(l.Type())
			if !ok {
				at = types.TextArray
			}
			if r, err = b.castTo(r, at, true); err != nil {
				return nil, err
			}
		}
		et, ok := r.Type().Elem()
		if !ok {
			return nil, pgerr.New(pgerr.WrongObjectType, "op ANY/ALL (array) requires array on right side")
		}
		if l, err = b.castTo(l, et, isUnknown(l)); err != nil {
			return nil, err
		}
		return &AnyArray{E: l, Op: k, Array: r, All: a.Kind == parse.A_Expr_Kind_AEXPR_OP_ALL}, nil
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "unsupported operator expression %v", a.Kind)
}

func (b *binder) pair(a *parse.A_Expr, ec *exprCtx) (Expr, Expr, error) {
	l, err := b.expr(a.Lexpr, ec)
	if err != nil {
		return nil, nil, err
	}
	r, err := b.expr(a.Rexpr, ec)
	return l, r, err
}

func (b *binder) noOperator(name string, l, r Expr) error {
	ln, rn := typeDisplay(l.Type()), typeDisplay(r.Type())
	return pgerr.New(pgerr.UndefinedFunction, "operator does not exist: %s %s %s", ln, name, rn).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

func typeDisplay(t types.T) string {
	if t.OID == 0 {
		return "unknown"
	}
	return t.Info().SQLName
}

func (b *binder) unaryOp(name string, r Expr) (Expr, error) {
	switch name {
	case "-":
		if c, ok := r.(*Const); ok && c.V != nil {
			switch v := c.V.(type) {
			case int64:
				return &Const{T: c.T, V: -v}, nil
			case float64:
				return &Const{T: c.T, V: -v}, nil
			}
		}
		if isUnknown(r) {
			var err error
			if r, err = b.castTo(r, types.Numeric, true); err != nil {
				return nil, err
			}
		}
		if numRank(r.Type()) == 0 && r.Type().OID != types.OidInterval {
			return nil, pgerr.New(pgerr.UndefinedFunction, "operator does not exist: - %s", typeDisplay(r.Type()))
		}
		return &Op{T: r.Type(), Kind: OpNeg, L: r}, nil
	case "+":
		return r, nil
	case "|/":
		return b.callByName("sqrt", []Expr{r})
	}
	return nil, pgerr.New(pgerr.UndefinedFunction, "operator does not exist: %s %s", name, typeDisplay(r.Type()))
}

// binaryOp resolves a binary operator and its result type, inserting casts.
func (b *binder) binaryOp(name string, l, r Expr) (Expr, error) {
	if k, ok := cmpOps[name]; ok {
		return b.compare(k, name, l, r)
	}
	switch name {
	case "+", "-", "*", "/", "%", "^":
		return b.arith(name, l, r)
	case "||":
		if l.Type().IsArray() || r.Type().IsArray() {
			return b.callByName("array_cat", []Expr{l, r})
		}
		if l.Type().OID == types.OidJSONB && r.Type().OID == types.OidJSONB {
			return b.callByName("jsonb_concat", []Expr{l, r})
		}
		var err error
		if l, err = b.toText(l); err != nil {
			return nil, err
		}
		if r, err = b.toText(r); err != nil {
			return nil, err
		}
		return &Op{T: types.Text, Kind: OpConcat, L: l, R: r}, nil
	case "~", "~*", "!~", "!~*":
		var err error
		if l, err = b.coerce(l, types.Text, "argument of regular expression match"); err != nil {
			return nil, b.noOperator(name, l, r)
		}
		if r, err = b.coerce(r, types.Text, "argument of regular expression match"); err != nil {
			return nil, b.noOperator(name, l, r)
		}
		k := map[string]OpKind{"~": OpRegexMatch, "~*": OpRegexIMatch, "!~": OpRegexNMatch, "!~*": OpRegexNIMatch}[name]
		return &Op{T: types.Bool, Kind: k, L: l, R: r}, nil
	case "~~", "!~~", "~~*", "!~~*":
		var err error
		if l, err = b.coerce(l, types.Text, "argument of LIKE"); err != nil {
			return nil, err
		}
		if r, err = b.coerce(r, types.Text, "argument of LIKE"); err != nil {
			return nil, err
		}
		return &Like{E: l, Pattern: r, Not: name[0] == '!', CaseFold: strings.HasSuffix(name, "*")}, nil
	case "->", "->>", "#>", "#>>", "@>", "<@", "?":
		return b.jsonOp(name, l, r)
	case "&", "|", "<<", ">>":
		t, ok := commonType(l.Type(), r.Type())
		if !ok || !t.IsInteger() {
			return nil, b.noOperator(name, l, r)
		}
		k := map[string]OpKind{"&": OpBitAnd, "|": OpBitOr, "<<": OpShiftL, ">>": OpShiftR}[name]
		var err error
		if l, err = b.castTo(l, t, false); err != nil {
			return nil, err
		}
		if r, err = b.castTo(r, t, false); err != nil {
			return nil, err
		}
		return &Op{T: t, Kind: k, L: l, R: r}, nil
	}
	return nil, b.noOperator(name, l, r)
}

func (b *binder) toText(e Expr) (Expr, error) {
	if e.Type().IsTextual() && e.Type().OID != types.OidUnknown {
		if e.Type().OID == types.OidText {
			return e, nil
		}
	}
	return b.castTo(e, types.Text, true)
}

func (b *binder) jsonOp(name string, l, r Expr) (Expr, error) {
	var err error
	if isUnknown(l) {
		if l, err = b.castTo(l, types.JSONB, true); err != nil {
			return nil, err
		}
	}
	isB := l.Type().OID == types.OidJSONB
	pre := "json"
	if isB {
		pre = "jsonb"
	}
	switch name {
	case "->", "->>":
		suffix := ""
		if name == "->>" {
			suffix = "_text"
		}
		if r.Type().IsInteger() {
			return b.callByName(pre+"_array_element"+suffix, []Expr{l, r})
		}
		return b.callByName(pre+"_object_field"+suffix, []Expr{l, r})
	case "#>", "#>>":
		suffix := ""
		if name == "#>>" {
			suffix = "_text"
		}
		return b.callByName(pre+"_extract_path"+suffix+"_arr", []Expr{l, r})
	case "@>":
		return b.callByName("jsonb_contains", []Expr{l, r})
	case "<@":
		return b.callByName("jsonb_contains", []Expr{r, l})
	case "?":
		return b.callByName("jsonb_exists", []Expr{l, r})
	}
	return nil, b.noOperator(name, l, r)
}

func (b *binder) compare(k OpKind, name string, l, r Expr) (Expr, error) {
	var err error
	switch {
	case isUnknown(l) && isUnknown(r):
		if l, err = b.castTo(l, types.Text, true); err != nil {
			return nil, err
		}
		if r, err = b.castTo(r, types.Text, true); err != nil {
			return nil, err
		}
	case isUnknown(l):
		if l, err = b.castTo(l, r.Type(), true); err != nil {
			return nil, err
		}
	case isUnknown(r):
		if r, err = b.castTo(r, l.Type(), true); err != nil {
			return nil, err
		}
	}
	if l.Type().OID == types.OidRecord || r.Type().OID == types.OidRecord {
		return &Op{T: types.Bool, Kind: k, L: l, R: r}, nil
	}
	t, ok := commonType(l.Type(), r.Type())
	if !ok {
		return nil, b.noOperator(name, l, r)
	}
	if l, err = b.castTo(l, t, false); err != nil {
		return nil, err
	}
	if r, err = b.castTo(r, t, false); err != nil {
		return nil, err
	}
	return &Op{T: types.Bool, Kind: k, L: l, R: r}, nil
}

var arithKinds = map[string]OpKind{"+": OpAdd, "-": OpSub, "*": OpMul, "/": OpDiv, "%": OpMod, "^": OpPow}

func (b *binder) arith(name string, l, r Expr) (Expr, error) {
	k := arithKinds[name]
	var err error
	lt, rt := l.Type(), r.Type()
	// Untyped literals take the other side's type; for time types an
	// unknown right operand of +/- is an interval (or int for dates).
	if isUnknown(l) && !isUnknown(r) {
		target := rt
		switch {
		case rt.OID == types.OidInterval && k == OpMul:
			target = types.Float8 // float8 * interval
		case (rt.OID == types.OidTimestamp || rt.OID == types.OidTimestamptz) && k == OpAdd:
			target = types.IntervalT // interval + timestamp
		}
		if l, err = b.castTo(l, target, true); err != nil {
			return nil, err
		}
		lt = target
	} else if isUnknown(r) && !isUnknown(l) {
		target := lt
		if (lt.IsTime() || lt.OID == types.OidTime) && (k == OpAdd || k == OpSub) {
			target = types.IntervalT
			if lt.OID == types.OidDate {
				target = types.Int4
			}
		}
		if lt.OID == types.OidInterval && (k == OpMul || k == OpDiv) {
			target = types.Float8
		}
		if r, err = b.castTo(r, target, true); err != nil {
			return nil, err
		}
		rt = target
	} else if isUnknown(l) && isUnknown(r) {
		if l, err = b.castTo(l, types.Numeric, true); err != nil {
			return nil, err
		}
		if r, err = b.castTo(r, types.Numeric, true); err != nil {
			return nil, err
		}
		lt, rt = types.Numeric, types.Numeric
	}
	// Numbers.
	if numRank(lt) > 0 && numRank(rt) > 0 {
		t, _ := commonType(lt, rt)
		if k == OpPow {
			if t.OID != types.OidNumeric {
				t = types.Float8
			}
		}
		if t.OID == types.OidFloat4 && (lt.OID != rt.OID) {
			t = types.Float8
		}
		if l, err = b.castTo(l, t, false); err != nil {
			return nil, err
		}
		if r, err = b.castTo(r, t, false); err != nil {
			return nil, err
		}
		return &Op{T: t, Kind: k, L: l, R: r}, nil
	}
	// Date/time arithmetic.
	lo, ro := lt.OID, rt.OID
	iv := types.OidInterval
	switch {
	case (lo == types.OidTimestamp || lo == types.OidTimestamptz) && ro == iv && (k == OpAdd || k == OpSub):
		return &Op{T: lt, Kind: k, L: l, R: r}, nil
	case lo == iv && (ro == types.OidTimestamp || ro == types.OidTimestamptz) && k == OpAdd:
		return &Op{T: rt, Kind: k, L: r, R: l}, nil
	case lo == types.OidDate && ro == iv && (k == OpAdd || k == OpSub):
		l, _ = b.castTo(l, types.Timestamp, false)
		return &Op{T: types.Timestamp, Kind: k, L: l, R: r}, nil
	case lo == iv && ro == types.OidDate && k == OpAdd:
		r, _ = b.castTo(r, types.Timestamp, false)
		return &Op{T: types.Timestamp, Kind: k, L: r, R: l}, nil
	case lo == types.OidDate && rt.IsInteger() && (k == OpAdd || k == OpSub):
		r, _ = b.castTo(r, types.Int4, false)
		return &Op{T: types.Date, Kind: k, L: l, R: r}, nil
	case lt.IsInteger() && ro == types.OidDate && k == OpAdd:
		return &Op{T: types.Date, Kind: k, L: r, R: l}, nil
	case lo == types.OidDate && ro == types.OidDate && k == OpSub:
		return &Op{T: types.Int4, Kind: k, L: l, R: r}, nil
	case (lt.IsTime()) && (rt.IsTime()) && k == OpSub:
		t, _ := commonType(lt, rt)
		l, _ = b.castTo(l, t, false)
		r, _ = b.castTo(r, t, false)
		return &Op{T: types.IntervalT, Kind: k, L: l, R: r}, nil
	case lo == iv && ro == iv && (k == OpAdd || k == OpSub):
		return &Op{T: types.IntervalT, Kind: k, L: l, R: r}, nil
	case lo == iv && numRank(rt) > 0 && (k == OpMul || k == OpDiv):
		r, _ = b.castTo(r, types.Float8, false)
		return &Op{T: types.IntervalT, Kind: k, L: l, R: r}, nil
	case numRank(lt) > 0 && ro == iv && k == OpMul:
		l, _ = b.castTo(l, types.Float8, false)
		return &Op{T: types.IntervalT, Kind: k, L: r, R: l}, nil
	case lo == types.OidTime && ro == iv && (k == OpAdd || k == OpSub):
		return &Op{T: types.Time, Kind: k, L: l, R: r}, nil
	case lo == types.OidTime && ro == types.OidTime && k == OpSub:
		return &Op{T: types.IntervalT, Kind: k, L: l, R: r}, nil
	case lo == types.OidDate && ro == types.OidTime && k == OpAdd:
		return &Op{T: types.Timestamp, Kind: k, L: l, R: r}, nil
	case lo == types.OidJSONB && k == OpSub:
		return b.callByName("jsonb_delete", []Expr{l, r})
	}
	return nil, b.noOperator(name, l, r)
}

func (b *binder) boolExpr(be *parse.BoolExpr, ec *exprCtx) (Expr, error) {
	args, err := b.exprList(be.Args, ec)
	if err != nil {
		return nil, err
	}
	for i, a := range args {
		what := "argument of AND"
		switch be.Boolop {
		case parse.BoolExprType_OR_EXPR:
			what = "argument of OR"
		case parse.BoolExprType_NOT_EXPR:
			what = "argument of NOT"
		}
		if args[i], err = b.coerce(a, types.Bool, what); err != nil {
			return nil, err
		}
	}
	switch be.Boolop {
	case parse.BoolExprType_NOT_EXPR:
		return &Op{T: types.Bool, Kind: OpNot, L: args[0]}, nil
	case parse.BoolExprType_OR_EXPR:
		e := args[0]
		for _, a := range args[1:] {
			e = &Op{T: types.Bool, Kind: OpOr, L: e, R: a}
		}
		return e, nil
	default:
		e := args[0]
		for _, a := range args[1:] {
			e = &Op{T: types.Bool, Kind: OpAnd, L: e, R: a}
		}
		return e, nil
	}
}

func (b *binder) caseExpr(c *parse.CaseExpr, ec *exprCtx) (Expr, error) {
	var arg Expr
	var err error
	if c.Arg != nil {
		if arg, err = b.expr(c.Arg, ec); err != nil {
			return nil, err
		}
	}
	var conds, results []Expr
	for _, w := range c.Args {
		cw := w.GetCaseWhen()
		cond, err := b.expr(cw.Expr, ec)
		if err != nil {
			return nil, err
		}
		if arg != nil {
			a2, _ := b.expr(c.Arg, ec)
			if cond, err = b.binaryOp("=", a2, cond); err != nil {
				return nil, err
			}
		} else if cond, err = b.coerce(cond, types.Bool, "argument of CASE/WHEN"); err != nil {
			return nil, err
		}
		res, err := b.expr(cw.Result, ec)
		if err != nil {
			return nil, err
		}
		conds = append(conds, cond)
		results = append(results, res)
	}
	hasElse := c.Defresult != nil
	if hasElse {
		e, err := b.expr(c.Defresult, ec)
		if err != nil {
			return nil, err
		}
		results = append(results, e)
	}
	t, results, err := b.unify(results, "CASE")
	if err != nil {
		return nil, err
	}
	out := &Case{T: t}
	for i := range conds {
		out.Whens = append(out.Whens, When{Cond: conds[i], Then: results[i]})
	}
	if hasElse {
		out.Else = results[len(results)-1]
	}
	return out, nil
}

func (b *binder) sqlValueFunc(f *parse.SQLValueFunction) (Expr, error) {
	switch f.Op {
	case parse.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP, parse.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		return b.callByName("now", nil)
	case parse.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP, parse.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		e, err := b.callByName("now", nil)
		if err != nil {
			return nil, err
		}
		return &Cast{E: e, T: types.Timestamp}, nil
	case parse.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		e, err := b.callByName("now", nil)
		if err != nil {
			return nil, err
		}
		return &Cast{E: e, T: types.Date}, nil
	case parse.SQLValueFunctionOp_SVFOP_CURRENT_TIME, parse.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N,
		parse.SQLValueFunctionOp_SVFOP_LOCALTIME, parse.SQLValueFunctionOp_SVFOP_LOCALTIME_N:
		e, err := b.callByName("now", nil)
		if err != nil {
			return nil, err
		}
		return &Cast{E: e, T: types.Time}, nil
	case parse.SQLValueFunctionOp_SVFOP_CURRENT_ROLE, parse.SQLValueFunctionOp_SVFOP_CURRENT_USER,
		parse.SQLValueFunctionOp_SVFOP_USER, parse.SQLValueFunctionOp_SVFOP_SESSION_USER:
		return b.callByName("current_user", nil)
	case parse.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		return b.callByName("current_database", nil)
	case parse.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		return b.callByName("current_schema", nil)
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "unsupported SQL value function")
}
