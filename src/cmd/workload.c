/*
 * workload: a production workload, from the job files shipped in jobs/
 * (database, file_server, virtualization at each intensity; mixed runs
 * the three in turn), or from the user's own with --job FILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cmd/commands.h"
#include "jobs/jobfile.h"
#include "jobs/shipped.h"
#include "profiles/workload.h"
#include "run/jobrun.h"
#include "util/log.h"
#include "util/timeutil.h"

#define MAX_PHASES 64

struct workload_args {
	struct run_opts ro;
	enum workload_type type;
	int intensity;
	unsigned phases;
	const char *job;             /* --job FILE */
	bool list, show;
};

/* Options and their checks: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct workload_args *a)
{
	static const struct opt_usage usage = {
		.command = "workload",
		.synopsis = "TYPE [--intensity LEVEL] [--duration T] [options]\n"
			    "       dmremap-bench workload --job FILE [options]\n"
			    "       dmremap-bench workload --list | --show TYPE [--intensity LEVEL]",
		.args = workload_names,
		.summary = "Simulate a production workload: TYPE is database, file_server,\n"
			   "virtualization or mixed (or 0-3); LEVEL is light, moderate, heavy\n"
			   "or extreme (or 1-4). Each is a job file shipped with the tool\n"
			   "(--list, --show); --job runs one of your own (dmremap-bench-run(1)).",
	};
	struct run_opts *ro = &a->ro;
	char *pos[1];
	int npos = 0, rc, type;

	memset(a, 0, sizeof(*a));
	a->intensity = 1;
	a->phases = 3;
	runopts_defaults(ro);
	ro->duration_ns = 300 * NSEC_PER_SEC;
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Workload" },
			{ .type = OPT_CHOICE, .name = "intensity", .value = &a->intensity,
			  .argh = "LEVEL", .choices = intensity_names, .aliases = intensity_codes,
			  .help = "light, moderate, heavy, extreme or 1-4 (default moderate)" },
			{ .type = OPT_UINT, .name = "phases", .value = &a->phases, .argh = "N",
			  .min = 3, .max = MAX_PHASES,
			  .help = "mixed: phases in rotation, of equal length (default 3)" },
			{ .type = OPT_STRING, .name = "job", .value = &a->job, .argh = "FILE",
			  .help = "run a job file (fio's format, dmremap-bench-run(1)) instead of TYPE" },
			{ .type = OPT_BOOL, .name = "list", .value = &a->list,
			  .help = "list the shipped job files and what each describes" },
			{ .type = OPT_BOOL, .name = "show", .value = &a->show,
			  .help = "print the job file of TYPE at --intensity, to start your own from" },
			RUNOPTS_TIME(ro),
			RUNOPTS_POOL(ro, "the profile's", "the profile's"),
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
	if (a->list && (a->show || a->job || npos)) {
		log_error("--list takes no TYPE, --show or --job");
		return EXIT_USAGE;
	}
	if (a->list)
		return PARSE_CONTINUE;
	if (a->job && (npos || a->show)) {
		log_error("--job FILE: no TYPE and no --show with it (the file is the workload)");
		return EXIT_USAGE;
	}
	if (!a->job && npos < 1) {
		log_error("missing workload TYPE (allowed: database, file_server, virtualization, "
			  "mixed, or 0-3; or --job FILE)");
		return EXIT_USAGE;
	}
	if (!a->job) {
		type = opts_choice_index(workload_names, workload_codes, pos[0]);
		if (type < 0) {
			opts_bad_value("TYPE", pos[0],
				       "database, file_server, virtualization, mixed, or 0-3");
			return EXIT_USAGE;
		}
		a->type = (enum workload_type)type;
	}
	if (a->show && a->type == WL_MIXED) {
		log_error("--show mixed: mixed runs database, file_server and virtualization in "
			  "turn; show one of them");
		return EXIT_USAGE;
	}
	if (a->show)
		return PARSE_CONTINUE;
	if (!a->job && a->type == WL_MIXED && runopts_interleaved(ro)) {
		log_error("%s: workload mixed runs several phases; not supported (use one "
			  "profile: database, file_server or virtualization)",
			  ro->reference ? "--reference" : "--compare-linear");
		return EXIT_USAGE;
	}
	if (!a->job && a->type == WL_MIXED && ro->duration_ns / a->phases < NSEC_PER_SEC) {
		log_error("--duration: %llus is too short for %u phases (allowed: at least 1s a phase)",
			  (unsigned long long)(ro->duration_ns / NSEC_PER_SEC), a->phases);
		return EXIT_USAGE;
	}
	if (runopts_validate(ro))
		return EXIT_USAGE;
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(workload, struct workload_args, parse)

/* Load the shipped file of type at the intensity; EXIT_USAGE with the reason printed. */
static int load_shipped(struct jobfile *jf, enum workload_type type, int intensity)
{
	char path[PATH_MAX];

	if (jobs_shipped_path(workload_names[type], intensity_names[intensity], path,
			      sizeof(path))) {
		log_error("the job files' directory %s: path too long", jobs_dir());
		return EXIT_USAGE;
	}
	if (jobfile_parse_file(jf, path)) {
		log_error("%s", jf->err);
		return EXIT_USAGE;
	}
	return 0;
}

static int run_workload(struct workload_args *a)
{
	struct run_opts *ro = &a->ro;
	struct jobfile files[MIXED_NPHASES];
	struct jobrun_part parts[MAX_PHASES];
	unsigned nfiles = 0, i;
	struct jobrun jr = { .command = "workload", .parts = parts };
	int rc = 0;

	memset(files, 0, sizeof(files));
	memset(parts, 0, sizeof(parts));
	if (a->job) {
		rc = jobfile_parse_file(&files[0], a->job) ? EXIT_USAGE : 0;
		if (rc)
			log_error("%s", files[0].err);
		nfiles = 1;
	} else if (a->type == WL_MIXED) {
		for (i = 0; i < MIXED_NPHASES && !rc; i++, nfiles++)
			rc = load_shipped(&files[i], mixed_phases[i], a->intensity);
	} else {
		rc = load_shipped(&files[0], a->type, a->intensity);
		nfiles = 1;
	}
	if (rc)
		goto out;
	if (a->job)
		jobrun_apply_file(&files[0], ro);
	jr.nparts = !a->job && a->type == WL_MIXED ? a->phases : 1;
	for (i = 0; i < jr.nparts; i++) {
		struct jobrun_part *p = &parts[i];
		enum workload_type t = a->job ? a->type :
			a->type == WL_MIXED ? mixed_phases[i % MIXED_NPHASES] : a->type;

		p->jf = &files[a->type == WL_MIXED && !a->job ? i % MIXED_NPHASES : 0];
		p->ov.workers = ro->workers_set ? ro->workers : 0;
		p->ov.iodepth = ro->iodepth_set ? ro->iodepth : 0;
		if (!a->job && a->type == WL_MIXED) {
			/* Every phase with mixed's own base, not its profile's. */
			if (!p->ov.workers)
				p->ov.workers = MIXED_BASE_WORKERS *
					intensity_levels[a->intensity].factor;
			p->duration_ns = ro->duration_ns / a->phases;
			p->no_ramp = i > 0;
		}
		snprintf(p->name, sizeof(p->name), "%s", a->job ? "job" : workload_names[t]);
	}
	jr.params = runopts_params_json(ro);
	/* The job files fix sizes and mix; their streams say what ran. */
	json_object_del(jr.params, "bs");
	json_object_del(jr.params, "rw");
	json_object_del(jr.params, "rwmix_read");
	if (a->job) {
		json_object_set_new(jr.params, "job_file", json_string(a->job));
		snprintf(jr.title, sizeof(jr.title), "workload --job %s", a->job);
	} else {
		json_object_set_new(jr.params, "type", json_string(workload_names[a->type]));
		json_object_set_new(jr.params, "intensity",
				    json_string(intensity_levels[a->intensity].name));
		snprintf(jr.title, sizeof(jr.title), "workload %s, intensity %s",
			 workload_names[a->type], intensity_levels[a->intensity].name);
	}
	json_object_set_new(jr.params, "workers_override",
			    json_integer(ro->workers_set ? ro->workers : 0));
	json_object_set_new(jr.params, "iodepth_override",
			    json_integer(ro->iodepth_set ? ro->iodepth : 0));
	if (!a->job && a->type == WL_MIXED)
		json_object_set_new(jr.params, "phases", json_integer(a->phases));
	rc = jobrun_execute(&jr, ro);
out:
	for (i = 0; i < MIXED_NPHASES; i++)
		jobfile_free(&files[i]);
	return rc;
}

int cmd_workload(int argc, char **argv)
{
	struct workload_args a;
	int rc = parse(argc, argv, &a);

	if (rc != PARSE_CONTINUE)
		return rc;
	if (a.list)
		return jobs_list(stdout) ? EXIT_RUNTIME : EXIT_OK;
	if (a.show) {
		char path[PATH_MAX];

		if (jobs_shipped_path(workload_names[a.type], intensity_names[a.intensity], path,
				      sizeof(path)))
			return EXIT_USAGE;
		return jobs_show(stdout, path) ? EXIT_USAGE : EXIT_OK;
	}
	return run_workload(&a);
}
