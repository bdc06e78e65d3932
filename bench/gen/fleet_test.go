package gen

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func fleetRows(seed uint64, vehicles, n int) (*Fleet, []VehicleRow) {
	f := NewFleet(seed, vehicles, t0)
	rows := make([]VehicleRow, n)
	f.Fill(rows)
	return f, rows
}

func TestFleetDeterministicAcrossChunks(t *testing.T) {
	_, a := fleetRows(3, 20, 50_000)
	f := NewFleet(3, 20, t0)
	b := make([]VehicleRow, 0, len(a))
	for len(b) < len(a) {
		chunk := make([]VehicleRow, min(777, len(a)-len(b)))
		f.Fill(chunk)
		b = append(b, chunk...)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("chunked generation differs from one-shot generation")
	}
	if _, c := fleetRows(4, 20, 100); reflect.DeepEqual(a[:100], c) {
		t.Fatal("different seeds gave the same rows")
	}
}

func TestFleetRealism(t *testing.T) {
	const vehicles = 30
	f, rows := fleetRows(1, vehicles, 200_000)
	lastTime := make(map[int32]int64)
	lastMileage := make(map[int32]float64)
	var late, nulls, emissionNull, batteryNull int
	var maxArrival int64
	for i, r := range rows {
		if r.Time < maxArrival {
			late++
		}
		maxArrival = max(maxArrival, r.Time)
		if prev, ok := lastTime[r.Vehicle]; ok && r.Time > prev {
			// In-order successors are whole intervals apart (more than
			// one when the rows between arrive late).
			iv := f.state[r.Vehicle].interval
			if gap := (r.Time - prev) / 1e6; iv < 1 || iv > maxInterval || gap%iv != 0 {
				t.Fatalf("row %d: vehicle %d gap %d s, interval %d s", i, r.Vehicle, gap, iv)
			}
		}
		lastTime[r.Vehicle] = max(lastTime[r.Vehicle], r.Time)
		if m := r.Values[Mileage]; r.Time >= lastTime[r.Vehicle] && m < lastMileage[r.Vehicle] {
			t.Fatalf("row %d: mileage went down %v -> %v", i, lastMileage[r.Vehicle], m)
		} else if r.Time >= lastTime[r.Vehicle] {
			lastMileage[r.Vehicle] = m
		}
		if sp := r.Values[Speed]; sp < 0 || sp > 180 {
			t.Fatalf("row %d: speed %v", i, sp)
		}
		if r.Nulls != 0 {
			nulls++
		}
		if r.IsNull(Emission) {
			emissionNull++
		}
		if r.IsNull(Battery) {
			batteryNull++
		}
		if r.IsNull(Emission) == r.IsNull(Battery) {
			t.Fatalf("row %d: exactly one of emission and battery must be NULL", i)
		}
	}
	if frac := float64(late) / float64(len(rows)); frac < 0.005 || frac > 0.02 {
		t.Errorf("late rows %.3f%%, want about 1%%", 100*frac)
	}
	if emissionNull == 0 || batteryNull == 0 {
		t.Errorf("want both electric and combustion vehicles: %d, %d", emissionNull, batteryNull)
	}
	if len(lastTime) != vehicles {
		t.Errorf("%d vehicles reported, want %d", len(lastTime), vehicles)
	}
	if got, want := float64(len(rows))/(float64(maxArrival-rows[0].Time)/1e6), f.RowsPerSecond(); got < 0.9*want || got > 1.1*want {
		t.Errorf("rate %.2f rows/s, want about %.2f", got, want)
	}
}

func TestFleetEncodings(t *testing.T) {
	f, rows := fleetRows(1, 3, 40)
	var r *VehicleRow
	for i := range rows {
		if rows[i].IsNull(Emission) {
			r = &rows[i]
			break
		}
	}
	if r == nil {
		t.Skip("no electric vehicle in sample")
	}
	text := string(f.AppendText(nil, r))
	if fields := strings.Split(strings.TrimSuffix(text, "\n"), "\t"); len(fields) != len(VehicleColumns) || fields[8] != `\N` {
		t.Fatalf("text line %q", text)
	}
	if !strings.HasSuffix(strings.Split(text, "\t")[0], "+00") {
		t.Fatalf("timestamp %q", text)
	}
	sql := string(f.AppendSQL(nil, r))
	if !strings.HasPrefix(sql, "('") || !strings.Contains(sql, ",NULL,") {
		t.Fatalf("sql %q", sql)
	}
	bin := f.AppendBinary(nil, r)
	if got := int(bin[0])<<8 | int(bin[1]); got != len(VehicleColumns) {
		t.Fatalf("binary tuple has %d fields", got)
	}
	if vals := f.VehicleValues(nil, r); len(vals) != len(VehicleColumns) || vals[8] != nil {
		t.Fatalf("values %v", vals)
	}
	if !bytes.HasPrefix(BinaryHeader, []byte("PGCOPY\n\xff\r\n\x00")) || len(BinaryHeader) != 19 {
		t.Fatal("binary header")
	}
}

func TestReadings(t *testing.T) {
	g := NewReadings(1, 5, t0, 10*1e9)
	rows := make([]ReadingRow, 5*len(MetricNames)*3)
	g.Fill(rows)
	for i, r := range rows {
		tick := int64(i / (5 * len(MetricNames)))
		if r.Time != t0.UnixMicro()+tick*10_000_000 || int(r.Metric) != i%len(MetricNames) {
			t.Fatalf("row %d: %+v", i, r)
		}
	}
	h := NewReadings(1, 5, t0, 10*1e9)
	again := make([]ReadingRow, len(rows))
	h.Fill(again)
	if !reflect.DeepEqual(rows, again) {
		t.Fatal("not deterministic")
	}
	if vals := ReadingValues(nil, &rows[0]); len(vals) != len(ReadingColumns) {
		t.Fatalf("values %v", vals)
	}
}

func BenchmarkFleet(b *testing.B) {
	f := NewFleet(1, 1000, t0)
	rows := make([]VehicleRow, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		f.Fill(rows)
	}
	b.ReportMetric(float64(len(rows))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
