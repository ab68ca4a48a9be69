/* The measured outcome of one engine run. */
#ifndef DMRB_RESULT_H
#define DMRB_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/job.h"
#include "engine/verify_io.h"
#include "stats/hist.h"
#include "sys/acct.h"

#define ERRNO_SLOTS 134        /* errno values counted individually */
#define ERR_LIST_MAX 64        /* first failing I/Os kept with their offsets */

/* The values of enum io_op (engine/ioengine.h); total is reads + writes. */
enum { DIR_READ = 0, DIR_WRITE = 1, DIR_FLUSH = 2, DIR_DISCARD = 3, DIR_COUNT = 4 };

/*
 * Open-loop arrivals (dmremap-bench-run(1), OPEN LOOP): the I/Os that
 * started more than OPENLOOP_LATE_NS after they were due, and the arrivals
 * dropped because the backlog reached its cap.
 */
#define OPENLOOP_LATE_NS (1000ULL * 1000)
struct late_stats {
	uint64_t count, sum_ns, max_ns;
	uint64_t dropped;
};

struct dir_result {
	uint64_t ops;
	uint64_t bytes;
	struct hist hist;          /* service time: submit to completion, ns (precise) */
	/*
	 * Open loop only (buckets NULL otherwise): response time, from when
	 * the I/O was due to its completion, and the late starts.
	 */
	struct hist resp;
	struct late_stats late;
};

struct err_entry {
	uint64_t off;
	uint32_t len;
	int err;                   /* errno, or 0 for a short transfer */
	bool write;
	uint8_t op;                /* enum io_op */
	uint64_t t_ns;             /* since the start of the run */
};

struct err_stats {
	uint64_t io;               /* completions with a negative result */
	uint64_t short_io;         /* completions that moved fewer bytes */
	uint64_t verify;           /* data that did not match */
	uint64_t by_errno[ERRNO_SLOTS];
	struct err_entry list[ERR_LIST_MAX];
	unsigned nlist;
};

struct stream_result {
	char name[STREAM_NAME_MAX];
	unsigned workers;
	unsigned iodepth;
	struct dir_result dir[DIR_COUNT];
	struct err_stats errors;
	uint64_t dropped;          /* open-loop arrivals dropped (total.late.dropped) */
};

struct interval_sample {
	double t_s;                /* end of the interval, since start */
	uint64_t t_ns;             /* its end on the wall clock (UTC ns); 0: unknown */
	uint32_t run;              /* --repeat: the run it belongs to (0-based) */
	double len_s;              /* its length (the last may be short) */
	uint64_t read_ops, write_ops;
	uint64_t read_bytes, write_bytes;
	uint64_t errors;
	uint64_t p99_ns;           /* all directions; 0 when no I/O completed */
	struct {
		double mean_ns;
		uint64_t p50_ns, p99_ns, p999_ns;
	} lat[2];                  /* per direction, for comparisons */
};

struct concurrency_stats {
	unsigned workers;
	unsigned iodepth_per_worker;   /* the largest, when they differ */
	uint64_t inflight_target;
	double inflight_mean;          /* sampled by the monitor every 10 ms */
	uint64_t inflight_max;
	/*
	 * Of those, the ones the kernel held: fewer when the workers kept
	 * the excess over submit_limit (0: no limit) themselves.
	 */
	uint64_t submit_limit;
	double kernel_inflight_mean;
	uint64_t kernel_inflight_max;
};

/* A worker thread the run left behind in the kernel (see engine.c). */
enum stuck_where { STUCK_IN_SUBMIT, STUCK_IN_EXIT };
#define STUCK_LIST_MAX 64

struct stuck_worker {
	unsigned worker;               /* global index, as in the thread name dmrb-wN */
	char stream[STREAM_NAME_MAX];
	enum stuck_where where;
	uint64_t abandoned_ios;        /* its share of run_result.abandoned_ios */
};

/* Why I/O was abandoned: the hard stop that gave up on it. */
enum abandon_reason { ABANDON_NONE, ABANDON_TIMEOUT, ABANDON_DRAIN_GRACE };

struct run_result {
	double duration_s;             /* measured, ramp excluded */
	unsigned nstreams;
	struct stream_result *streams;
	struct dir_result dir[DIR_COUNT];  /* all streams */
	uint64_t dropped;              /* open-loop arrivals dropped: they have no direction */
	struct err_stats errors;
	struct concurrency_stats conc;
	struct interval_sample *intervals;
	size_t nintervals, intervals_cap;
	uint64_t ramp_ops;             /* done during --ramp, not in the results */
	uint64_t intervals_merged;     /* intervals a slow monitor made a worker merge */
	int signal;                    /* the stop signal, 0 if none */
	bool error_stop;               /* stopped because errors exceeded the limit */
	bool timed_out;                /* the hard stop (--timeout or drain grace) fired */
	uint64_t abandoned_ios;        /* in flight when the run gave up on them */
	enum abandon_reason abandoned_after;
	unsigned stuck_workers;        /* worker threads left behind in the kernel */
	struct stuck_worker stuck[STUCK_LIST_MAX];
	unsigned nstuck;               /* listed in stuck[] (at most STUCK_LIST_MAX) */
	bool complete;                 /* false while a run is still in progress */
	/*
	 * The interval percentiles are the largest of the parts' (devices run
	 * at the same time, merged without per-interval histograms): an upper
	 * bound of the merged percentile, not the percentile itself.
	 */
	bool intervals_lat_max;
	bool verify_enabled;
	uint32_t verify_block_size;
	struct verify_stats verify;
	/* What the measured window cost: CPU, and the devices under the target (sys/acct.h). */
	struct cpu_acct cpu;
	struct dev_accts devs;
};

int run_result_init(struct run_result *r, unsigned nstreams);
void run_result_free(struct run_result *r);
void err_stats_merge(struct err_stats *dst, const struct err_stats *src);
uint64_t run_result_total_ops(const struct run_result *r);
uint64_t err_stats_total(const struct err_stats *e);



/*
 * Add a later run (a phase, a step, a repeat, a slice) to a running total:
 * counts, histograms and errors add up, intervals follow on after the
 * total's duration, and concurrency keeps the largest. A total with no
 * streams (nstreams 0) takes none; one with as many streams as the part
 * adds them up stream by stream.
 */
int run_result_accumulate(struct run_result *total, const struct run_result *part);
/*
 * dst += src, response times and late starts included (dst's response
 * histogram is allocated on the first open-loop src); -1: out of memory.
 */
int dir_result_add(struct dir_result *dst, const struct dir_result *src);
void dir_result_free(struct dir_result *d);

/*
 * Add a part that ran at the same time as the total's (another device of
 * the same run): counts, histograms and errors add up, the k-th intervals
 * add up (their percentiles: see intervals_lat_max), the measured window
 * is the longer of the two (not their sum), and the concurrency figures
 * add up. 0, or -1 when out of memory.
 */
int run_result_merge_parallel(struct run_result *total, const struct run_result *part);

/* Give every interval its wall-clock end: origin_ns (UTC ns at t_s 0) + t_s. */
void run_result_stamp_wall(struct run_result *r, uint64_t origin_ns);
#endif
