package plpgsql

import (
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// PL/pgSQL loops: LOOP, WHILE, integer FOR, FOREACH, and EXIT/CONTINUE.
// FOR over a query is in sql.go.

// iterate runs one pass of a loop's body: done reports that the loop
// ends, with out as its own outcome or with err.
func (x *execState) iterate(label string, body []stmt) (out ctl, done bool, err error) {
	c, err := x.stmts(body)
	if err != nil {
		return ctl{}, true, err
	}
	out, done = loopCtl(label, c)
	return out, done, nil
}

// loopCtl decides what a loop does after its body ended with c: done
// reports that the loop ends, with out as its own outcome.
func loopCtl(label string, c ctl) (out ctl, done bool) {
	switch c.kind {
	case ctlExit:
		if c.label == "" || c.label == label {
			return ctl{}, true
		}
		return c, true
	case ctlContinue:
		if c.label == "" || c.label == label {
			return ctl{}, false
		}
		return c, true
	case ctlReturn:
		return c, true
	}
	return ctl{}, false
}

// loop runs LOOP and WHILE.
func (x *execState) loop(s *loopStmt) (ctl, error) {
	for {
		if s.cond != "" {
			ok, err := x.cond(s.cond)
			if err != nil || !ok {
				return ctl{}, err
			}
		}
		if out, done, err := x.iterate(s.label, s.body); done {
			return out, err
		}
	}
}

// forInt runs FOR i IN [REVERSE] lower..upper [BY step].
func (x *execState) forInt(s *forIntLoop) (ctl, error) {
	bound := func(e expr, what string) (int64, error) {
		v, t, err := x.eval(e)
		if err != nil {
			return 0, err
		}
		if v == nil {
			return 0, pgerr.New(pgerr.NullValueNotAllowed, "%s of FOR loop cannot be null", what)
		}
		cv, err := x.convert(v, t, types.Int4)
		if err != nil {
			return 0, err
		}
		return cv.(int64), nil
	}
	lo, err := bound(s.lower, "lower bound")
	if err != nil {
		return ctl{}, err
	}
	hi, err := bound(s.upper, "upper bound")
	if err != nil {
		return ctl{}, err
	}
	step := int64(1)
	if s.step != "" {
		if step, err = bound(s.step, "BY value"); err != nil {
			return ctl{}, err
		}
		if step <= 0 {
			return ctl{}, pgerr.New(pgerr.InvalidParameterValue, "BY value of FOR loop must be greater than zero")
		}
	}
	v := &variable{name: s.varName, t: types.Int4}
	defer x.pop(x.push(v))
	found := false
	for i := lo; s.reverse && i >= hi || !s.reverse && i <= hi; {
		found = true
		v.val = i
		if out, done, err := x.iterate(s.label, s.body); done {
			if err == nil {
				x.setFound(true)
			}
			return out, err
		}
		if s.reverse {
			i -= step
		} else {
			i += step
		}
	}
	x.setFound(found)
	return ctl{}, nil
}

// foreach runs FOREACH var IN ARRAY expr (without SLICE).
func (x *execState) foreach(s *foreachLoop) (ctl, error) {
	if s.slice != 0 {
		return ctl{}, pgerr.New(pgerr.FeatureNotSupported, "FOREACH ... SLICE is not supported")
	}
	val, t, err := x.eval(s.expr)
	if err != nil {
		return ctl{}, err
	}
	if val == nil {
		return ctl{}, pgerr.New(pgerr.NullValueNotAllowed, "FOREACH expression must not be null")
	}
	arr, ok := val.(*types.Array)
	if !ok {
		return ctl{}, pgerr.New(pgerr.DatatypeMismatch, "FOREACH expression must yield an array, not type %s", t.Info().SQLName)
	}
	v := x.lookup(s.varName)
	if v == nil {
		return ctl{}, pgerr.New(pgerr.UndefinedObject, "variable %q does not exist", s.varName)
	}
	elem, _ := t.Elem()
	for _, e := range arr.Vals {
		if err := x.set(v, e, elem); err != nil {
			return ctl{}, err
		}
		if out, done, err := x.iterate(s.label, s.body); done {
			return out, err
		}
	}
	return ctl{}, nil
}

func (x *execState) exit(s *exitStmt) (ctl, error) {
	if s.cond != "" {
		ok, err := x.cond(s.cond)
		if err != nil || !ok {
			return ctl{}, err
		}
	}
	if s.isExit {
		return ctl{kind: ctlExit, label: s.label}, nil
	}
	return ctl{kind: ctlContinue, label: s.label}, nil
}
