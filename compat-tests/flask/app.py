"""A small IoT REST service on Flask + psycopg2, as users write them for
TimescaleDB: POST /ingest stores readings, GET /latest returns the latest
reading per device, GET /stats returns hourly averages.

Run: TSGRES_DSN=postgres://postgres@127.0.0.1:5432/postgres /usr/bin/python3 app.py
"""
import os

import psycopg2
import psycopg2.extras
from flask import Flask, abort, g, jsonify, request

SCHEMA = """
CREATE TABLE IF NOT EXISTS readings (
    time timestamptz NOT NULL,
    device_id text NOT NULL,
    temperature double precision,
    humidity double precision
)
"""


def create_app(dsn):
    app = Flask(__name__)

    def db():
        if "db" not in g:
            g.db = psycopg2.connect(dsn)
        return g.db

    @app.teardown_appcontext
    def close_db(_exc):
        conn = g.pop("db", None)
        if conn is not None:
            conn.close()

    @app.post("/setup")
    def setup():
        conn = db()
        with conn.cursor() as cur:
            cur.execute(SCHEMA)
            if request.args.get("hypertable") == "1":
                cur.execute("SELECT create_hypertable('readings', 'time', if_not_exists => true)")
        conn.commit()
        return jsonify(ok=True)

    @app.post("/ingest")
    def ingest():
        body = request.get_json(silent=True)
        if not isinstance(body, list) or not body:
            abort(400, "expected a non-empty JSON list of readings")
        try:
            rows = [(r["time"], r["device_id"], r.get("temperature"), r.get("humidity")) for r in body]
        except (KeyError, TypeError):
            abort(400, "each reading needs time and device_id")
        conn = db()
        try:
            with conn.cursor() as cur:
                psycopg2.extras.execute_values(
                    cur, "INSERT INTO readings (time, device_id, temperature, humidity) VALUES %s", rows)
            conn.commit()
        except psycopg2.DataError as e:
            conn.rollback()
            return jsonify(error=str(e).strip(), sqlstate=e.pgcode), 400
        return jsonify(inserted=len(rows)), 201

    @app.get("/latest")
    def latest():
        device = request.args.get("device_id")
        sql = ("SELECT DISTINCT ON (device_id) device_id, time, temperature, humidity "
               "FROM readings {} ORDER BY device_id, time DESC")
        with db().cursor() as cur:
            if device:
                cur.execute(sql.format("WHERE device_id = %s"), (device,))
            else:
                cur.execute(sql.format(""))
            out = [{"device_id": d, "time": t.isoformat(), "temperature": temp, "humidity": hum}
                   for d, t, temp, hum in cur.fetchall()]
        db().commit()
        if device and not out:
            abort(404)
        return jsonify(out)

    @app.get("/stats")
    def stats():
        with db().cursor() as cur:
            cur.execute("SELECT date_trunc('hour', time) AS h, device_id, avg(temperature), count(*) "
                        "FROM readings GROUP BY h, device_id ORDER BY h, device_id")
            out = [{"hour": h.isoformat(), "device_id": d, "avg_temperature": a, "count": n}
                   for h, d, a, n in cur.fetchall()]
        db().commit()
        return jsonify(out)

    return app


if __name__ == "__main__":
    create_app(os.environ.get("TSGRES_DSN", "postgres://postgres@127.0.0.1:5432/postgres")).run()
