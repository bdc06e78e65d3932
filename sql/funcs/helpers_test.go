package funcs

import (
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// testCtx is a UTC session whose statement started at 2024-01-02 03:04:05.
func testCtx(zone string) *Ctx {
	loc := time.UTC
	if zone != "" {
		l, err := time.LoadLocation(zone)
		if err != nil {
			panic(err)
		}
		loc = l
	}
	return &Ctx{Loc: loc, Now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).UnixMicro()}
}

// argMatches reports whether declared parameter p accepts actual type a.
func argMatches(p, a types.T) bool {
	switch p.OID {
	case types.OidAny, types.OidAnyElement:
		return true
	case types.OidAnyArray:
		return a.IsArray()
	}
	return p.OID == a.OID
}

// findScalar resolves an overload by exact argument types.
func findScalar(name string, at []types.T) *Scalar {
	for _, s := range Scalars(name) {
		n := len(s.Args)
		if !s.Variadic && (len(at) > n || len(at) < n-s.Defaults) {
			continue
		}
		if s.Variadic && len(at) < n-1-s.Defaults {
			continue
		}
		ok := true
		for i, a := range at {
			p := s.Args[min(i, n-1)]
			if i >= n && !s.Variadic {
				ok = false
				break
			}
			if !argMatches(p, a) {
				ok = false
				break
			}
		}
		if ok {
			return s
		}
	}
	return nil
}

// call invokes a scalar as the executor would, honouring Strict.
func call(t *testing.T, ctx *Ctx, name string, at []types.T, args ...any) (any, types.T, error) {
	t.Helper()
	s := findScalar(name, at)
	if s == nil {
		t.Fatalf("no overload %s%v", name, at)
	}
	ret := s.Ret(at)
	if s.Strict {
		for _, a := range args {
			if a == nil {
				return nil, ret, nil
			}
		}
	}
	v, err := s.Fn(ctx, at, args)
	return v, ret, err
}

// render shows a result as PostgreSQL's text output (NULL as "<null>").
func render(ctx *Ctx, t types.T, v any) string {
	if v == nil {
		return "<null>"
	}
	if t.OID == types.OidJSON || t.OID == types.OidJSONB {
		return v.(string)
	}
	return datumText(t, v, ctx.Loc)
}

// scalarCase is one table row: call name(args) and expect want (text
// output) or an error with code.
type scalarCase struct {
	name string
	at   []types.T
	args []any
	want string
	code pgerr.Code
}

func runScalarCases(t *testing.T, ctx *Ctx, cases []scalarCase) {
	t.Helper()
	for _, c := range cases {
		v, rt, err := call(t, ctx, c.name, c.at, c.args...)
		if c.code != "" {
			if err == nil {
				t.Errorf("%s%v: want error %s, got %v", c.name, c.args, c.code, render(ctx, rt, v))
			} else if got := pgerr.CodeOf(err); got != c.code {
				t.Errorf("%s%v: want error %s, got %s (%v)", c.name, c.args, c.code, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s%v: unexpected error %v", c.name, c.args, err)
			continue
		}
		if got := render(ctx, rt, v); got != c.want {
			t.Errorf("%s%v = %q, want %q", c.name, c.args, got, c.want)
		}
	}
}

func dec(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		panic(err)
	}
	return d
}

// tsv parses "YYYY-MM-DD HH:MM:SS[.ffffff]" as a naive timestamp (or an
// instant in UTC).
func tsv(s string) int64 {
	layout := "2006-01-02 15:04:05.999999"
	if len(s) == 10 {
		layout = "2006-01-02"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

func datev(s string) int64 { return tsv(s) / types.MicrosPerDay }

func ivl(months, days int32, us int64) types.Interval {
	return types.Interval{Months: months, Days: days, Micros: us}
}
