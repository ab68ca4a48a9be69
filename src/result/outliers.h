/*
 * The outlier view of a group of nodes (the devices of a run, the hosts of
 * a fleet, every device of a fleet): per figure (total IOPS, total p99),
 * the member furthest from the others and how far, in multiples of the
 * robust spread across the group (stats/outlier.h: the modified z-score
 * of ln(1 + x)). doc/result-schema-v2.md, section 7:
 *
 *   "outliers": { "method": "...", "threshold_z": 3.5, "min_spread": 0.02,
 *     "devices": { "n": 4, "iops": { "index": 2, "name": "/dev/loop5",
 *                  "value": 1200, "median": 10300, "scale": "ln(1+x)",
 *                  "spread": 0.041, "spread_kind": "MAD", "z": -52.4,
 *                  "outlier": true },
 *                  "lat_p99": { ... } },
 *     "hosts": { ... } }
 */
#ifndef DMRB_RESULT_OUTLIERS_H
#define DMRB_RESULT_OUTLIERS_H

#include <jansson.h>
#include <stdio.h>

/*
 * The group object of nodes (an array of {results: {total: {iops,
 * lat_ns: {p99}}}}), names[i] naming node i: {"n", "iops", "lat_p99"},
 * a figure absent when the group has no outlier for it (fewer than 3
 * members, all equal). NULL when out of memory.
 */
json_t *outliers_group_json(json_t *nodes, const char *const *names);
/* The "outliers" object around groups: {"method", "threshold_z", <key>: group, ...}. */
json_t *outliers_json(void);
/*
 * "  outliers among the 4 devices (modified z-score; |z| > 3.5 is an outlier):"
 * and a line per figure: who, its value, how many spreads from the median.
 */
void outliers_print(FILE *f, json_t *group, const char *members, const char *indent);

#endif
