/*
 * What the engine runs: a job is one or more streams, each a pool of workers
 * doing one I/O pattern over a region of the target. Commands and workload
 * profiles fill these plain structs; the engine only interprets them.
 */
#ifndef DMRB_JOB_H
#define DMRB_JOB_H

#include <stdbool.h>
#include <stdint.h>

#define STREAM_MAX_BS 8
#define STREAM_NAME_MAX 32

enum access_pattern {
	ACCESS_RANDOM,      /* uniform over the region */
	ACCESS_SEQUENTIAL,  /* one cursor per worker, wrapping */
	ACCESS_ZIPF,        /* hot-spotted ranks, scattered over the region */
	ACCESS_SEQ_RUNS,    /* random starts followed by runs of run_blocks */
};

struct bs_weight {
	uint32_t bs;      /* bytes, multiple of the target's logical block size */
	uint32_t weight;  /* relative share of I/Os of this size */
};

struct stream_spec {
	char name[STREAM_NAME_MAX];
	unsigned workers;
	unsigned iodepth;              /* in flight per worker */
	uint64_t total_depth;          /* if non-zero: split over the workers instead */
	unsigned read_pct;             /* share of I/Os that are reads, 0-100 */
	struct bs_weight bs[STREAM_MAX_BS];
	unsigned nbs;
	enum access_pattern access;
	double zipf_theta;             /* ACCESS_ZIPF */
	unsigned run_blocks;           /* ACCESS_SEQ_RUNS: I/Os per run */
	unsigned run_pct;              /* ACCESS_SEQ_RUNS: % of I/Os inside runs */
	bool slice_per_worker;         /* each worker confined to its own slice */
	uint64_t span_off, span_len;   /* bytes; span_len 0 = the whole target */
	uint64_t rate_iops;            /* cap for the whole stream; 0 = none */
	bool one_pass;                 /* each worker covers its region once, then stops */
};

/*
 * How a worker waits for completions. Sleeping costs two scheduler
 * wake-ups an I/O at depth 1, which is most of the latency of a fast
 * device; polling the completion ring instead burns a CPU meanwhile.
 */
enum reap_mode {
	REAP_AUTO,   /* poll when a worker keeps 1 I/O in flight and a CPU is spare */
	REAP_SLEEP,  /* always sleep in the kernel (fio's libaio default) */
	REAP_POLL,   /* always poll first, at any depth */
};

struct target;
struct run_result;
struct ioeng_ops;
struct genmap;

struct job {
	const struct target *target;
	struct stream_spec *streams;
	unsigned nstreams;
	uint64_t duration_ns;
	uint64_t ramp_ns;              /* run, but excluded from the results */
	uint64_t interval_ns;          /* time-series sampling period */
	uint64_t seed;
	uint64_t max_errors;           /* stop when errors exceed this */
	const struct ioeng_ops *ioeng; /* NULL: libaio */
	bool progress;                 /* live line on stderr */
	const char *label;             /* shown in the progress line */
	struct genmap *verify_map;     /* --verify: write verify blocks, check reads */
	uint64_t timeout_ns;           /* hard stop from the start; 0 = none */
	uint64_t drain_grace_ns;       /* after a stop, wait this long for in-flight I/O */
	enum reap_mode reap;
	/*
	 * At most this many I/Os handed to the kernel at once over all
	 * workers (0: no limit); the rest of each worker's share waits in the
	 * worker, its latency clock running. See the engine's worker_setup.
	 */
	unsigned submit_limit;
	/* --cpus: worker k (over all streams) runs on cpus[k % ncpus]; 0: any CPU. */
	const uint16_t *cpus;
	unsigned ncpus;
	/* Called from the monitor thread after each merged interval. */
	void (*on_interval)(void *arg, const struct run_result *partial);
	void *on_interval_arg;
	/*
	 * Called by engine_run in its thread once the workers wait at the start
	 * gate, just before the measured period begins (failed: not every
	 * worker could start). The session waits here for --start-at, and holds
	 * each engine of a run on several devices until all are ready, so the
	 * devices start together. NULL: none.
	 */
	void (*on_start)(void *arg, bool failed);
	void *on_start_arg;
};

/* In-flight I/Os of worker `index` of a stream. */
unsigned stream_worker_depth(const struct stream_spec *st, unsigned index);
/* Total workers and in-flight target of a job. */
unsigned job_total_workers(const struct job *job);
uint64_t job_total_depth(const struct job *job);
/* Largest block size any stream uses. */
uint32_t job_max_bs(const struct job *job);

#endif
