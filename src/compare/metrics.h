/*
 * What can be compared in a result: a flat list of metrics (group,
 * direction, name, value, per-interval samples), from a dmremap-bench
 * result document or from fio's JSON output.
 */
#ifndef DMRB_METRICS_H
#define DMRB_METRICS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum metric_better { BETTER_HIGHER, BETTER_LOWER };
enum metric_kind { MK_THROUGHPUT, MK_LATENCY, MK_ERRORS };

struct metric {
	char group[32];         /* "all", "stream data", "step 2", "phase 1" */
	char dir[8];            /* "read", "write", "total" */
	char name[16];          /* "iops", "bw", "lat_mean", "lat_p50", "lat_p99", "lat_p99.9", "errors" */
	enum metric_kind kind;
	enum metric_better better;
	double value;
	double *samples;        /* per interval, NULL when none */
	size_t nsamples;
};

struct metric_set {
	struct metric *m;
	size_t n, cap;
	const char *source;     /* "dmremap-bench" or "fio" */
	char command[32];
	json_t *params;         /* borrowed from the document; NULL for fio */
	json_t *environment;    /* borrowed; NULL for fio */
	json_t *target;         /* borrowed; NULL for fio */
	json_t *fio_job;        /* fio: the job (borrowed); NULL for dmremap-bench */
	json_t *fio_global;     /* fio: "global options" (borrowed), if any */
};

/*
 * Extract the metrics of doc. Returns 0, or -1 with a message in err
 * naming what was expected: a document result_validate() refuses is
 * refused here too. A direction without I/O has no metrics; neither has
 * a fio percentile that fio did not write. The set borrows from doc:
 * keep doc alive.
 */
int metrics_from_doc(json_t *doc, struct metric_set *out, char *err, size_t elen);
void metrics_free(struct metric_set *s);
/* Append a metric (group quoted like a message); NULL when out of memory. */
struct metric *metrics_add(struct metric_set *s, const char *group, const char *dir,
			   const char *name, enum metric_kind kind, enum metric_better better,
			   double value);
const struct metric *metrics_find(const struct metric_set *s, const char *group,
				  const char *dir, const char *name);

#endif
