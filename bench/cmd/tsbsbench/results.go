package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// states are the rounds of queries: before and after compress_chunk.
var states = []string{"uncompressed", "compressed"}

// typeResult is one query type in one state: each engine's run, the
// speedup (TimescaleDB's median / tsgres's) and whether the answers are
// the reference's.
type typeResult struct {
	Runs        map[string]*queryRun `json:"engines"`
	Speedup     float64              `json:"speedup,omitempty"`
	SameAnswers bool                 `json:"same_answers"`
	Difference  string               `json:"difference,omitempty"`
}

// sizeResult is hypertable_size('cpu') before and after compression, and
// how long compress_chunk took on every chunk.
type sizeResult struct {
	Uncompressed int64   `json:"uncompressed_bytes"`
	Compressed   int64   `json:"compressed_bytes,omitempty"`
	CompressS    float64 `json:"compress_seconds,omitempty"`
	CompressRows float64 `json:"compress_rows_per_s,omitempty"`
}

// results is everything one run measured; it is the JSON document.
type results struct {
	Config    *config  `json:"config"`
	Engines   []string `json:"engines"`
	StartedAt string   `json:"started_at"`
	DurationS float64  `json:"duration_s"`
	Commit    string   `json:"tsgres_commit,omitempty"`
	GoVersion string   `json:"go_version"`
	// LoadAvg is /proc/loadavg at the start and the end: the machine may
	// be shared, and its load moves the medians.
	LoadAvg    []string                          `json:"loadavg"`
	Load       map[string]*loadResult            `json:"load"`
	Size       map[string]*sizeResult            `json:"size"`
	Queries    map[string]map[string]*typeResult `json:"queries"`
	Mismatches []string                          `json:"mismatches"`
	Errors     []string                          `json:"errors"`
	// PeerFrom is the results file TimescaleDB's figures were taken
	// from (-peer-from) instead of measuring it again; PeerStartedAt is
	// when that run started.
	PeerFrom      string `json:"peer_from,omitempty"`
	PeerStartedAt string `json:"peer_started_at,omitempty"`
	saved         *results
}

func newResults(cfg *config, engines []*engine) *results {
	r := &results{Config: cfg, StartedAt: time.Now().UTC().Format(time.RFC3339), Load: map[string]*loadResult{},
		Size: map[string]*sizeResult{}, Queries: map[string]map[string]*typeResult{}, Mismatches: []string{}, Errors: []string{},
		GoVersion: runtime.Version(), LoadAvg: []string{loadAvg()}}
	for _, e := range engines {
		r.Engines = append(r.Engines, e.name)
	}
	return r
}

// usePeerFrom makes r report TimescaleDB's load, size and query runs of
// the earlier run saved (read from path) instead of measuring them.
func (r *results) usePeerFrom(saved *results, path string) {
	r.saved, r.PeerFrom, r.PeerStartedAt = saved, path, saved.StartedAt
	r.Engines = append(r.Engines, peerName)
	r.Load[peerName] = saved.Load[peerName]
	if s := saved.Size[peerName]; s != nil {
		r.Size[peerName] = s
	}
	fmt.Printf("tsbsbench: TimescaleDB's figures and answers from %s (run started %s)\n", path, saved.StartedAt)
}

// loadAvg returns the first three fields of /proc/loadavg, or "".
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func (r *results) fail(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	fmt.Fprintln(os.Stderr, "tsbsbench: ERROR:", s)
	r.Errors = append(r.Errors, s)
}

// runState runs every query type on every engine in one state and
// compares the answers with the reference: TimescaleDB's in the same
// state, or without a peer tsgres's uncompressed answers.
func (r *results) runState(t *tsbs, engines []*engine, files map[string]string, state string) {
	fmt.Printf("tsbsbench: queries, %s\n", state)
	out := map[string]*typeResult{}
	r.Queries[state] = out
	for _, qt := range t.cfg.Types {
		tr := &typeResult{Runs: map[string]*queryRun{}}
		out[qt] = tr
		for _, e := range engines {
			tr.Runs[e.name] = t.runQueries(e, files[qt])
		}
		if r.saved != nil {
			if prev := r.saved.Queries[state][qt]; prev != nil && prev.Runs[peerName] != nil {
				tr.Runs[peerName] = prev.Runs[peerName]
			} else {
				r.fail("%s %s: no TimescaleDB run in %s", qt, state, r.PeerFrom)
			}
		}
		ts, peer := tr.Runs[tsgresName], tr.Runs[peerName]
		ref := peer
		if peer == nil {
			ref = ts
			if base := r.Queries[states[0]][qt]; base != nil {
				ref = base.Runs[tsgresName]
			}
		}
		switch {
		case ts.Error != "":
			tr.Difference = "tsgres: " + ts.Error
		case ref.Error != "":
			tr.Difference = "reference: " + ref.Error
		case len(ts.Answers) != t.cfg.Queries:
			tr.Difference = fmt.Sprintf("tsgres printed %d answers for %d queries", len(ts.Answers), t.cfg.Queries)
		default:
			tr.Difference = firstDifference(ts.Answers, ref.Answers)
		}
		tr.SameAnswers = tr.Difference == ""
		if !tr.SameAnswers {
			r.Mismatches = append(r.Mismatches, fmt.Sprintf("%s %s: %s", qt, state, tr.Difference))
		}
		if peer != nil && ts.MedianMs > 0 && peer.MedianMs > 0 {
			tr.Speedup = peer.MedianMs / ts.MedianMs
		}
		line := fmt.Sprintf("  %-24s tsgres %9.2f ms", qt, ts.MedianMs)
		if peer != nil {
			line += fmt.Sprintf("   TimescaleDB %9.2f ms   speedup %7.2fx", peer.MedianMs, tr.Speedup)
		}
		if !tr.SameAnswers {
			line += "   ANSWERS DIFFER: " + tr.Difference
		}
		fmt.Println(line)
	}
}

// compress compresses every chunk of cpu on e (segmentby tags_id,
// orderby time DESC, TimescaleDB's usual settings for this schema) and
// records the size before and after; on TimescaleDB it then runs VACUUM
// ANALYZE, as its users do after compressing.
func (r *results) compress(ctx context.Context, e *engine, db string, rows int64) error {
	c, err := pgx.Connect(ctx, e.dsn(db))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	s := &sizeResult{}
	r.Size[e.name] = s
	if err := c.QueryRow(ctx, "SELECT hypertable_size('cpu')").Scan(&s.Uncompressed); err != nil {
		return err
	}
	if _, err := c.Exec(ctx, "ALTER TABLE cpu SET (timescaledb.compress, timescaledb.compress_segmentby = 'tags_id', timescaledb.compress_orderby = 'time DESC')"); err != nil {
		return err
	}
	t0 := time.Now()
	if _, err := c.Exec(ctx, "SELECT count(compress_chunk(c, if_not_compressed => true)) FROM show_chunks('cpu') c"); err != nil {
		return err
	}
	s.CompressS = time.Since(t0).Seconds()
	s.CompressRows = float64(rows) / s.CompressS
	if e.name == peerName {
		if _, err := c.Exec(ctx, "VACUUM ANALYZE"); err != nil {
			return err
		}
	}
	return c.QueryRow(ctx, "SELECT hypertable_size('cpu')").Scan(&s.Compressed)
}

// print writes the summary and the per-query table (Markdown).
func (r *results) print(w io.Writer) {
	cfg := r.Config
	peer := len(r.Engines) > 1
	fmt.Fprintf(w, "\nTSBS %s, scale %d, %d day(s), seed %d, %d queries per type; median ms", useCase, cfg.Scale, cfg.Days, cfg.Seed, cfg.Queries)
	if peer {
		fmt.Fprint(w, "; speedup = TimescaleDB / tsgres (above 1: tsgres faster)")
	}
	fmt.Fprintf(w, "\nload average at start and end: %s\n", strings.Join(r.LoadAvg, " / "))
	if r.PeerFrom != "" {
		fmt.Fprintf(w, "TimescaleDB's figures and answers: from %s (the run started %s, load average %s)\n",
			r.PeerFrom, r.PeerStartedAt, strings.Join(r.saved.LoadAvg, " / "))
	}
	for _, name := range r.Engines {
		if l := r.Load[name]; l != nil {
			cpu := "server CPU not readable"
			if l.CPUUsPerRow > 0 {
				cpu = fmt.Sprintf("server CPU %.2f µs/row", l.CPUUsPerRow)
				if l.BackgroundUsPerRow > 0 {
					cpu += fmt.Sprintf(" (+%.2f in the background after the load)", l.BackgroundUsPerRow)
				}
			}
			fmt.Fprintf(w, "load %-12s %10.0f rows/s  %s  (%d rows in %.1f s)\n", name, l.RowsPerS, cpu, l.Rows, l.Seconds)
		}
	}
	for _, name := range r.Engines {
		if s := r.Size[name]; s != nil && s.Compressed > 0 {
			fmt.Fprintf(w, "size %-12s %s uncompressed, %s compressed (compress_chunk %.1f s, %.0f rows/s)\n",
				name, mib(s.Uncompressed), mib(s.Compressed), s.CompressS, s.CompressRows)
		}
	}
	if ts, pg := r.Size[tsgresName], r.Size[peerName]; ts != nil && pg != nil && ts.Compressed > 0 {
		fmt.Fprintf(w, "size after compression: TimescaleDB / tsgres = %.2f\n", float64(pg.Compressed)/float64(ts.Compressed))
	}
	fmt.Fprintln(w)
	head, rule := "| query type |", "|---|"
	for _, state := range states {
		if r.Queries[state] == nil {
			continue
		}
		sfx := ""
		if state == "compressed" {
			sfx = " compressed"
		}
		head += " tsgres" + sfx + " |"
		rule += "---:|"
		if peer {
			head += " TimescaleDB" + sfx + " | speedup |"
			rule += "---:|---:|"
		}
	}
	fmt.Fprintln(w, head+" answers |")
	fmt.Fprintln(w, rule+"---|")
	for _, qt := range cfg.Types {
		line, same := "| "+qt+" |", true
		for _, state := range states {
			tr := r.Queries[state][qt]
			if r.Queries[state] == nil || tr == nil {
				continue
			}
			same = same && tr.SameAnswers
			line += " " + ms(tr.Runs[tsgresName]) + " |"
			if peer {
				line += " " + ms(tr.Runs[peerName]) + " | " + ratio(tr.Speedup) + " |"
			}
		}
		verdict := "identical"
		if !same {
			verdict = "DIFFER"
		}
		fmt.Fprintln(w, line+" "+verdict+" |")
	}
	fmt.Fprintln(w)
	for _, e := range r.Errors {
		fmt.Fprintln(w, "ERROR:", e)
	}
	if len(r.Mismatches) > 0 {
		fmt.Fprintf(w, "!!! %d ANSWER MISMATCHES:\n", len(r.Mismatches))
		for _, m := range r.Mismatches {
			fmt.Fprintln(w, "!!!", m)
		}
	} else if len(r.Queries) > 0 {
		ref := "TimescaleDB's"
		if !peer {
			ref = "tsgres's uncompressed"
		}
		fmt.Fprintf(w, "all answers identical to %s\n", ref)
	}
}

func ms(q *queryRun) string {
	if q == nil || q.Error != "" || q.MedianMs == 0 {
		return "error"
	}
	return fmt.Sprintf("%.2f", q.MedianMs)
}

func ratio(x float64) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", x)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func (r *results) write(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
