package plan

import (
	"testing"

	"github.com/tsgres/tsgres/sql/types"
)

func TestSameShape(t *testing.T) {
	limit := func(count Expr) Node {
		return &Limit{Input: &Filter{Input: &Values{Rows: [][]Expr{{}}}, Cond: &Const{T: types.Bool, V: true}}, Count: count}
	}
	for _, tc := range []struct {
		name            string
		custom, generic Node
		want            bool
	}{
		{"parameter for a constant of its type", limit(&Const{T: types.Int8, V: int64(5)}), limit(&Param{T: types.Int8, N: 1}), true},
		{"cast parameter for a folded constant", limit(&Const{T: types.Int8, V: int64(5)}), limit(&Cast{E: &Param{T: types.Int4, N: 1}, T: types.Int8}), true},
		{"parameter of another type", limit(&Const{T: types.Int8, V: int64(5)}), limit(&Param{T: types.Int4, N: 1}), false},
		{"constants must be equal", limit(&Const{T: types.Int8, V: int64(5)}), limit(&Const{T: types.Int8, V: int64(6)}), false},
		{"a folded expression is no cast", limit(&Const{T: types.Int8, V: int64(5)}),
			limit(&Op{Kind: OpAdd, L: &Param{T: types.Int8, N: 1}, R: &Const{T: types.Int8, V: int64(1)}}), false},
		{"no limit vs limit", limit(nil), limit(&Param{T: types.Int8, N: 1}), false},
		{"a constant where the custom plan has a parameter", limit(&Param{T: types.Int8, N: 1}), limit(&Const{T: types.Int8, V: int64(5)}), false},
	} {
		if got := SameShape(tc.custom, tc.generic); got != tc.want {
			t.Errorf("%s: SameShape = %v, want %v", tc.name, got, tc.want)
		}
	}
}
