"""psycopg2 against tsgres: run as /usr/bin/python3 psycopg2_check.py DSN [--no-copy].

Exits non-zero with a message on the first failed check; prints
"OK <n> checks" on success.
"""
import datetime
import decimal
import io
import sys
import uuid

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

    check_param_types(conn)
    check_batches_and_dict_cursor(conn)
    check_sqlstate_classes(conn)
    check_declare_fetch(conn)
    check_refcursor(conn)
    if do_copy:
        check_copy_from(conn)
    conn.close()
    print("OK %d checks" % checks)


def check_param_types(conn):
    """%s parameters of every supported type, interpolated by psycopg2,
    stored in typed columns and read back as the same Python values."""
    psycopg2.extras.register_uuid()
    cur = conn.cursor()
    cur.execute("""CREATE TABLE typed (id int PRIMARY KEY, tz timestamptz, ts timestamp, d date, n numeric,
        f double precision, b bool, s text, y bytea, j jsonb, u uuid, ia int[], ta text[], iv interval)""")
    conn.commit()
    cet = datetime.timezone(datetime.timedelta(hours=1))
    row = (1, datetime.datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=cet), datetime.datetime(2024, 2, 29, 23, 59, 59, 999999),
           datetime.date(2024, 2, 29), decimal.Decimal("-1234567890.0123456789"), 1.0e-5, True, "it's \\ ü \"q\"",
           b"\x00\x01'\\\xff", psycopg2.extras.Json({"k": [1, None, "x"], "nested": {"t": True}}),
           uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), [1, None, 3], ["a", "b c", "d,e"], datetime.timedelta(days=2, seconds=3))
    cur.execute("INSERT INTO typed VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", row)
    cur.execute("INSERT INTO typed (id) VALUES (%s)", (2,))
    conn.commit()
    cur.execute("SELECT tz, ts, d, n, f, b, s, y, j, u, ia, ta, iv FROM typed WHERE id = %s", (1,))
    got = cur.fetchone()
    want = (row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], {"k": [1, None, "x"], "nested": {"t": True}},
            row[10], row[11], row[12], row[13])
    for i, (g, w) in enumerate(zip(got, want)):
        if isinstance(g, memoryview):
            g = bytes(g)
        check(g == w, "column %d round trip: got %r want %r" % (i, g, w))
    check(got[0].utcoffset() == datetime.timedelta(0), "timestamptz comes back in the session zone (UTC): %r" % got[0])
    check(got[1].tzinfo is None, "timestamp comes back naive: %r" % got[1])
    cur.execute("SELECT tz, ts, n, b, s, y, j, u, ia FROM typed WHERE id = 2")
    check(cur.fetchone() == (None,) * 9, "NULLs come back as None")
    # Parameters in WHERE against each type.
    cur.execute("SELECT count(*) FROM typed WHERE tz = %s AND ts = %s AND d = %s AND n = %s AND b = %s AND u = %s AND %s = ANY(ia)",
                (row[1], row[2], row[3], row[4], True, row[10], 3))
    check(cur.fetchone()[0] == 1, "typed parameters in WHERE")
    cur.execute("SELECT %s IS NULL, %s::int + 1, %s::date + 1", (None, 41, datetime.date(2024, 12, 31)))
    check(cur.fetchone() == (True, 42, datetime.date(2025, 1, 1)), "untyped parameters in expressions")
    conn.commit()


def check_batches_and_dict_cursor(conn):
    """execute_batch (several statements per round trip), execute_values
    with a template, and RealDictCursor rows keyed by column name."""
    cur = conn.cursor()
    cur.execute("CREATE TABLE kv (k int PRIMARY KEY, v text, at timestamptz)")
    at = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)
    psycopg2.extras.execute_batch(cur, "INSERT INTO kv VALUES (%s, %s, %s)",
                                  [(i, "b%d" % i, at + datetime.timedelta(seconds=i)) for i in range(250)], page_size=100)
    psycopg2.extras.execute_values(cur, "INSERT INTO kv VALUES %s", [(1000 + i, "v%d" % i) for i in range(30)],
                                   template="(%s, %s, now())", page_size=7)
    conn.commit()
    cur.execute("SELECT count(*), count(at), min(k), max(k) FROM kv")
    check(cur.fetchone() == (280, 280, 0, 1029), "execute_batch + execute_values rows")
    ret = psycopg2.extras.execute_values(cur, "INSERT INTO kv VALUES %s ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v RETURNING k",
                                         [(1, "u1"), (2, "u2")], fetch=True)
    check(sorted(r[0] for r in ret) == [1, 2], "execute_values fetch=True: %r" % ret)
    conn.commit()

    dcur = conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
    dcur.execute("SELECT k, v, at AS \"when\" FROM kv WHERE k < %s ORDER BY k", (3,))
    rows = dcur.fetchall()
    check([dict(r) for r in rows] == [{"k": 0, "v": "b0", "when": at}, {"k": 1, "v": "u1", "when": at + datetime.timedelta(seconds=1)},
                                      {"k": 2, "v": "u2", "when": at + datetime.timedelta(seconds=2)}], "RealDictCursor rows: %r" % rows)
    check([d[0] for d in dcur.description] == ["k", "v", "when"], "description names")
    check(dcur.description[0].type_code == 23 and dcur.description[1].type_code == 25 and dcur.description[2].type_code == 1184,
          "description type OIDs: %r" % (dcur.description,))
    ncur = conn.cursor(cursor_factory=psycopg2.extras.NamedTupleCursor)
    ncur.execute("SELECT k, v FROM kv WHERE k = 0")
    r = ncur.fetchone()
    check(r.k == 0 and r.v == "b0", "NamedTupleCursor: %r" % (r,))
    conn.commit()


def expect_error(conn, sql, cls, code, params=None):
    cur = conn.cursor()
    try:
        cur.execute(sql, params)
        check(False, "expected %s from %s" % (cls.__name__, sql))
    except cls as e:
        check(e.pgcode == code, "%s: pgcode %r, want %s" % (sql, e.pgcode, code))
        check(e.diag.sqlstate == code and e.diag.message_primary, "%s: diag %r" % (sql, e.diag.message_primary))
    conn.rollback()


def check_sqlstate_classes(conn):
    """Each error arrives as the psycopg2.errors class of its SQLSTATE, and
    the connection stays usable after rollback."""
    cur = conn.cursor()
    cur.execute("CREATE TABLE uniq (id int PRIMARY KEY, name text NOT NULL)")
    cur.execute("INSERT INTO uniq VALUES (1, 'one')")
    conn.commit()
    e = psycopg2.errors
    expect_error(conn, "SELECT * FROM no_such_table", e.UndefinedTable, "42P01")
    expect_error(conn, "SELECT no_such_column FROM uniq", e.UndefinedColumn, "42703")
    expect_error(conn, "SELECT no_such_function(1)", e.UndefinedFunction, "42883")
    expect_error(conn, "INSERT INTO uniq VALUES (%s, %s)", e.UniqueViolation, "23505", (1, "dup"))
    expect_error(conn, "INSERT INTO uniq VALUES (%s, %s)", e.NotNullViolation, "23502", (2, None))
    expect_error(conn, "SELECT 1 / %s", e.DivisionByZero, "22012", (0,))
    expect_error(conn, "SELECT %s::date", e.InvalidDatetimeFormat, "22007", ("not a date",))
    expect_error(conn, "SELECT %s::timestamp", e.DatetimeFieldOverflow, "22008", ("2024-13-01",))
    expect_error(conn, "SELECT %s::int", e.InvalidTextRepresentation, "22P02", ("abc",))
    expect_error(conn, "SELECT 2147483647::int + 1", e.NumericValueOutOfRange, "22003")
    expect_error(conn, "SELEC 1", e.SyntaxError, "42601")
    expect_error(conn, "CREATE TABLE uniq (x int)", e.DuplicateTable, "42P07")
    check(issubclass(e.UniqueViolation, psycopg2.IntegrityError) and issubclass(e.DivisionByZero, psycopg2.DataError),
          "DB-API exception hierarchy")
    cur.execute("SELECT count(*) FROM uniq")
    check(cur.fetchone()[0] == 1, "usable after errors, failed inserts left nothing")
    conn.commit()


def check_declare_fetch(conn):
    """Named cursors: psycopg2 sends DECLARE "name" CURSOR WITHOUT HOLD FOR
    ... and FETCH FORWARD n FROM "name"; fetchmany/fetchone/scroll work
    and WITH HOLD cursors survive the commit."""
    with conn.cursor("fetcher") as scur:
        scur.execute("SELECT k, v FROM kv WHERE k < %s ORDER BY k", (100,))
        first = scur.fetchone()
        many = scur.fetchmany(10)
        rest = scur.fetchall()
    check(first == (0, "b0") and [r[0] for r in many] == list(range(1, 11)) and len(rest) == 89, "fetchone/fetchmany/fetchall")
    conn.commit()
    with conn.cursor("held", withhold=True) as hcur:
        hcur.itersize = 25
        hcur.execute("SELECT k FROM kv ORDER BY k LIMIT 60")
        conn.commit()
        check([r[0] for r in hcur] == list(range(60)), "WITH HOLD cursor after commit")
    conn.commit()
    cur = conn.cursor()
    cur.execute("DECLARE c CURSOR FOR SELECT k FROM kv WHERE k >= 1000 ORDER BY k")
    cur.execute("FETCH 3 FROM c")
    check([r[0] for r in cur.fetchall()] == [1000, 1001, 1002], "FETCH 3")
    cur.execute("FETCH ALL FROM c")
    check(len(cur.fetchall()) == 27 and cur.rowcount == 27, "FETCH ALL rows and rowcount")
    cur.execute("CLOSE c")
    conn.commit()


def check_refcursor(conn):
    """The PL/pgSQL refcursor hand-off: a function opens a cursor and
    returns its name; psycopg2 reads it with a named cursor (FETCH FORWARD
    n FROM "name") or FETCH ALL IN in the same transaction."""
    cur = conn.cursor()
    cur.execute("""CREATE FUNCTION reffunc(refcursor) RETURNS refcursor LANGUAGE plpgsql AS $$
BEGIN
  OPEN $1 FOR SELECT k, v FROM kv WHERE k < 5 ORDER BY k;
  RETURN $1;
END $$""")
    conn.commit()
    cur.execute("SELECT k, v FROM kv WHERE k < 5 ORDER BY k")
    want = cur.fetchall()
    check(len(want) == 5, "kv rows for the refcursor")
    cur.callproc("reffunc", ["curname"])
    check(cur.fetchone()[0] == "curname", "refcursor name returned")
    named = conn.cursor("curname")
    rows = named.fetchall()
    check(rows == want, "rows through the refcursor: %r" % rows)
    conn.commit()
    cur.execute("SELECT reffunc('c2')")
    cur.execute("FETCH ALL IN c2")
    check([r[0] for r in cur.fetchall()] == list(range(5)), "FETCH ALL IN a returned refcursor")
    conn.commit()


def check_copy_from(conn):
    """cursor.copy_from (text format with sep/null/columns), copy_to and
    copy_expert with CSV HEADER."""
    cur = conn.cursor()
    cur.execute("CREATE TABLE cp (time timestamptz NOT NULL, device int, v double precision, note text)")
    conn.commit()
    data = "".join("2024-06-01 00:00:%02d+00|%d|%s|%s\n" % (i, i % 3, "\\N" if i % 5 == 0 else "%d.5" % i, "n%d" % i) for i in range(40))
    cur.copy_from(io.StringIO(data), "cp", sep="|", columns=("time", "device", "v", "note"))
    check(cur.rowcount == 40, "copy_from rowcount %r" % cur.rowcount)
    conn.commit()
    cur.execute("SELECT count(*), count(v), sum(device) FROM cp")
    check(cur.fetchone() == (40, 32, sum(i % 3 for i in range(40))), "copy_from rows and NULLs")
    out = io.StringIO()
    cur.copy_to(out, "cp", sep=",", null="NULL", columns=("device", "v"))
    lines = out.getvalue().splitlines()
    check(len(lines) == 40 and "0,NULL" in lines and "1,1.5" in lines, "copy_to: %r" % lines[:3])
    out = io.StringIO()
    cur.copy_expert("COPY (SELECT device, note FROM cp WHERE device = 2 ORDER BY time LIMIT 2) TO STDOUT WITH (FORMAT csv, HEADER)", out)
    check(out.getvalue() == "device,note\n2,n2\n2,n5\n", "COPY csv HEADER: %r" % out.getvalue())
    conn.commit()


if __name__ == "__main__":
    main()
