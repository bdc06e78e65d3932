package continuous

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
	"github.com/tsgres/tsgres/storage"
)

// fakeEngine runs jobs by returning a configured error and counting runs.
type fakeEngine struct {
	cat  *catalog.Store
	mu   sync.Mutex
	runs map[int32]int
	errs map[int32]error
}

func (f *fakeEngine) Catalog() *catalog.Store { return f.cat }

func (f *fakeEngine) RunJob(_ context.Context, id int32) (int32, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs[id]++
	return 4242, f.errs[id]
}

// clock is a fake time source tests advance by hand.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

type env struct {
	t     *testing.T
	st    *storage.DB
	eng   *fakeEngine
	clock *clock
	s     *Scheduler
}

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	st, err := storage.Open("", storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := catalog.Open(st)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, eng: &fakeEngine{cat: cat, runs: map[int32]int{}, errs: map[int32]error{}}, clock: &clock{t: t0}}
	e.s = New(e.eng, Options{Now: e.clock.Now})
	return e
}

// addJob commits a new job definition and returns its id.
func (e *env) addJob(j *catalog.Job) int32 {
	e.t.Helper()
	txn := e.st.Begin()
	w := e.eng.cat.BeginDDL(txn)
	if err := w.PutJob(j); err != nil {
		w.Abort()
		e.t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		w.Abort()
		e.t.Fatal(err)
	}
	w.Publish()
	return j.ID
}

// step runs one scheduling pass at the fake time and waits for the runs
// it started.
func (e *env) step() time.Duration {
	wait := e.s.tick()
	e.s.runs.Wait()
	return wait
}

func (e *env) stats(id int32) catalog.JobStats {
	e.t.Helper()
	st, err := e.eng.cat.JobStats(id)
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func minutes(n int) types.Interval { return types.Interval{Micros: int64(n) * 60_000_000} }

func TestDueJobRunsOnFixedSchedule(t *testing.T) {
	e := newEnv(t)
	start := micros(t0.Add(-90 * time.Second))
	id := e.addJob(&catalog.Job{ProcName: "policy_retention", ScheduleInterval: minutes(1), RetryPeriod: minutes(5),
		MaxRetries: -1, Scheduled: true, FixedSchedule: true, InitialStart: &start, Created: start})
	if id != catalog.FirstJobID {
		t.Fatalf("first job id %d, want %d", id, catalog.FirstJobID)
	}
	e.step()
	st := e.stats(id)
	if e.eng.runs[id] != 1 || st.TotalRuns != 1 || st.TotalSuccesses != 1 || !st.LastRunSuccess {
		t.Fatalf("runs %d, stats %+v", e.eng.runs[id], st)
	}
	// Fixed schedule: start + 2 minutes is the first point after now.
	if want := start + 2*60_000_000; st.NextStart != want {
		t.Fatalf("next start %d, want %d", st.NextStart, want)
	}
	// Not due yet: nothing runs and the scheduler sleeps until then.
	if wait := e.step(); e.eng.runs[id] != 1 || wait != 30*time.Second {
		t.Fatalf("runs %d, wait %v", e.eng.runs[id], wait)
	}
	e.clock.t = t0.Add(31 * time.Second)
	e.step()
	if e.eng.runs[id] != 2 {
		t.Fatalf("runs %d after the next start, want 2", e.eng.runs[id])
	}
}

func TestFailedRunBacksOffAndIsLogged(t *testing.T) {
	e := newEnv(t)
	id := e.addJob(&catalog.Job{ProcName: "policy_compression", ScheduleInterval: minutes(2), RetryPeriod: minutes(3),
		MaxRetries: -1, Scheduled: true, FixedSchedule: true, Created: micros(t0)})
	e.eng.errs[id] = pgerr.New(pgerr.UndefinedFunction, "function compress_chunk does not exist")
	var wantNext []int64
	for i := 1; i <= 4; i++ {
		e.step()
		st := e.stats(id)
		backoff := time.Duration(min(3*i, 10)) * time.Minute // retry * failures, at most 5 intervals
		wantNext = append(wantNext, micros(e.clock.t.Add(backoff)))
		if st.NextStart != wantNext[i-1] || st.ConsecutiveFailures != int64(i) || st.TotalFailures != int64(i) || st.LastRunSuccess {
			t.Fatalf("failure %d: stats %+v, want next start %d", i, st, wantNext[i-1])
		}
		e.clock.t = time.UnixMicro(st.NextStart)
	}
	errs, err := e.eng.cat.JobErrors(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 4 || errs[0].SQLState != "42883" || errs[0].PID != 4242 || errs[0].JobID != id {
		t.Fatalf("job errors %+v", errs)
	}
	// A success resets the failure streak and returns to the schedule.
	delete(e.eng.errs, id)
	e.step()
	if st := e.stats(id); st.ConsecutiveFailures != 0 || st.TotalSuccesses != 1 || st.TotalRuns != 5 {
		t.Fatalf("after success: %+v", st)
	}
}

func TestMaxRetriesPausesJob(t *testing.T) {
	e := newEnv(t)
	id := e.addJob(&catalog.Job{ProcName: "policy_retention", ScheduleInterval: minutes(1), RetryPeriod: minutes(1),
		MaxRetries: 1, Scheduled: true, Created: micros(t0)})
	e.eng.errs[id] = pgerr.New(pgerr.Internal, "boom")
	for i := 0; i < 2; i++ {
		e.step()
		e.clock.t = e.clock.t.Add(time.Hour)
	}
	if j := e.eng.cat.Snapshot().Job(id); j.Scheduled {
		t.Fatal("job still scheduled after exceeding max_retries")
	}
	e.step()
	if e.eng.runs[id] != 2 {
		t.Fatalf("paused job ran: %d runs", e.eng.runs[id])
	}
}

func TestCrashedRunIsRecordedAndRetried(t *testing.T) {
	e := newEnv(t)
	id := e.addJob(&catalog.Job{ProcName: "policy_retention", ScheduleInterval: minutes(60), RetryPeriod: minutes(5),
		MaxRetries: -1, Scheduled: true, Created: micros(t0)})
	// A run started and the process died before it ended.
	if err := e.eng.cat.UpdateJobStats(id, func(st *catalog.JobStats) {
		st.LastStart, st.TotalRuns, st.NextStart = micros(t0), 1, micros(t0.Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	e.clock.t = t0.Add(time.Minute)
	if err := e.s.recoverCrashed(); err != nil {
		t.Fatal(err)
	}
	st := e.stats(id)
	if st.Running() || st.TotalFailures != 1 || st.NextStart != micros(e.clock.t) {
		t.Fatalf("after recovery: %+v", st)
	}
	errs, _ := e.eng.cat.JobErrors(0)
	if len(errs) != 1 || errs[0].Message != crashMessage {
		t.Fatalf("job errors %+v", errs)
	}
	e.step()
	if e.eng.runs[id] != 1 {
		t.Fatalf("crashed job not retried: %d runs", e.eng.runs[id])
	}
}

func TestNextOnSuccessMonths(t *testing.T) {
	origin := micros(time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC))
	j := &catalog.Job{ScheduleInterval: types.Interval{Months: 1}, FixedSchedule: true, InitialStart: &origin}
	got := nextOnSuccess(j, micros(time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)))
	// PostgreSQL: '2024-01-31' + 2 months = 2024-03-31.
	if want := micros(time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)); got != want {
		t.Fatalf("next start %v, want %v", time.UnixMicro(got).UTC(), time.UnixMicro(want).UTC())
	}
	j.FixedSchedule = false
	finish := micros(time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC))
	if got, want := nextOnSuccess(j, finish), micros(time.Date(2024, 4, 5, 10, 0, 0, 0, time.UTC)); got != want {
		t.Fatalf("drifting next start %v, want %v", time.UnixMicro(got).UTC(), time.UnixMicro(want).UTC())
	}
}

func TestStopEndsLoop(t *testing.T) {
	e := newEnv(t)
	if err := e.s.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { e.s.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return")
	}
}
