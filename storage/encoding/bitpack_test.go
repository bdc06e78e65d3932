package encoding

import "testing"

// TestPackedWidths round-trips packed sections of every width 0-64 and
// lengths around the unpacking loops' steps (a load serving several
// narrow values, one value per load, the last bytes read one by one).
func TestPackedWidths(t *testing.T) {
	r := newRand(11)
	for w := uint(0); w <= 64; w++ {
		for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 13, 14, 15, 57, 63, 64, 65, 100, 1023, 1024} {
			u := make([]uint64, n)
			for i := range u {
				if w > 0 {
					u[i] = r.Uint64() >> (64 - w)
				}
			}
			packed := packBits(nil, u, w)
			if want := (n*int(w) + 7) / 8; len(packed) != want {
				t.Fatalf("w=%d n=%d: %d bytes, want %d", w, n, len(packed), want)
			}
			got := make([]uint64, n)
			unpackBits(packed, got, w)
			for i := range u {
				if got[i] != u[i] {
					t.Fatalf("w=%d n=%d: value %d is %#x, want %#x", w, n, i, got[i], u[i])
				}
			}
		}
	}
}
