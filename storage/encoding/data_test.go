package encoding

// Fixed-seed data shapes shared by the tests and benchmarks.

import (
	"fmt"
	"math"
	"math/rand/v2"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// genTimestamps returns n timestamps (µs) every 10s with up to ±jitter µs.
func genTimestamps(r *rand.Rand, n int, jitter int64) []int64 {
	out := make([]int64, n)
	t := int64(1_700_000_000_000_000)
	for i := range out {
		j := int64(0)
		if jitter > 0 {
			j = r.Int64N(2*jitter+1) - jitter
		}
		out[i] = t + j
		t += 10_000_000
	}
	return out
}

// genTemperatures returns a random walk like 21.37 with two decimals.
func genTemperatures(r *rand.Rand, n int) []float64 {
	out := make([]float64, n)
	c := 2137 // hundredths
	for i := range out {
		c += r.IntN(21) - 10
		out[i] = float64(c) / 100
	}
	return out
}

func intShapes() map[string][]int64 {
	r := newRand(1)
	shapes := map[string][]int64{
		"empty":      {},
		"single":     {42},
		"two":        {math.MinInt64, math.MaxInt64},
		"three":      {5, -7, 5},
		"const":      repeat(int64(-99), 1000),
		"extremes":   {math.MinInt64, math.MaxInt64, 0, math.MinInt64, math.MinInt64 + 1, math.MaxInt64, -1, 1},
		"ts-jitter":  genTimestamps(r, 1000, 50_000),
		"ts-regular": genTimestamps(r, 4000, 0),
	}
	gaps := genTimestamps(r, 1000, 1000)
	for i := 500; i < len(gaps); i++ {
		gaps[i] += 86_400_000_000 // a day offline
	}
	gaps[700], gaps[701] = gaps[701], gaps[700] // out of order arrival
	shapes["ts-gaps"] = gaps
	random := make([]int64, 1000)
	small := make([]int64, 1000)
	devices := make([]int64, 1000)
	walk := make([]int64, 1000)
	counter := make([]int64, 1000)
	var w, c int64
	for i := range random {
		random[i] = int64(r.Uint64())
		small[i] = r.Int64N(200) - 100
		devices[i] = 1000 + r.Int64N(50)
		w += r.Int64N(11) - 5
		walk[i] = w
		c += r.Int64N(1000)
		counter[i] = c
	}
	shapes["random"] = random
	shapes["small"] = small
	shapes["device-ids"] = devices
	shapes["walk"] = walk
	shapes["counter"] = counter
	desc := make([]int64, 300)
	for i := range desc {
		desc[i] = int64(1e12) - int64(i)*int64(i)
	}
	shapes["quadratic-desc"] = desc
	return shapes
}

func floatShapes() map[string][]float64 {
	r := newRand(2)
	shapes := map[string][]float64{
		"empty":     {},
		"single":    {21.37},
		"const":     repeat(21.5, 1000),
		"const-nan": repeat(math.NaN(), 10),
		"specials":  {math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, math.Float64frombits(0x7ff8000000000abc), 1.5},
		"temps":     genTemperatures(r, 1000),
		"temps-4k":  genTemperatures(r, 4000),
	}
	one := make([]float64, 1000)
	noisy := genTemperatures(r, 1000)
	random := make([]float64, 1000)
	ints := make([]float64, 1000)
	big := make([]float64, 1000)
	neg := make([]float64, 1000)
	mixedSpecial := genTemperatures(r, 1000)
	for i := range one {
		one[i] = float64(r.IntN(2000)-1000) / 10
		if r.IntN(20) == 0 {
			noisy[i] += r.Float64() * 1e-3
		}
		random[i] = r.NormFloat64() * 1e6
		ints[i] = float64(r.IntN(1 << 20))
		big[i] = 1e14 + float64(r.IntN(100))/2
		neg[i] = -float64(r.IntN(100000)) / 1000
		if i%97 == 0 {
			mixedSpecial[i] = []float64{math.NaN(), math.Inf(1), math.Copysign(0, -1)}[i%3]
		}
	}
	shapes["one-decimal"] = one
	shapes["temps-noisy"] = noisy
	shapes["random"] = random
	shapes["ints"] = ints
	shapes["big"] = big
	shapes["neg-3-decimals"] = neg
	shapes["temps-specials"] = mixedSpecial
	return shapes
}

func boolShapes() map[string][]bool {
	r := newRand(3)
	shapes := map[string][]bool{
		"empty":  {},
		"single": {true},
		"const":  repeat(true, 1000),
		"odd":    {true, false, true, false, true, false, true, false, true},
	}
	random := make([]bool, 1001)
	runs := make([]bool, 1000)
	v := false
	for i := range random {
		random[i] = r.IntN(2) == 0
	}
	for i := range runs {
		if r.IntN(100) == 0 {
			v = !v
		}
		runs[i] = v
	}
	shapes["random"] = random
	shapes["runs"] = runs
	return shapes
}

func stringShapes() map[string][]string {
	r := newRand(4)
	shapes := map[string][]string{
		"empty":        {},
		"single":       {"truck_17"},
		"empty-string": {""},
		"const":        repeat("truck_1", 1000),
		"binary":       {"\x00\xff", "", "\xfe\x00\x01", "é"},
	}
	shapes["trucks"] = genTrucks(r, 1000, 50)
	uuids := make([]string, 500)
	jsons := make([]string, 500)
	unique := make([]string, 500)
	for i := range uuids {
		var b [16]byte
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		uuids[i] = string(b[:])
		jsons[i] = fmt.Sprintf(`{"device":"truck_%d","fleet":"north","driver":"Driver %d","status":"ok"}`, r.IntN(1000), r.IntN(80))
		unique[i] = fmt.Sprintf("id-%d", i)
	}
	shapes["uuids"] = uuids
	shapes["json"] = jsons
	shapes["unique"] = unique
	return shapes
}

func genTrucks(r *rand.Rand, n, card int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("truck_%d", r.IntN(card))
	}
	return out
}

func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}
