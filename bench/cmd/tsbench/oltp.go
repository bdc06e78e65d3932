package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// The OLTP phase: PostgreSQL 15's own pgbench against each engine, on
// regular tables in a database of its own: the time of `pgbench -i -s N`,
// then the built-in TPC-B script and its select-only form (-S) for a
// fixed time with 8 clients, and TPC-B's invariant afterwards (the
// account, branch and teller balance sums agree). Device registries, job
// queues and application tables next to the time series are regular
// tables; this is how they fare.

// pgbenchPath is where Debian's postgresql-15 installs pgbench.
const pgbenchPath = "/usr/lib/postgresql/15/bin/pgbench"

// pgbenchTPS finds the throughput line of pgbench's report.
var pgbenchTPS = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// dsn returns the engine's connection string for database db.
func (e *engine) dsnFor(db string) string {
	if e.ts != nil {
		return e.ts.DSN(db)
	}
	return e.pg.DSN(db)
}

func (b *bench) runPgbench(ctx context.Context, e *engine, c *pgx.Conn) {
	if _, err := os.Stat(pgbenchPath); err != nil {
		b.rep.note("pgbench not found at %s: OLTP phase skipped", pgbenchPath)
		return
	}
	const db = "pgbench"
	if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+db); err != nil {
		b.rep.fail("%s pgbench: drop database: %v", e.name, err)
		return
	}
	if _, err := c.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		b.rep.fail("%s pgbench: create database: %v", e.name, err)
		return
	}
	dsn := e.dsnFor(db)
	scale, secs := b.cfg.PgbenchScale, b.cfg.PgbenchSecs
	start := time.Now()
	if out, err := exec.CommandContext(ctx, pgbenchPath, "-i", "-q", "-s", strconv.Itoa(scale), dsn).CombinedOutput(); err != nil {
		b.rep.fail("%s pgbench -i: %v: %s", e.name, err, out)
		return
	}
	b.rep.set("oltp", "pgbench_init", fmt.Sprintf("pgbench -i -s %d", scale), e.name, "seconds", "s", false, time.Since(start).Seconds())
	for _, w := range []struct {
		name, label string
		args        []string
	}{
		{"pgbench_tpcb", "pgbench TPC-B, 8 clients", nil},
		{"pgbench_select", "pgbench -S (primary key reads), 8 clients", []string{"-S"}},
	} {
		args := append([]string{"-n", "-c", "8", "-j", "2", "-T", strconv.Itoa(secs)}, w.args...)
		out, err := exec.CommandContext(ctx, pgbenchPath, append(args, dsn)...).CombinedOutput()
		m := pgbenchTPS.FindSubmatch(out)
		if err != nil || m == nil {
			b.rep.fail("%s %s: %v: %s", e.name, w.name, err, out)
			continue
		}
		tps, _ := strconv.ParseFloat(string(m[1]), 64)
		b.rep.set("oltp", w.name, w.label, e.name, "tps", "tps", true, tps)
	}
	oc, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.rep.fail("%s pgbench: %v", e.name, err)
		return
	}
	defer oc.Close(ctx)
	var a, br, t int64
	err = oc.QueryRow(ctx, `SELECT (SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(bbalance) FROM pgbench_branches),
 (SELECT sum(tbalance) FROM pgbench_tellers)`).Scan(&a, &br, &t)
	if err != nil || a != br || br != t {
		b.rep.fail("%s pgbench: TPC-B invariant broken: accounts %d, branches %d, tellers %d (%v)", e.name, a, br, t, err)
	}
}
