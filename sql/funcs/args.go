package funcs

// Argument access for function bodies whose trailing arguments have
// defaults (Scalar.Defaults): a call may pass fewer arguments than Args
// lists, and the missing ones read as NULL.

// Arg returns argument i of a call, or nil when the call left it out.
func Arg(a []any, i int) any {
	if i < len(a) {
		return a[i]
	}
	return nil
}

// BoolArg returns boolean argument i of a call, or def when it is left
// out or NULL.
func BoolArg(a []any, i int, def bool) bool {
	if v, ok := Arg(a, i).(bool); ok {
		return v
	}
	return def
}
