/*
 * Results as CSV (RFC 4180: comma-separated, a header line, fields with a
 * comma, a quote or a line break quoted, "\n" line ends) for spreadsheets
 * and gnuplot, made from the result document, so that every command
 * whose result is a document has it. The columns are documented in
 * dmremap-bench(1), OUTPUT; a figure the document lacks is an empty
 * field.
 *
 * CSV_INTERVALS: one row per interval of the time series:
 *
 *   run, [device,] [step | phase,] t_s, len_s, t_ns, read_iops, write_iops,
 *   read_bw_bytes_per_s, write_bw_bytes_per_s, bw_bytes_per_s, p99_ns,
 *   errors, read_lat_mean_ns, read_lat_p50_ns, read_lat_p99_ns,
 *   read_lat_p99.9_ns, write_lat_mean_ns, write_lat_p50_ns,
 *   write_lat_p99_ns, write_lat_p99.9_ns
 *
 * run is the interval's run (0 without --repeat); device (the index in
 * "devices", or "reference" for an interleaved reference's series) is there
 * when the document has several devices or a reference; step or phase
 * (their number, from 1) when it has steps or phases. t_s is the end of
 * the interval since the end of the ramp, as results.intervals has it.
 *
 * CSV_SUMMARY: one row per measured node, the units first:
 *
 *   run, [device,] [step | phase,] stream, duration_s, then for each of
 *   read, write and total: DIR_ops, DIR_bytes, DIR_iops,
 *   DIR_bw_bytes_per_s, DIR_lat_min_ns, DIR_lat_mean_ns, DIR_lat_max_ns,
 *   DIR_lat_p50_ns, DIR_lat_p90_ns, DIR_lat_p99_ns, DIR_lat_p99.9_ns,
 *   DIR_lat_p99.99_ns; then errors_io, errors_short, errors_verify
 *
 * A row for each run (each device of it, each step or phase of it), for
 * each stream of those when there is more than one (stream is "all" for
 * the node's own figures), and, with several runs or devices, the merge
 * of them with run or device "all"; step or phase "all" is the whole run.
 */
#ifndef DMRB_RESULT_CSV_H
#define DMRB_RESULT_CSV_H

#include <jansson.h>

enum csv_rows { CSV_INTERVALS, CSV_SUMMARY };

extern const char *const csv_rows_names[];   /* "intervals", "summary", NULL */

/* The CSV of a result document (malloc'd, NUL-terminated), or NULL (out of memory). */
char *result_csv(json_t *doc, enum csv_rows rows);

/*
 * One row per metric of a comparison object (the "comparison" of a
 * result or of compare's document):
 *
 *   group, dir, metric, baseline, run, change_pct, ci_low_pct, ci_high_pct,
 *   p_value, p_adjusted, tested, gate, baseline_n, run_n, spread_pct,
 *   detectable_pct, verdict, reason
 */
char *comparison_csv(json_t *comparison);

#endif
