package gen

import (
	"math"
	"math/rand/v2"
	"time"
)

// NumMetrics is the number of float metrics in a sensor row.
const NumMetrics = 10

// SensorColumns are the sensor table's columns in row order.
var SensorColumns = []string{"time", "device_id", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10"}

// SensorDDL creates a table for sensor rows named by %s.
const SensorDDL = `CREATE TABLE %s (time timestamptz NOT NULL, device_id int NOT NULL,
 m1 double precision, m2 double precision, m3 double precision, m4 double precision, m5 double precision,
 m6 double precision, m7 double precision, m8 double precision, m9 double precision, m10 double precision)`

// metricSpec describes one metric: its mean, random-walk step, noise and
// decimals.
type metricSpec struct {
	base, step, noise float64
	decimals          int
}

var metrics = [NumMetrics]metricSpec{
	{21, 0.05, 0.02, 2},     // temperature °C
	{45, 0.2, 0.1, 1},       // humidity %
	{1013, 0.1, 0.05, 1},    // pressure hPa
	{230, 0.5, 0.3, 1},      // voltage V
	{12, 0.1, 0.05, 3},      // current A
	{2.5, 0.01, 0.005, 3},   // vibration mm/s
	{1500, 5, 2, 0},         // rpm
	{60, 0.1, 0.05, 2},      // oil temperature °C
	{400, 2, 1, 0},          // CO2 ppm
	{0.95, 0.002, 0.001, 3}, // power factor
}

// Sensors generates sensor rows: each tick emits one row per device, ticks
// step apart, starting at Start.
type Sensors struct {
	Start   time.Time
	Step    time.Duration
	Devices int

	rng   *rand.Rand
	state [][NumMetrics]float64
	n     int64
}

// NewSensors returns a sensor generator.
func NewSensors(seed uint64, devices int, start time.Time, step time.Duration) *Sensors {
	g := &Sensors{Start: start, Step: step, Devices: devices, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	g.state = make([][NumMetrics]float64, devices)
	for d := range g.state {
		for m, s := range metrics {
			g.state[d][m] = s.base * (0.9 + 0.2*g.rng.Float64())
		}
	}
	return g
}

func round(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}

// Next returns the next row's time, device and metrics (written into m).
func (g *Sensors) Next(m *[NumMetrics]float64) (time.Time, int32) {
	d := int(g.n % int64(g.Devices))
	tick := g.n / int64(g.Devices)
	g.n++
	st := &g.state[d]
	for i, s := range metrics {
		st[i] += g.rng.NormFloat64() * s.step
		// Pull back toward the mean so values stay realistic.
		st[i] += (s.base - st[i]) * 0.01
		m[i] = round(st[i]+g.rng.NormFloat64()*s.noise, s.decimals)
	}
	return g.Start.Add(time.Duration(tick) * g.Step), int32(d)
}

// Rows returns the next n rows as pgx CopyFrom-style values.
func (g *Sensors) Rows(n int) [][]any {
	out := make([][]any, n)
	var m [NumMetrics]float64
	for i := range out {
		t, d := g.Next(&m)
		row := make([]any, 0, 2+NumMetrics)
		row = append(row, t, d)
		for _, v := range m {
			row = append(row, v)
		}
		out[i] = row
	}
	return out
}
