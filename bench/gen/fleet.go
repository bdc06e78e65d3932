package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Vehicle metric indexes into VehicleRow.Values.
const (
	Speed = iota
	Latitude
	Longitude
	Mileage
	Emission
	Battery
	EngineTemp
	// NumVehicleMetrics is the number of metric columns of a vehicle row.
	NumVehicleMetrics
)

// VehicleColumns are the vehicle table's columns in row order: the time,
// three tags, then the metrics in index order.
var VehicleColumns = []string{"time", "vin", "maker", "model",
	"speed", "latitude", "longitude", "mileage", "emission", "battery", "engine_temp"}

// VehicleDDL creates a table for vehicle rows named by %s.
const VehicleDDL = `CREATE TABLE %s (time timestamptz NOT NULL, vin text NOT NULL, maker text, model text,
 speed double precision, latitude double precision, longitude double precision, mileage double precision,
 emission double precision, battery double precision, engine_temp double precision)`

// VehicleRow is one telemetry report. Time is in Unix microseconds;
// Vehicle indexes Fleet.Tags; bit i of Nulls marks Values[i] NULL.
type VehicleRow struct {
	Time    int64
	Vehicle int32
	Nulls   uint8
	Values  [NumVehicleMetrics]float64
}

// IsNull reports whether metric i is NULL.
func (r *VehicleRow) IsNull(i int) bool { return r.Nulls&(1<<i) != 0 }

// Tags are a vehicle's tag values.
type Tags struct {
	VIN, Maker, Model string
	Electric          bool
}

// model is one vehicle model a maker sells.
type model struct {
	name     string
	electric bool
}

// makers are the fleet's manufacturers: world manufacturer identifier (the
// first three VIN characters), name and models.
var makers = []struct {
	wmi, name string
	models    []model
}{
	{"WVW", "Volkswagen", []model{{"Golf", false}, {"Passat", false}, {"ID.4", true}}},
	{"5YJ", "Tesla", []model{{"Model 3", true}, {"Model Y", true}}},
	{"1FT", "Ford", []model{{"F-150", false}, {"Transit", false}, {"E-Transit", true}}},
	{"JTD", "Toyota", []model{{"Corolla", false}, {"Hilux", false}}},
	{"WBA", "BMW", []model{{"320d", false}, {"i4", true}}},
	{"VF1", "Renault", []model{{"Clio", false}, {"Kangoo E-Tech", true}}},
}

// Fleet behaviour constants.
const (
	// maxInterval is the longest reporting interval in seconds (1..max).
	maxInterval = 10
	// lateFraction of rows are held back and sent later.
	lateFraction = 0.01
	// lateMin and lateSpan bound a late row's delay in seconds.
	lateMin, lateSpan = 30, 270
	// dropoutFraction of rows lose one sensor reading (NULL).
	dropoutFraction = 0.003
	// nightEnd and nightStart (hours of the day, UTC) bound the night,
	// when vehicles are parked.
	nightEnd, nightStart = 5.5, 21.5
)

// vehicleState is the evolving state of one vehicle.
type vehicleState struct {
	interval int64   // seconds between reports
	cruise   float64 // preferred speed km/h
	heading  float64 // degrees
	vals     [NumVehicleMetrics]float64
}

// lateRow is a held-back row and the second it is released.
type lateRow struct {
	release int64
	row     VehicleRow
}

// Fleet generates vehicle telemetry in arrival order. Time advances one
// second per step; each vehicle reports when its interval elapses.
type Fleet struct {
	// Tags holds each vehicle's VIN, maker and model.
	Tags []Tags

	start int64 // Unix seconds of the first step
	sec   int64 // seconds since start of the next step
	rng   *rand.Rand
	state []vehicleState
	wheel [maxInterval][]int32 // vehicles due at sec%maxInterval
	spare []int32
	late  []lateRow
	out   []VehicleRow // rows of the current step not yet returned
	pos   int
}

// NewFleet returns a generator for n vehicles starting at start.
func NewFleet(seed uint64, n int, start time.Time) *Fleet {
	f := &Fleet{start: start.Unix(), rng: rand.New(rand.NewPCG(seed, seed^0x51ed270b27b5a3c9))}
	f.Tags = make([]Tags, n)
	f.state = make([]vehicleState, n)
	for v := range n {
		mk := makers[f.rng.IntN(len(makers))]
		md := mk.models[f.rng.IntN(len(mk.models))]
		f.Tags[v] = Tags{VIN: fmt.Sprintf("%sZZZ%02d%09d", mk.wmi, f.rng.IntN(100), 100000+v), Maker: mk.name, Model: md.name, Electric: md.electric}
		s := &f.state[v]
		s.interval = 1 + f.rng.Int64N(maxInterval)
		s.cruise = 40 + 70*f.rng.Float64()
		s.heading = 360 * f.rng.Float64()
		s.vals[Latitude] = 48 + 6*f.rng.Float64()
		s.vals[Longitude] = 6 + 8*f.rng.Float64()
		s.vals[Mileage] = 5000 + 150000*f.rng.Float64()
		s.vals[Battery] = 40 + 60*f.rng.Float64()
		s.vals[EngineTemp] = 15
		phase := f.rng.Int64N(s.interval)
		f.wheel[phase] = append(f.wheel[phase], int32(v))
	}
	return f
}

// RowsPerSecond is the fleet's average report rate.
func (f *Fleet) RowsPerSecond() float64 {
	r := 0.0
	for _, s := range f.state {
		r += 1 / float64(s.interval)
	}
	return r
}

// Fill overwrites dst with the next len(dst) rows in arrival order.
func (f *Fleet) Fill(dst []VehicleRow) {
	for i := range dst {
		for f.pos == len(f.out) {
			f.step()
		}
		dst[i] = f.out[f.pos]
		f.pos++
	}
}

// step produces the rows that arrive during the next second: released late
// rows first, then the vehicles due now (some of which are held back).
func (f *Fleet) step() {
	f.out, f.pos = f.out[:0], 0
	sec := f.sec
	f.sec++
	for i := 0; i < len(f.late); {
		if f.late[i].release <= sec {
			f.out = append(f.out, f.late[i].row)
			f.late[i] = f.late[len(f.late)-1]
			f.late = f.late[:len(f.late)-1]
			continue
		}
		i++
	}
	slot := sec % maxInterval
	due := f.wheel[slot]
	f.wheel[slot] = f.spare[:0]
	hour := float64((f.start+sec)%86400) / 3600
	day := dayOf(hour)
	for _, v := range due {
		s := &f.state[v]
		next := (slot + s.interval) % maxInterval
		f.wheel[next] = append(f.wheel[next], v)
		row := f.report(v, s, day, sec)
		if f.rng.Float64() < lateFraction {
			f.late = append(f.late, lateRow{release: sec + lateMin + f.rng.Int64N(lateSpan), row: row})
			continue
		}
		f.out = append(f.out, row)
	}
	f.spare = due
}

// drivingFactor is the share of its cruise speed a vehicle aims for at an
// hour of the day: parked at night, rush hours in the morning and evening.
func drivingFactor(hour float64) float64 {
	if hour < nightEnd || hour > nightStart {
		return 0
	}
	rush := math.Exp(-sq(hour-8)/2) + math.Exp(-sq(hour-17.5)/2)
	return 0.35 + 0.65*math.Min(1, rush)
}

func sq(x float64) float64 { return x * x }

// daytime is what the time of day means for every vehicle in one step.
type daytime struct {
	driving float64 // drivingFactor
	night   bool    // parked electric vehicles charge
	ambient float64 // °C
}

func dayOf(hour float64) daytime {
	return daytime{driving: drivingFactor(hour), night: hour < nightEnd || hour > nightStart,
		ambient: 12 + 8*math.Sin((hour-9)*math.Pi/12)}
}

// report advances vehicle v by its interval and returns its row.
func (f *Fleet) report(v int32, s *vehicleState, day daytime, sec int64) VehicleRow {
	dt := float64(s.interval)
	electric := f.Tags[v].Electric
	target := s.cruise * day.driving
	sp := s.vals[Speed] + (target-s.vals[Speed])*0.1*dt + f.rng.NormFloat64()*3
	if target == 0 && sp < 2 {
		sp = 0
	}
	sp = math.Max(0, math.Min(180, sp))
	s.vals[Speed] = sp
	s.heading = math.Mod(s.heading+f.rng.NormFloat64()*4*math.Sqrt(dt)+360, 360)
	km := sp / 3600 * dt
	s.vals[Latitude] += km / 111 * math.Cos(s.heading*math.Pi/180)
	s.vals[Longitude] += km / 74 * math.Sin(s.heading*math.Pi/180)
	s.vals[Mileage] += km
	s.vals[Emission] = 95 + 0.9*sp + f.rng.NormFloat64()*4
	if electric {
		if sp == 0 && day.night {
			s.vals[Battery] = math.Min(100, s.vals[Battery]+0.004*dt) // charging overnight
		} else {
			s.vals[Battery] = math.Max(3, s.vals[Battery]-km*0.18)
		}
	}
	want := day.ambient
	if sp > 0 {
		want = 88 + sp*0.05
		if electric {
			want = 40 + sp*0.1
		}
	}
	s.vals[EngineTemp] += (want-s.vals[EngineTemp])*math.Min(1, 0.02*dt) + f.rng.NormFloat64()*0.3

	r := VehicleRow{Time: (f.start + sec) * 1_000_000, Vehicle: v}
	r.Values[Speed] = round(sp, 1)
	r.Values[Latitude] = round(s.vals[Latitude], 6)
	r.Values[Longitude] = round(s.vals[Longitude], 6)
	r.Values[Mileage] = round(s.vals[Mileage], 1)
	r.Values[Emission] = round(s.vals[Emission], 1)
	r.Values[Battery] = round(s.vals[Battery], 1)
	r.Values[EngineTemp] = round(s.vals[EngineTemp], 1)
	if electric {
		r.Nulls |= 1 << Emission
	} else {
		r.Nulls |= 1 << Battery
	}
	if f.rng.Float64() < dropoutFraction {
		switch f.rng.IntN(3) {
		case 0: // GPS fix lost
			r.Nulls |= 1<<Latitude | 1<<Longitude
		case 1:
			r.Nulls |= 1 << Speed
		default:
			r.Nulls |= 1 << EngineTemp
		}
	}
	return r
}
