package agg

import (
	"github.com/tsgres/tsgres/sql/funcs"
	"math"

	"github.com/cockroachdb/apd/v3"
	"github.com/tsgres/tsgres/sql/types"
)

// Statistical aggregates. Float inputs use PostgreSQL's Youngs-Cramer
// transition and combine functions (float8_accum, float8_combine,
// float8_regr_accum, float8_regr_combine) so results match to the last
// digit; integer and numeric inputs use exact numeric sums as
// numeric_stddev_internal does.

// statKind selects the final function of a one-variable statistic.
type statKind uint8

const (
	varSamp statKind = iota
	varPop
	stddevSamp
	stddevPop
)

// floatVarState is float8_accum's (N, Sx, Sxx).
type floatVarState struct {
	n, sx, sxx float64
	kind       statKind
}

func (s *floatVarState) Add(_ *funcs.Ctx, args []any) error {
	if args[0] == nil {
		return nil
	}
	v := args[0].(float64)
	n := s.n + 1
	sx := s.sx + v
	if s.n > 0 {
		tmp := v*n - sx
		s.sxx += tmp * tmp / (n * s.n)
		if math.IsInf(sx, 0) || math.IsInf(s.sxx, 0) {
			if !math.IsInf(s.sx, 0) && !math.IsInf(v, 0) {
				return funcs.OutOfRange("value")
			}
			s.sxx = math.NaN()
		}
	} else if math.IsNaN(v) || math.IsInf(v, 0) {
		s.sxx = math.NaN()
	}
	s.n, s.sx = n, sx
	return nil
}

func (s *floatVarState) Merge(o State) error {
	x, ok := o.(*floatVarState)
	if !ok {
		return mergeTypeError(s, o)
	}
	switch {
	case x.n == 0:
	case s.n == 0:
		s.n, s.sx, s.sxx = x.n, x.sx, x.sxx
	default:
		n := s.n + x.n
		tmp := s.sx/s.n - x.sx/x.n
		s.sxx = s.sxx + x.sxx + s.n*x.n*tmp*tmp/n
		s.sx += x.sx
		s.n = n
	}
	return nil
}

func (s *floatVarState) Result(*funcs.Ctx) (any, error) {
	switch s.kind {
	case varSamp, stddevSamp:
		if s.n <= 1 {
			return nil, nil
		}
		v := s.sxx / (s.n - 1)
		if s.kind == stddevSamp {
			v = math.Sqrt(v)
		}
		return v, nil
	}
	if s.n == 0 {
		return nil, nil
	}
	v := s.sxx / s.n
	if s.kind == stddevPop {
		v = math.Sqrt(v)
	}
	return v, nil
}

// numericVarState keeps exact N, sum(X), sum(X*X).
type numericVarState struct {
	n       int64
	sx, sxx *apd.Decimal
	nan     bool
	kind    statKind
}

func (s *numericVarState) Add(_ *funcs.Ctx, args []any) error {
	if args[0] == nil {
		return nil
	}
	d := funcs.ToDec(args[0])
	s.n++
	if d.Form != apd.Finite {
		s.nan = true
		return nil
	}
	if s.sx == nil {
		s.sx, s.sxx = apd.New(0, 0), apd.New(0, 0)
	}
	s.sx = funcs.DecAdd(s.sx, d)
	s.sxx = funcs.DecAdd(s.sxx, funcs.DecMul(d, d))
	return nil
}

func (s *numericVarState) Merge(o State) error {
	x, ok := o.(*numericVarState)
	if !ok {
		return mergeTypeError(s, o)
	}
	s.n += x.n
	s.nan = s.nan || x.nan
	switch {
	case x.sx == nil:
	case s.sx == nil:
		s.sx, s.sxx = x.sx, x.sxx
	default:
		s.sx, s.sxx = funcs.DecAdd(s.sx, x.sx), funcs.DecAdd(s.sxx, x.sxx)
	}
	return nil
}

func (s *numericVarState) Result(*funcs.Ctx) (any, error) {
	sample := s.kind == varSamp || s.kind == stddevSamp
	if s.n == 0 || sample && s.n == 1 {
		return nil, nil
	}
	if s.nan {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	sx, sxx := s.sx, s.sxx
	if sx == nil {
		sx, sxx = apd.New(0, 0), apd.New(0, 0)
	}
	n := funcs.DecFromInt64(s.n)
	num := funcs.DecSub(funcs.DecMul(n, sxx), funcs.DecMul(sx, sx))
	if num.Sign() <= 0 {
		return apd.New(0, 0), nil
	}
	var den *apd.Decimal
	if sample {
		den = funcs.DecFromInt64(s.n * (s.n - 1))
	} else {
		den = funcs.DecMul(n, n)
	}
	rscale := funcs.DivScale(num, den)
	v, err := funcs.DecQuoScale(num, den, rscale)
	if err != nil {
		return nil, err
	}
	if s.kind == stddevSamp || s.kind == stddevPop {
		return funcs.DecSqrt(v, rscale)
	}
	return v, nil
}

// regrState is float8_regr_accum's (N, Sx, Sxx, Sy, Syy, Sxy); args are
// (Y, X) as in PostgreSQL.
type regrState struct {
	n, sx, sxx, sy, syy, sxy float64
	final                    func(s *regrState) any
}

func (s *regrState) Add(_ *funcs.Ctx, args []any) error {
	if args[0] == nil || args[1] == nil {
		return nil
	}
	y, x := funcs.ToF64(args[0]), funcs.ToF64(args[1])
	n := s.n + 1
	sx, sy := s.sx+x, s.sy+y
	if s.n > 0 {
		tx, ty := x*n-sx, y*n-sy
		scale := 1.0 / (n * s.n)
		s.sxx += tx * tx * scale
		s.syy += ty * ty * scale
		s.sxy += tx * ty * scale
	} else {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			s.sxx, s.sxy = math.NaN(), math.NaN()
		}
		if math.IsNaN(y) || math.IsInf(y, 0) {
			s.syy, s.sxy = math.NaN(), math.NaN()
		}
	}
	s.n, s.sx, s.sy = n, sx, sy
	return nil
}

func (s *regrState) Merge(o State) error {
	x, ok := o.(*regrState)
	if !ok {
		return mergeTypeError(s, o)
	}
	switch {
	case x.n == 0:
	case s.n == 0:
		f := s.final
		*s = *x
		s.final = f
	default:
		n := s.n + x.n
		t1 := s.sx/s.n - x.sx/x.n
		t2 := s.sy/s.n - x.sy/x.n
		s.sxx = s.sxx + x.sxx + s.n*x.n*t1*t1/n
		s.syy = s.syy + x.syy + s.n*x.n*t2*t2/n
		s.sxy = s.sxy + x.sxy + s.n*x.n*t1*t2/n
		s.sx += x.sx
		s.sy += x.sy
		s.n = n
	}
	return nil
}

func (s *regrState) Result(*funcs.Ctx) (any, error) { return s.final(s), nil }

var regrFinals = map[string]func(s *regrState) any{
	"covar_pop": func(s *regrState) any {
		if s.n < 1 {
			return nil
		}
		return s.sxy / s.n
	},
	"covar_samp": func(s *regrState) any {
		if s.n < 2 {
			return nil
		}
		return s.sxy / (s.n - 1)
	},
	"corr": func(s *regrState) any {
		if s.n < 1 || s.sxx == 0 || s.syy == 0 {
			return nil
		}
		return s.sxy / math.Sqrt(s.sxx*s.syy)
	},
	"regr_slope": func(s *regrState) any {
		if s.n < 1 || s.sxx == 0 {
			return nil
		}
		return s.sxy / s.sxx
	},
	"regr_intercept": func(s *regrState) any {
		if s.n < 1 || s.sxx == 0 {
			return nil
		}
		return (s.sy - s.sx*s.sxy/s.sxx) / s.n
	},
	"regr_r2": func(s *regrState) any {
		if s.n < 1 || s.sxx == 0 {
			return nil
		}
		if s.syy == 0 {
			return 1.0
		}
		return (s.sxy * s.sxy) / (s.sxx * s.syy)
	},
	"regr_avgx": func(s *regrState) any {
		if s.n < 1 {
			return nil
		}
		return s.sx / s.n
	},
	"regr_avgy": func(s *regrState) any {
		if s.n < 1 {
			return nil
		}
		return s.sy / s.n
	},
	"regr_sxx": func(s *regrState) any {
		if s.n < 1 {
			return nil
		}
		return s.sxx
	},
	"regr_syy": func(s *regrState) any {
		if s.n < 1 {
			return nil
		}
		return s.syy
	},
	"regr_sxy": func(s *regrState) any {
		if s.n < 1 {
			return nil
		}
		return s.sxy
	},
}

func init() {
	kinds := map[string]statKind{
		"variance": varSamp, "var_samp": varSamp, "var_pop": varPop,
		"stddev": stddevSamp, "stddev_samp": stddevSamp, "stddev_pop": stddevPop,
	}
	for name, k := range kinds {
		k := k
		for _, t := range []types.T{types.Float4, types.Float8} {
			regAgg(name, ts(t), types.Float8, func([]types.T, []any) State { return &floatVarState{kind: k} })
		}
		for _, t := range []types.T{types.Int2, types.Int4, types.Int8, types.Numeric} {
			regAgg(name, ts(t), types.Numeric, func([]types.T, []any) State { return &numericVarState{kind: k} })
		}
	}
	for name, f := range regrFinals {
		f := f
		regAgg(name, ts(types.Float8, types.Float8), types.Float8, func([]types.T, []any) State { return &regrState{final: f} })
	}
	regAgg("regr_count", ts(types.Float8, types.Float8), types.Int8, func([]types.T, []any) State {
		return &regrState{final: func(s *regrState) any { return int64(s.n) }}
	})
}
