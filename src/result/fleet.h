/*
 * A fleet document (doc/result-schema-v2.md, section 7): the results of
 * the same job run at the same time on several hosts, made by
 * `dmremap-bench merge`:
 *
 *   { "schema_version": 2, "tool": "dmremap-bench", "kind": "fleet",
 *     "command": ..., "params": ... (the first host's),
 *     "environment": { "merged_at": ..., "merged_at_ns": ..., "hosts": N },
 *     "start": { "first_ns", "last_ns", "spread_ns" },
 *     "hosts": [ { "hostname", "source", "environment", "start_time_ns",
 *                  "start_offset_ns" (with --start-at), "target" | "devices",
 *                  "results", "outliers" (its devices'), "runs" (see below) } ],
 *     "results": the exact merge of the hosts' (result/merge.h),
 *     "runs": [ { "index", "start_time_ns", "results", "hosts": [ { "hostname",
 *               "results", "devices" } ] } ]   (every host with as many runs)
 *     "outliers": { "hosts": ..., "devices": ... (every device of the fleet) },
 *     "workload_mismatches": [ ... ] (with --allow-mismatch) }
 *
 * A host keeps its own runs only when the hosts' run counts differ.
 */
#ifndef DMRB_RESULT_FLEET_H
#define DMRB_RESULT_FLEET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct merge_input {
	const char *name;           /* the host's name (NAME=FILE), or NULL: its hostname */
	const char *source;         /* the file it came from */
	json_t *doc;                /* a dmremap-bench result or fleet document */
};

struct merge_opts {
	bool allow_mismatch;        /* merge results of different workloads anyway */
};

enum merge_status {
	MERGE_OK = 0,
	MERGE_REFUSED = -1,         /* the inputs cannot be merged: err says why (exit 2) */
	MERGE_NOMEM = -2,
};

/*
 * The fleet document of the inputs. An input that is itself a fleet gives
 * its hosts. Refused: an input that is not a complete dmremap-bench
 * result, two results of one host, workloads that differ (unless
 * allow_mismatch), histograms that cannot be added. *out, or a status
 * with one line in err.
 */
int merge_fleet(const struct merge_input *in, size_t n, const struct merge_opts *o,
		json_t **out, char *err, size_t elen);

/* Whether doc is a fleet document. */
bool merge_is_fleet(json_t *doc);

/* The text summary: a row per host (and device), the fleet, the outliers. */
void fleet_print(FILE *f, json_t *doc);

#endif
