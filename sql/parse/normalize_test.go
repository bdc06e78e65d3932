package parse

import (
	"reflect"
	"testing"
)

func TestSplitStatementsNormalizes(t *testing.T) {
	tests := []struct {
		in   string
		want []string // normalized texts ("" = not normalized)
		nlit []int
	}{
		{"INSERT INTO t VALUES (1, 'a''b', 2.5); INSERT INTO t VALUES (2, 'x', -3)",
			[]string{"INSERT INTO t VALUES ($1, $2, $3)", "INSERT INTO t VALUES ($1, $2, -$3)"}, []int{3, 3}},
		{"SELECT a FROM t WHERE ts > now() - INTERVAL '1 hour' AND v = 5 ORDER BY 1 LIMIT 10",
			[]string{"SELECT a FROM t WHERE ts > now() - INTERVAL '1 hour' AND v = $1 ORDER BY 1 LIMIT $2"}, []int{2}},
		// A subquery in ORDER BY ends its own FROM, not the ORDER BY list:
		// the trailing 1 stays an ordinal.
		{"SELECT a FROM t ORDER BY a IN (SELECT s FROM u WHERE v = 'x'), 1",
			[]string{"SELECT a FROM t ORDER BY a IN (SELECT s FROM u WHERE v = $1), 1"}, []int{1}},
		{"SELECT * FROM t WHERE a = $1 AND b = 'x'", []string{"SELECT * FROM t WHERE a = $1 AND b = $2"}, []int{1}},
		{"CREATE TABLE t (a varchar(20))", []string{""}, []int{0}},
		{"select 1; -- c; x\n select 'a;b'", []string{"select $1", "select $1"}, []int{1, 1}},
	}
	for _, tc := range tests {
		got, ok := splitStatements(tc.in)
		if !ok {
			t.Fatalf("%q: not tokenized", tc.in)
		}
		var norm []string
		var nlit []int
		for _, s := range got {
			norm = append(norm, s.normalized)
			nlit = append(nlit, len(s.lits))
		}
		if !reflect.DeepEqual(norm, tc.want) || !reflect.DeepEqual(nlit, tc.nlit) {
			t.Errorf("%q:\n got %q %v\nwant %q %v", tc.in, norm, nlit, tc.want, tc.nlit)
		}
	}
	for _, in := range []string{"SELECT E'a\\nb'", "SELECT $$x$$", "SELECT 'unterminated",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END"} {
		if _, ok := splitStatements(in); ok {
			t.Errorf("%q: tokenized, want fallback", in)
		}
	}
}

func TestParseSharesNormalizedTree(t *testing.T) {
	a, err := Parse("INSERT INTO t VALUES (1, 'x')")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("INSERT INTO t VALUES (2, 'y')")
	if err != nil {
		t.Fatal(err)
	}
	if a[0].raw != b[0].raw {
		t.Error("statements differing only in literals did not share a parse tree")
	}
	if a[0].SQL != "INSERT INTO t VALUES (1, 'x')" {
		t.Errorf("SQL = %q", a[0].SQL)
	}
}
