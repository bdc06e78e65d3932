package sql

import (
	"sort"
	"strings"
	"time"

	"github.com/tsgres/tsgres/sql/opt"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
	"github.com/tsgres/tsgres/sql/types"
)

// ServerVersion is what clients see as server_version: psql 15 picks its
// catalog queries from it and SQLAlchemy parses version().
const (
	ServerVersion    = "15.8"
	ServerVersionNum = "150008"
)

// defaultSettings are the run-time parameters a session starts with.
var defaultSettings = map[string]string{
	"application_name":                    "",
	"client_encoding":                     "UTF8",
	"datestyle":                           "ISO, MDY",
	"default_transaction_read_only":       "off",
	"in_hot_standby":                      "off",
	"integer_datetimes":                   "on",
	"intervalstyle":                       "postgres",
	"is_superuser":                        "on",
	"server_encoding":                     "UTF8",
	"server_version":                      ServerVersion,
	"server_version_num":                  ServerVersionNum,
	"standard_conforming_strings":         "on",
	"timezone":                            "Etc/UTC",
	"search_path":                         "\"$user\", public",
	"transaction_isolation":               "read committed",
	"default_transaction_isolation":       "read committed",
	"transaction_read_only":               "off",
	"max_identifier_length":               "63",
	"lc_collate":                          "C.UTF-8",
	"lc_ctype":                            "C.UTF-8",
	"lc_messages":                         "C.UTF-8",
	"lc_monetary":                         "C.UTF-8",
	"lc_numeric":                          "C.UTF-8",
	"lc_time":                             "C.UTF-8",
	"extra_float_digits":                  "1",
	"statement_timeout":                   "0",
	"lock_timeout":                        "0",
	"idle_in_transaction_session_timeout": "0",
	"client_min_messages":                 "notice",
	"bytea_output":                        "hex",
	"max_connections":                     "100",
	"shared_buffers":                      "128MB",
	"work_mem":                            "4MB",
	"block_size":                          "8192",
	"data_directory_mode":                 "0700",
	"timescaledb.telemetry_level":         "off",
	"timescaledb.enable_chunk_skipping":   "on",
	"jit":                                 "off",
	"tsgres.optimizer":                    "on",
	"enable_indexscan":                    "on",
	"synchronous_commit":                  "on",
	"row_security":                        "on",
	"escape_string_warning":               "on",
	"xmloption":                           "content",
	"default_tablespace":                  "",
	"password_encryption":                 "scram-sha-256",
}

// reported are the parameters sent as ParameterStatus at startup and
// whenever they change, in PostgreSQL's order.
var reported = []string{"application_name", "client_encoding", "DateStyle", "default_transaction_read_only",
	"in_hot_standby", "integer_datetimes", "IntervalStyle", "is_superuser", "server_encoding",
	"server_version", "session_authorization", "standard_conforming_strings", "TimeZone"}

func reportedName(lower string) (string, bool) {
	for _, r := range reported {
		if strings.ToLower(r) == lower {
			return r, true
		}
	}
	return "", false
}

// aliasSetting maps SQL spellings to setting names.
func canonicalSetting(name string) string {
	switch name {
	case "time zone", "time_zone":
		return "timezone"
	case "transaction isolation level":
		return "transaction_isolation"
	case "names":
		return "client_encoding"
	case "session authorization":
		return "session_authorization"
	}
	return name
}

func (s *session) setting(name string) (string, bool) {
	name = canonicalSetting(strings.ToLower(name))
	if v, ok := s.settings[name]; ok {
		return v, true
	}
	if strings.Contains(name, ".") {
		return "", false // custom placeholder variables must be set first
	}
	return "", false
}

// set changes a run-time parameter, validating the ones tsgres interprets.
func (s *session) set(name string, values []string) error {
	name = canonicalSetting(strings.ToLower(name))
	val := strings.Join(values, ", ")
	if values == nil {
		val = defaultSettings[name]
		if name == "session_authorization" {
			val = s.user
		}
	}
	switch name {
	case "timezone":
		if values != nil {
			loc := types.LoadZone(val)
			if loc == nil {
				if strings.EqualFold(val, "local") || strings.EqualFold(val, "default") {
					loc, val = time.UTC, "Etc/UTC"
				} else {
					return pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", val)
				}
			}
			if strings.EqualFold(val, "utc") {
				val = "UTC"
			}
			s.loc = loc
		} else {
			s.loc = time.UTC
		}
	case "datestyle":
		if values != nil && !strings.Contains(strings.ToUpper(val), "ISO") {
			return pgerr.New(pgerr.FeatureNotSupported, "DateStyle %q is not supported; only ISO output", val)
		}
		val = "ISO, MDY"
	case "client_encoding":
		u := strings.ToUpper(strings.ReplaceAll(val, "-", ""))
		if u != "UTF8" && u != "UNICODE" && u != "SQL_ASCII" {
			return pgerr.New(pgerr.FeatureNotSupported, "encoding %q is not supported; only UTF8", val)
		}
		val = "UTF8"
	case "server_version", "server_version_num", "server_encoding", "integer_datetimes", "lc_collate", "lc_ctype", "block_size", "max_identifier_length":
		return pgerr.New(pgerr.CantChangeRuntimeParam, "parameter %q cannot be changed", name)
	case "standard_conforming_strings":
		if values != nil && !strings.EqualFold(val, "on") && !strings.EqualFold(val, "true") {
			return pgerr.New(pgerr.FeatureNotSupported, "standard_conforming_strings must be on")
		}
		val = "on"
	case "tsgres.optimizer", "enable_indexscan":
		var err error
		if val, err = boolSetting(name, val); err != nil {
			return err
		}
	case "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout":
		if values != nil {
			var err error
			if val, err = parseMillis(name, val); err != nil {
				return err
			}
		}
	case "transaction_read_only", "default_transaction_read_only":
		if values != nil {
			var err error
			if val, err = boolSetting(name, val); err != nil {
				return err
			}
		}
	case "transaction_isolation":
		if values == nil {
			val = s.settings["default_transaction_isolation"]
		}
		return s.setIsolation(val)
	case "default_transaction_isolation":
		if values != nil {
			var err error
			if val, err = isolationValue(name, val); err != nil {
				return err
			}
		}
	default:
		if _, known := defaultSettings[name]; !known && !strings.Contains(name, ".") {
			if _, known := s.settings[name]; !known {
				return pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
			}
		}
	}
	s.settings[name] = val
	return nil
}

func (s *session) settingsList() [][2]string {
	out := make([][2]string, 0, len(s.settings))
	for k, v := range s.settings {
		out = append(out, [2]string{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// optimizerOff reports SET tsgres.optimizer = off, with which statements
// run as the binder bound them: no block rewrites while binding (every
// hypertable scan still gets the list of all its chunks) and no physical
// rules. The answers are the same; tests compare both.
func (s *session) optimizerOff() bool { return s.settings["tsgres.optimizer"] == "off" }

// physical returns the plan the executor runs for a bound plan n: n with
// the optimizer's physical decisions recorded (sql/opt.Optimize).
func (s *session) physical(n plan.Node) plan.Node {
	if s.optimizerOff() {
		return n
	}
	return opt.OptimizeWith(n, opt.Config{NoIndexScans: s.settings["enable_indexscan"] == "off"})
}

// rewriter is the optimizer's part in binding (plan.Rewriter).
func (e *execEnv) rewriter() opt.Rewriter {
	return opt.Rewriter{Env: e, Off: e.s.optimizerOff()}
}

// NarrowScans implements plan.Rewriter.
func (e *execEnv) NarrowScans(from plan.Node, off int, cond plan.Expr) error {
	return e.rewriter().NarrowScans(from, off, cond)
}

// LookupChunks implements plan.Rewriter.
func (e *execEnv) LookupChunks(from plan.Node) { e.rewriter().LookupChunks(from) }

// RewriteBlock implements plan.Rewriter.
func (e *execEnv) RewriteBlock(n plan.Node) (plan.Node, error) { return e.rewriter().RewriteBlock(n) }

// boolSetting returns Boolean setting name's value val as "on" or "off"
// (PostgreSQL's spellings of each, any case), or 22023.
func boolSetting(name, val string) (string, error) {
	switch strings.ToLower(val) {
	case "on", "true", "yes", "1":
		return "on", nil
	case "off", "false", "no", "0":
		return "off", nil
	}
	return "", pgerr.New(pgerr.InvalidParameterValue, "parameter %q requires a Boolean value", name)
}
