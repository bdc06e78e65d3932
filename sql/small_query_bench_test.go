package sql

import (
	"context"
	"testing"

	"github.com/tsgres/tsgres/sql/parse"
	"github.com/tsgres/tsgres/sql/plan"
)

// tsbsSmallQueries are TSBS's cpu-only query types that read one or a
// few devices for an hour or twelve, or the latest row of each: their
// cost is mostly per query (binding, planning, setup), not per row.
var tsbsSmallQueries = []struct{ name, q string }{
	{"single-groupby-1-1-1", `SELECT time_bucket('60 seconds', time) AS minute, max(usage_user) as max_usage_user
        FROM cpu
        WHERE tags_id IN (SELECT id FROM tags WHERE hostname IN ('host_37')) AND time >= '2016-01-01 01:29:14.231278 +0000' AND time < '2016-01-01 02:29:14.231278 +0000'
        GROUP BY minute ORDER BY minute ASC`},
	{"single-groupby-5-1-1", `SELECT time_bucket('60 seconds', time) AS minute,
        max(usage_user) as max_usage_user, max(usage_system) as max_usage_system, max(usage_idle) as max_usage_idle
        FROM cpu
        WHERE tags_id IN (SELECT id FROM tags WHERE hostname IN ('host_37')) AND time >= '2016-01-01 01:29:14.231278 +0000' AND time < '2016-01-01 02:29:14.231278 +0000'
        GROUP BY minute ORDER BY minute ASC`},
	{"single-groupby-1-1-12", `SELECT time_bucket('60 seconds', time) AS minute, max(usage_user) as max_usage_user
        FROM cpu
        WHERE tags_id IN (SELECT id FROM tags WHERE hostname IN ('host_37')) AND time >= '2016-01-01 00:00:00 +0000' AND time < '2016-01-01 04:00:00 +0000'
        GROUP BY minute ORDER BY minute ASC`},
	{"high-cpu-1", `SELECT * FROM cpu WHERE usage_user > 90.0 and time >= '2016-01-01 00:25:36.543856 +0000' AND time < '2016-01-01 03:25:36.543856 +0000' AND tags_id IN (SELECT id FROM tags WHERE hostname IN ('host_5'))`},
	{"lastpoint", `SELECT DISTINCT ON (t.hostname) * FROM tags t INNER JOIN LATERAL(SELECT * FROM cpu c WHERE c.tags_id = t.id ORDER BY time DESC LIMIT 1) AS b ON true ORDER BY t.hostname, b.time DESC`},
	{"groupby-orderby-limit", `SELECT time_bucket('60 seconds', time) AS minute, max(usage_user)
        FROM cpu
        WHERE time < '2016-01-01 03:29:14.231278 +0000'
        GROUP BY minute
        ORDER BY minute DESC
        LIMIT 5`},
}

// BenchmarkBindPlan binds and optimizes TSBS's small query types (the
// per-query fixed cost before execution) over TSBS's schema; allocs/op
// drive the garbage collector's share of a small query's CPU.
func BenchmarkBindPlan(b *testing.B) {
	ss := lastpointSession(b, 100, 1440, false)
	s := ss.(*session)
	ctx := context.Background()
	for _, q := range tsbsSmallQueries {
		stmts, err := parse.Parse(q.q)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			s.begin()
			defer s.rollback()
			for i := 0; i < b.N; i++ {
				env := s.newEnv(ctx, nil)
				st, _, err := plan.Bind(env, stmts[0], nil, s.loc)
				if err != nil {
					b.Fatal(err)
				}
				x := st.(*plan.Query)
				x.Node = s.physical(finalizeOutput(x.Node))
			}
		})
	}
}

// BenchmarkSmallQueries runs TSBS's small query types end to end in a
// session (no network), uncompressed and compressed by tags_id, over 100
// hosts x 4 hours at 10 s.
func BenchmarkSmallQueries(b *testing.B) {
	for _, compressed := range []bool{false, true} {
		s := lastpointSession(b, 100, 1440, compressed)
		state := "uncompressed"
		if compressed {
			state = "compressed"
		}
		for _, q := range tsbsSmallQueries {
			b.Run(state+"/"+q.name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if err := s.Query(context.Background(), q.q, &benchWriter{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
