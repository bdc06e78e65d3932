package sql

import (
	"fmt"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// Sequence functions: nextval, currval and setval. A sequence's value
// lives in the store under "seq/<db>.<schema>.<name>" (or "seq/oid.<n>"
// for an OID argument); currval is the session's last nextval.

func init() {
	funcs.RegisterScalar(&funcs.Scalar{Name: "nextval", Args: []types.T{anyT}, Ret: funcs.Fixed(types.Int8), Volatile: true, Strict: true, Fn: nextval})
	funcs.RegisterScalar(&funcs.Scalar{Name: "currval", Args: []types.T{anyT}, Ret: funcs.Fixed(types.Int8), Volatile: true, Strict: true,
		Fn: func(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
			e := ctx.Extra.(*execEnv)
			name, err := e.seqName(a[0])
			if err != nil {
				return nil, err
			}
			v, ok := e.s.currval[name]
			if !ok {
				return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "currval of sequence %q is not yet defined in this session", name)
			}
			return v, nil
		}})
	funcs.RegisterScalar(&funcs.Scalar{Name: "setval", Args: []types.T{anyT, types.Int8}, Ret: funcs.Fixed(types.Int8), Volatile: true, Strict: true,
		Fn: func(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
			e := ctx.Extra.(*execEnv)
			name, err := e.seqName(a[0])
			if err != nil {
				return nil, err
			}
			return a[1], e.s.db.store.SetSequence("seq/"+name, a[1].(int64))
		}})
}

// seqName returns the store name of a sequence argument (a name or an
// OID); a name must exist in the catalog.
func (e *execEnv) seqName(v any) (string, error) {
	switch x := v.(type) {
	case string:
		on := parseQualified(x)
		if on.Schema == "" {
			on.Schema = catalog.SchemaPublic
		}
		if e.s.catalogSnap().Sequence(e.s.dbOID, on.Schema, on.Name) == 0 {
			return "", pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", x)
		}
		return fmt.Sprintf("%d.%s.%s", e.s.dbOID, on.Schema, on.Name), nil
	case int64:
		return fmt.Sprintf("oid.%d", x), nil
	}
	return "", pgerr.New(pgerr.DatatypeMismatch, "invalid sequence argument")
}

// nextval is nextval(sequence): it advances the sequence outside any
// transaction, as PostgreSQL does, and records the session's currval.
func nextval(ctx *funcs.Ctx, _ []types.T, a []any) (any, error) {
	e, err := envOf(ctx)
	if err != nil {
		return nil, err
	}
	name, err := e.seqName(a[0])
	if err != nil {
		return nil, err
	}
	v, err := e.s.db.store.NextSequence("seq/"+name, 1)
	if err != nil {
		return nil, err
	}
	if e.s.currval == nil {
		e.s.currval = map[string]int64{}
	}
	e.s.currval[name] = v
	return v, nil
}
