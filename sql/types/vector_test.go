package types

import "testing"

func TestVectorText(t *testing.T) {
	for _, tc := range []struct {
		t        T
		in, want string
	}{
		{Int2Vector, "2 1", "2 1"},
		{Int2Vector, "  3   4 5 ", "3 4 5"},
		{Int2Vector, "", ""},
		{OidVector, "23 4294967295", "23 4294967295"},
	} {
		v, err := ParseText(tc.t, tc.in, nil)
		if err != nil {
			t.Fatalf("parse %q: %v", tc.in, err)
		}
		a := v.(*Array)
		if len(a.Vals) > 0 && (a.Lower == nil || a.Lower[0] != 0) {
			t.Errorf("%q: lower bound %v, want 0", tc.in, a.Lower)
		}
		if got := string(AppendText(nil, tc.t, v, nil)); got != tc.want {
			t.Errorf("%q: text %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, bad := range []struct {
		t  T
		in string
	}{{Int2Vector, "1 x"}, {Int2Vector, "40000"}, {OidVector, "-1"}} {
		if _, err := ParseText(bad.t, bad.in, nil); err == nil {
			t.Errorf("%q accepted as %v", bad.in, bad.t)
		}
	}
}
