package plan

import "testing"

func TestParseObjectName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ObjectName
	}{
		{"conditions", ObjectName{Name: "conditions"}},
		{"Conditions", ObjectName{Name: "conditions"}},
		{" public . Conditions ", ObjectName{Schema: "public", Name: "conditions"}},
		{`"My Table"`, ObjectName{Name: "My Table"}},
		{`"S"."a""b"`, ObjectName{Schema: "S", Name: `a"b`}},
		{"_timescaledb_internal._hyper_1_1_chunk", ObjectName{Schema: "_timescaledb_internal", Name: "_hyper_1_1_chunk"}},
		{`"`, ObjectName{Name: `"`}},
	} {
		if got := ParseObjectName(tc.in); got != tc.want {
			t.Errorf("ParseObjectName(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
