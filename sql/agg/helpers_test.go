package agg

import (
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

func testCtx() *funcs.Ctx {
	return &funcs.Ctx{Loc: time.UTC, Now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).UnixMicro()}
}

func dec(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		panic(err)
	}
	return d
}

func ivl(months, days int32, us int64) types.Interval {
	return types.Interval{Months: months, Days: days, Micros: us}
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

// render is a result's text form, "<null>" for NULL.
func render(ctx *funcs.Ctx, t types.T, v any) string {
	if v == nil {
		return "<null>"
	}
	return types.FormatText(t, v, ctx.Loc)
}

// aggCase runs an aggregate over rows and also checks that merging the
// state of every split point gives the same result.
func runAgg(t *testing.T, ctx *funcs.Ctx, name string, at []types.T, direct []any, rows [][]any) string {
	t.Helper()
	var agg *Aggregate
	for _, a := range Overloads(name) {
		if len(a.Args) != len(at) {
			continue
		}
		ok := true
		for i := range at {
			ok = ok && argMatches(a.Args[i], at[i])
		}
		if ok {
			agg = a
			break
		}
	}
	if agg == nil {
		t.Fatalf("no aggregate %s%v", name, at)
	}
	ret := agg.Ret(at)
	st := agg.New(at, direct)
	for _, r := range rows {
		if err := st.Add(ctx, r); err != nil {
			t.Fatalf("%s add: %v", name, err)
		}
	}
	v, err := st.Result(ctx)
	if err != nil {
		return "error " + string(pgerr.CodeOf(err))
	}
	want := render(ctx, ret, v)
	for split := 0; split <= len(rows); split++ {
		a, b := agg.New(at, direct), agg.New(at, direct)
		for i, r := range rows {
			s := a
			if i >= split {
				s = b
			}
			if err := s.Add(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Merge(b); err != nil {
			t.Fatalf("%s merge: %v", name, err)
		}
		mv, err := a.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(ctx, ret, mv); got != want && !floatStats[name] {
			t.Errorf("%s merged at %d = %s, unsplit %s", name, split, got, want)
		}
	}
	return want
}

// floatStats are aggregates whose merged float result may differ in the
// last bits from the sequential one (as in PostgreSQL's parallel plans).
var floatStats = map[string]bool{}
