package plpgsql

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// fakeExecutor is an Executor without a database: "SELECT name" returns
// the visible variable name, a statement mentioning boom fails with
// division_by_zero, and every other statement returns no rows. It
// records what the interpreter asked of it.
type fakeExecutor struct {
	log     []string
	notices []string
	// refuseCommit makes EndTransaction fail as in a function.
	refuseCommit bool
}

// subtxnKey marks the context fakeExecutor.Subtransaction returns.
type subtxnKey struct{}

func (f *fakeExecutor) Bind(_ context.Context, p *parse.Statement, params *Params) (Statement, error) {
	return &fakeStatement{f: f, sql: p.SQL, params: params}, nil
}

func (f *fakeExecutor) Begin() {}

func (f *fakeExecutor) Subtransaction(ctx context.Context) (context.Context, func()) {
	f.log = append(f.log, "subtransaction")
	return context.WithValue(ctx, subtxnKey{}, true), func() { f.log = append(f.log, "rollback") }
}

func (f *fakeExecutor) EndTransaction(ctx context.Context, rollback bool) error {
	if f.refuseCommit || ctx.Value(subtxnKey{}) != nil {
		return pgerr.New("2D000", "invalid transaction termination")
	}
	f.log = append(f.log, "commit")
	return nil
}

func (f *fakeExecutor) Notice(_ context.Context, severity, code, msg string) error {
	f.notices = append(f.notices, severity+" "+code+" "+msg)
	return nil
}

func (f *fakeExecutor) Location() *time.Location      { return time.UTC }
func (f *fakeExecutor) Cursor(string) (*Cursor, bool) { return nil, false }
func (f *fakeExecutor) OpenCursor(string, *Cursor)    {}
func (f *fakeExecutor) CloseCursor(string) bool       { return false }
func (f *fakeExecutor) ReadCursor(context.Context, string) (*Cursor, bool, error) {
	return nil, false, nil
}

type fakeStatement struct {
	f      *fakeExecutor
	sql    string
	params *Params
}

func (s *fakeStatement) Columns() ([]Column, bool) { return nil, false }

func (s *fakeStatement) Run(int) (*Result, error) {
	s.f.log = append(s.f.log, s.sql)
	if strings.Contains(s.sql, "boom") {
		return nil, pgerr.New(pgerr.DivisionByZero, "division by zero")
	}
	if name, ok := strings.CutPrefix(s.sql, "SELECT "); ok {
		for i := len(s.params.Names) - 1; i >= 0; i-- {
			if s.params.Names[i] == name {
				return &Result{Columns: []Column{{Name: name, Type: s.params.Types[i]}},
					Rows: [][]any{{s.params.Values[i]}}, Count: 1, Tag: "SELECT 1"}, nil
			}
		}
	}
	return &Result{Tag: "SELECT 0"}, nil
}

// TestExecutorContract checks what the interpreter asks of its Executor:
// a block with an EXCEPTION clause runs in a subtransaction that is
// rolled back before a handler runs, COMMIT is refused inside it, and
// an Executor's refusal of COMMIT reaches the caller with the routine's
// CONTEXT line.
func TestExecutorContract(t *testing.T) {
	ctx := context.Background()
	f := &fakeExecutor{}
	err := Do(ctx, f, `BEGIN
		PERFORM boom();
	EXCEPTION WHEN division_by_zero THEN
		RAISE NOTICE 'caught %', sqlstate;
	END`)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"subtransaction", "SELECT boom()", "rollback", "SELECT sqlstate"}; !reflect.DeepEqual(f.log, want) {
		t.Errorf("calls %q, want %q", f.log, want)
	}
	if want := []string{"NOTICE 00000 caught 22012"}; !reflect.DeepEqual(f.notices, want) {
		t.Errorf("notices %q, want %q", f.notices, want)
	}

	f = &fakeExecutor{}
	err = Do(ctx, f, `BEGIN COMMIT; BEGIN COMMIT; EXCEPTION WHEN division_by_zero THEN NULL; END; END`)
	if pgerr.CodeOf(err) != "2D000" {
		t.Fatalf("COMMIT in an EXCEPTION block: %v, want 2D000", err)
	}
	if want := []string{"commit", "subtransaction"}; !reflect.DeepEqual(f.log, want) {
		t.Errorf("calls %q, want %q", f.log, want)
	}

	f = &fakeExecutor{refuseCommit: true}
	err = Do(ctx, f, `BEGIN COMMIT; END`)
	if pe, ok := pgerr.As(err); !ok || pe.Code != "2D000" || pe.Where != "PL/pgSQL function inline_code_block" {
		t.Fatalf("refused COMMIT: %#v", err)
	}
}
