package pgcatalog

import (
	"sort"
	"strconv"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/types"
)

// TimescaleVersion is the TimescaleDB version tsgres reports for the
// built-in timescaledb extension (pg_extension.extversion) when the
// catalog recorded none.
const TimescaleVersion = "2.17.2"

// Extension OIDs: plpgsql's is PostgreSQL 15's; timescaledb's is
// synthetic (extensions have no catalog identity in tsgres).
const (
	plpgsqlExtOID     = 13540
	timescaleExtOID   = 0x4F00_0001
	pgDefaultSpaceOID = 1663
	pgGlobalSpaceOID  = 1664
	encodingUTF8      = 6 // pg_database.encoding of UTF8
	defaultLocale     = "C.UTF-8"
)

// PIDer is an optional Env extension giving the session's backend process
// id (the one sent in BackendKeyData); without it pg_backend_pid and
// pg_stat_activity report defaultPID.
type PIDer interface {
	BackendPID() int32
}

// defaultPID is the backend pid reported when Env is not a PIDer.
const defaultPID = 4242

func backendPID(env Env) int64 {
	if p, ok := env.(PIDer); ok {
		return int64(p.BackendPID())
	}
	return defaultPID
}

// startTime is when the process started (pg_postmaster_start_time).
var startTime = time.Now()

func init() {
	pc := catalog.SchemaCatalog
	o, n, t, b, ch := types.Oid, types.Name, types.Text, types.Bool, types.Char
	i4, i8, tz := types.Int4, types.Int8, types.Timestamptz

	register(pc, "pg_database", cols(c("oid", o), c("datname", n), c("datdba", o), c("encoding", i4),
		c("datlocprovider", ch), c("datistemplate", b), c("datallowconn", b), c("datconnlimit", i4),
		c("datfrozenxid", tXid), c("datminmxid", tXid), c("dattablespace", o), c("datcollate", t),
		c("datctype", t), c("daticulocale", t), c("datcollversion", t), c("datacl", tACLArr)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, d := range env.Catalog().Databases() {
				rows = append(rows, []any{i64(d.OID), d.Name, int64(ownerOID), int64(encodingUTF8),
					"c", false, true, int64(-1), int64(0), int64(0), int64(pgDefaultSpaceOID),
					defaultLocale, defaultLocale, nil, nil, nil})
			}
			return rows, nil
		})

	roleCols := cols(c("rolname", n), c("rolsuper", b), c("rolinherit", b), c("rolcreaterole", b),
		c("rolcreatedb", b), c("rolcanlogin", b), c("rolreplication", b), c("rolconnlimit", i4),
		c("rolpassword", t), c("rolvaliduntil", tz), c("rolbypassrls", b), c("rolconfig", types.TextArray),
		c("oid", o))
	register(pc, "pg_roles", roleCols, func(env Env) ([][]any, error) {
		var rows [][]any
		for _, r := range env.Catalog().Roles() {
			rows = append(rows, []any{r.Name, r.Superuser, true, r.Superuser, r.Superuser, r.Login,
				r.Superuser, int64(-1), "********", nil, r.Superuser, nil, i64(r.OID)})
		}
		return rows, nil
	})
	register(pc, "pg_authid", cols(c("oid", o), c("rolname", n), c("rolsuper", b), c("rolinherit", b),
		c("rolcreaterole", b), c("rolcreatedb", b), c("rolcanlogin", b), c("rolreplication", b),
		c("rolbypassrls", b), c("rolconnlimit", i4), c("rolpassword", t), c("rolvaliduntil", tz)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, r := range env.Catalog().Roles() {
				var pw any
				if r.Secret != "" {
					pw = r.Secret
				}
				rows = append(rows, []any{i64(r.OID), r.Name, r.Superuser, true, r.Superuser,
					r.Superuser, r.Login, r.Superuser, r.Superuser, int64(-1), pw, nil})
			}
			return rows, nil
		})
	register(pc, "pg_user", cols(c("usename", n), c("usesysid", o), c("usecreatedb", b), c("usesuper", b),
		c("userepl", b), c("usebypassrls", b), c("passwd", t), c("valuntil", tz), c("useconfig", types.TextArray)),
		func(env Env) ([][]any, error) {
			var rows [][]any
			for _, r := range env.Catalog().Roles() {
				if !r.Login {
					continue
				}
				rows = append(rows, []any{r.Name, i64(r.OID), r.Superuser, r.Superuser, r.Superuser,
					r.Superuser, "********", nil, nil})
			}
			return rows, nil
		})

	register(pc, "pg_extension", cols(c("oid", o), c("extname", n), c("extowner", o), c("extnamespace", o),
		c("extrelocatable", b), c("extversion", t), c("extconfig", tOidArr), c("extcondition", types.TextArray)),
		func(env Env) ([][]any, error) {
			rows := [][]any{{int64(plpgsqlExtOID), "plpgsql", int64(ownerOID), int64(11), false, "1.0", nil, nil}}
			if v, ok := timescaleInstalled(env); ok {
				rows = append(rows, []any{int64(timescaleExtOID), "timescaledb", int64(ownerOID),
					int64(2200), false, v, nil, nil})
			}
			return rows, nil
		})
	register(pc, "pg_available_extensions", cols(c("name", n), c("default_version", t),
		c("installed_version", t), c("comment", t)),
		func(env Env) ([][]any, error) {
			var ts any
			if v, ok := timescaleInstalled(env); ok {
				ts = v
			}
			return [][]any{
				{"plpgsql", "1.0", "1.0", "PL/pgSQL procedural language"},
				{"timescaledb", TimescaleVersion, ts, "Enables scalable inserts and complex queries for time-series data (Community Edition)"},
			}, nil
		})

	register(pc, "pg_am", cols(c("oid", o), c("amname", n), c("amhandler", types.Regproc), c("amtype", ch)),
		func(Env) ([][]any, error) {
			return [][]any{
				{int64(heapAM), "heap", int64(0), "t"},
				{int64(btreeAM), "btree", int64(0), "i"},
				{int64(hashAM), "hash", int64(0), "i"},
			}, nil
		})
	register(pc, "pg_collation", cols(c("oid", o), c("collname", n), c("collnamespace", o), c("collowner", o),
		c("collprovider", ch), c("collisdeterministic", b), c("collencoding", i4), c("collcollate", t),
		c("collctype", t), c("colliculocale", t), c("collversion", t)),
		func(Env) ([][]any, error) {
			return [][]any{
				{int64(defaultColl), "default", int64(11), int64(ownerOID), "d", true, int64(-1), nil, nil, nil, nil},
				{int64(cColl), "C", int64(11), int64(ownerOID), "c", true, int64(-1), "C", "C", nil, nil},
				{int64(951), "POSIX", int64(11), int64(ownerOID), "c", true, int64(-1), "POSIX", "POSIX", nil, nil},
			}, nil
		})
	register(pc, "pg_tablespace", cols(c("oid", o), c("spcname", n), c("spcowner", o), c("spcacl", tACLArr),
		c("spcoptions", types.TextArray)),
		func(Env) ([][]any, error) {
			return [][]any{
				{int64(pgDefaultSpaceOID), "pg_default", int64(ownerOID), nil, nil},
				{int64(pgGlobalSpaceOID), "pg_global", int64(ownerOID), nil, nil},
			}, nil
		})

	register(pc, "pg_stat_activity", cols(c("datid", o), c("datname", n), c("pid", i4), c("leader_pid", i4),
		c("usesysid", o), c("usename", n), c("application_name", t), c("client_addr", tInet),
		c("client_hostname", t), c("client_port", i4), c("backend_start", tz), c("xact_start", tz),
		c("query_start", tz), c("state_change", tz), c("wait_event_type", t), c("wait_event", t),
		c("state", t), c("backend_xid", tXid), c("backend_xmin", tXid), c("query_id", i8),
		c("query", t), c("backend_type", t)),
		func(env Env) ([][]any, error) { return activityRows(env), nil })

	register(pc, "pg_settings", cols(c("name", t), c("setting", t), c("unit", t), c("category", t),
		c("short_desc", t), c("extra_desc", t), c("context", t), c("vartype", t), c("source", t),
		c("min_val", t), c("max_val", t), c("enumvals", types.TextArray), c("boot_val", t),
		c("reset_val", t), c("sourcefile", t), c("sourceline", i4), c("pending_restart", b)),
		func(env Env) ([][]any, error) {
			all := append([][2]string(nil), env.Settings()...)
			sort.Slice(all, func(i, j int) bool { return all[i][0] < all[j][0] })
			rows := make([][]any, 0, len(all))
			for _, kv := range all {
				m := settingMetaFor(kv[0], kv[1])
				var unit any
				if m.unit != "" {
					unit = m.unit
				}
				var enum any
				if len(m.enum) > 0 {
					enum = textArr(m.enum...)
				}
				rows = append(rows, []any{kv[0], kv[1], unit, m.category, m.desc, nil, m.context,
					m.vartype, "default", nil, nil, enum, kv[1], kv[1], nil, nil, false})
			}
			return rows, nil
		})
}

// timescaleInstalled reports the timescaledb version installed in the
// current database.
func timescaleInstalled(env Env) (string, bool) {
	v, ok := env.Catalog().Extensions(env.Database())["timescaledb"]
	if !ok {
		return "", false
	}
	if v == "" {
		v = TimescaleVersion
	}
	return v, true
}

// settingMeta is what pg_settings says about a parameter beyond its value.
type settingMeta struct {
	unit, category, desc, context, vartype string
	enum                                   []string
}

// settingMetas describes the parameters clients commonly inspect.
var settingMetas = map[string]settingMeta{
	"server_version":              {"", "Preset Options", "Shows the server version.", "internal", "string", nil},
	"server_version_num":          {"", "Preset Options", "Shows the server version as an integer.", "internal", "integer", nil},
	"server_encoding":             {"", "Preset Options", "Shows the server (database) character set encoding.", "internal", "string", nil},
	"integer_datetimes":           {"", "Preset Options", "Shows whether datetimes are integer based.", "internal", "bool", nil},
	"client_encoding":             {"", "Client Connection Defaults / Locale and Formatting", "Sets the client's character set encoding.", "user", "string", nil},
	"datestyle":                   {"", "Client Connection Defaults / Locale and Formatting", "Sets the display format for date and time values.", "user", "string", nil},
	"intervalstyle":               {"", "Client Connection Defaults / Locale and Formatting", "Sets the display format for interval values.", "user", "enum", []string{"postgres", "postgres_verbose", "sql_standard", "iso_8601"}},
	"timezone":                    {"", "Client Connection Defaults / Locale and Formatting", "Sets the time zone for displaying and interpreting time stamps.", "user", "string", nil},
	"search_path":                 {"", "Client Connection Defaults / Statement Behavior", "Sets the schema search order for names that are not schema-qualified.", "user", "string", nil},
	"standard_conforming_strings": {"", "Version and Platform Compatibility / Previous PostgreSQL Versions", "Causes '...' strings to treat backslashes literally.", "user", "bool", nil},
	"application_name":            {"", "Reporting and Logging / What to Log", "Sets the application name to be reported in statistics and logs.", "user", "string", nil},
	"max_connections":             {"", "Connections and Authentication / Connection Settings", "Sets the maximum number of concurrent connections.", "postmaster", "integer", nil},
	"statement_timeout":           {"ms", "Client Connection Defaults / Statement Behavior", "Sets the maximum allowed duration of any statement.", "user", "integer", nil},
	"lock_timeout":                {"ms", "Client Connection Defaults / Statement Behavior", "Sets the maximum allowed duration of any wait for a lock.", "user", "integer", nil},
	"work_mem":                    {"kB", "Resource Usage / Memory", "Sets the maximum memory to be used for query workspaces.", "user", "integer", nil},
	"shared_buffers":              {"8kB", "Resource Usage / Memory", "Sets the number of shared memory buffers used by the server.", "postmaster", "integer", nil},
	"transaction_isolation":       {"", "Client Connection Defaults / Statement Behavior", "Sets the current transaction's isolation level.", "user", "enum", []string{"serializable", "repeatable read", "read committed", "read uncommitted"}},
}

// settingMetaFor returns the metadata of a parameter, guessing its vartype
// from the value when it is not described.
func settingMetaFor(name, value string) settingMeta {
	if m, ok := settingMetas[lower(name)]; ok {
		return m
	}
	m := settingMeta{category: "Customized Options", context: "user", vartype: "string"}
	switch {
	case value == "on" || value == "off":
		m.vartype = "bool"
	default:
		if _, err := strconv.ParseInt(value, 10, 64); err == nil {
			m.vartype = "integer"
		} else if _, err := strconv.ParseFloat(value, 64); err == nil {
			m.vartype = "real"
		}
	}
	return m
}

// lower is an ASCII lower-casing for setting names.
func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// Backend is one session as pg_stat_activity shows it. Times are µs
// since the Unix epoch, 0 when unknown or not applicable.
type Backend struct {
	PID                      int32
	DatabaseOID              uint32
	DatabaseName, User       string
	AppName                  string
	State, Query             string
	BackendStart, XactStart  int64
	QueryStart, StateChange  int64
	WaitEventType, WaitEvent string
}

// BackendLister is an optional Env extension listing every session of the
// server (pg_stat_activity); without it only the calling session shows.
type BackendLister interface {
	Backends() []Backend
}

// activityRows are pg_stat_activity's rows: every session of a
// BackendLister, else the calling session alone, active.
func activityRows(env Env) [][]any {
	var backends []Backend
	if l, ok := env.(BackendLister); ok {
		backends = l.Backends()
	} else {
		app, _ := env.Setting("application_name")
		now := time.Now().UnixMicro()
		backends = []Backend{{PID: int32(backendPID(env)), DatabaseOID: env.Database(), DatabaseName: env.DatabaseName(),
			User: env.User(), AppName: app, State: "active", BackendStart: startTime.UnixMicro(),
			XactStart: now, QueryStart: now, StateChange: now}}
	}
	orNull := func(v int64) any {
		if v == 0 {
			return nil
		}
		return v
	}
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	var rows [][]any
	for _, b := range backends {
		var userOID any
		if r := env.Catalog().Role(b.User); r != nil {
			userOID = i64(r.OID)
		}
		rows = append(rows, []any{i64(b.DatabaseOID), b.DatabaseName, int64(b.PID), nil,
			userOID, b.User, b.AppName, nil, nil, int64(-1), orNull(b.BackendStart), orNull(b.XactStart),
			orNull(b.QueryStart), orNull(b.StateChange), str(b.WaitEventType), str(b.WaitEvent), b.State, nil, nil, nil, b.Query, "client backend"})
	}
	return rows
}
