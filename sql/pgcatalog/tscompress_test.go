package pgcatalog

import (
	"reflect"
	"testing"
)

func TestParseColumnList(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []ColumnListItem
		ok   bool
	}{
		{"", nil, true},
		{"device_id, Metric_Name", []ColumnListItem{{Name: "device_id"}, {Name: "metric_name"}}, true},
		{`"bacB, toD" DESC NULLS first,c`, []ColumnListItem{{Name: "bacB, toD", Words: []string{"desc", "nulls", "first"}}, {Name: "c"}}, true},
		{"a,,b", nil, false},
		{"s.a", nil, false},
		{`"unterminated`, nil, false},
	} {
		got, err := ParseColumnList(c.in)
		if (err == nil) != c.ok || c.ok && !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseColumnList(%q) = %#v, %v; want %#v (ok %v)", c.in, got, err, c.want, c.ok)
		}
	}
}
