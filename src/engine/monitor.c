/*
 * The monitor: the thread that called engine_run() while the workers run.
 * It samples the workers' counters with relaxed loads to build the time
 * series and the live line, turns signals into a stop, and carries out
 * the hard stop (dmremap-bench(1), HARD STOP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine/hardstop.h"
#include "result/result_text.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"

#define SAMPLE_PERIOD_NS (10 * NSEC_PER_MSEC)  /* in-flight sampling */
#define PROGRESS_PERIOD_NS (500 * NSEC_PER_MSEC)

int monitor_init(struct monitor *m, struct engine *e, struct run_result *res)
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

void monitor_free(struct monitor *m)
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
 * t == MONITOR_NOW ends the interval when the counters have been read:
 * every I/O it counts completed by then. (A stamp taken before the
 * reading, by a monitor preempted in between, let an interval count the
 * I/Os of 17 ms it did not span: 466 by 1.512 s under a 300 IOPS cap.)
 */
void monitor_interval(struct monitor *m, uint64_t t, bool extend)
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
	if (t == MONITOR_NOW)
		t = now_ns();
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
	char r[16], w[16];

	fprintf(stderr, "\r\033[K%s [%4.0fs ETA %4.0fs]%s", e->job->label ? e->job->label : "",
		elapsed, left, t < e->ramp_end_ns ? " ramp" : "");
	/* The last interval's figures; none before the first ("r=- p99 0 us" looked measured). */
	if (s && s->len_s > 0) {
		format_count((double)s->read_ops / s->len_s, r, sizeof(r));
		format_count((double)s->write_ops / s->len_s, w, sizeof(w));
		fprintf(stderr, " IOPS r=%s w=%s  %.1f MB/s  p99 %.0f us", r, w,
			(double)(s->read_bytes + s->write_bytes) / s->len_s / 1e6,
			(double)s->p99_ns / 1e3);
	} else {
		fprintf(stderr, " figures after the first interval");
	}
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

/* The command's callback for the interval just recorded, which ended at t. */
bool monitor_call_on_interval(struct monitor *m, uint64_t t, bool last, bool replaces)
{
	const struct job *job = m->e->job;
	struct interval_view v = {
		.lat = { &m->ival_dir[0], &m->ival_dir[1] },
		.origin_ns = m->e->ramp_end_ns,
		.end_ns = t,
		.last = last,
		.replaces_last = replaces,
	};

	return job->on_interval(job->on_interval_arg, m->res, &v);
}

void probe_begin(struct monitor *m)
{
	const struct job_probe *p = m->e->job->probe;

	if (p && !m->probing) {
		p->begin(p->arg);
		m->probing = true;
	}
}

void monitor_loop(struct monitor *m)
{
	struct engine *e = m->e;
	const struct job *job = e->job;
	uint64_t next_sample = e->start_ns + SAMPLE_PERIOD_NS;
	uint64_t next_ival = e->ramp_end_ns + job->interval_ns;
	uint64_t next_progress = e->start_ns + PROGRESS_PERIOD_NS;

	uint64_t abandon_at = UINT64_MAX, leave_at = UINT64_MAX;

	m->last_ival_ns = m->prev_ival_ns = e->ramp_end_ns;
	while (!all_done(e)) {
		uint64_t t, wake;
		int sig;

		wake = min3(next_sample, next_ival, job->progress ? next_progress : UINT64_MAX);
		/* The probe's window starts at the end of the ramp, not at the next tick. */
		if (job->probe && !m->probing && e->ramp_end_ns < wake)
			wake = e->ramp_end_ns;
		sleep_until_ns(wake);
		t = now_ns();
		if (t >= e->ramp_end_ns && !eng_stopping(e))
			probe_begin(m);
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
			if (t >= e->ramp_end_ns && !eng_stopping(e) && t < e->end_ns) {
				sample_inflight(m);
				if (m->probing && job->probe->sample)
					job->probe->sample(job->probe->arg);
			}
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
			monitor_interval(m, MONITOR_NOW, false);
			t = m->last_ival_ns;
			/* A late wake-up does not make up the missed boundaries. */
			next_ival += job->interval_ns;
			if (next_ival <= t)
				next_ival = t + job->interval_ns;
			if (job->on_interval && monitor_call_on_interval(m, t, false, false))
				eng_request_stop(e);
		}
		if (job->progress && t >= next_progress) {
			draw_progress(m, t);
			next_progress = t + PROGRESS_PERIOD_NS;
		}
	}
}
