package sql

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Timeouts (statement_timeout, lock_timeout) and pg_sleep.
//
// statement_timeout bounds each Query and Execute message: its context
// ends with errStatementTimeout as the cause, every wait and scan that
// watches the context stops, and the 57014 error that comes out says
// "statement timeout" instead of "user request". lock_timeout bounds each
// wait for a row or chunk lock (table.Writer.LockTimeout): 55P03.

// errStatementTimeout is the cause of a statement context that ran out.
var errStatementTimeout = errors.New("statement timeout")

// msUnits are the units a millisecond setting accepts, as PostgreSQL's
// GUC units, with their length in milliseconds.
var msUnits = []struct {
	name string
	ms   float64
}{{"us", 0.001}, {"ms", 1}, {"s", 1000}, {"min", 60_000}, {"h", 3_600_000}, {"d", 86_400_000}}

// parseMillis parses a millisecond setting's value ("1500", "1.5s",
// "2 min") as PostgreSQL does and returns its canonical text ("1500ms",
// "2min", "0").
func parseMillis(name, val string) (string, error) {
	v := strings.TrimSpace(val)
	i := 0
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.' || v[i] == '-' || v[i] == '+') {
		i++
	}
	num, unit := v[:i], strings.TrimSpace(v[i:])
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter %q: %q", name, val)
	}
	mult := 1.0
	if unit != "" {
		found := false
		for _, u := range msUnits {
			if u.name == unit {
				mult, found = u.ms, true
			}
		}
		if !found {
			return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter %q: %q", name, val).
				WithHint(`Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".`)
		}
	}
	ms := math.Round(f * mult)
	if ms < 0 || ms > math.MaxInt32 {
		return "", pgerr.New(pgerr.InvalidParameterValue, "%s ms is outside the valid range for parameter %q (0 .. 2147483647)", strconv.FormatFloat(ms, 'f', -1, 64), name)
	}
	return formatMillis(int64(ms)), nil
}

// formatMillis renders milliseconds in the largest unit that divides
// them, as SHOW does.
func formatMillis(ms int64) string {
	if ms == 0 {
		return "0"
	}
	for i := len(msUnits) - 1; i >= 1; i-- {
		u := int64(msUnits[i].ms)
		if ms%u == 0 {
			return strconv.FormatInt(ms/u, 10) + msUnits[i].name
		}
	}
	return strconv.FormatInt(ms, 10) + "ms"
}

// millisSetting returns a millisecond setting's value as a duration (0:
// off).
func (s *session) millisSetting(name string) time.Duration {
	v := s.settings[name]
	for i := len(msUnits) - 1; i >= 1; i-- {
		if n, ok := strings.CutSuffix(v, msUnits[i].name); ok {
			if k, err := strconv.ParseInt(n, 10, 64); err == nil {
				return time.Duration(k) * time.Duration(msUnits[i].ms) * time.Millisecond
			}
		}
	}
	return 0
}

// statementContext returns the context one Query or Execute message (of
// text query) runs in: ctx, bounded by statement_timeout when it is set,
// and cancelable by pg_cancel_backend; the session shows as active
// until the returned function ends it.
func (s *session) statementContext(ctx context.Context, query string) (context.Context, context.CancelFunc) {
	var stop context.CancelFunc
	if d := s.millisSetting("statement_timeout"); d > 0 {
		ctx, stop = context.WithTimeoutCause(ctx, d, errStatementTimeout)
	} else {
		ctx, stop = context.WithCancel(ctx)
	}
	s.startActivity(query, stop)
	return ctx, func() {
		s.endActivity()
		stop()
	}
}

// timeoutError turns the 57014 error of a statement whose context ran
// out of statement_timeout into PostgreSQL's message for it.
func timeoutError(ctx context.Context, err error) error {
	var pe *pgerr.Error
	if err != nil && errors.As(err, &pe) && pe.Code == pgerr.QueryCanceled && errors.Is(context.Cause(ctx), errStatementTimeout) {
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
	}
	return err
}

func init() {
	// pg_sleep(seconds) sleeps, ending early (57014) when the statement
	// is canceled or times out.
	funcs.RegisterScalar(&funcs.Scalar{Name: "pg_sleep", Args: []types.T{types.Float8}, Ret: funcs.Fixed(types.Void), Volatile: true, Strict: true,
		Fn: func(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
			e, err := envOf(ctx)
			if err != nil {
				return nil, err
			}
			secs := a[0].(float64)
			if !(secs > 0) {
				return "", nil // void
			}
			t := time.NewTimer(time.Duration(math.Min(secs, 1e9) * float64(time.Second)))
			defer t.Stop()
			var done <-chan struct{}
			if e.ctx != nil {
				done = e.ctx.Done()
			}
			select {
			case <-t.C:
				return "", nil
			case <-done:
				return nil, pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
			}
		}})
}
