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
	ACCESS_PARETO,      /* pareto_h of the I/Os on 1 - pareto_h of the blocks, scattered */
	ACCESS_NORMAL,      /* a hot spot: normal around normal_center, normal_dev wide */
};

enum arrival_mode {
	ARRIVAL_CLOSED,     /* completions drive submissions (rate_iops: a cap) */
	ARRIVAL_FIXED,      /* open loop: one arrival every 1/rate_iops */
	ARRIVAL_POISSON,    /* open loop: exponential gaps, mean 1/rate_iops */
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
	double pareto_h;               /* ACCESS_PARETO: 0 < h < 1 (fio's pareto power) */
	double normal_dev_pct;         /* ACCESS_NORMAL: standard deviation, % of the region */
	double normal_center;          /* ACCESS_NORMAL: mean, as a fraction of the region */
	unsigned run_blocks;           /* ACCESS_SEQ_RUNS: I/Os per run */
	unsigned run_pct;              /* ACCESS_SEQ_RUNS: % of I/Os inside runs */
	bool slice_per_worker;         /* each worker confined to its own slice */
	uint64_t span_off, span_len;   /* bytes; span_len 0 = the whole target */
	uint64_t rate_iops;            /* cap, or open-loop arrival rate, for the whole stream; 0 = none */
	bool one_pass;                 /* each worker covers its region once, then stops */
	/*
	 * Flush, FUA and discard (dmremap-bench-run(1)). discard_pct is the
	 * share of all I/Os that are discards; the rest split by read_pct.
	 * trim_then_write: every discard is followed by a write of the same
	 * blocks (fio's trimwrite).
	 */
	unsigned discard_pct;
	bool trim_then_write;
	bool fua;                      /* every write with FUA (RWF_DSYNC) */
	unsigned flush_every;          /* a flush after every N writes; 0: none */
	bool flush_full;               /* fsync rather than fdatasync (same on a block device) */
	uint64_t flush_interval_ns;    /* a flush every T; 0: none */
	/*
	 * Arrivals: closed loop (a completion starts the next I/O, rate_iops
	 * caps it), or open loop at rate_iops (fixed spacing or Poisson),
	 * with latency also measured from when each I/O was due.
	 */
	enum arrival_mode arrival;
	uint64_t think_ns;             /* closed loop: pause after completions before the next */
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
struct hist;

/*
 * What on_interval is told of the interval just recorded (the last of
 * partial->intervals), beyond its sample: its latency histograms and when
 * it ended. The last call of an engine run comes after the drain, once the
 * results are merged (last): its interval may be the one reported before,
 * grown by the drain's remainder (replaces_last), which then replaces it.
 */
struct interval_view {
	const struct hist *lat[2];     /* per direction (DIR_READ, DIR_WRITE), precise bits;
					* min and max unknown (0 and UINT64_MAX) */
	uint64_t origin_ns;            /* monotonic: t_s 0, the end of the ramp */
	uint64_t end_ns;               /* monotonic: the end of the interval */
	bool last;                     /* after the drain: the run's final interval */
	bool replaces_last;            /* it replaces the interval of the previous call */
};

/*
 * Readings around the measured window (the session's CPU and device
 * accounting, sys/acct.h), all from the monitor thread: begin when the
 * window starts (the end of the ramp), sample every in-flight sample
 * while it lasts, end after the workers are gone (the drain included),
 * once for each begin.
 */
struct job_probe {
	void (*begin)(void *arg);
	void (*sample)(void *arg);
	void (*end)(void *arg, struct run_result *res);
	void *arg;
};

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
	/*
	 * Called from the monitor thread after each merged interval, and once
	 * more after the drain (view->last). Returning true ends the run there,
	 * as the end of --duration would (a normal stop, not a signal).
	 */
	bool (*on_interval)(void *arg, const struct run_result *partial,
			    const struct interval_view *view);
	void *on_interval_arg;
	const struct job_probe *probe;  /* NULL: none */
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
