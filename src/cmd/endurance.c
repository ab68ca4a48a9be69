/*
 * endurance: a long steady mixed random workload, sampled every interval,
 * reporting drift (trend of IOPS and p99 over time) and errors over time.
 * The output file is rewritten atomically at every interval, so a run
 * killed at hour 19 of 20 keeps 19 hours of data, marked incomplete. The
 * writes happen on a writer thread (result/output.h), never on the
 * monitor's: an output that blocks cannot hold the run past its stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cli/units.h"
#include "cmd/commands.h"
#include "profiles/workload.h"
#include "result/output.h"
#include "result/result_json.h"
#include "result/result_text.h"
#include "run/session.h"
#include "stats/drift.h"
#include "util/log.h"
#include "util/timeutil.h"

#define ENDURANCE_BASE_WORKERS 2

struct counter_sample {
	double t_s;
	struct blk_stat st;
};

struct endurance_run {
	struct session *s;
	int intensity;
	struct stream_spec st;
	json_t *params;
	struct counter_sample *counters;
	size_t ncounters, counters_cap;
	bool warned_write;
	uint64_t start_ns;
	struct output_writer *w;  /* --output's snapshots; NULL without them */
};

struct drift_pair {
	struct drift iops, p99;
};

static void compute_drift(const struct run_result *r, struct drift_pair *d)
{
	size_t n = r->nintervals, i;
	double *t = calloc(n ? n : 1, sizeof(double));
	double *iops = calloc(n ? n : 1, sizeof(double));
	double *p99 = calloc(n ? n : 1, sizeof(double));
	bool *skip = calloc(n ? n : 1, sizeof(bool));

	memset(d, 0, sizeof(*d));
	if (!t || !iops || !p99 || !skip)
		goto out;
	for (i = 0; i < n; i++) {
		const struct interval_sample *s = &r->intervals[i];

		t[i] = s->t_s;
		iops[i] = s->len_s > 0 ? (double)(s->read_ops + s->write_ops) / s->len_s : 0;
		p99[i] = (double)s->p99_ns;
		/* A short final interval would skew the fit: drop it. */
		skip[i] = i + 1 == n && n > 1 && s->len_s < 0.5 * r->intervals[0].len_s;
	}
	drift_fit(t, iops, skip, n, &d->iops);
	for (i = 0; i < n; i++)
		skip[i] = skip[i] || r->intervals[i].p99_ns == 0;
	drift_fit(t, p99, skip, n, &d->p99);
out:
	free(t);
	free(iops);
	free(p99);
	free(skip);
}

static json_t *drift_json(const struct drift *d)
{
	return json_pack("{s:b, s:I, s:f, s:f, s:f, s:f, s:f, s:f}",
			 "valid", d->valid, "points", (json_int_t)d->n, "mean", d->mean,
			 "slope_per_hour_pct", d->pct_per_hour,
			 "slope_per_s", d->slope_per_s,
			 "first_tenth_mean", d->first_tenth_mean,
			 "last_tenth_mean", d->last_tenth_mean,
			 "last_vs_first_tenth_pct", d->tenth_change_pct);
}

static json_t *counters_json(const struct endurance_run *e)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < e->ncounters; i++) {
		const struct blk_stat *b = &e->counters[i].st;

		json_array_append_new(a, json_pack("{s:f, s:I, s:I, s:I, s:I}",
			"t_s", e->counters[i].t_s,
			"reads_completed", (json_int_t)b->rd_ios,
			"writes_completed", (json_int_t)b->wr_ios,
			"sectors_read", (json_int_t)b->rd_sectors,
			"sectors_written", (json_int_t)b->wr_sectors));
	}
	return a;
}

static json_t *errors_over_time(const struct run_result *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->nintervals; i++)
		if (r->intervals[i].errors)
			json_array_append_new(a, json_pack("{s:f, s:I}", "t_s", r->intervals[i].t_s,
				"errors", (json_int_t)r->intervals[i].errors));
	return a;
}

static json_t *endurance_doc(struct endurance_run *e, const struct run_result *r, bool complete)
{
	struct drift_pair d;
	json_t *doc = session_document(e->s, json_deep_copy(e->params)), *res;

	compute_drift(r, &d);
	if (complete) {
		res = run_result_json(r);
	} else {
		/* Mid-run: the workers' totals are not merged yet; the series is the data. */
		json_t *full = run_result_json(r);
		uint64_t ops = 0;
		size_t i;

		for (i = 0; i < r->nintervals; i++)
			ops += r->intervals[i].read_ops + r->intervals[i].write_ops;
		res = json_pack("{s:f, s:I, s:O}",
				"duration_s", r->nintervals ? r->intervals[r->nintervals - 1].t_s : 0.0,
				"ops_so_far", (json_int_t)ops,
				"intervals", json_object_get(full, "intervals"));
		json_decref(full);
	}
	json_object_set_new(res, "drift", json_pack("{s:o, s:o}", "iops", drift_json(&d.iops),
						    "p99_ns", drift_json(&d.p99)));
	json_object_set_new(res, "errors_over_time", errors_over_time(r));
	if (e->ncounters)
		json_object_set_new(res, "kernel_counters", counters_json(e));
	json_object_set_new(doc, "results", res);
	/* Interrupted runs are incomplete too: the data stops early. */
	json_object_set_new(doc, "complete", json_boolean(complete && !r->signal));
	json_object_set_new(doc, "interrupted", json_boolean(r->signal != 0));
	return doc;
}

static void sample_counters(struct endurance_run *e)
{
	struct counter_sample c;

	if (!e->s->target.sysname[0] || target_read_blk_stat(&e->s->target, &c.st))
		return;
	c.t_s = (double)(now_ns() - e->start_ns) / 1e9;
	if (e->ncounters == e->counters_cap) {
		size_t cap = e->counters_cap ? e->counters_cap * 2 : 64;
		struct counter_sample *n = realloc(e->counters, cap * sizeof(*n));

		if (!n)
			return;
		e->counters = n;
		e->counters_cap = cap;
	}
	e->counters[e->ncounters++] = c;
}

/*
 * Every interval, on the monitor thread: counters, then the whole
 * document handed to the writer thread, which replaces the file
 * atomically. Handing it over never waits for the write.
 */
static void on_interval(void *arg, const struct run_result *partial)
{
	struct endurance_run *e = arg;
	const struct run_opts *ro = e->s->ro;
	char why[OUTPUT_WHY_LEN];
	json_t *doc;
	char *data;

	sample_counters(e);
	if (!e->w)
		return;
	doc = endurance_doc(e, partial, false);
	data = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(doc);
	if (data) {
		output_writer_post(e->w, data, strlen(data));
	} else if (!e->warned_write) {
		log_warn("--output: cannot update %s during the run: out of memory", ro->output);
		e->warned_write = true;
	}
	if (!e->warned_write && output_writer_failed(e->w, why, sizeof(why))) {
		log_warn("--output: cannot update the file during the run: %s", why);
		e->warned_write = true;
	}
}

struct endurance_report {
	struct endurance_run *e;
	const struct run_result *r;
};

static void print_summary(FILE *f, void *arg)
{
	const struct endurance_report *rep = arg;
	char tgt[PATH_MAX + 128];
	struct drift_pair d;

	session_describe_target(rep->e->s, tgt, sizeof(tgt));
	fprintf(f, "endurance: intensity %s, %u workers x %u, seed %llu%s\n",
		intensity_levels[rep->e->intensity].name, rep->e->st.workers, rep->e->st.iodepth,
		(unsigned long long)rep->e->s->ro->seed, rep->r->signal ? " [interrupted]" : "");
	fprintf(f, "  target: %s\n", tgt);
	run_result_print(f, rep->r);
	compute_drift(rep->r, &d);
	if (d.iops.valid)
		fprintf(f, "  drift: IOPS %+.1f%%/hour (last tenth vs first %+.1f%%), "
			"p99 %+.1f%%/hour (last tenth vs first %+.1f%%)\n",
			d.iops.pct_per_hour, d.iops.tenth_change_pct,
			d.p99.valid ? d.p99.pct_per_hour : 0.0,
			d.p99.valid ? d.p99.tenth_change_pct : 0.0);
	else
		fprintf(f, "  drift: too few intervals to fit (%zu)\n", rep->r->nintervals);
}

struct endurance_args {
	int intensity;
	struct run_opts ro;
};

/* Options and their checks: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct endurance_args *a)
{
	static const struct opt_usage usage = {
		.command = "endurance",
		.synopsis = "[--duration T] [--intensity LEVEL] [--interval T] [options]",
		.summary = "A long, steady mixed random workload sampled every interval;\n"
			   "reports the drift of IOPS and p99 latency over time.",
	};
	struct run_opts *ro = &a->ro;
	char *pos[1];
	int npos = 0, rc;

	a->intensity = 1;
	runopts_defaults(ro);
	ro->duration_ns = 3600 * NSEC_PER_SEC;
	ro->interval_ns = 10 * NSEC_PER_SEC;
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Endurance" },
			{ .type = OPT_CHOICE, .name = "intensity", .value = &a->intensity,
			  .argh = "LEVEL", .choices = intensity_names, .aliases = intensity_codes,
			  .help = "light, moderate, heavy, extreme or 1-4 (default moderate)" },
			{ .type = OPT_DURATION, .name = "duration", .value = &ro->duration_ns,
			  .argh = "T", .min = 60 * NSEC_PER_SEC, .max = 24 * 3600 * NSEC_PER_SEC,
			  .help = "how long, 1m to 24h (default 1h)" },
			{ .type = OPT_DURATION, .name = "ramp", .value = &ro->ramp_ns, .argh = "T",
			  .max = 3600 * NSEC_PER_SEC,
			  .help = "run this long first, excluded from the results (default 0)" },
			{ .type = OPT_DURATION, .name = "interval", .value = &ro->interval_ns,
			  .argh = "T", .min = NSEC_PER_SEC / 10, .max = 3600 * NSEC_PER_SEC,
			  .help = "sampling period of the time series (default 10s)" },
			RUNOPTS_PATTERN(ro),
			RUNOPTS_POOL(ro),
			RUNOPTS_CONTROL(ro),
			RUNOPTS_VERIFY(ro),
			RUNOPTS_TARGET(ro),
			RUNOPTS_DM(ro),
			RUNOPTS_OUTPUT(ro),
			RUNOPTS_BASELINE(ro),
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, pos, 0, &npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	if (ro->interval_ns * 3 > ro->duration_ns) {
		char iv[32], du[32];

		format_duration(ro->interval_ns, iv, sizeof(iv));
		format_duration(ro->duration_ns, du, sizeof(du));
		log_error("--interval: %s leaves fewer than 3 samples in --duration %s (allowed: "
			  "at most a third of the duration, for a drift fit)", iv, du);
		return EXIT_USAGE;
	}
	if (runopts_validate(ro))
		return EXIT_USAGE;
	if (runopts_device_count(ro) > 1) {
		/* Its snapshots and drift are of one series: several devices wait for its companion. */
		log_error("%s: endurance drives one device per run (allowed: one --target or --main; "
			  "several devices at once: concurrency or workload)",
			  ro->targets.n ? "--target" : "--main");
		return EXIT_USAGE;
	}
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(endurance, struct endurance_args, parse)

int cmd_endurance(int argc, char **argv)
{
	struct endurance_args a;
	int rc = parse(argc, argv, &a);
	struct endurance_run e = { .intensity = a.intensity };
	struct endurance_report rep;
	struct run_opts ro;
	struct session s;
	struct run_result res;
	struct job job;

	uint32_t bs;
	json_t *doc;

	if (rc != PARSE_CONTINUE)
		return rc;
	ro = a.ro;
	e.st = (struct stream_spec){
		.name = "steady",
		.workers = ro.workers_set && ro.workers ? ro.workers :
			ENDURANCE_BASE_WORKERS * intensity_levels[e.intensity].factor,
		.iodepth = ro.iodepth_set ? ro.iodepth : intensity_levels[e.intensity].iodepth,
		.nbs = 1,
		.bs = { { (uint32_t)ro.bs, 1 } },
		.rate_iops = ro.rate_iops,
	};
	runopts_pattern(&ro, &e.st.read_pct, &e.st.access);
	bs = (uint32_t)ro.bs;
	rc = session_open(&s, "endurance", &ro, &bs, 1, ro.bs);
	if (rc) {
		return session_end(&s, rc);
	}
	if (ro.verify_only) {
		rc = session_verify_only(&s);
		return session_end(&s, rc);
	}
	e.s = &s;
	e.params = runopts_params_json(&ro);
	json_object_set_new(e.params, "intensity", json_string(intensity_levels[e.intensity].name));
	json_object_set_new(e.params, "workers", json_integer(e.st.workers));
	json_object_set_new(e.params, "iodepth", json_integer(e.st.iodepth));
	session_job_init(&s, &job, &e.st, 1);
	job.label = "endurance";
	job.on_interval = on_interval;
	job.on_interval_arg = &e;
	/* session_emit writes the final document through the same thread, after the last snapshot. */
	if (ro.output && ro.output_format == OUT_JSON)
		s.out_writer = e.w = output_writer_start(ro.output);
	e.start_ns = now_ns();
	sample_counters(&e);
	rc = session_run(&s, &job, &res);
	if (rc) {
		char why[OUTPUT_WHY_LEN];

		/* No final document: the snapshot in progress may finish, within the stall time. */
		if (s.out_writer && output_writer_finish(s.out_writer, NULL, 0, "the result", why,
							 sizeof(why)))
			log_error("--output: %s", why);
		s.out_writer = NULL;
		run_result_free(&res);
		json_decref(e.params);
		free(e.counters);
		return session_end(&s, rc);
	}
	sample_counters(&e);
	doc = endurance_doc(&e, &res, true);
	rep = (struct endurance_report){ .e = &e, .r = &res };
	rc = session_emit(&s, doc, session_exit_status(&res), print_summary,
			  &rep);
	json_decref(doc);
	json_decref(e.params);
	free(e.counters);
	run_result_free(&res);
	return session_end(&s, rc);
}
