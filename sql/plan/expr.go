package plan

import (
	"github.com/tsgres/tsgres/sql/agg"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/types"
)

// Expr is a bound, typed scalar expression.
type Expr interface {
	Type() types.T
}

// Const is a constant datum (nil for NULL).
type Const struct {
	T types.T
	V any
}

// ColRef reads column Idx of the operator's input.
type ColRef struct {
	T    types.T
	Idx  int
	Name string
}

// OuterRef reads column Idx of an enclosing query's current row: Depth 1
// is the immediately enclosing query (correlated subqueries, LATERAL).
type OuterRef struct {
	T     types.T
	Depth int
	Idx   int
}

// Param is a statement parameter $N (1-based).
type Param struct {
	T types.T
	N int
}

// Call is a scalar function call.
type Call struct {
	T        types.T
	Fn       *funcs.Scalar
	Args     []Expr
	ArgTypes []types.T
}

// OpKind names a built-in operator with a typed fast path.
type OpKind uint8

// Operators.
const (
	OpEq OpKind = iota + 1
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMod
	OpPow
	OpConcat
	OpAnd
	OpOr
	OpNot
	OpNeg
	OpIsDistinct
	OpIsNotDistinct
	OpRegexMatch   // ~
	OpRegexIMatch  // ~*
	OpRegexNMatch  // !~
	OpRegexNIMatch // !~*
	OpBitAnd
	OpBitOr
	OpShiftL
	OpShiftR
)

// String returns the operator's SQL spelling.
// Flip returns the comparison with its operands swapped: a < b is b > a.
// Other operators are returned as they are.
func (k OpKind) Flip() OpKind {
	switch k {
	case OpLt:
		return OpGt
	case OpLe:
		return OpGe
	case OpGt:
		return OpLt
	case OpGe:
		return OpLe
	}
	return k
}

func (k OpKind) String() string {
	return [...]string{"?", "=", "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "^", "||", "AND", "OR", "NOT", "-",
		"IS DISTINCT FROM", "IS NOT DISTINCT FROM", "~", "~*", "!~", "!~*", "&", "|", "<<", ">>"}[k]
}

// Op is a built-in unary or binary operator; for unary operators R is nil.
// LT and RT are the operand types the operator works in (the binder
// inserts casts so both operands have them).
type Op struct {
	T    types.T
	Kind OpKind
	L, R Expr
}

// IsNull is "E IS [NOT] NULL".
type IsNull struct {
	E   Expr
	Not bool
}

// BoolTest is "E IS [NOT] TRUE/FALSE".
type BoolTest struct {
	E     Expr
	Value bool
	Not   bool
}

// Cast converts E to T (explicit or implicit conversion).
type Cast struct {
	E Expr
	T types.T
}

// When is one WHEN ... THEN ... arm.
type When struct {
	Cond, Then Expr
}

// Case is a searched CASE (simple CASE is rewritten into it).
type Case struct {
	T     types.T
	Whens []When
	Else  Expr // nil: NULL
}

// Coalesce returns its first non-null argument.
type Coalesce struct {
	T    types.T
	Args []Expr
}

// NullIf is NULLIF(a, b).
type NullIf struct {
	A, B Expr
}

// MinMax is GREATEST (Greatest=true) or LEAST.
type MinMax struct {
	T        types.T
	Args     []Expr
	Greatest bool
}

// InList is "E [NOT] IN (list)".
type InList struct {
	E    Expr
	List []Expr
	Not  bool
}

// Like is "E [NOT] LIKE/ILIKE pattern [ESCAPE esc]".
type Like struct {
	E, Pattern Expr
	Not        bool
	CaseFold   bool
	Escape     Expr // nil: backslash
}

// SubKind is the kind of a subquery expression.
type SubKind uint8

// Subquery kinds.
const (
	SubScalar SubKind = iota + 1
	SubExists
	SubIn    // E IN (subquery)
	SubAny   // E op ANY (subquery)
	SubAll   // E op ALL (subquery)
	SubArray // ARRAY(subquery)
)

// Subquery is a subquery used as an expression. Correlated subqueries
// refer to outer rows with OuterRef and are re-run per row.
type Subquery struct {
	T          types.T
	Kind       SubKind
	Plan       Node
	E          Expr   // SubIn/SubAny/SubAll: the left operand
	Op         OpKind // SubAny/SubAll comparison
	Not        bool   // NOT IN
	Correlated bool
}

// ArrayExpr is ARRAY[...] or '{...}' built from elements.
type ArrayExpr struct {
	T     types.T
	Elems []Expr
}

// AnyArray is "E op ANY/ALL (array)".
type AnyArray struct {
	E     Expr
	Op    OpKind
	Array Expr
	All   bool
}

// Subscript is E[idx].
type Subscript struct {
	T   types.T
	E   Expr
	Idx Expr
}

// RowExpr is ROW(a, b, ...).
type RowExpr struct {
	Args []Expr
}

// AggCall is an aggregate inside an Agg node.
type AggCall struct {
	Agg      *agg.Aggregate
	Args     []Expr
	ArgTypes []types.T
	Direct   []Expr // ordered-set direct arguments
	Distinct bool
	Filter   Expr // FILTER (WHERE ...), nil when none
	OrderBy  []SortKey
	T        types.T
	Star     bool // count(*)
}

// Type implementations.
func (e *Const) Type() types.T     { return e.T }
func (e *ColRef) Type() types.T    { return e.T }
func (e *OuterRef) Type() types.T  { return e.T }
func (e *Param) Type() types.T     { return e.T }
func (e *Call) Type() types.T      { return e.T }
func (e *Op) Type() types.T        { return e.T }
func (e *IsNull) Type() types.T    { return types.Bool }
func (e *BoolTest) Type() types.T  { return types.Bool }
func (e *Cast) Type() types.T      { return e.T }
func (e *Case) Type() types.T      { return e.T }
func (e *Coalesce) Type() types.T  { return e.T }
func (e *NullIf) Type() types.T    { return e.A.Type() }
func (e *MinMax) Type() types.T    { return e.T }
func (e *InList) Type() types.T    { return types.Bool }
func (e *Like) Type() types.T      { return types.Bool }
func (e *Subquery) Type() types.T  { return e.T }
func (e *ArrayExpr) Type() types.T { return e.T }
func (e *AnyArray) Type() types.T  { return types.Bool }
func (e *Subscript) Type() types.T { return e.T }
func (e *RowExpr) Type() types.T   { return types.RecordT }
