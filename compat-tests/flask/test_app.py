"""Tests the IoT fleet service (app.py) over HTTP: flask_test.go starts the
app's server on $APP_URL against the tsgres named by $TSGRES_DSN; this file
sends real requests with urllib and checks every answer against values
computed here from the readings it ingested.
"""
import datetime
import json
import math
import os
import random
import statistics
import unittest
import urllib.error
import urllib.parse
import urllib.request

import psycopg2

UTC = datetime.timezone.utc
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def call(method, path, body=None, **params):
    """Sends one request to the app; returns (status, decoded JSON or text)."""
    url = os.environ["APP_URL"] + path
    if params:
        url += "?" + urllib.parse.urlencode(params)
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode()


def floor_to(ts, step):
    epoch = datetime.datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + (ts - epoch) // step * step


def rollup(readings, step, device, metric=None, start=None, end=None):
    """Groups readings like the continuous aggregates: one point per
    (bucket, metric) with avg, min, max and count, ordered like the API."""
    groups = {}
    for r in readings:
        if r["device_id"] != device or (metric and r["metric_name"] != metric):
            continue
        b = floor_to(r["ts"], step)
        if (start and b < start) or (end and b >= end):
            continue
        groups.setdefault((b, r["metric_name"]), []).append(r["value"])
    return [{"time": b, "metric_name": m, "avg": sum(v) / len(v), "min": min(v), "max": max(v), "count": len(v)}
            for (b, m), v in sorted(groups.items())]


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


class FleetTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.now = datetime.datetime.now(UTC).replace(microsecond=0)
        # Fresh data starts three whole hours back so the hourly rollup
        # has complete and partial buckets; old data is 10-12 days back so
        # its chunks are past the 7-day compression threshold.
        cls.start = floor_to(cls.now, HOUR) - 3 * HOUR
        cls.today = floor_to(cls.now, DAY)
        cls.readings = []
        rnd = random.Random(5)
        ts = cls.start
        while ts < cls.now - datetime.timedelta(seconds=10):
            cls.add("truck-1", "temperature", ts, round(20 + rnd.gauss(0, 0.5), 3))
            cls.add("truck-1", "speed", ts, round(rnd.uniform(40, 80), 2))
            if ts.second == 0 and ts.minute % 5 == 0:
                cls.add("truck-2", "temperature", ts, round(rnd.uniform(15, 16), 2))
            ts += datetime.timedelta(seconds=30)
        cls.spikes = [cls.start + 90 * MINUTE + datetime.timedelta(seconds=7),
                      cls.start + 150 * MINUTE + datetime.timedelta(seconds=7)]
        cls.add("truck-1", "temperature", cls.spikes[0], 35.0)
        cls.add("truck-1", "temperature", cls.spikes[1], 5.0)
        for days in (12, 11, 10):
            for i in range(12):
                cls.add("pump-7", "pressure", cls.today - days * DAY + 12 * HOUR + i * 10 * MINUTE, 3 + i / 10 + days)
        cls.ingest(cls.readings)

    @classmethod
    def add(cls, device, metric, ts, value):
        cls.readings.append({"device_id": device, "metric_name": metric, "ts": ts, "value": value})

    @classmethod
    def ingest(cls, readings, batch=250):
        for i in range(0, len(readings), batch):
            body = [{"time": r["ts"].isoformat(), "device_id": r["device_id"],
                     "metric_name": r["metric_name"], "value": r["value"]} for r in readings[i:i + batch]]
            status, resp = call("POST", "/api/ingest", body)
            assert status == 201 and resp == {"inserted": len(body)}, (status, resp)

    @staticmethod
    def refresh(view, start, end):
        conn = psycopg2.connect(os.environ["TSGRES_DSN"])
        try:
            conn.autocommit = True  # refresh is not allowed in a transaction block
            with conn.cursor() as cur:
                cur.execute("CALL refresh_continuous_aggregate(%s, %s, %s)", (view, start, end))
        finally:
            conn.close()

    def metrics(self, device, **params):
        status, resp = call("GET", f"/api/devices/{device}/metrics", **params)
        self.assertEqual(status, 200, resp)
        for p in resp["points"]:
            p["time"] = datetime.datetime.fromisoformat(p["time"])
        return resp["points"]

    def assert_rollup(self, got, want, what):
        self.assertEqual([(p["time"], p["metric_name"], p["count"]) for p in got],
                         [(p["time"], p["metric_name"], p["count"]) for p in want], what)
        for g, w in zip(got, want):
            for k in ("avg", "min", "max"):
                self.assertTrue(close(g[k], w[k]), f"{what}: {k} of {g} != {w}")

    def check_rollups(self, what):
        t1 = "truck-1"
        got = self.metrics(t1, metric_name="temperature", granularity="1min",
                           start_time=self.start.isoformat(), end_time=(self.now + HOUR).isoformat())
        self.assert_rollup(got, rollup(self.readings, MINUTE, t1, "temperature", self.start, self.now + HOUR),
                           what + ": 1min")
        got = self.metrics(t1, granularity="1hour")
        self.assert_rollup(got, rollup(self.readings, HOUR, t1), what + ": 1hour")
        win = (self.start + HOUR, self.start + HOUR + 20 * MINUTE)
        got = self.metrics("truck-2", granularity="1min", start_time=win[0].isoformat(), end_time=win[1].isoformat())
        self.assert_rollup(got, rollup(self.readings, MINUTE, "truck-2", None, *win), what + ": 1min window")

    def test_1_devices(self):
        status, got = call("GET", "/api/devices")
        self.assertEqual(status, 200, got)
        want = []
        for dev in sorted({r["device_id"] for r in self.readings}):
            ts = [r["ts"] for r in self.readings if r["device_id"] == dev]
            want.append({"device_id": dev, "first_seen": min(ts).isoformat(), "last_seen": max(ts).isoformat(),
                         "readings": len(ts)})
        self.assertEqual(got, want)

    def test_2_raw(self):
        lo, hi = self.start + HOUR, self.start + 2 * HOUR
        got = self.metrics("truck-1", metric_name="temperature", start_time=lo.isoformat().replace("+00:00", "Z"),
                           end_time=hi.isoformat(), granularity="raw")
        want = sorted((r["ts"], r["value"]) for r in self.readings
                      if r["device_id"] == "truck-1" and r["metric_name"] == "temperature" and lo <= r["ts"] < hi)
        self.assertEqual(len(want), 121)  # 120 half-minutes and the first spike
        self.assertEqual([(p["time"], p["value"]) for p in got], want)
        self.assertEqual({p["metric_name"] for p in got}, {"temperature"})
        both = self.metrics("truck-2")
        self.assertEqual(len(both), sum(r["device_id"] == "truck-2" for r in self.readings))

    def test_3_aggregates_real_time_then_materialized(self):
        # Nothing refreshed yet: the rollups come from real-time aggregation.
        self.check_rollups("real-time")
        # Materialize up to two hours into the fresh data; later buckets stay
        # real-time and the answers must not change.
        for view in ("metrics_1min", "metrics_1hour"):
            self.refresh(view, self.start - DAY, self.start + 2 * HOUR)
        self.check_rollups("materialized")
        # New readings past the refreshed range show without a refresh.
        extra = []
        ts = datetime.datetime.now(UTC).replace(microsecond=0) - datetime.timedelta(seconds=5)
        for i, v in enumerate((20.25, 20.5, 19.75)):
            extra.append({"device_id": "truck-1", "metric_name": "temperature",
                          "ts": ts - datetime.timedelta(seconds=i), "value": v})
        self.ingest(extra)
        self.readings.extend(extra)
        self.check_rollups("fresh rows on materialized")

    def test_4_anomalies(self):
        status, got = call("GET", "/api/devices/truck-1/anomalies", metric_name="temperature", hours=6)
        self.assertEqual(status, 200, got)
        values = [(r["ts"], r["value"]) for r in self.readings
                  if r["device_id"] == "truck-1" and r["metric_name"] == "temperature"]
        mean = statistics.fmean(v for _, v in values)
        sd = statistics.stdev(v for _, v in values)
        want = [(t, v) for t, v in sorted(values) if abs(v - mean) > 3 * sd]
        self.assertEqual(got["samples"], len(values))
        self.assertTrue(close(got["mean"], mean) and close(got["stddev"], sd), (got["mean"], got["stddev"], mean, sd))
        self.assertEqual([(datetime.datetime.fromisoformat(a["time"]), a["value"]) for a in got["anomalies"]], want)
        self.assertEqual([t for t, _ in want], self.spikes)
        for a in got["anomalies"]:
            self.assertTrue(close(a["deviation"], abs(a["value"] - mean)))

        status, got = call("GET", "/api/devices/truck-1/anomalies", metric_name="speed", hours=6)
        self.assertEqual((status, got["anomalies"]), (200, []))
        # The old pump readings are outside a one-day window.
        status, got = call("GET", "/api/devices/pump-7/anomalies", metric_name="pressure", hours=24)
        self.assertEqual((status, got["samples"], got["mean"], got["anomalies"]), (200, 0, None, []))
        self.assertEqual(call("GET", "/api/devices/truck-1/anomalies")[0], 400)
        self.assertEqual(call("GET", "/api/devices/nope/anomalies", metric_name="x")[0], 404)

    def test_5_compression(self):
        days = {floor_to(r["ts"], DAY) for r in self.readings}
        old = sorted(d for d in days if d + DAY <= self.now - 7 * DAY)
        self.assertEqual(len(old), 3)
        status, before = call("GET", "/api/compression")
        self.assertEqual(status, 200, before)
        self.assertEqual((before["hypertable"]["total_chunks"], before["hypertable"]["number_compressed_chunks"]),
                         (len(days), 0))

        status, got = call("POST", "/api/compression/compress", {"older_than": "7 days"})
        self.assertEqual(status, 200, got)
        self.assertEqual(len(got["compressed"]), len(old), got)
        status, after = call("GET", "/api/compression")
        ht = after["hypertable"]
        self.assertEqual((ht["total_chunks"], ht["number_compressed_chunks"]), (len(days), len(old)))
        self.assertGreater(ht["before_compression_total_bytes"], 0)
        self.assertGreater(ht["after_compression_total_bytes"], 0)
        compressed = [c for c in after["chunks"] if c["status"] == "Compressed"]
        self.assertEqual(sorted(c["chunk"] for c in compressed), sorted(got["compressed"]))
        self.assertEqual(len(after["chunks"]) - len(compressed), len(days) - len(old))
        for c in compressed:
            self.assertGreater(c["before_bytes"], 0)
            self.assertGreater(c["after_bytes"], 0)
        # Compressing again finds nothing new to do.
        status, again = call("POST", "/api/compression/compress", {"older_than": "7 days"})
        self.assertEqual((status, len(again["compressed"])), (200, len(old)))
        self.assertEqual(call("GET", "/api/compression")[1]["hypertable"]["number_compressed_chunks"], len(old))
        self.assertEqual(call("POST", "/api/compression/compress", {"older_than": "1; DROP TABLE x"})[0], 400)

        # Compressed chunks answer the same raw readings, and a refresh of
        # the backfilled range (as TimescaleDB needs) rolls them up.
        pump = sorted((r["ts"], r["value"]) for r in self.readings if r["device_id"] == "pump-7")
        self.assertEqual([(p["time"], p["value"]) for p in self.metrics("pump-7", metric_name="pressure")], pump)
        for view in ("metrics_1min", "metrics_1hour"):
            self.refresh(view, old[0], old[-1] + DAY)
        self.assert_rollup(self.metrics("pump-7", granularity="1hour"), rollup(self.readings, HOUR, "pump-7"),
                           "pump-7 1hour")

    def test_6_bad_input(self):
        self.assertEqual(call("POST", "/api/ingest", {"not": "a list"})[0], 400)
        self.assertEqual(call("POST", "/api/ingest", [{"device_id": "x", "metric_name": "m"}])[0], 400)
        status, got = call("POST", "/api/ingest",
                           [{"time": "not a time", "device_id": "bad", "metric_name": "m", "value": 1}])
        self.assertEqual((status, got["sqlstate"]), (400, "22007"), got)
        self.assertEqual(call("GET", "/api/devices/bad/metrics")[0], 404)
        self.assertEqual(call("GET", "/api/devices/truck-1/metrics", granularity="1day")[0], 400)
        self.assertEqual(call("GET", "/api/devices/truck-1/metrics", start_time="yesterday")[0], 400)


if __name__ == "__main__":
    unittest.main()
