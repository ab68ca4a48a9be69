/*
 * scale: how performance holds as the address span grows. Walks N steps of
 * geometrically growing span (each 8 times the last) up to the dataset,
 * the same random workload on each, and reports the change first to last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cli/units.h"
#include "cmd/commands.h"
#include "engine/gen.h"
#include "result/result_json.h"
#include "result/result_text.h"
#include "run/multirun.h"
#include "run/session.h"
#include "util/env.h"
#include "util/log.h"
#include "util/timeutil.h"

#define SCALE_MIN_DATASET (10ULL << 30)
#define SCALE_MAX_DATASET (10ULL << 40)
#define SCALE_MAX_STEPS 8
#define SCALE_GROWTH 8

struct scale_run {
	uint64_t dataset;
	unsigned steps;
	struct stream_spec st[SCALE_MAX_STEPS];
	struct run_part parts[SCALE_MAX_STEPS];
	struct run_result total;
	struct session *s;
};

struct scale_change {
	double iops_pct, bw_pct, p50_pct, p99_pct, mean_lat_pct;
	bool valid;
};

static double pct(double from, double to)
{
	return from > 0 ? (to / from - 1.0) * 100.0 : 0.0;
}

/* Total over both directions of a result: IOPS, bandwidth, latency. */
static void result_totals(const struct run_result *r, double *iops, double *bw,
			  double *p50, double *p99, double *mean)
{
	struct hist h;

	*iops = r->duration_s > 0 ? (double)run_result_total_ops(r) / r->duration_s : 0;
	*bw = r->duration_s > 0 ? (double)(r->dir[0].bytes + r->dir[1].bytes) / r->duration_s : 0;
	*p50 = *p99 = *mean = 0;
	if (hist_init(&h, HIST_BITS_PRECISE))
		return;
	hist_merge(&h, &r->dir[0].hist);
	hist_merge(&h, &r->dir[1].hist);
	*p50 = (double)hist_percentile(&h, 50);
	*p99 = (double)hist_percentile(&h, 99);
	*mean = hist_mean(&h);
	hist_free(&h);
}

static void scale_change(const struct scale_run *sr, struct scale_change *c)
{
	double a[5], b[5];
	unsigned last = 0, i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < sr->steps; i++)
		if (sr->parts[i].ran && !sr->parts[i].res.signal)
			last = i;
	if (last == 0)
		return;
	result_totals(&sr->parts[0].res, &a[0], &a[1], &a[2], &a[3], &a[4]);
	result_totals(&sr->parts[last].res, &b[0], &b[1], &b[2], &b[3], &b[4]);
	c->iops_pct = pct(a[0], b[0]);
	c->bw_pct = pct(a[1], b[1]);
	c->p50_pct = pct(a[2], b[2]);
	c->p99_pct = pct(a[3], b[3]);
	c->mean_lat_pct = pct(a[4], b[4]);
	c->valid = true;
}

static void print_summary(FILE *f, void *arg)
{
	const struct scale_run *sr = arg;
	char tgt[PATH_MAX + 128], ds[32], rw[48];
	struct scale_change c;
	unsigned i;

	session_describe_target(sr->s, tgt, sizeof(tgt));
	format_size(sr->dataset, ds, sizeof(ds));
	runopts_describe_pattern(sr->s->ro, rw, sizeof(rw));
	fprintf(f, "scale: dataset %s in %u steps, %s, bs %llu, seed %llu%s\n", ds, sr->steps,
		rw, (unsigned long long)sr->s->ro->bs,
		(unsigned long long)sr->s->ro->seed, sr->total.signal ? " [interrupted]" : "");
	fprintf(f, "  target: %s\n", tgt);
	fprintf(f, "  %-5s %10s %12s %12s %12s %12s\n", "step", "span", "IOPS", "MB/s", "p50", "p99");
	for (i = 0; i < sr->steps && sr->parts[i].ran; i++) {
		double iops, bw, p50, p99, mean;
		char span[32], a[16], b[16], c1[16];

		result_totals(&sr->parts[i].res, &iops, &bw, &p50, &p99, &mean);
		format_size(sr->st[i].span_len, span, sizeof(span));
		format_count(iops, a, sizeof(a));
		format_ns(p50, b, sizeof(b));
		format_ns(p99, c1, sizeof(c1));
		fprintf(f, "  %-5u %10s %12s %12.1f %12s %12s\n", i + 1, span, a, bw / 1e6, b, c1);
	}
	scale_change(sr, &c);
	if (c.valid)
		fprintf(f, "  first to last step: throughput %+.0f%%, p50 latency %+.0f%%, "
			"p99 latency %+.0f%%\n", c.iops_pct, c.p50_pct, c.p99_pct);
	fprintf(f, "all steps:\n");
	run_result_print(f, &sr->total);
}

static json_t *scale_results(const struct scale_run *sr)
{
	json_t *r = run_result_json(&sr->total), *steps = json_array();
	struct scale_change c;
	unsigned i;

	for (i = 0; i < sr->steps && sr->parts[i].ran; i++) {
		json_t *s = run_result_json(&sr->parts[i].res);

		json_object_set_new(s, "step", json_integer(i + 1));
		json_object_set_new(s, "span_bytes", json_integer((json_int_t)sr->st[i].span_len));
		json_array_append_new(steps, s);
	}
	json_object_set_new(r, "steps", steps);
	scale_change(sr, &c);
	if (c.valid)
		json_object_set_new(r, "change_first_to_last_pct",
				    json_pack("{s:f, s:f, s:f, s:f, s:f}",
					      "iops", c.iops_pct, "bw", c.bw_pct,
					      "lat_p50", c.p50_pct, "lat_p99", c.p99_pct,
					      "lat_mean", c.mean_lat_pct));
	return r;
}

struct scale_args {
	uint64_t dataset;
	unsigned steps;
	struct run_opts ro;
};

/* Options and their checks: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct scale_args *a)
{
	static const struct opt_usage usage = {
		.command = "scale",
		.synopsis = "--dataset SIZE [--steps N] [--duration T] [options]",
		.summary = "Run the same random workload over spans growing 8-fold per step up\n"
			   "to the dataset size, and report how IOPS and latency change.",
	};
	struct run_opts *ro = &a->ro;
	bool dataset_set = false;
	char *pos[1];
	int npos = 0, rc;

	a->dataset = 0;
	a->steps = 4;

	runopts_defaults(ro);
	ro->duration_ns = 120 * NSEC_PER_SEC;
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Scale" },
			{ .type = OPT_SIZE, .name = "dataset", .value = &a->dataset, .argh = "SIZE",
			  .min = SCALE_MIN_DATASET, .max = SCALE_MAX_DATASET, .set = &dataset_set,
			  .help = "the full span, 10G to 10T (required)" },
			{ .type = OPT_UINT, .name = "steps", .value = &a->steps, .argh = "N",
			  .min = 2, .max = SCALE_MAX_STEPS,
			  .help = "spans from dataset/8^(N-1) up to the dataset (default 4)" },
			RUNOPTS_TIME(ro),
			RUNOPTS_PATTERN(ro),
			RUNOPTS_POOL(ro, NULL, NULL),
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
	if (!dataset_set) {
		log_error("--dataset: missing (allowed: a size from 10G to 10T)");
		return EXIT_USAGE;
	}
	if (ro->duration_ns / a->steps < NSEC_PER_SEC) {
		log_error("--duration: too short for %u steps (allowed: at least 1s a step)", a->steps);
		return EXIT_USAGE;
	}
	if (runopts_interleaved(ro)) {
		log_error("%s: scale runs several steps; not supported (use concurrency or "
			  "workload)", ro->reference ? "--reference" : "--compare-linear");
		return EXIT_USAGE;
	}
	if (!ro->targets.n && !ro->mains.n)
		ro->size = a->dataset;  /* the scratch file is the dataset, sparse */
	if (!ro->workers)
		ro->workers = gen_auto_workers(ro->iodepth, runopts_usable_cpus(ro));
	if (runopts_validate(ro))
		return EXIT_USAGE;
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(scale, struct scale_args, parse)

int cmd_scale(int argc, char **argv)
{
	struct scale_args a;
	int rc = parse(argc, argv, &a);
	struct scale_run sr;
	struct run_opts ro;
	struct session s;
	uint32_t bs;
	unsigned i;
	json_t *doc, *params;

	if (rc != PARSE_CONTINUE)
		return rc;
	memset(&sr, 0, sizeof(sr));
	sr.dataset = a.dataset;
	sr.steps = a.steps;
	ro = a.ro;
	bs = (uint32_t)ro.bs;
	rc = session_open(&s, "scale", &ro, &bs, 1, sr.dataset);
	if (rc) {
		return session_end(&s, rc);
	}
	if (ro.verify_only) {
		rc = session_verify_only(&s);
		return session_end(&s, rc);
	}
	sr.s = &s;
	for (i = 0; i < sr.steps; i++) {
		struct stream_spec *st = &sr.st[i];
		uint64_t span = sr.dataset;
		unsigned k;

		for (k = i + 1; k < sr.steps; k++)
			span /= SCALE_GROWTH;
		span = span / ro.bs * ro.bs;
		/* A span of zero would mean "the whole target" to the engine. */
		if (span < ro.bs * ro.workers)
			span = ro.bs * ro.workers;
		*st = (struct stream_spec){
			.workers = ro.workers, .iodepth = ro.iodepth, .nbs = 1,
			.bs = { { bs, 1 } }, .span_off = 0, .span_len = span,
			.rate_iops = ro.rate_iops,
		};
		snprintf(st->name, sizeof(st->name), "step%u", i + 1);
		runopts_pattern(&ro, &st->read_pct, &st->access);
		session_job_init(&s, &sr.parts[i].job, st, 1);
		sr.parts[i].job.duration_ns = ro.duration_ns / sr.steps;
		if (i)
			sr.parts[i].job.ramp_ns = 0;
		snprintf(sr.parts[i].name, sizeof(sr.parts[i].name), "step %u/%u", i + 1, sr.steps);
	}
	s.parts_key = "steps";
	rc = multirun(&s, sr.parts, sr.steps, &sr.total);
	if (rc) {
		multirun_free(sr.parts, sr.steps, &sr.total);
		return session_end(&s, rc);
	}
	params = runopts_params_json(&ro);
	json_object_set_new(params, "dataset_bytes", json_integer((json_int_t)sr.dataset));
	json_object_set_new(params, "steps", json_integer(sr.steps));
	json_object_set_new(params, "workers", json_integer(ro.workers));
	json_object_set_new(params, "iodepth", json_integer(ro.iodepth));
	doc = session_document(&s, params);
	json_object_set_new(doc, "results", scale_results(&sr));
	json_object_set_new(doc, "interrupted", json_boolean(sr.total.signal != 0));
	rc = session_emit(&s, doc, session_exit_status(&sr.total), print_summary,
			  &sr);
	json_decref(doc);
	multirun_free(sr.parts, sr.steps, &sr.total);
	return session_end(&s, rc);
}
