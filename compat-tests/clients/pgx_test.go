package clients

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string, args ...any) pgconn.CommandTag {
	t.Helper()
	tag, err := conn.Exec(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return tag
}

func TestPgxCopyFromAndPrepared(t *testing.T) {
	compat.Pending(t, "copy")
	ctx := context.Background()
	conn := connect(t, compat.Start(t).DSN("postgres"))
	mustExec(t, conn, "CREATE TABLE m (time timestamptz NOT NULL, device int, v double precision, s text)")
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 10000
	rows := make([][]any, n)
	for i := range rows {
		var s any = "x"
		if i%10 == 0 {
			s = nil
		}
		rows[i] = []any{t0.Add(time.Duration(i) * time.Second), int32(i % 7), float64(i) / 8, s}
	}
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{"m"}, []string{"time", "device", "v", "s"}, pgx.CopyFromRows(rows))
	if err != nil || copied != n {
		t.Fatalf("CopyFrom = %d, %v", copied, err)
	}
	var count, nulls int64
	var sum float64
	var maxT time.Time
	if err := conn.QueryRow(ctx, "SELECT count(*), count(*) - count(s), sum(v), max(time) FROM m").Scan(&count, &nulls, &sum, &maxT); err != nil {
		t.Fatal(err)
	}
	if count != n || nulls != n/10 || sum != float64(n*(n-1)/2)/8 || !maxT.Equal(t0.Add((n-1)*time.Second)) {
		t.Fatalf("after COPY: count %d nulls %d sum %v max %v", count, nulls, sum, maxT)
	}

	// Named prepared statement, executed repeatedly with binary params.
	if _, err := conn.Prepare(ctx, "by_device", "SELECT count(*), avg(v) FROM m WHERE device = $1 AND time >= $2"); err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for d := int32(0); d < 7; d++ {
		var c int64
		var avg float64
		if err := conn.QueryRow(ctx, "by_device", d, t0).Scan(&c, &avg); err != nil {
			t.Fatal(err)
		}
		total += c
	}
	if total != n {
		t.Fatalf("prepared counts sum to %d, want %d", total, n)
	}

	// A failed COPY leaves nothing behind.
	bad := [][]any{{t0, int32(1), 1.0, "ok"}, {nil, int32(1), 1.0, "null time"}}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"m"}, []string{"time", "device", "v", "s"}, pgx.CopyFromRows(bad)); err == nil {
		t.Fatal("COPY of a NULL into a NOT NULL column succeeded")
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM m").Scan(&count); err != nil || count != n {
		t.Fatalf("after failed COPY: %d rows, %v", count, err)
	}
}

func TestPgxBatch(t *testing.T) {
	compat.Pending(t, "engine")
	ctx := context.Background()
	conn := connect(t, compat.Start(t).DSN("postgres"))
	mustExec(t, conn, "CREATE TABLE kv (k int PRIMARY KEY, v text)")
	b := &pgx.Batch{}
	for i := 0; i < 50; i++ {
		b.Queue("INSERT INTO kv VALUES ($1, $2)", i, "v")
	}
	b.Queue("SELECT count(*) FROM kv")
	b.Queue("INSERT INTO kv VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v", 1, "upd")
	br := conn.SendBatch(ctx, b)
	for i := 0; i < 50; i++ {
		if _, err := br.Exec(); err != nil {
			t.Fatalf("batch insert %d: %v", i, err)
		}
	}
	var c int64
	if err := br.QueryRow().Scan(&c); err != nil || c != 50 {
		t.Fatalf("batch count = %d, %v", c, err)
	}
	if _, err := br.Exec(); err != nil {
		t.Fatal(err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := conn.QueryRow(ctx, "SELECT v FROM kv WHERE k = $1", 1).Scan(&v); err != nil || v != "upd" {
		t.Fatalf("upsert: %q, %v", v, err)
	}
	// An error inside a batch fails that statement; the connection survives.
	b = &pgx.Batch{}
	b.Queue("INSERT INTO kv VALUES (1, 'dup')")
	br = conn.SendBatch(ctx, b)
	_, err := br.Exec()
	br.Close()
	if pgErr, ok := err.(*pgconn.PgError); !ok || pgErr.Code != "23505" {
		t.Fatalf("duplicate in batch: %v", err)
	}
	if err := conn.Ping(ctx); err != nil {
		t.Fatalf("ping after batch error: %v", err)
	}
}

// TestPgxTypesBinary round-trips every foundation type through pgx's
// binary format (parameters and results).
func TestPgxTypesBinary(t *testing.T) {
	compat.Pending(t, "engine")
	ctx := context.Background()
	conn := connect(t, compat.Start(t).DSN("postgres"))
	mustExec(t, conn, `CREATE TABLE t (b bool, s smallint, i int, g bigint, r real, d double precision,
		n numeric, t text, v varchar(10), y bytea, ts timestamp, tz timestamptz, dt date, iv interval, j jsonb, u uuid)`)
	ts := time.Date(2024, 2, 29, 12, 34, 56, 789000000, time.UTC)
	var num pgtype.Numeric
	if err := num.Scan("-12345.678"); err != nil {
		t.Fatal(err)
	}
	u := [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}
	iv := pgtype.Interval{Months: 14, Days: 3, Microseconds: 3723000001, Valid: true}
	in := []any{true, int16(-32768), int32(2147483647), int64(-9223372036854775808), float32(1.5), 2.25,
		num, "ünï", "short", []byte{0, 1, 255}, ts, ts, pgtype.Date{Time: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), Valid: true},
		iv, map[string]any{"a": []any{1.0, nil}}, u}
	mustExec(t, conn, "INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)", in...)
	mustExec(t, conn, "INSERT INTO t (b) VALUES (NULL)")

	var (
		b    bool
		s    int16
		i    int32
		g    int64
		r    float32
		d    float64
		n    pgtype.Numeric
		tx   string
		v    string
		y    []byte
		tsv  time.Time
		tzv  time.Time
		dt   pgtype.Date
		ivv  pgtype.Interval
		j    map[string]any
		uv   [16]byte
		null *int32
	)
	err := conn.QueryRow(ctx, "SELECT b,s,i,g,r,d,n,t,v,y,ts,tz,dt,iv,j,u FROM t WHERE b").Scan(&b, &s, &i, &g, &r, &d, &n, &tx, &v, &y, &tsv, &tzv, &dt, &ivv, &j, &uv)
	if err != nil {
		t.Fatal(err)
	}
	nv, _ := n.Value()
	switch {
	case !b || s != -32768 || i != 2147483647 || g != -9223372036854775808 || r != 1.5 || d != 2.25:
		t.Errorf("numbers: %v %v %v %v %v %v", b, s, i, g, r, d)
	case nv != "-12345.678":
		t.Errorf("numeric = %v", nv)
	case tx != "ünï" || v != "short" || string(y) != "\x00\x01\xff":
		t.Errorf("text: %q %q %q", tx, v, y)
	case !tsv.Equal(ts) || !tzv.Equal(ts):
		t.Errorf("timestamps: %v %v", tsv, tzv)
	case !dt.Time.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)):
		t.Errorf("date = %v", dt.Time)
	case ivv != iv:
		t.Errorf("interval = %+v", ivv)
	case uv != u:
		t.Errorf("uuid = %x", uv)
	}
	if a, ok := j["a"].([]any); !ok || len(a) != 2 || a[0] != 1.0 || a[1] != nil {
		t.Errorf("jsonb = %v", j)
	}
	if err := conn.QueryRow(ctx, "SELECT i FROM t WHERE b IS NULL").Scan(&null); err != nil || null != nil {
		t.Errorf("NULL int = %v, %v", null, err)
	}
	// Parameters compared against columns of other widths.
	var c int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM t WHERE s = $1 AND g < $2 AND tz = $3", int64(-32768), int16(0), ts).Scan(&c); err != nil || c != 1 {
		t.Errorf("mixed-width params: %d, %v", c, err)
	}
}
