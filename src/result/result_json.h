/* Results as JSON: the schema users' scripts and later commands rely on. */
#ifndef DMRB_RESULT_JSON_H
#define DMRB_RESULT_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "result/result.h"

#define RESULT_SCHEMA_VERSION 2

/* {ops, bytes, iops, bw_bytes_per_s, lat_ns{...}} over duration_s. */
json_t *dir_result_json(const struct dir_result *d, double duration_s);
/* {io, short, verify, by_errno{}, first[]} */
json_t *err_stats_json(const struct err_stats *e);
/*
 * The "results" object: duration_s, read, write, total, errors,
 * concurrency, intervals, and streams when there is more than one.
 */
json_t *run_result_json(const struct run_result *r);
/*
 * One interval of results.intervals: t_s, len_s, read_iops, write_iops,
 * the bandwidths, p99_ns, errors, read_lat_ns, write_lat_ns; with_run, run
 * first.
 */
json_t *interval_json(const struct interval_sample *s, bool with_run);



/* A stream's effective parameters, for "params". */
json_t *stream_spec_json(const struct stream_spec *st);
#endif
