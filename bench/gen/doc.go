// Package gen generates deterministic IoT data for benchmarks. A generator
// with the same seed and parameters yields the same rows, so runs and
// engines see identical data.
//
// Three shapes are provided:
//
//   - Fleet: vehicle telemetry in one wide table (time, vin, maker, model
//     and seven metrics). Each vehicle reports every 1-10 s (its own
//     interval); speed follows a daily driving cycle with a random walk,
//     mileage is a monotone counter, emission is NULL for electric
//     vehicles and battery NULL for combustion ones, GPS and sensor
//     dropouts leave a few more NULLs, and ~1% of rows arrive late (out of
//     time order), as they do over cellular links.
//   - Readings: the narrow industrial-sensor table (time, device_id,
//     metric_name, value) that many IoT systems use, one row per value.
//   - Sensors: a wide industrial-sensor table (time, device_id, m1..m10),
//     used by the engine's own ingest benchmarks.
//
// Values are rounded to the decimals a real sensor reports, which matters
// to decimal-aware float codecs. Rows are plain structs; encode.go turns
// them into pgx values, COPY text, binary COPY or SQL literals, so the
// benchmark can encode outside its timed sections.
package gen
