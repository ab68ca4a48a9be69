/*
 * setup: create one device-mapper device over a main and a spare device,
 * dm-remap-v4 by default, after checking everything the target would
 * otherwise reject (or worse, accept) in the kernel.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/options.h"
#include "cmd/commands.h"
#include "dm/dm.h"
#include "dm/stack.h"
#include "dm/state.h"
#include "util/log.h"
#include "util/timeutil.h"

#define REMAP_TYPE DMSTACK_REMAP_TYPE

struct setup_args {
	const char *main_dev, *spare_dev, *name_opt, *params, *type;
	uint64_t timeout_ns;
	bool force;
	char name[DMW_NAME_MAX + 8];  /* with the prefix */
};

/* Options and their checks, no I/O: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct setup_args *a)
{
	static const struct opt_usage usage = {
		.command = "setup",
		.synopsis = "--main DEV --spare DEV [--name NAME] [--target-type TYPE] [options]",
		.summary = "Create a device-mapper device (dm-remap-v4 by default) over a main and a\n"
			   "spare device, in one create+load+resume step, and print its path.",
	};
	int npos = 0, rc;

	memset(a, 0, sizeof(*a));
	a->type = REMAP_TYPE;
	a->timeout_ns = DMW_DEFAULT_TIMEOUT_MS * NSEC_PER_MSEC;
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Devices" },
			{ .type = OPT_STRING, .name = "main", .value = &a->main_dev, .argh = "DEV",
			  .help = "the device to map: a block device, or a file (gets a loop device)" },
			{ .type = OPT_STRING, .name = "spare", .value = &a->spare_dev, .argh = "DEV",
			  .help = "the spare device dm-remap writes metadata and remaps to" },
			{ .type = OPT_STRING, .name = "name", .value = &a->name_opt, .argh = "NAME",
			  .help = "device name; '" DMW_NAME_PREFIX "' is added (default dmrb-<main>)" },
			{ .type = OPT_STRING, .name = "target-type", .value = &a->type, .argh = "TYPE",
			  .choices = dmstack_type_names,
			  .help = "dm target: dm-remap-v4 (default), linear, error, zero, or any "
				  "with --params" },
			{ .type = OPT_STRING, .name = "params", .value = &a->params,
			  .argh = "STRING", .help = "the target's table parameters, verbatim "
			  "(default: made for the types above)" },
			{ .type = OPT_BOOL, .name = "force", .value = &a->force,
			  .help = "use a spare that carries a filesystem or partition signature" },
			{ .type = OPT_DURATION, .name = "timeout", .value = &a->timeout_ns, .argh = "T",
			  .min = NSEC_PER_SEC, .max = 3600 * NSEC_PER_SEC,
			  .help = "give up on a device-mapper call after T (default 10s)" },
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, NULL, 0, &npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	if (!a->main_dev) {
		log_error("--main: missing (the device to map)");
		return EXIT_USAGE;
	}
	if (!a->spare_dev && !strcmp(a->type, REMAP_TYPE)) {
		log_error("--spare: missing (dm-remap-v4 needs a spare device)");
		return EXIT_USAGE;
	}
	if (!a->params && !dmstack_known_type(a->type)) {
		log_error("--target-type: give the table parameters of %s with --params "
			  "(dmremap-bench knows those of dm-remap-v4, linear, error and zero)",
			  a->type);
		return EXIT_USAGE;
	}
	if (!a->name_opt) {
		const char *base = strrchr(a->main_dev, '/');

		a->name_opt = base ? base + 1 : a->main_dev;
	}
	if (dmw_make_name(a->name_opt, a->name, sizeof(a->name))) {
		log_error("--name: %s", a->name);
		return EXIT_USAGE;
	}
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(setup, struct setup_args, parse)

/*
 * Devices that earlier removals left stuck in the kernel: one warning each.
 * A main or spare device one of them holds is refused by the member checks
 * (dm/stack.c) with the same words. Reads only: nothing is cleaned here.
 */
static void warn_stuck(void)
{
	struct dmstate_review rv;
	long long now = (long long)time(NULL);
	char line[1200];
	size_t i;

	dmstate_review_now(NULL, false, &rv);
	for (i = 0; i < rv.n; i++) {
		dmstate_stuck_line(&rv.v[i], now, line, sizeof(line));
		log_warn("%s", line);
	}
	dmstate_review_free(&rv);
}

int cmd_setup(int argc, char **argv)
{
	struct setup_args a;
	struct dmstack st;
	char err[512];
	int rc = parse(argc, argv, &a);

	if (rc != PARSE_CONTINUE)
		return rc;
	if (geteuid() != 0) {
		log_error("setup needs root (it creates device-mapper devices)");
		return EXIT_USAGE;
	}
	if (!dmstate_dir(err, sizeof(err))) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	warn_stuck();
	dmstack_init(&st, (unsigned)(a.timeout_ns / NSEC_PER_MSEC));
	rc = dmstack_build(&st, &(struct dmstack_spec){
		.main = a.main_dev, .spare = a.spare_dev, .main_fd = -1, .spare_fd = -1,
		.type = a.type, .params = a.params, .name = a.name, .name_opt = "--name",
		.force = a.force,
	});
	if (rc == 0) {
		printf("%s\n", st.info.devnode);
		log_info("created %s (%s, %u:%u): %s, %llu sectors, table '0 %llu %s %s'",
			 st.name, st.info.sysname, st.info.major, st.info.minor, st.type,
			 (unsigned long long)st.sectors, (unsigned long long)st.sectors,
			 st.type, st.params);
	}
	/* The device stays: its loop devices, if any, go with it (autoclear). */
	dmstack_close(&st);
	return rc;
}
