package continuous_test

import (
	"encoding/json"
	"testing"

	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// TestParsePolicyConfig checks the config a retention or compression
// policy reads, and its errors.
func TestParsePolicyConfig(t *testing.T) {
	pc, err := continuous.ParsePolicyConfig(`{"drop_after": "7 days", "hypertable_id": 3}`)
	if err != nil || pc.HypertableID != 3 || string(pc.DropAfter) != `"7 days"` {
		t.Fatalf("got %+v, %v", pc, err)
	}
	for _, c := range []struct{ cfg, msg string }{
		{"", "config must not be NULL"},
		{"{", "invalid job config: unexpected end of JSON input"},
		{`{"drop_after": "7 days"}`, "could not find hypertable_id in config for job"},
	} {
		_, err := continuous.ParsePolicyConfig(c.cfg)
		if pgerr.CodeOf(err) != pgerr.InvalidParameterValue || err.Error() != c.msg {
			t.Errorf("ParsePolicyConfig(%q) = %v (%s), want %q", c.cfg, err, pgerr.CodeOf(err), c.msg)
		}
	}
}

// TestLagLiteral checks how a stored drop_after/compress_after becomes SQL.
func TestLagLiteral(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{`"7 days"`, "'7 days'::interval"},
		{`"it's"`, "'it''s'::interval"},
		{`10`, "10"},
	} {
		got, err := continuous.LagLiteral(json.RawMessage(c.raw))
		if err != nil || got != c.want {
			t.Errorf("LagLiteral(%s) = %q, %v; want %q", c.raw, got, err, c.want)
		}
	}
	if _, err := continuous.LagLiteral(json.RawMessage(`true`)); pgerr.CodeOf(err) != pgerr.InvalidParameterValue {
		t.Errorf("LagLiteral(true) = %v, want 22023", err)
	}
}

// TestSetStart checks initial_start and timezone arguments.
func TestSetStart(t *testing.T) {
	var j catalog.Job
	if err := continuous.SetStart(&j, int64(42), "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	if j.InitialStart == nil || *j.InitialStart != 42 || j.Timezone != "Europe/Berlin" {
		t.Fatalf("got %+v", j)
	}
	if err := continuous.SetStart(&j, nil, "Mars/Olympus"); pgerr.CodeOf(err) != pgerr.InvalidParameterValue {
		t.Fatalf("bad timezone: %v", err)
	}
}

// TestRefreshPolicyWindow checks the refresh policy's two-bucket rule and
// the job it defines.
func TestRefreshPolicyWindow(t *testing.T) {
	hour := int64(3_600_000_000)
	c := &catalog.Cagg{BucketWidth: hour, TimeType: types.Timestamptz, MatID: 7, MatOID: 70}
	start, end := 3*hour, hour
	if err := continuous.CheckPolicyWindow(c, &start, &end); err != nil {
		t.Fatalf("two buckets: %v", err)
	}
	end = 2 * hour
	if err := continuous.CheckPolicyWindow(c, &start, &end); pgerr.CodeOf(err) != pgerr.InvalidParameterValue {
		t.Fatalf("one bucket: %v", err)
	}
	if err := continuous.CheckPolicyWindow(c, nil, &end); err != nil {
		t.Fatalf("open start: %v", err)
	}
	view := &catalog.Table{Owner: "alice", View: &catalog.View{Cagg: c}}
	sched := types.Interval{Micros: hour}
	j, err := continuous.RefreshPolicyJob(5, view, "3 hours", nil, sched, nil, nil, 99)
	if err != nil {
		t.Fatal(err)
	}
	if j.ProcName != continuous.ProcRefresh || j.Owner != "alice" || j.HypertableOID != 70 || j.Created != 99 ||
		j.MaxRetries != continuous.RetryForever || !continuous.IsPolicy(j) {
		t.Fatalf("job %+v", j)
	}
	if want := `{"end_offset": null, "start_offset": "3 hours", "mat_hypertable_id": 7}`; j.Config != want {
		t.Fatalf("config %s, want %s", j.Config, want)
	}
}
