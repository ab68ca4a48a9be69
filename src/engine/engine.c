/*
 * The worker pool. Each worker owns an I/O context, its buffers, its
 * generator and its histograms; this file sets them up, starts, joins and
 * merges them. Their hot loop (pick, submit, reap, timestamp, record) is
 * worker.c: it allocates nothing and takes no lock. The monitor
 * (monitor.c, the calling thread) watches them while they run.
 */
#include "engine/engine.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define SUBMIT_SLICE_DIV 8                     /* see worker_setup */
/*
 * Open loop: arrivals that fell due longer ago than this and are still
 * waiting for a free slot are dropped (counted in late.dropped): the
 * backlog of a stream whose arrivals outrun the device is one second of
 * arrivals, however long the device stalls.
 */
#define OPENLOOP_BACKLOG_NS NSEC_PER_SEC

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

		/*
		 * An interval ends when the monitor read the counters, which
		 * can be a moment past the stop: the measured period then
		 * ends there, with the series.
		 */
		if (m.last_ival_ns > end)
			end = m.last_ival_ns;
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
