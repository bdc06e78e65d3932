package funcs

import (
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

func errf(code pgerr.Code, format string, args ...any) error {
	return pgerr.New(code, format, args...)
}

func divZero() error { return errf(pgerr.DivisionByZero, "division by zero") }

// OutOfRange is PostgreSQL's 22003 "<what> out of range" error.
func OutOfRange(what string) error {
	return errf(pgerr.NumericValueOutOfRange, "%s out of range", what)
}

// scalarFn is the signature of Scalar.Fn.
type scalarFn = func(ctx *Ctx, argTypes []types.T, args []any) (any, error)

// reg registers a strict, stable scalar with a fixed result type.
func reg(name string, args []types.T, ret types.T, fn scalarFn) *Scalar {
	s := &Scalar{Name: name, Args: args, Ret: Fixed(ret), Strict: true, Fn: fn}
	RegisterScalar(s)
	return s
}

// ts returns a slice of types (shorthand for Args).
func ts(t ...types.T) []types.T { return t }

// ToF64 converts a numeric-kind datum to float64.
func ToF64(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case *apd.Decimal:
		f, _ := x.Float64()
		return f
	}
	return math.NaN()
}

// str returns v as a string (text-like datums).
func str(v any) string {
	s, _ := v.(string)
	return s
}

// i64 returns v as an int64 (integer-kind datums; floats are rounded).
func i64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(math.RoundToEven(x))
	case *apd.Decimal:
		n, _ := decToInt64(x)
		return n
	}
	return 0
}

// checkInt range-checks an int64 result for t (int2/int4/int8).
func checkInt(t types.T, v int64) (any, error) {
	switch t.OID {
	case types.OidInt2:
		if v < math.MinInt16 || v > math.MaxInt16 {
			return nil, OutOfRange("smallint")
		}
	case types.OidInt4:
		if v < math.MinInt32 || v > math.MaxInt32 {
			return nil, OutOfRange("integer")
		}
	}
	return v, nil
}

// usToTime converts µs since the Unix epoch to a time.Time in loc.
func usToTime(us int64, loc *time.Location) time.Time {
	return time.UnixMicro(us).In(loc)
}

// timeToUs converts t to µs since the Unix epoch.
func timeToUs(t time.Time) int64 { return t.UnixMicro() }

// isInfTs reports whether a timestamp datum is ±infinity.
func isInfTs(us int64) bool { return us == types.InfinityTS || us == types.NegInfinityTS }

// floorDiv divides rounding toward -infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// floorMod is a - floorDiv(a, b)*b.
func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// locOf returns ctx's session zone, UTC when unset.
func locOf(ctx *Ctx) *time.Location {
	if ctx == nil || ctx.Loc == nil {
		return time.UTC
	}
	return ctx.Loc
}

// loadZone resolves a time zone name as PostgreSQL accepts it: IANA names,
// abbreviations UTC/GMT/Z, and POSIX-style offsets such as '+02' or
// 'UTC+3' (POSIX sign: east is negative).
func loadZone(name string) (*time.Location, error) {
	n := strings.TrimSpace(name)
	switch strings.ToLower(n) {
	case "utc", "gmt", "z", "zulu", "universal", "etc/utc":
		return time.UTC, nil
	}
	if loc, err := time.LoadLocation(n); err == nil {
		return loc, nil
	}
	// Try case-insensitive match of common forms such as "europe/berlin".
	if parts := strings.Split(n, "/"); len(parts) > 1 {
		for i, p := range parts {
			if len(p) > 0 {
				parts[i] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
			}
		}
		if loc, err := time.LoadLocation(strings.Join(parts, "/")); err == nil {
			return loc, nil
		}
	}
	s := n
	for _, pre := range []string{"UTC", "GMT", "utc", "gmt"} {
		s = strings.TrimPrefix(s, pre)
	}
	if off, ok := parseOffset(s); ok {
		// POSIX: "+3" means 3 hours west of Greenwich.
		return time.FixedZone(n, -off), nil
	}
	return nil, errf(pgerr.InvalidParameterValue, "time zone \"%s\" not recognized", name)
}

// parseOffset parses [+-]HH[:MM[:SS]] into seconds.
func parseOffset(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	sign := 1
	switch s[0] {
	case '+':
		s = s[1:]
	case '-':
		sign = -1
		s = s[1:]
	default:
		if s[0] < '0' || s[0] > '9' {
			return 0, false
		}
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return 0, false
	}
	mult := []int{3600, 60, 1}
	total := 0
	for i, p := range parts {
		if p == "" || len(p) > 2 && i > 0 {
			return 0, false
		}
		n := 0
		for _, c := range p {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		total += n * mult[i]
	}
	return sign * total, true
}

// localOf converts a timestamptz to the wall-clock timestamp of loc.
func localOf(us int64, loc *time.Location) int64 {
	if isInfTs(us) {
		return us
	}
	_, off := usToTime(us, loc).Zone()
	return us + int64(off)*types.MicrosPerSecond
}

// fromLocal converts a wall-clock timestamp in loc to a timestamptz,
// resolving DST gaps and overlaps as PostgreSQL does (a time in a gap is
// read with the offset before the transition; an ambiguous time takes the
// later-standard... i.e. the earlier instant's offset is tried first).
func fromLocal(local int64, loc *time.Location) int64 {
	if isInfTs(local) {
		return local
	}
	// Guess with the offset at local-as-UTC, then refine.
	_, off1 := usToTime(local, loc).Zone()
	u := local - int64(off1)*types.MicrosPerSecond
	_, off2 := usToTime(u, loc).Zone()
	if off2 == off1 {
		return u
	}
	u2 := local - int64(off2)*types.MicrosPerSecond
	_, off3 := usToTime(u2, loc).Zone()
	if off3 == off2 {
		return u2
	}
	// In a gap: PostgreSQL uses the offset in effect before the gap.
	if off1 < off2 {
		return local - int64(off1)*types.MicrosPerSecond
	}
	return local - int64(off2)*types.MicrosPerSecond
}

// civil splits a timestamp (µs, naive) into date and time-of-day parts.
func civil(us int64) time.Time { return time.UnixMicro(us).UTC() }

// fromCivil is the inverse of civil.
func fromCivil(t time.Time) int64 {
	return t.Unix()*types.MicrosPerSecond + int64(t.Nanosecond()/1000)
}

// dateToUs converts a date datum to a timestamp at midnight.
func dateToUs(d int64) (int64, error) {
	if d == math.MaxInt32 || d == math.MaxInt64 {
		return types.InfinityTS, nil
	}
	if d == math.MinInt32 || d == math.MinInt64 {
		return types.NegInfinityTS, nil
	}
	return d * types.MicrosPerDay, nil
}

// isInfDate reports whether a date datum is ±infinity.
func isInfDate(d int64) bool {
	return d == math.MaxInt32 || d == math.MinInt32 || d == math.MaxInt64 || d == math.MinInt64
}

// SQLSTATEs pgerr does not name yet.
const (
	codeInvalidArgForLog   pgerr.Code = "2201E" // invalid_argument_for_logarithm
	codeInvalidArgForPower pgerr.Code = "2201F" // invalid_argument_for_power_function
	codeInvalidArgForWidth pgerr.Code = "2201G" // invalid_argument_for_width_bucket_function
	codeInvalidRegexp      pgerr.Code = "2201B"
)
