#include "run/devices.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/units.h"
#include "engine/engine.h"
#include "result/outliers.h"
#include "result/result_json.h"
#include "result/result_text.h"
#include "run/session_dm.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"

#define PROGRESS_NS (500 * NSEC_PER_MSEC)
#define GATE_POLL_NS (50 * NSEC_PER_MSEC)

int devices_open(struct session *s, const struct target_request *req)
{
	unsigned i, n = s->ndevlist;
	uint64_t size = UINT64_MAX;
	uint32_t lbs = 0;

	s->devs = calloc(n, sizeof(*s->devs));
	s->dev_ro = calloc(n, sizeof(*s->dev_ro));
	if (!s->devs || !s->dev_ro) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	for (i = 0; i < n; i++) {
		struct session *d = &s->devs[i];
		struct run_opts *ro = &s->dev_ro[i];
		struct target_request r = *req;
		int rc;

		/* The device's own options: one target, or one main and its spare. */
		*ro = *s->ro;
		memset(&ro->targets, 0, sizeof(ro->targets));
		memset(&ro->mains, 0, sizeof(ro->mains));
		memset(&ro->spares, 0, sizeof(ro->spares));
		ro->target = s->devlist[i].target;
		ro->dm_main = s->devlist[i].main;
		ro->dm_spare = s->devlist[i].spare;
		d->command = s->command;
		d->ro = ro;
		d->target.fd = -1;
		d->start_ns = s->start_ns;
		s->ndevs = i + 1;        /* session_close releases what is open so far */
		r.path = ro->target;
		rc = session_open_target(d, &r);
		if (rc)
			return rc;
		if (d->target.size < size)
			size = d->target.size;
		if (d->target.lbs > lbs)
			lbs = d->target.lbs;
	}
	/* The template the command builds its jobs on: what every device can take. */
	s->target = s->devs[0].target;
	s->target.fd = -1;
	s->target.size = size;
	s->target.lbs = lbs;
	for (i = 0; i < n; i++)
		if (s->devs[i].target.size != size) {
			char sz[32];

			format_size(size, sz, sizeof(sz));
			log_info("the devices differ in size: the workload covers the first %s of "
				 "each (the smallest)", sz);
			break;
		}
	return 0;
}

int devices_new_part(struct session *s, unsigned nstreams)
{
	unsigned i;

	for (i = 0; i < s->ndevs; i++)
		if (!session_new_part(&s->devs[i], nstreams))
			return -1;
	return 0;
}

/* ---- one run on every device at once -------------------------------------- */

/*
 * The start gate of the devices' engines: each engine arrives from its
 * on_start hook once its workers are ready; the gate opens when all have
 * arrived (or left: an engine that could not start). A stop signal opens
 * it too: the engines then see the signal and stop at once.
 */
struct dev_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned n, arrived;
	bool open;
};

struct dev_ctx {
	struct session *s, *dev;
	struct dev_gate *g;
	struct job job;
	struct run_result *r;
	uint16_t *cpus;
	/*
	 * The device's own cost probe: its device_stats (the device and its
	 * slaves), and the machine's CPU over its window, of which the run
	 * keeps one (devices_take_cpu).
	 */
	struct acct_probe acct;
	struct job_probe probe;
	uint64_t wait_until;         /* --start-at: UTC ns, 0: none */
	uint64_t start_wall;         /* when this device's measured period began */
	int rc;
	bool arrived;
	pthread_t thread;
	bool running;
	int done;
	/* The live line: the last interval, under the lock. */
	pthread_mutex_t *plock;
	struct interval_sample last;
	bool have_last;
};

static void gate_check_open(struct dev_gate *g)
{
	if (!g->open && g->arrived >= g->n) {
		g->open = true;
		pthread_cond_broadcast(&g->cond);
	}
}

static void gate_arrive(struct dev_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->arrived++;
	gate_check_open(g);
	while (!g->open && !signals_pending()) {
		uint64_t t = now_ns() + GATE_POLL_NS;
		struct timespec ts = { .tv_sec = (time_t)(t / NSEC_PER_SEC),
				       .tv_nsec = (long)(t % NSEC_PER_SEC) };

		pthread_cond_timedwait(&g->cond, &g->lock, &ts);
	}
	pthread_mutex_unlock(&g->lock);
}

static void gate_leave(struct dev_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->n--;
	gate_check_open(g);
	pthread_mutex_unlock(&g->lock);
}

/* job.on_start of a device's engine: wait for the others (and --start-at), then go. */
static void dev_on_start(void *arg, bool failed)
{
	struct dev_ctx *c = arg;

	(void)failed;
	c->arrived = true;
	gate_arrive(c->g);
	if (c->wait_until)
		session_wait_wall(c->wait_until);
	c->start_wall = wall_clock_ns();
}

static bool dev_on_interval(void *arg, const struct run_result *partial,
			    const struct interval_view *view)
{
	struct dev_ctx *c = arg;

	(void)view;
	if (!partial->nintervals)
		return false;
	pthread_mutex_lock(c->plock);
	c->last = partial->intervals[partial->nintervals - 1];
	c->have_last = true;
	pthread_mutex_unlock(c->plock);
	return false;
}

static void *dev_thread(void *arg)
{
	struct dev_ctx *c = arg;

	c->rc = engine_run(&c->job, c->r);
	/* An engine that could not start leaves the gate: the others go on. */
	if (!c->arrived)
		gate_leave(c->g);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* The live line over all devices: the sum of their last intervals, the worst p99. */
static void draw_progress(struct dev_ctx *c, unsigned n, const struct job *job, uint64_t t0,
			  uint64_t t)
{
	double r = 0, w = 0, bytes = 0, p99 = 0, el = (double)(t - t0) / 1e9;
	double left = (double)(job->ramp_ns + job->duration_ns) / 1e9 - el;
	char rs[16], ws[16];
	unsigned i;

	pthread_mutex_lock(c[0].plock);
	for (i = 0; i < n; i++) {
		const struct interval_sample *s = &c[i].last;

		if (!c[i].have_last || s->len_s <= 0)
			continue;
		r += (double)s->read_ops / s->len_s;
		w += (double)s->write_ops / s->len_s;
		bytes += (double)(s->read_bytes + s->write_bytes) / s->len_s;
		if ((double)s->p99_ns > p99)
			p99 = (double)s->p99_ns;
	}
	pthread_mutex_unlock(c[0].plock);
	format_count(r, rs, sizeof(rs));
	format_count(w, ws, sizeof(ws));
	fprintf(stderr, "\r\033[K%s, %u devices [%4.0fs ETA %4.0fs] IOPS r=%s w=%s  %.1f MB/s  "
		"worst p99 %.0f us", job->label ? job->label : "", n, el, left > 0 ? left : 0, rs,
		ws, bytes / 1e6, p99 / 1e3);
	fflush(stderr);
}

static bool all_done(const struct dev_ctx *c, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (c[i].running && !__atomic_load_n(&c[i].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

/* --cpus: device d's workers start where device d-1's ended, round robin. */
static uint16_t *rotated_cpus(const struct job *job, unsigned d)
{
	unsigned w = job_total_workers(job), i;
	uint16_t *c;

	if (!job->ncpus)
		return NULL;
	c = calloc(job->ncpus, sizeof(*c));
	if (c)
		for (i = 0; i < job->ncpus; i++)
			c[i] = job->cpus[(i + (size_t)d * w) % job->ncpus];
	return c;
}

static void ctx_init(struct dev_ctx *c, struct session *s, unsigned d, const struct job *job,
		     struct dev_gate *g, pthread_mutex_t *plock, uint64_t timeout)
{
	struct session *dev = &s->devs[d];
	struct part_record *pr = &dev->parts[dev->nparts - 1];

	memset(c, 0, sizeof(*c));
	c->s = s;
	c->dev = dev;
	c->g = g;
	c->plock = plock;
	c->r = part_record_next(pr, NULL);
	c->job = *job;
	c->job.target = &dev->target;
	c->job.timeout_ns = timeout;
	c->job.verify_map = dev->vmap;
	c->job.progress = false;
	c->job.on_interval = dev_on_interval;
	c->job.on_interval_arg = c;
	c->job.on_start = dev_on_start;
	c->job.on_start_arg = c;
	if (!s->ro->submit_limit)
		c->job.submit_limit = session_submit_limit(&dev->target, job_total_workers(job));
	c->cpus = rotated_cpus(job, d);
	if (c->cpus)
		c->job.cpus = c->cpus;
	session_probe_setup(dev, &c->acct, &c->probe, &dev->target);
	c->job.probe = &c->probe;
	/* --start-at: only the session's first engine run waits for it. */
	c->wait_until = s->ro->start_at_ns && !s->start_wall_ns ? s->ro->start_at_ns : 0;
}

/*
 * The CPU figures are the machine's and the process's, not a device's:
 * every device's probe measured the same CPUs over nearly the same window
 * (the start gate opens them together). The run keeps the longest of
 * those windows, so its CPU per I/O is the machine's CPU over all the
 * devices' I/O; the devices keep their device_stats and no CPU, which
 * would be the whole machine's counted against one device's I/O.
 */
static void devices_take_cpu(struct dev_ctx *c, unsigned n, struct run_result *r)
{
	const struct cpu_acct *best = NULL;
	unsigned i;

	for (i = 0; i < n; i++)
		if (!c[i].rc && c[i].r && c[i].r->cpu.window_ns &&
		    (!best || c[i].r->cpu.window_ns > best->window_ns))
			best = &c[i].r->cpu;
	if (best)
		r->cpu = *best;
	for (i = 0; i < n; i++)
		if (c[i].r)
			memset(&c[i].r->cpu, 0, sizeof(c[i].r->cpu));
}

/* Start the devices' threads with the stop signals blocked: the main thread takes them. */
static void start_threads(struct dev_ctx *c, unsigned n, struct dev_gate *g)
{
	sigset_t stops, old;
	unsigned i;
	int err;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	for (i = 0; i < n; i++) {
		if (!c[i].r) {
			c[i].rc = EXIT_RUNTIME;
			log_error("device %u (%s): out of memory for its results", i + 1,
				  c[i].dev->target.path);
			gate_leave(g);
			continue;
		}
		err = pthread_create(&c[i].thread, NULL, dev_thread, &c[i]);
		if (err) {
			c[i].rc = EXIT_RUNTIME;
			log_error("device %u (%s): cannot start its thread: %s", i + 1,
				  c[i].dev->target.path, strerror(err));
			gate_leave(g);
			continue;
		}
		c[i].running = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int devices_run(struct session *s, const struct job *job, struct run_result *r, unsigned run)
{
	unsigned n = s->ndevs, i, ran = 0;
	struct dev_gate g = { .n = n };
	pthread_mutex_t plock = PTHREAD_MUTEX_INITIALIZER;
	pthread_condattr_t ca;
	struct dev_ctx *c = calloc(n, sizeof(*c));
	uint64_t timeout, t0 = now_ns(), next = t0 + PROGRESS_NS, first = 0;
	bool expired, drew = false;
	int rc = 0;

	if (!c) {
		log_error("out of memory for the devices");
		return EXIT_RUNTIME;
	}
	timeout = session_timeout_left(s, &expired);
	if (expired) {
		r->timed_out = true;
		free(c);
		return 0;
	}
	pthread_mutex_init(&g.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g.cond, &ca);
	pthread_condattr_destroy(&ca);
	for (i = 0; i < n; i++)
		ctx_init(&c[i], s, i, job, &g, &plock, timeout);
	start_threads(c, n, &g);
	/* The live line, from here: the devices' monitors only record their last interval. */
	while (!all_done(c, n)) {
		uint64_t t;

		sleep_until_ns(now_ns() + 50 * NSEC_PER_MSEC);
		t = now_ns();
		if (job->progress && t >= next) {
			draw_progress(c, n, job, t0, t);
			drew = true;
			next = t + PROGRESS_NS;
		}
	}
	if (drew)
		fprintf(stderr, "\r\033[K");
	for (i = 0; i < n; i++)
		if (c[i].running)
			pthread_join(c[i].thread, NULL);
	/* Single-threaded again: the dm status after the run, and the results. */
	for (i = 0; i < n; i++) {
		struct session *dev = c[i].dev;

		if (c[i].rc) {
			if (!rc)
				rc = c[i].rc;
			dev->dev_rc = c[i].rc;
			log_error("device %u (%s) could not run (exit status %d); the others' results "
				  "stand", i + 1, dev->target.path, c[i].rc);
			continue;
		}
		sdm_after_run(dev);
		run_result_stamp_wall(c[i].r, c[i].start_wall + job->ramp_ns);
		repeat_stamp_intervals(c[i].r, run);
		dev->parts[dev->nparts - 1].start_ns[run] = c[i].start_wall;
		if (!first || c[i].start_wall < first)
			first = c[i].start_wall;
		if (run_result_merge_parallel(r, c[i].r)) {
			log_error("out of memory for the results");
			rc = EXIT_RUNTIME;
			ran = 0;
			break;
		}
		ran++;
	}
	if (ran)
		devices_take_cpu(c, n, r);
	if (first) {
		s->run_wall_ns = first;
		if (!s->start_wall_ns)
			s->start_wall_ns = first;
	}
	for (i = 0; i < n; i++) {
		acct_probe_reset(&c[i].acct);
		free(c[i].cpus);
	}
	free(c);
	pthread_cond_destroy(&g.cond);
	pthread_mutex_destroy(&g.lock);
	pthread_mutex_destroy(&plock);
	/* One device's failure does not hide the others' results. */
	return ran ? 0 : rc;
}

/* ---- the document and the summary ----------------------------------------- */

static void device_name(const struct session *s, unsigned i, char *buf, size_t len)
{
	snprintf(buf, len, "device %u (%s)", i + 1, s->devs[i].target.path);
}

json_t *devices_json(struct session *s, json_t *merged_results, json_t *runs)
{
	json_t *arr = json_array(), *out;
	const char **names = calloc(s->ndevs, sizeof(*names));
	char (*buf)[PATH_MAX + 32] = calloc(s->ndevs, sizeof(*buf));
	unsigned i;
	size_t k;

	if (!arr || !names || !buf) {
		free(names);
		free(buf);
		return arr;
	}
	for (i = 0; i < s->ndevs; i++) {
		struct session *d = &s->devs[i];
		json_t *res = d->nparts ? repeat_results_json(d->parts, d->nparts, -1, merged_results,
							      s->parts_key) : NULL;
		json_t *node = json_pack("{s:I, s:o*, s:o*}", "index", (json_int_t)i,
					 "target", session_target_json(d), "results", res);

		if (node && d->dev_rc)
			json_object_set_new(node, "failed", json_pack("{s:i, s:s}", "exit_status",
				d->dev_rc, "why", "the device's engine could not run (see stderr)"));
		json_array_append_new(arr, node);
		device_name(s, i, buf[i], sizeof(buf[i]));
		names[i] = buf[i];
	}
	/* Each run of --repeat carries its own devices. */
	for (k = 0; k < json_array_size(runs); k++) {
		json_t *devs = json_array();

		for (i = 0; i < s->ndevs; i++) {
			struct session *d = &s->devs[i];
			json_t *res = d->nparts && k < d->parts[0].nreps ?
				repeat_results_json(d->parts, d->nparts, (int)k, merged_results,
						    s->parts_key) : NULL;

			if (res)
				json_object_del(res, "intervals");
			json_array_append_new(devs, json_pack("{s:I, s:o*}", "index", (json_int_t)i,
							      "results", res));
		}
		json_object_set_new(json_array_get(runs, k), "devices", devs);
	}
	out = outliers_json();
	if (out && s->doc) {
		json_object_set_new(out, "devices", outliers_group_json(arr, names));
		json_object_set_new(s->doc, "outliers", out);
	} else {
		json_decref(out);
	}
	free(names);
	free(buf);
	return arr;
}

static double jnum(json_t *o, const char *path1, const char *path2)
{
	json_t *x = json_object_get(o, path1);

	if (path2)
		x = json_object_get(x, path2);
	return json_number_value(x);
}

/* One row of the devices table from a node's results. */
static void print_row(FILE *f, const char *label, const char *path, json_t *res, json_t *target)
{
	json_t *t = json_object_get(res, "total"), *e = json_object_get(res, "errors");
	json_t *k = json_object_get(target, "kernel_counters_delta");
	char iops[16], p50[16], p99[16], kern[48] = "-";
	double errs = jnum(e, "io", NULL) + jnum(e, "short", NULL) + jnum(e, "verify", NULL);

	format_count(jnum(t, "iops", NULL), iops, sizeof(iops));
	format_ns(jnum(t, "lat_ns", "p50"), p50, sizeof(p50));
	format_ns(jnum(t, "lat_ns", "p99"), p99, sizeof(p99));
	if (json_is_object(k)) {
		/* The kernel's completions against the tool's (the ramp's included). */
		double kio = jnum(k, "reads_completed", NULL) + jnum(k, "writes_completed", NULL);
		double tio = jnum(t, "ops", NULL) + jnum(res, "ramp_ops", NULL);

		snprintf(kern, sizeof(kern), "%.0f %s", kio, kio == tio ? "(=)" : "(differs)");
	}
	fprintf(f, "  %-4s %-24.24s %10s %9.1f %9s %9s %7.0f  %s\n", label, path, iops,
		jnum(t, "bw_bytes_per_s", NULL) / 1e6, p50, p99, errs, kern);
}

void devices_print(FILE *f, const struct session *s)
{
	json_t *devs = json_object_get(s->doc, "devices");
	json_t *out = json_object_get(json_object_get(s->doc, "outliers"), "devices");
	json_t *node;
	char label[24];
	size_t i;

	if (!s->ndevs || !json_is_array(devs))
		return;
	fprintf(f, "devices: %u, the same workload on each, all at once\n", s->ndevs);
	fprintf(f, "  %-4s %-24s %10s %9s %9s %9s %7s  %s\n", "dev", "target", "IOPS", "MB/s",
		"p50", "p99", "errors", "kernel I/Os");
	json_array_foreach(devs, i, node) {
		snprintf(label, sizeof(label), "%zu", i + 1);
		if (json_object_get(node, "failed")) {
			fprintf(f, "  %-4s %-24.24s  could not run (exit status %lld)\n", label,
				s->devs[i].target.path, (long long)json_integer_value(json_object_get(
				json_object_get(node, "failed"), "exit_status")));
			continue;
		}
		print_row(f, label, s->devs[i].target.path, json_object_get(node, "results"),
			  json_object_get(node, "target"));
	}
	print_row(f, "all", "", json_object_get(s->doc, "results"), NULL);
	if (out)
		outliers_print(f, out, "devices", "  ");
}

int devices_close(struct session *s)
{
	unsigned i;
	int rc = 0;

	/* Every target first, then the stacks under them. */
	for (i = 0; i < s->ndevs; i++)
		target_close(&s->devs[i].target);
	for (i = 0; i < s->ndevs; i++)
		if (session_close(&s->devs[i]))
			rc = EXIT_RUNTIME;
	free(s->devs);
	free(s->dev_ro);
	s->devs = NULL;
	s->dev_ro = NULL;
	s->ndevs = 0;
	runopts_devices_free(s->devlist, s->ndevlist);
	s->devlist = NULL;
	s->ndevlist = 0;
	return rc;
}
