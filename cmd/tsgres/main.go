package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/tsgres/tsgres/continuous"
	"github.com/tsgres/tsgres/server"
	"github.com/tsgres/tsgres/sql"
)

// shutdownTimeout bounds how long running statements get to end after a
// signal before their connections are closed forcibly.
const shutdownTimeout = 10 * time.Second

type config struct {
	listen    string
	dataDir   string
	auth      string
	logLevel  slog.Level
	cacheMB   int64
	gcFloorMB int64
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// parseFlags reads flags over environment defaults. It returns flag.ErrHelp
// after printing usage for -h/--help (to stdout; to stderr for bad flags).
func parseFlags(args []string, stdout, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("tsgres", flag.ContinueOnError)
	fs.SetOutput(stderr)
	usageOut := stderr
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help", "--h":
			usageOut = stdout
		}
	}
	listen := fs.String("listen", envOr("TSGRES_LISTEN", "127.0.0.1:5432"), "`host:port` to accept PostgreSQL connections on (env TSGRES_LISTEN)")
	data := fs.String("data", envOr("TSGRES_DATA", "./data"), "data `directory`, created when missing (env TSGRES_DATA)")
	auth := fs.String("auth", envOr("TSGRES_AUTH", server.AuthTrust), "client authentication: trust (no password) or scram (SCRAM-SHA-256 passwords) (env TSGRES_AUTH)")
	cacheMB := fs.Int64("cache-mb", envInt("TSGRES_CACHE_MB"), "storage block cache in `MiB` (like shared_buffers); 0 picks an eighth of RAM, 64 MiB to 1 GiB (env TSGRES_CACHE_MB)")
	gcFloor := fs.Int64("gc-heap-floor-mb", envIntOr("TSGRES_GC_HEAP_FLOOR_MB", 64), "keep the Go heap goal at least this many `MiB`, so small live heaps are not collected every few queries; 0 leaves GOGC alone, as does GOGC set in the environment (env TSGRES_GC_HEAP_FLOOR_MB)")
	level := fs.String("log-level", envOr("TSGRES_LOG_LEVEL", "info"), "log `level`: debug, info, warn or error (env TSGRES_LOG_LEVEL)")
	fs.Usage = func() {
		fs.SetOutput(usageOut)
		fmt.Fprintf(usageOut, "Usage: tsgres [flags]\n\n"+
			"tsgres is a time-series database that speaks the PostgreSQL protocol and\n"+
			"TimescaleDB's SQL. Connect with psql, pgx, psycopg or Grafana.\n\n"+
			"Flags (each may also be set through its environment variable; a flag\n"+
			"given on the command line wins):\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *cacheMB < 0 {
		return config{}, fmt.Errorf("bad --cache-mb %d: want 0 or more", *cacheMB)
	}
	if *gcFloor < 0 {
		return config{}, fmt.Errorf("bad --gc-heap-floor-mb %d: want 0 or more", *gcFloor)
	}
	cfg := config{listen: *listen, dataDir: *data, auth: *auth, cacheMB: *cacheMB, gcFloorMB: *gcFloor}
	if err := cfg.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return config{}, fmt.Errorf("bad --log-level %q: want debug, info, warn or error", *level)
	}
	if cfg.auth != server.AuthTrust && cfg.auth != server.AuthSCRAM {
		return config{}, fmt.Errorf("bad --auth %q: want %s or %s", cfg.auth, server.AuthTrust, server.AuthSCRAM)
	}
	return cfg, nil
}

// envInt is the integer in environment variable name, 0 when unset or
// not a number (the flag's own check reports bad values given as flags).
func envInt(name string) int64 {
	n, _ := strconv.ParseInt(os.Getenv(name), 10, 64)
	return n
}

// envIntOr is the integer in environment variable name, def when unset
// or not a number.
func envIntOr(name string, def int64) int64 {
	n, err := strconv.ParseInt(os.Getenv(name), 10, 64)
	if err != nil {
		return def
	}
	return n
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// run starts the server and blocks until a signal; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "tsgres: %v\n", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))
	_, gogcSet := os.LookupEnv("GOGC")
	startHeapFloor(uint64(cfg.gcFloorMB)<<20, gogcSet)

	db, err := sql.Open(sql.Options{Dir: cfg.dataDir, Logger: log, CacheSize: cfg.cacheMB << 20})
	if err != nil {
		fmt.Fprintf(stderr, "tsgres: open data directory %s: %v\n", cfg.dataDir, err)
		return 1
	}
	srv := server.New(server.Config{Listen: cfg.listen, Auth: cfg.auth, Logger: log}, db)
	ln, err := srv.Listen()
	if err != nil {
		fmt.Fprintf(stderr, "tsgres: %v\n", err)
		db.Close()
		return 1
	}

	jobs := continuous.New(db, continuous.Options{Logger: log})
	if err := jobs.Start(); err != nil {
		fmt.Fprintf(stderr, "tsgres: start job scheduler: %v\n", err)
		ln.Close()
		db.Close()
		return 1
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info(fmt.Sprintf("tsgres listening on %s (data %s)", ln.Addr(), cfg.dataDir))

	code := 0
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-served:
		log.Error("server stopped", "err", err)
		code = 1
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	jobs.Stop() // after the clients: a job may wait for a client's DDL lock
	if err := db.Close(); err != nil {
		log.Error("close data directory", "err", err)
		code = 1
	}
	return code
}
