/*
 * validate: its options, checked, then validate_run() (src/validate/),
 * which builds the failing disk and the device under test, does the I/O
 * and makes the checks (see validate.h and dmremap-bench-validate(1)).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cli/units.h"
#include "cmd/commands.h"
#include "dm/dm.h"
#include "dm/stack.h"
#include "result/output.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "validate/validate.h"

#define MAX_RANGES VALIDATE_MAX_RANGES
#define MAX_BAD_SECTORS VALIDATE_MAX_BAD_SECTORS

static int add_range(struct validate_args *a, uint64_t s, uint64_t e)
{
	if (a->ngiven == MAX_RANGES) {
		log_error("--bad-sectors: more than %d ranges", MAX_RANGES);
		return -1;
	}
	a->given[a->ngiven++] = (struct range){ s, e - s + 1 };
	return 0;
}

/* "1000,2048-2055": sectors and inclusive ranges of sectors. */
static int parse_bad_list(struct validate_args *a, const char *list)
{
	const char *p = list;
	uint64_t total = 0;

	while (*p) {
		char *end;
		unsigned long long s, e;

		errno = 0;
		if (*p < '0' || *p > '9')
			goto bad;
		s = strtoull(p, &end, 10);
		e = s;
		if (errno)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			e = strtoull(p, &end, 10);
			if (errno || e < s)
				goto bad;
		}
		total += e - s + 1;
		if (e - s + 1 > MAX_BAD_SECTORS || total > MAX_BAD_SECTORS) {
			log_error("--bad-sectors: more than %d sectors", MAX_BAD_SECTORS);
			return -1;
		}
		if (add_range(a, s, e))
			return -1;
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	if (a->ngiven)
		return 0;
bad:
	opts_bad_value("--bad-sectors", list, "sectors and ranges of sectors, e.g. 1000,2048-2055");
	return -1;
}

/* Options and their checks, no I/O: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct validate_args *a)
{
	static const struct opt_usage usage = {
		.command = "validate",
		.synopsis = "--main DEV --spare DEV (--bad-sectors LIST | --bad-count N) [options]",
		.summary = "Build a failing disk (error segments at the bad sectors) under a\n"
			   "dm-remap-v4 device, write and read back every block with retries, and\n"
			   "check the remaps, the data and the target's counters. Destroys the\n"
			   "contents of the main and the spare device. Needs root.",
	};
	int npos = 0, rc;

	memset(a, 0, sizeof(*a));
	a->type = DMSTACK_REMAP_TYPE;
	a->retries = 3;
	a->retry_delay_ns = 100 * NSEC_PER_MSEC;
	a->bs = 4096;
	a->latency_reads = 32;
	a->timeout_ns = DMW_DEFAULT_TIMEOUT_MS * NSEC_PER_MSEC;
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Devices" },
			{ .type = OPT_STRING, .name = "main", .value = &a->main_dev, .argh = "DEV",
			  .help = "the device that becomes the failing disk (overwritten)" },
			{ .type = OPT_STRING, .name = "spare", .value = &a->spare_dev, .argh = "DEV",
			  .help = "the spare device (overwritten)" },
			{ .type = OPT_STRING, .name = "target-type", .value = &a->type,
			  .choices = dmstack_type_names, .argh = "TYPE",
			  .help = "the device on top: dm-remap-v4 (default), linear, "
			  "error, zero, or any with --params" },
			{ .type = OPT_STRING, .name = "params", .value = &a->params, .argh = "STRING",
			  .help = "its table parameters, verbatim (default: made for the types "
				  "above; the failing disk is /dev/mapper/<name>-disk)" },
			{ .type = OPT_STRING, .name = "name", .value = &a->name_opt, .argh = "NAME",
			  .help = "device name ('dmrb-' is added; default dmrb-validate-<main>)" },
			{ .type = OPT_BOOL, .name = "force", .value = &a->force,
			  .help = "use devices that carry a filesystem or partition signature" },
			{ .type = OPT_DURATION, .name = "timeout", .value = &a->timeout_ns,
			  .argh = "T", .min = NSEC_PER_SEC, .max = 3600 * NSEC_PER_SEC,
			  .help = "give up on a device-mapper call after T (default 10s)" },
			{ .type = OPT_GROUP, .help = "Bad sectors" },
			{ .type = OPT_STRING, .name = "bad-sectors", .value = &a->bad_list,
			  .argh = "LIST", .help = "512-byte sectors that fail: 1000,2048-2055" },
			{ .type = OPT_UINT, .name = "bad-count", .value = &a->bad_count, .argh = "N",
			  .min = 1, .max = MAX_RANGES, .set = &a->bad_count_set,
			  .help = "N random bad sectors, spread over the device (see --seed)" },
			{ .type = OPT_U64, .name = "seed", .value = &a->seed, .argh = "N",
			  .max = (1ULL << 63) - 1, .set = &a->seed_set,
			  .help = "seed of --bad-count (default: random, recorded)" },
			{ .type = OPT_CHOICE, .name = "inject", .value = &a->inject, .argh = "HOW",
			  .choices = validate_inject_names,
			  .help = "table (error segments, default) or message (test_remap)" },
			{ .type = OPT_GROUP, .help = "I/O" },
			{ .type = OPT_SIZE, .name = "bs", .value = &a->bs, .argh = "SIZE",
			  .min = 512, .max = 1 << 20, .help = "block size (default 4k)" },
			{ .type = OPT_UINT, .name = "retries", .value = &a->retries, .argh = "N",
			  .max = 100, .help = "retries of a failed I/O (default 3)" },
			{ .type = OPT_DURATION, .name = "retry-delay", .value = &a->retry_delay_ns,
			  .argh = "T", .max = 60 * NSEC_PER_SEC,
			  .help = "pause before each retry (default 100ms)" },
			{ .type = OPT_UINT, .name = "latency-reads", .value = &a->latency_reads,
			  .argh = "N", .min = 1, .max = 100000,
			  .help = "reads of each remapped block for the remap penalty (default 32)" },
			{ .type = OPT_GROUP, .help = "Output" },
			{ .type = OPT_STRING, .name = "output", .short_name = 'o', .value = &a->output,
			  .argh = "FILE", .help = "write the result to FILE, - for stdout (see OUTPUTS "
			  "in dmremap-bench(1))" },
			{ .type = OPT_CHOICE, .name = "output-format", .value = &a->output_format,
			  .argh = "FMT", .choices = out_format_names,
			  .help = "normal or json (json goes to stdout without --output)" },
			{ .type = OPT_BOOL, .name = "quiet", .short_name = 'q', .value = &a->quiet,
			  .help = "no report on stdout" },
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, NULL, 0, &npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	log_set_quiet(a->quiet);
	if (!a->main_dev) {
		log_error("--main: missing (the device that becomes the failing disk)");
		return EXIT_USAGE;
	}
	if (!a->spare_dev) {
		log_error("--spare: missing (the spare device of the target)");
		return EXIT_USAGE;
	}
	if (!!a->bad_list == a->bad_count_set) {
		log_error("--bad-sectors: give either --bad-sectors LIST or --bad-count N");
		return EXIT_USAGE;
	}
	if (a->bad_list && parse_bad_list(a, a->bad_list))
		return EXIT_USAGE;
	if (!a->params && !dmstack_known_type(a->type)) {
		log_error("--target-type: give the table parameters of %s with --params "
			  "(dmremap-bench knows those of dm-remap-v4, linear, error and zero)",
			  a->type);
		return EXIT_USAGE;
	}
	if (a->bs & (a->bs - 1)) {
		opts_bad_value("--bs", "not a power of two", "512, 1k, 2k, 4k ... 1M");
		return EXIT_USAGE;
	}
	if (!a->name_opt) {
		const char *b = strrchr(a->main_dev, '/');

		snprintf(a->default_name, sizeof(a->default_name), "validate-%s",
			 b ? b + 1 : a->main_dev);
		a->name_opt = a->default_name;
	}
	if (dmw_make_name(a->name_opt, a->name, sizeof(a->name))) {
		log_error("--name: %s", a->name);
		return EXIT_USAGE;
	}
	if (strlen(a->name) > DMW_NAME_MAX - 8) {
		log_error("--name: at most %d characters (a suffix is added for the disk below)",
			  DMW_NAME_MAX - 8);
		return EXIT_USAGE;
	}
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(validate, struct validate_args, parse)

int cmd_validate(int argc, char **argv)
{
	struct validate_args a;
	int rc = parse(argc, argv, &a);

	if (rc != PARSE_CONTINUE)
		return rc;
	if (a.output) {
		char why[OUTPUT_WHY_LEN];

		/* Under the output rule before any device is touched. */
		if (output_check(a.output, why, sizeof(why))) {
			log_error("--output: %s", why);
			return EXIT_USAGE;
		}
	}
	return validate_run(&a);
}
