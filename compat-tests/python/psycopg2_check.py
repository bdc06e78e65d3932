"""psycopg2 against tsgres: run as /usr/bin/python3 psycopg2_check.py DSN [--no-copy].

Exits non-zero with a message on the first failed check; prints
"OK <n> checks" on success.
"""
import datetime
import decimal
import io
import sys

import psycopg2
import psycopg2.errors
import psycopg2.extras

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
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()

    # Implicit transaction: psycopg2 sends BEGIN before the first statement.
    cur.execute("CREATE TABLE readings (time timestamptz NOT NULL, device text, v double precision, n numeric, ok bool)")
    check(conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS, "implicit BEGIN")
    conn.commit()
    check(conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE, "idle after commit")

    t0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    rows = [(t0 + datetime.timedelta(minutes=i), "dev%d" % (i % 3), i * 1.5, decimal.Decimal("%d.25" % i), i % 2 == 0) for i in range(10)]
    cur.executemany("INSERT INTO readings VALUES (%s, %s, %s, %s, %s)", rows)
    conn.commit()

    cur.execute("SELECT count(*), sum(v), max(n) FROM readings")
    count, total, maxn = cur.fetchone()
    check(count == 10, "count after executemany: %r" % count)
    check(total == sum(r[2] for r in rows), "sum(v): %r" % total)
    check(maxn == decimal.Decimal("9.25"), "max(n): %r" % maxn)

    # Parameterized queries with quoting, NULL and types coming back.
    cur.execute("SELECT time, device, v, n, ok FROM readings WHERE device = %s AND v > %s ORDER BY time", ("dev1", 2.0))
    got = cur.fetchall()
    check([r[1] for r in got] == ["dev1", "dev1"], "filtered devices: %r" % got)
    check(got[0][0] == t0 + datetime.timedelta(minutes=4), "timestamptz round trip: %r" % (got[0][0],))
    check(isinstance(got[0][3], decimal.Decimal) and got[0][4] is True, "numeric/bool types: %r" % (got[0],))
    cur.execute("SELECT %s::text, %s::int, %s", ("it's \"quoted\"", 42, None))
    check(cur.fetchone() == ("it's \"quoted\"", 42, None), "literal quoting")
    conn.commit()

    # Rollback discards uncommitted rows.
    cur.execute("INSERT INTO readings VALUES (now(), 'tmp', 0, 0, false)")
    conn.rollback()
    cur.execute("SELECT count(*) FROM readings WHERE device = 'tmp'")
    check(cur.fetchone()[0] == 0, "rollback discarded insert")
    conn.commit()

    # A server error carries the SQLSTATE; the transaction is aborted until rollback.
    try:
        cur.execute("SELECT * FROM missing_table")
        check(False, "expected UndefinedTable")
    except psycopg2.errors.UndefinedTable as e:
        check(e.pgcode == "42P01", "pgcode: %r" % e.pgcode)
    try:
        cur.execute("SELECT 1")
        check(False, "expected InFailedSqlTransaction")
    except psycopg2.errors.InFailedSqlTransaction as e:
        check(e.pgcode == "25P02", "pgcode: %r" % e.pgcode)
    conn.rollback()
    try:
        cur.execute("SELECT 1/0")
        check(False, "expected DivisionByZero")
    except psycopg2.errors.DivisionByZero:
        pass
    conn.rollback()
    cur.execute("SELECT 'recovered'")
    check(cur.fetchone()[0] == "recovered", "session usable after errors")
    conn.commit()

    # execute_values: one multi-row INSERT.
    psycopg2.extras.execute_values(cur, "INSERT INTO readings (time, device, v) VALUES %s",
                                   [(t0 + datetime.timedelta(hours=1, minutes=i), "bulk", float(i)) for i in range(100)])
    conn.commit()
    cur.execute("SELECT count(*) FROM readings WHERE device = 'bulk'")
    check(cur.fetchone()[0] == 100, "execute_values rows")
    conn.commit()

    if do_copy:
        buf = io.StringIO("".join("2024-01-02 00:%02d:00+00,copy,%d.5\n" % (i, i) for i in range(50)))
        cur.copy_expert("COPY readings (time, device, v) FROM STDIN WITH (FORMAT csv)", buf)
        conn.commit()
        cur.execute("SELECT count(*), sum(v) FROM readings WHERE device = 'copy'")
        check(cur.fetchone() == (50, sum(i + 0.5 for i in range(50))), "COPY FROM STDIN rows")
        out = io.StringIO()
        cur.copy_expert("COPY (SELECT device, v FROM readings WHERE device = 'copy' ORDER BY time LIMIT 2) TO STDOUT", out)
        check(out.getvalue() == "copy\t0.5\ncopy\t1.5\n", "COPY TO STDOUT: %r" % out.getvalue())
        try:
            cur.copy_expert("COPY readings (time, device, v) FROM STDIN WITH (FORMAT csv)", io.StringIO("2024-01-03,x,1\nnot-a-time,x,2\n"))
            check(False, "expected bad COPY to fail")
        except psycopg2.Error as e:
            check(e.pgcode in ("22007", "22008"), "bad COPY pgcode: %r" % e.pgcode)
        conn.rollback()
        cur.execute("SELECT count(*) FROM readings WHERE device = 'x'")
        check(cur.fetchone()[0] == 0, "failed COPY left nothing behind")
        conn.commit()

    # Autocommit mode: no implicit transaction.
    conn.autocommit = True
    cur.execute("INSERT INTO readings (time, device) VALUES ('2024-02-01', 'auto')")
    check(conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE, "autocommit idle")
    other = psycopg2.connect(dsn)
    ocur = other.cursor()
    ocur.execute("SELECT count(*) FROM readings WHERE device = 'auto'")
    check(ocur.fetchone()[0] == 1, "autocommit row visible to another connection")
    other.close()

    # Server-side (named) cursor.
    conn.autocommit = False
    with conn.cursor(name="big") as scur:
        scur.itersize = 7
        scur.execute("SELECT v FROM readings WHERE device = 'bulk' ORDER BY v")
        vals = [r[0] for r in scur]
    check(vals == [float(i) for i in range(100)], "named cursor rows")
    conn.commit()
    conn.close()
    print("OK %d checks" % checks)


if __name__ == "__main__":
    main()
