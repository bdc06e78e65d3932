package continuous

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/sql/pgerr"
)

// Engine is what the scheduler needs from the SQL engine; *sql.DB
// implements it.
type Engine interface {
	// Catalog is the live catalog: job definitions, run state, errors.
	Catalog() *catalog.Store
	// RunJob executes one run of job id and returns the backend pid it
	// ran under and its error.
	RunJob(ctx context.Context, id int32) (pid int32, err error)
}

// Options configure a Scheduler.
type Options struct {
	// Logger receives run failures and bookkeeping errors; nil uses
	// slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil uses time.Now (tests pass a fake one).
	Now func() time.Time
	// Workers bounds how many jobs run at once; 0 means defaultWorkers.
	Workers int
}

// defaultWorkers is how many jobs run at once by default (TimescaleDB's
// timescaledb.max_background_workers defaults to 16 per instance; tsgres
// jobs are few and mostly I/O, a handful is plenty).
const defaultWorkers = 4

// maxSleep is the longest the scheduler sleeps without any wake-up, a
// fallback should a signal ever be missed.
const maxSleep = time.Minute

// crashMessage is TimescaleDB's job_errors text for a run cut off by a crash.
const crashMessage = "job crash detected, see server logs"

// Scheduler runs background jobs on their schedules.
type Scheduler struct {
	eng     Engine
	cat     *catalog.Store
	log     *slog.Logger
	now     func() time.Time
	workers int

	ctx    context.Context
	cancel context.CancelFunc
	loop   sync.WaitGroup // the scheduling loop
	runs   sync.WaitGroup // running jobs
	ended  chan struct{}  // a run ended: look again

	mu      sync.Mutex
	running map[int32]bool
}

// New returns a scheduler for eng; call Start to run it.
func New(eng Engine, opts Options) *Scheduler {
	s := &Scheduler{eng: eng, cat: eng.Catalog(), log: opts.Logger, now: opts.Now, workers: opts.Workers,
		ended: make(chan struct{}, 1), running: map[int32]bool{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.workers <= 0 {
		s.workers = defaultWorkers
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Start records runs a crash cut off and starts the scheduling loop.
func (s *Scheduler) Start() error {
	if err := s.recoverCrashed(); err != nil {
		return err
	}
	s.loop.Add(1)
	go s.run()
	return nil
}

// Stop ends the loop, cancels running jobs and waits for them to record
// their end.
func (s *Scheduler) Stop() {
	s.cancel()
	s.loop.Wait()
	s.runs.Wait()
}

func (s *Scheduler) run() {
	defer s.loop.Done()
	for {
		wait := s.tick()
		timer := time.NewTimer(min(wait, maxSleep))
		select {
		case <-s.ctx.Done():
			timer.Stop()
			return
		case <-s.cat.JobsChanged():
		case <-s.ended:
		case <-timer.C:
		}
		timer.Stop()
	}
}

func (s *Scheduler) nowMicros() int64 { return s.now().UnixMicro() }

// tick starts every due job that is not running (as many as workers
// allow) and returns how long until the next job is due.
func (s *Scheduler) tick() time.Duration {
	now := s.nowMicros()
	next := maxSleep
	for _, j := range s.cat.Snapshot().Jobs(0) {
		if !j.Scheduled || s.isRunning(j.ID) {
			continue
		}
		st, err := s.cat.JobStats(j.ID)
		if err != nil {
			s.log.Error("read job run state", "job", j.ID, "err", err)
			continue
		}
		due := j.NextStart(&st)
		if due > now {
			next = min(next, time.Duration(due-now)*time.Microsecond)
			continue
		}
		if !s.launch(j) {
			return next // all workers busy: the end of a run wakes us
		}
	}
	return next
}

func (s *Scheduler) isRunning(id int32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[id]
}

// launch starts a run of j unless all workers are busy.
func (s *Scheduler) launch(j *catalog.Job) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.running) >= s.workers {
		return false
	}
	s.running[j.ID] = true
	s.runs.Add(1)
	go func() {
		defer s.runs.Done()
		s.execute(j.ID)
		s.mu.Lock()
		delete(s.running, j.ID)
		s.mu.Unlock()
		select {
		case s.ended <- struct{}{}:
		default:
		}
	}()
	return true
}

// execute runs job id once and records the outcome.
func (s *Scheduler) execute(id int32) {
	start := s.nowMicros()
	err := s.cat.UpdateJobStats(id, func(st *catalog.JobStats) {
		st.LastStart = start
		st.TotalRuns++
	})
	if err != nil {
		s.log.Error("record job start", "job", id, "err", err)
		return
	}
	pid, runErr := s.eng.RunJob(s.ctx, id)
	shutdown := runErr != nil && s.ctx.Err() != nil
	if shutdown {
		runErr = pgerr.New(pgerr.AdminShutdown, "job %d canceled by server shutdown", id)
	}
	s.finish(id, pid, start, runErr, shutdown)
}

// finish records the end of a run that started at start. A run cut off
// by shutdown is due again at once (after the restart).
func (s *Scheduler) finish(id, pid int32, start int64, runErr error, shutdown bool) {
	end := s.nowMicros()
	j := s.cat.Snapshot().Job(id) // the definition may have changed during the run
	if j == nil {
		return
	}
	var failures int64
	err := s.cat.UpdateJobStats(id, func(st *catalog.JobStats) {
		st.LastFinish = end
		st.TotalDuration += end - start
		st.LastRunSuccess = runErr == nil
		if runErr == nil {
			st.LastSuccessfulFinish = end
			st.TotalSuccesses++
			st.ConsecutiveFailures = 0
			st.NextStart = nextOnSuccess(j, end)
			return
		}
		st.TotalFailures++
		st.ConsecutiveFailures++
		failures = st.ConsecutiveFailures
		st.NextStart = nextOnFailure(j, end, st.ConsecutiveFailures)
		if shutdown {
			st.NextStart = end
		}
	})
	if err != nil {
		s.log.Error("record job end", "job", id, "err", err)
	}
	if runErr == nil {
		return
	}
	s.log.Warn("job failed", "job", id, "proc", j.ProcName, "err", runErr)
	s.recordError(j, pid, start, end, runErr)
	if j.MaxRetries >= 0 && failures > int64(j.MaxRetries) {
		s.log.Warn(fmt.Sprintf("job %d reached max_retries after %d consecutive failures; pausing it", id, failures))
		if err := s.cat.SetJobScheduled(id, false); err != nil {
			s.log.Error("pause job", "job", id, "err", err)
		}
	}
}

// recordError adds a failed run to the job error log.
func (s *Scheduler) recordError(j *catalog.Job, pid int32, start, end int64, runErr error) {
	e := catalog.JobError{JobID: j.ID, DB: j.DB, ProcSchema: j.ProcSchema, ProcName: j.ProcName, PID: pid,
		Start: start, Finish: end, Message: runErr.Error()}
	var pe *pgerr.Error
	if errors.As(runErr, &pe) {
		e.SQLState = string(pe.Code)
	}
	if err := s.cat.AddJobError(e); err != nil {
		s.log.Error("record job error", "job", j.ID, "err", err)
	}
}

// recoverCrashed finishes runs left marked running by a crash: each
// counts as failed, is logged as a crash and is retried at once.
func (s *Scheduler) recoverCrashed() error {
	now := s.nowMicros()
	for _, j := range s.cat.Snapshot().Jobs(0) {
		st, err := s.cat.JobStats(j.ID)
		if err != nil {
			return fmt.Errorf("read run state of job %d: %w", j.ID, err)
		}
		if !st.Running() {
			continue
		}
		err = s.cat.UpdateJobStats(j.ID, func(st *catalog.JobStats) {
			st.LastFinish = now
			st.LastRunSuccess = false
			st.TotalFailures++
			st.ConsecutiveFailures++
			st.NextStart = now
		})
		if err != nil {
			return fmt.Errorf("recover job %d: %w", j.ID, err)
		}
		s.recordError(j, 0, st.LastStart, now, errors.New(crashMessage))
	}
	return nil
}
