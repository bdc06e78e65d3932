package table

import (
	"slices"
	"testing"

	"github.com/tsgres/tsgres/catalog"
)

// TestLeadingIndex: the referencing rows of a foreign key are looked up
// through an index whose leading columns are the key's, in any order.
func TestLeadingIndex(t *testing.T) {
	tb := &catalog.Table{Cols: []catalog.Column{{ID: 1, Name: "id"}, {ID: 2, Name: "a"}, {ID: 3, Name: "b"}}, Indexes: []catalog.Index{
		{Name: "pk", Cols: []uint32{1}, Unique: true, Primary: true},
		{Name: "b_only", Cols: []uint32{3}, Space: 1},
		{Name: "b_a_id", Cols: []uint32{3, 2, 1}, Space: 2},
	}}
	for _, tc := range []struct {
		ids   []uint32
		name  string
		order []int
	}{
		{[]uint32{2, 3}, "b_a_id", []int{1, 0}},
		{[]uint32{3}, "b_only", []int{0}},
		{[]uint32{1}, "pk", []int{0}},
		{[]uint32{2}, "", nil},
	} {
		ix, order := leadingIndex(tb, tc.ids)
		name := ""
		if ix != nil {
			name = ix.Name
		}
		if name != tc.name || !slices.Equal(order, tc.order) {
			t.Errorf("leadingIndex(%v) = %q %v, want %q %v", tc.ids, name, order, tc.name, tc.order)
		}
	}
}
