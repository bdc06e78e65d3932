package pgcatalog

import (
	"strings"
	"sync/atomic"

	"github.com/tsgres/tsgres/sql/funcs"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// ServerVersion is the PostgreSQL version tsgres reports when the session
// has no server_version setting.
const ServerVersion = "15.8"

// tsgresVersion is tsgres's own version inside version()'s text.
const tsgresVersion = "0.1.0"

// Version returns version()'s text; it must start with "PostgreSQL 15."
// because SQLAlchemy and psql parse it.
func Version(env Env) string {
	v := ServerVersion
	if env != nil {
		if s, ok := env.Setting("server_version"); ok && strings.HasPrefix(s, "15.") {
			v = s
		}
	}
	return "PostgreSQL " + v + " (tsgres " + tsgresVersion + ") on x86_64-pc-linux-gnu, compiled by Go, 64-bit"
}

// xidCounter hands out txid_current values (tsgres has no xids; clients
// only need distinct increasing numbers).
var xidCounter atomic.Int64

func init() {
	xidCounter.Store(730)
}

// setting looks a parameter up case-insensitively, as PostgreSQL does.
func setting(env Env, name string) (string, bool) {
	if v, ok := env.Setting(name); ok {
		return v, true
	}
	if v, ok := env.Setting(strings.ToLower(name)); ok {
		return v, true
	}
	for _, kv := range env.Settings() {
		if strings.EqualFold(kv[0], name) {
			return kv[1], true
		}
	}
	return "", false
}

// Session information and configuration functions.
func init() {
	T, N, B := types.Text, types.Name, types.Bool
	none := ts()

	lenientFn("version", none, 0, T, func(ctx *funcs.Ctx, _ []types.T, _ []any) (any, error) {
		env, _ := envOf(ctx)
		return Version(env), nil
	})
	lenientFn("current_database", none, 0, N, withEnv(func(env Env, _ []any) (any, error) {
		return env.DatabaseName(), nil
	}))
	lenientFn("current_catalog", none, 0, N, withEnv(func(env Env, _ []any) (any, error) {
		return env.DatabaseName(), nil
	}))
	lenientFn("current_schema", none, 0, N, withEnv(func(env Env, _ []any) (any, error) {
		p := SearchPath(env)
		if len(p) > 1 {
			return p[1], nil
		}
		return nil, nil
	}))
	strictFn("current_schemas", ts(B), 0, tNameArr, withEnv(func(env Env, a []any) (any, error) {
		p := SearchPath(env)
		if !argBool(a, 0) {
			p = p[1:]
		}
		vals := make([]any, len(p))
		for i, s := range p {
			vals[i] = s
		}
		return types.NewArray(types.Name, vals), nil
	}))
	for _, name := range []string{"current_user", "session_user", "user", "current_role", "getpgusername"} {
		lenientFn(name, none, 0, N, withEnv(func(env Env, _ []any) (any, error) { return env.User(), nil }))
	}
	lenientFn("current_setting", ts(T, B), 1, T, withEnv(func(env Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		name := argStr(a, 0)
		if v, ok := setting(env, name); ok {
			return v, nil
		}
		if argBool(a, 1) {
			return nil, nil
		}
		return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
	}))
	strictFn("parse_ident", ts(T, B), 1, types.TextArray, func(_ *funcs.Ctx, _ []types.T, a []any) (any, error) {
		parts, err := parseIdent(argStr(a, 0))
		if err != nil {
			return nil, err
		}
		return textArr(parts...), nil
	})

	lenientFn("pg_backend_pid", none, 0, types.Int4, withEnv(func(env Env, _ []any) (any, error) {
		return backendPID(env), nil
	}))
	inet := types.T{OID: types.OidInet, Mod: -1}
	lenientFn("inet_server_addr", none, 0, inet, constant(nil))
	lenientFn("inet_client_addr", none, 0, inet, constant(nil))
	lenientFn("inet_server_port", none, 0, types.Int4, constant(nil))
	lenientFn("inet_client_port", none, 0, types.Int4, constant(nil))
	lenientFn("pg_postmaster_start_time", none, 0, types.Timestamptz, constant(startTime.UnixMicro()))
	lenientFn("pg_conf_load_time", none, 0, types.Timestamptz, constant(startTime.UnixMicro()))
	lenientFn("pg_is_in_recovery", none, 0, B, constant(false))
	lenientFn("pg_jit_available", none, 0, B, constant(false))
	lenientFn("pg_my_temp_schema", none, 0, types.Oid, constant(int64(0)))
	lenientFn("pg_trigger_depth", none, 0, types.Int4, constant(int64(0)))
	def(&funcs.Scalar{Name: "txid_current", Ret: funcs.Fixed(types.Int8), Volatile: true,
		Fn: func(*funcs.Ctx, []types.T, []any) (any, error) { return xidCounter.Add(1), nil }})

	// Advisory locks: tsgres serializes nothing through them; every lock
	// is granted at once.
	for _, name := range []string{"pg_advisory_lock", "pg_advisory_xact_lock", "pg_advisory_lock_shared", "pg_advisory_xact_lock_shared"} {
		strictFn(name, ts(types.Int8), 0, types.Void, constant(""))
		strictFn(name, ts(types.Int4, types.Int4), 0, types.Void, constant(""))
	}
	for _, name := range []string{"pg_advisory_unlock", "pg_try_advisory_lock", "pg_try_advisory_xact_lock",
		"pg_advisory_unlock_shared", "pg_try_advisory_lock_shared", "pg_try_advisory_xact_lock_shared"} {
		strictFn(name, ts(types.Int8), 0, B, constant(true))
		strictFn(name, ts(types.Int4, types.Int4), 0, B, constant(true))
	}
	lenientFn("pg_advisory_unlock_all", none, 0, types.Void, constant(""))
}
