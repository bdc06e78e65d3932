package gen

import (
	"math"
	"math/rand/v2"
	"time"
)

// ReadingColumns are the narrow sensor table's columns in row order.
var ReadingColumns = []string{"time", "device_id", "metric_name", "value"}

// ReadingDDL creates a narrow sensor table named by %s.
const ReadingDDL = `CREATE TABLE %s (time timestamptz NOT NULL, device_id int NOT NULL, metric_name text NOT NULL, value double precision)`

// MetricNames are the narrow table's metric names, one spec each in
// metrics (the wide Sensors table's first eight metrics).
var MetricNames = []string{"temperature", "humidity", "pressure", "voltage", "current", "vibration", "rpm", "oil_temperature"}

// ReadingRow is one value of the narrow table. Time is Unix microseconds;
// Metric indexes MetricNames.
type ReadingRow struct {
	Time   int64
	Device int32
	Metric int16
	Null   bool
	Value  float64
}

// readingNullFraction of readings are NULL (a failed read).
const readingNullFraction = 0.001

// Readings generates narrow-table rows: every step each device reports
// every metric, one row per value, in time order.
type Readings struct {
	start, step int64 // microseconds
	devices     int
	rng         *rand.Rand
	state       [][]float64
	n           int64
}

// NewReadings returns a narrow-table generator for devices devices
// reporting every step from start.
func NewReadings(seed uint64, devices int, start time.Time, step time.Duration) *Readings {
	g := &Readings{start: start.UnixMicro(), step: step.Microseconds(), devices: devices,
		rng: rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))}
	g.state = make([][]float64, devices)
	for d := range g.state {
		g.state[d] = make([]float64, len(MetricNames))
		for m := range MetricNames {
			g.state[d][m] = metrics[m].base * (0.9 + 0.2*g.rng.Float64())
		}
	}
	return g
}

// Fill overwrites dst with the next len(dst) rows.
func (g *Readings) Fill(dst []ReadingRow) {
	per := int64(g.devices * len(MetricNames))
	for i := range dst {
		tick, k := g.n/per, g.n%per
		g.n++
		d, m := int(k)/len(MetricNames), int(k)%len(MetricNames)
		t := g.start + tick*g.step
		s := metrics[m]
		st := &g.state[d][m]
		*st += g.rng.NormFloat64()*s.step + (s.base-*st)*0.01
		v := *st + g.rng.NormFloat64()*s.noise
		if m == 0 { // temperature follows the day
			v += 3 * math.Sin(float64(t/1_000_000%86400)/86400*2*math.Pi)
		}
		dst[i] = ReadingRow{Time: t, Device: int32(d), Metric: int16(m), Value: round(v, s.decimals),
			Null: g.rng.Float64() < readingNullFraction}
	}
}
