# tsgres build, test and benchmark entry points.
#   make run    build and serve on 127.0.0.1:5432 with data in ./data
#   make test   install test dependencies, vet, unit tests, compat suites,
#               and a bench-quick smoke run (no timing assertions)

GO        ?= go
BIN       := bin/tsgres
LISTEN    ?= 127.0.0.1:5432
DATA      ?= ./data
# Unit tests: everything except the client compatibility suites.
UNIT_PKGS  = $$($(GO) list ./... | grep -v /compat-tests/)
TEST_FLAGS ?= -timeout 15m
# Compat suites start server processes: one package at a time.
COMPAT_FLAGS ?= -count=1 -p 1 -timeout 15m
BENCH_ARGS ?=
# make bench-tsbs: TSBS (cpu-only) on tsgres and, with TSBS_PEER=HOST:PORT,
# on PostgreSQL + TimescaleDB in the same run (bench/README.md).
TSBS_PEER    ?=
TSBS_SCALE   ?= 100
TSBS_DAYS    ?= 1
TSBS_SEED    ?= 42
TSBS_QUERIES ?= 10
TSBS_TYPES   ?=
TSBS_ARGS    ?=

.PHONY: all build run test unit compat compat-pg deps bench bench-quick bench-tsbs lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/tsgres

run: build
	./$(BIN) --listen $(LISTEN) --data $(DATA)

deps:
	bash compat-tests/install-deps.sh

test: deps build
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(MAKE) --no-print-directory unit compat compat-pg bench-quick

unit:
	$(GO) test $(TEST_FLAGS) $(UNIT_PKGS)

# The client suites against tsgres (bin/tsgres is shared by all packages).
compat: build
	TSGRES_BIN=$(CURDIR)/$(BIN) $(GO) test $(COMPAT_FLAGS) ./compat-tests/...

# The same golden files and client tests against PostgreSQL 15: proves the
# expectations are PostgreSQL's own answers.
compat-pg:
	TSGRES_COMPAT_PG=1 $(GO) test $(COMPAT_FLAGS) ./compat-tests/...

# tsgres vs PostgreSQL 15 (bench/README.md): the default scale takes
# 10-15 minutes; bench-quick is a smoke run of under 3 minutes. With
# TSBS_PEER set, bench also runs bench-tsbs: TimescaleDB's figures.
bench: build
	TSGRES_BIN=$(CURDIR)/$(BIN) $(GO) run ./bench/cmd/tsbench $(BENCH_ARGS)
	$(if $(TSBS_PEER),$(MAKE) --no-print-directory bench-tsbs)

# TSBS built from its Go module (bench/tsbs), run by bench/cmd/tsbsbench.
bench-tsbs: build
	TSGRES_BIN=$(CURDIR)/$(BIN) $(GO) run ./bench/cmd/tsbsbench -peer "$(TSBS_PEER)" \
		-scale $(TSBS_SCALE) -days $(TSBS_DAYS) -seed $(TSBS_SEED) -queries $(TSBS_QUERIES) \
		$(if $(TSBS_TYPES),-types $(TSBS_TYPES)) $(TSBS_ARGS)

bench-quick: build
	TSGRES_BIN=$(CURDIR)/$(BIN) $(GO) run ./bench/cmd/tsbench -scale quick -out $(CURDIR)/bench/results/quick.json $(BENCH_ARGS)

lint:
	$(GO) mod tidy -diff
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@if command -v staticcheck >/dev/null 2>&1; then staticcheck ./...; \
	else echo "staticcheck not installed; skipped"; fi

clean:
	rm -rf bin
	$(GO) clean -testcache
