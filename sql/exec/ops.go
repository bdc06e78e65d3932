package exec

import (
	"math"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

func evalOp(ctx *Ctx, e *plan.Op, env *rowEnv) (any, error) {
	switch e.Kind {
	case plan.OpAnd, plan.OpOr:
		l, err := eval(ctx, e.L, env)
		if err != nil {
			return nil, err
		}
		// Short-circuit: FALSE AND x, TRUE OR x.
		if l == (e.Kind == plan.OpOr) {
			return l, nil
		}
		r, err := eval(ctx, e.R, env)
		if err != nil {
			return nil, err
		}
		return logic(e.Kind, l, r), nil
	case plan.OpNot:
		l, err := eval(ctx, e.L, env)
		if err != nil || l == nil {
			return nil, err
		}
		return !l.(bool), nil
	case plan.OpNeg:
		l, err := eval(ctx, e.L, env)
		if err != nil || l == nil {
			return nil, err
		}
		return negate(e.T, l)
	}
	l, err := eval(ctx, e.L, env)
	if err != nil {
		return nil, err
	}
	r, err := eval(ctx, e.R, env)
	if err != nil {
		return nil, err
	}
	return binOp(ctx, e, l, r)
}

// logic is SQL's three-valued AND/OR.
func logic(k plan.OpKind, l, r any) any {
	if k == plan.OpAnd {
		if l == false || r == false {
			return false
		}
		if l == nil || r == nil {
			return nil
		}
		return true
	}
	if l == true || r == true {
		return true
	}
	if l == nil || r == nil {
		return nil
	}
	return false
}

// binary applies a non-logical binary operator to two datums.
func binOp(ctx *Ctx, e *plan.Op, l, r any) (any, error) {
	lt := e.L.Type()
	switch e.Kind {
	case plan.OpIsDistinct, plan.OpIsNotDistinct:
		var same bool
		switch {
		case l == nil || r == nil:
			same = l == nil && r == nil
		default:
			same = types.Compare(lt, l, r) == 0
		}
		return same == (e.Kind == plan.OpIsNotDistinct), nil
	}
	if l == nil || r == nil {
		return nil, nil
	}
	switch e.Kind {
	case plan.OpEq, plan.OpNe, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe:
		return cmpOp(e.Kind, lt, l, r)
	case plan.OpConcat:
		ls, _ := l.(string)
		rs, _ := r.(string)
		return ls + rs, nil
	case plan.OpRegexMatch, plan.OpRegexIMatch, plan.OpRegexNMatch, plan.OpRegexNIMatch:
		return regexOp(ctx, e.Kind, l.(string), r.(string))
	case plan.OpBitAnd, plan.OpBitOr, plan.OpShiftL, plan.OpShiftR:
		return bitOp(e.Kind, e.T, l.(int64), r.(int64))
	case plan.OpPow:
		return power(ctx, e.T, l, r)
	}
	return arith(ctx, e.Kind, e.T, lt, e.R.Type(), l, r)
}

// cmpOp compares two datums of type t; NULL in gives NULL out. Records
// compare field by field as PostgreSQL's row comparison does.
func cmpOp(k plan.OpKind, t types.T, l, r any) (any, error) {
	if l == nil || r == nil {
		return nil, nil
	}
	if lr, ok := l.(*types.Record); ok {
		rr, ok := r.(*types.Record)
		if !ok {
			return nil, bug("compare record with %T", r)
		}
		return cmpRecord(k, lr, rr)
	}
	return cmpResult(k, types.Compare(t, l, r)), nil
}

func cmpResult(k plan.OpKind, c int) bool {
	switch k {
	case plan.OpEq:
		return c == 0
	case plan.OpNe:
		return c != 0
	case plan.OpLt:
		return c < 0
	case plan.OpLe:
		return c <= 0
	case plan.OpGt:
		return c > 0
	}
	return c >= 0
}

func cmpRecord(k plan.OpKind, l, r *types.Record) (any, error) {
	if len(l.Vals) != len(r.Vals) {
		return nil, pgerr.New(pgerr.SyntaxError, "unequal number of entries in row expressions")
	}
	if k == plan.OpEq || k == plan.OpNe {
		sawNull := false
		for i := range l.Vals {
			if l.Vals[i] == nil || r.Vals[i] == nil {
				sawNull = true
				continue
			}
			if types.Compare(recType(l, i), l.Vals[i], r.Vals[i]) != 0 {
				return k == plan.OpNe, nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return k == plan.OpEq, nil
	}
	for i := range l.Vals {
		if l.Vals[i] == nil || r.Vals[i] == nil {
			return nil, nil
		}
		if c := types.Compare(recType(l, i), l.Vals[i], r.Vals[i]); c != 0 {
			return cmpResult(k, c), nil
		}
	}
	return cmpResult(k, 0), nil
}

func recType(r *types.Record, i int) types.T {
	if i < len(r.Types) {
		return r.Types[i]
	}
	return types.Text
}

// intOverflow returns the 22003 error for an integer result type.
func intOverflow(t types.T) error {
	switch t.OID {
	case types.OidInt2:
		return pgerr.New(pgerr.NumericValueOutOfRange, "smallint out of range")
	case types.OidInt4:
		return pgerr.New(pgerr.NumericValueOutOfRange, "integer out of range")
	}
	return pgerr.New(pgerr.NumericValueOutOfRange, "bigint out of range")
}

func errDivZero() error { return pgerr.New(pgerr.DivisionByZero, "division by zero") }

// intFits reports whether n fits integer type t.
func intFits(t types.T, n int64) bool {
	switch t.OID {
	case types.OidInt2:
		return n >= math.MinInt16 && n <= math.MaxInt16
	case types.OidInt4:
		return n >= math.MinInt32 && n <= math.MaxInt32
	}
	return true
}

// intArith computes an integer operator with PostgreSQL's overflow and
// division-by-zero errors; t is the result type.
func intArith(k plan.OpKind, t types.T, a, b int64) (int64, error) {
	var r int64
	switch k {
	case plan.OpAdd:
		r = a + b
		if (r > a) != (b > 0) {
			return 0, intOverflow(t)
		}
	case plan.OpSub:
		r = a - b
		if (r < a) != (b > 0) {
			return 0, intOverflow(t)
		}
	case plan.OpMul:
		r = a * b
		if a != 0 && (r/a != b || a == -1 && b == math.MinInt64) {
			return 0, intOverflow(t)
		}
	case plan.OpDiv:
		if b == 0 {
			return 0, errDivZero()
		}
		if b == -1 {
			if a == math.MinInt64 {
				return 0, intOverflow(t)
			}
			r = -a
		} else {
			r = a / b
		}
	case plan.OpMod:
		if b == 0 {
			return 0, errDivZero()
		}
		if b == -1 {
			return 0, nil
		}
		r = a % b
	default:
		return 0, bug("integer operator %v", k)
	}
	if !intFits(t, r) {
		return 0, intOverflow(t)
	}
	return r, nil
}

// floatArith computes a float operator: IEEE arithmetic plus PostgreSQL's
// overflow, underflow and division-by-zero checks; t is the result type.
func floatArith(k plan.OpKind, t types.T, a, b float64) (float64, error) {
	var r float64
	switch k {
	case plan.OpAdd:
		r = a + b
	case plan.OpSub:
		r = a - b
	case plan.OpMul:
		r = a * b
	case plan.OpDiv:
		if b == 0 {
			return 0, errDivZero()
		}
		r = a / b
	case plan.OpMod:
		if b == 0 {
			return 0, errDivZero()
		}
		r = math.Mod(a, b)
	default:
		return 0, bug("float operator %v", k)
	}
	if t.OID == types.OidFloat4 {
		r = float64(float32(r))
	}
	return r, checkFloat(k, a, b, r)
}

func checkFloat(k plan.OpKind, a, b, r float64) error {
	if math.IsInf(r, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
		return pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && (k == plan.OpMul && a != 0 && b != 0 || k == plan.OpDiv && a != 0 && !math.IsInf(b, 0)) {
		return pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: underflow")
	}
	return nil
}

// arith computes + - * / % for every type combination the binder emits.
func arith(ctx *Ctx, k plan.OpKind, t, lt, rt types.T, l, r any) (any, error) {
	switch x := l.(type) {
	case int64:
		y, ok := r.(int64)
		switch {
		case lt.OID == types.OidDate && ok && t.OID == types.OidDate:
			if k == plan.OpSub {
				y = -y
			}
			return types.DateAddDays(x, y)
		case lt.OID == types.OidDate && ok && t.OID == types.OidInt4:
			return types.DateSub(x, y)
		case lt.OID == types.OidDate && rt.OID == types.OidTime:
			return x*types.MicrosPerDay + y, nil
		case lt.OID == types.OidTime && rt.OID == types.OidTime:
			return types.Interval{Micros: x - y}, nil
		case lt.OID == types.OidTime:
			iv := r.(types.Interval)
			d := iv.Micros
			if k == plan.OpSub {
				d = -d
			}
			v := (x + d%types.MicrosPerDay) % types.MicrosPerDay
			if v < 0 {
				v += types.MicrosPerDay
			}
			return v, nil
		case rt.OID == types.OidInterval:
			iv := r.(types.Interval)
			if k == plan.OpSub {
				return types.SubInterval(lt, x, iv, ctx.funcCtx().Loc)
			}
			return types.AddInterval(lt, x, iv, ctx.funcCtx().Loc)
		case t.OID == types.OidInterval && ok:
			return types.SubTimestamps(x, y), nil
		case ok:
			return intArith(k, t, x, y)
		}
	case float64:
		if y, ok := r.(float64); ok {
			return floatArith(k, t, x, y)
		}
	case *types.Decimal:
		y, ok := r.(*types.Decimal)
		if !ok {
			break
		}
		switch k {
		case plan.OpAdd:
			return types.NumericAdd(x, y), nil
		case plan.OpSub:
			return types.NumericSub(x, y), nil
		case plan.OpMul:
			return types.NumericMul(x, y), nil
		case plan.OpDiv:
			return types.NumericDiv(x, y)
		case plan.OpMod:
			return types.NumericMod(x, y)
		}
	case types.Interval:
		switch y := r.(type) {
		case types.Interval:
			if k == plan.OpSub {
				return types.IntervalSub(x, y)
			}
			return types.IntervalAdd(x, y)
		case float64:
			if k == plan.OpDiv {
				if y == 0 {
					return nil, errDivZero()
				}
				return types.IntervalDiv(x, y)
			}
			return types.IntervalMul(x, y)
		}
	}
	return nil, pgerr.New(pgerr.UndefinedFunction, "operator does not exist: %s %s %s", lt.Info().SQLName, k, rt.Info().SQLName)
}

func negate(t types.T, v any) (any, error) {
	switch x := v.(type) {
	case int64:
		if x == math.MinInt64 || !intFits(t, -x) {
			return nil, intOverflow(t)
		}
		return -x, nil
	case float64:
		return -x, nil
	case *types.Decimal:
		return types.NumericNeg(x), nil
	case types.Interval:
		return types.IntervalNeg(x)
	}
	return nil, pgerr.New(pgerr.UndefinedFunction, "operator does not exist: - %s", t.Info().SQLName)
}

func bitOp(k plan.OpKind, t types.T, a, b int64) (any, error) {
	switch k {
	case plan.OpBitAnd:
		return a & b, nil
	case plan.OpBitOr:
		return a | b, nil
	}
	width := uint(64)
	switch t.OID {
	case types.OidInt2:
		width = 16
	case types.OidInt4:
		width = 32
	}
	s := uint(b) & (width - 1)
	var r int64
	if k == plan.OpShiftL {
		r = a << s
	} else {
		r = a >> s
	}
	switch width {
	case 16:
		r = int64(int16(r))
	case 32:
		r = int64(int32(r))
	}
	return r, nil
}

// power evaluates "^" through the registered power function so numeric
// and float semantics (and errors) match it exactly.
func power(ctx *Ctx, t types.T, l, r any) (any, error) {
	for _, f := range funcs.Scalars("power") {
		if len(f.Args) == 2 && f.Args[0].OID == t.OID {
			return f.Fn(ctx.funcCtx(), []types.T{t, t}, []any{l, r})
		}
	}
	return nil, pgerr.New(pgerr.UndefinedFunction, "operator does not exist: %s ^ %s", t.Info().SQLName, t.Info().SQLName)
}
