/* The command table: one line per command, one source file per command. */
#include <string.h>

#include "cmd/commands.h"

const struct command commands[] = {
	{ "concurrency", cmd_concurrency, parse_concurrency,
	  "keep up to 10000 O_DIRECT I/Os in flight and measure the target" },
	{ "workload", cmd_workload, parse_workload,
	  "simulate database, file_server, virtualization or mixed production I/O" },
	{ "run", cmd_run, parse_run,
	  "run a job file (fio's format): streams, flush/FUA/discard, open-loop arrivals" },
	{ "scale", cmd_scale, parse_scale,
	  "measure how IOPS and latency change as the span grows to TB scale" },
	{ "sweep", cmd_sweep, parse_sweep,
	  "find the knee: one workload at rising depths or rates, and its CPU cost" },
	{ "endurance", cmd_endurance, parse_endurance,
	  "run a steady workload for up to 24 hours and report drift" },
	{ "compare", cmd_compare, parse_compare,
	  "compare two results (or fio JSON) and report regressions" },
	{ "merge", cmd_merge, parse_merge,
	  "merge the results of hosts that ran the same job at once into a fleet result" },
	{ "baseline", cmd_baseline, parse_baseline,
	  "list, show, delete or import stored baselines" },
	{ "setup", cmd_setup, parse_setup,
	  "create a dm-remap-v4 (or linear, ...) device over a main and a spare device" },
	{ "teardown", cmd_teardown, parse_teardown,
	  "remove the device-mapper and loop devices dmremap-bench created" },
	{ "status", cmd_status, parse_status,
	  "show a device's table and status, dm-remap-v4 fields by name" },
	{ "report", cmd_report, parse_report,
	  "draw a result as a self-contained HTML page with SVG charts" },
	{ "validate", cmd_validate, parse_validate,
	  "check that dm-remap remaps bad sectors: retries, data and counters" },
	{ "completion", cmd_completion, parse_completion,
	  "print the bash completion script, made from these commands' options" },
	{ NULL, NULL, NULL, NULL },
};

const struct command *command_find(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int command_parse_only(const char *name, int argc, char **argv)
{
	const struct command *c = command_find(name);

	return c ? c->parse_only(argc, argv) : 2;
}
