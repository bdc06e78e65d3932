// Package opt holds tsgres's optimizer: rewrite rules, one per file, that
// turn a bound plan (sql/plan) into the physical plan the executor runs.
// Each rule records its decision as data on the plan's nodes (time
// bounds, chunk lists and block predicates on plan.HyperScan;
// plan.HyperScan.Decode and Order; plan.Agg.FromMetadata and Parallel)
// or as a changed or physical node (plan.LastValueScan), so that sql/exec
// builds operators from the plan alone and EXPLAIN prints every decision.
//
// The rules run in two phases, in this order.
//
// Block rewrites (Rewriter, rewrite.go), applied while binding: the
// binder calls them through plan.Env (plan.Rewriter) where it has bound a
// FROM list and where it has bound a query block, at every nesting level.
//
//   - chunk_exclusion (NarrowScans, LookupChunks): conjuncts of a WHERE
//     or inner join ON condition bounding a hypertable's time column
//     narrow the scan's time bounds; the scan's chunk list is looked up
//     by them.
//   - block_predicates: the other "column op constant" conjuncts let the
//     scan skip blocks by their min/max metadata (plan.ScanPred).
//   - push_filters: movable filter conjuncts move down through
//     projections, sorts, set operations, grouping keys and joins to the
//     scans, narrowing them as above (also by time_bucket bounds).
//   - merge_projects: a projection or aggregation over a projection reads
//     the inner expressions directly.
//   - regroup_cagg: an aggregation of a continuous aggregate by its own
//     grouping is a projection.
//   - prune_columns: every node computes only the columns its parent uses.
//
// Physical rules (Optimize, opt.go), applied by the session to every plan
// it runs or explains:
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
//   - index_order: ORDER BY key columns of a regular table's stored
//     index [DESC] ... LIMIT n reads the index in order (or backwards)
//     and drops the sort (plan.IndexRange.Backward).
//   - index_sort (replacing a Sort): a sort without LIMIT whose order the
//     index answering the scan's filter gives goes.
//   - index_join: an equi-join with a small left side probes the index
//     of the right table per left row (a LATERAL join with an
//     OuterRef-valued index range).
//   - index_scan with key_lookup (replacing a Filter over a regular
//     table's Scan, like fuse_filter): conjuncts on index key columns
//     become the scan's primary key lookup (Scan.Key) or index range
//     (plan.IndexRange); the conjuncts they answer leave the filter.
//   - index_only (after every other rule): an index scan whose readers
//     need only key columns reads no rows (plan.IndexRange.Only).
//
// Decisions that depend on run-time values stay with the executor, which
// applies a decision only when they allow it: the time bounds a parameter
// gives, the LIMIT's value, the number of blocks, the typed accumulators
// a parallel aggregate needs.
//
// Contract: the block rewrites see each query block once, inner blocks
// before the blocks holding them, and keep its columns; every hypertable
// scan gets its chunk list from LookupChunks, with the optimizer on or
// off. Optimize is called once on a freshly bound plan; it records
// decisions on the plan's nodes in place and returns the physical plan,
// which may share subtrees with the input. Rules must not change
// results, only how they are computed: the logic tests run with the
// optimizer on, and SET tsgres.optimizer = off (Rewriter.Off, and the
// session skipping Optimize) runs the same statements without any rule.
package opt
