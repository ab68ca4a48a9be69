/*
 * workload: production workload simulation from the profile tables in
 * src/profiles/workload.c (database, file_server, virtualization, mixed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cmd/commands.h"
#include "profiles/workload.h"
#include "result/result_json.h"
#include "result/result_text.h"
#include "run/multirun.h"
#include "run/session.h"
#include "util/log.h"
#include "util/timeutil.h"

#define MAX_PHASES 64

struct workload_run {
	enum workload_type type;
	int intensity;
	unsigned phases;
	struct run_part *parts;
	unsigned nparts;
	struct run_result total;
	struct session *s;
};

static void print_summary(FILE *f, void *arg)
{
	const struct workload_run *w = arg;
	char tgt[PATH_MAX + 128];
	unsigned i;

	session_describe_target(w->s, tgt, sizeof(tgt));
	fprintf(f, "workload %s, intensity %s, seed %llu%s\n", workload_names[w->type],
		intensity_levels[w->intensity].name, (unsigned long long)w->s->ro->seed,
		w->total.signal ? " [interrupted]" : "");
	fprintf(f, "  target: %s\n", tgt);
	for (i = 0; i < w->nparts && w->parts[i].ran; i++) {
		if (w->nparts > 1)
			fprintf(f, "phase %u: %s\n", i + 1, w->parts[i].name);
		run_result_print_streams(f, &w->parts[i].res);
		run_result_print(f, &w->parts[i].res);
	}
	if (w->nparts > 1) {
		fprintf(f, "all phases:\n");
		run_result_print(f, &w->total);
	}
}

static json_t *workload_params(const struct workload_run *w, const struct run_opts *ro)
{
	json_t *p = runopts_params_json(ro), *streams = json_array();
	unsigned i, j;

	/* The profile fixes sizes and mix; its streams say what ran. */
	json_object_del(p, "bs");
	json_object_del(p, "rw");
	json_object_del(p, "rwmix_read");
	json_object_set_new(p, "type", json_string(workload_names[w->type]));
	json_object_set_new(p, "intensity", json_string(intensity_levels[w->intensity].name));
	json_object_set_new(p, "workers_override", json_integer(ro->workers_set ? ro->workers : 0));
	json_object_set_new(p, "iodepth_override", json_integer(ro->iodepth_set ? ro->iodepth : 0));
	if (w->type == WL_MIXED)
		json_object_set_new(p, "phases", json_integer(w->phases));
	for (i = 0; i < w->nparts; i++) {
		json_t *ph = json_array();

		for (j = 0; j < w->parts[i].job.nstreams; j++)
			json_array_append_new(ph, stream_spec_json(&w->parts[i].job.streams[j]));
		json_array_append_new(streams, ph);
	}
	json_object_set_new(p, "streams", w->nparts == 1 ?
			    json_incref(json_array_get(streams, 0)) : json_incref(streams));
	json_decref(streams);
	return p;
}

static json_t *workload_results(const struct workload_run *w)
{
	json_t *r;
	unsigned i;

	if (w->nparts == 1)
		return run_result_json(&w->parts[0].res);
	r = run_result_json(&w->total);
	{
		json_t *phases = json_array();

		for (i = 0; i < w->nparts && w->parts[i].ran; i++) {
			json_t *ph = run_result_json(&w->parts[i].res);

			json_object_set_new(ph, "name", json_string(w->parts[i].name));
			json_object_set_new(ph, "phase", json_integer(i + 1));
			json_array_append_new(phases, ph);
		}
		json_object_set_new(r, "phases", phases);
	}
	return r;
}

/* The streams of every part, built from the tables. */
static int build_parts(struct workload_run *w, struct session *s, const struct run_opts *ro)
{
	const struct workload_profile *prof = &workload_profiles[w->type];
	struct workload_overrides ov = {
		.workers = ro->workers_set ? ro->workers : 0,
		.iodepth = ro->iodepth_set ? ro->iodepth : 0,
		.rate_iops = ro->rate_iops,
	};
	unsigned i;

	w->nparts = w->type == WL_MIXED ? w->phases : 1;
	w->parts = calloc(w->nparts, sizeof(*w->parts));
	if (!w->parts)
		return -1;
	for (i = 0; i < w->nparts; i++) {
		enum workload_type t = w->type == WL_MIXED ? prof->phases[i % prof->nphases] : w->type;
		unsigned base = w->type == WL_MIXED ? prof->base_workers : workload_profiles[t].base_workers;
		unsigned max = workload_max_streams(t, (unsigned)w->intensity, base, &ov);
		struct stream_spec *st = calloc(max, sizeof(*st));
		int n;

		if (!st)
			return -1;
		n = workload_build(t, (unsigned)w->intensity, base, &ov, s->target.size, st, max);
		if (n < 0) {
			free(st);
			return -1;
		}
		session_job_init(s, &w->parts[i].job, st, (unsigned)n);
		if (w->type == WL_MIXED) {
			w->parts[i].job.duration_ns = ro->duration_ns / w->phases;
			if (i)
				w->parts[i].job.ramp_ns = 0;
			snprintf(w->parts[i].name, sizeof(w->parts[i].name), "%s",
				 workload_names[t]);
		} else {
			snprintf(w->parts[i].name, sizeof(w->parts[i].name), "%s",
				 workload_names[t]);
		}
	}
	return 0;
}

static void free_parts(struct workload_run *w)
{
	unsigned i;

	if (!w->parts)
		return;
	for (i = 0; i < w->nparts; i++)
		free(w->parts[i].job.streams);
	multirun_free(w->parts, w->nparts, &w->total);
	free(w->parts);
}

/* Every block size the profile (all phases for mixed) uses. */
static unsigned profile_block_sizes(enum workload_type type, uint32_t *out, unsigned max)
{
	const struct workload_profile *p = &workload_profiles[type];
	unsigned i, j, n = 0;

	if (type == WL_MIXED) {
		for (i = 0; i < p->nphases; i++)
			n += profile_block_sizes(p->phases[i], out + n, max - n);
		return n;
	}
	for (i = 0; i < p->nstreams; i++)
		for (j = 0; j < p->streams[i].nbs && n < max; j++)
			out[n++] = p->streams[i].bs[j].bs;
	return n;
}

struct workload_args {
	struct workload_run w;
	struct run_opts ro;
};

/* Options and their checks: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct workload_args *a)
{
	static const struct opt_usage usage = {
		.command = "workload",
		.synopsis = "TYPE [--intensity LEVEL] [--duration T] [options]",
		.args = workload_names,
		.summary = "Simulate a production workload: TYPE is database, file_server,\n"
			   "virtualization or mixed (or 0-3); LEVEL is light, moderate, heavy\n"
			   "or extreme (or 1-4). Profiles are listed in dmremap-bench-workload(1).",
	};
	struct workload_run *w = &a->w;
	struct run_opts *ro = &a->ro;
	char *pos[1];
	int npos = 0, rc, type;

	*w = (struct workload_run){ .intensity = 1, .phases = 3 };

	runopts_defaults(ro);
	ro->duration_ns = 300 * NSEC_PER_SEC;
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Workload" },
			{ .type = OPT_CHOICE, .name = "intensity", .value = &w->intensity,
			  .argh = "LEVEL", .choices = intensity_names, .aliases = intensity_codes,
			  .help = "light, moderate, heavy, extreme or 1-4 (default moderate)" },
			{ .type = OPT_UINT, .name = "phases", .value = &w->phases, .argh = "N",
			  .min = 3, .max = MAX_PHASES,
			  .help = "mixed: phases in rotation, of equal length (default 3)" },
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
	if (npos < 1) {
		log_error("missing workload TYPE (allowed: database, file_server, virtualization, "
			  "mixed, or 0-3)");
		return EXIT_USAGE;
	}
	type = opts_choice_index(workload_names, workload_codes, pos[0]);
	if (type < 0) {
		opts_bad_value("TYPE", pos[0], "database, file_server, virtualization, mixed, or 0-3");
		return EXIT_USAGE;
	}
	w->type = (enum workload_type)type;
	if (w->type == WL_MIXED && runopts_interleaved(ro)) {
		log_error("%s: workload mixed runs several phases; not supported (use one "
			  "profile: database, file_server or virtualization)",
			  ro->reference ? "--reference" : "--compare-linear");
		return EXIT_USAGE;
	}
	if (w->type == WL_MIXED && ro->duration_ns / w->phases < NSEC_PER_SEC) {
		log_error("--duration: %llus is too short for %u phases (allowed: at least 1s a phase)",
			  (unsigned long long)(ro->duration_ns / NSEC_PER_SEC), w->phases);
		return EXIT_USAGE;
	}
	if (runopts_validate(ro))
		return EXIT_USAGE;
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(workload, struct workload_args, parse)

int cmd_workload(int argc, char **argv)
{
	struct workload_args a;
	int rc = parse(argc, argv, &a);
	struct workload_run w;
	struct run_opts ro;
	struct session s;
	uint32_t bs[STREAM_MAX_BS * 4];
	unsigned nbs;
	json_t *doc;

	if (rc != PARSE_CONTINUE)
		return rc;
	w = a.w;
	ro = a.ro;
	nbs = profile_block_sizes(w.type, bs, sizeof(bs) / sizeof(bs[0]));
	rc = session_open(&s, "workload", &ro, bs, nbs, 16ULL << 20);
	if (rc) {
		return session_end(&s, rc);
	}
	if (ro.verify_only) {
		rc = session_verify_only(&s);
		return session_end(&s, rc);
	}
	w.s = &s;
	if (build_parts(&w, &s, &ro)) {
		log_error("out of memory building the workload streams");
		free_parts(&w);
		return session_end(&s, EXIT_RUNTIME);
	}
	if (w.nparts > 1)
		s.parts_key = "phases";
	rc = multirun(&s, w.parts, w.nparts, &w.total);
	if (rc) {
		free_parts(&w);
		return session_end(&s, rc);
	}
	doc = session_document(&s, workload_params(&w, &ro));
	json_object_set_new(doc, "results", workload_results(&w));
	json_object_set_new(doc, "interrupted", json_boolean(w.total.signal != 0));
	rc = session_emit(&s, doc, session_exit_status(&w.total), print_summary,
			  &w);
	json_decref(doc);
	free_parts(&w);
	return session_end(&s, rc);
}
