package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// rssSampleEvery is how often the memory watcher samples VmRSS, as a
// fallback when VmHWM cannot be reset.
const rssSampleEvery = 20 * time.Millisecond

// memWatch measures a process's peak resident set size over a phase.
// Start resets the kernel's high-water mark (clear_refs 5) when it may;
// Stop returns the larger of VmHWM and the sampled VmRSS maximum.
type memWatch struct {
	pid   int
	reset bool
	stop  chan struct{}
	wg    sync.WaitGroup
	peak  int64
}

func watchMemory(pid int) *memWatch {
	w := &memWatch{pid: pid, stop: make(chan struct{})}
	if pid == 0 {
		return w
	}
	w.reset = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(rssSampleEvery)
		defer t.Stop()
		for {
			w.peak = max(w.peak, procStatus(pid, "VmRSS"))
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// Stop ends the phase and returns its peak RSS in bytes (0 without a pid).
func (w *memWatch) Stop() int64 {
	if w.pid == 0 {
		return 0
	}
	close(w.stop)
	w.wg.Wait()
	if w.reset {
		w.peak = max(w.peak, procStatus(w.pid, "VmHWM"))
	}
	return w.peak
}

// procStatus returns a /proc/<pid>/status size field in bytes (0 if absent).
func procStatus(pid int, field string) int64 {
	return procStatusFile(fmt.Sprintf("/proc/%d/status", pid), field)
}

// dirSize returns the bytes allocated on disk under dir (du).
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok {
				n += st.Blocks * 512
			}
		}
		return nil
	})
	return n
}

// walSize returns the bytes of the pebble write-ahead log files under dir.
func walSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".log") {
			n += dirSize(path)
		}
		return nil
	})
	return n
}

// Settling: the data directory counts as settled when its size has not
// changed for settleStable consecutive polls, or after settleMax.
const (
	settlePoll   = time.Second
	settleStable = 3
	settleMax    = 3 * time.Minute
)

// settledSize waits for background merges in dir to finish and returns
// the directory's size and how long that took.
func settledSize(dir string) (int64, time.Duration) {
	start := time.Now()
	last, same := dirSize(dir), 0
	for same < settleStable && time.Since(start) < settleMax {
		time.Sleep(settlePoll)
		n := dirSize(dir)
		if n == last {
			same++
		} else {
			same = 0
		}
		last = n
	}
	return last, time.Since(start)
}

// machine describes where the benchmark ran.
func machine() map[string]any {
	m := map[string]any{"cores": runtime.NumCPU(), "go": runtime.Version(), "os": runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m["cpu"] = strings.TrimSpace(v)
				break
			}
		}
	}
	if n := procStatusFile("/proc/meminfo", "MemTotal"); n > 0 {
		m["memory_gb"] = float64(n) / (1 << 30)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m["kernel"] = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m["loadavg_at_start"] = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return m
}

// procStatusFile reads a "Name: N kB" field of a /proc file in bytes.
func procStatusFile(path, field string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == field {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
