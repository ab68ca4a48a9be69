/*
 * The runs of a document, and a stored baseline as a history of runs
 * (doc/result-schema-v2.md, sections 2 and 8).
 *
 * A run node is {"results": {...}, "start_time_ns": N, "environment":
 * {...}, "reference_pairs": [...]} : the figures of one run, and the pairs
 * of its interleaved reference slices when it had one. Every document
 * yields its run nodes the same way: a result with "runs" one per run, a
 * result without it one (schema 1 included), a history its stored runs.
 *
 * --save-baseline NAME appends the runs of a result to NAME's history and
 * keeps the last `keep` (20 by default); the history remembers the command,
 * params and target of the workload, and refuses runs of another workload.
 */
#ifndef DMRB_HISTORY_H
#define DMRB_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define HISTORY_KEEP_DEFAULT 20
#define HISTORY_KEEP_MAX 1000

/*
 * Whether a "params" key describes the workload (two runs that differ in
 * it measured different things); target, seed, output, thresholds,
 * --repeat and the like do not.
 */
bool result_param_is_workload(const char *key);
/* A workload key whose difference between params pa and pb changes the workload. */
bool result_param_matters(const char *key, json_t *pa, json_t *pb);

/*
 * Whether two documents measured the same workload: their command and
 * every workload parameter. 0 when they did, else -1 with the first
 * difference in why ("rw: baseline randread, run randwrite").
 */
int result_same_workload(json_t *a, json_t *b, char *why, size_t len);
/* The same, the two sides named la and lb in why ("rw: h1.json randread, h2.json randwrite"). */
int result_same_workload_as(json_t *a, json_t *b, const char *la, const char *lb, char *why,
			    size_t len);

/*
 * Before a run: whether its runs could join stored, a baseline, as far as
 * can be told yet: the command, and every workload parameter in params
 * (the shared run options; a command adds its own after the run) that
 * stored has too. 0, or -1 with the first difference in why.
 */
int result_may_join(json_t *stored, const char *command, json_t *params, char *why,
		    size_t len);

/* Whether doc is a stored baseline history (schema 2 "kind": "baseline"). */
bool history_is(json_t *doc);

/* The run nodes of any document (a new array; NULL when out of memory). */
json_t *history_run_nodes(json_t *doc);

/*
 * The history that results from adding the runs of result (a run's
 * document) to old (NULL, a history, or a single result stored by an
 * earlier version), keeping the last keep runs (0: what old keeps, or
 * HISTORY_KEEP_DEFAULT). name is the baseline's.
 * NULL with one line in err when the workloads differ
 * (result_same_workload) or out of memory.
 */
json_t *history_append(json_t *old, json_t *result, const char *name, unsigned keep,
		       char *err, size_t elen);

/*
 * The document a comparison reads for a history: command, params, target
 * and environment of the newest run, and the runs themselves; a new
 * reference. For any other document, a new reference to it.
 */
json_t *history_as_result(json_t *doc);

#endif
