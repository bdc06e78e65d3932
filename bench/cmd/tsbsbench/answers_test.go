package main

import (
	"fmt"
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
	got := mustRead(t, runnerOutput)
	want := []string{
		`{"hostname":"host_0","max_usage_user":99}` + "\n" + `{"hostname":"host_1","max_usage_user":12.345679}`,
		"",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d answers %v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].text != want[i] {
			t.Errorf("answer %d: got %q, want %q", i, got[i].text, want[i])
		}
	}
	// The same answer with other tags ids, another row order and float
	// noise below the compared digits is the same.
	other := strings.NewReplacer(`"tags_id": 7`, `"tags_id": 1`, "12.3456789", "12.34567891").Replace(runnerOutput)
	if d := firstDifference(mustRead(t, other), got); d != "" {
		t.Errorf("equal answers differ: %s", d)
	}
	changed := strings.Replace(runnerOutput, "host_1", "host_2", 1)
	if d := firstDifference(mustRead(t, changed), got); !strings.HasPrefix(d, "query 1:") {
		t.Errorf("changed answer: difference %q", d)
	}
	if d := firstDifference(got[:1], got); d != "1 answers, want 2" {
		t.Errorf("missing answer: difference %q", d)
	}
}

// TestLargeAnswers checks that answers beyond keptRows rows compare by
// count and hash: equal in another row order, different when one value
// changes.
func TestLargeAnswers(t *testing.T) {
	output := func(n, changed int) string {
		var b strings.Builder
		b.WriteString("{\n  \"query\": \"q\",\n  \"results\": [\n")
		for i := range n {
			v := i
			if i == changed {
				v = -1
			}
			if i > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, "    {\"v\": %d, \"tags_id\": %d}", v, i%7)
		}
		b.WriteString("\n  ]\n}\nmin:     1.00ms, med:     2.00ms\n")
		return b.String()
	}
	n := keptRows * 3
	a := mustRead(t, output(n, -1))
	if len(a) != 1 || a[0].rows != n || a[0].text != "" {
		t.Fatalf("got %d answers, rows %d, text %d bytes", len(a), a[0].rows, len(a[0].text))
	}
	noise := strings.Replace(output(n, -1), "\"v\": 0,", "\"v\": 0.0000001,", 1)
	if d := firstDifference(mustRead(t, noise), a); d != "" {
		t.Errorf("equal answers differ: %s", d)
	}
	if d := firstDifference(mustRead(t, output(n, 5)), a); !strings.HasPrefix(d, "query 1:") {
		t.Errorf("changed answer: difference %q", d)
	}
}

func mustRead(t *testing.T, s string) []answer {
	t.Helper()
	a, err := readAnswers(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return a
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
