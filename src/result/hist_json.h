/*
 * Latency histograms in result documents (doc/result-schema-v2.md,
 * section 4): written as one delta-encoded string of the non-empty
 * buckets, exact, one line even in an indented document:
 *
 *   {"bits": 7, "count": N, "sum": S, "min": a, "max": b, "enc": "d1",
 *    "buckets": "835:3,1:17,1:140,2:1"}
 *
 * Each item is step:count with count > 0; the first step is the index of
 * the first non-empty bucket, every later one the distance from the
 * previous non-empty bucket. Read back are that form and schema 1's
 * "buckets": [[index, count], ...].
 */
#ifndef DMRB_HIST_JSON_H
#define DMRB_HIST_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "stats/hist.h"

json_t *hist_json(const struct hist *h);

/*
 * Decode a histogram object into out (initialised here with its bits;
 * hist_free it). lat_ns, when not NULL, is the schema 1 summary that
 * supplies min, max and the mean (for the sum) the schema 1 form lacks.
 * 0, or -1 with one line in err naming what is wrong (nothing allocated).
 */
int hist_from_json(json_t *j, json_t *lat_ns, struct hist *out, char *err, size_t elen);

#endif
