package clients

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tsgres/tsgres/compat-tests/internal/compat"
)

// execModes are pgx's ways of running a query: named statements cached
// per connection (the default), cached Describe results with unnamed
// statements, Describe every time, no Describe (text arguments), and the
// simple protocol with client-side interpolation (text results).
var execModes = []pgx.QueryExecMode{
	pgx.QueryExecModeCacheStatement, pgx.QueryExecModeCacheDescribe,
	pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol,
}

// typedRow is one value of every type the engine supports, as pgx scans it.
type typedRow struct {
	B    bool
	S    int16
	I    int32
	G    int64
	R    float32
	D    float64
	N    pgtype.Numeric
	T    string
	V    string
	Y    []byte
	TS   time.Time
	TZ   time.Time
	DT   time.Time
	IV   pgtype.Interval
	J    map[string]any
	U    pgtype.UUID
	IA   []int32
	TA   []string
	FA   []float64
	Null *int64
}

const typedCols = "b, s, i, g, r, d, n, t, v, y, ts, tz, dt, iv, j, u, ia, ta, fa, nul"

func (r *typedRow) dests() []any {
	return []any{&r.B, &r.S, &r.I, &r.G, &r.R, &r.D, &r.N, &r.T, &r.V, &r.Y, &r.TS, &r.TZ, &r.DT, &r.IV, &r.J, &r.U, &r.IA, &r.TA, &r.FA, &r.Null}
}

func sampleRow() typedRow {
	ts := time.Date(2024, 2, 29, 12, 34, 56, 789123000, time.UTC)
	return typedRow{
		B: true, S: -32768, I: 2147483647, G: -9223372036854775808, R: 1.5, D: -2.25e-300,
		N: pgtype.Numeric{Int: big.NewInt(-12345678901234567), Exp: -6, Valid: true},
		T: "ünï 'q' \\", V: "short", Y: []byte{0, 1, 255}, TS: ts, TZ: ts,
		DT: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		IV: pgtype.Interval{Months: 14, Days: -3, Microseconds: 3723000001, Valid: true},
		J:  map[string]any{"a": []any{1.0, nil, "x"}, "b": map[string]any{"c": true}},
		U:  pgtype.UUID{Bytes: [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}, Valid: true},
		IA: []int32{1, -2, 3}, TA: []string{"a", "b c", "d,e", `"q"`}, FA: []float64{1.5, -0.25},
	}
}

// equalRows compares two typedRows field by field and describes the first
// difference.
func equalRows(got, want typedRow) string {
	gn, _ := got.N.Value()
	wn, _ := want.N.Value()
	switch {
	case got.B != want.B || got.S != want.S || got.I != want.I || got.G != want.G || got.R != want.R || got.D != want.D:
		return fmt.Sprintf("numbers %v %v %v %v %v %v", got.B, got.S, got.I, got.G, got.R, got.D)
	case gn != wn:
		return fmt.Sprintf("numeric %v", gn)
	case got.T != want.T || got.V != want.V || string(got.Y) != string(want.Y):
		return fmt.Sprintf("text %q %q %q", got.T, got.V, got.Y)
	case !got.TS.Equal(want.TS) || !got.TZ.Equal(want.TZ) || !got.DT.Equal(want.DT):
		return fmt.Sprintf("times %v %v %v", got.TS, got.TZ, got.DT)
	case got.IV != want.IV:
		return fmt.Sprintf("interval %+v", got.IV)
	case fmt.Sprint(got.J) != fmt.Sprint(want.J):
		return fmt.Sprintf("jsonb %v", got.J)
	case got.U != want.U:
		return fmt.Sprintf("uuid %v", got.U)
	case fmt.Sprint(got.IA, got.TA, got.FA) != fmt.Sprint(want.IA, want.TA, want.FA):
		return fmt.Sprintf("arrays %v %q %v", got.IA, got.TA, got.FA)
	case got.Null != nil:
		return fmt.Sprintf("NULL bigint = %v", *got.Null)
	}
	return ""
}

// TestPgxExecModes inserts and reads every type in each of pgx's query
// exec modes: binary parameters and results through named and unnamed
// statements, text through Exec and the simple protocol.
func TestPgxExecModes(t *testing.T) {
	compat.Pending(t, "engine")
	ctx := context.Background()
	dsn := compat.Start(t).DSN("postgres")
	setup := connect(t, dsn)
	mustExec(t, setup, `CREATE TABLE every (id int, b bool, s smallint, i int, g bigint, r real, d double precision,
		n numeric, t text, v varchar(10), y bytea, ts timestamp, tz timestamptz, dt date, iv interval, j jsonb, u uuid,
		ia int[], ta text[], fa float8[], nul bigint)`)
	want := sampleRow()
	for k, mode := range execModes {
		t.Run(mode.String(), func(t *testing.T) {
			cfg, err := pgx.ParseConfig(dsn)
			if err != nil {
				t.Fatal(err)
			}
			cfg.DefaultQueryExecMode = mode
			conn, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			args := append([]any{k}, want.dests()...)
			for i := 1; i < len(args); i++ {
				args[i] = deref(args[i])
			}
			args[len(args)-1] = nil
			if mode == pgx.QueryExecModeExec || mode == pgx.QueryExecModeSimpleProtocol {
				// Without a Describe pgx cannot encode a map for an
				// unknown parameter type: send jsonb as JSON text.
				args[15] = `{"a": [1, null, "x"], "b": {"c": true}}`
			}
			if _, err := conn.Exec(ctx, "INSERT INTO every (id, "+typedCols+") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)", args...); err != nil {
				t.Fatalf("insert: %v", err)
			}
			// Read the row back twice (the second time from the statement
			// cache), and each row the earlier modes wrote.
			for rep := 0; rep < 2; rep++ {
				for id := 0; id <= k; id++ {
					var got typedRow
					if err := conn.QueryRow(ctx, "SELECT "+typedCols+" FROM every WHERE id = $1", id).Scan(got.dests()...); err != nil {
						t.Fatalf("select id %d: %v", id, err)
					}
					if d := equalRows(got, want); d != "" {
						t.Errorf("row %d read back: %s", id, d)
					}
				}
			}
			// Parameters compared with columns of every type.
			var n int64
			err = conn.QueryRow(ctx, `SELECT count(*) FROM every WHERE id = $1 AND b = $2 AND s = $3 AND g = $4 AND n = $5 AND t = $6
				AND y = $7 AND ts = $8 AND tz = $9 AND dt = $10 AND iv = $11 AND u = $12 AND ia = $13 AND $14 = ANY(ta)`,
				k, want.B, want.S, want.G, want.N, want.T, want.Y, want.TS, want.TZ, want.DT, want.IV, want.U, want.IA, "b c").Scan(&n)
			if err != nil || n != 1 {
				t.Errorf("typed parameters in WHERE: %d, %v", n, err)
			}
			// A multi-row result.
			rows, _ := conn.Query(ctx, "SELECT id FROM every ORDER BY id")
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
			if err != nil || len(ids) != k+1 || ids[k] != int32(k) {
				t.Errorf("CollectRows: %v, %v", ids, err)
			}
		})
	}
}

func deref(p any) any {
	switch v := p.(type) {
	case *bool:
		return *v
	case *int16:
		return *v
	case *int32:
		return *v
	case *int64:
		return *v
	case *float32:
		return *v
	case *float64:
		return *v
	case *pgtype.Numeric:
		return *v
	case *string:
		return *v
	case *[]byte:
		return *v
	case *time.Time:
		return *v
	case *pgtype.Interval:
		return *v
	case *map[string]any:
		return *v
	case *pgtype.UUID:
		return *v
	case *[]int32:
		return *v
	case *[]string:
		return *v
	case *[]float64:
		return *v
	}
	return nil
}

// TestPgxStatementCache checks the default mode's named statements: a
// prepared statement per distinct SQL, reused across executions, and
// explicit Prepare/Deallocate.
func TestPgxStatementCache(t *testing.T) {
	compat.Pending(t, "engine")
	ctx := context.Background()
	conn := connect(t, compat.Start(t).DSN("postgres"))
	mustExec(t, conn, "CREATE TABLE m (time timestamptz NOT NULL, device int, v double precision)")
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 100; i++ {
		mustExec(t, conn, "INSERT INTO m VALUES ($1, $2, $3)", t0.Add(time.Duration(i)*time.Minute), i%5, float64(i))
	}
	sd, err := conn.Prepare(ctx, "avg_since", "SELECT device, avg(v) FROM m WHERE time >= $1 GROUP BY device ORDER BY device")
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.ParamOIDs) != 1 || sd.ParamOIDs[0] != pgtype.TimestamptzOID || len(sd.Fields) != 2 || sd.Fields[1].DataTypeOID != pgtype.Float8OID {
		t.Errorf("prepared description: params %v fields %+v", sd.ParamOIDs, sd.Fields)
	}
	for rep := 0; rep < 3; rep++ {
		rows, _ := conn.Query(ctx, "avg_since", t0.Add(50*time.Minute))
		got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
			Device int32
			Avg    float64
		}])
		if err != nil || len(got) != 5 || got[0].Device != 0 || got[0].Avg != 72.5 {
			t.Fatalf("prepared avg_since: %+v, %v", got, err)
		}
	}
	if err := conn.Deallocate(ctx, "avg_since"); err != nil {
		t.Fatal(err)
	}
	var pgErr *pgconn.PgError
	if _, err := conn.Exec(ctx, "avg_since", t0); err == nil {
		// pgx treats an unknown name as SQL: the server must reject it.
		t.Fatal("executing a deallocated statement name succeeded")
	} else if !errors.As(err, &pgErr) || pgErr.Code != "42601" {
		t.Errorf("deallocated name sent as SQL: %v", err)
	}
	// Named statements at the protocol level: Parse once, Bind/Execute
	// with binary parameters and results, Close, then the name is gone.
	pc := conn.PgConn()
	if _, err := pc.Prepare(ctx, "by_dev", "SELECT count(*) FROM m WHERE device = $1", nil); err != nil {
		t.Fatal(err)
	}
	for d := int32(0); d < 5; d++ {
		res := pc.ExecPrepared(ctx, "by_dev", [][]byte{{0, 0, 0, byte(d)}}, []int16{1}, []int16{1}).Read()
		if res.Err != nil || len(res.Rows) != 1 || string(res.Rows[0][0]) != "\x00\x00\x00\x00\x00\x00\x00\x14" {
			t.Fatalf("ExecPrepared device %d: %v %q", d, res.Err, res.Rows)
		}
	}
	if err := pc.Deallocate(ctx, "by_dev"); err != nil {
		t.Fatal(err)
	}
	res := pc.ExecPrepared(ctx, "by_dev", [][]byte{{0, 0, 0, 1}}, []int16{1}, nil).Read()
	if !errors.As(res.Err, &pgErr) || pgErr.Code != "26000" {
		t.Errorf("deallocated statement: %v", res.Err)
	}
	// DeallocateAll clears pgx's caches and the server's statements; the
	// next execution prepares again.
	if err := conn.DeallocateAll(ctx); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM m WHERE device = $1", 3).Scan(&n); err != nil || n != 20 {
		t.Fatalf("after DeallocateAll: %d, %v", n, err)
	}
}

// TestPgxConcurrentConnections runs 64 tasks on 8 goroutines that share
// a pgxpool of 8 connections, inserting into one table and reading their
// own rows back while the others write.
func TestPgxConcurrentConnections(t *testing.T) {
	compat.Pending(t, "engine")
	ctx := context.Background()
	dsn := compat.Start(t).DSN("postgres")
	const workers, tasks, perTask = 8, 64, 50
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = workers
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "CREATE TABLE w (time timestamptz NOT NULL, worker int, seq int, v double precision)"); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	todo := make(chan int, tasks)
	for task := 0; task < tasks; task++ {
		todo <- task
	}
	close(todo)
	errs := make(chan error, tasks)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for task := range todo {
				errs <- poolTask(ctx, pool, task, perTask, t0)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if st := pool.Stat(); st.TotalConns() > workers || st.AcquireCount() < tasks {
		t.Errorf("pool: %d connections (max %d), %d acquires (want >= %d)", st.TotalConns(), workers, st.AcquireCount(), tasks)
	}
	var n, workersSeen int64
	var sum float64
	if err := pool.QueryRow(ctx, "SELECT count(*), count(DISTINCT worker), sum(v) FROM w").Scan(&n, &workersSeen, &sum); err != nil {
		t.Fatal(err)
	}
	if n != tasks*perTask || workersSeen != tasks || sum != float64(tasks*perTask*(perTask-1)/2) {
		t.Errorf("after concurrent writers: %d rows, %d workers, sum %v", n, workersSeen, sum)
	}
}

// poolTask runs one workerTask on a connection acquired from pool.
func poolTask(ctx context.Context, pool *pgxpool.Pool, task, perTask int, t0 time.Time) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("task %d acquire: %w", task, err)
	}
	defer conn.Release()
	return workerTask(ctx, conn.Conn(), task, perTask, t0)
}

// workerTask inserts perTask rows in one transaction, checks they are all
// visible to itself, then reads them with a batch.
func workerTask(ctx context.Context, conn *pgx.Conn, task, perTask int, t0 time.Time) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for i := 0; i < perTask; i++ {
		if _, err := tx.Exec(ctx, "INSERT INTO w VALUES ($1, $2, $3, $4)", t0.Add(time.Duration(task*perTask+i)*time.Second), task, i, float64(i)); err != nil {
			return fmt.Errorf("task %d insert: %w", task, err)
		}
	}
	var n int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM w WHERE worker = $1", task).Scan(&n); err != nil || n != int64(perTask) {
		return fmt.Errorf("task %d sees %d own rows in its transaction: %v", task, n, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("task %d commit: %w", task, err)
	}
	b := &pgx.Batch{}
	b.Queue("SELECT max(seq) FROM w WHERE worker = $1", task)
	b.Queue("SELECT count(*) FROM w WHERE worker = $1 AND v >= $2", task, 10.0)
	br := conn.SendBatch(ctx, b)
	defer br.Close()
	var mx int32
	if err := br.QueryRow().Scan(&mx); err != nil || mx != int32(perTask-1) {
		return fmt.Errorf("task %d max(seq) = %d, %v", task, mx, err)
	}
	if err := br.QueryRow().Scan(&n); err != nil || n != int64(perTask-10) {
		return fmt.Errorf("task %d count = %d, %v", task, n, err)
	}
	return nil
}

// connectCancelable connects so that a done context cancels the running
// query with a CancelRequest (pgx's default closes the socket instead).
func connectCancelable(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 10 * time.Second}
	}
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestPgxCancelLongQuery cancels a long query through the context: pgx
// sends a CancelRequest on a second connection, the query fails quickly
// with 57014 and the connection stays usable.
func TestPgxCancelLongQuery(t *testing.T) {
	compat.Pending(t, "engine")
	conn := connectCancelable(t, compat.Start(t).DSN("postgres"))
	defer conn.Close(context.Background())
	// Seconds of work on PostgreSQL and tsgres alike, in small steps
	// (a subquery per outer row) so memory stays flat until the cancel.
	const q = "SELECT sum((SELECT count(*) FROM generate_series(1, 3000) b WHERE b % 7 <> a % 5)) FROM generate_series(1, 100000) a"
	for round := 0; round < 2; round++ {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		var n int64
		err := conn.QueryRow(ctx, q).Scan(&n)
		cancel()
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
			t.Fatalf("%s: got %v, want 57014", q, err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("cancel took %v", took)
		}
		if conn.IsClosed() {
			t.Fatal("connection closed by the cancellation")
		}
		if err := conn.QueryRow(context.Background(), "SELECT 41 + 1").Scan(&n); err != nil || n != 42 {
			t.Fatalf("after cancel: %d, %v", n, err)
		}
	}
}

// TestPgxListenUnsupported checks LISTEN, NOTIFY and pg_notify fail with 0A000
// naming the feature on tsgres (PostgreSQL accepts them), and that the
// session is fine afterwards.
func TestPgxListenUnsupported(t *testing.T) {
	compat.Pending(t, "engine")
	ctx := context.Background()
	conn := connect(t, compat.Start(t).DSN("postgres"))
	for _, tc := range []struct{ sql, feature string }{
		{"LISTEN ticks", "LISTEN"}, {"NOTIFY ticks, 'x'", "NOTIFY"}, {"SELECT pg_notify('ticks', 'x')", "pg_notify"},
	} {
		sql := tc.sql
		_, err := conn.Exec(ctx, sql)
		if compat.AgainstPostgres() {
			if err != nil {
				t.Errorf("%s on PostgreSQL: %v", sql, err)
			}
			continue
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "0A000" || !strings.Contains(pgErr.Message, tc.feature) {
			t.Errorf("%s: got %v, want 0A000 naming %s", sql, err, tc.feature)
		}
	}
	// UNLISTEN has nothing to undo and succeeds (connection poolers send it).
	if _, err := conn.Exec(ctx, "UNLISTEN *"); err != nil {
		t.Errorf("UNLISTEN *: %v", err)
	}
	if err := conn.Ping(ctx); err != nil {
		t.Fatalf("ping after LISTEN: %v", err)
	}
}
