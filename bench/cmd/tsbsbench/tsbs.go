package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// useCase is the TSBS use case measured; queryTypes are all its query
// types, in TSBS's order.
const useCase = "cpu-only"

var queryTypes = []string{
	"single-groupby-1-1-1", "single-groupby-1-1-12", "single-groupby-1-8-1",
	"single-groupby-5-1-1", "single-groupby-5-1-12", "single-groupby-5-8-1",
	"cpu-max-all-1", "cpu-max-all-8", "double-groupby-1", "double-groupby-5",
	"double-groupby-all", "high-cpu-1", "high-cpu-all", "lastpoint", "groupby-orderby-limit",
}

// dataStart is where TSBS's data begins (its own default start).
var dataStart = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)

// Loader settings, the ones the figures were taken with: pgx
// binary COPY from 2 workers in 10,000-row batches.
const (
	loadWorkers = 2
	loadBatch   = 10000
)

// tsbs runs the TSBS tools of one configuration.
type tsbs struct {
	bin   string // directory of the built tools
	cache string // directory of data and query files
	cfg   *config
}

func (t *tsbs) tool(name string) string { return filepath.Join(t.bin, name) }

// tag names the data of a configuration.
func (t *tsbs) tag() string {
	return fmt.Sprintf("%s-%d-%dd-s%d", useCase, t.cfg.Scale, t.cfg.Days, t.cfg.Seed)
}

func (t *tsbs) timeFlags() []string {
	end := dataStart.Add(time.Duration(t.cfg.Days) * 24 * time.Hour)
	return []string{"--use-case=" + useCase, fmt.Sprintf("--seed=%d", t.cfg.Seed), fmt.Sprintf("--scale=%d", t.cfg.Scale),
		"--timestamp-start=" + dataStart.Format(time.RFC3339), "--timestamp-end=" + end.Format(time.RFC3339)}
}

// dataFile generates the data file unless the cache has it, and returns
// its path.
func (t *tsbs) dataFile() (string, error) {
	path := filepath.Join(t.cache, "data-"+t.tag()+".dat")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	args := append(t.timeFlags(), "--log-interval=10s", "--format=timescaledb")
	return path, generate(path, t.tool("tsbs_generate_data"), args)
}

// queryFile generates the query file of type qt unless the cache has it.
// It holds at least 100 queries, so that -queries below that takes the
// same first queries whatever the count.
func (t *tsbs) queryFile(qt string) (string, error) {
	n := max(100, t.cfg.Queries)
	path := filepath.Join(t.cache, fmt.Sprintf("queries-%s-%s-%d.dat", t.tag(), qt, n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	args := append(t.timeFlags(), fmt.Sprintf("--queries=%d", n), "--query-type="+qt, "--format=timescaledb")
	return path, generate(path, t.tool("tsbs_generate_queries"), args)
}

// generate runs a generator writing to stdout into path, through a
// temporary file so a failed or concurrent run leaves no partial file.
func generate(path, prog string, args []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gen-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	cmd := exec.Command(prog, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = tmp, &stderr
	err = cmd.Run()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", filepath.Base(prog), err, lastLines(stderr.String(), 5))
	}
	return os.Rename(tmp.Name(), path)
}

// connFlags are the loader's and runner's connection flags for e.
func (t *tsbs) connFlags(e *engine, hostFlag string) []string {
	return []string{hostFlag + "=" + e.host, "--port=" + e.port, "--user=" + e.user, "--pass=" + e.pass, "--db-name=" + t.cfg.DB}
}

var loadedRe = regexp.MustCompile(`loaded (\d+) rows in ([\d.]+)sec with \d+ workers \(mean rate ([\d.]+) rows/sec\)`)

// loadResult is what TSBS's loader reports.
type loadResult struct {
	Rows     int64   `json:"rows"`
	Seconds  float64 `json:"seconds"`
	RowsPerS float64 `json:"rows_per_s"`
	// CPUUsPerRow is the server's CPU time per loaded row (µs); 0 when
	// the server's CPU time cannot be read.
	CPUUsPerRow float64 `json:"server_cpu_us_per_row,omitempty"`
	// BackgroundUsPerRow is tsgres's CPU time per loaded row after the
	// load until it was idle (merges and reclustering), not in
	// CPUUsPerRow.
	BackgroundUsPerRow float64 `json:"background_cpu_us_per_row,omitempty"`
}

// load runs tsbs_load_timescaledb against e: it drops and recreates the
// database, creates TSBS's schema (tags, cpu with its (tags_id, time
// DESC) index, create_hypertable with 12-hour chunks) and loads the data.
func (t *tsbs) load(e *engine, data string) (*loadResult, error) {
	args := append([]string{"--file=" + data, fmt.Sprintf("--workers=%d", loadWorkers),
		fmt.Sprintf("--batch-size=%d", loadBatch)}, t.connFlags(e, "--host")...)
	c0, cpuErr := readCPU(e)
	out, err := exec.Command(t.tool("tsbs_load_timescaledb"), args...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("tsbs_load_timescaledb on %s: %w\n%s", e.name, err, lastLines(string(out), 20))
	}
	m := loadedRe.FindStringSubmatch(string(out))
	if m == nil {
		return nil, fmt.Errorf("tsbs_load_timescaledb on %s printed no summary:\n%s", e.name, lastLines(string(out), 20))
	}
	r := &loadResult{}
	r.Rows, _ = strconv.ParseInt(m[1], 10, 64)
	r.Seconds, _ = strconv.ParseFloat(m[2], 64)
	r.RowsPerS, _ = strconv.ParseFloat(m[3], 64)
	if cpuErr == nil && r.Rows > 0 {
		time.Sleep(settle)
		if c1, err := readCPU(e); err == nil {
			r.CPUUsPerRow = (c1 - c0) * 1e6 / float64(r.Rows)
		}
	}
	return r, nil
}

// readCPU is e.cpu, or an error when e has none.
func readCPU(e *engine) (float64, error) {
	if e.cpu == nil {
		return 0, fmt.Errorf("%s: CPU time not readable", e.name)
	}
	return e.cpu()
}

var medianRe = regexp.MustCompile(`med:\s*([\d.]+)ms`)

// queryRun is one query type's run on one engine in one state.
type queryRun struct {
	MedianMs float64  `json:"median_ms"`
	Error    string   `json:"error,omitempty"`
	Answers  []answer `json:"answers,omitempty"`
}

// runQueries runs the first cfg.Queries queries of file on e with one
// worker, twice: with --print-responses for the answers, then for the
// timing (TSBS's median).
func (t *tsbs) runQueries(e *engine, file string) *queryRun {
	args := append([]string{"--file=" + file, fmt.Sprintf("--max-queries=%d", t.cfg.Queries), "--workers=1",
		"--postgres=sslmode=disable", "--print-interval=0"}, t.connFlags(e, "--hosts")...)
	r := &queryRun{}
	prog := t.tool("tsbs_run_queries_timescaledb")
	if r.Answers, r.Error = printedAnswers(prog, append(args, "--print-responses")); r.Error != "" {
		return r
	}
	out, err := exec.Command(prog, args...).CombinedOutput()
	if err != nil {
		r.Error = lastLines(string(out), 1)
		return r
	}
	meds := medianRe.FindAllStringSubmatch(string(out), -1)
	if len(meds) == 0 {
		r.Error = "no median in the runner's output"
		return r
	}
	r.MedianMs, _ = strconv.ParseFloat(meds[len(meds)-1][1], 64)
	return r
}

// printedAnswers runs the query runner prog with args that include
// --print-responses and reads its answers as it prints them (see
// readAnswers); on failure it returns the runner's last error line.
func printedAnswers(prog string, args []string) ([]answer, string) {
	cmd := exec.Command(prog, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err.Error()
	}
	if err := cmd.Start(); err != nil {
		return nil, err.Error()
	}
	answers, readErr := readAnswers(out)
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return nil, lastLines(stderr.String()+"\n"+err.Error(), 1)
	}
	if readErr != nil {
		return nil, "reading the printed answers: " + readErr.Error()
	}
	return answers, ""
}

// lastLines returns the last n non-empty lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
