/*
 * Repeated runs: the run is the unit of replication. With --repeat N every
 * job a command runs (the job of concurrency or endurance, each phase of
 * workload mixed, each step of scale) is measured N times in a row with the
 * same parameters and seed; each measurement keeps its own result, and the
 * command's result is their exact merge (counts and histograms add, the
 * measured windows add up). A command sees only the merge; the session
 * writes the runs themselves into the document's "runs" array
 * (doc/result-schema-v2.md) and prints a line per run.
 *
 * With an interleaved reference (--reference, --compare-linear) each run is
 * a series of slice pairs (run/reference.h), and the record keeps the
 * reference's result and every pair's figures beside the target's.
 */
#ifndef DMRB_REPEAT_H
#define DMRB_REPEAT_H

#include <jansson.h>
#include <stdio.h>

#include "result/result.h"

/* The figures of one slice (or run) that paired statistics use, per direction. */
enum { SUM_READ, SUM_WRITE, SUM_TOTAL, SUM_DIRS };

struct slice_summary {
	double duration_s;
	uint64_t ops[SUM_DIRS];
	double iops[SUM_DIRS], bw[SUM_DIRS];
	double lat_mean[SUM_DIRS], lat_p50[SUM_DIRS], lat_p99[SUM_DIRS], lat_p999[SUM_DIRS];
	/*
	 * ns of CPU per I/O completed (reads and writes together; 0 when not
	 * measured): the system's (every CPU's busy time, the kernel's I/O
	 * path included) and the tool's own (results.cpu.per_io_ns).
	 */
	double cpu_per_io, tool_cpu_per_io;
};

/* One pair of interleaved slices: the target and the reference, same seed. */
struct slice_pair {
	unsigned run;                /* the replicate it belongs to */
	unsigned index;              /* within the run */
	bool target_first;
	struct slice_summary target, ref;
};

/* The runs of one session_run() call. */
struct part_record {
	unsigned nstreams;
	struct run_result *reps;     /* the target's result of each run */
	uint64_t *start_ns;          /* when each run started (UTC ns) */
	struct run_result *ref_reps; /* the reference's, with an interleaved reference */
	unsigned nreps, cap;
	struct slice_pair *pairs;
	size_t npairs, pairs_cap;
};

/* Room for cap runs; 0 or -1 (ENOMEM). */
int part_record_init(struct part_record *p, unsigned nstreams, unsigned cap, bool with_ref);
void part_record_free(struct part_record *p);
/* The next run's results, initialised (the reference's too); NULL when out of memory. */
struct run_result *part_record_next(struct part_record *p, struct run_result **ref);
/* Append a pair; 0 or -1 (ENOMEM). */
int part_record_add_pair(struct part_record *p, const struct slice_pair *pair);

/* The figures of a result, for pairs and run-level statistics. */
void slice_summarize(const struct run_result *r, struct slice_summary *out);

/*
 * Mark every interval of r as belonging to run `run` (the merged series of
 * a repeated run tells them apart by this).
 */
void repeat_stamp_intervals(struct run_result *r, unsigned run);

/*
 * The "runs" array of a document: one node per run, its results built like
 * the command's own (results_json), without interval series (they are in
 * the merged series, each tagged with its run). parts_key names the array
 * of per-part results of a multi-part command ("phases", "steps") or is
 * NULL; its entries take the extra keys the command put on the merged
 * document's entries (a step's span, a phase's name). NULL with fewer than
 * two runs.
 */
json_t *repeat_runs_json(const struct part_record *parts, unsigned nparts, json_t *merged_results,
			 const char *parts_key);

/*
 * The results object of run `run` of the parts (run < 0: the merge of
 * all runs), built like the command's own (see repeat_runs_json): its
 * per-part array under parts_key without interval series. NULL when out
 * of memory.
 */
json_t *repeat_results_json(const struct part_record *parts, unsigned nparts, int run,
			    json_t *merged_results, const char *parts_key);

/* "runs: 5 (--repeat), IOPS 41.2k..43.0k (median 42.1k, spread 1.4%), p99 ..." */
void repeat_print(FILE *f, const struct part_record *parts, unsigned nparts);

#endif
