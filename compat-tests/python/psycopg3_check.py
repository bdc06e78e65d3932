"""psycopg 3 against tsgres: run as /usr/bin/python3 psycopg3_check.py DSN [--no-copy].

Exits non-zero with a message on the first failed check; prints
"OK <n> checks" on success.
"""
import datetime
import decimal
import sys
import uuid

import psycopg
from psycopg import errors
from psycopg.types.json import Jsonb

checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)


def main():
    dsn = sys.argv[1]
    do_copy = "--no-copy" not in sys.argv[2:]
    t0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE m (time timestamptz NOT NULL, device int, v double precision, s text, j jsonb, u uuid, d date, iv interval, b bytea)")
        check(conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS, "implicit BEGIN")
        conn.commit()

        with conn.cursor() as cur:
            # executemany pipelines Binds; ints go as binary int2/int4/int8.
            rows = [(t0 + datetime.timedelta(seconds=i), i % 4, i / 4, "s%d" % i) for i in range(40)]
            cur.executemany("INSERT INTO m (time, device, v, s) VALUES (%s, %s, %s, %s)", rows)
            conn.commit()
            cur.execute("SELECT count(*), sum(v) FROM m")
            check(cur.fetchone() == (40, sum(r[2] for r in rows)), "executemany rows")

            # Same statement 6+ times: psycopg prepares it server-side (_pg3_N).
            for dev in range(4):
                for _ in range(2):
                    cur.execute("SELECT count(*) FROM m WHERE device = %s AND v >= %s", (dev, 0))
                    check(cur.fetchone()[0] == 10, "prepared count for device %d" % dev)
            cur.execute("SELECT s FROM m WHERE device = %s ORDER BY time DESC LIMIT %s", (3, 2), prepare=True)
            check([r[0] for r in cur.fetchall()] == ["s39", "s35"], "explicit prepare")

            # Small ints are sent as int2 and compared with int4/int8/float expressions.
            cur.execute("SELECT %s + device, %s::bigint * 2, v > %s FROM m WHERE time = %s", (1, 3, 0, t0 + datetime.timedelta(seconds=5)))
            check(cur.fetchone() == (2, 6, True), "int2 parameters")

            # Every type, binary and text.
            u = uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
            vals = (t0, 7, 1.25, "ü ✓", Jsonb({"a": [1, None]}), u, datetime.date(2024, 2, 29), datetime.timedelta(days=1, hours=2), b"\x00\xff")
            cur.execute("INSERT INTO m VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", vals)
            for binary in (False, True):
                cur.execute("SELECT time, device, v, s, j, u, d, iv, b FROM m WHERE device = 7", binary=binary)
                got = cur.fetchone()
                want = (t0, 7, 1.25, "ü ✓", {"a": [1, None]}, u, datetime.date(2024, 2, 29), datetime.timedelta(days=1, hours=2), b"\x00\xff")
                check(got == want, "types (binary=%s): %r" % (binary, got))
            cur.execute("SELECT %s::numeric, %s::bool, %s::text", (decimal.Decimal("12.340"), True, None))
            check(cur.fetchone() == (decimal.Decimal("12.340"), True, None), "numeric/bool/null params")
            conn.commit()

        # Errors and recovery.
        try:
            conn.execute("SELECT nope FROM m")
            check(False, "expected UndefinedColumn")
        except errors.UndefinedColumn as e:
            check(e.sqlstate == "42703", "sqlstate %r" % e.sqlstate)
        try:
            conn.execute("SELECT 1")
            check(False, "expected InFailedSqlTransaction")
        except errors.InFailedSqlTransaction:
            pass
        conn.rollback()
        try:
            conn.execute("SELECT %s::int", ("abc",))
            check(False, "expected InvalidTextRepresentation")
        except errors.InvalidTextRepresentation:
            pass
        conn.rollback()
        check(conn.execute("SELECT 'ok'").fetchone()[0] == "ok", "usable after errors")
        conn.commit()

        # Transaction blocks with savepoints.
        with conn.transaction():
            conn.execute("INSERT INTO m (time, device) VALUES (%s, 100)", (t0,))
            try:
                with conn.transaction():
                    conn.execute("INSERT INTO m (time, device) VALUES (%s, 101)", (t0,))
                    conn.execute("SELECT 1/0")
            except errors.DivisionByZero:
                pass
        n = conn.execute("SELECT count(*) FILTER (WHERE device = 100), count(*) FILTER (WHERE device = 101) FROM m").fetchone()
        check(n == (1, 0), "savepoint rollback: %r" % (n,))
        conn.commit()

        if do_copy:
            with conn.cursor() as cur:
                with cur.copy("COPY m (time, device, v) FROM STDIN") as copy:
                    for i in range(1000):
                        copy.write_row((t0 + datetime.timedelta(days=1, seconds=i), 200, i * 0.5))
                conn.commit()
                cur.execute("SELECT count(*), sum(v) FROM m WHERE device = 200")
                check(cur.fetchone() == (1000, sum(i * 0.5 for i in range(1000))), "COPY text rows")
                with cur.copy("COPY m (time, device, v) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(["timestamptz", "int4", "float8"])
                    for i in range(500):
                        copy.write_row((t0 + datetime.timedelta(days=2, seconds=i), 201, float(i)))
                conn.commit()
                cur.execute("SELECT count(*), max(v) FROM m WHERE device = 201")
                check(cur.fetchone() == (500, 499.0), "COPY binary rows")
                out = []
                with cur.copy("COPY (SELECT device, v FROM m WHERE device = 201 ORDER BY time LIMIT 3) TO STDOUT") as copy:
                    for row in copy.rows():
                        out.append(row)
                check(out == [("201", "0"), ("201", "1"), ("201", "2")], "COPY TO rows: %r" % out)
                conn.commit()

    # Autocommit connection.
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO m (time, device) VALUES (now(), 300)")
        check(conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE, "autocommit idle")
        check(conn.execute("SELECT count(*) FROM m WHERE device = 300").fetchone()[0] == 1, "autocommit visible")
    print("OK %d checks" % checks)


if __name__ == "__main__":
    main()
