/*
 * The worker pool. Each worker owns an I/O context, its buffers, its
 * generator and its histograms; the hot loop (pick, submit, reap,
 * timestamp, record) allocates nothing and takes no lock. The monitor
 * (monitor.c, the calling thread) watches them while they run.
 */
#include "engine/engine.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine_int.h"
#include "engine/gen.h"
#include "engine/hardstop.h"
#include "engine/ioengine.h"
#include "engine/verify_io.h"
#include "run/supervise.h"
#include "target/target.h"
#include "util/env.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"

#define REAP_TIMEOUT_NS (20 * NSEC_PER_MSEC)   /* longest rate-limited wait */
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
/*
 * Discards run on a helper thread (discard.h). While some are in flight
 * along with other I/O, a worker's wait for the kernel's completions is
 * cut to this, so that a finished discard's slot is refilled soon; its
 * latency is the helper's own timestamp, exact either way. With only
 * discards in flight the worker waits on the helper itself.
 */
#define DISCARD_POLL_NS (200 * NSEC_PER_USEC)
#define DISCARD_WAIT_NS (20 * NSEC_PER_MSEC)
/*
 * Open loop: arrivals that fell due longer ago than this and are still
 * waiting for a free slot are dropped (counted in late.dropped): the
 * backlog of a stream whose arrivals outrun the device is one second of
 * arrivals, however long the device stalls.
 */
#define OPENLOOP_BACKLOG_NS NSEC_PER_SEC

/* ---- worker side ---------------------------------------------------- */

/* The buffer of slot `slot` for its next I/O: its own, or for a read, one of the pool's. */
static void *slot_buf(const struct worker *w, size_t slot, bool write)
{
	if (w->read_pool && !write)
		return (char *)w->read_pool + slot % READ_POOL_BUFS * w->buf_size;
	return (char *)w->bufs + slot * w->buf_size;
}

/* A flush is due: after flush_every writes, or flush_interval_ns after the last. */
static bool flush_due(const struct worker *w, uint64_t t)
{
	return (w->flush_every && w->writes_since_flush >= w->flush_every) ||
		(w->flush_interval_ns && t >= w->next_flush_ns);
}

/* Pick the unit's next I/O; false when a one-pass worker has covered its region. */
static bool fill_unit(struct worker *w, struct io_unit *u, uint64_t t)
{
	struct io_pick p;

	if (w->one_pass && !w->pass_left) {
		w->exhausted = true;
		return false;
	}
	u->due = 0;
	if (flush_due(w, t)) {
		u->op = IO_FLUSH;
		u->write = false;
		u->off = 0;
		u->len = 0;
		u->full_sync = w->flush_full;
		w->writes_since_flush = 0;
		w->next_flush_ns = t + w->flush_interval_ns;
		return true;
	}
	if (w->trim_then_write && u->op == IO_DISCARD &&
	    (!w->verifying || vio_claim(&w->vio, u))) {
		/* trimwrite: the blocks of a completed discard are written next. */
		u->op = IO_WRITE;
		u->write = true;
		p.len = u->len;
	} else {
		do {
			gen_next(&w->gen, &p);
			u->off = p.off;
			u->len = p.len;
			u->op = p.op;
			u->write = p.op == IO_WRITE;
		} while (w->verifying && !vio_claim(&w->vio, u));
	}
	u->fua = u->write && w->fua;
	if (u->write)
		w->writes_since_flush++;
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
			.write = u->write, .op = u->op, .t_ns = t - e->start_ns,
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
	struct dir_result *dr;

	if (w->verifying && u->op != IO_FLUSH) {
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
	dr = &w->dir[u->op];
	counter_add(&dr->ops, 1);
	counter_add(&dr->bytes, u->len);
	hist_record(&dr->hist, t - u->ts);
	if (dr->resp.buckets && u->op != IO_FLUSH) {
		/* Open loop: from when it was due; a flush is no arrival. */
		uint64_t late = u->ts - u->due;

		hist_record(&dr->resp, t - u->due);
		if (late > OPENLOOP_LATE_NS) {
			dr->late.count++;
			dr->late.sum_ns += late;
			if (late > dr->late.max_ns)
				dr->late.max_ns = late;
		}
	}
	w->last_done_ns = t;
}

/* When the next arrival (the next token of the rate limit) falls due. */
static uint64_t rate_next_ns(const struct worker *w)
{
	if (w->poisson)
		return w->next_due;
	return w->eng->start_ns +
		(uint64_t)((unsigned __int128)w->arrivals * NSEC_PER_SEC / w->rate_iops);
}

/* The gap to the next arrival of a Poisson stream: exponential, mean 1/rate. */
static uint64_t poisson_gap(struct worker *w)
{
	/* 53 random bits: u in (0, 1], so the log is finite. */
	double u = (double)((prng_next(&w->arr_rng) >> 11) + 1) * 0x1p-53;

	return (uint64_t)(-log(u) * w->mean_gap_ns);
}

/*
 * Open loop: arrivals due longer than backlog_ns ago with no slot to run
 * them are dropped, so that a device that stalls leaves a bounded backlog
 * behind. No arrival is stored: the backlog is how far the next due time
 * lags behind now. A Poisson stream's count is the expected one.
 */
static void drop_backlog(struct worker *w, uint64_t t)
{
	uint64_t due = rate_next_ns(w), keep_from;

	if (t < w->backlog_ns || due >= t - w->backlog_ns)
		return;
	keep_from = t - w->backlog_ns;
	if (w->poisson) {
		uint64_t n = (uint64_t)((double)(keep_from - due) / w->mean_gap_ns);

		w->dropped += n;
		w->arrivals += n;
		w->next_due = keep_from;
	} else {
		uint64_t n = (uint64_t)((unsigned __int128)(keep_from - w->eng->start_ns) *
					w->rate_iops / NSEC_PER_SEC);

		if (n > w->arrivals) {
			w->dropped += n - w->arrivals;
			w->arrivals = n;
		}
	}
}

/*
 * How many of the prepared units the rate limit or the arrivals let go
 * now. Each unit let go is admitted once, with the time it was due (the
 * front of the batch may hold units admitted before, that a full queue
 * sent back).
 */
static unsigned rate_allowance(struct worker *w, uint64_t t, unsigned want)
{
	unsigned n = 0;

	if (!w->rate_iops)
		return want;
	while (n < want && w->batch[n]->due)
		n++;
	if (w->open_loop)
		drop_backlog(w, t);
	for (; n < want; n++) {
		uint64_t due = rate_next_ns(w);

		if (due > t)
			break;
		w->batch[n]->due = due;
		w->arrivals++;
		if (w->poisson)
			w->next_due += poisson_gap(w);
	}
	return n;
}

/*
 * Hand the front discards of the batch to the discard thread; returns how
 * many (they count as sent: in flight).
 */
static unsigned send_discards(struct worker *w, unsigned from, unsigned go, uint64_t t)
{
	unsigned i = from;

	while (i < go && w->batch[i]->op == IO_DISCARD) {
		w->batch[i]->ts = t;
		discarder_push(w->disc, w->batch[i]);
		i++;
	}
	w->disc_inflight += i - from;
	return i - from;
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

	if (t < w->think_until)
		return 0;  /* thinking: see worker_main */
	go = rate_allowance(w, t, n);
	if (w->kcap) {
		unsigned room = inflight < w->kcap ? w->kcap - inflight : 0;

		if (go > room)
			go = room;
	}
	while (sent < go) {
		unsigned slice = go - sent < w->submit_slice ? go - sent : w->submit_slice;
		int rc;

		if (w->disc) {
			/* Discards go to the helper; the engine gets the run before the next one. */
			sent += send_discards(w, sent, go, t);
			for (i = sent; i < sent + slice && i < go; i++)
				if (w->batch[i]->op == IO_DISCARD)
					break;
			slice = i - sent;
			if (!slice)
				continue;
		}

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
			memmove(w->batch + sent, w->batch + sent + 1,
				(n - sent - 1) * sizeof(*w->batch));
			n--;
			go--;
		}
	}
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
	/* start_ns is set before the gate opens: the first arrival follows it. */
	if (w->poisson)
		w->next_due = e->start_ns + poisson_gap(w);
	if (e->ops->start && (rc = e->ops->start(w->ioctx)) < 0) {
		log_error("worker %u: cannot start its %s context: %s", w->index, e->ops->name,
			  strerror(-rc));
		__atomic_store_n(&e->failed, 1, __ATOMIC_RELAXED);
		eng_request_stop(e);
		stopping = true;
	}

	for (i = 0, t0 = now_ns(); i < w->depth; i++)
		if (fill_unit(w, &w->units[i], t0)) {
			w->units[i].ts = t0;
			w->batch[nbatch++] = &w->units[i];
		}
	for (;;) {
		uint64_t t, timeout = REAP_FOREVER;
		unsigned kin;
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
			/* Only the rate limit or a think time keeps us idle: sleep to the next. */
			uint64_t until = w->rate_iops ? rate_next_ns(w) : 0;

			if (w->think_until > until)
				until = w->think_until;
			if (until)
				sleep_until_ns(until);
			if (now_ns() >= e->end_ns || eng_stopping(e))
				stopping = true;
			continue;
		}
		if (nbatch && (w->rate_iops || w->think_ns)) {
			uint64_t cur = now_ns(), due = w->rate_iops ? rate_next_ns(w) : 0;

			if (w->think_until > cur && w->think_until > due)
				due = w->think_until;
			if (due) {
				timeout = due > cur ? due - cur : 0;
				if (timeout > REAP_TIMEOUT_NS)
					timeout = REAP_TIMEOUT_NS;
			}
		}
		n = 0;
		kin = inflight - w->disc_inflight;
		if (w->disc_inflight) {
			/* Only discards in flight: wait for the helper (a signal ends it too). */
			n = (int)discarder_reap(w->disc, w->events, w->disc_inflight,
						kin ? 0 : timeout < DISCARD_WAIT_NS ? timeout :
						DISCARD_WAIT_NS);
			if (timeout > DISCARD_POLL_NS)
				timeout = DISCARD_POLL_NS;
		}
		if (n == 0 && kin) {
			n = w->poll && timeout == REAP_FOREVER ? poll_completions(w, kin) : 0;
			if (n == 0)
				n = e->ops->reap(w->ioctx, nbatch && timeout == 0 ? 0 : 1, kin,
						 w->events, timeout);
		}
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
			struct io_unit *u = w->events[k].u;

			if (u->op == IO_DISCARD) {
				/* Timed by the discard thread. */
				w->disc_inflight--;
				complete(w, &w->events[k], u->t_done);
			} else {
				complete(w, &w->events[k], t);
			}
			if (!stopping && fill_unit(w, u, t)) {
				u->ts = t;
				w->batch[nbatch++] = u;
			}
		}
		/* thinktime: the successors of these completions wait this long. */
		if (w->think_ns && n > 0)
			w->think_until = t + w->think_ns;
	}
	/* Never submitted: give their blocks back for the next run on this map. */
	if (w->verifying)
		for (i = 0; i < nbatch; i++)
			if (w->batch[i]->op != IO_FLUSH)
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

static void worker_free_hists(struct worker *w)
{
	unsigned d;

	for (d = 0; d < DIR_COUNT; d++)
		dir_result_free(&w->dir[d]);
}

static void worker_free(struct worker *w)
{
	if (w->disc && w->disc->started) {
		/* Set up, never run: the thread waits for requests and ends at once. */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)(HARDSTOP_JOIN_NS / NSEC_PER_SEC);
		if (!discarder_stop(w->disc, &ts))
			w->disc_left = true;
	}
	if (w->disc && !w->disc_left) {
		discarder_free(w->disc);
		free(w->disc);
		w->disc = NULL;
	}
	if (w->abandoned || w->stuck || w->unjoined || w->disc_left) {
		/*
		 * io_destroy() would wait for I/O that may never complete, and
		 * the kernel may still write into the buffers: keep both. A
		 * worker left in a submit call uses its units and context
		 * when the call returns. (keep_left_behind() keeps them
		 * reachable.) A discard thread left in its ioctl holds a unit.
		 */
		worker_free_hists(w);
		return;
	}
	if (w->ioctx)
		w->eng->ops->teardown(w->ioctx);
	worker_free_hists(w);
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
	if (st->arrival != ARRIVAL_CLOSED) {
		w->open_loop = true;
		w->poisson = st->arrival == ARRIVAL_POISSON;
		w->backlog_ns = OPENLOOP_BACKLOG_NS;
		w->mean_gap_ns = (double)NSEC_PER_SEC / (double)w->rate_iops;
		/* Its own stream of numbers: the offsets stay those of the closed loop. */
		prng_seed(&w->arr_rng, e->job->seed ^ 0xa77e5a15ULL, (uint64_t)stream * 65536 + index);
	}
	w->think_ns = st->think_ns;
	w->fua = st->fua;
	w->trim_then_write = st->trim_then_write;
	w->flush_every = st->flush_every;
	w->flush_full = st->flush_full;
	w->flush_interval_ns = st->flush_interval_ns;
	w->next_flush_ns = st->flush_interval_ns ? now_ns() + st->flush_interval_ns : 0;
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
	for (i = 0; i < DIR_COUNT; i++) {
		if (hist_init(&w->dir[i].hist, HIST_BITS_PRECISE))
			goto nomem;
		if (w->open_loop && i != DIR_FLUSH && hist_init(&w->dir[i].resp, HIST_BITS_PRECISE))
			goto nomem;
	}
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
	if (st->discard_pct) {
		w->disc = malloc(sizeof(*w->disc));
		if (!w->disc)
			goto nomem;
		err = discarder_start(w->disc, e->fd, w->depth);
		if (err) {
			free(w->disc);
			w->disc = NULL;
			log_error("cannot start the discard thread of worker %u: %s", index,
				  strerror(err));
			return EXIT_RUNTIME;
		}
	}
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
		for (d = 0; d < DIR_COUNT; d++)
			if (dir_result_add(&sr->dir[d], &w->dir[d]) ||
			    dir_result_add(&res->dir[d], &w->dir[d]))
				log_warn("out of memory for the response-time histograms");
		sr->dropped += w->dropped;
		res->dropped += w->dropped;
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
		if (st->arrival != ARRIVAL_CLOSED && !st->rate_iops) {
			log_error("stream '%s': an open-loop stream needs an arrival rate", st->name);
			return EXIT_USAGE;
		}
		if (st->arrival != ARRIVAL_CLOSED && st->think_ns) {
			log_error("stream '%s': a think time is for closed-loop streams; an "
				  "open-loop stream's arrivals set its pace", st->name);
			return EXIT_USAGE;
		}
		if (st->discard_pct > 100 || st->read_pct > 100) {
			log_error("stream '%s': shares above 100%%", st->name);
			return EXIT_USAGE;
		}
		if (st->discard_pct && job->verify_map && genmap_track_trims(job->verify_map)) {
			log_error("out of memory for the discard map of --verify");
			return EXIT_RUNTIME;
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
	/* A discard thread stuck in its ioctl is left behind as a worker would be. */
	for (i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];

		if (w->disc && !discarder_stop(w->disc, &ts)) {
			w->disc_left = true;
			left = true;
		}
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
	if (!rc && !job->ramp_ns)
		probe_begin(&m);
	pthread_mutex_lock(&e->gate_lock);
	e->gate_open = true;
	pthread_cond_broadcast(&e->gate_cond);
	pthread_mutex_unlock(&e->gate_lock);
	if (!rc) {
		monitor_loop(&m);
		rc = 0;
	}
	left = join_workers(e);
	if (m.probing)
		job->probe->end(job->probe->arg, res);
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
		bool recorded = false, extend = false;

		if (end > e->ramp_end_ns && end > m.last_ival_ns) {
			extend = res->nintervals && end - m.last_ival_ns < job->interval_ns / 100;
			monitor_interval(&m, end, extend);
			recorded = true;
		}
		merge_results(e, res, &m, end);
		/*
		 * The final interval, definitive now (when none was recorded,
		 * the last one is, again); nothing more to stop.
		 */
		if (res->nintervals && job->on_interval)
			monitor_call_on_interval(&m, recorded ? end : m.last_ival_ns, true,
					 !recorded || extend);
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
