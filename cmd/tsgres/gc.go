package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The garbage collector's pacing for a server with a small live heap.
// With GOGC=100 the next collection starts once the heap has grown by
// its live size; tsgres's live heap is often a few tens of MiB (the
// block cache lives outside it) while one query allocates a few MiB, so
// the collector ran every few queries and took a third of a small
// query's CPU (TSBS lastpoint at scale 100: 1.8-2.0 ms of server CPU per
// query at GOGC=100, 0.9-1.2 ms at 400). heapFloor keeps the heap goal
// at least floor bytes: after every collection it sets GOGC so that the
// goal is max(floor, twice the live heap), between 100 and maxGCPercent.
// A large live heap therefore runs at Go's default; memory grows by at
// most floor. A GOGC given in the environment wins (no tuning).

// maxGCPercent bounds the GOGC heapFloor sets (a tiny live heap would
// otherwise ask for thousands).
const maxGCPercent = 1000

// heapFloor tunes GOGC after each collection (see above).
type heapFloor struct {
	floor   uint64
	sample  []metrics.Sample
	percent int
}

// startHeapFloor starts tuning with floor bytes; floor 0, or GOGC set in
// the environment, leaves the collector alone.
func startHeapFloor(floor uint64, gogcSet bool) {
	if floor == 0 || gogcSet {
		return
	}
	h := &heapFloor{floor: floor, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}, percent: 100}
	h.adjust()
	h.arm()
}

// gcSentinel is garbage whose finalizer runs once per collection.
type gcSentinel struct{ h *heapFloor }

// arm leaves a sentinel for the next collection to find.
func (h *heapFloor) arm() {
	runtime.SetFinalizer(&gcSentinel{h: h}, func(s *gcSentinel) {
		s.h.adjust()
		s.h.arm()
	})
}

// adjust sets GOGC from the live heap the last collection left.
func (h *heapFloor) adjust() {
	metrics.Read(h.sample)
	var live uint64
	if h.sample[0].Value.Kind() == metrics.KindUint64 {
		live = h.sample[0].Value.Uint64()
	}
	p := gcPercentFor(live, h.floor)
	if p != h.percent {
		debug.SetGCPercent(p)
		h.percent = p
	}
}

// gcPercentFor is the GOGC that makes the heap goal max(floor, 2*live),
// within [100, maxGCPercent].
func gcPercentFor(live, floor uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	if floor <= 2*live {
		return 100
	}
	p := (floor - live) * 100 / live
	if p > maxGCPercent {
		return maxGCPercent
	}
	return max(int(p), 100)
}
