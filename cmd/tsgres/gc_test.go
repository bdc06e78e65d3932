package main

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		live, floor uint64
		want        int
	}{
		{0, 64 * mib, maxGCPercent},
		{1 * mib, 64 * mib, maxGCPercent}, // 6300 capped
		{10 * mib, 64 * mib, 540},
		{30 * mib, 64 * mib, 113},
		{32 * mib, 64 * mib, 100},
		{40 * mib, 64 * mib, 100}, // twice the live heap is above the floor
		{4096 * mib, 64 * mib, 100},
	} {
		if got := gcPercentFor(tc.live, tc.floor); got != tc.want {
			t.Errorf("gcPercentFor(%d MiB, %d MiB) = %d, want %d", tc.live/mib, tc.floor/mib, got, tc.want)
		}
	}
}

// TestHeapFloorTunes checks that collections re-arm the tuner and that
// it raises GOGC for this test's small heap.
func TestHeapFloorTunes(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	startHeapFloor(256<<20, false)
	for i := 0; i < 3; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the finalizer goroutine runs adjust
	}
	if p := debug.SetGCPercent(100); p <= 100 {
		t.Fatalf("GOGC after collections with a 256 MiB floor: %d, want above 100", p)
	}
}

func TestGCFloorFlag(t *testing.T) {
	t.Setenv("TSGRES_GC_HEAP_FLOOR_MB", "")
	var out, errOut bytes.Buffer
	cfg, err := parseFlags(nil, &out, &errOut)
	if err != nil || cfg.gcFloorMB != 64 {
		t.Fatalf("default: %d, %v", cfg.gcFloorMB, err)
	}
	t.Setenv("TSGRES_GC_HEAP_FLOOR_MB", "0")
	if cfg, err = parseFlags(nil, &out, &errOut); err != nil || cfg.gcFloorMB != 0 {
		t.Fatalf("env 0: %d, %v", cfg.gcFloorMB, err)
	}
	if _, err = parseFlags([]string{"--gc-heap-floor-mb", "-1"}, &out, &errOut); err == nil {
		t.Fatal("negative floor accepted")
	}
}
