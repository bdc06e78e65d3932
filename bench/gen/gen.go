// Package gen generates deterministic IoT data for benchmarks: industrial
// sensor rows (time, device_id, ten metrics) and vehicle telemetry rows.
// A generator with the same seed and parameters yields the same rows, so
// runs and engines see identical data. Values follow a bounded random walk
// per device with noise and are rounded to a few decimals, as real sensor
// values are (which matters to decimal-aware float codecs).
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

// VehicleColumns are the vehicle table's columns in row order.
var VehicleColumns = []string{"time", "vehicle_id", "latitude", "longitude", "speed", "heading", "fuel", "engine_temp"}

// VehicleDDL creates a table for vehicle rows named by %s.
const VehicleDDL = `CREATE TABLE %s (time timestamptz NOT NULL, vehicle_id int NOT NULL,
 latitude double precision, longitude double precision, speed double precision, heading double precision,
 fuel double precision, engine_temp double precision)`

// Vehicles generates vehicle telemetry: position, speed, heading, fuel
// level and engine temperature per vehicle per tick.
type Vehicles struct {
	Start    time.Time
	Step     time.Duration
	Vehicles int

	rng   *rand.Rand
	state [][6]float64 // lat, lon, speed, heading, fuel, engine temp
	n     int64
}

// NewVehicles returns a vehicle generator.
func NewVehicles(seed uint64, vehicles int, start time.Time, step time.Duration) *Vehicles {
	g := &Vehicles{Start: start, Step: step, Vehicles: vehicles, rng: rand.New(rand.NewPCG(seed, seed+1))}
	g.state = make([][6]float64, vehicles)
	for v := range g.state {
		g.state[v] = [6]float64{52 + g.rng.Float64(), 13 + g.rng.Float64(), 50 * g.rng.Float64(), 360 * g.rng.Float64(), 20 + 60*g.rng.Float64(), 85}
	}
	return g
}

// Rows returns the next n rows as pgx CopyFrom-style values.
func (g *Vehicles) Rows(n int) [][]any {
	out := make([][]any, n)
	for i := range out {
		v := int(g.n % int64(g.Vehicles))
		tick := g.n / int64(g.Vehicles)
		g.n++
		s := &g.state[v]
		s[2] = math.Max(0, math.Min(130, s[2]+g.rng.NormFloat64()*3))
		s[3] = math.Mod(s[3]+g.rng.NormFloat64()*5+360, 360)
		dist := s[2] / 3600 * g.Step.Seconds() / 111 // degrees
		s[0] += dist * math.Cos(s[3]*math.Pi/180)
		s[1] += dist * math.Sin(s[3]*math.Pi/180)
		s[4] = math.Max(0, s[4]-s[2]*0.00001*g.Step.Seconds())
		s[5] += (90-s[5])*0.05 + g.rng.NormFloat64()*0.3
		out[i] = []any{g.Start.Add(time.Duration(tick) * g.Step), int32(v),
			round(s[0], 6), round(s[1], 6), round(s[2], 1), round(s[3], 1), round(s[4], 2), round(s[5], 1)}
	}
	return out
}
