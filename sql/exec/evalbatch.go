package exec

import (
	"math"

	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage/col"
)

// EvalBatch evaluates e over every physical row of b (the selection is
// ignored); the result has b.Rows() slots of kind e.Type().Kind(). A
// ColRef returns b's vector itself, which the caller must not modify.
func EvalBatch(ctx *Ctx, e plan.Expr, b *col.Batch) (*col.Vec, error) {
	n := b.Rows()
	switch e := e.(type) {
	case *plan.ColRef:
		if e.Idx < 0 || e.Idx >= len(b.Cols) {
			return nil, bug("column %d of %d-column batch", e.Idx, len(b.Cols))
		}
		return b.Cols[e.Idx], nil
	case *plan.Const:
		return broadcast(kindOf(e.T), e.V, n)
	case *plan.Param:
		v, err := eval(ctx, e, nil)
		if err != nil {
			return nil, err
		}
		return broadcast(kindOf(e.T), v, n)
	case *plan.Op:
		return evalOpBatch(ctx, e, b)
	case *plan.IsNull:
		if e.E.Type().OID == types.OidRecord {
			break
		}
		v, err := EvalBatch(ctx, e.E, b)
		if err != nil {
			return nil, err
		}
		out := col.NewVec(col.Bool, n)
		out.B = out.B[:n]
		for i := 0; i < n; i++ {
			out.B[i] = v.IsNull(i) != e.Not
		}
		return out, nil
	case *plan.Call:
		return evalCallBatch(ctx, e, b)
	case *plan.Cast:
		v, err := EvalBatch(ctx, e.E, b)
		if err != nil {
			return nil, err
		}
		return castVec(ctx, v, e.E.Type(), e.T)
	case *plan.Case:
		if v, ok, err := evalCaseBatch(ctx, e, b); ok || err != nil {
			return v, err
		}
	}
	return evalRows(ctx, e, b)
}

// evalCaseBatch evaluates a CASE over whole vectors when that cannot
// change what fails: the first condition runs for every row, as it does
// row by row; later conditions and the results run row by row only for
// some rows, so they must be unable to fail (safe). ok is false when e
// does not qualify.
func evalCaseBatch(ctx *Ctx, e *plan.Case, b *col.Batch) (out *col.Vec, ok bool, err error) {
	kind := kindOf(e.T)
	for i, w := range e.Whens {
		if i > 0 && !safe(w.Cond) || !safe(w.Then) {
			return nil, false, nil
		}
	}
	if e.Else != nil && !safe(e.Else) {
		return nil, false, nil
	}
	n := b.Rows()
	conds := make([]*col.Vec, len(e.Whens))
	thens := make([]*col.Vec, len(e.Whens))
	for i, w := range e.Whens {
		if conds[i], err = EvalBatch(ctx, w.Cond, b); err != nil {
			return nil, true, err
		}
		if thens[i], err = EvalBatch(ctx, w.Then, b); err != nil {
			return nil, true, err
		}
		if conds[i].Kind != col.Bool || thens[i].Kind != kind {
			return nil, false, nil
		}
	}
	var els *col.Vec
	if e.Else != nil {
		if els, err = EvalBatch(ctx, e.Else, b); err != nil {
			return nil, true, err
		}
		if els.Kind != kind {
			return nil, false, nil
		}
	}
	out = col.NewVec(kind, n)
rows:
	for r := 0; r < n; r++ {
		for i, c := range conds {
			if !c.IsNull(r) && c.B[r] {
				out.AppendFrom(thens[i], r)
				continue rows
			}
		}
		if els != nil {
			out.AppendFrom(els, r)
		} else {
			out.AppendNull()
		}
	}
	return out, true, nil
}

// evalRows evaluates e row by row on datums.
func evalRows(ctx *Ctx, e plan.Expr, b *col.Batch) (*col.Vec, error) {
	n := b.Rows()
	out := col.NewVec(kindOf(e.Type()), n)
	env := &rowEnv{b: b}
	for r := 0; r < n; r++ {
		env.r = r
		v, err := eval(ctx, e, env)
		if err != nil {
			return nil, err
		}
		if err := appendDatum(out, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// appendDatum appends x to v, reporting a datum of the wrong Go type as an
// internal error instead of panicking.
func appendDatum(v *col.Vec, x any) error {
	if x == nil {
		v.AppendNull()
		return nil
	}
	if err := checkDatum(v.Kind, x); err != nil {
		return err
	}
	v.Append(x)
	return nil
}

// checkDatum reports a bug when x (not nil) cannot go into a vector of
// kind k.
func checkDatum(k col.Kind, x any) error {
	ok := true
	switch k {
	case col.Int64:
		_, ok = x.(int64)
	case col.Float64:
		_, ok = x.(float64)
	case col.Bool:
		_, ok = x.(bool)
	case col.Bytes:
		_, ok = x.(string)
	}
	if !ok {
		return bug("datum %T in %v vector", x, k)
	}
	return nil
}

// broadcast returns a vector holding x n times.
func broadcast(k col.Kind, x any, n int) (*col.Vec, error) {
	v := col.NewVec(k, n)
	if x == nil {
		for i := 0; i < n; i++ {
			v.AppendNull()
		}
		return v, nil
	}
	switch k {
	case col.Int64:
		y, ok := x.(int64)
		if !ok {
			return nil, bug("datum %T in int64 vector", x)
		}
		v.I64 = v.I64[:n]
		for i := range v.I64 {
			v.I64[i] = y
		}
		return v, nil
	case col.Float64:
		y, ok := x.(float64)
		if !ok {
			return nil, bug("datum %T in float64 vector", x)
		}
		v.F64 = v.F64[:n]
		for i := range v.F64 {
			v.F64[i] = y
		}
		return v, nil
	}
	for i := 0; i < n; i++ {
		if err := appendDatum(v, x); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// orNulls returns the null bitmap of a result computed from a and b.
func orNulls(a, b *col.Vec, n int) []bool {
	if !a.HasNulls() && (b == nil || !b.HasNulls()) {
		return nil
	}
	out := make([]bool, n)
	for i := range out {
		out[i] = a.IsNull(i) || (b != nil && b.IsNull(i))
	}
	return out
}

func evalCallBatch(ctx *Ctx, e *plan.Call, b *col.Batch) (*col.Vec, error) {
	if v, ok, err := timeBucketVec(ctx, e, b); ok {
		return v, err
	}
	n := b.Rows()
	args := make([]*col.Vec, len(e.Args))
	for i, a := range e.Args {
		v, err := EvalBatch(ctx, a, b)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	out := col.NewVec(kindOf(e.T), n)
	vals := make([]any, len(args))
rows:
	for r := 0; r < n; r++ {
		for i, a := range args {
			vals[i] = a.Get(r)
			if vals[i] == nil && e.Fn.Strict {
				out.AppendNull()
				continue rows
			}
		}
		v, err := callFn(ctx, e.Fn, e.ArgTypes, vals)
		if err != nil {
			return nil, err
		}
		if err := appendDatum(out, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func castVec(ctx *Ctx, v *col.Vec, from, to types.T) (*col.Vec, error) {
	n := v.Len()
	// Same physical form and no typmod to apply: nothing to do.
	if from == to || (from.OID == to.OID && to.Mod < 0 && !to.IsArray()) {
		return v, nil
	}
	if v.Kind == col.Int64 && to.OID == types.OidFloat8 && from.IsInteger() {
		out := col.NewVec(col.Float64, n)
		out.F64 = out.F64[:n]
		for i, x := range v.I64 {
			out.F64[i] = float64(x)
		}
		out.Nulls = orNulls(v, nil, n)
		return out, nil
	}
	if v.Kind == col.Int64 && from.IsInteger() && to.OID == types.OidInt8 {
		return v, nil
	}
	loc := ctx.funcCtx().Loc
	out := col.NewVec(kindOf(to), n)
	for i := 0; i < n; i++ {
		x := v.Get(i)
		if x == nil {
			out.AppendNull()
			continue
		}
		y, err := types.Cast(x, from, to, loc)
		if err != nil {
			return nil, err
		}
		if err := appendDatum(out, y); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// safe reports whether evaluating e can never fail, so AND/OR may
// evaluate it on rows whose result the other operand already decides.
func safe(e plan.Expr) bool {
	switch e := e.(type) {
	case *plan.ColRef, *plan.Const, *plan.Param:
		return true
	case *plan.IsNull:
		return safe(e.E)
	case *plan.BoolTest:
		return safe(e.E)
	case *plan.Op:
		switch e.Kind {
		case plan.OpEq, plan.OpNe, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe,
			plan.OpAnd, plan.OpOr, plan.OpNot, plan.OpIsDistinct, plan.OpIsNotDistinct:
			if e.L.Type().OID == types.OidRecord {
				return false
			}
			return safe(e.L) && (e.R == nil || safe(e.R))
		}
	}
	return false
}

func evalOpBatch(ctx *Ctx, e *plan.Op, b *col.Batch) (*col.Vec, error) {
	n := b.Rows()
	switch e.Kind {
	case plan.OpNot:
		l, err := EvalBatch(ctx, e.L, b)
		if err != nil {
			return nil, err
		}
		out := col.NewVec(col.Bool, n)
		out.B = out.B[:n]
		for i, x := range l.B {
			out.B[i] = !x
		}
		out.Nulls = orNulls(l, nil, n)
		return out, nil
	case plan.OpAnd, plan.OpOr:
		if !safe(e.R) {
			return evalRows(ctx, e, b)
		}
		l, err := EvalBatch(ctx, e.L, b)
		if err != nil {
			return nil, err
		}
		r, err := EvalBatch(ctx, e.R, b)
		if err != nil {
			return nil, err
		}
		return logicVec(e.Kind, l, r, n), nil
	case plan.OpEq, plan.OpNe, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe,
		plan.OpAdd, plan.OpSub, plan.OpMul, plan.OpDiv, plan.OpMod:
	default:
		return evalBinaryRows(ctx, e, b)
	}
	lt, rt := e.L.Type(), e.R.Type()
	if lt.OID == types.OidRecord {
		return evalRows(ctx, e, b)
	}
	if e.Kind <= plan.OpGe {
		if v, ok, err := cmpConstBatch(ctx, e, b); ok || err != nil {
			return v, err
		}
	}
	l, err := EvalBatch(ctx, e.L, b)
	if err != nil {
		return nil, err
	}
	r, err := EvalBatch(ctx, e.R, b)
	if err != nil {
		return nil, err
	}
	isCmp := e.Kind <= plan.OpGe
	switch {
	case isCmp && l.Kind == col.Int64 && r.Kind == col.Int64:
		return cmpInt64Vec(e.Kind, l, r, n), nil
	case isCmp && l.Kind == col.Float64 && r.Kind == col.Float64:
		return cmpFloat64Vec(e.Kind, l, r, n), nil
	case isCmp && l.Kind == col.Bytes && r.Kind == col.Bytes && lt.OID != types.OidBpchar:
		return cmpStringVec(e.Kind, l, r, n), nil
	case !isCmp && l.Kind == col.Int64 && r.Kind == col.Int64 && e.T.IsInteger() && lt.IsInteger() && rt.IsInteger():
		return arithInt64Vec(e.Kind, e.T, l, r, n)
	case !isCmp && l.Kind == col.Float64 && r.Kind == col.Float64 && e.T.Kind() == col.Float64:
		return arithFloat64Vec(e.Kind, e.T, l, r, n)
	}
	return combineRows(ctx, e, l, r, n)
}

// evalBinaryRows evaluates both operands as vectors, then combines them
// row by row.
func evalBinaryRows(ctx *Ctx, e *plan.Op, b *col.Batch) (*col.Vec, error) {
	if e.R == nil {
		return evalRows(ctx, e, b)
	}
	l, err := EvalBatch(ctx, e.L, b)
	if err != nil {
		return nil, err
	}
	r, err := EvalBatch(ctx, e.R, b)
	if err != nil {
		return nil, err
	}
	return combineRows(ctx, e, l, r, b.Rows())
}

func combineRows(ctx *Ctx, e *plan.Op, l, r *col.Vec, n int) (*col.Vec, error) {
	out := col.NewVec(kindOf(e.T), n)
	for i := 0; i < n; i++ {
		v, err := binOp(ctx, e, l.Get(i), r.Get(i))
		if err != nil {
			return nil, err
		}
		if err := appendDatum(out, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func logicVec(k plan.OpKind, l, r *col.Vec, n int) *col.Vec {
	out := col.NewVec(col.Bool, n)
	out.B = out.B[:n]
	if !l.HasNulls() && !r.HasNulls() {
		if k == plan.OpAnd {
			for i := range out.B {
				out.B[i] = l.B[i] && r.B[i]
			}
		} else {
			for i := range out.B {
				out.B[i] = l.B[i] || r.B[i]
			}
		}
		return out
	}
	out.Nulls = make([]bool, n)
	for i := range out.B {
		var lv, rv any
		if !l.IsNull(i) {
			lv = l.B[i]
		}
		if !r.IsNull(i) {
			rv = r.B[i]
		}
		switch x := logic(k, lv, rv); x {
		case nil:
			out.Nulls[i] = true
		default:
			out.B[i] = x.(bool)
		}
	}
	return out
}

func cmpInt64Vec(k plan.OpKind, l, r *col.Vec, n int) *col.Vec {
	out := col.NewVec(col.Bool, n)
	o := out.B[:n]
	a, b := l.I64[:n], r.I64[:n]
	switch k {
	case plan.OpEq:
		for i := range o {
			o[i] = a[i] == b[i]
		}
	case plan.OpNe:
		for i := range o {
			o[i] = a[i] != b[i]
		}
	case plan.OpLt:
		for i := range o {
			o[i] = a[i] < b[i]
		}
	case plan.OpLe:
		for i := range o {
			o[i] = a[i] <= b[i]
		}
	case plan.OpGt:
		for i := range o {
			o[i] = a[i] > b[i]
		}
	case plan.OpGe:
		for i := range o {
			o[i] = a[i] >= b[i]
		}
	}
	out.B = o
	out.Nulls = orNulls(l, r, n)
	return out
}

func cmpFloat64Vec(k plan.OpKind, l, r *col.Vec, n int) *col.Vec {
	out := col.NewVec(col.Bool, n)
	o := out.B[:n]
	a, b := l.F64[:n], r.F64[:n]
	for i := range o {
		x, y := a[i], b[i]
		if x != x || y != y { // NaN sorts above everything and equals itself
			o[i] = cmpResult(k, types.Compare(types.Float8, x, y))
			continue
		}
		switch k {
		case plan.OpEq:
			o[i] = x == y
		case plan.OpNe:
			o[i] = x != y
		case plan.OpLt:
			o[i] = x < y
		case plan.OpLe:
			o[i] = x <= y
		case plan.OpGt:
			o[i] = x > y
		default:
			o[i] = x >= y
		}
	}
	out.B = o
	out.Nulls = orNulls(l, r, n)
	return out
}

func cmpStringVec(k plan.OpKind, l, r *col.Vec, n int) *col.Vec {
	out := col.NewVec(col.Bool, n)
	o := out.B[:n]
	for i := range o {
		x, y := l.S[i], r.S[i]
		switch k {
		case plan.OpEq:
			o[i] = x == y
		case plan.OpNe:
			o[i] = x != y
		case plan.OpLt:
			o[i] = x < y
		case plan.OpLe:
			o[i] = x <= y
		case plan.OpGt:
			o[i] = x > y
		default:
			o[i] = x >= y
		}
	}
	out.B = o
	out.Nulls = orNulls(l, r, n)
	return out
}

func arithInt64Vec(k plan.OpKind, t types.T, l, r *col.Vec, n int) (*col.Vec, error) {
	out := col.NewVec(col.Int64, n)
	o := out.I64[:n]
	a, b := l.I64[:n], r.I64[:n]
	nulls := orNulls(l, r, n)
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch t.OID {
	case types.OidInt2:
		lo, hi = math.MinInt16, math.MaxInt16
	case types.OidInt4:
		lo, hi = math.MinInt32, math.MaxInt32
	}
	switch k {
	case plan.OpAdd:
		for i := range o {
			x := a[i] + b[i]
			if ((x > a[i]) != (b[i] > 0) || x < lo || x > hi) && (nulls == nil || !nulls[i]) {
				return nil, intOverflow(t)
			}
			o[i] = x
		}
	case plan.OpSub:
		for i := range o {
			x := a[i] - b[i]
			if ((x < a[i]) != (b[i] > 0) || x < lo || x > hi) && (nulls == nil || !nulls[i]) {
				return nil, intOverflow(t)
			}
			o[i] = x
		}
	default:
		for i := range o {
			if nulls != nil && nulls[i] {
				continue
			}
			x, err := intArith(k, t, a[i], b[i])
			if err != nil {
				return nil, err
			}
			o[i] = x
		}
	}
	out.I64 = o
	out.Nulls = nulls
	return out, nil
}

func arithFloat64Vec(k plan.OpKind, t types.T, l, r *col.Vec, n int) (*col.Vec, error) {
	out := col.NewVec(col.Float64, n)
	o := out.F64[:n]
	a, b := l.F64[:n], r.F64[:n]
	nulls := orNulls(l, r, n)
	for i := range o {
		if nulls != nil && nulls[i] {
			continue
		}
		var x float64
		switch k {
		case plan.OpAdd:
			x = a[i] + b[i]
		case plan.OpSub:
			x = a[i] - b[i]
		case plan.OpMul:
			x = a[i] * b[i]
		default:
			var err error
			if x, err = floatArith(k, t, a[i], b[i]); err != nil {
				return nil, err
			}
			o[i] = x
			continue
		}
		if t.OID == types.OidFloat4 {
			x = float64(float32(x))
		}
		if math.IsInf(x, 0) || x == 0 {
			if err := checkFloat(k, a[i], b[i], x); err != nil {
				return nil, err
			}
		}
		o[i] = x
	}
	out.F64 = o
	out.Nulls = nulls
	return out, nil
}
