package ddl

import (
	"strings"
	"testing"
)

// TestMakeObjectName: constraint names as PostgreSQL makes them, the
// longer part truncated first so the name fits 63 bytes (the expected
// names are PostgreSQL 15's for the same table and columns).
func TestMakeObjectName(t *testing.T) {
	long := strings.Repeat("a", 58)
	for _, tc := range []struct{ n1, n2, label, want string }{
		{"t", "v", "check", "t_v_check"},
		{"t", "", "check", "t_check"},
		{"c2", "a_b", "fkey", "c2_a_b_fkey"},
		{long, strings.Repeat("b", 30), "check", strings.Repeat("a", 28) + "_" + strings.Repeat("b", 28) + "_check"},
		{long, "cc", "check1", strings.Repeat("a", 53) + "_cc_check1"},
		{long, "cc", "check", strings.Repeat("a", 54) + "_cc_check"},
		{strings.Repeat("x", 30), strings.Repeat("y", 30), "check", strings.Repeat("x", 28) + "_" + strings.Repeat("y", 28) + "_check"},
		{strings.Repeat("é", 40), "", "check", strings.Repeat("é", 28) + "_check"},
	} {
		if got := makeObjectName(tc.n1, tc.n2, tc.label); got != tc.want {
			t.Errorf("makeObjectName(%q, %q, %q) = %q, want %q", tc.n1, tc.n2, tc.label, got, tc.want)
		}
	}
}
