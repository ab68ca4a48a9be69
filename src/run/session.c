/*
 * Opening and running a session (run/session.h): the checks before the
 * run, the target and its probe, the --verify map, the engine runs with
 * --repeat, --start-at and --timeout, and the release at the end. The
 * result it makes is emitted by session_emit.c.
 */
#include "run/session.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cli/units.h"
#include "compare/compare.h"
#include "compare/metrics.h"
#include "result/baseline_store.h"
#include "result/history.h"
#include "engine/engine.h"
#include "engine/hardstop.h"
#include "engine/ioengine.h"
#include "result/output.h"
#include "result/result_json.h"
#include "result/result_text.h"
#include "run/devices.h"
#include "run/reference.h"
#include "run/repeat.h"
#include "run/session_dm.h"
#include "run/supervise.h"
#include "sys/acct.h"
#include "verify/crc32c.h"
#include "verify/genmap.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"

/* The largest power of two dividing every block size, at least the logical block. */
static uint32_t verify_block_size(const uint32_t *bs_list, unsigned nbs, uint32_t lbs)
{
	uint32_t v = 1u << 20;
	unsigned i;

	for (i = 0; i < nbs; i++)
		while (v > 1 && bs_list[i] % v)
			v >>= 1;
	return v < lbs ? lbs : v;
}

static int verify_setup(struct session *s, const uint32_t *bs_list, unsigned nbs)
{
	const struct run_opts *ro = s->ro;
	uint32_t vbs = verify_block_size(bs_list, nbs, s->target.lbs);
	char err[1024];

	if (vbs < 512 || vbs < s->target.lbs) {
		log_error("--verify: block sizes down to %u bytes leave no room for the 64-byte "
			  "verify header (allowed: block sizes of 512 bytes or more)", vbs);
		return EXIT_USAGE;
	}
	crc32c_init();
	if (ro->verify_state)
		snprintf(s->vstate, sizeof(s->vstate), "%s", ro->verify_state);
	else
		genmap_default_path(s->vstate, sizeof(s->vstate), s->target.path, s->target.size,
				    ro->seed);
	/* A default state path is known only now; a given one was checked before the run. */
	if (!ro->verify_state && !ro->verify_only && !s->target.scratch &&
	    !(s->dm && s->dm->automatic)) {
		char why[OUTPUT_WHY_LEN];

		if (output_check(s->vstate, why, sizeof(why))) {
			log_error("--verify: the state file %s", why);
			return EXIT_USAGE;
		}
	}
	s->vmap = calloc(1, sizeof(*s->vmap));
	if (!s->vmap) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	if (ro->verify_only) {
		if (genmap_load(s->vmap, s->vstate, s->target.size, ro->seed, err, sizeof(err))) {
			log_error("--verify-only: %s", err);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (genmap_init(s->vmap, s->target.size, vbs, ro->seed)) {
		log_error("--verify: out of memory for the generation map (%llu blocks of %u)",
			  (unsigned long long)(s->target.size / vbs), vbs);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* Whether compare could read the document (checked before a run starts). */
static bool baseline_comparable(json_t *doc, char *err, size_t len)
{
	struct metric_set ms;

	if (metrics_from_doc(doc, &ms, err, len))
		return false;
	metrics_free(&ms);
	return true;
}

/*
 * Every output the run will write, under the output rule, before anything
 * is created: a refused one is bad input (exit 2).
 */
static int check_outputs(const struct run_opts *ro)
{
	char why[OUTPUT_WHY_LEN];

	if (ro->output && output_check(ro->output, why, sizeof(why))) {
		log_error("--output: %s", why);
		return EXIT_USAGE;
	}
	if (ro->verify && ro->verify_state && output_check(ro->verify_state, why, sizeof(why))) {
		log_error("--verify-state: %s", why);
		return EXIT_USAGE;
	}
	if (ro->save_baseline) {
		char dir[PATH_MAX], path[PATH_MAX + 128];

		baseline_dir(ro->baseline_dir, dir, sizeof(dir));
		baseline_path(dir, ro->save_baseline, path, sizeof(path));
		if (output_check(path, why, sizeof(why))) {
			log_error("--save-baseline: %s", why);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/*
 * A history that will refuse this run's runs says so before the run, as
 * far as the shared options tell (the command's own parameters are
 * checked again when the runs are saved).
 */
static int check_history_joins(const struct run_opts *ro, const char *command)
{
	char dir[PATH_MAX], where[PATH_MAX], err[1024], why[512];
	json_t *old, *params;
	int rc = 0;

	if (!ro->save_baseline)
		return 0;
	baseline_dir(ro->baseline_dir, dir, sizeof(dir));
	baseline_path(dir, ro->save_baseline, where, sizeof(where));
	if (access(where, F_OK))
		return 0;
	old = baseline_load(dir, ro->save_baseline, where, sizeof(where), err, sizeof(err));
	if (!old) {
		log_error("--save-baseline: the stored baseline cannot be read: %s", err);
		return EXIT_USAGE;
	}
	params = runopts_params_json(ro);
	if (params && result_may_join(old, command, params, why, sizeof(why))) {
		log_error("--save-baseline: '%s' holds runs of another workload (%s); another "
			  "name, or 'baseline delete %s' first", ro->save_baseline, why,
			  ro->save_baseline);
		rc = EXIT_USAGE;
	}
	json_decref(params);
	json_decref(old);
	return rc;
}

static void probe_begin_cb(void *arg)
{
	acct_probe_begin(arg);
}

static void probe_sample_cb(void *arg)
{
	acct_probe_sample(arg);
}

static void probe_end_cb(void *arg, struct run_result *res)
{
	acct_probe_end(arg, &res->cpu, &res->devs);
}

void session_probe_setup(struct session *s, struct acct_probe *a, struct job_probe *jp,
			 const struct target *t)
{
	struct stat st;

	acct_probe_init(a);
	a->target_name = t->sysname;
	if (s->dm && s->dm->built) {
		a->main_dev[0] = major(s->dm->stack.main.rdev);
		a->main_dev[1] = minor(s->dm->stack.main.rdev);
		if (s->dm->stack.have_spare) {
			a->spare_dev[0] = major(s->dm->stack.spare.rdev);
			a->spare_dev[1] = minor(s->dm->stack.spare.rdev);
		}
	}
	/* A file: the device its filesystem is on (none for tmpfs). */
	if (t->kind == TARGET_FILE && t->fd >= 0 && fstat(t->fd, &st) == 0 &&
	    major(st.st_dev)) {
		a->fs_dev[0] = major(st.st_dev);
		a->fs_dev[1] = minor(st.st_dev);
	}
	*jp = (struct job_probe){
		.begin = probe_begin_cb, .sample = probe_sample_cb, .end = probe_end_cb, .arg = a,
	};
}

/* Wall clock now to `until`, as a monotonic span (0 when it has passed). */
static uint64_t wall_wait_ns(uint64_t until)
{
	uint64_t now = wall_clock_ns();

	return until > now ? until - now : 0;
}

void session_wait_wall(uint64_t until_ns)
{
	for (;;) {
		uint64_t now = wall_clock_ns(), next = until_ns;
		struct timespec ts;

		if (now >= until_ns || signals_pending())
			return;
		/* Short sleeps: a stop signal ends the wait soon. */
		if (next - now > 100 * NSEC_PER_MSEC)
			next = now + 100 * NSEC_PER_MSEC;
		ts.tv_sec = (time_t)(next / NSEC_PER_SEC);
		ts.tv_nsec = (long)(next % NSEC_PER_SEC);
		clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
	}
}

/*
 * Every engine run calls this at its start gate: the first one waits for
 * --start-at; each records when it began on the wall clock.
 */
void session_on_start(void *arg, bool failed)
{
	struct session *s = arg;

	(void)failed;
	if (s->ro->start_at_ns && !s->start_wall_ns)
		session_wait_wall(s->ro->start_at_ns);
	s->run_wall_ns = wall_clock_ns();
	if (!s->start_wall_ns)
		s->start_wall_ns = s->run_wall_ns;
}

int session_open_target(struct session *s, struct target_request *req)
{
	int rc;

	rc = sdm_prepare(s, req, s->dm_skipped, sizeof(s->dm_skipped));
	if (rc)
		return rc;
	s->treq = *req;
	rc = target_open(&s->target, req);
	if (rc)
		return rc;
	/* The one line that says why the default is no dm-remap stack: only now,
	 * so that a scratch file refused (no O_DIRECT, say) stays one line too. */
	if (s->dm_skipped[0] && s->target.scratch)
		log_info("%s; using a scratch file", s->dm_skipped);
	sdm_opened(s);
	s->have_stat = target_read_blk_stat(&s->target, &s->stat_before) == 0;
	return 0;
}

int session_open(struct session *s, const char *command, struct run_opts *ro,
		 const uint32_t *bs_list, unsigned nbs, uint64_t min_size)
{
	struct target_request req = {
		.path = ro->target,
		.size = ro->size,
		.scratch_dir = ro->scratch_dir,
		.write = runopts_writes(ro) && !ro->verify_only,
		.force = ro->force,
		.bs_list = bs_list,
		.nbs = nbs,
		.min_size = min_size,
	};
	uint64_t wait;
	unsigned i;
	int rc;

	memset(s, 0, sizeof(*s));
	s->command = command;
	s->ro = ro;
	s->target.fd = -1;
	log_set_quiet(ro->quiet);
	if (runopts_validate(ro) || runopts_cpus(ro, &s->cpus) ||
	    runopts_devices(ro, &s->devlist, &s->ndevlist))
		return EXIT_USAGE;
	rc = check_outputs(ro);
	if (!rc)
		rc = check_history_joins(ro, command);
	if (rc)
		return rc;
	if (ro->baseline) {
		char dir[PATH_MAX], err[1024];

		baseline_dir(ro->baseline_dir, dir, sizeof(dir));
		s->baseline = baseline_load(dir, ro->baseline, s->baseline_where,
					    sizeof(s->baseline_where), err, sizeof(err));
		if (!s->baseline) {
			log_error("--baseline: %s", err);
			return EXIT_USAGE;
		}
		if (!baseline_comparable(s->baseline, err, sizeof(err))) {
			/* Refuse before the run, not after it. */
			log_error("--baseline: %s %s", s->baseline_where, err);
			return EXIT_USAGE;
		}
	}
	if (ro->verify_only && !ro->seed_set && ro->verify_state) {
		char err[1024];

		/* The state file knows the seed of the run that wrote it. */
		if (genmap_peek_seed(ro->verify_state, &ro->seed, err, sizeof(err))) {
			log_error("--verify-state: %s", err);
			return EXIT_USAGE;
		}
		ro->seed_set = true;
	}
	runopts_resolve(ro);
	/* Before a scratch file or dm stack exists: nothing is made for a run refused anyway. */
	rc = target_request_check(&req);
	if (rc)
		return rc;
	iso8601_now(s->start_time, sizeof(s->start_time));
	s->open_wall_ns = wall_clock_ns();
	/*
	 * The options hold: from here on a child process does the run, and
	 * this one only supervises it (a stuck device cannot keep the tool).
	 * With --start-at, --timeout counts from the requested start: the
	 * first engine run waits for it (session_on_start).
	 */
	wait = ro->start_at_ns ? wall_wait_ns(ro->start_at_ns) : 0;
	supervise_start(ro->timeout_ns ? ro->timeout_ns + wait : 0);
	s->start_ns = now_ns() + wait;
	if (s->ndevlist >= 2) {
		rc = devices_open(s, &req);
		for (i = 0; !rc && (ro->verify || ro->verify_only) && i < s->ndevs; i++)
			rc = verify_setup(&s->devs[i], bs_list, nbs);
		return rc;
	}
	rc = session_open_target(s, &req);
	if (rc)
		return rc;
	s->acct = calloc(1, sizeof(*s->acct));
	if (!s->acct) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	session_probe_setup(s, s->acct, &s->probe, &s->target);
	rc = reference_open(s, &req);
	if (rc)
		return rc;
	if (ro->verify || ro->verify_only)
		return verify_setup(s, bs_list, nbs);
	return 0;
}

/*
 * What a request-based target holds before submitters wait (0 elsewhere):
 * nr_requests for each hardware queue the workers can reach. A worker
 * submits on its CPU's queue, so W workers reach at most W of them.
 */
unsigned session_submit_limit(const struct target *t, unsigned workers)
{
	unsigned q = t->hw_queues < workers ? t->hw_queues : workers;
	uint64_t n = (uint64_t)t->queue_requests * q;

	return n < UINT32_MAX ? (unsigned)n : 0;
}

void session_job_init(struct session *s, struct job *job, struct stream_spec *streams,
		      unsigned nstreams)
{
	const struct run_opts *ro = s->ro;

	*job = (struct job){
		.target = &s->target,
		.streams = streams,
		.nstreams = nstreams,
		.duration_ns = ro->duration_ns,
		.ramp_ns = ro->ramp_ns,
		.interval_ns = ro->interval_ns,
		.seed = ro->seed,
		.max_errors = ro->max_errors,
		.progress = !ro->quiet && isatty(STDERR_FILENO),
		.verify_map = s->vmap,
		.timeout_ns = ro->timeout_ns,
		.drain_grace_ns = HARDSTOP_DRAIN_GRACE_NS,
		.reap = (enum reap_mode)ro->reap,
		.ioeng = ioeng_find(engine_names[ro->engine]),
		.submit_limit = ro->submit_limit == UINT32_MAX ? 0 : ro->submit_limit,
		.cpus = s->cpus.n ? s->cpus.cpu : NULL,
		.ncpus = s->cpus.n,
		.probe = s->acct ? &s->probe : NULL,
	};
	if (!ro->submit_limit)
		job->submit_limit = session_submit_limit(&s->target, job_total_workers(job));
	job->on_start = session_on_start;
	job->on_start_arg = s;
}

struct verify_only_report {
	struct session *s;
	const struct run_result *res;
};

static void print_verify_only(FILE *f, void *arg)
{
	const struct verify_only_report *r = arg;
	char tgt[PATH_MAX + 128];

	session_describe_target(r->s, tgt, sizeof(tgt));
	fprintf(f, "%s --verify-only: state %s, seed %llu%s\n", r->s->command, r->s->vstate,
		(unsigned long long)r->s->ro->seed, r->res->signal ? " [interrupted]" : "");
	fprintf(f, "  target: %s\n", tgt);
	run_result_print(f, r->res);
}

int session_verify_only(struct session *s)
{
	const struct run_opts *ro = s->ro;
	unsigned workers = ro->workers_set && ro->workers ? ro->workers : runopts_usable_cpus(ro);
	struct verify_only_report rep;
	struct run_result res;
	struct job job;
	json_t *params, *doc;
	int rc;

	/* One sequential pass of reads over the whole target, a slice per worker. */
	s->vstream = (struct stream_spec){
		.name = "verify", .workers = workers, .iodepth = 32, .read_pct = 100,
		.nbs = 1, .bs = { { s->vmap->block_size, 1 } }, .access = ACCESS_SEQUENTIAL,
		.one_pass = true,
	};
	while (s->vstream.workers > 1 &&
	       s->target.size / s->vmap->block_size / s->vstream.workers < 64)
		s->vstream.workers--;
	session_job_init(s, &job, &s->vstream, 1);
	job.duration_ns = 7 * 86400 * NSEC_PER_SEC;  /* the pass ends the run */
	job.ramp_ns = 0;
	job.label = "verify-only";
	/* A read-back wants every bad block, unless told otherwise. */
	if (!ro->max_errors_set)
		job.max_errors = UINT64_MAX;
	rc = session_run(s, &job, &res);
	if (rc) {
		run_result_free(&res);
		return rc;
	}
	params = runopts_params_json(ro);
	json_object_set_new(params, "verify_only", json_true());
	json_object_set_new(params, "verify_state", json_string(s->vstate));
	doc = session_document(s, params);
	json_object_set_new(doc, "results", run_result_json(&res));
	json_object_set_new(doc, "interrupted", json_boolean(res.signal != 0));
	rep = (struct verify_only_report){ .s = s, .res = &res };
	rc = session_emit(s, doc, session_exit_status(&res), print_verify_only, &rep);
	json_decref(doc);
	run_result_free(&res);
	return rc;
}

uint64_t session_timeout_left(const struct session *s, bool *expired)
{
	uint64_t t = now_ns(), end = s->start_ns + s->ro->timeout_ns;

	*expired = false;
	if (!s->ro->timeout_ns)
		return 0;
	/* Before --start-at: the engine's clock starts there, with the whole of it. */
	if (t < s->start_ns)
		return s->ro->timeout_ns;
	if (t >= end) {
		*expired = true;
		return 0;
	}
	return end - t;
}

/* The record of the next session_run call, with room for every run. */
struct part_record *session_new_part(struct session *s, unsigned nstreams)
{
	if (s->nparts == s->parts_cap) {
		unsigned cap = s->parts_cap ? s->parts_cap * 2 : 4;
		struct part_record *n = realloc(s->parts, cap * sizeof(*n));

		if (!n)
			return NULL;
		s->parts = n;
		s->parts_cap = cap;
	}
	if (part_record_init(&s->parts[s->nparts], nstreams, s->ro->repeat, s->ref != NULL))
		return NULL;
	return &s->parts[s->nparts++];
}

/* One run of the job on the target alone. */
static int run_plain(struct session *s, struct job *job, struct run_result *r)
{
	struct job j = *job;
	bool expired;
	int rc;

	j.timeout_ns = session_timeout_left(s, &expired);
	if (expired) {
		r->timed_out = true;
		return 0;
	}
	rc = engine_run(&j, r);
	if (!rc) {
		sdm_after_run(s);
		run_result_stamp_wall(r, s->run_wall_ns + job->ramp_ns);
	}
	return rc;
}

int session_run(struct session *s, struct job *job, struct run_result *res)
{
	struct part_record *pr;
	unsigned i;
	int rc;

	if (run_result_init(res, job->nstreams) || !(pr = session_new_part(s, job->nstreams)) ||
	    (s->ndevs && devices_new_part(s, job->nstreams))) {
		log_error("out of memory for the results");
		return EXIT_RUNTIME;
	}
	for (i = 0; i < s->ro->repeat; i++) {
		struct run_result *r, *ref;

		if (i && signals_pending())
			break;
		r = part_record_next(pr, &ref);
		if (!r) {
			log_error("out of memory for the results");
			return EXIT_RUNTIME;
		}
		pr->start_ns[i] = wall_clock_ns();
		s->run_wall_ns = 0;
		rc = ref ? reference_run(s, job, r, ref, pr, i) :
			s->ndevs ? devices_run(s, job, r, i) : run_plain(s, job, r);
		if (rc)
			return rc;
		/* Where the run really began (after --start-at); a reference's first slice keeps the stamp above. */
		if (!ref && s->run_wall_ns)
			pr->start_ns[i] = s->run_wall_ns;
		repeat_stamp_intervals(r, i);
		if (ref)
			repeat_stamp_intervals(ref, i);
		if (run_result_accumulate(res, r)) {
			log_error("out of memory for the results");
			return EXIT_RUNTIME;
		}
		if (r->signal || r->error_stop || r->timed_out || r->abandoned_ios)
			break;
	}
	return 0;
}

void session_interval_origin(const struct session *s, const struct run_result *partial,
			     unsigned *run, double *run_base_s, double *in_run_s)
{
	const struct part_record *pr = s->nparts ? &s->parts[s->nparts - 1] : NULL;
	unsigned r = pr && pr->nreps ? pr->nreps - 1 : 0, i;
	double base = 0;

	for (i = 0; i < r; i++)
		base += pr->reps[i].duration_s;
	*run = r;
	*run_base_s = base;
	/* A slice of an interleaved run is measured into its own result, then added to the run's. */
	*in_run_s = pr && pr->nreps && partial != &pr->reps[r] ? pr->reps[r].duration_s : 0;
}

void session_describe_target(const struct session *s, char *buf, size_t len)
{
	const struct target *t = &s->target;
	char sz[32], dm[2 * PATH_MAX + 128];

	if (s->ndevs) {
		format_size(t->size, sz, sizeof(sz));
		snprintf(buf, len, "%u devices at once, the whole workload on each over its first %s "
			 "(each device's row below)", s->ndevs, sz);
		return;
	}
	format_size(t->size, sz, sizeof(sz));
	sdm_describe(s, dm, sizeof(dm));
	if (t->scratch)
		/* The one line that says why the default is not a dm-remap stack. */
		snprintf(buf, len, "scratch file %s (%s sparse, O_DIRECT, removed at exit; "
			 "logical block %u)%s%s", t->path, sz, t->lbs,
			 s->dm_skipped[0] ? "\n  no dm-remap stack: " : "", s->dm_skipped);
	else
		snprintf(buf, len, "%s (%s, %s, logical block %u%s)", t->path,
			 target_kind_name(t->kind), sz, t->lbs, dm);
}

int session_close(struct session *s)
{
	int rc;

	unsigned i;

	/* The target first: a dm device cannot go while the run holds it open. */
	target_close(&s->target);
	rc = devices_close(s);
	rc = reference_close(s) ? EXIT_RUNTIME : rc;
	if (s->acct)
		acct_probe_reset(s->acct);
	free(s->acct);
	s->acct = NULL;
	rc = sdm_close(s) ? EXIT_RUNTIME : rc;
	for (i = 0; i < s->nparts; i++)
		part_record_free(&s->parts[i]);
	free(s->parts);
	s->parts = NULL;
	s->nparts = s->parts_cap = 0;
	if (s->cmp)
		comparison_free(s->cmp);
	free(s->cmp);
	s->cmp = NULL;
	json_decref(s->baseline);
	s->baseline = NULL;
	if (s->vmap)
		genmap_free(s->vmap);
	free(s->vmap);
	s->vmap = NULL;
	return rc;
}

int session_end(struct session *s, int rc)
{
	int trc = session_close(s);

	return rc ? rc : trc;
}
