/*
 * sweep: one workload at a series of loads (queue depths, or rates), each
 * step a full result, and the knee of the throughput-latency curve
 * (run/sweep.h says how it is found).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cmd/commands.h"
#include "result/result_json.h"
#include "run/session.h"
#include "run/sweep.h"
#include "run/sweep_run.h"
#include "util/env.h"
#include "util/log.h"
#include "util/timeutil.h"

#define SWEEP_DEFAULT_OPS "1..256"
#define SWEEP_DEFAULT_RATE_OPS 64

struct sweep_args {
	struct run_opts ro;
	struct sweep_plan plan;
	const char *ops, *rate, *slo;
	unsigned steps;
};

/* --ops with --rate: one number, the I/Os in flight at every rate. */
static int parse_rate_ops(const char *spec, unsigned *ops)
{
	char *end;
	unsigned long v;

	if (!spec) {
		*ops = SWEEP_DEFAULT_RATE_OPS;
		return 0;
	}
	v = strtoul(spec, &end, 10);
	if (*spec < '0' || *spec > '9' || *end || v < 1 || v > SWEEP_MAX_OPS) {
		log_error("--ops: '%s' with --rate is not one number (allowed: the I/Os in flight "
			  "at every rate, 1 to %d)", spec, SWEEP_MAX_OPS);
		return -1;
	}
	*ops = (unsigned)v;
	return 0;
}

/* Options and their checks: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct sweep_args *a)
{
	static const struct opt_usage usage = {
		.command = "sweep",
		.synopsis = "[--ops LOADS | --rate LOADS] [--steps N] [--slo STAT=LAT] [options]",
		.summary = "Run one workload at a series of loads, each step a full result, and\n"
			   "find the knee of the throughput-latency curve.",
	};
	struct run_opts *ro = &a->ro;
	char *pos[1], err[512];
	int npos = 0, rc;

	memset(a, 0, sizeof(*a));
	runopts_defaults(ro);
	ro->duration_ns = 10 * NSEC_PER_SEC;
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Sweep" },
			{ .type = OPT_STRING, .name = "ops", .value = &a->ops, .argh = "LOADS",
			  .help = "I/Os in flight per step: 1,4,16 or 1..1024 (default 1..256)" },
			{ .type = OPT_STRING, .name = "rate", .value = &a->rate, .argh = "LOADS",
			  .help = "sweep the rate instead: 10k..400k, a closed-loop cap" },
			{ .type = OPT_UINT, .name = "steps", .value = &a->steps, .argh = "N",
			  .min = SWEEP_MIN_STEPS, .max = SWEEP_MAX_STEPS,
			  .help = "a range A..B in N geometric steps (default: doubling)" },
			{ .type = OPT_STRING, .name = "slo", .value = &a->slo, .argh = "STAT=LAT",
			  .help = "the knee is the highest load within p99=2ms (p50, p99.9, mean)" },
			RUNOPTS_POOL(ro, "each step's load / --workers", NULL),
			{ .type = OPT_GROUP, .help = "Workload (each step)" },
			RUNOPTS_TIME(ro),
			RUNOPTS_PATTERN(ro),
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
	if (ro->iodepth_set) {
		log_error("--iodepth: a sweep sets the I/Os in flight of each step (allowed: --ops, "
			  "and --workers to fix the worker count)");
		return EXIT_USAGE;
	}
	a->plan.by = a->rate ? SWEEP_BY_RATE : SWEEP_BY_OPS;
	a->plan.rate_mode = SWEEP_RATE_CLOSED_CAP;
	if (a->rate) {
		if (ro->rate_iops) {
			log_error("--rate-iops: a rate sweep sets the rate of each step (allowed: "
				  "--rate, or --rate-iops with --ops)");
			return EXIT_USAGE;
		}
		if (sweep_parse_loads(a->rate, a->steps, 1, SWEEP_MAX_RATE, a->plan.load,
				      &a->plan.n, err, sizeof(err))) {
			log_error("--rate: %s", err);
			return EXIT_USAGE;
		}
		if (parse_rate_ops(a->ops, &a->plan.ops))
			return EXIT_USAGE;
	} else if (sweep_parse_loads(a->ops ? a->ops : SWEEP_DEFAULT_OPS, a->steps, 1,
				     SWEEP_MAX_OPS, a->plan.load, &a->plan.n, err, sizeof(err))) {
		log_error("--ops: %s", err);
		return EXIT_USAGE;
	}
	if (a->slo && sweep_parse_slo(a->slo, &a->plan.slo, err, sizeof(err))) {
		log_error("--slo: %s", err);
		return EXIT_USAGE;
	}
	if (ro->timeout_ns && ro->timeout_ns < a->plan.n * (ro->duration_ns + ro->ramp_ns)) {
		log_error("--timeout: shorter than %u steps of --duration and --ramp (allowed: at "
			  "least the whole sweep; it counts from the start)", a->plan.n);
		return EXIT_USAGE;
	}
	if (runopts_validate(ro))
		return EXIT_USAGE;
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(sweep, struct sweep_args, parse)

int cmd_sweep(int argc, char **argv)
{
	struct sweep_args a;
	int rc = parse(argc, argv, &a);
	struct sweep_run sr;
	struct session s;
	uint32_t bs;
	json_t *doc, *params;

	if (rc != PARSE_CONTINUE)
		return rc;
	bs = (uint32_t)a.ro.bs;
	rc = session_open(&s, "sweep", &a.ro, &bs, 1, a.ro.bs);
	if (rc)
		return session_end(&s, rc);
	if (a.ro.verify_only) {
		rc = session_verify_only(&s);
		return session_end(&s, rc);
	}
	rc = sweep_run(&sr, &s, &a.plan);
	if (rc) {
		sweep_free(&sr);
		return session_end(&s, rc);
	}
	params = runopts_params_json(&a.ro);
	sweep_params(&a.plan, a.slo, params);
	if (a.ro.workers_set)
		json_object_set_new(params, "workers", json_integer(a.ro.workers));
	doc = session_document(&s, params);
	json_object_set_new(doc, "results", sweep_results_json(&sr));
	json_object_set_new(doc, "sweep", sweep_node_json(&sr));
	json_object_set_new(doc, "interrupted", json_boolean(sr.total.signal != 0));
	rc = session_emit(&s, doc, session_exit_status(&sr.total), sweep_print, &sr);
	json_decref(doc);
	sweep_free(&sr);
	return session_end(&s, rc);
}
