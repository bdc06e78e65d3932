package gen

import (
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func TestSensorsDeterministic(t *testing.T) {
	a := NewSensors(42, 10, t0, time.Second).Rows(1000)
	b := NewSensors(42, 10, t0, time.Second).Rows(1000)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different rows")
	}
	c := NewSensors(43, 10, t0, time.Second).Rows(10)
	if reflect.DeepEqual(a[:10], c) {
		t.Fatal("different seeds gave the same rows")
	}
	for i, r := range a {
		if len(r) != len(SensorColumns) {
			t.Fatalf("row %d has %d values", i, len(r))
		}
		if want := t0.Add(time.Duration(i/10) * time.Second); !r[0].(time.Time).Equal(want) || r[1].(int32) != int32(i%10) {
			t.Fatalf("row %d: time %v device %v", i, r[0], r[1])
		}
		if temp := r[2].(float64); temp < 0 || temp > 50 || temp != float64(int64(temp*100+0.5*sign(temp)))/100 {
			t.Fatalf("row %d: temperature %v unrealistic or not 2 decimals", i, temp)
		}
	}
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

func BenchmarkSensors(b *testing.B) {
	g := NewSensors(1, 100, t0, time.Second)
	var m [NumMetrics]float64
	b.ReportAllocs()
	for b.Loop() {
		g.Next(&m)
	}
}
