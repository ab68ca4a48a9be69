/*
 * The current state of a run in the Prometheus text exposition format
 * (version 0.0.4, which node_exporter's textfile collector reads; also
 * valid OpenMetrics-compatible names): what --metrics-file writes.
 *
 * Names follow the Prometheus conventions: a dmremap_bench_ prefix, base
 * units (seconds, bytes), counters ending in _total, ratios rather than
 * percentages, labels for what varies (direction, device):
 *
 *   dmremap_bench_info{command,version,device,intensity}         gauge 1
 *   dmremap_bench_start_time_seconds                             gauge
 *   dmremap_bench_last_update_time_seconds                       gauge
 *   dmremap_bench_running                                        gauge 1/0
 *   dmremap_bench_measured_seconds                               gauge
 *   dmremap_bench_run                                            gauge (--repeat index)
 *   dmremap_bench_ops_total{direction,device}                    counter
 *   dmremap_bench_bytes_total{direction,device}                  counter
 *   dmremap_bench_errors_total{device}                           counter
 *   dmremap_bench_latency_seconds{direction,device}              histogram
 *   dmremap_bench_interval_iops{direction,device}                gauge (last interval)
 *   dmremap_bench_interval_bytes_per_second{direction,device}    gauge
 *   dmremap_bench_interval_latency_p99_seconds{direction,device} gauge
 *   dmremap_bench_drift_change_ratio{metric,device}              gauge (over the span so far)
 *   dmremap_bench_drifting{metric,device}                        gauge 1/0
 *   dmremap_bench_steady_state{device}                           gauge 1/0 (with a rule)
 *   dmremap_bench_steady_state_seconds{device}                   gauge (when reached)
 *
 * The histogram's cumulative buckets are those of the tool's log-linear
 * histogram (stats/hist.h) assigned to the first le at or above each
 * bucket's midpoint: within its 0.4% precision of the true count at le.
 */
#ifndef DMRB_METRICS_TEXT_H
#define DMRB_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/hist.h"

struct metrics_dir {
	uint64_t ops, bytes;
	const struct hist *lat;     /* cumulative; NULL: no histogram */
	double iops, bw;            /* the last interval's */
	double p99_s;               /* the last interval's, NAN when none */
};

struct metrics_drift {
	bool valid, drifting;
	double change_ratio;        /* NAN when unknown */
};

struct metrics_state {
	const char *command, *version, *device, *intensity;
	double start_time_s, now_s;  /* UTC seconds */
	double measured_s;
	bool running;
	unsigned run;
	struct metrics_dir dir[2];   /* read, write */
	uint64_t errors;
	struct metrics_drift drift_iops, drift_p99;
	bool steady_rule, steady_reached;
	double steady_at_s;
};

/* The text (malloc'd, NUL-terminated; *len its length), or NULL when out of memory. */
char *metrics_text(const struct metrics_state *m, size_t *len);

#endif
