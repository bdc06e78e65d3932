package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/tsgres/tsgres/compat-tests/testserver"
)

// config is one run's settings.
type config struct {
	Scale    int      `json:"scale"`
	Days     int      `json:"days"`
	Seed     int64    `json:"seed"`
	Queries  int      `json:"queries_per_type"`
	Types    []string `json:"query_types"`
	DB       string   `json:"db"`
	Peer     string   `json:"peer,omitempty"`
	Compress bool     `json:"compress"`
}

func main() {
	cfg := config{}
	flag.StringVar(&cfg.Peer, "peer", os.Getenv("TSBS_PEER"), "TimescaleDB address HOST:PORT (default $TSBS_PEER); empty: tsgres alone")
	peerUser := flag.String("peer-user", "postgres", "user on the peer (password from $PGPASSWORD)")
	flag.IntVar(&cfg.Scale, "scale", 100, "TSBS scale: hosts (devices)")
	flag.IntVar(&cfg.Days, "days", 1, "days of data from 2016-01-01 (one row per host every 10 s)")
	flag.Int64Var(&cfg.Seed, "seed", 42, "TSBS seed for data and queries")
	flag.IntVar(&cfg.Queries, "queries", 10, "queries run per type, engine and state")
	types := flag.String("types", "", "comma-separated query types (default: all 15 of cpu-only)")
	flag.StringVar(&cfg.DB, "db", "tsbs_bench", "database on both engines, dropped and recreated")
	noCompress := flag.Bool("no-compress", false, "skip compression and the compressed round")
	cache := flag.String("cache", filepath.Join(os.TempDir(), "tsgres-tsbs"), "directory for the TSBS build, data and query files (reused)")
	out := flag.String("out", "", "JSON result file (default bench/results/tsbs-<scale>-<days>d.json)")
	peerFrom := flag.String("peer-from", "", "take TimescaleDB's figures and answers from this earlier results file\n(same scale, days, seed and queries) instead of measuring it again")
	flag.Parse()
	cfg.Compress = !*noCompress
	cfg.Types = queryTypes
	if *types != "" {
		cfg.Types = strings.Split(*types, ",")
	}
	if cfg.Scale < 1 || cfg.Days < 1 || cfg.Queries < 1 {
		fmt.Fprintln(os.Stderr, "tsbsbench: -scale, -days and -queries must be positive")
		os.Exit(2)
	}
	root, err := testserver.RepoRoot()
	if err != nil {
		fatal(err)
	}
	if *out == "" {
		*out = filepath.Join(root, "bench", "results", fmt.Sprintf("tsbs-%d-%dd.json", cfg.Scale, cfg.Days))
	}
	var saved *results
	if *peerFrom != "" {
		if saved, err = readSaved(*peerFrom, &cfg); err != nil {
			fatal(err)
		}
		cfg.Peer = saved.Config.Peer
	}
	os.Exit(run(&cfg, root, *cache, *peerUser, *out, saved, *peerFrom))
}

// waitIdle waits until e's server has used under 5% of a core over each
// of the last three 2-second windows, and at least idleAfterLoad after
// the load (tsgres seals a chunk's delta blocks once it had no commit for
// 30 s, and reclusters it after 3 s), at most 10 minutes; it returns the
// CPU seconds the server used meanwhile.
func waitIdle(e *engine) float64 {
	const window = 2 * time.Second
	const idleAfterLoad = 35 * time.Second
	start := time.Now()
	first, err := e.cpu()
	prev, quiet := first, 0
	for err == nil && time.Since(start) < 10*time.Minute {
		time.Sleep(window)
		cur, cerr := e.cpu()
		if cerr != nil {
			break
		}
		if cur-prev < 0.05*window.Seconds() {
			quiet++
		} else {
			quiet = 0
		}
		prev = cur
		if quiet >= 3 && time.Since(start) >= idleAfterLoad {
			break
		}
	}
	fmt.Printf("tsbsbench: %s idle after its load (waited %.0f s)\n", e.name, time.Since(start).Seconds())
	return prev - first
}

// readSaved reads an earlier results file for -peer-from and checks that
// it measured TimescaleDB on the same data and queries as cfg.
func readSaved(path string, cfg *config) (*results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := r.Config
	switch {
	case c == nil || c.Peer == "" || r.Load[peerName] == nil:
		return nil, fmt.Errorf("%s has no TimescaleDB run", path)
	case c.Scale != cfg.Scale || c.Days != cfg.Days || c.Seed != cfg.Seed || c.Queries != cfg.Queries:
		return nil, fmt.Errorf("%s measured scale %d, %d days, seed %d, %d queries; this run asks for %d, %d, %d, %d",
			path, c.Scale, c.Days, c.Seed, c.Queries, cfg.Scale, cfg.Days, cfg.Seed, cfg.Queries)
	case cfg.Compress && !c.Compress:
		return nil, fmt.Errorf("%s has no compressed round", path)
	}
	return &r, nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "tsbsbench:", err)
	os.Exit(1)
}

// run builds TSBS, generates the data and queries, measures every engine
// and writes the results; it returns the exit status.
func run(cfg *config, root, cache, peerUser, out string, saved *results, peerFrom string) int {
	started := time.Now()
	ctx := context.Background()
	if err := os.MkdirAll(cache, 0o755); err != nil {
		fatal(err)
	}
	fmt.Println("tsbsbench: building TSBS from its Go module (bench/tsbs)")
	bin, err := buildTSBS(root, cache)
	if err != nil {
		fatal(err)
	}
	t := &tsbs{bin: bin, cache: cache, cfg: cfg}
	fmt.Printf("tsbsbench: generating %s data (cache %s)\n", t.tag(), cache)
	data, err := t.dataFile()
	if err != nil {
		fatal(err)
	}
	files := map[string]string{}
	for _, qt := range cfg.Types {
		if files[qt], err = t.queryFile(qt); err != nil {
			fatal(err)
		}
	}

	var engines []*engine
	ts, err := startTsgres()
	if err != nil {
		fatal(fmt.Errorf("start tsgres: %w", err))
	}
	defer ts.close()
	engines = append(engines, ts)
	if cfg.Peer != "" && saved == nil {
		peer, err := connectPeer(ctx, cfg.Peer, peerUser, os.Getenv("PGPASSWORD"))
		if err != nil {
			ts.close()
			fatal(err)
		}
		engines = append(engines, peer)
	}

	res := newResults(cfg, engines)
	if saved != nil {
		res.usePeerFrom(saved, peerFrom)
	}
	for _, e := range engines {
		fmt.Printf("tsbsbench: loading %s (127.0.0.1:%s, database %s)\n", e.name, e.port, cfg.DB)
		l, err := t.load(e, data)
		if err != nil {
			res.fail("%v", err)
			continue
		}
		res.Load[e.name] = l
		if e.name == tsgresName {
			// tsgres merges and reclusters loaded blocks in the
			// background; the queries start once that is done, as
			// TimescaleDB's start after its VACUUM ANALYZE.
			if bg := waitIdle(e); bg > 0 {
				l.BackgroundUsPerRow = bg * 1e6 / float64(l.Rows)
			}
		}
		if e.name == peerName {
			// What autovacuum does soon after a bulk load; without it the
			// first round would measure TimescaleDB with no statistics.
			if err := execSQL(ctx, e, cfg.DB, "VACUUM ANALYZE"); err != nil {
				res.fail("VACUUM ANALYZE on %s: %v", e.name, err)
			}
		}
	}
	if len(res.Errors) == 0 {
		res.runState(t, engines, files, "uncompressed")
		if cfg.Compress {
			for _, e := range engines {
				if err := res.compress(ctx, e, cfg.DB, res.Load[e.name].Rows); err != nil {
					res.fail("compress on %s: %v", e.name, err)
				}
			}
			if len(res.Errors) == 0 {
				res.runState(t, engines, files, "compressed")
			}
		}
	}
	res.DurationS = time.Since(started).Seconds()
	res.LoadAvg = append(res.LoadAvg, loadAvg())
	if b, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output(); err == nil {
		res.Commit = strings.TrimSpace(string(b))
	}
	res.print(os.Stdout)
	if err := res.write(out); err != nil {
		fmt.Fprintln(os.Stderr, "tsbsbench: write results:", err)
		return 1
	}
	fmt.Println("results written to", out)
	if len(res.Errors) > 0 || len(res.Mismatches) > 0 {
		return 1
	}
	return 0
}
