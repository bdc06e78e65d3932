package continuous_test

import (
	"testing"

	"github.com/tsgres/tsgres/continuous"
)

// TestTypedRefreshQualifies checks which continuous aggregates the typed
// refresh takes (the client test TestCaggTypedRefresh checks its results).
func TestTypedRefreshQualifies(t *testing.T) {
	db, s := testDB(t)
	run(t, s, "CREATE TABLE r (time timestamptz NOT NULL, device int, site text, v double precision, k int, b bigint, f real)")
	run(t, s, "SELECT create_hypertable('r', 'time')")
	for _, c := range []struct {
		sel, group string
		typed      bool
	}{
		{"device, site, avg(v), sum(v), min(v), max(v), count(v) AS cv, count(*) AS n, sum(k) AS sk, avg(k) AS ak, min(k) AS mk, max(time) AS mt, min(b) AS mb", "1, 2, 3", true},
		{"device, stddev(v)", "1, 2", false},
		{"device, sum(b)", "1, 2", false}, // numeric sum
		{"device, sum(f)", "1, 2", false}, // real sum
		{"device, first(v, time)", "1, 2", false},
		{"device, max(v) - min(v) AS spread", "1, 2", true},
		{"device + 1 AS d, max(v)", "1, 2", false},
		{"site, max(site)", "1, 2", false},
	} {
		run(t, s, "DROP MATERIALIZED VIEW IF EXISTS m")
		run(t, s, "CREATE MATERIALIZED VIEW m WITH (timescaledb.continuous) AS SELECT time_bucket('1 minute', time) AS bucket, "+
			c.sel+" FROM r GROUP BY "+c.group+" WITH NO DATA")
		snap := db.Catalog().Snapshot()
		view := snap.Table(snap.Database("postgres").OID, "public", "m")
		got := continuous.TypedRefresh(snap, view)
		if got != c.typed {
			t.Errorf("%s: typed refresh %v, want %v", c.sel, got, c.typed)
		}
	}
}
