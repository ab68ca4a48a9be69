/*
 * run: a job file (fio's INI format, dmremap-bench-run(1)) on the target.
 */
#include <stdio.h>
#include <string.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cmd/commands.h"
#include "jobs/jobfile.h"
#include "run/jobrun.h"
#include "util/log.h"

struct run_args {
	struct run_opts ro;
	const char *file;
};

/* Options and their checks: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct run_args *a)
{
	static const struct opt_usage usage = {
		.command = "run",
		.synopsis = "JOBFILE [--target PATH] [--duration T] [options]",
		.summary = "Run the workload a job file describes: fio's INI format, for the\n"
			   "options that mean the same thing here; any other option is refused\n"
			   "with its line. dmremap-bench-run(1) lists them. Options given here\n"
			   "win over the file's filename, runtime, ramp_time and ioengine.",
	};
	struct run_opts *ro = &a->ro;
	char *pos[1];
	int npos = 0, rc;

	memset(a, 0, sizeof(*a));
	runopts_defaults(ro);
	{
		const struct opt table[] = {
			RUNOPTS_TIME(ro),
			RUNOPTS_POOL(ro, "the job file's", "the job file's"),
			RUNOPTS_CONTROL(ro),
			RUNOPTS_VERIFY(ro),
			RUNOPTS_TARGET(ro),
			RUNOPTS_DM(ro),
			RUNOPTS_OUTPUT(ro),
			RUNOPTS_BASELINE(ro),
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, pos, 1, &npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	if (npos < 1) {
		log_error("missing JOBFILE (a job file in fio's format: dmremap-bench-run(1))");
		return EXIT_USAGE;
	}
	a->file = pos[0];
	if (runopts_validate(ro))
		return EXIT_USAGE;
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(run, struct run_args, parse)

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	struct jobfile jf;
	struct jobrun_part part = { .name = "job" };
	struct jobrun jr = { .command = "run", .parts = &part, .nparts = 1 };
	int rc = parse(argc, argv, &a);

	if (rc != PARSE_CONTINUE)
		return rc;
	if (jobfile_parse_file(&jf, a.file)) {
		log_error("%s", jf.err);
		jobfile_free(&jf);
		return EXIT_USAGE;
	}
	jobrun_apply_file(&jf, &a.ro);
	part.jf = &jf;
	part.ov.workers = a.ro.workers_set ? a.ro.workers : 0;
	part.ov.iodepth = a.ro.iodepth_set ? a.ro.iodepth : 0;
	jr.params = runopts_params_json(&a.ro);
	json_object_del(jr.params, "bs");
	json_object_del(jr.params, "rw");
	json_object_del(jr.params, "rwmix_read");
	json_object_set_new(jr.params, "job_file", json_string(a.file));
	snprintf(jr.title, sizeof(jr.title), "run %.400s", a.file);
	rc = jobrun_execute(&jr, &a.ro);
	jobfile_free(&jf);
	return rc;
}
