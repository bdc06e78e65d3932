package plpgsql

import (
	"reflect"
	"testing"
)

// TestDeclSections checks how the source scanner attributes DECLARE
// sections to blocks, skipping quoted text and comments.
func TestDeclSections(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []int
	}{
		{"BEGIN NULL; END", []int{0}},
		{"DECLARE a int; b text := 'x;y'; BEGIN END", []int{2}},
		{"DECLARE a int; BEGIN DECLARE b int; c int; BEGIN END; BEGIN END; END", []int{1, 2, 0}},
		{"<<l>> DECLARE a int; DECLARE b int; x ALIAS FOR $1; BEGIN END", []int{2}},
		{"DECLARE a int := f(1; 2); BEGIN END", []int{1}},
		{"DECLARE s text := $q$ BEGIN; DECLARE $q$; -- BEGIN\n /* DECLARE /* BEGIN */ */ BEGIN END", []int{1}},
		{`DECLARE "begin;" int; e text := E'\'; BEGIN'; BEGIN END`, []int{2}},
	} {
		if got := declSections(tc.src); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("declSections(%q) = %v, want %v", tc.src, got, tc.want)
		}
	}
}
