/* dmremap-bench: the dispatcher. Global options, then one command. */
#include <stdio.h>
#include <string.h>

#include "cli/options.h"
#include "cli/version.h"
#include "cmd/commands.h"
#include "run/supervise.h"
#include "util/log.h"
#include "util/signals.h"


static void usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "Usage: dmremap-bench [--help] [--version] <command> [options]\n\n"
		   "Benchmark and validate Linux device-mapper devices, above all the\n"
		   "dm-remap target, with real O_DIRECT I/O.\n\nCommands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-14s %s\n", c->name, c->summary);
	fprintf(f, "\nRun 'dmremap-bench <command> --help' for a command's options;\n"
		   "see dmremap-bench(1) and dmremap-bench-<command>(1).\n");
}

static int unknown_command(const char *name)
{
	char list[512] = "";
	const struct command *c;
	size_t used = 0;

	for (c = commands; c->name; c++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
					 used ? ", " : "", c->name);
	log_error("unknown command '%s' (allowed: %s)", name, list);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct command *c;
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		version_print(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		c = command_find(argv[2]);
		if (!c)
			return unknown_command(argv[2]);
		{
			char *hv[] = { argv[2], (char *)"--help", NULL };

			log_set_command(c->name);
			return c->run(2, hv);
		}
	}
	if (name[0] == '-') {
		log_error("unknown option '%s' (allowed before the command: --help, --version)",
			  name);
		return EXIT_USAGE;
	}
	c = command_find(name);
	if (!c)
		return unknown_command(name);
	log_set_command(c->name);
	signals_install();
	/* A run command's child (see run/supervise.h) tells its parent how it ended. */
	return supervise_finish(c->run(argc - 1, argv + 1));
}
