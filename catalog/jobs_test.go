package catalog

import (
	"reflect"
	"testing"

	"github.com/tsgres/tsgres/sql/types"
)

// woken reports whether JobsChanged holds a signal, consuming it.
func woken(s *Store) bool {
	select {
	case <-s.JobsChanged():
		return true
	default:
		return false
	}
}

func TestJobsLifecycle(t *testing.T) {
	e := newEnv(t)
	pg := e.dbOID(DefaultDatabase)
	h := e.newHyper("h", types.Timestamptz, week, 0, nil)
	var a, b *Job
	e.ddl(func(w *Writer) {
		a = &Job{DB: pg, AppName: "Compression Policy", ProcName: "policy_compression", HypertableOID: h.OID, Scheduled: true, Created: 1}
		b = &Job{DB: pg, AppName: "User-Defined Action", ProcName: "my_proc", Scheduled: true, Created: 2}
		must(t, w.PutJob(a))
		must(t, w.PutJob(b))
	})
	if a.ID != FirstJobID || b.ID != FirstJobID+1 {
		t.Fatalf("job ids = %d, %d, want %d, %d", a.ID, b.ID, FirstJobID, FirstJobID+1)
	}
	if a.ApplicationName() != "Compression Policy [1000]" {
		t.Fatalf("ApplicationName = %q", a.ApplicationName())
	}
	if !woken(e.cat) {
		t.Fatal("adding jobs did not wake the scheduler")
	}
	if woken(e.cat) {
		t.Fatal("JobsChanged holds more than one signal")
	}

	// alter_job: a new version replaces the old one.
	e.ddl(func(w *Writer) {
		c := *w.Snapshot().Job(a.ID)
		c.ScheduleInterval = types.Interval{Micros: 3600 * second}
		c.Config = `{"compress_after": "7 days"}`
		must(t, w.PutJob(&c))
	})
	if !woken(e.cat) {
		t.Fatal("altering a job did not wake the scheduler")
	}
	must(t, e.cat.SetJobScheduled(b.ID, false))
	if !woken(e.cat) {
		t.Fatal("SetJobScheduled did not wake the scheduler")
	}
	must(t, e.cat.SetJobScheduled(4242, false)) // a missing job is left alone

	check := func(round string) {
		s := e.cat.Snapshot()
		ja, jb := s.Job(a.ID), s.Job(b.ID)
		if ja == nil || ja.Config != `{"compress_after": "7 days"}` || ja.ScheduleInterval.Micros != 3600*second || !ja.Scheduled {
			t.Fatalf("%s: altered job = %+v", round, ja)
		}
		if jb == nil || jb.Scheduled {
			t.Fatalf("%s: paused job = %+v", round, jb)
		}
		if got := s.Jobs(0); len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID {
			t.Fatalf("%s: Jobs = %+v", round, got)
		}
		if got := s.JobsFor("policy_compression", h.OID); len(got) != 1 || got[0].ID != a.ID {
			t.Fatalf("%s: JobsFor = %+v", round, got)
		}
	}
	check("published")
	e.reopen()
	check("reopened")

	e.ddl(func(w *Writer) { must(t, w.DeleteJob(a.ID)) })
	if !woken(e.cat) {
		t.Fatal("deleting a job did not wake the scheduler")
	}
	e.reopen()
	if s := e.cat.Snapshot(); s.Job(a.ID) != nil || len(s.Jobs(pg)) != 1 {
		t.Fatal("deleted job still there after reopen")
	}
	// Ids are not reused.
	var c *Job
	e.ddl(func(w *Writer) {
		c = &Job{DB: pg, AppName: "x"}
		must(t, w.PutJob(c))
	})
	if c.ID <= b.ID {
		t.Fatalf("new job id %d reuses an old one (last was %d)", c.ID, b.ID)
	}
}

func TestJobStats(t *testing.T) {
	e := newEnv(t)
	pg := e.dbOID(DefaultDatabase)
	var j *Job
	e.ddl(func(w *Writer) {
		j = &Job{DB: pg, AppName: "j", Created: 100}
		must(t, w.PutJob(j))
	})
	st, err := e.cat.JobStats(j.ID)
	must(t, err)
	if st != (JobStats{}) {
		t.Fatalf("stats of a job that never ran = %+v", st)
	}
	run := func(st *JobStats) {
		st.LastStart, st.LastFinish, st.LastSuccessfulFinish = 1000, 1500, 1500
		st.LastRunSuccess = true
		st.NextStart = 5000
		st.TotalRuns++
		st.TotalSuccesses++
		st.TotalDuration += 500
	}
	must(t, e.cat.UpdateJobStats(j.ID, run))
	must(t, e.cat.UpdateJobStats(j.ID, run))
	want := JobStats{LastStart: 1000, LastFinish: 1500, LastSuccessfulFinish: 1500, LastRunSuccess: true,
		NextStart: 5000, TotalRuns: 2, TotalSuccesses: 2, TotalDuration: 1000}
	e.reopen()
	st, err = e.cat.JobStats(j.ID)
	must(t, err)
	if st != want {
		t.Fatalf("stats after reopen = %+v, want %+v", st, want)
	}
	if st.Running() {
		t.Fatal("a finished run counts as running")
	}
	if r := (JobStats{LastStart: 2, LastFinish: 1}); !r.Running() {
		t.Fatal("a started run does not count as running")
	}

	// alter_job next_start: transactional with the writer.
	txn := e.db.Begin()
	w := e.cat.BeginDDL(txn)
	must(t, w.SetJobNextStart(j.ID, 9000))
	w.Abort()
	txn.Rollback()
	if st, _ = e.cat.JobStats(j.ID); st.NextStart != 5000 {
		t.Fatalf("aborted SetJobNextStart changed next start to %d", st.NextStart)
	}
	woken(e.cat)
	e.ddl(func(w *Writer) { must(t, w.SetJobNextStart(j.ID, 9000)) })
	if !woken(e.cat) {
		t.Fatal("SetJobNextStart did not wake the scheduler")
	}
	want.NextStart = 9000
	if st, _ = e.cat.JobStats(j.ID); st != want {
		t.Fatalf("after SetJobNextStart stats = %+v, want %+v", st, want)
	}

	// Deleting the job deletes its run state; updates then do nothing.
	e.ddl(func(w *Writer) { must(t, w.DeleteJob(j.ID)) })
	must(t, e.cat.UpdateJobStats(j.ID, run))
	if st, _ = e.cat.JobStats(j.ID); st != (JobStats{}) {
		t.Fatalf("stats of a deleted job = %+v", st)
	}
}

func TestJobNextStart(t *testing.T) {
	initial := int64(7000)
	tests := []struct {
		name string
		job  Job
		st   JobStats
		want int64
	}{
		{"new job is due at creation", Job{Created: 100}, JobStats{}, 100},
		{"initial start", Job{Created: 100, InitialStart: &initial}, JobStats{}, 7000},
		{"scheduler's next start wins", Job{Created: 100, InitialStart: &initial}, JobStats{NextStart: 9000}, 9000},
		{"next start without initial start", Job{Created: 100}, JobStats{NextStart: 50}, 50},
	}
	for _, tc := range tests {
		if got := tc.job.NextStart(&tc.st); got != tc.want {
			t.Errorf("%s: NextStart = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestJobErrors(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < maxJobErrors+5; i++ {
		must(t, e.cat.AddJobError(JobError{JobID: 1000, DB: 7, ProcName: "p", Start: int64(i), Finish: int64(i) + 1, SQLState: "XX000", Message: "boom"}))
	}
	must(t, e.cat.AddJobError(JobError{JobID: 1001, DB: 6, Start: 3, Message: "other"}))
	e.reopen()
	all, err := e.cat.JobErrors(0)
	must(t, err)
	if len(all) != maxJobErrors+1 {
		t.Fatalf("%d errors kept, want %d", len(all), maxJobErrors+1)
	}
	// The oldest records of job 1000 were pruned; the rest are oldest first.
	if all[0].Start != 5 || all[maxJobErrors-1].Start != maxJobErrors+4 || all[0].Message != "boom" || all[0].SQLState != "XX000" {
		t.Fatalf("kept errors of job 1000 run from %+v to %+v", all[0], all[maxJobErrors-1])
	}
	six, err := e.cat.JobErrors(6)
	must(t, err)
	if want := []JobError{{JobID: 1001, DB: 6, Start: 3, Message: "other"}}; !reflect.DeepEqual(six, want) {
		t.Fatalf("errors of database 6 = %+v, want %+v", six, want)
	}
	// Error records outlive their job.
	pg := e.dbOID(DefaultDatabase)
	var j *Job
	e.ddl(func(w *Writer) {
		j = &Job{DB: pg, AppName: "j"}
		must(t, w.PutJob(j))
	})
	must(t, e.cat.AddJobError(JobError{JobID: j.ID, DB: pg, Start: 1}))
	e.ddl(func(w *Writer) { must(t, w.DeleteJob(j.ID)) })
	if got, _ := e.cat.JobErrors(pg); len(got) != 1 || got[0].JobID != j.ID {
		t.Fatalf("errors after deleting the job = %+v", got)
	}
}
