package types

import (
	"math"
	"strings"
	"time"

	"github.com/tsgres/tsgres/sql/pgerr"
)

// Cast converts a non-NULL datum v of type from to type to with explicit
// cast semantics (CAST(v AS to), v::to): varchar(n)/bpchar(n) truncate
// silently, string types convert through the input/output functions, and
// numeric conversions round and range-check as PostgreSQL does. loc is the
// session time zone for conversions involving timestamptz.
func Cast(v any, from, to T, loc *time.Location) (any, error) {
	return castValue(v, from, to, loc, true)
}

// CastAssign converts like Cast in assignment context (INSERT/UPDATE
// targets): a string too long for varchar(n)/bpchar(n) is 22001 unless only
// spaces are cut.
func CastAssign(v any, from, to T, loc *time.Location) (any, error) {
	return castValue(v, from, to, loc, false)
}

// CastAssignRow casts the values of row, of types from, to the types to
// with CastAssign, as a routine's result row is cast to its declared
// result; NULLs and values past the end of row stay NULL.
func CastAssignRow(row []any, from, to []T, loc *time.Location) ([]any, error) {
	out := make([]any, len(to))
	for i, t := range to {
		if i >= len(row) || row[i] == nil {
			continue
		}
		if from[i].OID == t.OID {
			out[i] = row[i]
			continue
		}
		v, err := CastAssign(row[i], from[i], t, loc)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func errCannotCast(from, to T) error {
	return pgerr.New(pgerr.CannotCoerce, "cannot cast type %s to %s", formatTypeName(from), formatTypeName(to))
}

// formatTypeName is format_type's name for t without its modifier.
func formatTypeName(t T) string {
	switch t.OID {
	case OidTimestamp, OidTime:
		return t.Info().SQLName
	}
	return typeLabel(t)
}

func isRegType(oid uint32) bool {
	switch oid {
	case OidOid, OidRegclass, OidRegtype, OidRegproc, OidRegprocedur, OidRegoper,
		OidRegnamesp, OidRegrole, OidRegconfig:
		return true
	}
	return false
}

func castValue(v any, from, to T, loc *time.Location, explicit bool) (any, error) {
	if from.OID == to.OID && !from.IsArray() {
		return applyTypmod(v, to, explicit)
	}
	// String sources: through the target's input function.
	if from.IsTextual() || from.OID == OidJSON && to.IsTextual() {
		s, ok := v.(string)
		if !ok {
			return nil, errCannotCast(from, to)
		}
		if from.OID == OidBpchar && to.OID != OidBpchar {
			s = strings.TrimRight(s, " ")
		}
		if to.IsTextual() {
			if to.OID == OidBpchar && from.OID != OidBpchar && to.Mod < 0 {
				return s, nil
			}
			return applyStringTypmod(to, s, explicit)
		}
		if to.OID == OidText || to.OID == OidUnknown {
			return s, nil
		}
		r, err := ParseText(T{OID: to.OID, Mod: -1}, s, loc)
		if err != nil {
			return nil, err
		}
		return applyTypmod(r, to, explicit)
	}
	// String targets: through the source's output function.
	if to.IsTextual() || to.OID == OidText {
		var s string
		if b, ok := v.(bool); ok {
			s = "false"
			if b {
				s = "true"
			}
		} else {
			s = string(AppendText(nil, from, v, loc))
		}
		return applyStringTypmod(to, s, explicit)
	}
	switch {
	case from.IsInteger() || isRegType(from.OID) && to.IsNumeric():
		n, ok := v.(int64)
		if !ok {
			return nil, errCannotCast(from, to)
		}
		switch {
		case to.OID == OidInt4 && isRegType(from.OID):
			return int64(int32(uint32(n))), nil
		case to.IsInteger():
			if err := checkIntRange(to, n); err != nil {
				return nil, err
			}
			return n, nil
		case to.OID == OidFloat8:
			return float64(n), nil
		case to.OID == OidFloat4:
			return float64(float32(n)), nil
		case to.OID == OidNumeric:
			return applyNumericTypmod(NumericFromInt64(n), to.Mod)
		case to.OID == OidBool && from.OID == OidInt4:
			return n != 0, nil
		case to.OID == OidOid || isRegType(to.OID):
			if from.OID == OidInt8 || from.OID == OidOid {
				if n < 0 || n > math.MaxUint32 {
					return nil, errOutOfRange(Oid)
				}
				return n, nil
			}
			return int64(uint32(int32(n))), nil
		case to.OID == OidChar && from.OID == OidInt4:
			if n < -128 || n > 127 {
				return nil, pgerr.New(pgerr.NumericValueOutOfRange, "\"char\" out of range")
			}
			if n == 0 {
				return "", nil
			}
			return string([]byte{byte(int8(n))}), nil
		}
	case isRegType(from.OID):
		n, _ := v.(int64)
		if isRegType(to.OID) {
			return n, nil
		}
	case from.OID == OidFloat4 || from.OID == OidFloat8:
		f, ok := v.(float64)
		if !ok {
			return nil, errCannotCast(from, to)
		}
		switch {
		case to.IsInteger():
			return FloatToInt(f, to)
		case to.OID == OidFloat8:
			return f, nil
		case to.OID == OidFloat4:
			r := float64(float32(f))
			if math.IsInf(r, 0) && !math.IsInf(f, 0) {
				return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: overflow")
			}
			if r == 0 && f != 0 {
				return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: underflow")
			}
			return r, nil
		case to.OID == OidNumeric:
			d := NumericFromFloat64(f)
			if from.OID == OidFloat4 {
				d = numericFromFloat(f, 6)
			}
			return applyNumericTypmod(d, to.Mod)
		}
	case from.OID == OidNumeric:
		d, ok := v.(*Decimal)
		if !ok {
			return nil, errCannotCast(from, to)
		}
		switch {
		case to.IsInteger():
			return NumericToInt64(d, to)
		case to.OID == OidFloat8:
			return NumericToFloat64(d), nil
		case to.OID == OidFloat4:
			f := NumericToFloat64(d)
			r := float64(float32(f))
			if math.IsInf(r, 0) && !math.IsInf(f, 0) {
				return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: overflow")
			}
			return r, nil
		}
	case from.OID == OidBool:
		b, _ := v.(bool)
		if to.OID == OidInt4 {
			if b {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case from.OID == OidDate:
		d, _ := v.(int64)
		switch to.OID {
		case OidTimestamp:
			return DateToTimestamp(d)
		case OidTimestamptz:
			ts, err := DateToTimestamp(d)
			if err != nil {
				return nil, err
			}
			return LocalToTimestamp(ts, loc), nil
		}
	case from.OID == OidTimestamp:
		ts, _ := v.(int64)
		switch to.OID {
		case OidTimestamptz:
			r := LocalToTimestamp(ts, loc)
			return roundTimeTypmod(r, to.Mod), nil
		case OidDate:
			return TimestampToDate(ts), nil
		case OidTime:
			if ts == InfinityTS || ts == NegInfinityTS {
				return nil, errCannotCast(from, to)
			}
			return roundTimeTypmod(TimestampTimeOfDay(ts), to.Mod), nil
		}
	case from.OID == OidTimestamptz:
		ts, _ := v.(int64)
		w := TimestampToLocal(ts, loc)
		switch to.OID {
		case OidTimestamp:
			return roundTimeTypmod(w, to.Mod), nil
		case OidDate:
			return TimestampToDate(w), nil
		case OidTime:
			if ts == InfinityTS || ts == NegInfinityTS {
				return nil, errCannotCast(from, to)
			}
			return roundTimeTypmod(TimestampTimeOfDay(w), to.Mod), nil
		}
	case from.OID == OidTime:
		us, _ := v.(int64)
		if to.OID == OidInterval {
			return Interval{Micros: us}, nil
		}
	case from.OID == OidInterval:
		iv, _ := v.(Interval)
		if to.OID == OidTime {
			return IntervalToTime(iv), nil
		}
	case from.OID == OidJSON:
		s, _ := v.(string)
		if to.OID == OidJSONB {
			return NormalizeJSONB(s)
		}
	case from.OID == OidJSONB:
		s, _ := v.(string)
		switch {
		case to.OID == OidJSON:
			return s, nil
		case to.IsNumeric() || to.OID == OidBool:
			return jsonbScalarCast(s, to, loc)
		}
	case from.OID == OidChar:
		s, _ := v.(string)
		if to.OID == OidInt4 {
			if s == "" {
				return int64(0), nil
			}
			return int64(int8(s[0])), nil
		}
	case from.IsArray() && to.IsArray():
		a, ok := v.(*Array)
		if !ok {
			return nil, errCannotCast(from, to)
		}
		fe, _ := from.Elem()
		te, _ := to.Elem()
		te.Mod = to.Mod
		out := &Array{Elem: T{OID: te.OID, Mod: -1}, Dims: a.Dims, Lower: a.Lower, Vals: make([]any, len(a.Vals))}
		for k, e := range a.Vals {
			if e == nil {
				continue
			}
			r, err := castValue(e, fe, te, loc, explicit)
			if err != nil {
				return nil, err
			}
			out.Vals[k] = r
		}
		return out, nil
	}
	return nil, errCannotCast(from, to)
}

// jsonbScalarCast implements jsonb::numeric/int/float/bool.
func jsonbScalarCast(s string, to T, loc *time.Location) (any, error) {
	jv, err := parseJSON(s, false)
	if err != nil {
		return nil, err
	}
	want := JSONNumber
	if to.OID == OidBool {
		want = JSONBool
	}
	if jv.Kind != want {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "cannot cast jsonb %s to type %s", jv.Kind, typeLabel(to))
	}
	if to.OID == OidBool {
		return jv.Bool, nil
	}
	d, err := parseNumeric(jv.Str)
	if err != nil {
		return nil, err
	}
	return castValue(d, Numeric, to, loc, true)
}

// applyTypmod applies to's modifier to a datum already of to's type.
func applyTypmod(v any, to T, explicit bool) (any, error) {
	if to.Mod < 0 {
		return v, nil
	}
	switch to.OID {
	case OidVarchar, OidBpchar, OidName, OidChar:
		if s, ok := v.(string); ok {
			return applyStringTypmod(to, s, explicit)
		}
	case OidNumeric:
		if d, ok := v.(*Decimal); ok {
			return applyNumericTypmod(d, to.Mod)
		}
	case OidTimestamp, OidTimestamptz, OidTime:
		if n, ok := v.(int64); ok {
			return roundTimeTypmod(n, to.Mod), nil
		}
	case OidInterval:
		if iv, ok := v.(Interval); ok && to.Mod&0xffff < 6 {
			iv.Micros = roundTimeTypmod(iv.Micros, to.Mod&0xffff)
			return iv, nil
		}
	}
	if a, ok := v.(*Array); ok {
		te, _ := to.Elem()
		te.Mod = to.Mod
		out := &Array{Elem: a.Elem, Dims: a.Dims, Lower: a.Lower, Vals: make([]any, len(a.Vals))}
		for k, e := range a.Vals {
			if e == nil {
				continue
			}
			r, err := applyTypmod(e, te, explicit)
			if err != nil {
				return nil, err
			}
			out.Vals[k] = r
		}
		return out, nil
	}
	return v, nil
}

// Cast contexts as pg_cast.castcontext.
const (
	ctxNone = iota
	ctxExplicit
	ctxAssign
	ctxImplicit
)

type castKey struct{ from, to uint32 }

// castTable lists pg_cast entries between built-in types (besides the
// string and I/O rules in castContext).
var castTable = map[castKey]int{}

func init() {
	set := func(c int, from uint32, tos ...uint32) {
		for _, to := range tos {
			castTable[castKey{from, to}] = c
		}
	}
	I, A, E := ctxImplicit, ctxAssign, ctxExplicit
	set(I, OidInt2, OidInt4, OidInt8, OidFloat4, OidFloat8, OidNumeric, OidOid, OidRegclass, OidRegtype, OidRegproc, OidRegnamesp, OidRegrole)
	set(I, OidInt4, OidInt8, OidFloat4, OidFloat8, OidNumeric, OidOid, OidRegclass, OidRegtype, OidRegproc, OidRegnamesp, OidRegrole, OidRegprocedur, OidRegoper, OidRegconfig)
	set(A, OidInt4, OidInt2)
	set(E, OidInt4, OidBool, OidChar)
	set(I, OidInt8, OidFloat4, OidFloat8, OidNumeric, OidOid, OidRegclass, OidRegtype, OidRegproc, OidRegnamesp, OidRegrole, OidRegprocedur, OidRegoper, OidRegconfig)
	set(A, OidInt8, OidInt2, OidInt4)
	set(I, OidFloat4, OidFloat8)
	set(A, OidFloat4, OidInt2, OidInt4, OidInt8, OidNumeric)
	set(A, OidFloat8, OidInt2, OidInt4, OidInt8, OidFloat4, OidNumeric)
	set(I, OidNumeric, OidFloat4, OidFloat8)
	set(A, OidNumeric, OidInt2, OidInt4, OidInt8)
	set(E, OidBool, OidInt4)
	set(E, OidChar, OidInt4)
	set(I, OidDate, OidTimestamp, OidTimestamptz)
	set(I, OidTimestamp, OidTimestamptz)
	set(A, OidTimestamp, OidDate, OidTime)
	set(A, OidTimestamptz, OidDate, OidTime, OidTimestamp)
	set(I, OidTime, OidInterval)
	set(A, OidInterval, OidTime)
	set(A, OidJSON, OidJSONB)
	set(A, OidJSONB, OidJSON)
	set(E, OidJSONB, OidBool, OidNumeric, OidInt2, OidInt4, OidInt8, OidFloat4, OidFloat8)
	regs := []uint32{OidOid, OidRegclass, OidRegtype, OidRegproc, OidRegprocedur, OidRegoper, OidRegnamesp, OidRegrole, OidRegconfig}
	for _, r := range regs {
		set(A, r, OidInt8, OidInt4)
		for _, r2 := range regs {
			if r != r2 && (r == OidOid || r2 == OidOid) {
				set(I, r, r2)
			}
		}
	}
	set(I, OidText, OidRegclass)
	set(I, OidVarchar, OidRegclass)
	// String types among themselves.
	set(I, OidText, OidVarchar, OidBpchar, OidName)
	set(I, OidVarchar, OidText, OidBpchar, OidName)
	set(I, OidBpchar, OidText, OidVarchar, OidName)
	set(I, OidName, OidText)
	set(A, OidName, OidVarchar, OidBpchar)
	set(I, OidChar, OidText)
	set(A, OidChar, OidVarchar, OidBpchar)
	set(A, OidText, OidChar)
	set(A, OidVarchar, OidChar)
	set(A, OidBpchar, OidChar)
}

// CastContextOK reports in which contexts a value of type from may be
// converted to type to, as pg_cast plus PostgreSQL's automatic I/O
// conversion casts: to a string type in assignment, from a string type
// only explicitly; unknown (an untyped literal) converts implicitly to
// anything.
func CastContextOK(from, to T) (implicit, assignment, explicit bool) {
	c := castContext(from, to)
	return c >= ctxImplicit, c >= ctxAssign, c >= ctxExplicit
}

func castContext(from, to T) int {
	if from.OID == to.OID || from.OID == OidUnknown {
		return ctxImplicit
	}
	if c, ok := castTable[castKey{from.OID, to.OID}]; ok {
		return c
	}
	if from.IsArray() && to.IsArray() {
		fe, _ := from.Elem()
		te, _ := to.Elem()
		return castContext(fe, te)
	}
	switch to.OID {
	case OidText, OidVarchar, OidBpchar, OidName:
		return ctxAssign
	}
	if from.IsTextual() && to.OID != OidVoid && to.OID != OidRecord {
		return ctxExplicit
	}
	return ctxNone
}
