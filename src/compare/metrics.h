/*
 * What can be compared in a result: a flat list of metrics (group,
 * direction, name, the document's figure, and one value per run), from a
 * dmremap-bench result, a stored baseline history, or fio's JSON output.
 *
 * The run is the unit of replication: a metric's values are those of each
 * run the document holds (result/history.h: the runs of --repeat, the
 * runs of a history, or the one run of any other result), each run's own
 * figure (its IOPS, its p99 from its own histogram). The intervals of a
 * run are not samples: they are autocorrelated and share the run's
 * machine. Runs saved by one --save-baseline share a session number.
 *
 * Several devices in one run give a group per device ("device N", by its
 * position on the command line: a loop device's number may change from
 * run to run); a fleet a group per host ("host NAME") and per device of a
 * host ("host NAME device N"), each run's value from that run's node.
 *
 * Group "ref" holds the target against its interleaved reference
 * (--reference, --compare-linear): per run, the Hodges-Lehmann ratio of the
 * pairs of slices (target / reference) of each figure, CPU per I/O
 * included (cpu_per_io, tool_cpu_per_io).
 *
 * Group "knee" holds a sweep's knee: "total" "load", each run's own
 * (results.knee.load of the run), better higher.
 */
#ifndef DMRB_METRICS_H
#define DMRB_METRICS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define METRIC_GROUP_MAX 192

enum metric_better { BETTER_HIGHER, BETTER_LOWER };
enum metric_kind { MK_THROUGHPUT, MK_LATENCY, MK_ERRORS };

struct metric {
	/* "all", "stream data", "step 2", "phase 1", "device 3", "host web1", "host web1 device 2" */
	char group[METRIC_GROUP_MAX];
	char dir[8];            /* "read", "write", "total" */
	char name[16];          /* "iops", "bw", "lat_mean", "lat_p50", "lat_p99", "lat_p99.9", "errors" */
	enum metric_kind kind;
	enum metric_better better;
	double value;           /* the document's figure (the median of the runs with several) */
	double *runs;           /* one value per run */
	unsigned *session;      /* the session of each run (0 for a result's runs) */
	size_t nruns;
	unsigned nsessions;
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
	json_t *owned;          /* a history read as a result (history_as_result), owned */
	size_t nruns;           /* runs the document holds */
	unsigned nsessions;     /* sessions they were saved in */
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
/*
 * Append a metric (group quoted like a message) with value as its one
 * run; NULL when out of memory.
 */
struct metric *metrics_add(struct metric_set *s, const char *group, const char *dir,
			   const char *name, enum metric_kind kind, enum metric_better better,
			   double value);
const struct metric *metrics_find(const struct metric_set *s, const char *group,
				  const char *dir, const char *name);

#endif
