/*
 * completion: the bash completion script, written from the commands' own
 * option tables at run time (like `gh completion`), and the list of stored
 * baselines the script offers.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/complete.h"
#include "cli/options.h"
#include "cmd/commands.h"
#include "result/baseline_store.h"
#include "util/log.h"

static const char *const what_names[] = { "bash", "baselines", NULL };
enum { WHAT_BASH, WHAT_BASELINES };

struct completion_args {
	const char *dirarg;
	int what;
};

static int parse(int argc, char **argv, struct completion_args *a)
{
	static const struct opt_usage usage = {
		.command = "completion",
		.synopsis = "bash | baselines [--baseline-dir DIR]",
		.summary = "Print the bash completion script (made from the option tables of this\n"
			   "program), or the names of the stored baselines, one a line.",
		.args = what_names,
	};
	char *pos[1];
	int npos = 0, rc;

	a->dirarg = NULL;
	{
		const struct opt table[] = {
			{ .type = OPT_STRING, .name = "baseline-dir", .value = &a->dirarg,
			  .argh = "DIR",
			  .help = "baselines: the store (default: see dmremap-bench-baseline(1))" },
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, pos, 1, &npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	if (npos != 1) {
		log_error("missing what to print (allowed: bash, baselines)");
		return EXIT_USAGE;
	}
	a->what = opts_choice_index(what_names, NULL, pos[0]);
	if (a->what < 0) {
		opts_bad_value("completion", pos[0], "bash, baselines");
		return EXIT_USAGE;
	}
	if (a->dirarg && a->what != WHAT_BASELINES) {
		log_error("--baseline-dir: applies to 'completion baselines' only");
		return EXIT_USAGE;
	}
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(completion, struct completion_args, parse)

/* Only names --baseline takes: a file in the store named otherwise is no baseline. */
static void print_name(const char *name, const char *path, void *arg)
{
	(void)path;
	(void)arg;
	if (!baseline_name_check(name))
		printf("%s\n", name);
}

static int print_script(void)
{
	struct complete_cmd cmds[32];
	const struct command *c;
	size_t n = 0, i;
	int rc = EXIT_OK;

	for (c = commands; c->name && n < sizeof(cmds) / sizeof(cmds[0]); c++) {
		if (complete_capture(c->name, c->parse_only, &cmds[n])) {
			rc = EXIT_RUNTIME;
			break;
		}
		n++;
	}
	if (rc == EXIT_OK && c->name) {
		log_error("more than %zu commands: make room in print_script()", n);
		rc = EXIT_RUNTIME;
	}
	if (rc == EXIT_OK)
		complete_bash(stdout, cmds, n, PACKAGE_VERSION);
	for (i = 0; i < n; i++)
		complete_free(&cmds[i]);
	if (rc == EXIT_OK && (fflush(stdout) || ferror(stdout))) {
		log_error("cannot write the script to standard output: %s", strerror(errno));
		rc = EXIT_RUNTIME;
	}
	return rc;
}

int cmd_completion(int argc, char **argv)
{
	struct completion_args a;
	int rc = parse(argc, argv, &a);
	char dir[PATH_MAX];

	if (rc != PARSE_CONTINUE)
		return rc;
	if (a.what == WHAT_BASH)
		return print_script();
	baseline_dir(a.dirarg, dir, sizeof(dir));
	if (baseline_list(dir, print_name, NULL) < 0) {
		log_error("cannot read %s: %s", dir, strerror(errno));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}
