/*
 * The end of a session (run/session.h): the result document and its
 * "target", the runs of --repeat and the devices' and reference's nodes,
 * the saved --verify state, the comparison with --baseline, the output
 * where --output and --output-format say, --save-baseline, and the exit
 * status. Opening and running the session is session.c.
 */
#include "run/session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare/compare.h"
#include "result/baseline_store.h"
#include "engine/hardstop.h"
#include "result/cost.h"
#include "result/output.h"
#include "result/result_csv.h"
#include "result/result_dump.h"
#include "result/result_json.h"
#include "run/devices.h"
#include "run/reference.h"
#include "run/repeat.h"
#include "run/session_dm.h"
#include "run/supervise.h"
#include "util/env.h"
#include "verify/genmap.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"

/* The directory the state file goes in. */
static int verify_mkdir_parent(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	return make_dirs(dir);
}

/*
 * fdatasync with a deadline: a device that never completes the flush (a
 * loop device whose backing file is on a frozen filesystem) must not hold
 * the run. A thread makes the call on its own copy of the descriptor and
 * may be left behind; whichever of it and the waiter lets go last frees
 * the shared state.
 */
struct flush_call {
	int fd;
	int err;                   /* errno of fdatasync, or 0 */
	bool done;
	int refs;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void flush_call_put(struct flush_call *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	close(f->fd);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static void *flush_thread(void *arg)
{
	struct flush_call *f = arg;
	int err = fdatasync(f->fd) ? errno : 0;

	pthread_mutex_lock(&f->lock);
	f->err = err;
	f->done = true;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	flush_call_put(f);
	return NULL;
}

/* 0, an errno, or ETIMEDOUT when the flush did not finish within limit_ns. */
static int fdatasync_within(int fd, uint64_t limit_ns)
{
	struct flush_call *f = calloc(1, sizeof(*f));
	uint64_t until = now_ns() + limit_ns;
	struct timespec ts = { .tv_sec = (time_t)(until / NSEC_PER_SEC),
			       .tv_nsec = (long)(until % NSEC_PER_SEC) };
	pthread_condattr_t ca;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	if (!f)
		return ENOMEM;
	f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (f->fd < 0) {
		rc = errno;
		free(f);
		return rc;
	}
	f->refs = 2;
	pthread_mutex_init(&f->lock, NULL);
	/* timedwait on CLOCK_MONOTONIC (clockwait would do, but sanitizers miss it) */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, flush_thread, f);
	pthread_attr_destroy(&attr);
	if (rc) {
		/* No thread: flush here, without a deadline, as before. */
		rc = fdatasync(fd) ? errno : 0;
		f->refs = 1;
		flush_call_put(f);
		return rc;
	}
	pthread_mutex_lock(&f->lock);
	while (!f->done)
		if (pthread_cond_timedwait(&f->cond, &f->lock, &ts) == ETIMEDOUT)
			break;
	rc = f->done ? f->err : ETIMEDOUT;
	pthread_mutex_unlock(&f->lock);
	flush_call_put(f);
	if (rc == ETIMEDOUT)
		supervise_threads_left();
	return rc;
}

/*
 * After a --verify run: make the data durable, then record what it holds.
 * Returns 0, or EXIT_RUNTIME when the state could not be saved.
 */
static int verify_save(struct session *s, json_t *doc)
{
	char why[OUTPUT_WHY_LEN];
	int err, rc;

	if (!s->vmap || s->ro->verify_only || s->target.scratch || (s->dm && s->dm->automatic))
		return 0;
	err = fdatasync_within(s->target.fd, HARDSTOP_FLUSH_NS);
	if (err == ETIMEDOUT) {
		log_error("--verify: flushing %s did not finish within %llu s (the device may be "
			  "hung); the verify state is not saved", s->target.path,
			  (unsigned long long)(HARDSTOP_FLUSH_NS / NSEC_PER_SEC));
		json_object_set_new(doc, "verify_state_error",
				    json_string("the flush of the target did not finish in time"));
		return EXIT_RUNTIME;
	}
	if (err) {
		log_error("--verify: cannot flush %s (%s); the verify state is not saved",
			  s->target.path, strerror(err));
		json_object_set_new(doc, "verify_state_error", json_string(strerror(err)));
		return EXIT_RUNTIME;
	}
	if (verify_mkdir_parent(s->vstate)) {
		err = errno;
		log_error("--verify: cannot save the verify state %s: %s", s->vstate,
			  strerror(err));
		json_object_set_new(doc, "verify_state_error", json_string(strerror(err)));
		return EXIT_RUNTIME;
	}
	rc = genmap_save(s->vmap, s->vstate, s->target.path, why, sizeof(why));
	if (rc) {
		if (rc == OUTPUT_FAILED)
			snprintf(why, sizeof(why), "cannot save the verify state %s: %s", s->vstate,
				 strerror(errno));
		log_error("--verify: the verify state is not saved: %s", why);
		json_object_set_new(doc, "verify_state_error", json_string(why));
		return EXIT_RUNTIME;
	}
	json_object_set_new(doc, "verify_state", json_string(s->vstate));
	return 0;
}

static json_t *blk_stat_json(const struct blk_stat *b)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
			 "reads_completed", (json_int_t)b->rd_ios,
			 "reads_merged", (json_int_t)b->rd_merges,
			 "sectors_read", (json_int_t)b->rd_sectors,
			 "writes_completed", (json_int_t)b->wr_ios,
			 "writes_merged", (json_int_t)b->wr_merges,
			 "sectors_written", (json_int_t)b->wr_sectors);
}

json_t *session_target_json(struct session *s)
{
	const struct target *t = &s->target;
	json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:b}",
			      "path", t->path,
			      "kind", target_kind_name(t->kind),
			      "size_bytes", (json_int_t)t->size,
			      "logical_block_size", (json_int_t)t->lbs,
			      "scratch", t->scratch);
	struct blk_stat after;

	if (!j)
		return NULL;
	if (t->sysname[0])
		json_object_set_new(j, "sysname", json_string(t->sysname));
	if (t->dm_name[0])
		json_object_set_new(j, "dm_name", json_string(t->dm_name));
	if (t->queue_requests) {
		json_object_set_new(j, "queue_requests", json_integer(t->queue_requests));
		json_object_set_new(j, "hw_queues", json_integer(t->hw_queues));
	}
	if (s->dm)
		json_object_set_new(j, "dm", sdm_target_json(s));
	if (s->dm_skipped[0])
		json_object_set_new(j, "dm_skipped", json_string(s->dm_skipped));
	if (s->have_stat && target_read_blk_stat(t, &after) == 0) {
		struct blk_stat d = {
			.rd_ios = after.rd_ios - s->stat_before.rd_ios,
			.rd_merges = after.rd_merges - s->stat_before.rd_merges,
			.rd_sectors = after.rd_sectors - s->stat_before.rd_sectors,
			.wr_ios = after.wr_ios - s->stat_before.wr_ios,
			.wr_merges = after.wr_merges - s->stat_before.wr_merges,
			.wr_sectors = after.wr_sectors - s->stat_before.wr_sectors,
		};

		json_object_set_new(j, "kernel_counters_delta", blk_stat_json(&d));
	}
	return j;
}

/* With several devices: every device in params (not a workload parameter). */
static void params_devices(const struct session *s, json_t *params)
{
	json_t *t = json_array(), *m = json_array(), *sp = json_array();
	unsigned i;

	for (i = 0; i < s->ndevlist; i++) {
		if (s->devlist[i].target)
			json_array_append_new(t, json_string(s->devlist[i].target));
		if (s->devlist[i].main)
			json_array_append_new(m, json_string(s->devlist[i].main));
		if (s->devlist[i].spare)
			json_array_append_new(sp, json_string(s->devlist[i].spare));
	}
	json_object_del(params, "target");
	json_object_set_new(params, "targets", t);
	if (json_array_size(m))
		json_object_set_new(params, "mains", m);
	else
		json_decref(m);
	if (json_array_size(sp))
		json_object_set_new(params, "spares", sp);
	else
		json_decref(sp);
}

/* --start-at: what was asked for and how far from it the first run began. */
static json_t *start_at_json(const struct session *s)
{
	const struct run_opts *ro = s->ro;
	json_t *j = json_pack("{s:s, s:I}", "requested", ro->start_at,
			      "requested_ns", (json_int_t)ro->start_at_ns);

	if (j && s->start_wall_ns) {
		json_object_set_new(j, "started_ns", json_integer((json_int_t)s->start_wall_ns));
		json_object_set_new(j, "offset_ns", json_integer((json_int_t)s->start_wall_ns -
								 (json_int_t)ro->start_at_ns));
	}
	return j;
}

json_t *session_document(struct session *s, json_t *params)
{
	json_t *env = env_json(s->start_time), *doc;

	/* The start to the nanosecond, UTC: what merges of hosts line up by. */
	if (env)
		json_object_set_new(env, "start_time_ns", json_integer((json_int_t)s->open_wall_ns));
	if (s->ndevs && params)
		params_devices(s, params);
	/* complete: false only in a document written before the end (endurance). */
	doc = json_pack("{s:i, s:s, s:s, s:s, s:b, s:o, s:o*, s:o}",
			"schema_version", RESULT_SCHEMA_VERSION,
			"tool", "dmremap-bench",
			"version", PACKAGE_VERSION,
			"command", s->command,
			"complete", 1,
			"params", params,
			"target", s->ndevs ? NULL : session_target_json(s),
			"environment", env);
	if (doc && s->ro->start_at_ns)
		json_object_set_new(doc, "start_at", start_at_json(s));
	return doc;
}

struct emit_print {
	struct session *s;
	void (*print)(FILE *, void *);
	void *arg;
};

/* The command's summary, then the comparison table when there is one. */
static void print_all(FILE *f, void *arg)
{
	const struct emit_print *ep = arg;

	ep->print(f, ep->arg);
	devices_print(f, ep->s);
	repeat_print(f, ep->s->parts, ep->s->nparts);
	reference_print(ep->s, f);
	if (ep->s->cmp)
		comparison_print(f, ep->s->cmp);
}

/* The runs of --repeat and the reference's node; a reference's errors into status. */
static void add_runs(struct session *s, json_t *doc, int *run_status)
{
	json_t *results = json_object_get(doc, "results");
	json_t *runs = repeat_runs_json(s->parts, s->nparts, results, s->parts_key);
	unsigned i, p;

	if (runs)
		json_object_set_new(doc, "runs", runs);
	if (runs && s->decorate_run) {
		json_t *r;
		size_t k;

		json_array_foreach(runs, k, r)
			s->decorate_run(s->decorate_arg, json_object_get(r, "results"));
	}
	/* The whole process's CPU beside the measured windows'. */
	cost_add_process(results);
	if (s->ndevs) {
		json_t *devs = devices_json(s, results, runs);

		json_object_set_new(doc, "devices", devs);
		for (i = 0; i < s->ndevs; i++) {
			/* One device's failure does not hide the others' results: it sets the status. */
			if (s->devs[i].dev_rc && *run_status == 0)
				*run_status = s->devs[i].dev_rc;
			if (verify_save(&s->devs[i], json_array_get(devs, i)) && *run_status == 0)
				*run_status = EXIT_RUNTIME;
		}
	}
	if (!s->ref || !s->nparts)
		return;
	json_object_set_new(doc, "reference", reference_json(s));
	for (p = 0; p < s->nparts; p++)
		for (i = 0; i < s->parts[p].nreps; i++) {
			uint64_t e = err_stats_total(&s->parts[p].ref_reps[i].errors);

			if (e && *run_status == 0) {
				log_error("the reference saw %llu errors (exit status 3)",
					  (unsigned long long)e);
				*run_status = EXIT_IO;
			}
		}
}

/* Compare against the loaded baseline; returns 0, 1 or 2 as comparison_exit_status. */
static int compare_baseline(struct session *s, json_t *doc)
{
	const struct run_opts *ro = s->ro;
	struct compare_cfg cfg;
	char err[1024];

	runopts_compare_cfg(ro, &cfg);
	s->cmp = calloc(1, sizeof(*s->cmp));
	if (!s->cmp || compare_docs(s->baseline, doc, s->baseline_where, &cfg, s->cmp,
				    err, sizeof(err))) {
		log_error("--baseline: %s", s->cmp ? err : "out of memory");
		free(s->cmp);
		s->cmp = NULL;
		return EXIT_USAGE;
	}
	json_object_set_new(doc, "comparison", comparison_json(s->cmp));
	if (s->cmp->refused)
		log_error("--baseline: the workload parameters differ from %s (%zu differences "
			  "listed; --allow-mismatch compares anyway)", s->baseline_where,
			  json_array_size(s->cmp->mismatches));
	return comparison_exit_status(s->cmp);
}

static int write_output(struct session *s, json_t *doc, const struct emit_print *ep)
{
	const struct run_opts *ro = s->ro;
	char why[OUTPUT_WHY_LEN];
	char *data = NULL;
	size_t len = 0;
	int rc = 0;

	if (ro->output_format == OUT_JSON) {
		data = result_dumps(doc);
		len = data ? strlen(data) : 0;
	} else if (ro->output_format == OUT_CSV) {
		data = result_csv(doc, (enum csv_rows)ro->csv_rows);
		len = data ? strlen(data) : 0;
	} else {
		FILE *m = open_memstream(&data, &len);

		if (m) {
			print_all(m, (void *)ep);
			fclose(m);
		}
	}
	if (!data) {
		log_error("--output: cannot write %s: out of memory", ro->output);
		/* The writer of the run's snapshots still ends, with no final document. */
		if (s->out_writer)
			output_writer_finish(s->out_writer, NULL, 0, "the result", why, sizeof(why));
		rc = EXIT_RUNTIME;
	} else if ((s->out_writer ? output_writer_finish(s->out_writer, data, len, "the result",
							 why, sizeof(why)) :
		    output_write(ro->output, data, len, "the result", why, sizeof(why)))) {
		/* Refused now (changed since the check), failed or blocked. */
		log_error("--output: %s", why);
		rc = EXIT_RUNTIME;
	}
	s->out_writer = NULL;
	return rc;
}

static int save_baseline(struct session *s, json_t *doc, int run_status)
{
	const struct run_opts *ro = s->ro;
	char dir[PATH_MAX], err[OUTPUT_WHY_LEN];
	bool refused;

	if (run_status) {
		log_error("--save-baseline: not saving '%s': the run %s", ro->save_baseline,
			  run_status == EXIT_IO ? "had I/O errors" : "was interrupted");
		return EXIT_RUNTIME;
	}
	baseline_dir(ro->baseline_dir, dir, sizeof(dir));
	if (baseline_add(dir, ro->save_baseline, doc, ro->keep, err, sizeof(err), &refused)) {
		log_error("--save-baseline: not saving '%s': %s", ro->save_baseline, err);
		return refused ? EXIT_USAGE : EXIT_RUNTIME;
	}
	log_info("saved baseline '%s' in %s", ro->save_baseline, dir);
	return 0;
}

int session_emit(struct session *s, json_t *doc, int run_status,
		 void (*print)(FILE *, void *), void *arg)
{
	const struct run_opts *ro = s->ro;
	struct emit_print ep = { .s = s, .print = print, .arg = arg };
	int cmp_rc = 0, out_rc = 0, save_rc = 0, verify_rc;

	s->doc = doc;
	add_runs(s, doc, &run_status);
	verify_rc = verify_save(s, doc);
	if (s->baseline && run_status < 128)
		cmp_rc = compare_baseline(s, doc);
	if (ro->output) {
		bool to_stdout = output_is_stdout(ro->output);

		out_rc = write_output(s, doc, &ep);
		/*
		 * The summary still reaches the terminal, even when the file
		 * failed; not when the document itself went to standard output.
		 */
		if (!to_stdout && (!ro->quiet || out_rc))
			print_all(stdout, &ep);
	} else if (ro->output_format == OUT_JSON || ro->output_format == OUT_CSV) {
		char *text = ro->output_format == OUT_JSON ? result_dumps(doc) :
			result_csv(doc, (enum csv_rows)ro->csv_rows);

		if (text)
			printf(ro->output_format == OUT_JSON ? "%s\n" : "%s", text);
		else
			log_error("out of memory for the result");
		free(text);
	} else if (!ro->quiet) {
		print_all(stdout, &ep);
	}
	fflush(stdout);
	if (ro->save_baseline)
		save_rc = save_baseline(s, doc, run_status);
	if (run_status)
		return run_status;
	if (out_rc || verify_rc)
		return EXIT_RUNTIME;
	/* A baseline that refused the runs (another workload) is the user's to fix: 2. */
	if (save_rc)
		return save_rc;
	return cmp_rc;
}

int session_exit_status(const struct run_result *res)
{
	if (res->abandoned_ios || res->stuck_workers) {
		char stuck[128] = "";

		if (res->stuck_workers)
			snprintf(stuck, sizeof(stuck), "; %u worker thread%s left behind in the kernel",
				 res->stuck_workers, res->stuck_workers == 1 ? " was" : "s were");
		log_error("hard stop: %llu I/O%s never completed and %s abandoned %llu s after %s%s "
			  "(the device may be hung; see results.abandoned_ios and results.stuck)",
			  (unsigned long long)res->abandoned_ios, res->abandoned_ios == 1 ? "" : "s",
			  res->abandoned_ios == 1 ? "was" : "were",
			  (unsigned long long)((res->abandoned_after == ABANDON_TIMEOUT ?
						HARDSTOP_DRAIN_NS : HARDSTOP_DRAIN_GRACE_NS) / NSEC_PER_SEC),
			  res->abandoned_after == ABANDON_TIMEOUT ? "--timeout" : "the run stopped",
			  stuck);
	}
	if (res->signal)
		return signals_exit_status(res->signal);
	if (err_stats_total(&res->errors)) {
		log_error("the run saw %llu errors (exit status 3)",
			  (unsigned long long)err_stats_total(&res->errors));
		return EXIT_IO;
	}
	if (res->abandoned_ios || res->stuck_workers)
		return EXIT_IO;
	if (res->timed_out) {
		log_error("the run reached its --timeout (exit status 3)");
		return EXIT_IO;
	}
	return EXIT_OK;
}
