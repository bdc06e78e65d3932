package plpgsql

import (
	"strings"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Variables of a running routine: declaration, type resolution, and
// assignment with PL/pgSQL's conversion rules.

// variable is one PL/pgSQL variable: a parameter, FOUND, a declared
// variable, a loop variable, or SQLSTATE/SQLERRM of a handler.
type variable struct {
	name string
	// qual is the name qualifying it: its block's label, or the
	// routine's name for parameters.
	qual     string
	t        types.T
	val      any
	notNull  bool
	isRecord bool
	// rec is a record variable's row; nil until assigned.
	rec *recordValue
	// cursor is set for a bound cursor variable.
	cursor *cursorDecl
}

// recordValue is the value of a record variable.
type recordValue struct {
	names []string
	types []types.T
	vals  []any
}

// declare creates a block variable and evaluates its default.
func (x *execState) declare(d *decl, label string) (*variable, error) {
	v := &variable{name: d.name, qual: label, notNull: d.notNull, cursor: d.cursor}
	if err := x.resolveType(v, d.typ); err != nil {
		return nil, err
	}
	if d.cursor != nil {
		// A bound cursor's portal is named after the variable.
		v.val = d.name
	}
	if d.def == "" {
		if d.notNull {
			return nil, pgerr.New(pgerr.NullValueNotAllowed, "variable %q must have a default value, since it's declared NOT NULL", d.name)
		}
		return v, nil
	}
	val, t, err := x.eval(d.def)
	if err != nil {
		return nil, err
	}
	return v, x.set(v, val, t)
}

// resolveType sets v's type from its declaration: a SQL type name,
// record, table%ROWTYPE, variable%TYPE or table.column%TYPE.
func (x *execState) resolveType(v *variable, typ string) error {
	low := strings.ToLower(typ)
	switch {
	case low == "record":
		v.isRecord, v.t = true, types.RecordT
		return nil
	case strings.HasSuffix(low, "%rowtype"):
		cols, err := x.describe("SELECT * FROM " + typ[:len(typ)-len("%rowtype")] + " LIMIT 0")
		if err != nil {
			return err
		}
		v.isRecord, v.t = true, types.RecordT
		v.rec = &recordValue{}
		for _, c := range cols {
			v.rec.names, v.rec.types = append(v.rec.names, c.Name), append(v.rec.types, c.Type)
		}
		v.rec.vals = make([]any, len(cols))
		return nil
	case strings.HasSuffix(low, "%type"):
		ref := strings.TrimSpace(typ[:len(typ)-len("%type")])
		if o := x.lookup(strings.ToLower(ref)); o != nil {
			v.isRecord, v.t = o.isRecord, o.t
			return nil
		}
		dot := strings.LastIndex(ref, ".")
		if dot < 0 {
			return pgerr.New(pgerr.UndefinedObject, "type %q does not exist", typ)
		}
		cols, err := x.describe("SELECT " + ref[dot+1:] + " FROM " + ref[:dot] + " LIMIT 0")
		if err != nil {
			return err
		}
		v.t = cols[0].Type
		return nil
	case low == "refcursor":
		// A cursor variable holds its portal's name.
		v.t = types.Text
		return nil
	}
	cols, err := x.describe("SELECT NULL::" + typ)
	if err != nil {
		return err
	}
	v.t = cols[0].Type
	return nil
}

// set assigns val (of type t) to v with PL/pgSQL's conversion rules.
func (x *execState) set(v *variable, val any, t types.T) error {
	if val == nil && v.notNull {
		return pgerr.New(pgerr.NullValueNotAllowed, "null value cannot be assigned to variable %q declared NOT NULL", v.name)
	}
	if v.isRecord {
		r, ok := val.(*types.Record)
		if val != nil && !ok {
			return pgerr.New(pgerr.DatatypeMismatch, "cannot assign non-composite value to a record variable")
		}
		if r == nil {
			v.val, v.rec = nil, nil
			return nil
		}
		row := &recordValue{types: r.Types, vals: r.Vals, names: make([]string, len(r.Vals))}
		if v.rec != nil && len(v.rec.names) == len(r.Vals) {
			copy(row.names, v.rec.names)
		}
		v.val, v.rec = val, row
		return nil
	}
	cv, err := x.convert(val, t, v.t)
	if err != nil {
		return err
	}
	v.val = cv
	return nil
}

// setRow assigns a result row to a record variable.
func (v *variable) setRow(cols []Column, row []any) {
	r := &recordValue{names: make([]string, len(cols)), types: make([]types.T, len(cols)), vals: make([]any, len(cols))}
	for i, c := range cols {
		r.names[i], r.types[i] = c.Name, c.Type
		if row != nil {
			r.vals[i] = row[i]
		}
	}
	v.rec = r
	v.val = &types.Record{Types: r.types, Vals: r.vals}
}

// convert casts val from type from to type to as PL/pgSQL assignment
// does: an assignment cast, else conversion through text.
func (x *execState) convert(val any, from, to types.T) (any, error) {
	if val == nil || from.OID == to.OID && (from.Mod == to.Mod || to.Mod < 0) {
		return val, nil
	}
	if from.OID == types.OidUnknown {
		from = types.Text
	}
	loc := x.h.Location()
	out, err := types.CastAssign(val, from, to, loc)
	if err == nil || pgerr.CodeOf(err) != pgerr.CannotCoerce {
		return out, err
	}
	return types.ParseText(to, types.FormatText(from, val, loc), loc)
}

// assign runs "target := expr".
func (x *execState) assign(s *assignStmt) error {
	target, expr := splitAssign(s.text)
	v := x.lookupTarget(target)
	if v == nil {
		return pgerr.New(pgerr.FeatureNotSupported, "assignment to %q is not supported", target)
	}
	val, t, err := x.eval(expr)
	if err != nil {
		return err
	}
	return x.set(v, val, t)
}

// lookupTarget resolves an assignment target: name or qualifier.name.
func (x *execState) lookupTarget(target string) *variable {
	parts := splitIdent(target)
	if len(parts) == 1 {
		return x.lookup(parts[0])
	}
	if len(parts) != 2 {
		return nil
	}
	for i := len(x.vars) - 1; i >= 0; i-- {
		if v := x.vars[i]; v.qual == parts[0] && v.name == parts[1] {
			return v
		}
	}
	return nil
}

// splitIdent splits a possibly qualified identifier into its parts,
// lower-casing unquoted ones.
func splitIdent(s string) []string {
	var parts []string
	for _, p := range strings.Split(s, ".") {
		p = strings.TrimSpace(p)
		if strings.HasPrefix(p, `"`) {
			parts = append(parts, strings.ReplaceAll(strings.Trim(p, `"`), `""`, `"`))
		} else {
			parts = append(parts, strings.ToLower(p))
		}
	}
	return parts
}

// splitAssign splits "target := expr" (or "target = expr").
func splitAssign(text string) (target, expr string) {
	inQuote := false
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == ':' && i+1 < len(text) && text[i+1] == '=':
			return strings.TrimSpace(text[:i]), strings.TrimSpace(text[i+2:])
		case c == '=':
			return strings.TrimSpace(text[:i]), strings.TrimSpace(text[i+1:])
		}
	}
	return strings.TrimSpace(text), ""
}
