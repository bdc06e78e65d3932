"""An IoT fleet REST service on Flask + psycopg2, written the way users write
them for TimescaleDB (see README.md in this folder).

Endpoints:
  GET  /api/health                  liveness and database round trip
  POST /api/ingest                  JSON list of {time, device_id, metric_name, value}
  GET  /api/devices                 devices with first and last reading times and counts
  GET  /api/devices/<id>/metrics    ?metric_name=&start_time=&end_time=&granularity=raw|1min|1hour
  GET  /api/devices/<id>/anomalies  ?metric_name=&hours=  (points > 3 stddev from the recent mean)
  POST /api/compression/compress    JSON {"older_than": "7 days"}: compress old chunks
  GET  /api/compression             hypertable and per-chunk compression stats

Run: TSGRES_DSN=postgres://postgres@127.0.0.1:5432/postgres /usr/bin/python3 app.py [port]
"""
import datetime
import os
import re
import sys

import psycopg2
import psycopg2.extras
import psycopg2.pool
from flask import Flask, abort, g, jsonify, request

# SCHEMA is run once at start-up; every statement is idempotent.
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS devices (
        device_id text PRIMARY KEY,
        registered_at timestamptz NOT NULL DEFAULT now()
    )""",
    """CREATE TABLE IF NOT EXISTS metrics (
        time timestamptz NOT NULL,
        device_id text NOT NULL,
        metric_name text NOT NULL,
        value double precision NOT NULL
    )""",
    "SELECT create_hypertable('metrics', 'time', chunk_time_interval => INTERVAL '1 day', if_not_exists => true)",
    "CREATE INDEX IF NOT EXISTS metrics_device_time ON metrics (device_id, time DESC)",
    # Per-minute rollup, real-time: buckets past the last refresh are
    # computed from the raw rows at query time.
    """CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_1min
        WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket('1 minute', time) AS bucket, device_id, metric_name,
               avg(value) AS avg_value, min(value) AS min_value, max(value) AS max_value,
               sum(value) AS sum_value, count(*) AS samples
        FROM metrics
        GROUP BY bucket, device_id, metric_name
        WITH NO DATA""",
    # Hourly rollup on top of the per-minute one (hierarchical).
    """CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_1hour
        WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket('1 hour', bucket) AS bucket, device_id, metric_name,
               sum(sum_value) / sum(samples) AS avg_value, min(min_value) AS min_value,
               max(max_value) AS max_value, sum(sum_value) AS sum_value, sum(samples) AS samples
        FROM metrics_1min
        GROUP BY 1, device_id, metric_name
        WITH NO DATA""",
    """SELECT add_continuous_aggregate_policy('metrics_1min', start_offset => INTERVAL '3 days',
        end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '10 minutes', if_not_exists => true)""",
    """SELECT add_continuous_aggregate_policy('metrics_1hour', start_offset => INTERVAL '3 days',
        end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour', if_not_exists => true)""",
]

# COMPRESSION turns on compression once (settings cannot change while
# chunks are compressed) and adds the policy.
COMPRESSION = [
    """ALTER TABLE metrics SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id',
        timescaledb.compress_orderby = 'time DESC')""",
]
COMPRESSION_POLICY = "SELECT add_compression_policy('metrics', INTERVAL '7 days', if_not_exists => true)"

# VIEWS maps the granularity parameter to the relation serving it.
VIEWS = {"1min": "metrics_1min", "1hour": "metrics_1hour"}

ANOMALY_SQL = """
WITH stats AS (
    SELECT avg(value) AS mean, stddev(value) AS sd, count(*) AS n
    FROM metrics
    WHERE device_id = %(device)s AND metric_name = %(metric)s
      AND time > NOW() - INTERVAL %(window)s
)
SELECT m.time, m.value, s.mean, s.sd, s.n,
       abs(m.value - s.mean) AS deviation,
       CASE WHEN s.sd > 0 AND abs(m.value - s.mean) > 3 * s.sd THEN true ELSE false END AS is_anomaly
FROM metrics m
CROSS JOIN stats s
WHERE m.device_id = %(device)s AND m.metric_name = %(metric)s
  AND m.time > NOW() - INTERVAL %(window)s
ORDER BY m.time
"""

COMPRESSION_STATS_SQL = """
SELECT total_chunks, number_compressed_chunks,
       before_compression_total_bytes, after_compression_total_bytes
FROM hypertable_compression_stats('metrics')
"""

CHUNK_STATS_SQL = """
SELECT chunk_schema, chunk_name, compression_status,
       before_compression_total_bytes, after_compression_total_bytes
FROM chunk_compression_stats('metrics')
ORDER BY chunk_name
"""

# INTERVAL_RE is what /api/compression/compress accepts as older_than.
INTERVAL_RE = re.compile(r"^\d+ (minute|hour|day|week)s?$")

# INGEST_PAGE is how many rows execute_values sends per INSERT.
INGEST_PAGE = 1000


def init_db(dsn):
    """Creates the schema, the continuous aggregates and the policies."""
    conn = psycopg2.connect(dsn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            for stmt in SCHEMA:
                cur.execute(stmt)
            cur.execute("SELECT compression_enabled FROM timescaledb_information.hypertables "
                        "WHERE hypertable_name = 'metrics'")
            if not cur.fetchone()[0]:
                for stmt in COMPRESSION:
                    cur.execute(stmt)
            cur.execute(COMPRESSION_POLICY)
    finally:
        conn.close()


def iso(ts):
    return ts.isoformat() if ts is not None else None


def parse_time(name):
    """Returns query parameter name as an aware datetime, or None."""
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        ts = datetime.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        abort(400, f"{name} must be an ISO 8601 timestamp")
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=datetime.timezone.utc)
    return ts


def create_app(dsn):
    app = Flask(__name__)
    pool = psycopg2.pool.ThreadedConnectionPool(1, 8, dsn)

    def db():
        if "db" not in g:
            g.db = pool.getconn()
        return g.db

    @app.teardown_appcontext
    def release_db(_exc):
        conn = g.pop("db", None)
        if conn is not None:
            conn.rollback()
            pool.putconn(conn)

    def query(sql, args=None):
        with db().cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(sql, args)
            return cur.fetchall()

    def known_device(device_id):
        if not query("SELECT 1 FROM devices WHERE device_id = %s", (device_id,)):
            abort(404, f"unknown device {device_id}")

    @app.get("/api/health")
    def health():
        return jsonify(ok=query("SELECT 1 AS one")[0]["one"] == 1)

    @app.post("/api/ingest")
    def ingest():
        body = request.get_json(silent=True)
        if not isinstance(body, list) or not body:
            abort(400, "expected a non-empty JSON list of readings")
        try:
            rows = [(r["time"], r["device_id"], r["metric_name"], float(r["value"])) for r in body]
        except (KeyError, TypeError, ValueError):
            abort(400, "each reading needs time, device_id, metric_name and a numeric value")
        conn = db()
        try:
            with conn.cursor() as cur:
                psycopg2.extras.execute_batch(
                    cur, "INSERT INTO devices (device_id) VALUES (%s) ON CONFLICT (device_id) DO NOTHING",
                    sorted({(r[1],) for r in rows}))
                psycopg2.extras.execute_values(
                    cur, "INSERT INTO metrics (time, device_id, metric_name, value) VALUES %s",
                    rows, page_size=INGEST_PAGE)
            conn.commit()
        except psycopg2.DataError as e:
            conn.rollback()
            return jsonify(error=str(e).strip(), sqlstate=e.pgcode), 400
        return jsonify(inserted=len(rows)), 201

    @app.get("/api/devices")
    def devices():
        rows = query("""SELECT d.device_id, l.first_seen, l.last_seen, l.readings
                        FROM devices d
                        LEFT JOIN LATERAL (SELECT min(time) AS first_seen, max(time) AS last_seen,
                                                  count(*) AS readings
                                           FROM metrics m WHERE m.device_id = d.device_id) l ON true
                        ORDER BY d.device_id""")
        return jsonify([{"device_id": r["device_id"], "first_seen": iso(r["first_seen"]),
                         "last_seen": iso(r["last_seen"]), "readings": int(r["readings"])} for r in rows])

    @app.get("/api/devices/<device_id>/metrics")
    def metrics(device_id):
        known_device(device_id)
        granularity = request.args.get("granularity", "raw")
        if granularity != "raw" and granularity not in VIEWS:
            abort(400, "granularity must be raw, 1min or 1hour")
        metric = request.args.get("metric_name")
        start, end = parse_time("start_time"), parse_time("end_time")
        col = "time" if granularity == "raw" else "bucket"
        where = ["device_id = %(device)s"]
        if metric:
            where.append("metric_name = %(metric)s")
        if start:
            where.append(f"{col} >= %(start)s")
        if end:
            where.append(f"{col} < %(end)s")
        args = {"device": device_id, "metric": metric, "start": start, "end": end}
        cond = " AND ".join(where)
        if granularity == "raw":
            rows = query(f"SELECT time, metric_name, value FROM metrics WHERE {cond} "
                         "ORDER BY time, metric_name", args)
            points = [{"time": iso(r["time"]), "metric_name": r["metric_name"], "value": r["value"]}
                      for r in rows]
        else:
            rows = query(f"SELECT bucket, metric_name, avg_value, min_value, max_value, samples "
                         f"FROM {VIEWS[granularity]} WHERE {cond} ORDER BY bucket, metric_name", args)
            points = [{"time": iso(r["bucket"]), "metric_name": r["metric_name"], "avg": r["avg_value"],
                       "min": r["min_value"], "max": r["max_value"], "count": int(r["samples"])}
                      for r in rows]
        return jsonify(device_id=device_id, granularity=granularity, points=points)

    @app.get("/api/devices/<device_id>/anomalies")
    def anomalies(device_id):
        known_device(device_id)
        metric = request.args.get("metric_name")
        if not metric:
            abort(400, "metric_name is required")
        try:
            hours = int(request.args.get("hours", "24"))
        except ValueError:
            abort(400, "hours must be an integer")
        if not 1 <= hours <= 24 * 30:
            abort(400, "hours must be between 1 and 720")
        rows = query(ANOMALY_SQL, {"device": device_id, "metric": metric, "window": f"{hours} hours"})
        first = rows[0] if rows else {"mean": None, "sd": None, "n": 0}
        return jsonify(device_id=device_id, metric_name=metric, hours=hours,
                       mean=first["mean"], stddev=first["sd"], samples=int(first["n"]),
                       anomalies=[{"time": iso(r["time"]), "value": r["value"], "deviation": r["deviation"]}
                                  for r in rows if r["is_anomaly"]])

    @app.post("/api/compression/compress")
    def compress():
        body = request.get_json(silent=True) or {}
        older_than = body.get("older_than", "7 days")
        if not isinstance(older_than, str) or not INTERVAL_RE.match(older_than):
            abort(400, "older_than must look like '7 days'")
        rows = query("SELECT compress_chunk(c, if_not_compressed => true) AS chunk "
                     "FROM show_chunks('metrics', older_than => INTERVAL %s) c", (older_than,))
        db().commit()
        return jsonify(compressed=[r["chunk"] for r in rows])

    @app.get("/api/compression")
    def compression_stats():
        ht = query(COMPRESSION_STATS_SQL)[0]
        chunks = query(CHUNK_STATS_SQL)
        return jsonify(hypertable={k: (int(v) if v is not None else None) for k, v in ht.items()},
                       chunks=[{"chunk": f'{c["chunk_schema"]}.{c["chunk_name"]}',
                                "status": c["compression_status"],
                                "before_bytes": c["before_compression_total_bytes"],
                                "after_bytes": c["after_compression_total_bytes"]} for c in chunks])

    return app


def main():
    dsn = os.environ.get("TSGRES_DSN", "postgres://postgres@127.0.0.1:5432/postgres")
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    init_db(dsn)
    create_app(dsn).run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    main()
