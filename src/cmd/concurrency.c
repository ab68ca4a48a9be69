/*
 * concurrency: keep N I/O operations in flight across a pool of workers and
 * measure what the target sustains.
 */
#include <stdio.h>
#include <string.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cmd/commands.h"
#include "engine/gen.h"
#include "result/result_json.h"
#include "result/result_text.h"
#include "run/session.h"
#include "util/env.h"
#include "util/log.h"

#define CONCURRENCY_MAX_OPS 10000

struct concurrency_report {
	struct session *s;
	const struct run_result *res;
	unsigned ops;
};

static void print_summary(FILE *f, void *arg)
{
	const struct concurrency_report *r = arg;
	char tgt[PATH_MAX + 128], rw[48];

	session_describe_target(r->s, tgt, sizeof(tgt));
	runopts_describe_pattern(r->s->ro, rw, sizeof(rw));
	fprintf(f, "concurrency: %u ops in flight, %s, bs %llu, seed %llu%s\n", r->ops,
		rw, (unsigned long long)r->s->ro->bs,
		(unsigned long long)r->s->ro->seed, r->res->signal ? " [interrupted]" : "");
	fprintf(f, "  target: %s\n", tgt);
	run_result_print(f, r->res);
}

struct concurrency_args {
	struct run_opts ro;
	unsigned ops;
	bool ops_set;
};

/* Options and their cross-checks: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct concurrency_args *a)
{
	static const struct opt_usage usage = {
		.command = "concurrency",
		.synopsis = "[--ops N] [options]",
		.summary = "Keep N O_DIRECT I/O operations in flight across a pool of libaio\n"
			   "workers and measure IOPS, bandwidth and latency percentiles.",
	};
	struct run_opts *ro = &a->ro;
	char *pos[1];
	int npos = 0, rc;

	runopts_defaults(ro);
	a->ops = 1000;
	a->ops_set = false;
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Concurrency" },
			{ .type = OPT_UINT, .name = "ops", .value = &a->ops, .argh = "N",
			  .min = 1, .max = CONCURRENCY_MAX_OPS, .set = &a->ops_set,
			  .help = "I/O operations in flight across all workers (default 1000)" },
			RUNOPTS_POOL(ro, "--ops / --workers", NULL),
			{ .type = OPT_GROUP, .help = "Workload" },
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
	if (!ro->workers)
		ro->workers = gen_auto_workers(ro->iodepth_set ? (uint64_t)-1 : a->ops,
					       runopts_usable_cpus(ro));
	if (ro->iodepth_set) {
		uint64_t want = (uint64_t)ro->workers * ro->iodepth;

		if (a->ops_set && want != a->ops) {
			log_error("--iodepth: %u x %u workers = %llu contradicts --ops %u "
				  "(give one of them)", ro->iodepth, ro->workers,
				  (unsigned long long)want, a->ops);
			return EXIT_USAGE;
		}
		if (want > CONCURRENCY_MAX_OPS) {
			log_error("--iodepth: %u x %u workers = %llu in flight (allowed: at most %d)",
				  ro->iodepth, ro->workers, (unsigned long long)want,
				  CONCURRENCY_MAX_OPS);
			return EXIT_USAGE;
		}
		a->ops = (unsigned)want;
	}
	if (ro->workers > a->ops) {
		log_error("--workers: %u is more than --ops %u (allowed: 1 to %u; each worker "
			  "keeps at least one I/O in flight)", ro->workers, a->ops, a->ops);
		return EXIT_USAGE;
	}
	if (runopts_validate(ro))
		return EXIT_USAGE;
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(concurrency, struct concurrency_args, parse)

int cmd_concurrency(int argc, char **argv)
{
	struct concurrency_args a;
	int rc = parse(argc, argv, &a);
	struct run_opts ro;
	unsigned ops;

	if (rc != PARSE_CONTINUE)
		return rc;
	ro = a.ro;
	ops = a.ops;
	{
		struct stream_spec st = {
			.name = "main",
			.workers = ro.workers,
			.total_depth = ops,
			.nbs = 1,
			.bs = { { .bs = (uint32_t)ro.bs, .weight = 1 } },
			.rate_iops = ro.rate_iops,
		};
		uint32_t bs = (uint32_t)ro.bs;
		struct concurrency_report rep;
		struct session s;
		struct run_result res;
		struct job job;
		json_t *params, *doc;

		runopts_pattern(&ro, &st.read_pct, &st.access);
		rc = session_open(&s, "concurrency", &ro, &bs, 1, ro.bs);
		if (rc) {
			return session_end(&s, rc);
		}
		if (ro.verify_only) {
			rc = session_verify_only(&s);
			return session_end(&s, rc);
		}
		session_job_init(&s, &job, &st, 1);
		job.label = "concurrency";
		rc = session_run(&s, &job, &res);
		if (rc) {
			run_result_free(&res);
			return session_end(&s, rc);
		}
		params = runopts_params_json(&ro);
		json_object_set_new(params, "ops", json_integer(ops));
		json_object_set_new(params, "workers", json_integer(ro.workers));
		doc = session_document(&s, params);
		json_object_set_new(doc, "results", run_result_json(&res));
		json_object_set_new(doc, "interrupted", json_boolean(res.signal != 0));
		rep = (struct concurrency_report){ .s = &s, .res = &res, .ops = ops };
		rc = session_emit(&s, doc, session_exit_status(&res), print_summary,
				  &rep);
		json_decref(doc);
		run_result_free(&res);
		return session_end(&s, rc);
	}
}
