package plpgsql

import (
	"strings"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// RAISE, ASSERT and exception conditions.

// PostgreSQL's elog levels as the PL/pgSQL parser reports RAISE levels.
const (
	elogLog     = 15
	elogInfo    = 17
	elogWarning = 19
	elogError   = 21
)

// RAISE option kinds (PLpgSQL_raise_option_type).
const (
	raiseErrcode = 0
	raiseMessage = 1
	raiseDetail  = 2
	raiseHint    = 3
)

// conditionCodes returns the SQLSTATEs of an exception condition name,
// or of a SQLSTATE written as such.
func conditionCodes(name string) []pgerr.Code {
	if isSQLState(name) {
		return []pgerr.Code{pgerr.Code(name)}
	}
	var out []pgerr.Code
	for _, c := range conditionNames {
		if c.name == name {
			out = append(out, pgerr.Code(c.code))
		}
	}
	return out
}

// isSQLState reports whether s is five digits or upper-case letters.
func isSQLState(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < 5; i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func errUnknownCondition(name string) error {
	return pgerr.New(pgerr.UndefinedObject, "unrecognized exception condition %q", name)
}

// matchHandler returns the first handler catching code: a condition
// matches its own SQLSTATE, a class condition ("xx000") any code of the
// class, and OTHERS any code but query_canceled and assert_failure.
func matchHandler(hs []*handler, code pgerr.Code) *handler {
	for _, h := range hs {
		for _, cond := range h.conds {
			if cond == "others" {
				if code != pgerr.QueryCanceled && code != "P0004" {
					return h
				}
				continue
			}
			for _, c := range conditionCodes(cond) {
				if c == code || strings.HasSuffix(string(c), "000") && len(code) == 5 && c[:2] == code[:2] {
					return h
				}
			}
		}
	}
	return nil
}

// raise runs RAISE.
func (x *execState) raise(s *raiseStmt) error {
	if s.condname == "" && s.message == "" && len(s.options) == 0 {
		if len(x.errs) == 0 {
			return pgerr.New("0Z002", "RAISE without parameters cannot be used outside an exception handler")
		}
		return x.errs[len(x.errs)-1]
	}
	var code pgerr.Code
	if s.condname != "" {
		codes := conditionCodes(s.condname)
		if len(codes) == 0 {
			return errUnknownCondition(s.condname)
		}
		code = codes[0]
	}
	msg, hasMsg := "", s.message != ""
	if hasMsg {
		var err error
		if msg, err = x.formatRaise(s.message, s.params); err != nil {
			return err
		}
	}
	var detail, hint string
	for _, o := range s.options {
		v, err := x.evalText(o.expr)
		if err != nil {
			return err
		}
		switch o.kind {
		case raiseErrcode:
			codes := conditionCodes(v)
			if len(codes) == 0 {
				return errUnknownCondition(v)
			}
			code = codes[0]
		case raiseMessage:
			msg, hasMsg = v, true
		case raiseDetail:
			detail = v
		case raiseHint:
			hint = v
		}
	}
	if !hasMsg {
		msg = s.condname
		if msg == "" {
			msg = string(code)
		}
	}
	if s.level >= elogError {
		if code == "" {
			code = "P0001"
		}
		e := pgerr.New(code, "%s", msg)
		e.Detail, e.Hint = detail, hint
		return e
	}
	return x.notice(s.level, code, msg)
}

// notice sends a RAISE below ERROR to the client as PostgreSQL's default
// client_min_messages (notice) lets through.
func (x *execState) notice(level int, code pgerr.Code, msg string) error {
	severity := "NOTICE"
	switch {
	case level <= elogLog:
		return nil
	case level == elogInfo:
		severity = "INFO"
	case level >= elogWarning:
		severity = "WARNING"
		if code == "" {
			code = pgerr.Warning
		}
	}
	if code == "" {
		code = pgerr.SuccessfulCompletion
	}
	return x.h.Notice(x.ctx, severity, string(code), msg)
}

// formatRaise substitutes the RAISE parameters for the % of format
// ("%%" is a literal %); NULL prints as <NULL>.
func (x *execState) formatRaise(format string, params []expr) (string, error) {
	var b strings.Builder
	next := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		if next >= len(params) {
			return "", pgerr.New(pgerr.SyntaxError, "too few parameters specified for RAISE")
		}
		v, t, err := x.eval(params[next])
		if err != nil {
			return "", err
		}
		next++
		if v == nil {
			b.WriteString("<NULL>")
		} else {
			b.WriteString(types.FormatText(t, v, x.h.Location()))
		}
	}
	return b.String(), nil
}

// evalText evaluates an expression to its text form ("" for NULL).
func (x *execState) evalText(e expr) (string, error) {
	v, t, err := x.eval(e)
	if err != nil || v == nil {
		return "", err
	}
	return types.FormatText(t, v, x.h.Location()), nil
}

// assert runs ASSERT cond [, message].
func (x *execState) assert(s *assertStmt) error {
	ok, err := x.cond(s.cond)
	if err != nil || ok {
		return err
	}
	msg := "assertion failed"
	if s.message != "" {
		v, t, err := x.eval(s.message)
		if err != nil {
			return err
		}
		if v != nil {
			msg = types.FormatText(t, v, x.h.Location())
		}
	}
	return pgerr.New("P0004", "%s", msg)
}
