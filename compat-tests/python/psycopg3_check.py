"""psycopg 3 against tsgres: run as /usr/bin/python3 psycopg3_check.py DSN [--no-copy].

Exits non-zero with a message on the first failed check; prints
"OK <n> checks" on success.
"""
import datetime
import decimal
import sys
import uuid

import psycopg
import psycopg.sql
from psycopg import errors
from psycopg.types.json import Json, Jsonb

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

    with psycopg.connect(dsn) as conn:
        check_all_types(conn)
        check_prepared(conn)
        check_executemany(conn)
        check_pipeline(conn)
        if do_copy:
            check_copy_types(conn)
    print("OK %d checks" % checks)


# Every supported type: (SQL type, Python value, psycopg dumper type
# name or None for psycopg's default).
TYPED = [
    ("bool", True), ("int2", -32768), ("int4", 2147483647), ("int8", -9223372036854775808),
    ("float4", 1.5), ("float8", -2.25e-300), ("numeric", decimal.Decimal("-12345678901234567890.000123")),
    ("text", "ü ✓ 'q' \\"), ("varchar", "short"), ("bytea", b"\x00\x01\xff"),
    ("timestamp", datetime.datetime(2024, 2, 29, 23, 59, 59, 999999)),
    ("timestamptz", datetime.datetime(2024, 3, 1, 12, 0, 0, 1, tzinfo=datetime.timezone.utc)),
    ("date", datetime.date(1999, 12, 31)), ("interval", datetime.timedelta(days=-3, seconds=7322, microseconds=5)),
    ("jsonb", {"a": [1, 2.5, None, "x"], "b": {"c": True}}), ("json", [1, "two"]),
    ("uuid", uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
    ("int4[]", [1, None, 3]), ("int8[]", [2 ** 40, -1]), ("text[]", ["a", "b c", None, "d,e"]),
    ("float8[]", [1.5, -0.25]), ("bool[]", [True, False]),
]


def check_all_types(conn):
    """A typed column per type: values sent as binary parameters, read
    back in text and binary results, and NULLs of every type."""
    cols = ", ".join("c%d %s" % (i, t) for i, (t, _) in enumerate(TYPED))
    conn.execute("CREATE TABLE every (id int, %s)" % cols)
    names = ", ".join("c%d" % i for i in range(len(TYPED)))
    marks = ", ".join(["%b"] * len(TYPED))
    vals = []
    for t, v in TYPED:
        if t == "jsonb":
            v = Jsonb(v)
        elif t == "json":
            v = Json(v)
        vals.append(v)
    conn.execute("INSERT INTO every (id, %s) VALUES (1, %s)" % (names, marks), vals)
    conn.execute("INSERT INTO every (id) VALUES (2)")
    conn.commit()
    for binary in (False, True):
        cur = conn.cursor(binary=binary)
        cur.execute("SELECT %s FROM every WHERE id = %%s" % names, (1,))
        got = cur.fetchone()
        check(all(d.type_code == conn.adapters.types[t.rstrip("[]")].array_oid if t.endswith("[]")
                  else d.type_code == conn.adapters.types[t].oid for d, (t, _) in zip(cur.description, TYPED)),
              "binary=%s description types %r" % (binary, [d.type_code for d in cur.description]))
        for (t, want), g in zip(TYPED, got):
            if t == "float4":
                g = float(g)
            check(g == want, "binary=%s %s: got %r want %r" % (binary, t, g, want))
        check(cur.pgresult.fformat(0) == (1 if binary else 0), "result format binary=%s" % binary)
        cur.execute("SELECT %s FROM every WHERE id = 2" % names)
        check(cur.fetchone() == (None,) * len(TYPED), "NULLs binary=%s" % binary)
    # Each value as a typed parameter compared with its column.
    for i, ((t, _), v) in enumerate(zip(TYPED, vals)):
        if t in ("json",):
            continue  # json has no equality operator
        n = conn.execute("SELECT count(*) FROM every WHERE c%d = %%b::%s" % (i, t), (v,)).fetchone()[0]
        check(n == 1, "parameter %s equals its column" % t)
    conn.commit()


def check_prepared(conn):
    """Server-side binding ($n placeholders in the query psycopg sends);
    after prepare_threshold executions psycopg switches to a named
    statement (Parse _pg3_N once, then Bind/Execute); DEALLOCATE ALL
    from the client and re-preparing work."""
    cur = conn.cursor()
    cur.execute("SELECT %s::int + 1", (1,))
    check(cur._query.query == b"SELECT $1::int + 1" and cur._query.params[0] == b"\x00\x01", "server-side binding %r" % (cur._query.query,))
    conn.prepare_threshold = 2
    q = "SELECT count(*), sum(id) FROM every WHERE id <= %s"
    for i in range(6):
        check(cur.execute(q, (i,)).fetchone() == (min(i, 2), [None, 1, 3][min(i, 2)]), "repeated execution %d" % i)
    key = psycopg.sql.SQL(q).as_bytes(conn).replace(b"%s", b"$1")
    check(any(k[0] == key for k in conn._prepared._names), "statement prepared after threshold: %r" % list(conn._prepared._names))
    conn.prepare_threshold = 0  # prepare everything from the first execution
    for binary in (False, True):
        got = conn.cursor(binary=binary).execute("SELECT c1, c6, c10 FROM every WHERE id = %s AND c0 = %s", (1, True)).fetchone()
        check(got == (TYPED[1][1], TYPED[6][1], TYPED[10][1]), "prepared binary=%s %r" % (binary, got))
    conn.execute("DEALLOCATE ALL")
    try:
        conn.execute(q, (1,))
        check(False, "expected InvalidSqlStatementName after DEALLOCATE ALL")
    except errors.InvalidSqlStatementName:
        conn.rollback()  # psycopg forgets its statements on ROLLBACK
    check(conn.execute(q, (1,)).fetchone() == (1, 1), "re-prepared after DEALLOCATE ALL and ROLLBACK")
    check(len(conn._prepared._names) == 1, "one statement prepared again: %r" % list(conn._prepared._names))
    try:
        conn.execute("SELECT %s::int", ("x",), prepare=True)
        check(False, "expected InvalidTextRepresentation from a prepared statement")
    except errors.InvalidTextRepresentation:
        conn.rollback()
    conn.prepare_threshold = 5
    conn.commit()


def check_executemany(conn):
    cur = conn.cursor()
    cur.execute("CREATE TABLE em (k int PRIMARY KEY, v text, at timestamptz)")
    conn.commit()
    t0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    cur.executemany("INSERT INTO em VALUES (%s, %s, %s)", [(i, "v%d" % i, t0 + datetime.timedelta(hours=i)) for i in range(100)])
    check(cur.rowcount == 100, "executemany rowcount %r" % cur.rowcount)
    cur.executemany("INSERT INTO em VALUES (%s, %s, %s) RETURNING k * 10", [(1000, "a", t0), (1001, "b", None)], returning=True)
    got = []
    while True:
        got.append(cur.fetchone()[0])
        if not cur.nextset():
            break
    check(got == [10000, 10010], "executemany returning %r" % got)
    try:
        cur.executemany("INSERT INTO em VALUES (%s, %s, %s)", [(2000, "x", t0), (5, "dup", t0)])
        check(False, "expected UniqueViolation from executemany")
    except errors.UniqueViolation:
        conn.rollback()
    check(conn.execute("SELECT count(*) FROM em").fetchone()[0] == 0, "failed executemany rolled back the transaction")
    conn.commit()
    cur.executemany("INSERT INTO em (k, v) VALUES (%s, %s)", [(i, None) for i in range(10)])
    conn.commit()
    check(conn.execute("SELECT count(*), count(v) FROM em").fetchone() == (10, 0), "executemany NULL parameters")
    conn.commit()


def check_pipeline(conn):
    """Pipeline mode: many statements before one Sync, results in order;
    an error aborts the rest of the pipeline and the connection recovers."""
    with conn.pipeline() as p:
        cur = conn.cursor()
        cur.execute("INSERT INTO em (k, v) VALUES (%s, %s)", (500, "p"))
        cur2 = conn.cursor().execute("SELECT v FROM em WHERE k = %s", (500,))
        cur3 = conn.cursor().execute("SELECT count(*) FROM em")
        p.sync()
        check(cur2.fetchone() == ("p",) and cur3.fetchone() == (11,), "pipeline results in order")
    conn.commit()
    try:
        with conn.pipeline():
            conn.execute("INSERT INTO em (k) VALUES (%s)", (600,))
            conn.execute("SELECT 1 / %s", (0,))
            conn.execute("INSERT INTO em (k) VALUES (%s)", (601,))
        check(False, "expected DivisionByZero from the pipeline")
    except errors.DivisionByZero:
        conn.rollback()
    check(conn.execute("SELECT count(*) FROM em WHERE k >= 600").fetchone()[0] == 0, "failed pipeline left nothing")
    with conn.pipeline():
        for i in range(50):
            conn.execute("INSERT INTO em (k, v) VALUES (%s, %s)", (700 + i, "x"))
    conn.commit()
    check(conn.execute("SELECT count(*) FROM em WHERE v = 'x'").fetchone()[0] == 50, "50 pipelined inserts")
    conn.commit()
    conn.autocommit = True
    with conn.pipeline():
        conn.execute("INSERT INTO em (k) VALUES (%s)", (900,))
        r = conn.execute("SELECT count(*) FROM em WHERE k = 900")
    check(r.fetchone()[0] == 1, "pipeline in autocommit mode")
    conn.autocommit = False


def check_copy_types(conn):
    """COPY FROM in text and binary with write_row for several types, and
    COPY TO in binary read back with set_types."""
    conn.execute("CREATE TABLE ct (t timestamptz, i int8, f float8, n numeric, s text, b bool, y bytea, j jsonb, u uuid, d date)")
    t0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    u = uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    rows = [(t0 + datetime.timedelta(seconds=i), i, i / 8, decimal.Decimal(i) / 100, "s\t%d\n" % i, i % 2 == 0,
             bytes([i % 256, 0]), Jsonb({"i": i}), u, datetime.date(2024, 1, 1 + i % 28)) for i in range(300)]
    rows.append((t0, None, None, None, None, None, None, None, None, None))
    types = ["timestamptz", "int8", "float8", "numeric", "text", "bool", "bytea", "jsonb", "uuid", "date"]
    with conn.cursor() as cur:
        with cur.copy("COPY ct FROM STDIN") as copy:
            for r in rows[:150]:
                copy.write_row(r)
        with cur.copy("COPY ct FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for r in rows[150:]:
                copy.write_row(r)
        conn.commit()
        want = [tuple(x.obj if isinstance(x, Jsonb) else x for x in r) for r in rows]
        got = cur.execute("SELECT * FROM ct ORDER BY t, i NULLS FIRST").fetchall()
        check(sorted(got, key=lambda r: (r[0], -1 if r[1] is None else r[1])) == sorted(want, key=lambda r: (r[0], -1 if r[1] is None else r[1])),
              "COPY text+binary rows round trip")
        out = []
        with cur.copy("COPY (SELECT * FROM ct WHERE i < 3 ORDER BY i) TO STDOUT (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for r in copy.rows():
                out.append(r)
        check(out == want[:3], "COPY TO binary rows %r" % out[:1])
    conn.commit()


if __name__ == "__main__":
    main()
