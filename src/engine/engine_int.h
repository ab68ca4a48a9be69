/*
 * The engine's insides, shared by the workers (worker.c), the pool that
 * runs them (engine.c) and the monitor (monitor.c): a worker's state, the
 * engine's, and the monitor's. Not for use outside src/engine.
 */
#ifndef DMRB_ENGINE_INT_H
#define DMRB_ENGINE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/discard.h"
#include "engine/gen.h"
#include "engine/ioengine.h"
#include "engine/verify_io.h"
#include "result/result.h"
#include "util/timeutil.h"

struct engine;

struct worker {
	/* Owned by the worker thread while it runs. */
	struct gen gen;
	struct dir_result dir[DIR_COUNT];
	struct err_stats errs;
	uint64_t ramp_ops;
	uint64_t last_done_ns;
	/*
	 * Arrivals (rate_iops): the rate limit of a closed-loop stream, the
	 * arrival process of an open-loop one. arrivals counts those admitted
	 * or dropped; a Poisson stream keeps its next due time.
	 */
	uint64_t arrivals;
	uint64_t next_due;
	double mean_gap_ns;
	struct prng arr_rng;
	bool open_loop, poisson;
	uint64_t backlog_ns;           /* open loop: arrivals older than this are dropped */
	uint64_t dropped;
	uint64_t think_ns, think_until;
	/* Flushes and discards (fill_unit). */
	unsigned flush_every, writes_since_flush;
	uint64_t flush_interval_ns, next_flush_ns;
	bool flush_full, fua, trim_then_write;
	struct discarder *disc;        /* NULL: the stream never discards */
	unsigned disc_inflight;
	bool disc_left;                /* its thread was left in the ioctl: keep it */
	uint64_t pass_left;            /* one_pass: bytes still to issue */
	bool one_pass, exhausted;
	unsigned abandoned;            /* in flight when the hard stop came */
	struct vio vio;                /* --verify */
	bool verifying;
	uint64_t rate_iops;            /* this worker's share; 0 = none */
	struct io_unit *units;
	void *bufs;                    /* one per slot; NULL when the stream only reads */
	void *read_pool;               /* READ_POOL_BUFS shared read buffers, or NULL */
	uint32_t buf_size;
	struct io_unit **batch;        /* prepared, not yet submitted */
	struct io_done *events;
	void *ioctx;
	unsigned depth;
	unsigned submit_slice;         /* at most this many I/Os per submit call */
	unsigned kcap;                 /* most I/Os in the kernel at once; 0: depth */
	bool poll;                     /* --reap: poll the ring before sleeping */
	unsigned poll_misses;          /* windows in a row that saw nothing */
	unsigned poll_skip;            /* waits left to sleep through */
	unsigned index;                /* within the stream */
	unsigned stream;
	struct engine *eng;
	pthread_t thread;
	bool started;
	int cpu;                       /* --cpus: the one CPU it runs on; -1: any */
	/* Owned by the monitor. */
	bool stuck;                    /* left behind inside a submit call */
	bool unjoined;                 /* left behind in the thread's exit */
	/*
	 * Read by the monitor while the worker runs; each on its own line.
	 * inflight counts the I/Os issued and not yet completed, kinflight
	 * those of them the kernel holds: fewer under kcap.
	 */
	uint64_t inflight __attribute__((aligned(64)));
	uint64_t kinflight;
	/*
	 * The hand-over of a worker stuck in a submit call (see leave_stuck):
	 * W_IN_SUBMIT while the worker is inside one, with sub_pending the
	 * I/Os the kernel then may hold.
	 */
	int sstate;
	unsigned sub_pending;
	int done __attribute__((aligned(64)));
} __attribute__((aligned(64)));

enum { W_RUNNING, W_IN_SUBMIT, W_LEFT };

/* What the monitor saw of a worker at the previous interval boundary. */
struct snapshot {
	uint64_t ops[2], bytes[2], errors;
	uint64_t *buckets[2];
};

struct engine {
	const struct job *job;
	const struct ioeng_ops *ops;
	int fd;
	struct worker *workers;
	unsigned nworkers;
	uint64_t start_ns, ramp_end_ns, end_ns;
	uint64_t max_errors;
	/* The start gate: workers wait here until every one is set up. */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	bool gate_open;
	int stop __attribute__((aligned(64)));
	int error_stop;
	int failed;                    /* a worker's engine failed: EXIT_RUNTIME */
	int abandon;                   /* hard stop: leave in-flight I/O behind */
	uint64_t stop_ns;              /* when the first stop was asked for; 0: none */
	struct engine *next_left;      /* see keep_left_behind() */
	uint64_t error_count __attribute__((aligned(64)));
};

static inline int eng_stopping(struct engine *e)
{
	return __atomic_load_n(&e->stop, __ATOMIC_RELAXED);
}

/* Rare paths only (the end of a run, errors, signals): it reads the clock. */
static inline void eng_request_stop(struct engine *e)
{
	uint64_t none = 0;

	__atomic_store_n(&e->stop, 1, __ATOMIC_RELAXED);
	/* The first stop ends the measured period (see measured_end). */
	__atomic_compare_exchange_n(&e->stop_ns, &none, now_ns(), false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
}

/* The end of the measured period as far as it is known: the duration's, or the stop's. */
static inline uint64_t stop_point(struct engine *e)
{
	uint64_t s = __atomic_load_n(&e->stop_ns, __ATOMIC_RELAXED);

	return s && s < e->end_ns ? s : e->end_ns;
}

/* ---- the monitor (monitor.c) ----------------------------------------- */

struct monitor {
	struct engine *e;
	struct run_result *res;
	struct snapshot *snaps;
	struct hist ival, ival_dir[2];  /* ival_dir: of the last interval recorded */
	uint64_t last_ival_ns;
	uint64_t prev_ival_ns;          /* where the last interval recorded began */
	enum abandon_reason abandon_why;
	double inflight_sum, kinflight_sum;
	uint64_t inflight_samples;
	uint64_t last_ops;
	uint64_t last_progress_ns;
	bool drew_progress;
	bool probing;                   /* job->probe: its window began */
};

int monitor_init(struct monitor *m, struct engine *e, struct run_result *res);
void monitor_free(struct monitor *m);
/*
 * Record the interval ending at t, or, with MONITOR_NOW, when the workers'
 * counters have been read (see monitor.c); extend: add it to the last one.
 */
#define MONITOR_NOW 0
void monitor_interval(struct monitor *m, uint64_t t, bool extend);
/* Until every worker is done: intervals, samples, progress, signals, the hard stop. */
/*
 * job->on_interval for the interval just recorded, which ended at t (last:
 * after the drain; replaces: it replaces the one of the previous call).
 * True when the command asks the run to end.
 */
bool monitor_call_on_interval(struct monitor *m, uint64_t t, bool last, bool replaces);
void monitor_loop(struct monitor *m);
/* The measured window starts: the job's probe (if any) takes its first readings. */
void probe_begin(struct monitor *m);

/*
 * Reads nobody checks land in a pool of this many buffers per worker, shared
 * round-robin by its I/O slots, instead of one buffer each: at 10000 in
 * flight, 40 MiB of 4 KiB buffers overflow a 32 MiB L3, and a RAM-backed
 * device's copy into them slowed the whole run by 13% (350k against 400k
 * IOPS, medians of 5 A/B runs on the bench's loop device). Writes keep one
 * buffer each, filled once with distinct data; with --verify every I/O
 * keeps its own.
 */
#define READ_POOL_BUFS 128

/* The buffer of slot `slot` for its next I/O: its own, or for a read, one of the pool's. */
static inline void *slot_buf(const struct worker *w, size_t slot, bool write)
{
	if (w->read_pool && !write)
		return (char *)w->read_pool + slot % READ_POOL_BUFS * w->buf_size;
	return (char *)w->bufs + slot * w->buf_size;
}

/* A worker's thread (worker.c): runs its I/O until told to stop or done. */
void *worker_main(void *arg);

#endif
