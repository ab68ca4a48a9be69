/* baseline: list, show, delete and import stored baselines. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cmd/commands.h"
#include "cli/runopts.h"
#include "compare/history_view.h"
#include "compare/metrics.h"
#include "result/baseline_store.h"
#include "result/history.h"
#include "result/load.h"
#include "result/output.h"
#include "result/result_dump.h"
#include "util/log.h"

struct list_state {
	unsigned refused;
};

/* One line per baseline; what is not one gets a line on stderr instead. */
static void list_one(const char *name, const char *path, void *arg)
{
	struct list_state *ls = arg;
	char err[1024], n[256], cmd[128], start[128], kernel[256];
	json_t *doc = result_load(path, 0, err, sizeof(err));
	json_t *env = json_object_get(doc, "environment");

	if (!doc) {
		log_error("%s", err);
		ls->refused++;
		return;
	}
	/* Names and fields come from files anyone may have put there: quoted like messages. */
	log_quote(n, sizeof(n), name);
	log_quote(cmd, sizeof(cmd), json_string_value(json_object_get(doc, "command")) ?:
		  (json_object_get(doc, "fio version") ? "fio" : "?"));
	log_quote(start, sizeof(start),
		  json_string_value(json_object_get(env, "start_time")) ?: "-");
	log_quote(kernel, sizeof(kernel), json_string_value(json_object_get(env, "kernel")) ?: "-");
	printf("%-24s %-12s %-22s %s\n", n, cmd, start, kernel);
	json_decref(doc);
}

static int check_name(const char *name)
{
	if (baseline_name_check(name)) {
		opts_bad_value("NAME", name, "1-64 letters, digits, '.', '_' or '-', "
			       "no '/', no leading dot");
		return -1;
	}
	return 0;
}

/* The actions, in this order (parse() counts their arguments by index). */
static const char *const actions[] = { "list", "show", "delete", "import", NULL };

struct baseline_args {
	const char *dirarg;
	char *pos[3];
	int action;
	int format;                 /* show: normal (the history in words) or json */
};

/* Options and their checks: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct baseline_args *args)
{
	static const struct opt_usage usage = {
		.command = "baseline",
		.synopsis = "list | show NAME [--output-format json] | delete NAME | import FILE NAME "
			    "[--baseline-dir DIR]",
		.summary = "Manage the stored baselines that --baseline and --save-baseline use.",
		.args = actions,
		/* The NAME of show and delete; completion knows import's FILE NAME. */
		.args_kind = COMPLETE_BASELINE,
	};
	char **pos = args->pos;
	int npos = 0, rc, action;

	args->dirarg = NULL;
	args->format = OUT_NORMAL;

	{
		const struct opt table[] = {
			{ .type = OPT_STRING, .name = "baseline-dir", .value = &args->dirarg, .argh = "DIR",
			  .help = "the store (default $DMREMAP_BENCH_BASELINE_DIR, "
				  "/var/lib/dmremap-bench/baselines as root)" },
			{ .type = OPT_CHOICE, .name = "output-format", .value = &args->format,
			  .argh = "FMT", .choices = out_format_names,
			  .help = "show: normal (the runs, their spread, change points) or json" },
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, pos, 3, &npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	if (npos < 1) {
		log_error("missing action (allowed: list, show NAME, delete NAME, import FILE NAME)");
		return EXIT_USAGE;
	}
	action = opts_choice_index(actions, NULL, pos[0]);
	if (action < 0) {
		opts_bad_value("action", pos[0], "list, show, delete, import");
		return EXIT_USAGE;
	}
	if (npos != (int[]){ 1, 2, 2, 3 }[action]) {
		log_error("%s: wrong number of arguments (usage: %s)", pos[0],
			  (const char *[]){ "list", "show NAME", "delete NAME",
					    "import FILE NAME" }[action]);
		return EXIT_USAGE;
	}
	if (action >= 1 && check_name(pos[action == 3 ? 2 : 1]))
		return EXIT_USAGE;
	args->action = action;
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(baseline, struct baseline_args, parse)

int cmd_baseline(int argc, char **argv)
{
	struct baseline_args args;
	int rc = parse(argc, argv, &args);
	char dir[PATH_MAX], path[PATH_MAX], err[1024], where[PATH_MAX];
	char **pos = args.pos;
	const char *dirarg = args.dirarg;
	json_t *doc;

	if (rc != PARSE_CONTINUE)
		return rc;
	baseline_dir(dirarg, dir, sizeof(dir));
	switch (args.action) {
	case 0: {
		struct list_state ls = { 0 };

		if (baseline_list(dir, list_one, &ls) < 0) {
			log_error("cannot read %s: %s", dir, strerror(errno));
			return EXIT_RUNTIME;
		}
		/* Something in the store that is no baseline: listed on stderr, exit 2. */
		return ls.refused ? EXIT_USAGE : EXIT_OK;
	}
	case 1:
		doc = baseline_load(dir, pos[1], where, sizeof(where), err, sizeof(err));
		if (!doc) {
			log_error("%s", err);
			return EXIT_USAGE;
		}
		if (args.format == OUT_JSON) {
			char *text = result_dumps(doc);

			if (!text) {
				log_error("out of memory for %s", where);
				json_decref(doc);
				return EXIT_RUNTIME;
			}
			printf("%s\n", text);
			free(text);
		} else if (history_print(stdout, doc, pos[1], where, err, sizeof(err))) {
			log_error("%s %s", where, err);
			json_decref(doc);
			return EXIT_USAGE;
		}
		json_decref(doc);
		return EXIT_OK;
	case 2:
		baseline_path(dir, pos[1], path, sizeof(path));
		if (baseline_delete(dir, pos[1])) {
			log_error("cannot delete '%s' (%s): %s", pos[1], path, strerror(errno));
			return errno == ENOENT ? EXIT_USAGE : EXIT_RUNTIME;
		}
		return EXIT_OK;
	default: {
		char why[OUTPUT_WHY_LEN];
		struct metric_set ms;
		bool refused;

		/* Where it would go, under the output rule, before anything is read. */
		baseline_path(dir, pos[2], path, sizeof(path));
		if (output_check(path, why, sizeof(why))) {
			log_error("%s", why);
			return EXIT_USAGE;
		}
		/* FILE is a file whatever its name; - reads standard input. */
		doc = result_load(pos[1], LOAD_STDIN, err, sizeof(err));
		if (!doc) {
			log_error("%s", err);
			return EXIT_USAGE;
		}
		/* Only what compare can read gets stored. */
		if (metrics_from_doc(doc, &ms, err, sizeof(err))) {
			log_error("%s %s", strcmp(pos[1], "-") ? pos[1] : "standard input", err);
			json_decref(doc);
			return EXIT_USAGE;
		}
		metrics_free(&ms);
		if (baseline_add(dir, pos[2], doc, 0, err, sizeof(err), &refused)) {
			log_error("import: not storing '%s': %s", pos[2], err);
			json_decref(doc);
			return refused ? EXIT_USAGE : EXIT_RUNTIME;
		}
		json_decref(doc);
		return EXIT_OK;
	}
	}
}
