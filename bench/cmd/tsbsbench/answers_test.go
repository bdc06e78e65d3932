package main

import (
	"os"
	"strings"
	"testing"
)

// runnerOutput imitates tsbs_run_queries_timescaledb --print-responses:
// log lines, pretty-printed answers separated by blank lines, and the
// closing statistics.
const runnerOutput = `time,per. metric/s,metric total
{
  "query": "SELECT 1 -- {not json}",
  "results": [
    {"hostname": "host_1", "tags_id": 7, "max_usage_user": 12.3456789},
    {"hostname": "host_0", "tags_id": 3, "max_usage_user": 99.0000001}
  ]
}

{
  "query": "SELECT 2",
  "results": []
}

Run complete after 2 queries with 1 workers (Overall query rate 10.00 queries/sec):
TimescaleDB max cpu, all eight hosts, random 8h0m0s by 1h:
min:     1.00ms, med:     2.00ms, mean:     2.00ms, max:    3.00ms, stddev:     0.50ms, sum:   0.0sec, count: 2
`

func TestNormalizeAnswers(t *testing.T) {
	got := normalizeAnswers(runnerOutput)
	want := []string{
		`{"hostname":"host_0","max_usage_user":99}` + "\n" + `{"hostname":"host_1","max_usage_user":12.345679}`,
		"",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d answers %q, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("answer %d: got %q, want %q", i, got[i], want[i])
		}
	}
	// The same answer with other tags ids, another row order and float
	// noise below the compared digits is the same.
	other := strings.NewReplacer(`"tags_id": 7`, `"tags_id": 1`, "12.3456789", "12.34567891").Replace(runnerOutput)
	if d := firstDifference(normalizeAnswers(other), got); d != "" {
		t.Errorf("equal answers differ: %s", d)
	}
	changed := strings.Replace(runnerOutput, "host_1", "host_2", 1)
	if d := firstDifference(normalizeAnswers(changed), got); !strings.HasPrefix(d, "query 1:") {
		t.Errorf("changed answer: difference %q", d)
	}
	if d := firstDifference(got[:1], got); d != "1 answers, want 2" {
		t.Errorf("missing answer: difference %q", d)
	}
}

func TestPatchFile(t *testing.T) {
	path := t.TempDir() + "/f.go"
	src := `x := "a"; y := "b"`
	write := func() {
		t.Helper()
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write()
	if err := patchFile(path, [][2]string{{`"a"`, `"c"`}}); err != nil {
		t.Fatal(err)
	}
	write()
	if err := patchFile(path, [][2]string{{`"`, `'`}}); err == nil {
		t.Error("a text occurring more than once was patched")
	}
}
