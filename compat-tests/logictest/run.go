package logictest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// StatementTimeout bounds one record, so a hung server fails the file
// instead of the whole test binary.
const StatementTimeout = 60 * time.Second

// Reporter receives failures; *testing.T satisfies it.
type Reporter interface {
	Errorf(format string, args ...any)
}

// Outcome is the result of running a file.
type Outcome struct {
	Ran, Skipped, Failed int
	// Actual holds, per query record that ran successfully, its actual
	// result lines (sorted for rowsort); used by Rewrite.
	Actual map[*Record][]string
}

// Run executes every record of f that engine does not skip on conn and
// reports mismatches to rep. Records keep running after a failure.
func Run(ctx context.Context, rep Reporter, conn *pgconn.PgConn, f *File, engine string) Outcome {
	out := Outcome{Actual: map[*Record][]string{}}
	for _, r := range f.Records {
		if Skipped(r.Conds, engine) {
			out.Skipped++
			continue
		}
		out.Ran++
		if msg := runRecord(ctx, conn, r, out.Actual); msg != "" {
			out.Failed++
			rep.Errorf("%s:%d: %s\n%s", f.Path, r.Line, strings.TrimSpace(r.SQL), msg)
		}
	}
	return out
}

// runRecord runs one record and returns a failure message, or "".
func runRecord(ctx context.Context, conn *pgconn.PgConn, r *Record, actual map[*Record][]string) string {
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	results, err := execAll(ctx, conn, r.SQL)
	if r.ErrCode != "" {
		var pgErr *pgconn.PgError
		switch {
		case err == nil:
			return fmt.Sprintf("expected error %s, got success", r.ErrCode)
		case !errors.As(err, &pgErr):
			return fmt.Sprintf("expected error %s, got non-server error: %v", r.ErrCode, err)
		case pgErr.Code != r.ErrCode:
			return fmt.Sprintf("expected error %s, got %s: %s", r.ErrCode, pgErr.Code, pgErr.Message)
		case r.ErrRegex != nil && !r.ErrRegex.MatchString(pgErr.Message):
			return fmt.Sprintf("error message %q does not match %q", pgErr.Message, r.ErrRegex)
		}
		return ""
	}
	if err != nil {
		return fmt.Sprintf("unexpected error: %v", describe(err))
	}
	if len(results) == 0 {
		return "no result"
	}
	last := results[len(results)-1]
	if !r.Query {
		if r.Count >= 0 {
			if n := last.CommandTag.RowsAffected(); n != int64(r.Count) {
				return fmt.Sprintf("expected %d rows affected, got %d (%s)", r.Count, n, last.CommandTag)
			}
		}
		return ""
	}
	if len(last.FieldDescriptions) == 0 {
		return fmt.Sprintf("query returned no result columns (%s)", last.CommandTag)
	}
	if len(r.Types) != len(last.FieldDescriptions) {
		return fmt.Sprintf("query declares %d columns (%s), result has %d", len(r.Types), r.Types, len(last.FieldDescriptions))
	}
	var rows [][]string
	for _, row := range last.Rows {
		vals := make([]string, len(row))
		for j, v := range row {
			vals[j] = FormatValue(v)
		}
		rows = append(rows, vals)
	}
	got := formatRows(rows)
	if r.RowSort {
		slices.SortFunc(got, func(a, b string) int { return strings.Compare(normalize(a), normalize(b)) })
	}
	if r.ColNames {
		names := make([]string, len(last.FieldDescriptions))
		for j, fd := range last.FieldDescriptions {
			names[j] = fd.Name
		}
		got = formatRows(append([][]string{names}, splitLines(got)...))
	}
	actual[r] = got
	want := make([]string, len(r.Expected))
	for i, l := range r.Expected {
		want[i] = normalize(l)
	}
	gotN := make([]string, len(got))
	for i, l := range got {
		gotN[i] = normalize(l)
	}
	if r.RowSort {
		// Expected rows may be written in any order.
		start := 0
		if r.ColNames && len(want) > 0 {
			start = 1
		}
		slices.Sort(want[start:])
		slices.Sort(gotN[start:])
	}
	if !slices.Equal(want, gotN) {
		return fmt.Sprintf("expected:\n    %s\ngot:\n    %s", strings.Join(r.Expected, "\n    "), strings.Join(got, "\n    "))
	}
	return ""
}

// result is one statement's outcome.
type result struct {
	FieldDescriptions []pgconn.FieldDescription
	Rows              [][][]byte
	CommandTag        pgconn.CommandTag
}

// execAll runs sql through the simple protocol and collects every
// statement's result (unlike pgconn's ReadAll it keeps the columns of a
// result without rows). It returns the first error.
func execAll(ctx context.Context, conn *pgconn.PgConn, sql string) ([]result, error) {
	mrr := conn.Exec(ctx, sql)
	var out []result
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		res := result{FieldDescriptions: append([]pgconn.FieldDescription(nil), rr.FieldDescriptions()...)}
		for rr.NextRow() {
			vals := rr.Values()
			row := make([][]byte, len(vals))
			for i, v := range vals {
				if v != nil {
					row[i] = append([]byte{}, v...)
				}
			}
			res.Rows = append(res.Rows, row)
		}
		tag, err := rr.Close()
		if err != nil {
			mrr.Close()
			return out, err
		}
		res.CommandTag = tag
		out = append(out, res)
	}
	return out, mrr.Close()
}

// splitLines turns formatted lines back into values (for re-aligning).
func splitLines(lines []string) [][]string {
	out := make([][]string, len(lines))
	for i, l := range lines {
		out[i] = strings.Split(normalize(l), "  ")
	}
	return out
}

func describe(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return fmt.Sprintf("%s: %s", pgErr.Code, pgErr.Message)
	}
	return err.Error()
}

// Rewrite returns f's text with the expected rows of every query record
// in actual replaced by the actual output.
func Rewrite(f *File, actual map[*Record][]string) string {
	var out []string
	next := 0
	for _, r := range f.Records {
		got, ok := actual[r]
		if !ok {
			continue
		}
		out = append(out, f.Lines[next:r.sqlEnd]...)
		out = append(out, "----")
		out = append(out, got...)
		next = r.resultEnd
	}
	out = append(out, f.Lines[next:]...)
	return strings.Join(out, "\n") + "\n"
}
