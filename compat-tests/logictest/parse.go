package logictest

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Engine names used by skipif/onlyif.
const (
	EngineTsgres   = "tsgres"
	EnginePostgres = "postgres"
)

// File is a parsed .test file.
type File struct {
	Path    string
	Lines   []string // the file's lines, for rewriting
	Pending bool     // "# status: pending" header
	Conds   []Cond   // file-level skipif/onlyif from the header
	Records []*Record
}

// Cond is a skipif/onlyif condition.
type Cond struct {
	Only   bool // onlyif (else skipif)
	Engine string
}

// Record is one statement or query.
type Record struct {
	Line     int    // 1-based line of the statement/query directive
	Query    bool   // query (else statement)
	SQL      string // the SQL text
	ErrCode  string // expected SQLSTATE; "" means success expected
	ErrRegex *regexp.Regexp
	Count    int // statement count N; -1 when not checked
	Types    string
	RowSort  bool
	ColNames bool
	Expected []string // expected result lines (after "----")
	Conds    []Cond

	sqlEnd    int // index in Lines after the last SQL line
	resultEnd int // index in Lines after the last result line (== sqlEnd when no "----")
}

// Skipped reports whether conds exclude engine.
func Skipped(conds []Cond, engine string) bool {
	for _, c := range conds {
		if c.Only && c.Engine != engine || !c.Only && c.Engine == engine {
			return true
		}
	}
	return false
}

// ParseFile reads and parses a .test file.
func ParseFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read logic test: %w", err)
	}
	return Parse(path, string(b))
}

var sqlstateRE = regexp.MustCompile(`^[0-9A-Z]{5}$`)

// Parse parses the text of a .test file; path is used in errors.
func Parse(path, text string) (*File, error) {
	f := &File{Path: path, Lines: strings.Split(strings.TrimSuffix(text, "\n"), "\n")}
	lines := f.Lines
	errf := func(i int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", path, i+1, fmt.Sprintf(format, args...))
	}
	// Header directives: the leading block of comment lines.
	for _, l := range lines {
		if !strings.HasPrefix(l, "#") {
			break
		}
		d := strings.Join(strings.Fields(strings.TrimPrefix(l, "#")), " ")
		switch {
		case d == "status: pending":
			f.Pending = true
		case strings.HasPrefix(d, "onlyif ") || strings.HasPrefix(d, "skipif "):
			w := strings.Fields(d)
			if len(w) == 2 {
				f.Conds = append(f.Conds, Cond{Only: w[0] == "onlyif", Engine: w[1]})
			}
		}
	}
	var conds []Cond
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		w := strings.Fields(l)
		switch w[0] {
		case "halt":
			return f, nil
		case "skipif", "onlyif":
			if len(w) != 2 || (w[1] != EngineTsgres && w[1] != EnginePostgres) {
				return nil, errf(i, "want %q followed by tsgres or postgres", w[0])
			}
			conds = append(conds, Cond{Only: w[0] == "onlyif", Engine: w[1]})
			continue
		case "statement", "query":
		default:
			return nil, errf(i, "unknown directive %q", w[0])
		}
		r := &Record{Line: i + 1, Query: w[0] == "query", Count: -1, Conds: conds}
		conds = nil
		if len(w) < 2 {
			return nil, errf(i, "%s needs an argument", w[0])
		}
		switch {
		case w[1] == "error":
			if len(w) < 3 || !sqlstateRE.MatchString(w[2]) {
				return nil, errf(i, "want %s error SQLSTATE [regexp]", w[0])
			}
			r.ErrCode = w[2]
			if len(w) > 3 {
				re, err := regexp.Compile(strings.Join(w[3:], " "))
				if err != nil {
					return nil, errf(i, "bad error regexp: %v", err)
				}
				r.ErrRegex = re
			}
		case !r.Query && w[1] == "ok" && len(w) == 2:
		case !r.Query && w[1] == "count" && len(w) == 3:
			n, err := strconv.Atoi(w[2])
			if err != nil {
				return nil, errf(i, "bad count %q", w[2])
			}
			r.Count = n
		case r.Query:
			r.Types = w[1]
			for _, opt := range w[2:] {
				switch opt {
				case "rowsort":
					r.RowSort = true
				case "nosort":
				case "colnames":
					r.ColNames = true
				default:
					return nil, errf(i, "unknown query option %q", opt)
				}
			}
		default:
			return nil, errf(i, "bad statement directive %q", l)
		}
		// SQL up to a blank line or "----".
		var sql []string
		i++
		for ; i < len(lines) && strings.TrimSpace(lines[i]) != "" && lines[i] != "----"; i++ {
			sql = append(sql, lines[i])
		}
		if len(sql) == 0 {
			return nil, errf(r.Line-1, "record has no SQL")
		}
		r.SQL = strings.Join(sql, "\n")
		r.sqlEnd, r.resultEnd = i, i
		if i < len(lines) && lines[i] == "----" {
			if !r.Query || r.ErrCode != "" {
				return nil, errf(i, "only a successful query has results")
			}
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
				r.Expected = append(r.Expected, lines[i])
			}
			r.resultEnd = i
		}
		f.Records = append(f.Records, r)
	}
	if len(conds) > 0 {
		return nil, errf(len(lines)-1, "skipif/onlyif at end of file")
	}
	return f, nil
}

var sepRE = regexp.MustCompile(`\t|  +`)

// normalize turns a result line into canonical form: values separated by
// exactly two spaces, no trailing blanks.
func normalize(line string) string {
	return strings.Join(sepRE.Split(strings.TrimSpace(line), -1), "  ")
}

// FormatValue renders one text-format value as written in .test files.
func FormatValue(v []byte) string {
	switch {
	case v == nil:
		return "NULL"
	case len(v) == 0:
		return "(empty)"
	}
	return strings.ReplaceAll(string(v), "\n", `\n`)
}

// formatRows renders rows with columns aligned (two spaces minimum).
func formatRows(rows [][]string) []string {
	var width []int
	for _, r := range rows {
		for j, v := range r {
			if j >= len(width) {
				width = append(width, 0)
			}
			width[j] = max(width[j], len([]rune(v)))
		}
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		var sb strings.Builder
		for j, v := range r {
			sb.WriteString(v)
			if j < len(r)-1 {
				sb.WriteString(strings.Repeat(" ", width[j]-len([]rune(v))+2))
			}
		}
		out[i] = sb.String()
	}
	return out
}
