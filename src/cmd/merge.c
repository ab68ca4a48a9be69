/*
 * merge: the results of runs that ran at the same time on several hosts
 * into one fleet document (result/merge.h has the rules): per-host rows,
 * their exact merge, the outliers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cmd/commands.h"
#include "result/fleet.h"
#include "result/load.h"
#include "result/merge.h"
#include "result/output.h"
#include "util/log.h"

#define MERGE_MAX_INPUTS 1024

struct merge_args {
	const char *output;
	int output_format;
	bool quiet, allow_mismatch;
	char **pos;
	int npos;
};

/* NAME=FILE: a host name before '=' (and no file of that whole name). */
static void split_name(char *arg, const char **name, const char **file)
{
	char *eq = strchr(arg, '=');
	struct stat st;
	size_t i;

	*name = NULL;
	*file = arg;
	if (!eq || eq == arg || stat(arg, &st) == 0)
		return;
	for (i = 0; arg + i < eq; i++)
		if (!((arg[i] >= 'a' && arg[i] <= 'z') || (arg[i] >= 'A' && arg[i] <= 'Z') ||
		      (arg[i] >= '0' && arg[i] <= '9') || strchr(".-_:", arg[i])))
			return;
	*eq = '\0';
	*name = arg;
	*file = eq + 1;
}

static int parse(int argc, char **argv, struct merge_args *a)
{
	static const struct opt_usage usage = {
		.command = "merge",
		.synopsis = "[NAME=]RESULT.json... [-o FLEET.json] [options]",
		.summary = "Merge the results of runs made at the same time on several hosts (the\n"
			   "same job on each, e.g. with --start-at) into one fleet result: a row\n"
			   "per host and device, their exact merge (histograms add: fleet\n"
			   "percentiles are those of all I/Os) and the outliers. NAME= names a\n"
			   "host (default: the hostname its result records).",
	};
	const struct opt table[] = {
		{ .type = OPT_GROUP, .help = "Merge" },
		{ .type = OPT_BOOL, .name = "allow-mismatch", .value = &a->allow_mismatch,
		  .help = "merge results whose workload parameters differ (listed in the result)" },
		{ .type = OPT_GROUP, .help = "Output" },
		{ .type = OPT_STRING, .name = "output", .short_name = 'o', .value = &a->output,
		  .argh = "FILE", .help = "write the fleet result (JSON) to FILE, - for stdout "
		  "(see OUTPUTS in dmremap-bench(1))" },
		{ .type = OPT_CHOICE, .name = "output-format", .value = &a->output_format,
		  .argh = "FMT", .choices = out_format_names,
		  .help = "normal or json (json goes to stdout without --output)" },
		{ .type = OPT_BOOL, .name = "quiet", .short_name = 'q', .value = &a->quiet,
		  .help = "no summary on stdout" },
		OPT_END_MARK,
	};
	int rc;

	memset(a, 0, sizeof(*a));
	a->pos = calloc(MERGE_MAX_INPUTS, sizeof(*a->pos));
	if (!a->pos) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	rc = opts_parse(argc, argv, table, &usage, a->pos, MERGE_MAX_INPUTS, &a->npos);
	if (rc == OPTS_HELP)
		return EXIT_OK;
	if (rc)
		return EXIT_USAGE;
	if (a->npos < 1) {
		log_error("expected at least one result file RESULT.json (one per host)");
		return EXIT_USAGE;
	}
	return PARSE_CONTINUE;
}

int parse_merge(int argc, char **argv)
{
	struct merge_args a;
	int rc = parse(argc, argv, &a);

	free(a.pos);
	return rc == PARSE_CONTINUE ? EXIT_OK : rc;
}

int cmd_merge(int argc, char **argv)
{
	struct merge_args a;
	struct merge_input *in = NULL;
	struct merge_opts mo;
	char err[2048], why[OUTPUT_WHY_LEN];
	json_t *fleet = NULL;
	int rc = parse(argc, argv, &a), i, n = 0;

	if (rc != PARSE_CONTINUE) {
		free(a.pos);
		return rc;
	}
	log_set_quiet(a.quiet);
	if (a.output && output_check(a.output, why, sizeof(why))) {
		log_error("--output: %s", why);
		rc = EXIT_USAGE;
		goto out;
	}
	in = calloc((size_t)a.npos, sizeof(*in));
	if (!in) {
		log_error("out of memory");
		rc = EXIT_RUNTIME;
		goto out;
	}
	for (i = 0; i < a.npos; i++, n++) {
		split_name(a.pos[i], &in[i].name, &in[i].source);
		in[i].doc = result_load(in[i].source, 0, err, sizeof(err));
		if (!in[i].doc) {
			log_error("%s", err);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	mo = (struct merge_opts){ .allow_mismatch = a.allow_mismatch };
	rc = merge_fleet(in, (size_t)n, &mo, &fleet, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		rc = rc == MERGE_REFUSED ? EXIT_USAGE : EXIT_RUNTIME;
		goto out;
	}
	if (a.output || a.output_format == OUT_JSON) {
		char *data = json_dumps(fleet, JSON_INDENT(2) | JSON_REAL_PRECISION(10));

		if (!data) {
			log_error("out of memory writing the fleet result");
			rc = EXIT_RUNTIME;
			goto out;
		}
		if (!a.output) {
			printf("%s\n", data);
			free(data);
		} else if (output_write(a.output, data, strlen(data), "the fleet result", why,
					sizeof(why))) {
			/* data is the output's now. */
			log_error("--output: %s", why);
			rc = EXIT_RUNTIME;
			goto out;
		}
	}
	/* The summary, unless standard output holds the document. */
	if (!a.quiet && a.output_format == OUT_NORMAL && !(a.output && output_is_stdout(a.output)))
		fleet_print(stdout, fleet);
	rc = EXIT_OK;
out:
	for (i = 0; i < n; i++)
		json_decref(in[i].doc);
	free(in);
	json_decref(fleet);
	free(a.pos);
	return rc;
}
