/*
 * compare: two result files offline (dmremap-bench results or fio JSON),
 * B against A, with the same rules as --baseline.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cmd/commands.h"
#include "compare/compare.h"
#include "compare/metrics.h"
#include "result/load.h"
#include "result/output.h"
#include "result/result_csv.h"
#include "result/result_dump.h"
#include "util/log.h"

static json_t *load(const char *path)
{
	char err[1024];
	struct metric_set ms;
	json_t *doc;

	/* Files only (or - for standard input): a bare name is never a stored baseline. */
	doc = result_load(path, LOAD_STDIN, err, sizeof(err));
	if (!doc) {
		log_error("%s", err);
		return NULL;
	}
	/* Name the file that cannot be compared, whichever side it is on. */
	if (metrics_from_doc(doc, &ms, err, sizeof(err))) {
		log_error("%s %s", strcmp(path, "-") ? path : "standard input", err);
		json_decref(doc);
		return NULL;
	}
	metrics_free(&ms);
	return doc;
}

/* The candidate's own I/O or verification errors make the comparison moot. */
static bool candidate_had_errors(json_t *doc)
{
	json_t *e = json_object_get(json_object_get(doc, "results"), "errors");

	return json_integer_value(json_object_get(e, "io")) +
	       json_integer_value(json_object_get(e, "short")) +
	       json_integer_value(json_object_get(e, "verify")) > 0;
}

struct compare_args {
	struct run_opts ro;
	char *pos[2];
};

/* Options and their checks: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct compare_args *args)
{
	static const struct opt_usage usage = {
		.command = "compare",
		.synopsis = "A.json B.json [options]",
		.args_kind = COMPLETE_FILE,
		.summary = "Compare result B (the candidate) against A: dmremap-bench results or\n"
			   "fio --output-format=json files. Exit 0 no regression, 1 regression,\n"
			   "2 refused or bad input, 3 B had I/O errors.",
	};
	struct run_opts *ro = &args->ro;
	int npos = 0, rc;

	runopts_defaults(ro);
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Verdict" },
			RUNOPTS_VERDICT(ro),
			{ .type = OPT_GROUP, .help = "Output" },
			{ .type = OPT_STRING, .name = "output", .short_name = 'o',
			  .value = &ro->output, .argh = "FILE",
			  .help = "write the comparison to FILE (JSON, or CSV with --output-format "
				  "csv), - for stdout (see OUTPUTS in dmremap-bench(1))" },
			{ .type = OPT_CHOICE, .name = "output-format", .value = &ro->output_format,
			  .argh = "FMT", .choices = run_format_names,
			  .help = "normal (the table), json or csv (one row per metric)" },
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, args->pos, 2, &npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	if (npos != 2) {
		log_error("expected two result files A.json B.json (got %d)", npos);
		return EXIT_USAGE;
	}
	if (runopts_validate_verdict(ro))
		return EXIT_USAGE;
	if (strcmp(args->pos[0], "-") == 0 && strcmp(args->pos[1], "-") == 0) {
		log_error("A.json and B.json are both - (standard input holds one of them)");
		return EXIT_USAGE;
	}
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(compare, struct compare_args, parse)

int cmd_compare(int argc, char **argv)
{
	struct compare_args args;
	int rc = parse(argc, argv, &args);
	struct run_opts ro;
	struct compare_cfg cfg;
	struct comparison c;
	char **pos = args.pos, err[1024], why[OUTPUT_WHY_LEN];
	json_t *a = NULL, *b = NULL;
	bool to_stdout = false;

	if (rc != PARSE_CONTINUE)
		return rc;
	ro = args.ro;
	rc = 0;
	if (ro.output) {
		if (output_check(ro.output, why, sizeof(why))) {
			log_error("--output: %s", why);
			return EXIT_USAGE;
		}
		to_stdout = output_is_stdout(ro.output);
	}
	a = load(pos[0]);
	b = a ? load(pos[1]) : NULL;
	if (!a || !b) {
		json_decref(a);
		return EXIT_USAGE;
	}
	runopts_compare_cfg(&ro, &cfg);
	if (compare_docs(a, b, pos[0], &cfg, &c, err, sizeof(err))) {
		log_error("%s", err);
		json_decref(a);
		json_decref(b);
		return EXIT_USAGE;
	}
	if (ro.output_format != OUT_NORMAL || ro.output) {
		json_t *doc = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:o}",
					"schema_version", 1, "tool", "dmremap-bench",
					"version", PACKAGE_VERSION, "command", "compare",
					"a", pos[0], "b", pos[1], "comparison", comparison_json(&c));
		char *data = ro.output_format == OUT_CSV ?
			comparison_csv(json_object_get(doc, "comparison")) : result_dumps(doc);

		if (ro.output && !data) {
			log_error("--output: cannot write %s: out of memory", ro.output);
			rc = EXIT_RUNTIME;
		} else if (ro.output) {
			/* data is the output's now. */
			if (output_write(ro.output, data, strlen(data), "the comparison", why,
					 sizeof(why))) {
				log_error("--output: %s", why);
				rc = EXIT_RUNTIME;
			}
		} else if (data) {
			printf(ro.output_format == OUT_CSV ? "%s" : "%s\n", data);
			free(data);
		}
		json_decref(doc);
	}
	/* Standard output holds the document when -o names it. */
	if (ro.output_format == OUT_NORMAL && !to_stdout)
		comparison_print(stdout, &c);
	if (!rc)
		rc = candidate_had_errors(b) ? EXIT_IO : comparison_exit_status(&c);
	if (c.refused)
		log_error("refused: the workload parameters of %s and %s differ "
			  "(--allow-mismatch compares anyway)", pos[0], pos[1]);
	comparison_free(&c);
	json_decref(a);
	json_decref(b);
	return rc;
}
