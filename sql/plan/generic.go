package plan

import (
	"reflect"
	"time"

	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Generic plans of normalized statements.
//
// A statement sent with literals (the simple protocol's
// `SELECT abalance FROM pgbench_accounts WHERE aid = 123`) is normalized
// by sql/parse: its literals become placeholders over one shared parse
// tree. Bind turns each placeholder back into its literal's constant (a
// custom plan). BindGeneric instead leaves them as parameters, typed as
// the literals would be, so the plan holds for every statement of that
// normalized text whose literals have the same kinds (LiteralKinds); the
// session keeps such a plan only when it is the custom plan with the
// constants replaced (SameShape), so no decision of the binder or the
// optimizer depended on a literal's value.

// BindGeneric binds a normalized statement with its literals as
// parameters $base.. (see Statement.Literals). It returns the parameter
// types as binding left them: a literal whose type no context fixed
// stays unknown, and ok is false when the statement has no literals or
// placeholders the client wrote.
func BindGeneric(env Env, p *parse.Statement, loc *time.Location) (st Statement, params []types.T, ok bool, err error) {
	lits, base := p.Literals()
	if len(lits) == 0 || base != 1 {
		return nil, nil, false, nil
	}
	b := newBinder(env, nil, loc)
	b.params = make([]types.T, len(lits))
	for i, l := range lits {
		c, err := constant(l.GetAConst())
		if err != nil {
			return nil, nil, false, err
		}
		b.params[i] = c.Type()
	}
	st, err = b.statement(p.Tree().Stmt, p.SQL)
	if err != nil || len(b.params) != len(lits) {
		return nil, nil, false, err
	}
	return st, b.params, true, nil
}

// LiteralKinds describes the types the literals of p bind to on their
// own (int4, int8, numeric, bool, unknown): two statements of one
// normalized text share a generic plan only when their kinds match.
func LiteralKinds(p *parse.Statement, buf []uint32) []uint32 {
	lits, _ := p.Literals()
	for _, l := range lits {
		c, err := constant(l.GetAConst())
		if err != nil {
			buf = append(buf, 0)
			continue
		}
		buf = append(buf, c.Type().OID)
	}
	return buf
}

// LiteralParams returns the values of p's literals as the parameters of
// a generic plan made for literals of kinds (LiteralKinds) with
// parameter types ts: an untyped literal is read as its parameter's type
// (errors are the input errors binding would give). ok is false when the
// literals' kinds are not kinds: the plan is not theirs.
func LiteralParams(p *parse.Statement, kinds []uint32, ts []types.T, loc *time.Location) (vals []any, ok bool, err error) {
	lits, _ := p.Literals()
	if len(lits) != len(kinds) || len(lits) != len(ts) {
		return nil, false, nil
	}
	out := make([]any, len(lits))
	for i, l := range lits {
		e, err := constant(l.GetAConst())
		if err != nil || e.Type().OID != kinds[i] {
			return nil, false, err
		}
		c := e.(*Const)
		if c.V == nil || c.T.OID == ts[i].OID {
			out[i] = c.V
			continue
		}
		s, isText := c.V.(string)
		if !isText || c.T.OID != types.OidUnknown {
			return nil, false, pgerr.New(pgerr.Internal, "BUG: literal %d of type %s for a parameter of type %s", i+1, c.T.Info().Name, ts[i].Info().Name)
		}
		if out[i], err = types.ParseText(ts[i], s, loc); err != nil {
			return nil, false, err
		}
	}
	return out, true, nil
}

// SameShape reports whether generic, a plan bound by BindGeneric, is
// custom, the plan of the same statement bound with its literals as
// constants, except that parameters stand where custom has constants of
// the same type. Both are compared field by field, so any decision that
// depended on a literal's value (a folded expression, an excluded chunk,
// a different index) makes them differ.
func SameShape(custom, generic Node) bool {
	c := shapeComparer{seen: map[[2]uintptr]bool{}}
	return c.equal(reflect.ValueOf(custom), reflect.ValueOf(generic), 0)
}

var constType = reflect.TypeOf((*Const)(nil))

// castsOfParam reports whether e is a parameter under zero or more casts.
func castsOfParam(e Expr) bool {
	for {
		switch x := e.(type) {
		case *Param:
			return true
		case *Cast:
			e = x.E
		default:
			return false
		}
	}
}

type shapeComparer struct {
	seen map[[2]uintptr]bool
}

// maxShapeDepth bounds the comparison of deep (or cyclic) structures:
// deeper plans are simply not shared.
const maxShapeDepth = 200

func (c shapeComparer) equal(a, b reflect.Value, depth int) bool {
	if depth > maxShapeDepth || a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Kind() == reflect.Interface {
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		a, b = a.Elem(), b.Elem()
	}
	if a.Type() != b.Type() {
		// A parameter where the custom plan has a constant of its type,
		// or casts of a parameter where binding folded the casts of the
		// literal into a constant of the last cast's type (the casts then
		// run on each execution's value, with the same settings).
		if a.Type() == constType && !a.IsNil() && b.Kind() == reflect.Pointer && !b.IsNil() && a.CanInterface() && b.CanInterface() {
			if e, ok := b.Interface().(Expr); ok && castsOfParam(e) {
				return a.Interface().(*Const).T == e.Type()
			}
		}
		return false
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.Pointer() == b.Pointer() {
			return true
		}
		if a.IsNil() || b.IsNil() {
			return false
		}
		k := [2]uintptr{a.Pointer(), b.Pointer()}
		if c.seen[k] {
			return true
		}
		c.seen[k] = true
		return c.equal(a.Elem(), b.Elem(), depth+1)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !c.equal(a.Field(i), b.Field(i), depth+1) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return true
		}
		fallthrough
	case reflect.Array:
		for i := 0; i < a.Len(); i++ {
			if !c.equal(a.Index(i), b.Index(i), depth+1) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		if a.Pointer() == b.Pointer() {
			return true
		}
		it := a.MapRange()
		for it.Next() {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() || !c.equal(it.Value(), bv, depth+1) {
				return false
			}
		}
		return true
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return a.Pointer() == b.Pointer()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	case reflect.Complex64, reflect.Complex128:
		return a.Complex() == b.Complex()
	case reflect.String:
		return a.String() == b.String()
	}
	return false
}
