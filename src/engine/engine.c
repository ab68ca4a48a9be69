/*
 * The worker pool. Each worker owns an I/O context, its buffers, its
 * generator and its histograms; the hot loop (pick, submit, reap,
 * timestamp, record) allocates nothing and takes no lock. A monitor (the
 * calling thread) samples the workers' counters with relaxed loads to build
 * the time series and the live line, and turns signals into a stop.
 */
#include "engine/engine.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/gen.h"
#include "engine/hardstop.h"
#include "engine/ioengine.h"
#include "engine/verify_io.h"
#include "result/result_text.h"
#include "run/supervise.h"
#include "target/target.h"
#include "util/env.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"

#define REAP_TIMEOUT_NS (20 * NSEC_PER_MSEC)   /* longest rate-limited wait */
#define SAMPLE_PERIOD_NS (10 * NSEC_PER_MSEC)  /* in-flight sampling */
#define PROGRESS_PERIOD_NS (500 * NSEC_PER_MSEC)
#define SUBMIT_SLICE_DIV 8                     /* see worker_setup */
/*
 * Polling (--reap): how long a worker watches the completion ring before
 * it sleeps, and, under auto, how many waits it sleeps through after some
 * windows in a row went by with nothing (a slow device is not worth a
 * CPU; one late completion on a busy machine is no sign of one).
 */
#define POLL_WINDOW_NS (50 * NSEC_PER_USEC)
#define POLL_MISSES 4
#define POLL_BACKOFF_WAITS 64
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

struct engine;

struct worker {
	/* Owned by the worker thread while it runs. */
	struct gen gen;
	struct dir_result dir[2];
	struct err_stats errs;
	uint64_t ramp_ops;
	uint64_t last_done_ns;
	uint64_t issued;               /* for the rate limit */
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

static int eng_stopping(struct engine *e)
{
	return __atomic_load_n(&e->stop, __ATOMIC_RELAXED);
}

/* Rare paths only (the end of a run, errors, signals): it reads the clock. */
static void eng_request_stop(struct engine *e)
{
	uint64_t none = 0;

	__atomic_store_n(&e->stop, 1, __ATOMIC_RELAXED);
	/* The first stop ends the measured period (see measured_end). */
	__atomic_compare_exchange_n(&e->stop_ns, &none, now_ns(), false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
}

/* ---- worker side ---------------------------------------------------- */

/* The buffer of slot `slot` for its next I/O: its own, or for a read, one of the pool's. */
static void *slot_buf(const struct worker *w, size_t slot, bool write)
{
	if (w->read_pool && !write)
		return (char *)w->read_pool + slot % READ_POOL_BUFS * w->buf_size;
	return (char *)w->bufs + slot * w->buf_size;
}

/* Pick the unit's next I/O; false when a one-pass worker has covered its region. */
static bool fill_unit(struct worker *w, struct io_unit *u)
{
	struct io_pick p;

	if (w->one_pass && !w->pass_left) {
		w->exhausted = true;
		return false;
	}
	do {
		gen_next(&w->gen, &p);
		u->off = p.off;
		u->len = p.len;
		u->write = p.write;
	} while (w->verifying && !vio_claim(&w->vio, u));
	if (w->one_pass)
		w->pass_left = w->pass_left > p.len ? w->pass_left - p.len : 0;
	if (w->read_pool)
		u->buf = slot_buf(w, (size_t)(u - w->units), u->write);
	if (w->verifying && u->write)
		vio_prepare_write(&w->vio, u);
	return true;
}

static void record_error(struct worker *w, const struct io_unit *u, long res, uint64_t t)
{
	struct engine *e = w->eng;
	struct err_stats *es = &w->errs;
	uint64_t n;

	if (res < 0) {
		counter_add(&es->io, 1);
		if (-res < ERRNO_SLOTS)
			es->by_errno[-res]++;
	} else {
		counter_add(&es->short_io, 1);
	}
	if (es->nlist < ERR_LIST_MAX)
		es->list[es->nlist++] = (struct err_entry){
			.off = u->off, .len = u->len, .err = res < 0 ? (int)-res : 0,
			.write = u->write, .t_ns = t - e->start_ns,
		};
	/* Rare path: a shared counter is fine here. */
	n = __atomic_add_fetch(&e->error_count, 1, __ATOMIC_RELAXED);
	if (n > e->max_errors) {
		__atomic_store_n(&e->error_stop, 1, __ATOMIC_RELAXED);
		eng_request_stop(e);
	}
}

static void complete(struct worker *w, const struct io_done *d, uint64_t t)
{
	struct io_unit *u = d->u;
	bool ok = d->res == (long)u->len;

	if (w->verifying) {
		uint64_t bad = w->vio.st.bad;

		/* Timestamps are taken: checking costs no I/O its latency. */
		vio_complete(&w->vio, u, ok);
		if (w->vio.st.bad != bad) {
			counter_add(&w->errs.verify, w->vio.st.bad - bad);
			if (__atomic_add_fetch(&w->eng->error_count, w->vio.st.bad - bad,
					       __ATOMIC_RELAXED) > w->eng->max_errors) {
				__atomic_store_n(&w->eng->error_stop, 1, __ATOMIC_RELAXED);
				eng_request_stop(w->eng);
			}
		}
	}
	if (!ok) {
		record_error(w, u, d->res, t);
		return;
	}
	if (t < w->eng->ramp_end_ns) {
		w->ramp_ops++;
		return;
	}
	counter_add(&w->dir[u->write].ops, 1);
	counter_add(&w->dir[u->write].bytes, u->len);
	hist_record(&w->dir[u->write].hist, t - u->ts);
	w->last_done_ns = t;
}

/* How many of the prepared units the rate limit lets go now. */
static unsigned rate_allowance(struct worker *w, uint64_t t, unsigned want)
{
	unsigned __int128 due;
	uint64_t allowed;

	if (!w->rate_iops)
		return want;
	due = (unsigned __int128)(t - w->eng->start_ns) * w->rate_iops / NSEC_PER_SEC + 1;
	allowed = due > w->issued ? (uint64_t)(due - w->issued) : 0;
	return allowed < want ? (unsigned)allowed : want;
}

/* When the next token of the rate limit falls due. */
static uint64_t rate_next_ns(const struct worker *w)
{
	return w->eng->start_ns +
		(uint64_t)((unsigned __int128)w->issued * NSEC_PER_SEC / w->rate_iops);
}

/*
 * After a submit call: false when the monitor has left this worker behind
 * meanwhile (the call outlasted the hard stop), and so owns its results:
 * the worker must then touch nothing and end. One atomic exchange per
 * call, on a line only this worker writes while it runs.
 */
static bool back_from_submit(struct worker *w)
{
	int was = W_IN_SUBMIT;

	return __atomic_compare_exchange_n(&w->sstate, &was, W_RUNNING, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

/*
 * Submit what the rate limit and kcap allow of batch[0..*nbatch), with
 * `inflight` already in the kernel; what the kernel does not take stays at
 * the front of the batch for the next round. Returns the number now in
 * flight, or -1 when the worker was left behind in the call (it must end
 * at once).
 */
static int submit_batch(struct worker *w, unsigned *nbatch, unsigned inflight)
{
	unsigned n = *nbatch, sent = 0, go, i;
	uint64_t t = now_ns();

	go = rate_allowance(w, t, n);
	if (w->kcap) {
		unsigned room = inflight < w->kcap ? w->kcap - inflight : 0;

		if (go > room)
			go = room;
	}
	while (sent < go) {
		unsigned slice = go - sent < w->submit_slice ? go - sent : w->submit_slice;
		int rc;

		/*
		 * One timestamp a call: each I/O's latency starts when its call
		 * does. Under kcap it started when the worker queued it.
		 */
		if (!w->kcap)
			for (i = sent; i < sent + slice; i++)
				w->batch[i]->ts = t;
		/*
		 * A submit call can sleep in the kernel for good (a regular
		 * file on a frozen filesystem, a device with no free request
		 * that never completes one): the release store lets the
		 * monitor take over this worker's results if it does.
		 */
		w->sub_pending = inflight + sent + slice;
		__atomic_store_n(&w->sstate, W_IN_SUBMIT, __ATOMIC_RELEASE);
		rc = w->eng->ops->submit(w->ioctx, w->eng->fd, w->batch + sent, slice);
		if (!back_from_submit(w))
			return -1;

		if (rc > 0) {
			sent += (unsigned)rc;
			if (sent < go)
				t = now_ns();
		} else if (rc == -EAGAIN || rc == -EINTR || rc == 0) {
			break;
		} else {
			/* The first unit was refused: it completes with that error. */
			struct io_done d = { .u = w->batch[sent], .res = rc };

			record_error(w, d.u, d.res, t);
			w->issued++;
			memmove(w->batch + sent, w->batch + sent + 1,
				(n - sent - 1) * sizeof(*w->batch));
			n--;
			go--;
		}
	}
	w->issued += sent;
	memmove(w->batch, w->batch + sent, (n - sent) * sizeof(*w->batch));
	*nbatch = n - sent;
	return (int)sent;
}

/*
 * Watch the completion ring for up to POLL_WINDOW_NS. At depth 1 a sleep
 * costs a wake-up of this thread and often of an idle CPU: on the RAM-backed
 * loop device of bench/run, polling doubles IOPS at depth 1 (medians of 6
 * A/B runs: 63k against 30k) for 15% more CPU per I/O. Returns what it
 * reaped (0: go to sleep).
 */
static int poll_completions(struct worker *w, unsigned inflight)
{
	uint64_t end;
	int n;

	if (w->poll_skip) {
		w->poll_skip--;
		return 0;
	}
	end = now_ns() + POLL_WINDOW_NS;
	do {
		n = w->eng->ops->reap(w->ioctx, 0, inflight, w->events, 0);
		if (n) {
			w->poll_misses = 0;
			return n;
		}
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	} while (now_ns() < end);
	if (w->eng->job->reap == REAP_AUTO && ++w->poll_misses >= POLL_MISSES) {
		w->poll_misses = 0;
		w->poll_skip = POLL_BACKOFF_WAITS;
	}
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->eng;
	unsigned inflight = 0, nbatch = 0, i;
	bool stopping = false;
	uint64_t t0;
	int rc;

	pthread_mutex_lock(&e->gate_lock);
	while (!e->gate_open)
		pthread_cond_wait(&e->gate_cond, &e->gate_lock);
	pthread_mutex_unlock(&e->gate_lock);
	stopping = eng_stopping(e);
	if (e->ops->start && (rc = e->ops->start(w->ioctx)) < 0) {
		log_error("worker %u: cannot start its %s context: %s", w->index, e->ops->name,
			  strerror(-rc));
		__atomic_store_n(&e->failed, 1, __ATOMIC_RELAXED);
		eng_request_stop(e);
		stopping = true;
	}

	for (i = 0, t0 = now_ns(); i < w->depth; i++)
		if (fill_unit(w, &w->units[i])) {
			w->units[i].ts = t0;
			w->batch[nbatch++] = &w->units[i];
		}
	for (;;) {
		uint64_t t, timeout = REAP_FOREVER;
		int n, k;

		if (nbatch && !stopping) {
			int sent = submit_batch(w, &nbatch, inflight);

			if (sent < 0)
				return NULL;  /* left behind: the monitor owns everything */
			inflight += (unsigned)sent;
		}
		__atomic_store_n(&w->inflight, inflight + (w->kcap ? nbatch : 0), __ATOMIC_RELAXED);
		__atomic_store_n(&w->kinflight, inflight, __ATOMIC_RELAXED);
		if ((stopping || (w->exhausted && !nbatch)) && inflight == 0)
			break;
		if (__atomic_load_n(&e->abandon, __ATOMIC_RELAXED)) {
			/* The kernel may still own these buffers: the engine leaks them. */
			w->abandoned = inflight;
			break;
		}
		if (inflight == 0) {
			/* Only the rate limit keeps us idle: sleep to the next token. */
			if (w->rate_iops)
				sleep_until_ns(rate_next_ns(w));
			if (now_ns() >= e->end_ns || eng_stopping(e))
				stopping = true;
			continue;
		}
		if (nbatch && w->rate_iops) {
			uint64_t due = rate_next_ns(w), cur = now_ns();

			timeout = due > cur ? due - cur : 0;
			if (timeout > REAP_TIMEOUT_NS)
				timeout = REAP_TIMEOUT_NS;
		}
		n = w->poll && timeout == REAP_FOREVER ? poll_completions(w, inflight) : 0;
		if (n == 0)
			n = e->ops->reap(w->ioctx, nbatch && timeout == 0 ? 0 : 1, inflight,
					 w->events, timeout);
		t = now_ns();
		if (n < 0) {
			log_error("worker %u: reaping completions failed: %s", w->index,
				  strerror(-n));
			__atomic_store_n(&e->failed, 1, __ATOMIC_RELAXED);
			eng_request_stop(e);
			stopping = true;
			n = 0;
		}
		inflight -= (unsigned)n;
		if (!stopping && (t >= e->end_ns || eng_stopping(e)))
			stopping = true;
		for (k = 0; k < n; k++) {
			complete(w, &w->events[k], t);
			if (!stopping && fill_unit(w, w->events[k].u)) {
				w->events[k].u->ts = t;
				w->batch[nbatch++] = w->events[k].u;
			}
		}
	}
	/* Never submitted: give their blocks back for the next run on this map. */
	if (w->verifying)
		for (i = 0; i < nbatch; i++)
			vio_release(&w->vio, w->batch[i]);
	__atomic_store_n(&w->inflight, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&w->kinflight, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* ---- set-up and tear-down ------------------------------------------- */

static void fill_random(void *buf, size_t len, uint64_t seed)
{
	uint64_t *p = buf, x = seed;
	size_t i;

	for (i = 0; i < len / sizeof(*p); i++)
		p[i] = splitmix64(&x);
}

static void worker_free(struct worker *w)
{
	if (w->abandoned || w->stuck || w->unjoined) {
		/*
		 * io_destroy() would wait for I/O that may never complete, and
		 * the kernel may still write into the buffers: keep both. A
		 * worker left in a submit call uses its units and context
		 * when the call returns. (keep_left_behind() keeps them
		 * reachable.)
		 */
		hist_free(&w->dir[0].hist);
		hist_free(&w->dir[1].hist);
		return;
	}
	if (w->ioctx)
		w->eng->ops->teardown(w->ioctx);
	hist_free(&w->dir[0].hist);
	hist_free(&w->dir[1].hist);
	free(w->units);
	free(w->bufs);
	free(w->read_pool);
	free(w->batch);
	free(w->events);
}

/*
 * io_setup failed with EAGAIN: the system-wide AIO limit. Each context
 * reserves its depth in fs.aio-nr (kernels since 4.12); the run needs its
 * whole depth on top of what other processes hold.
 */
static int aio_limit_hint(const struct engine *e, unsigned depth)
{
	unsigned long max = env_read_ulong("/proc/sys/fs/aio-max-nr");
	unsigned long used = env_read_ulong("/proc/sys/fs/aio-nr");
	unsigned long need = used + (unsigned long)job_total_depth(e->job);

	log_error("io_setup(%u) failed: fs.aio-max-nr = %lu is too small (in use: %lu, this run "
		  "needs %llu more: sysctl -w fs.aio-max-nr=%lu, or lower --ops/--iodepth)",
		  depth, max, used, (unsigned long long)job_total_depth(e->job),
		  need > max ? need : max + 1);
	return EXIT_RUNTIME;
}

/*
 * A worker's share of job->submit_limit, or 0 when its depth fits. Beyond
 * what a request-based queue holds (nr_requests, the auto limit), an
 * io_submit() call sleeps for each free request and the worker reaps
 * nothing meanwhile; holding the excess in the worker keeps the kernel's
 * part of the queue full and the worker free to reap. At 10000 in flight
 * on the bench's loop device (128 requests, 2 workers) that gave 405k
 * against 364k IOPS, 94% against 84% of depth 128 (medians of 10 A/B
 * runs). The device sees the same queue either way. A rate-limited stream
 * keeps no excess (its I/Os wait for the rate, uncounted), so it has none.
 */
static unsigned worker_kcap(const struct job *job, const struct stream_spec *st,
			    unsigned depth)
{
	unsigned share;

	if (!job->submit_limit || st->rate_iops)
		return 0;
	share = job->submit_limit / job_total_workers(job);
	if (!share)
		share = 1;
	return share < depth ? share : 0;
}

static int worker_setup(struct engine *e, struct worker *w, const struct stream_spec *spec,
			unsigned stream, unsigned index, unsigned global, uint64_t region_off,
			uint64_t region_len)
{
	struct stream_spec sliced = *spec;
	const struct stream_spec *st = &sliced;
	const struct target *t = e->job->target;
	size_t align = t->lbs > 4096 ? t->lbs : 4096;
	uint32_t maxbs = 0;
	unsigned i, depth;
	int err = 0;

	for (i = 0; i < st->nbs; i++)
		if (st->bs[i].bs > maxbs)
			maxbs = st->bs[i].bs;
	w->eng = e;
	w->stream = stream;
	w->index = index;
	w->depth = stream_worker_depth(st, index);
	/*
	 * io_submit() plugs the block queue for the whole call: the device
	 * sees none of the call's I/Os until the last is prepared. One big
	 * call per reap lets a shallow queue run dry meanwhile (at depth 32
	 * on a loop device: 0.8 of the IOPS of 4-I/O calls, medians of 5 A/B
	 * runs); an eighth of the depth per call keeps it fed and still
	 * amortises the system call.
	 */
	w->kcap = worker_kcap(e->job, st, w->depth);
	depth = w->kcap ? w->kcap : w->depth;
	w->submit_slice = depth / SUBMIT_SLICE_DIV ? depth / SUBMIT_SLICE_DIV : 1;
	/* Auto polls only where a sleep is most of the wait and a CPU is left for the device. */
	w->poll = e->job->reap == REAP_POLL ||
		(e->job->reap == REAP_AUTO && w->depth == 1 &&
		 job_total_workers(e->job) < env_online_cpus());
	if (st->rate_iops) {
		w->rate_iops = st->rate_iops / st->workers +
			(index < st->rate_iops % st->workers);
		if (!w->rate_iops)
			w->rate_iops = 1;
	}
	if (e->job->verify_map) {
		/* Disjoint slices: no two workers ever touch one block. */
		sliced.slice_per_worker = true;
		w->verifying = true;
		w->vio = (struct vio){ .map = e->job->verify_map, .seed = e->job->seed,
				       .writer = global };
	}
	gen_init(&w->gen, st, region_off, region_len, index, st->workers, e->job->seed, stream);
	if (w->verifying && w->depth > w->gen.len / e->job->verify_map->block_size / 2) {
		log_error("--verify: worker %u of stream '%s' keeps %u I/Os in flight over only "
			  "%llu blocks (allowed: at most half its blocks; lower --ops/--iodepth "
			  "or use a larger target)", index, st->name, w->depth,
			  (unsigned long long)(w->gen.len / e->job->verify_map->block_size));
		return EXIT_USAGE;
	}
	if (st->one_pass) {
		w->one_pass = true;
		w->pass_left = w->gen.len;
	}
	if (hist_init(&w->dir[0].hist, HIST_BITS_PRECISE) ||
	    hist_init(&w->dir[1].hist, HIST_BITS_PRECISE))
		goto nomem;
	w->units = calloc(w->depth, sizeof(*w->units));
	w->batch = calloc(w->depth, sizeof(*w->batch));
	w->events = calloc(w->depth, sizeof(*w->events));
	if (!w->units || !w->batch || !w->events)
		goto nomem;
	w->buf_size = maxbs;
	if (!w->verifying && w->depth > READ_POOL_BUFS && st->read_pct > 0) {
		if (posix_memalign(&w->read_pool, align, (size_t)READ_POOL_BUFS * maxbs))
			goto nomem;
		fill_random(w->read_pool, (size_t)READ_POOL_BUFS * maxbs, e->job->seed ^ ~index);
	}
	if (!w->read_pool || st->read_pct < 100) {
		if (posix_memalign(&w->bufs, align, (size_t)w->depth * maxbs))
			goto nomem;
		fill_random(w->bufs, (size_t)w->depth * maxbs,
			    e->job->seed ^ ((uint64_t)stream << 32 | index));
	}
	/* With a read pool, fill_unit() picks each I/O's buffer again. */
	for (i = 0; i < w->depth; i++)
		w->units[i].buf = slot_buf(w, i, false);
	w->ioctx = e->ops->setup(w->depth, &err);
	if (!w->ioctx) {
		if (err == EAGAIN && e->ops == &ioeng_libaio)
			return aio_limit_hint(e, w->depth);
		if (err == EPERM && e->ops != &ioeng_libaio)
			log_error("cannot create an %s context: not permitted (the sysctl "
				  "kernel.io_uring_disabled may forbid it; use --engine libaio)",
				  e->ops->name);
		else
			log_error("cannot create an %s context of depth %u: %s", e->ops->name,
				  w->depth, strerror(err));
		return EXIT_RUNTIME;
	}
	return 0;
nomem:
	log_error("out of memory setting up worker %u of stream '%s' (%u x %u bytes)",
		  index, st->name, w->depth, maxbs);
	return EXIT_RUNTIME;
}

/* ---- monitor side --------------------------------------------------- */

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
};

static int monitor_init(struct monitor *m, struct engine *e, struct run_result *res)
{
	unsigned i, d;

	memset(m, 0, sizeof(*m));
	m->e = e;
	m->res = res;
	m->snaps = calloc(e->nworkers, sizeof(*m->snaps));
	if (!m->snaps || hist_init(&m->ival, HIST_BITS_PRECISE) ||
	    hist_init(&m->ival_dir[0], HIST_BITS_PRECISE) ||
	    hist_init(&m->ival_dir[1], HIST_BITS_PRECISE))
		return -1;
	for (i = 0; i < e->nworkers; i++)
		for (d = 0; d < 2; d++) {
			m->snaps[i].buckets[d] = calloc(m->ival.nbuckets, sizeof(uint64_t));
			if (!m->snaps[i].buckets[d])
				return -1;
		}
	return 0;
}

static void monitor_free(struct monitor *m)
{
	unsigned i;

	if (m->snaps)
		for (i = 0; i < m->e->nworkers; i++) {
			free(m->snaps[i].buckets[0]);
			free(m->snaps[i].buckets[1]);
		}
	free(m->snaps);
	hist_free(&m->ival);
	hist_free(&m->ival_dir[0]);
	hist_free(&m->ival_dir[1]);
}

static int append_interval(struct run_result *r, const struct interval_sample *s)
{
	if (r->nintervals == r->intervals_cap) {
		size_t cap = r->intervals_cap ? r->intervals_cap * 2 : 64;
		struct interval_sample *n = realloc(r->intervals, cap * sizeof(*n));

		if (!n)
			return -1;
		r->intervals = n;
		r->intervals_cap = cap;
	}
	r->intervals[r->nintervals++] = *s;
	return 0;
}

/*
 * Difference of every worker's counters since the last boundary, as an
 * interval ending at t; with extend, added to the last interval recorded
 * instead (a remainder too short to be a sample of its own: a few I/Os
 * over a millisecond would read as a burst of thousands per second).
 */
static void monitor_interval(struct monitor *m, uint64_t t, bool extend)
{
	struct engine *e = m->e;
	struct interval_sample s = { 0 };
	uint64_t from = m->last_ival_ns;
	unsigned i, d;
	uint32_t b;

	if (extend && m->res->nintervals) {
		const struct interval_sample *last = &m->res->intervals[m->res->nintervals - 1];

		/* ival_dir still holds the last interval's latencies: add to them. */
		s.read_ops = last->read_ops;
		s.write_ops = last->write_ops;
		s.read_bytes = last->read_bytes;
		s.write_bytes = last->write_bytes;
		s.errors = last->errors;
		from = m->prev_ival_ns;
		m->res->nintervals--;
	} else {
		hist_reset(&m->ival_dir[0]);
		hist_reset(&m->ival_dir[1]);
	}
	for (i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];
		struct snapshot *sn = &m->snaps[i];
		uint64_t errs = counter_read(&w->errs.io) + counter_read(&w->errs.short_io);

		for (d = 0; d < 2; d++) {
			uint64_t ops = counter_read(&w->dir[d].ops);
			uint64_t bytes = counter_read(&w->dir[d].bytes);

			if (d == DIR_READ) {
				s.read_ops += ops - sn->ops[d];
				s.read_bytes += bytes - sn->bytes[d];
			} else {
				s.write_ops += ops - sn->ops[d];
				s.write_bytes += bytes - sn->bytes[d];
			}
			sn->ops[d] = ops;
			sn->bytes[d] = bytes;
			for (b = 0; b < m->ival.nbuckets; b++) {
				uint64_t c = counter_read(&w->dir[d].hist.buckets[b]);

				if (c != sn->buckets[d][b]) {
					struct hist *h = &m->ival_dir[d];
					uint64_t lo, width, n = c - sn->buckets[d][b];

					/* Interval sums from bucket midpoints: exact enough for a mean. */
					hist_bucket_range(h, b, &lo, &width);
					h->buckets[b] += n;
					h->count += n;
					h->sum += n * (lo + (width - 1) / 2);
					sn->buckets[d][b] = c;
				}
			}
		}
		s.errors += errs - sn->errors;
		sn->errors = errs;
	}
	/* min/max are unknown for an interval: bound by the bucket range. */
	hist_reset(&m->ival);
	for (d = 0; d < 2; d++) {
		struct hist *h = &m->ival_dir[d];

		h->min = 0;
		h->max = UINT64_MAX;
		s.lat[d].mean_ns = hist_mean(h);
		s.lat[d].p50_ns = hist_percentile(h, 50.0);
		s.lat[d].p99_ns = hist_percentile(h, 99.0);
		s.lat[d].p999_ns = hist_percentile(h, 99.9);
		hist_merge(&m->ival, h);
	}
	m->ival.min = 0;
	m->ival.max = UINT64_MAX;
	s.p99_ns = hist_percentile(&m->ival, 99.0);
	s.t_s = (double)(t - e->ramp_end_ns) / 1e9;
	s.len_s = (double)(t - from) / 1e9;
	m->prev_ival_ns = from;
	m->last_ival_ns = t;
	if (append_interval(m->res, &s))
		log_warn("out of memory for the time series; interval dropped");
}

static void sample_inflight(struct monitor *m)
{
	struct engine *e = m->e;
	uint64_t sum = 0, ksum = 0;
	unsigned i;

	for (i = 0; i < e->nworkers; i++) {
		sum += __atomic_load_n(&e->workers[i].inflight, __ATOMIC_RELAXED);
		ksum += __atomic_load_n(&e->workers[i].kinflight, __ATOMIC_RELAXED);
	}
	m->inflight_sum += (double)sum;
	m->kinflight_sum += (double)ksum;
	m->inflight_samples++;
	if (sum > m->res->conc.inflight_max)
		m->res->conc.inflight_max = sum;
	if (ksum > m->res->conc.kernel_inflight_max)
		m->res->conc.kernel_inflight_max = ksum;
}

static void draw_progress(struct monitor *m, uint64_t t)
{
	struct engine *e = m->e;
	const struct interval_sample *s = m->res->nintervals ?
		&m->res->intervals[m->res->nintervals - 1] : NULL;
	double elapsed = (double)(t - e->start_ns) / 1e9;
	double left = t < e->end_ns ? (double)(e->end_ns - t) / 1e9 : 0;
	char r[16] = "-", w[16] = "-";
	double mbs = 0, p99 = 0;

	if (s && s->len_s > 0) {
		format_count((double)s->read_ops / s->len_s, r, sizeof(r));
		format_count((double)s->write_ops / s->len_s, w, sizeof(w));
		mbs = (double)(s->read_bytes + s->write_bytes) / s->len_s / 1e6;
		p99 = (double)s->p99_ns / 1e3;
	}
	fprintf(stderr, "\r\033[K%s [%4.0fs ETA %4.0fs]%s IOPS r=%s w=%s  %.1f MB/s  p99 %.0f us",
		e->job->label ? e->job->label : "", elapsed, left,
		t < e->ramp_end_ns ? " ramp" : "", r, w, mbs, p99);
	fflush(stderr);
	m->drew_progress = true;
}

/* Every worker has ended, or was left behind in a submit call. */
static bool all_done(const struct engine *e)
{
	unsigned i;

	for (i = 0; i < e->nworkers; i++)
		if (!e->workers[i].stuck &&
		    !__atomic_load_n(&e->workers[i].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

/*
 * The hard stop's last step: a worker still inside a submit call a second
 * after its I/O was abandoned is asleep in the kernel, maybe for good (no
 * signal wakes an uninterruptible sleep). Take it over: the exchange
 * succeeds only while it is in the call, and then its results are final
 * (its release store before the call orders all it wrote) and it ends
 * without touching them when the call returns. What it had in the
 * kernel, and the call's own I/Os, count as abandoned.
 */
static void leave_stuck(struct engine *e)
{
	unsigned i;

	for (i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];
		int was = W_IN_SUBMIT;

		if (w->stuck || !w->started || __atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
			continue;
		if (__atomic_compare_exchange_n(&w->sstate, &was, W_LEFT, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			w->stuck = true;
			w->abandoned = w->sub_pending;
		}
	}
}

/* The end of the measured period as far as it is known: the duration's, or the stop's. */
static uint64_t stop_point(struct engine *e)
{
	uint64_t s = __atomic_load_n(&e->stop_ns, __ATOMIC_RELAXED);

	return s && s < e->end_ns ? s : e->end_ns;
}

/*
 * Workers wait for completions with no timeout: once the run is over, a
 * worker whose I/O never completes is interrupted by a signal. Sent every
 * monitor tick until all are done, so one that arrives just before a
 * worker goes back to sleep is followed by another.
 */
static void wake_workers(const struct engine *e)
{
	unsigned i;

	for (i = 0; i < e->nworkers; i++)
		if (e->workers[i].started && !e->workers[i].stuck &&
		    !__atomic_load_n(&e->workers[i].done, __ATOMIC_ACQUIRE))
			signals_wake_thread(e->workers[i].thread);
}

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;

	return m < c ? m : c;
}

static void monitor_loop(struct monitor *m)
{
	struct engine *e = m->e;
	const struct job *job = e->job;
	uint64_t next_sample = e->start_ns + SAMPLE_PERIOD_NS;
	uint64_t next_ival = e->ramp_end_ns + job->interval_ns;
	uint64_t next_progress = e->start_ns + PROGRESS_PERIOD_NS;

	uint64_t abandon_at = UINT64_MAX, leave_at = UINT64_MAX;

	m->last_ival_ns = m->prev_ival_ns = e->ramp_end_ns;
	while (!all_done(e)) {
		uint64_t t;
		int sig;

		sleep_until_ns(min3(next_sample, next_ival,
				    job->progress ? next_progress : UINT64_MAX));
		t = now_ns();
		/*
		 * The hard stop: a device that never completes I/O must not
		 * hang the tool. At --timeout the run stops and in-flight I/O
		 * gets a second to finish; after any other stop it gets the
		 * drain grace. Then the workers leave it in flight, and a
		 * second later those still inside a submit call are left.
		 */
		if (job->timeout_ns && !m->res->timed_out && t >= e->start_ns + job->timeout_ns) {
			m->res->timed_out = true;
			eng_request_stop(e);
			if (abandon_at > t + HARDSTOP_DRAIN_NS) {
				abandon_at = t + HARDSTOP_DRAIN_NS;
				m->abandon_why = ABANDON_TIMEOUT;
			}
		}
		if (abandon_at == UINT64_MAX && job->drain_grace_ns &&
		    (eng_stopping(e) || t >= e->end_ns)) {
			abandon_at = t + job->drain_grace_ns;
			m->abandon_why = ABANDON_DRAIN_GRACE;
		}
		if (t >= abandon_at && !__atomic_load_n(&e->abandon, __ATOMIC_RELAXED)) {
			eng_request_stop(e);
			__atomic_store_n(&e->abandon, 1, __ATOMIC_RELAXED);
			leave_at = t + HARDSTOP_STUCK_NS;
		}
		if (t >= leave_at)
			leave_stuck(e);
		sig = signals_pending();
		if (sig && !m->res->signal) {
			m->res->signal = sig;
			eng_request_stop(e);
		}
		if (eng_stopping(e) || t >= e->end_ns)
			wake_workers(e);
		if (t >= next_sample) {
			if (t >= e->ramp_end_ns && !eng_stopping(e) && t < e->end_ns)
				sample_inflight(m);
			next_sample = t + SAMPLE_PERIOD_NS;
		}
		/*
		 * Once past the stop (the end of --duration included), the last
		 * interval, recorded after the drain, takes what is left: it
		 * ends where the measured period does.
		 */
		if (t >= next_ival && t > stop_point(e)) {
			next_ival = UINT64_MAX;
		} else if (t >= next_ival) {
			monitor_interval(m, t, false);
			/* A late wake-up does not make up the missed boundaries. */
			next_ival += job->interval_ns;
			if (next_ival <= t)
				next_ival = t + job->interval_ns;
			if (job->on_interval)
				job->on_interval(job->on_interval_arg, m->res);
		}
		if (job->progress && t >= next_progress) {
			draw_progress(m, t);
			next_progress = t + PROGRESS_PERIOD_NS;
		}
	}
}

/* ---- the run -------------------------------------------------------- */

/*
 * The end of the measured period: the end of --duration, or the stop when
 * one came first (a signal, --timeout, errors), or for a one-pass run the
 * end of its pass; extended to the last completion counted, so that the
 * I/O drained after a stop counts over the time it took. IOPS and
 * bandwidth are per second of this period, not of the time until the
 * last completion: a rate-limited run that finishes its last I/O early
 * still measured its whole duration.
 */
static uint64_t measured_end(struct engine *e)
{
	uint64_t last = 0, end;
	bool pass_over = true;
	unsigned i;

	for (i = 0; i < e->nworkers; i++) {
		const struct worker *w = &e->workers[i];

		if (w->last_done_ns > last)
			last = w->last_done_ns;
		pass_over &= w->one_pass && w->exhausted;
	}
	end = stop_point(e);
	if (pass_over || last > end)
		end = last;
	return end;
}

/* What was left behind, for the result. */
static void record_left_behind(struct engine *e, struct run_result *res,
			       const struct monitor *m)
{
	unsigned i;

	for (i = 0; i < e->nworkers; i++) {
		const struct worker *w = &e->workers[i];
		struct stuck_worker *sw;

		if (!w->stuck && !w->unjoined)
			continue;
		res->stuck_workers++;
		if (res->nstuck == STUCK_LIST_MAX)
			continue;
		sw = &res->stuck[res->nstuck++];
		sw->worker = i;
		snprintf(sw->stream, sizeof(sw->stream), "%s", e->job->streams[w->stream].name);
		sw->where = w->stuck ? STUCK_IN_SUBMIT : STUCK_IN_EXIT;
		sw->abandoned_ios = w->abandoned;
	}
	if (res->abandoned_ios || res->stuck_workers)
		res->abandoned_after = m->abandon_why;
}

static void merge_results(struct engine *e, struct run_result *res, const struct monitor *m,
			  uint64_t end)
{
	uint64_t limit = 0;
	bool capped = false;
	unsigned i, d;

	res->conc.workers = e->nworkers;
	res->conc.inflight_target = job_total_depth(e->job);
	res->conc.inflight_mean = m->inflight_samples ?
		m->inflight_sum / (double)m->inflight_samples : 0;
	res->conc.kernel_inflight_mean = m->inflight_samples ?
		m->kinflight_sum / (double)m->inflight_samples : 0;
	for (i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];
		struct stream_result *sr = &res->streams[w->stream];

		if (w->kcap)
			capped = true;
		limit += w->kcap ? w->kcap : w->depth;

		if (w->depth > res->conc.iodepth_per_worker)
			res->conc.iodepth_per_worker = w->depth;
		sr->workers++;
		if (w->depth > sr->iodepth)
			sr->iodepth = w->depth;
		for (d = 0; d < 2; d++) {
			sr->dir[d].ops += w->dir[d].ops;
			sr->dir[d].bytes += w->dir[d].bytes;
			hist_merge(&sr->dir[d].hist, &w->dir[d].hist);
			res->dir[d].ops += w->dir[d].ops;
			res->dir[d].bytes += w->dir[d].bytes;
			hist_merge(&res->dir[d].hist, &w->dir[d].hist);
		}
		err_stats_merge(&sr->errors, &w->errs);
		verify_stats_merge(&res->verify, &w->vio.st);
		err_stats_merge(&res->errors, &w->errs);
		res->ramp_ops += w->ramp_ops;
		res->abandoned_ios += w->abandoned;
	}
	res->conc.submit_limit = capped ? limit : 0;
	for (i = 0; i < e->job->nstreams; i++)
		snprintf(res->streams[i].name, sizeof(res->streams[i].name), "%s",
			 e->job->streams[i].name);
	res->duration_s = end > e->ramp_end_ns ? (double)(end - e->ramp_end_ns) / 1e9 : 0;
	record_left_behind(e, res, m);
	res->error_stop = e->error_stop;
	if (e->job->verify_map) {
		res->verify_enabled = true;
		res->verify_block_size = e->job->verify_map->block_size;
	}
	res->complete = true;
}

/* The region a stream covers, resolved against the target and its block sizes. */
static void stream_region(const struct stream_spec *st, const struct target *t,
			  uint64_t *off, uint64_t *len)
{
	*off = st->span_off;
	*len = st->span_len ? st->span_len : t->size - st->span_off;
	if (*off + *len > t->size)
		*len = *off < t->size ? t->size - *off : 0;
}

static int validate_job(const struct job *job)
{
	const struct target *t = job->target;
	unsigned i, j;

	for (i = 0; i < job->nstreams; i++) {
		const struct stream_spec *st = &job->streams[i];
		uint64_t off, len;

		stream_region(st, t, &off, &len);
		if (!st->workers || (!st->iodepth && !st->total_depth) || !st->nbs) {
			log_error("stream '%s' has no workers, depth or block size", st->name);
			return EXIT_USAGE;
		}
		if (st->total_depth && st->total_depth < st->workers) {
			log_error("stream '%s': %llu I/Os in flight cannot feed %u workers",
				  st->name, (unsigned long long)st->total_depth, st->workers);
			return EXIT_USAGE;
		}
		for (j = 0; j < st->nbs; j++) {
			uint32_t bs = st->bs[j].bs;
			uint64_t need = bs * (st->slice_per_worker ? st->workers : 1);

			if (!bs || bs % t->lbs) {
				log_error("block size %u is not a multiple of the target's "
					  "logical block size %u", bs, t->lbs);
				return EXIT_USAGE;
			}
			if (len < need || off % t->lbs) {
				log_error("stream '%s': the target region (%llu bytes) is too "
					  "small for %u-byte blocks", st->name,
					  (unsigned long long)len, bs);
				return EXIT_USAGE;
			}
		}
	}
	return 0;
}

/*
 * --cpus: worker k runs on the (k mod n)-th listed CPU. The calling thread
 * moves to that CPU while it sets the worker up, so the pages of the
 * worker's buffers are first touched, and on a NUMA machine allocated,
 * next to the CPU that will use them.
 */
static cpu_set_t one_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return set;
}

static int pin_self(int cpu)
{
	cpu_set_t set = one_cpu(cpu);
	int rc;

	rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (rc)
		log_error("cannot move to CPU %d (--cpus): %s", cpu, strerror(rc));
	return rc ? EXIT_RUNTIME : 0;
}

static int start_worker(struct worker *w, unsigned global)
{
	pthread_attr_t attr;
	char name[16];
	int rc;

	rc = pthread_attr_init(&attr);
	if (rc)
		return rc;
	if (w->cpu >= 0) {
		cpu_set_t set = one_cpu(w->cpu);

		rc = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	if (!rc)
		rc = pthread_create(&w->thread, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	if (!rc) {
		/* Shown by top -H, ps -L and perf; the kernel keeps 15 bytes. */
		snprintf(name, sizeof(name), "dmrb-w%u", global % 100000000);
		pthread_setname_np(w->thread, name);
	}
	return rc;
}

/*
 * An engine whose workers were left behind in the kernel stays allocated:
 * a worker left in a submit call goes on with its units, context and
 * state word when the call returns, and the kernel may still write into
 * abandoned buffers. Kept on a list so that leak checkers see it as
 * reachable; the process ends soon after such a run.
 */
static struct engine *left_behind;
static pthread_mutex_t left_behind_lock = PTHREAD_MUTEX_INITIALIZER;

static void keep_left_behind(struct engine *e)
{
	pthread_mutex_lock(&left_behind_lock);
	e->next_left = left_behind;
	left_behind = e;
	pthread_mutex_unlock(&left_behind_lock);
}

/*
 * Join the workers that ended. A thread can end its work yet not finish
 * exiting: with io_uring, the kernel's exit of the thread waits for the
 * ring's async workers, which a frozen filesystem holds. Its results are
 * final (it stored done with release); after HARDSTOP_JOIN_NS it is left
 * behind. Those left in a submit call are never joined. Returns true when
 * a thread was left behind (detached then: nothing will join it).
 */
static bool join_workers(struct engine *e)
{
	struct timespec ts;
	bool left = false;
	unsigned i;

	/*
	 * pthread_timedjoin_np counts on CLOCK_REALTIME; the monotonic
	 * pthread_clockjoin_np would do better, but ThreadSanitizer does not
	 * see it and calls every thread joined that way leaked.
	 */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(HARDSTOP_JOIN_NS / NSEC_PER_SEC);
	ts.tv_nsec += (long)(HARDSTOP_JOIN_NS % NSEC_PER_SEC);
	if (ts.tv_nsec >= (long)NSEC_PER_SEC) {
		ts.tv_sec++;
		ts.tv_nsec -= (long)NSEC_PER_SEC;
	}
	for (i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];

		if (!w->started)
			continue;
		if (!w->stuck && pthread_timedjoin_np(w->thread, NULL, &ts) == 0)
			continue;
		if (!w->stuck)
			w->unjoined = true;
		pthread_detach(w->thread);
		left = true;
	}
	return left;
}

/* left: a thread was left behind (see join_workers). */
static void engine_free(struct engine *e, bool left)
{
	bool keep = left;
	unsigned i;

	for (i = 0; i < e->nworkers; i++) {
		keep |= e->workers[i].abandoned != 0;  /* its buffers stay: see worker_free */
		worker_free(&e->workers[i]);
	}
	if (left)
		supervise_threads_left();
	if (keep) {
		keep_left_behind(e);
		return;
	}
	free(e->workers);
	free(e);
}

int engine_run(const struct job *job, struct run_result *res)
{
	struct engine *e;
	struct monitor m = { 0 };
	unsigned s, i, k = 0;
	cpu_set_t home;
	bool moved = false;            /* this thread is away from home (--cpus) */
	bool left = false;             /* workers left behind: keep the engine */
	int rc;

	rc = validate_job(job);
	if (rc)
		return rc;
	/* On the heap: a worker left behind may still look at it. */
	e = calloc(1, sizeof(*e));
	if (!e) {
		log_error("out of memory for the engine");
		return EXIT_RUNTIME;
	}
	e->job = job;
	e->ops = job->ioeng ? job->ioeng : &ioeng_libaio;
	e->fd = job->target->fd;
	e->max_errors = job->max_errors;
	e->nworkers = job_total_workers(job);
	e->workers = aligned_alloc(64, sizeof(*e->workers) * e->nworkers);
	if (!e->workers) {
		log_error("out of memory for %u workers", e->nworkers);
		free(e);
		return EXIT_RUNTIME;
	}
	memset(e->workers, 0, sizeof(*e->workers) * e->nworkers);
	if (job->ncpus && (rc = pthread_getaffinity_np(pthread_self(), sizeof(home), &home))) {
		log_error("cannot read the CPU affinity (--cpus): %s", strerror(rc));
		free(e->workers);
		free(e);
		return EXIT_RUNTIME;
	}
	for (s = 0; s < job->nstreams; s++) {
		const struct stream_spec *st = &job->streams[s];
		uint64_t off, len;

		stream_region(st, job->target, &off, &len);
		for (i = 0; i < st->workers; i++, k++) {
			e->workers[k].cpu = job->ncpus ? job->cpus[k % job->ncpus] : -1;
			rc = e->workers[k].cpu >= 0 ? pin_self(e->workers[k].cpu) : 0;
			moved |= e->workers[k].cpu >= 0;
			if (!rc)
				rc = worker_setup(e, &e->workers[k], st, s, i, k, off, len);
			if (rc) {
				e->nworkers = k + 1;
				goto out_free;
			}
		}
	}
	if (moved && (rc = pthread_setaffinity_np(pthread_self(), sizeof(home), &home))) {
		log_error("cannot restore the CPU affinity (--cpus): %s", strerror(rc));
		rc = EXIT_RUNTIME;
		goto out_free;
	}
	moved = false;
	if (monitor_init(&m, e, res)) {
		log_error("out of memory for the monitor");
		rc = EXIT_RUNTIME;
		goto out_free;
	}
	pthread_mutex_init(&e->gate_lock, NULL);
	pthread_cond_init(&e->gate_cond, NULL);
	{
		sigset_t stops, old;

		signals_wake_install();
		/* Workers inherit a mask with the stop signals blocked. */
		sigemptyset(&stops);
		sigaddset(&stops, SIGINT);
		sigaddset(&stops, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &stops, &old);
		for (i = 0; i < e->nworkers; i++) {
			rc = start_worker(&e->workers[i], i);
			if (rc) {
				log_error("cannot start worker thread %u: %s", i, strerror(rc));
				rc = EXIT_RUNTIME;
				break;
			}
			e->workers[i].started = true;
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (job->on_start)
		job->on_start(job->on_start_arg, rc != 0);
	e->start_ns = now_ns();
	e->ramp_end_ns = e->start_ns + job->ramp_ns;
	e->end_ns = e->ramp_end_ns + job->duration_ns;
	if (rc || signals_pending())
		eng_request_stop(e);
	/* --timeout counts from here: so does the supervisor's deadline. */
	supervise_part_started();
	pthread_mutex_lock(&e->gate_lock);
	e->gate_open = true;
	pthread_cond_broadcast(&e->gate_cond);
	pthread_mutex_unlock(&e->gate_lock);
	if (!rc) {
		monitor_loop(&m);
		rc = 0;
	}
	left = join_workers(e);
	if (rc == 0 && e->failed)
		rc = EXIT_RUNTIME;  /* said why in the worker's own line */
	if (rc == 0) {
		uint64_t end = measured_end(e);

		if (job->progress && m.drew_progress)
			fprintf(stderr, "\r\033[K");
		/*
		 * The last, partial interval (drained I/O included); a sliver
		 * of one joins the interval before it.
		 */
		if (end > e->ramp_end_ns && end > m.last_ival_ns)
			monitor_interval(&m, end, res->nintervals &&
					 end - m.last_ival_ns < job->interval_ns / 100);
		merge_results(e, res, &m, end);
	}
	if (!left) {
		pthread_cond_destroy(&e->gate_cond);
		pthread_mutex_destroy(&e->gate_lock);
	}
out_free:
	if (moved)
		pthread_setaffinity_np(pthread_self(), sizeof(home), &home);
	monitor_free(&m);
	engine_free(e, left);
	return rc;
}
