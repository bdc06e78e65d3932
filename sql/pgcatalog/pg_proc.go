package pgcatalog

import (
	"strings"
	"sync"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/agg"
	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/types"
)

// proc is one pg_proc row: an overload of a built-in function.
type proc struct {
	oid      uint32
	name     string
	kind     byte // 'f' function, 'a' aggregate, 'w' window
	args     []types.T
	ret      types.T
	defaults int
	variadic bool
	strict   bool
	volatile bool
	// argNames are the parameter names (nil when unnamed); defaultSQL
	// the defaulted parameters' values as SQL (nil when unknown).
	argNames   []string
	defaultSQL []string
	// user is set for user-defined functions and procedures; nsOID is
	// then their schema's OID.
	user  *catalog.Function
	nsOID int64
}

// userProc is the pg_proc row of a user-defined function.
func userProc(f *catalog.Function, nsOID int64) proc {
	p := proc{oid: f.OID, name: f.Name, kind: f.Kind, args: f.ArgTypes, ret: f.Ret,
		volatile: f.Volatility == 'v', argNames: f.ArgNames, user: f, nsOID: nsOID,
		defaults: len(f.ArgDefaults), defaultSQL: f.ArgDefaults}
	if f.Params != nil {
		p.argNames = nil
		for _, prm := range f.Params {
			p.argNames = append(p.argNames, prm.Name)
		}
	}
	return p
}

// userArgs renders user function f's parameters as
// pg_get_function_arguments does ("a integer, OUT b text", "a integer
// DEFAULT 5"), or with withDefaults false as
// pg_get_function_identity_arguments does (without defaults, and
// without a function's output parameters). RETURNS TABLE columns are
// not arguments.
func userArgs(f *catalog.Function, withDefaults bool) string {
	var parts []string
	call := 0
	firstDefault := len(f.ArgTypes) - len(f.ArgDefaults)
	for _, prm := range f.AllParams() {
		isArg := prm.IsInput() || f.IsProcedure()
		if prm.Mode == catalog.ParamTable || !isArg && !withDefaults {
			continue
		}
		s := FormatType(prm.Type.OID, -1, false)
		if prm.Name != "" {
			s = types.QuoteIdent(prm.Name) + " " + s
		}
		switch prm.Mode {
		case catalog.ParamOut:
			s = "OUT " + s
		case catalog.ParamInOut:
			s = "INOUT " + s
		}
		if isArg {
			if withDefaults && call >= firstDefault {
				s += " DEFAULT " + f.ArgDefaults[call-firstDefault]
			}
			call++
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// resultText is pg_get_function_result: "integer", "SETOF integer",
// "TABLE(a integer, b text)", "SETOF readings".
func (p *proc) resultText() string {
	f := p.user
	if f == nil {
		return FormatType(p.ret.OID, -1, false)
	}
	var t string
	switch {
	case f.RetRel != "":
		t = types.QuoteIdent(f.RetRel)
	case f.RetSet && len(f.Params) > 0 && f.Params[len(f.Params)-1].Mode == catalog.ParamTable:
		var cols []string
		for _, prm := range f.Params {
			if prm.Mode == catalog.ParamTable {
				cols = append(cols, types.QuoteIdent(prm.Name)+" "+FormatType(prm.Type.OID, -1, false))
			}
		}
		return "TABLE(" + strings.Join(cols, ", ") + ")"
	default:
		t = FormatType(f.Ret.OID, -1, false)
	}
	if f.RetSet {
		return "SETOF " + t
	}
	return t
}

// allArgs are proallargtypes and proargmodes: NULL unless a parameter
// is not IN.
func (p *proc) allArgs() (argTypes, modes any) {
	if p.user == nil || p.user.Params == nil {
		return nil, nil
	}
	oids := make([]any, len(p.user.Params))
	ms := make([]any, len(p.user.Params))
	for i, prm := range p.user.Params {
		oids[i], ms[i] = int64(prm.Type.OID), string(prm.Mode)
	}
	return types.NewArray(types.Oid, oids), types.NewArray(types.Char, ms)
}

// procFor returns the built-in or user-defined function with oid as env
// sees it, or nil.
func procFor(env Env, oid int64) *proc {
	if p := procByOID(oid); p != nil {
		return p
	}
	if env == nil || oid <= 0 || oid > 1<<32-1 {
		return nil
	}
	f := env.Catalog().FunctionByOID(uint32(oid))
	if f == nil || f.DB != env.Database() {
		return nil
	}
	p := userProc(f, int64(schemaOIDs(env)[f.Schema]))
	return &p
}

// volatility is provolatile.
func (p *proc) volatility() string {
	switch {
	case p.user != nil:
		return string(p.user.Volatility)
	case p.volatile:
		return "v"
	}
	return "s"
}

// namespace returns the OID of the schema a function lives in:
// TimescaleDB's API in public (the extension's schema), the rest in
// pg_catalog.
func (p *proc) namespace() int64 {
	if p.user != nil {
		return p.nsOID
	}
	if timescaleAPI[p.name] {
		return publicSchemaOID
	}
	return pgCatalogSchemaOID
}

// procKind is prokind: TimescaleDB's procedures (run with CALL) are
// 'p', the rest as registered.
func (p *proc) procKind() string {
	if p.user != nil {
		return string(p.user.Kind)
	}
	if timescaleProcedures[p.name] {
		return "p"
	}
	return string(p.kind)
}

// windowFuncs are the window functions the planner implements itself.
var windowFuncs = []string{"row_number", "rank", "dense_rank", "percent_rank", "cume_dist",
	"ntile", "lag", "lead", "first_value", "last_value", "nth_value"}

var (
	procOnce sync.Once
	procList []proc
)

// procs returns every built-in function overload, numbered in a fixed
// order (names sorted, overloads in registration order). It is computed
// on first use, after all packages' init functions registered theirs.
func procs() []proc {
	procOnce.Do(func() {
		add := func(p proc) {
			p.oid = procOIDBase + uint32(len(procList))
			procList = append(procList, p)
		}
		for _, name := range funcs.ScalarNames() {
			for _, s := range funcs.Scalars(name) {
				add(proc{name: name, kind: 'f', args: s.Args, ret: retType(s.Ret, s.Args),
					defaults: s.Defaults, variadic: s.Variadic, strict: s.Strict, volatile: s.Volatile,
					argNames: s.ArgNames, defaultSQL: s.DefaultSQL})
			}
		}
		for _, name := range agg.Names() {
			for _, a := range agg.Overloads(name) {
				add(proc{name: name, kind: 'a', args: a.Args, ret: retType(a.Ret, a.Args)})
			}
		}
		for _, name := range windowFuncs {
			add(proc{name: name, kind: 'w', ret: types.Int8})
		}
	})
	return procList
}

// retType evaluates a function's Ret for its declared arguments, falling
// back to "any" when Ret needs concrete argument types.
func retType(ret func([]types.T) types.T, args []types.T) (t types.T) {
	defer func() {
		if recover() != nil {
			t = funcs.AnyT
		}
	}()
	if ret == nil {
		return types.Void
	}
	return ret(args)
}

func init() {
	o, n, t, b, ch := types.Oid, types.Name, types.Text, types.Bool, types.Char
	register(catalog.SchemaCatalog, "pg_proc", cols(c("oid", o), c("proname", n), c("pronamespace", o),
		c("proowner", o), c("prolang", o), c("procost", types.Float4), c("prorows", types.Float4),
		c("provariadic", o), c("prosupport", types.Regproc), c("prokind", ch), c("prosecdef", b),
		c("proleakproof", b), c("proisstrict", b), c("proretset", b), c("provolatile", ch),
		c("proparallel", ch), c("pronargs", types.Int2), c("pronargdefaults", types.Int2),
		c("prorettype", o), c("proargtypes", types.OidVector), c("proallargtypes", tOidArr),
		c("proargmodes", tCharArr), c("proargnames", types.TextArray), c("proargdefaults", types.PgNodeTree),
		c("protrftypes", tOidArr), c("prosrc", t), c("probin", t), c("prosqlbody", types.PgNodeTree),
		c("proconfig", types.TextArray), c("proacl", tACLArr)),
		func(env Env) ([][]any, error) {
			list := procs()
			ns := schemaOIDs(env)
			for _, f := range env.Catalog().AllFunctions(env.Database()) {
				list = append(list[:len(list):len(list)], userProc(f, int64(ns[f.Schema])))
			}
			rows := make([][]any, 0, len(list))
			for _, p := range list {
				allTypes, modes := p.allArgs()
				argOIDs := make([]int64, len(p.args))
				for i, a := range p.args {
					argOIDs[i] = int64(a.OID)
				}
				var variadic int64
				if p.variadic && len(p.args) > 0 {
					variadic = int64(p.args[len(p.args)-1].OID)
				}
				lang, src := int64(internalLangOID), p.name
				if p.user != nil {
					lang, src = sqlLangOID, p.user.Body
					if p.user.IsPlpgsql() {
						lang = plpgsqlLangOID
					}
				}
				rows = append(rows, []any{int64(p.oid), p.name, p.namespace(),
					int64(ownerOID), lang, float64(1), float64(0),
					variadic, int64(0), p.procKind(), false,
					false, p.strict, p.user != nil && p.user.RetSet, p.volatility(),
					"s", int64(len(p.args)), int64(p.defaults),
					int64(p.ret.OID), vector(types.Oid, argOIDs), allTypes,
					modes, p.argNamesDatum(), nil,
					nil, src, nil, nil,
					nil, nil})
			}
			return rows, nil
		})
}
