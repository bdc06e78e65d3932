"""SQLAlchemy Core against tsgres: run as
/usr/bin/python3 sqlalchemy_check.py DSN [--postgres].

Connects through the postgresql+psycopg2 dialect (its startup queries:
version(), current_schema(), standard_conforming_strings, the hstore
probe), creates tables with MetaData.create_all, turns one into a
hypertable (skipped with --postgres: plain PostgreSQL has no TimescaleDB,
the rest must be identical), reflects it with Table(autoload_with=...)
and MetaData.reflect (the dialect's big pg_catalog queries), then inserts
and selects through Core constructs.

Exits non-zero with a message on the first failed check; prints
"OK <n> checks" on success.
"""
import datetime
import decimal
import re
import sys
import warnings

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pgt

checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)


def engine_for(dsn):
    """A 2.0-style engine from a libpq URI (postgres[ql]://user@host:port/db)."""
    url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg2://", dsn)
    return sa.create_engine(url, future=True)


def check_connect(engine):
    with engine.connect() as conn:
        d = engine.dialect
        check(d.server_version_info[0] == 15, "server_version_info %r" % (d.server_version_info,))
        check(d.default_schema_name == "public", "default schema %r" % d.default_schema_name)
        check(conn.get_isolation_level() == "READ COMMITTED", "isolation level %r" % conn.get_isolation_level())
        check(conn.scalar(sa.text("show standard_conforming_strings")) == "on", "standard_conforming_strings")
        check(conn.scalar(sa.select(sa.literal(41) + 1)) == 42, "select literal")
        # The dialect's own probes.
        check(d.has_schema(conn, "public") and not d.has_schema(conn, "nope"), "has_schema")
        check(not d.has_table(conn, "conditions"), "has_table before create")


def define(md):
    devices = sa.Table(
        "devices", md,
        sa.Column("id", sa.Integer, primary_key=True),  # SERIAL
        sa.Column("name", sa.String(32), nullable=False, unique=True),
        sa.Column("kind", sa.Text, server_default="sensor"),
    )
    conditions = sa.Table(
        "conditions", md,
        sa.Column("time", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("device_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("temperature", sa.Float(precision=53)),
        sa.Column("humidity", sa.REAL),
        sa.Column("reading", sa.Numeric(10, 2)),
        sa.Column("ok", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("note", sa.String(64)),
        sa.Column("attrs", pgt.JSONB),
        sa.Index("conditions_device_time", "device_id", "time"),
        sa.Index("conditions_note", "note"),
    )
    return devices, conditions


def check_create(engine, postgres):
    md = sa.MetaData()
    define(md)
    md.create_all(engine)
    if not postgres:
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT create_hypertable('conditions', 'time', chunk_time_interval => interval '1 day')"))
            n = conn.scalar(sa.text("SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_name = 'conditions'"))
            check(n == 1, "conditions is a hypertable")
    with engine.connect() as conn:
        check(engine.dialect.has_table(conn, "conditions"), "has_table after create")


def check_reflect(engine):
    md = sa.MetaData()
    t = sa.Table("conditions", md, autoload_with=engine)
    cols = {c.name: c for c in t.columns}
    check(list(cols) == ["time", "device_id", "temperature", "humidity", "reading", "ok", "note", "attrs"],
          "reflected columns %r" % list(cols))
    types = [(n, c.type) for n, c in cols.items()]
    check(isinstance(cols["time"].type, pgt.TIMESTAMP) and cols["time"].type.timezone, "time type %r" % types)
    check(isinstance(cols["device_id"].type, pgt.INTEGER), "device_id type %r" % cols["device_id"].type)
    check(isinstance(cols["temperature"].type, pgt.DOUBLE_PRECISION), "temperature type %r" % cols["temperature"].type)
    check(isinstance(cols["humidity"].type, pgt.REAL), "humidity type %r" % cols["humidity"].type)
    rt = cols["reading"].type
    check(isinstance(rt, pgt.NUMERIC) and (rt.precision, rt.scale) == (10, 2), "reading type %r" % rt)
    check(isinstance(cols["ok"].type, pgt.BOOLEAN), "ok type %r" % cols["ok"].type)
    check(isinstance(cols["note"].type, pgt.VARCHAR) and cols["note"].type.length == 64, "note type %r" % cols["note"].type)
    check(isinstance(cols["attrs"].type, pgt.JSONB), "attrs type %r" % cols["attrs"].type)
    check([c.name for c in cols.values() if not c.nullable] == ["time", "device_id", "ok"], "NOT NULL columns")
    check(str(cols["ok"].server_default.arg) == "true", "ok default %r" % cols["ok"].server_default.arg)
    check([c.name for c in t.primary_key.columns] == ["time", "device_id"], "primary key columns %r" % list(t.primary_key.columns))
    check(t.primary_key.name == "conditions_pkey", "primary key name %r" % t.primary_key.name)
    idx = {i.name: ([c.name for c in i.columns], i.unique) for i in t.indexes}
    check(idx == {"conditions_device_time": (["device_id", "time"], False), "conditions_note": (["note"], False)},
          "reflected indexes %r" % idx)

    insp = sa.inspect(engine)
    check(insp.get_pk_constraint("conditions") == {"constrained_columns": ["time", "device_id"], "name": "conditions_pkey"},
          "inspector pk %r" % insp.get_pk_constraint("conditions"))
    check(insp.get_foreign_keys("conditions") == [] and insp.get_check_constraints("conditions") == [], "no FKs or CHECKs")
    check(insp.get_table_comment("conditions") == {"text": None}, "no table comment")

    dev = insp.get_columns("devices")
    check([(c["name"], c["nullable"], c["autoincrement"]) for c in dev] ==
          [("id", False, True), ("name", False, False), ("kind", True, False)], "devices columns %r" % dev)
    check(dev[0]["default"] == "nextval('devices_id_seq'::regclass)", "serial default %r" % dev[0]["default"])
    check("'sensor'" in dev[2]["default"], "text default %r" % dev[2]["default"])
    uq = insp.get_unique_constraints("devices")
    check(uq == [{"name": "devices_name_key", "column_names": ["name"]}], "unique constraints %r" % uq)

    all_md = sa.MetaData()
    all_md.reflect(bind=engine)
    check(set(all_md.tables) == {"devices", "conditions"}, "MetaData.reflect tables %r" % sorted(all_md.tables))
    check(insp.get_table_names() == ["conditions", "devices"] or sorted(insp.get_table_names()) == ["conditions", "devices"],
          "get_table_names %r" % insp.get_table_names())
    return t, all_md.tables["devices"]


def check_insert_select(engine, conditions, devices):
    t0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    with engine.begin() as conn:
        ids = [conn.execute(sa.insert(devices).values(name="dev%d" % i).returning(devices.c.id)).scalar_one() for i in range(3)]
        check(ids == [1, 2, 3], "SERIAL ids via RETURNING %r" % ids)
        rows = [{"time": t0 + datetime.timedelta(minutes=i), "device_id": ids[i % 3], "temperature": 20 + i / 4,
                 "humidity": 0.5, "reading": decimal.Decimal("%d.25" % i), "note": "n%d" % i,
                 "attrs": {"i": i, "even": i % 2 == 0}} for i in range(30)]
        res = conn.execute(sa.insert(conditions), rows)  # executemany
        check(res.rowcount == 30, "executemany rowcount %r" % res.rowcount)
        conn.execute(sa.insert(conditions).values(time=t0, device_id=99, ok=False))
    with engine.connect() as conn:
        c = conditions.c
        q = (sa.select(c.time, c.device_id, c.temperature, c.reading, c.ok, c.attrs)
             .where(c.device_id == ids[1], c.time >= t0 + datetime.timedelta(minutes=5), c.note.like("n%"))
             .order_by(c.time.desc()).limit(2))
        got = conn.execute(q).all()
        check([tuple(r) for r in got] == [
            (t0 + datetime.timedelta(minutes=28), 2, 27.0, decimal.Decimal("28.25"), True, {"i": 28, "even": True}),
            (t0 + datetime.timedelta(minutes=25), 2, 26.25, decimal.Decimal("25.25"), True, {"i": 25, "even": False}),
        ], "select where/order_by/limit %r" % got)
        q = (sa.select(devices.c.name, sa.func.count().label("n"), sa.func.avg(c.temperature).label("avg"))
             .select_from(conditions.join(devices, devices.c.id == c.device_id))
             .where(c.ok.is_(True))
             .group_by(devices.c.name).order_by(devices.c.name))
        got = [(r.name, r.n, r.avg) for r in conn.execute(q)]
        check(got == [("dev0", 10, 23.375), ("dev1", 10, 23.625), ("dev2", 10, 23.875)], "join/group_by %r" % got)
        got = conn.execute(sa.select(c.device_id).where(c.ok == sa.false())).scalars().all()
        check(got == [99], "server default false row %r" % got)
        got = conn.execute(sa.select(c.note).where(c.device_id.in_([1, 3]), c.attrs["even"].astext == "true")
                           .order_by(c.note).limit(3)).scalars().all()
        check(got == ["n0", "n12", "n14"], "in_ + JSONB path %r" % got)
        got = conn.execute(sa.select(sa.func.count()).select_from(conditions).where(c.reading.between(10, 12))).scalar()
        check(got == 2, "between %r" % got)


def check_constraints(engine):
    """FOREIGN KEY and CHECK constraints made by create_all, reflected by
    the inspector (pg_constraint, pg_get_constraintdef) and enforced."""
    md = sa.MetaData()
    sites = sa.Table("sites", md, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                     sa.Column("code", sa.String(8), unique=True))
    sa.Table("sensors", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id", ondelete="CASCADE")),
             sa.Column("site_code", sa.String(8)),
             sa.Column("level", sa.Integer),
             sa.ForeignKeyConstraint(["site_code"], ["sites.code"], name="sensors_code_fk", onupdate="SET NULL"),
             sa.CheckConstraint("level >= 0 AND level < 10", name="level_range"))
    md.create_all(engine)
    insp = sa.inspect(engine)
    fks = sorted(insp.get_foreign_keys("sensors"), key=lambda f: f["name"])
    check([(f["name"], f["constrained_columns"], f["referred_table"], f["referred_columns"], f["options"]) for f in fks] == [
        ("sensors_code_fk", ["site_code"], "sites", ["code"], {"onupdate": "SET NULL"}),
        ("sensors_site_id_fkey", ["site_id"], "sites", ["id"], {"ondelete": "CASCADE"}),
    ], "get_foreign_keys %r" % fks)
    cks = insp.get_check_constraints("sensors")
    check(cks == [{"name": "level_range", "sqltext": "(level >= 0) AND (level < 10)"}], "get_check_constraints %r" % cks)
    with engine.begin() as conn:
        conn.execute(sa.insert(sites).values(id=1, code="a"))
        conn.execute(sa.text("INSERT INTO sensors VALUES (1, 1, 'a', 3)"))
    for sql, code in [("INSERT INTO sensors VALUES (2, 7, NULL, 3)", "23503"),
                      ("INSERT INTO sensors VALUES (2, 1, NULL, 10)", "23514")]:
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(sql))
            check(False, "%s succeeded" % sql)
        except sa.exc.IntegrityError as e:
            check(e.orig.pgcode == code and e.orig.diag.constraint_name, "%s: %s %s" % (sql, e.orig.pgcode, e.orig.diag.constraint_name))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE sensors SET site_code = NULL"))
        conn.execute(sa.delete(sites))
        check(conn.scalar(sa.text("SELECT count(*) FROM sensors")) == 0, "ON DELETE CASCADE")
    md.drop_all(engine)


def main():
    dsn = sys.argv[1]
    postgres = "--postgres" in sys.argv[2:]
    warnings.simplefilter("error", sa.exc.SAWarning)  # e.g. "Did not recognize type"
    engine = engine_for(dsn)
    check_connect(engine)
    check_create(engine, postgres)
    conditions, devices = check_reflect(engine)
    check_insert_select(engine, conditions, devices)
    check_constraints(engine)
    engine.dispose()
    print("OK %d checks" % checks)


if __name__ == "__main__":
    main()
