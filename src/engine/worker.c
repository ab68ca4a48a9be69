/*
 * The worker's side of the pool: the hot loop (pick, submit, reap,
 * timestamp, record) and what it calls. It allocates nothing and takes no
 * lock; every helper it calls is static here, so the compiler sees the
 * whole loop. The pool that sets workers up, starts, joins and merges them
 * is engine.c.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine/gen.h"
#include "engine/ioengine.h"
#include "engine/verify_io.h"
#include "util/log.h"
#include "util/timeutil.h"

#define REAP_TIMEOUT_NS (20 * NSEC_PER_MSEC)   /* longest rate-limited wait */
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
 * Discards run on a helper thread (discard.h). While some are in flight
 * along with other I/O, a worker's wait for the kernel's completions is
 * cut to this, so that a finished discard's slot is refilled soon; its
 * latency is the helper's own timestamp, exact either way. With only
 * discards in flight the worker waits on the helper itself.
 */
#define DISCARD_POLL_NS (200 * NSEC_PER_USEC)
#define DISCARD_WAIT_NS (20 * NSEC_PER_MSEC)

/* ---- worker side ---------------------------------------------------- */

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

void *worker_main(void *arg)
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
