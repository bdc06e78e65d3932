// Package opt turns a bound plan into the physical plan the executor
// runs. The binder (sql/plan) produces plan nodes; opt applies its rules,
// one per file, and records each decision as data on the nodes
// (plan.HyperScan.Decode and Order, plan.Agg.FromMetadata and Parallel)
// or as a physical node (plan.LastValueScan), so that sql/exec builds
// operators from the plan alone and EXPLAIN prints every decision.
//
// The rules:
//
//   - last_value: DISTINCT ON (series) ... ORDER BY series, time DESC,
//     GROUP BY series with last(x, time)/max(time), and WHERE series = v
//     ORDER BY time DESC LIMIT 1 read the hypertable's last-value index
//     (plan.LastValueScan) instead of its chunks.
//   - fuse_filter: a Filter right above a hypertable scan becomes the
//     scan's own filter, applied to each block as it is decoded.
//   - prune_columns: an aggregate over a hypertable scan decodes only the
//     columns its keys, arguments and filters use.
//   - metadata_answers: count/sum/avg/min/max over a hypertable scan whose
//     filter only bounds the time column may take whole blocks from their
//     metadata.
//   - ordered_scan: ORDER BY time [DESC] LIMIT n over a hypertable scan
//     reads blocks by time and stops early.
//   - parallel_agg: an aggregate directly over a hypertable scan with
//     parallel-safe expressions may aggregate on several goroutines.
//
// Decisions that depend on run-time values stay with the executor, which
// applies a decision only when they allow it: the time bounds a parameter
// gives, the LIMIT's value, the number of blocks, the typed accumulators
// a parallel aggregate needs. Chunk exclusion and block predicates are
// still derived by the binder (plan/prune.go), which EXPLAIN shows too.
//
// Contract: Optimize is called once on a freshly bound plan; it records
// decisions on the plan's nodes in place and returns the physical plan,
// which may share subtrees with the input. Rules must not
// change results, only how they are computed: the logic tests run with
// the optimizer on, and SET tsgres.optimizer = off runs the same
// statements without it.
package opt
