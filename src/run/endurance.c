#include "run/endurance.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/units.h"
#include "profiles/workload.h"
#include "result/appender.h"
#include "result/output.h"
#include "result/result_json.h"
#include "result/result_text.h"
#include "run/live.h"
#include "run/series.h"
#include "run/session.h"
#include "stats/drift.h"
#include "util/log.h"
#include "util/timeutil.h"

#define ENDURANCE_BASE_WORKERS 2
/* The live drift (status lines, metrics) is computed at most this often, measured time. */
#define LIVE_DRIFT_EVERY_S 10.0

struct counter_sample {
	double t_s;
	struct blk_stat st;
};

struct endurance_run {
	struct endurance_opts *o;
	struct session *s;
	struct stream_spec st;
	json_t *params;
	uint64_t start_ns;
	struct output_writer *w;          /* the main document: at the start and the end */
	/* the series */
	bool companion;                   /* beside the document */
	bool series_inline;               /* kept in memory for the document */
	char companion_name[NAME_MAX + 1];
	struct series_out series;
	/* kernel counters: every reading inline, the first and last with a companion */
	struct counter_sample *counters;
	size_t ncounters, counters_cap;
	/* runs */
	unsigned run;                     /* the run of the last interval seen */
	bool seen_any;
	double run_base[RUNOPTS_MAX_REPEAT];
	/* steady state, per run */
	struct ss_detector det;
	json_t *ss_runs;
	bool ss_reached[RUNOPTS_MAX_REPEAT];
	double ss_start[RUNOPTS_MAX_REPEAT];   /* the run's own seconds */
	double ss_at[RUNOPTS_MAX_REPEAT];
	/* live */
	struct live live;
	double next_live_drift_s;
	/* the final figures */
	struct drift fin_iops, fin_p99;
	bool warmup_excluded;
	json_t *mser;
	size_t mser_cut;
	bool gate_failed;
};

/* ---- kernel counters ------------------------------------------------------ */

static json_t *counter_json(const struct counter_sample *c)
{
	return json_pack("{s:f, s:I, s:I, s:I, s:I}", "t_s", c->t_s,
			 "reads_completed", (json_int_t)c->st.rd_ios,
			 "writes_completed", (json_int_t)c->st.wr_ios,
			 "sectors_read", (json_int_t)c->st.rd_sectors,
			 "sectors_written", (json_int_t)c->st.wr_sectors);
}

/* A reading of the target's counters; kept (all inline, or as the last with a companion). */
static bool sample_counters(struct endurance_run *e, struct counter_sample *c)
{
	if (!e->s->target.sysname[0] || target_read_blk_stat(&e->s->target, &c->st))
		return false;
	c->t_s = (double)(now_ns() - e->start_ns) / 1e9;
	if (e->companion && e->ncounters >= 2) {
		e->counters[1] = *c;
		return true;
	}
	if (e->ncounters == e->counters_cap) {
		size_t cap = e->counters_cap ? e->counters_cap * 2 : 64;
		struct counter_sample *n = realloc(e->counters, cap * sizeof(*n));

		if (!n)
			return true;
		e->counters = n;
		e->counters_cap = cap;
	}
	e->counters[e->ncounters++] = *c;
	return true;
}

static json_t *counters_json(const struct endurance_run *e)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < e->ncounters; i++)
		json_array_append_new(a, counter_json(&e->counters[i]));
	return a;
}

/* ---- drift ----------------------------------------------------------------- */

/*
 * The drift of IOPS and p99 over intervals (global t_s + shift), leaving out
 * what ends at or before each run's steady-state start when one was reached.
 * run: the run of every interval (a run in progress is not stamped yet), or
 * -1 to take each interval's own.
 */
static void drift_of(const struct endurance_run *e, const struct interval_sample *iv, size_t n,
		     double shift, int run, struct drift *di, struct drift *dp)
{
	double *t = malloc((n ? n : 1) * sizeof(double)), *len = malloc((n ? n : 1) * sizeof(double));
	double *iops = malloc((n ? n : 1) * sizeof(double)), *p99 = malloc((n ? n : 1) *
									  sizeof(double));
	size_t i, m = 0;

	memset(di, 0, sizeof(*di));
	memset(dp, 0, sizeof(*dp));
	if (!t || !len || !iops || !p99)
		goto out;
	for (i = 0; i < n; i++) {
		const struct interval_sample *s = &iv[i];
		unsigned r = run >= 0 ? (unsigned)run : s->run < RUNOPTS_MAX_REPEAT ? s->run : 0;
		double tg = s->t_s + shift;

		if (e->ss_reached[r] && tg - e->run_base[r] <= e->ss_start[r] + 1e-9)
			continue;
		t[m] = tg;
		len[m] = s->len_s;
		iops[m] = s->len_s > 0 ? (double)(s->read_ops + s->write_ops) / s->len_s : NAN;
		p99[m] = s->p99_ns ? (double)s->p99_ns : NAN;
		m++;
	}
	drift_analyze(t, len, iops, m, -1, e->o->ro.alpha, di);
	drift_analyze(t, len, p99, m, -1, e->o->ro.alpha, dp);
out:
	free(t);
	free(len);
	free(iops);
	free(p99);
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *drift_metric_json(const struct drift *d)
{
	const struct trend_result *r = &d->tr;
	double span = d->valid ? r->span : 0;
	json_t *j = json_pack("{s:s, s:b, s:b, s:I, s:I, s:I}",
			      "verdict", drift_verdict(d), "valid", d->valid,
			      "drifting", d->drifting, "intervals", (json_int_t)d->intervals,
			      "block_intervals", (json_int_t)d->block, "points", (json_int_t)d->points);
	static const char *const keys[] = {
		"from_s", "to_s", "span_s", "mean", "p_value", "z", "tau", "var_factor",
		"sen_slope_per_s", "sen_slope_low_per_s", "sen_slope_high_per_s", "line_t0_s",
		"level_start",
		"change", "change_low", "change_high", "change_pct", "change_low_pct",
		"change_high_pct", "first_tenth_mean", "last_tenth_mean", "last_vs_first_tenth_pct",
	};
	double v[] = {
		d->intervals ? d->from_s : NAN, d->intervals ? d->to_s : NAN, d->valid ? span : NAN,
		d->intervals ? d->mean : NAN, d->valid ? r->p : NAN, d->valid ? r->z : NAN,
		d->valid ? r->tau : NAN, d->valid ? r->var_factor : NAN,
		d->valid ? r->slope : NAN, d->valid ? r->slope_low : NAN,
		d->valid ? r->slope_high : NAN, d->valid ? d->t_first : NAN,
		d->valid ? d->level_start : NAN,
		d->valid ? d->change : NAN, d->valid ? d->change_low : NAN,
		d->valid ? d->change_high : NAN, d->valid ? r->change_pct : NAN,
		d->valid ? r->change_low_pct : NAN, d->valid ? r->change_high_pct : NAN,
		d->points ? d->first_tenth_mean : NAN, d->points ? d->last_tenth_mean : NAN,
		d->tenth_change_pct,
	};
	size_t i;

	if (!j)
		return NULL;
	json_object_set_new(j, "scale", d->valid ? json_string(d->log_scale ? "log" : "linear") :
			    json_null());
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_set_new(j, keys[i], num_or_null(v[i]));
	/* Per hour only for a run that lasted an hour: never extrapolated. */
	if (d->valid && span >= 3600 && isfinite(r->change_pct))
		json_object_set_new(j, "change_per_hour_pct",
				    json_real(r->change_pct * 3600 / span));
	return j;
}

static json_t *drift_json(const struct endurance_run *e)
{
	json_t *j = json_pack("{s:s, s:s, s:f, s:I, s:b}",
		"method", "Mann-Kendall trend test, Hamed-Rao autocorrelation correction, on "
			  "block means; Sen's slope with its interval",
		"block_rule", "ceil(intervals / 240) intervals per block",
		"alpha", e->o->ro.alpha, "max_blocks", (json_int_t)DRIFT_MAX_BLOCKS,
		"warmup_excluded", e->warmup_excluded);

	if (!j)
		return NULL;
	json_object_set_new(j, "iops", drift_metric_json(&e->fin_iops));
	json_object_set_new(j, "p99_ns", drift_metric_json(&e->fin_p99));
	if (e->o->max_drift_set) {
		json_object_set_new(j, "max_drift_pct", json_real(e->o->max_drift_pct));
		json_object_set_new(j, "gate", json_string(e->gate_failed ? "fail" : "pass"));
	}
	return j;
}

/* ---- the callback ---------------------------------------------------------- */

static void run_started(struct endurance_run *e, unsigned run, double base)
{
	if (e->seen_any && e->o->steady)
		json_array_append_new(e->ss_runs, ss_detector_json(&e->det));
	if (e->o->steady)
		ss_detector_reset(&e->det);
	e->run = run;
	e->run_base[run] = base;
	e->seen_any = true;
}

static void live_update(struct endurance_run *e, const struct run_result *partial,
			const struct interval_sample *s, const struct interval_view *v,
			double base, double in_run)
{
	double end_s = base + in_run + s->t_s;
	struct drift di, dp;
	bool compute;

	compute = live_status_due(&e->live, end_s) || end_s >= e->next_live_drift_s || v->last;
	if (compute) {
		/* The run so far (its slice, with an interleaved reference). */
		drift_of(e, partial->intervals, partial->nintervals, base + in_run, (int)e->run,
			 &di, &dp);
		e->next_live_drift_s = end_s + LIVE_DRIFT_EVERY_S;
	}
	e->live.ms.steady_reached = e->ss_reached[e->run];
	e->live.ms.steady_at_s = e->ss_at[e->run];
	live_interval(&e->live, s, v, end_s, compute ? &di : NULL, compute ? &dp : NULL, e->run);
}

static bool on_interval(void *arg, const struct run_result *partial, const struct interval_view *v)
{
	struct endurance_run *e = arg;
	const struct interval_sample *s = &partial->intervals[partial->nintervals - 1];
	struct counter_sample c;
	json_t *kernel = NULL;
	double base, in_run;
	unsigned run;
	bool stop = false;

	session_interval_origin(e->s, partial, &run, &base, &in_run);
	if (run >= RUNOPTS_MAX_REPEAT)
		run = RUNOPTS_MAX_REPEAT - 1;
	if (!e->seen_any || run != e->run)
		run_started(e, run, base);
	if (sample_counters(e, &c) && e->companion)
		kernel = counter_json(&c);
	if (e->companion || e->series_inline)
		series_out_interval(&e->series, s, v, run, base + in_run, kernel);
	json_decref(kernel);
	/* The detector takes each interval once; the drain's remainder changes little. */
	if (e->o->steady && !v->replaces_last &&
	    ss_detector_add(&e->det, s->t_s + in_run, s->len_s, s->read_ops + s->write_ops,
			    s->read_bytes + s->write_bytes)) {
		e->ss_reached[run] = true;
		e->ss_start[run] = e->det.start_s;
		e->ss_at[run] = e->det.at_s;
		stop = e->o->steady_stop && !v->last;
	}
	if (live_active(&e->live))
		live_update(e, partial, s, v, base, in_run);
	return stop;
}

/* ---- the documents --------------------------------------------------------- */

static json_t *series_file_json(const struct endurance_run *e, bool final)
{
	json_t *j = json_pack("{s:s, s:s}", "path", e->companion_name, "format", "jsonl");

	if (j && final) {
		struct appender_stats st;

		output_appender_stats(e->series.app, &st);
		json_object_set_new(j, "count", json_integer((json_int_t)e->series.lines));
		if (st.lines_dropped)
			json_object_set_new(j, "lines_dropped",
					    json_integer((json_int_t)st.lines_dropped));
	}
	return j;
}

static void post_start_document(struct endurance_run *e)
{
	json_t *doc = session_document(e->s, json_deep_copy(e->params));
	char *data;

	json_object_set_new(doc, "complete", json_false());
	json_object_set_new(doc, "interrupted", json_false());
	/* The series is in the companion; readers take duration_s from its last line. */
	json_object_set_new(doc, "results", json_pack("{s:f}", "duration_s", 0.0));
	if (e->companion)
		json_object_set_new(doc, "intervals_file", series_file_json(e, false));
	data = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(doc);
	if (data)
		output_writer_post(e->w, data, strlen(data));
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

static json_t *steady_json(struct endurance_run *e)
{
	json_t *j = NULL;

	if (e->o->steady) {
		if (e->seen_any)
			json_array_append_new(e->ss_runs, ss_detector_json(&e->det));
		j = json_deep_copy(json_array_get(e->ss_runs, 0));
		if (!j)
			j = ss_detector_json(&e->det);
		if (j && json_array_size(e->ss_runs) > 1)
			json_object_set(j, "runs", e->ss_runs);
		if (j)
			json_object_set_new(j, "stop", json_boolean(e->o->steady_stop));
	}
	if (e->mser) {
		if (!j)
			j = json_object();
		json_object_set(j, "warmup", e->mser);
	}
	return j;
}

/* MSER-5 over the first run's interval IOPS (the stub at the end left out). */
static void find_warmup(struct endurance_run *e, const struct run_result *r)
{
	size_t n = 0, i;
	double *y = malloc((r->nintervals ? r->nintervals : 1) * sizeof(double));
	double *len = malloc((r->nintervals ? r->nintervals : 1) * sizeof(double));

	for (i = 0; y && len && i < r->nintervals && r->intervals[i].run == 0; i++) {
		const struct interval_sample *s = &r->intervals[i];

		if (!(s->len_s > 0) || (n && s->len_s < 0.5 * len[0]))
			continue;
		y[n] = (double)(s->read_ops + s->write_ops) / s->len_s;
		len[n++] = s->len_s;
	}
	if (y && len)
		e->mser = ss_mser_json(y, len, n, &e->mser_cut);
	free(y);
	free(len);
}

static json_t *final_document(struct endurance_run *e, const struct run_result *r,
			      bool series_ok)
{
	json_t *doc = session_document(e->s, json_deep_copy(e->params));
	json_t *res = run_result_json(r), *ss;

	json_object_set_new(res, "drift", drift_json(e));
	json_object_set_new(res, "errors_over_time", errors_over_time(r));
	if (e->ncounters)
		json_object_set_new(res, "kernel_counters", counters_json(e));
	ss = steady_json(e);
	if (ss)
		json_object_set_new(res, "steady_state", ss);
	if (e->companion && series_ok) {
		json_object_del(res, "intervals");
		json_object_set_new(doc, "intervals_file", series_file_json(e, true));
	} else if (e->series_inline && !e->series.mem_failed) {
		json_object_set_new(res, "intervals", series_out_inline(&e->series));
	}
	json_object_set_new(doc, "results", res);
	/* Interrupted runs are incomplete too: the data stops early. */
	json_object_set_new(doc, "complete", json_boolean(!r->signal));
	json_object_set_new(doc, "interrupted", json_boolean(r->signal != 0));
	return doc;
}

/* ---- the summary ------------------------------------------------------------ */

struct endurance_report {
	struct endurance_run *e;
	const struct run_result *r;
};

/* "IOPS -12.4% over 59 s [-15.0%, -9.6%]: drifting (...)": the span is block centre to centre. */
static void print_drift(FILE *f, const char *what, const struct drift *d, const char *lead)
{
	if (!d->valid) {
		fprintf(f, "%s%s: too few intervals to test (%zu)\n", lead, what, d->intervals);
		return;
	}
	fprintf(f, "%s%s %+.1f%% over %.0f s [%+.1f%%, %+.1f%%]: %s (Mann-Kendall p %.2g, %zu "
		"block%s of %zu interval%s)\n", lead, what, d->tr.change_pct, d->tr.span,
		d->tr.change_low_pct, d->tr.change_high_pct, drift_verdict(d), d->tr.p, d->points,
		d->points == 1 ? "" : "s", d->block, d->block == 1 ? "" : "s");
}

static void print_summary(FILE *f, void *arg)
{
	const struct endurance_report *rep = arg;
	struct endurance_run *e = rep->e;
	char tgt[PATH_MAX + 128];

	session_describe_target(e->s, tgt, sizeof(tgt));
	fprintf(f, "endurance: intensity %s, %u workers x %u, seed %llu%s\n",
		intensity_levels[e->o->intensity].name, e->st.workers, e->st.iodepth,
		(unsigned long long)e->s->ro->seed, rep->r->signal ? " [interrupted]" : "");
	fprintf(f, "  target: %s\n", tgt);
	run_result_print(f, rep->r);
	print_drift(f, "IOPS", &e->fin_iops, "  drift: ");
	print_drift(f, "p99", &e->fin_p99, "         ");
	if (e->warmup_excluded)
		fprintf(f, "         (from the steady state on: the warm-up before it is left out)\n");
	if (e->o->steady) {
		if (e->ss_reached[0])
			fprintf(f, "  steady state: reached after %.1f s (%s; the window %.1f-%.1f s)%s\n",
				e->ss_at[0], e->o->ss.text, e->ss_start[0], e->ss_at[0],
				e->o->steady_stop ? ", run stopped there" : "");
		else
			fprintf(f, "  steady state: not reached (%s)\n", e->o->ss.text);
	}
	if (e->mser) {
		double secs = json_number_value(json_object_get(e->mser, "seconds"));

		if (json_is_true(json_object_get(e->mser, "valid")) && secs > 0)
			fprintf(f, "  warm-up (MSER-5): the first %.0f s (--ramp %.0fs would leave it "
				"out)\n", secs, ceil(secs));
		else if (json_is_true(json_object_get(e->mser, "valid")))
			fprintf(f, "  warm-up (MSER-5): none\n");
		else
			fprintf(f, "  warm-up (MSER-5): not over within the first half of the run\n");
	}
	if (e->o->max_drift_set)
		fprintf(f, "  --max-drift %g%%: %s\n", e->o->max_drift_pct,
			e->gate_failed ? "FAIL (a significant drift at least that large)" : "pass");
}

/* ---- the run ---------------------------------------------------------------- */

static void finish_drift(struct endurance_run *e, const struct run_result *r)
{
	unsigned i;

	for (i = 0; i < RUNOPTS_MAX_REPEAT; i++)
		e->warmup_excluded |= e->ss_reached[i];
	drift_of(e, r->intervals, r->nintervals, 0, -1, &e->fin_iops, &e->fin_p99);
	find_warmup(e, r);
	if (e->o->max_drift_set)
		e->gate_failed = drift_exceeds(&e->fin_iops, e->o->max_drift_pct) ||
				 drift_exceeds(&e->fin_p99, e->o->max_drift_pct);
}

static json_t *endurance_params(const struct endurance_opts *o, const struct stream_spec *st)
{
	json_t *p = runopts_params_json(&o->ro);

	json_object_set_new(p, "intensity", json_string(intensity_levels[o->intensity].name));
	json_object_set_new(p, "workers", json_integer(st->workers));
	json_object_set_new(p, "iodepth", json_integer(st->iodepth));
	json_object_set_new(p, "steady_state", o->steady ? json_string(o->ss.text) : json_null());
	json_object_set_new(p, "steady_state_stop", json_boolean(o->steady_stop));
	json_object_set_new(p, "max_drift_pct", o->max_drift_set ? json_real(o->max_drift_pct) :
			    json_null());
	json_object_set_new(p, "status_interval_s", o->status_ns ?
			    json_real((double)o->status_ns / 1e9) : json_null());
	json_object_set_new(p, "metrics_file", o->metrics_file ? json_string(o->metrics_file) :
			    json_null());
	return p;
}

/* The companion's end: after the final document, within what is left of the stall time. */
static int finish_series(struct endurance_run *e, int rc)
{
	char why[OUTPUT_WHY_LEN];

	if (!e->series.app)
		return rc;
	if (output_appender_finish(e->series.app, true, "the interval series", why, sizeof(why))) {
		log_error("--output: %s", why);
		if (rc < EXIT_IO)
			rc = EXIT_RUNTIME;
	}
	e->series.app = NULL;
	return rc;
}

static void release(struct endurance_run *e)
{
	char why[OUTPUT_WHY_LEN];

	if (e->series.app)
		output_appender_finish(e->series.app, false, "the interval series", why,
				       sizeof(why));
	e->series.app = NULL;
	series_out_free(&e->series);
	live_finish(&e->live);
	ss_detector_free(&e->det);
	json_decref(e->ss_runs);
	json_decref(e->mser);
	json_decref(e->params);
	free(e->counters);
}

static int setup_outputs(struct endurance_run *e)
{
	const struct run_opts *ro = &e->o->ro;
	char name[NAME_MAX + 1];

	if (ro->output && ro->output_format == OUT_JSON &&
	    output_is_file(ro->output, name, sizeof(name)) &&
	    strlen(name) + strlen(SERIES_SUFFIX) < sizeof(e->companion_name)) {
		e->companion = true;
		memcpy(e->companion_name, name, strlen(name));
		memcpy(e->companion_name + strlen(name), SERIES_SUFFIX, sizeof(SERIES_SUFFIX));
	} else {
		e->series_inline = ro->output_format == OUT_JSON;
	}
	if (series_out_init(&e->series, e->companion ? ro->output : NULL))
		return EXIT_RUNTIME;
	if (!(e->ss_runs = json_array()))
		return EXIT_RUNTIME;
	if (e->o->steady)
		ss_detector_init(&e->det, &e->o->ss, ro->interval_ns);
	if (live_init(&e->live, e->o->status_ns, !ro->quiet && isatty(STDERR_FILENO),
		      "endurance", e->o->metrics_file))
		return EXIT_RUNTIME;
	return 0;
}

static void live_static(struct endurance_run *e)
{
	struct metrics_state *ms = &e->live.ms;

	ms->command = "endurance";
	ms->version = PACKAGE_VERSION;
	ms->device = e->s->target.path;
	ms->intensity = intensity_levels[e->o->intensity].name;
	ms->start_time_s = (double)wall_clock_ns() / 1e9;
	ms->steady_rule = e->o->steady;
	ms->steady_at_s = NAN;
}

int endurance_run(struct endurance_opts *o)
{
	struct run_opts *ro = &o->ro;
	struct endurance_run e = { .o = o };
	struct endurance_report rep;
	struct counter_sample c;
	struct run_result res;
	struct session s;
	struct job job;
	uint32_t bs;
	json_t *doc;
	char why[OUTPUT_WHY_LEN];
	bool series_ok = true;
	int rc;

	e.st = (struct stream_spec){
		.name = "steady",
		.workers = ro->workers_set && ro->workers ? ro->workers :
			ENDURANCE_BASE_WORKERS * intensity_levels[o->intensity].factor,
		.iodepth = ro->iodepth_set ? ro->iodepth : intensity_levels[o->intensity].iodepth,
		.nbs = 1,
		.bs = { { (uint32_t)ro->bs, 1 } },
		.rate_iops = ro->rate_iops,
	};
	runopts_pattern(ro, &e.st.read_pct, &e.st.access);
	bs = (uint32_t)ro->bs;
	rc = session_open(&s, "endurance", ro, &bs, 1, ro->bs);
	if (rc)
		return session_end(&s, rc);
	if (ro->verify_only)
		return session_end(&s, session_verify_only(&s));
	e.s = &s;
	e.params = endurance_params(o, &e.st);
	rc = setup_outputs(&e);
	if (rc) {
		release(&e);
		return session_end(&s, rc);
	}
	live_static(&e);
	session_job_init(&s, &job, &e.st, 1);
	job.label = "endurance";
	job.on_interval = on_interval;
	job.on_interval_arg = &e;
	/* session_emit writes the final document through the same thread, after the first. */
	if (ro->output && ro->output_format == OUT_JSON) {
		s.out_writer = e.w = output_writer_start(ro->output);
		if (e.w)
			post_start_document(&e);
	}
	e.start_ns = now_ns();
	sample_counters(&e, &c);
	rc = session_run(&s, &job, &res);
	series_out_flush(&e.series);
	if (e.series.app)
		output_appender_close(e.series.app);
	live_end(&e.live);
	if (rc) {
		/* No final document: the one in progress may finish, within the stall time. */
		if (s.out_writer && output_writer_finish(s.out_writer, NULL, 0, "the result", why,
							 sizeof(why)))
			log_error("--output: %s", why);
		s.out_writer = NULL;
		run_result_free(&res);
		release(&e);
		return session_end(&s, rc);
	}
	sample_counters(&e, &c);
	finish_drift(&e, &res);
	/* A companion that failed: the series goes inline (without histograms), and exit 4. */
	if (e.series.app && output_appender_failed(e.series.app, why, sizeof(why))) {
		log_error("--output: %s; the interval series goes into the document instead", why);
		series_ok = false;
	}
	if (e.w && output_writer_failed(e.w, why, sizeof(why)))
		log_warn("--output: the document of the start was not written: %s", why);
	doc = final_document(&e, &res, series_ok);
	rep = (struct endurance_report){ .e = &e, .r = &res };
	rc = session_emit(&s, doc, session_exit_status(&res), print_summary, &rep);
	json_decref(doc);
	rc = finish_series(&e, rc);
	if (!series_ok && rc < EXIT_IO)
		rc = EXIT_RUNTIME;
	if (live_finish(&e.live) && rc < EXIT_IO)
		rc = EXIT_RUNTIME;
	if (e.gate_failed && rc == EXIT_OK) {
		log_error("--max-drift %g%%: the run drifted significantly by at least that much "
			  "(IOPS %+.1f%%, p99 %+.1f%% over the run; exit status 1)", o->max_drift_pct,
			  e.fin_iops.valid ? e.fin_iops.tr.change_pct : 0.0,
			  e.fin_p99.valid ? e.fin_p99.tr.change_pct : 0.0);
		rc = EXIT_REGRESSION;
	}
	run_result_free(&res);
	release(&e);
	return session_end(&s, rc);
}
