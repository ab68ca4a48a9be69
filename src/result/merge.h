/*
 * Results that ran at the same time, merged exactly: the hosts of a fleet
 * (dmremap-bench merge), and any nodes of the same shape
 * (doc/result-schema-v2.md, sections 2 and 7).
 *
 * Merge rules, the same at every level (dmremap-bench-merge(1)):
 *   - counts add: ops, bytes, errors (by errno too), ramp_ops, abandoned
 *     I/Os, workers, I/Os in flight (their targets, means and maxima: the
 *     maxima's sum bounds the simultaneous maximum from above);
 *   - latency histograms add bucket by bucket (every input must carry them,
 *     of one precision), and every percentile, mean and extreme of the
 *     merge is computed from the merged histogram: a fleet p99 is the p99
 *     of all I/Os, never an average of percentiles;
 *   - the measured window is the longest of the inputs' (they ran at the
 *     same time), so IOPS and bandwidth are the total per second of it;
 *   - streams merge by position when every input has the same streams;
 *     steps and phases by position, recursively;
 *   - intervals merge by their wall-clock end (t_ns) on the grid of the
 *     interval length, or by position without t_ns: rates add; per-interval
 *     percentiles come from the merged per-interval histograms ("lat_hist")
 *     when every member carries one, else they are the members' largest and
 *     results.intervals_lat is "max_of_parts" (an upper bound, said so).
 */
#ifndef DMRB_RESULT_MERGE_H
#define DMRB_RESULT_MERGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The exact merge of n results objects (section 3) that ran at the same
 * time; interval_s is the nominal interval length (0: merge intervals by
 * position). A new object, or NULL with one line in err.
 */
json_t *results_merge(json_t *const *res, size_t n, double interval_s, char *err, size_t elen);

#endif
