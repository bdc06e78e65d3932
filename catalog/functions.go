package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// User-defined functions and procedures (CREATE FUNCTION / CREATE
// PROCEDURE, LANGUAGE sql or plpgsql) are catalog descriptors under keyFunc, one per
// overload, changed through a Writer like tables.

const keyFunc = "cat/func/"

// Function kinds (pg_proc.prokind).
const (
	FuncKindFunction  = 'f'
	FuncKindProcedure = 'p'
)

// Function is a user-defined SQL function or procedure.
type Function struct {
	OID    uint32
	DB     uint32
	Schema string
	Name   string
	// Kind is FuncKindFunction or FuncKindProcedure.
	Kind byte
	// ArgNames has one entry per argument ("" for an unnamed one).
	ArgNames []string
	ArgTypes []types.T
	// Ret is the result type (types.Void for procedures).
	Ret types.T
	// Volatility is pg_proc.provolatile: 'i', 's' or 'v'.
	Volatility byte
	// Body is the SQL text of the function's statements, or its
	// PL/pgSQL source.
	Body  string
	Owner string
	// Language is pg_language.lanname: LangPlpgsql, or LangSQL ("" in
	// functions stored before languages were recorded).
	Language string `json:",omitempty"`
	// Params are all declared parameters in order (pg_proc.proallargtypes
	// and proargmodes) when any is not IN; nil when all are IN, and
	// ArgNames/ArgTypes then list them all.
	Params []Param `json:",omitempty"`
	// ArgDefaults are the DEFAULT expressions (SQL text) of the last
	// len(ArgDefaults) call arguments.
	ArgDefaults []string `json:",omitempty"`
	// RetSet is proretset: the function returns SETOF Ret.
	RetSet bool `json:",omitempty"`
	// OutNames and OutTypes are the result columns of a function with
	// OUT parameters, RETURNS TABLE or a table's row type result (Ret is
	// then record, or the one column's type).
	OutNames []string  `json:",omitempty"`
	OutTypes []types.T `json:",omitempty"`
	// RetRel names the table whose row type the function returns
	// ("SETOF readings"); "" otherwise.
	RetRel string `json:",omitempty"`
}

// Param is one declared parameter of a function or procedure.
type Param struct {
	Name string
	Type types.T
	// Mode is pg_proc.proargmodes: ParamIn, ParamOut, ParamInOut,
	// ParamVariadic or ParamTable.
	Mode byte
}

// Parameter modes (pg_proc.proargmodes).
const (
	ParamIn       = 'i'
	ParamOut      = 'o'
	ParamInOut    = 'b'
	ParamVariadic = 'v'
	ParamTable    = 't'
)

// IsInput reports whether the parameter is passed by the caller of a
// function (IN, INOUT or VARIADIC).
func (p Param) IsInput() bool { return p.Mode != ParamOut && p.Mode != ParamTable }

// AllParams returns every declared parameter in order.
func (f *Function) AllParams() []Param {
	if f.Params != nil {
		return f.Params
	}
	out := make([]Param, len(f.ArgTypes))
	for i, t := range f.ArgTypes {
		out[i] = Param{Type: t, Mode: ParamIn}
		if i < len(f.ArgNames) {
			out[i].Name = f.ArgNames[i]
		}
	}
	return out
}

// HasOutParams reports whether f declares OUT, INOUT or TABLE
// parameters.
func (f *Function) HasOutParams() bool {
	for _, p := range f.Params {
		if p.Mode != ParamIn && p.Mode != ParamVariadic {
			return true
		}
	}
	return false
}

// ResultTypes returns the types of the columns a call of f returns: its
// OUT, INOUT and TABLE parameters, or else its one result type.
func (f *Function) ResultTypes() []types.T {
	if len(f.OutTypes) > 0 {
		return f.OutTypes
	}
	return []types.T{f.Ret}
}

// Signature spells a routine as PostgreSQL's messages do: its name and
// its argument types, "name(integer, text)".
func Signature(name string, args []types.T) string {
	ts := make([]string, len(args))
	for i, t := range args {
		ts[i] = t.Info().SQLName
	}
	return name + "(" + strings.Join(ts, ", ") + ")"
}

// Function languages (pg_language.lanname).
const (
	LangSQL     = "sql"
	LangPlpgsql = "plpgsql"
)

// IsPlpgsql reports whether f is written in PL/pgSQL.
func (f *Function) IsPlpgsql() bool { return f.Language == LangPlpgsql }

// IsProcedure reports whether f is a procedure.
func (f *Function) IsProcedure() bool { return f.Kind == FuncKindProcedure }

// SameArgs reports whether f takes exactly the argument types ts.
func (f *Function) SameArgs(ts []types.T) bool {
	if len(ts) != len(f.ArgTypes) {
		return false
	}
	for i, t := range ts {
		if t.OID != f.ArgTypes[i].OID {
			return false
		}
	}
	return true
}

func funcKey(oid uint32) string { return fmt.Sprintf("%s%010d", keyFunc, oid) }

// Functions returns the overloads of schema.name in db ordered by OID;
// an empty schema or name matches any.
func (s *Snapshot) Functions(db uint32, schema, name string) []*Function {
	var out []*Function
	for _, f := range s.funcs {
		if f.DB == db && (name == "" || f.Name == name) && (schema == "" || f.Schema == schema) {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].OID < out[b].OID })
	return out
}

// AllFunctions returns the user-defined functions of db ordered by OID.
func (s *Snapshot) AllFunctions(db uint32) []*Function { return s.Functions(db, "", "") }

// FunctionByOID returns the function with oid, or nil.
func (s *Snapshot) FunctionByOID(oid uint32) *Function { return s.funcs[oid] }

// PutFunction stores a new function or a new version of one; a function
// with OID 0 is new and gets an OID. f must not be shared afterwards.
func (w *Writer) PutFunction(f *Function) error {
	if err := w.lockInDatabase(f.DB, f.Schema); err != nil {
		return err
	}
	if f.OID == 0 {
		oid, err := w.s.NewOID()
		if err != nil {
			return fmt.Errorf("allocate function oid: %w", err)
		}
		f.OID = oid
	}
	w.apply(func(s *Snapshot) { s.funcs[f.OID] = f })
	return w.put(funcKey(f.OID), f)
}

// DropFunction removes function oid.
func (w *Writer) DropFunction(oid uint32) error {
	f := w.snap.funcs[oid]
	if f == nil {
		return pgerr.New(pgerr.UndefinedFunction, "function with OID %d does not exist", oid)
	}
	w.dropFunction(f)
	return nil
}

func (w *Writer) dropFunction(f *Function) {
	w.apply(func(s *Snapshot) { delete(s.funcs, f.OID) })
	w.txn.DeleteMeta(funcKey(f.OID))
}
