/*
 * endurance: a long steady mixed random workload, sampled every interval,
 * reporting drift (a trend test of IOPS and p99 over time), steady state
 * and errors over time. The options are checked here; the run is
 * run/endurance.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cli/units.h"
#include "cmd/commands.h"
#include "profiles/workload.h"
#include "result/output.h"
#include "run/endurance.h"
#include "util/log.h"
#include "util/timeutil.h"

/* --metrics-file: a regular file (or a new name), replaced atomically every interval. */
static int check_metrics_file(const char *path)
{
	char why[OUTPUT_WHY_LEN];
	struct stat st;

	if (output_check(path, why, sizeof(why))) {
		log_error("--metrics-file: %s", why);
		return -1;
	}
	if (output_descriptor(path) >= 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
		log_error("--metrics-file: '%s' is not a regular file (allowed: a regular file or a "
			  "new name; it is replaced atomically at every interval)", path);
		return -1;
	}
	return 0;
}

/* The checks of the options run/endurance.c adds; 0 or -1 after one line. */
static int check_endurance(struct endurance_opts *o, const char *steady)
{
	const struct run_opts *ro = &o->ro;
	char err[512];

	if (steady) {
		if (ss_rule_parse(steady, &o->ss, err, sizeof(err)) ||
		    ss_rule_check(&o->ss, ro->interval_ns, ro->duration_ns, err, sizeof(err))) {
			log_error("--steady-state: %s", err);
			return -1;
		}
		o->steady = true;
		if (runopts_interleaved(ro)) {
			log_error("--steady-state: not with --reference or --compare-linear (allowed "
				  "with a run measured on its own: slices cut the series)");
			return -1;
		}
	}
	if (o->steady_stop && !steady) {
		log_error("--steady-state-stop: needs --steady-state RULE (allowed: both, or "
			  "neither)");
		return -1;
	}
	if (o->metrics_file && check_metrics_file(o->metrics_file))
		return -1;
	return 0;
}

/* Options and their checks: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct endurance_opts *o)
{
	static const struct opt_usage usage = {
		.command = "endurance",
		.synopsis = "[--duration T] [--intensity LEVEL] [--interval T] [options]",
		.summary = "A long, steady mixed random workload sampled every interval;\n"
			   "tests the drift of IOPS and p99 latency, detects steady state.",
	};
	struct run_opts *ro = &o->ro;
	const char *steady = NULL;
	char *pos[1];
	int npos = 0, rc;

	memset(o, 0, sizeof(*o));
	o->intensity = 1;
	runopts_defaults(ro);
	ro->duration_ns = 3600 * NSEC_PER_SEC;
	ro->interval_ns = 10 * NSEC_PER_SEC;
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Endurance" },
			{ .type = OPT_CHOICE, .name = "intensity", .value = &o->intensity,
			  .argh = "LEVEL", .choices = intensity_names, .aliases = intensity_codes,
			  .help = "light, moderate, heavy, extreme or 1-4 (default moderate)" },
			{ .type = OPT_DURATION, .name = "duration", .alias = "runtime",
			  .value = &ro->duration_ns,
			  .argh = "T", .min = 60 * NSEC_PER_SEC, .max = 24 * 3600 * NSEC_PER_SEC,
			  .help = "how long, 1m to 24h (default 1h)" },
			{ .type = OPT_DURATION, .name = "ramp", .alias = "ramp_time",
			  .value = &ro->ramp_ns, .argh = "T",
			  .max = 3600 * NSEC_PER_SEC,
			  .help = "run this long first, excluded from the results (default 0)" },
			{ .type = OPT_DURATION, .name = "interval", .value = &ro->interval_ns,
			  .argh = "T", .min = NSEC_PER_SEC / 10, .max = 3600 * NSEC_PER_SEC,
			  .help = "sampling period of the time series (default 10s)" },
			{ .type = OPT_DOUBLE, .name = "max-drift", .value = &o->max_drift_pct,
			  .argh = "PCT", .dmin = 0, .dmax = 1000, .set = &o->max_drift_set,
			  .help = "exit 1 on a significant drift of IOPS or p99 of at least PCT%" },
			{ .type = OPT_STRING, .name = "steady-state", .value = &steady,
			  .argh = "RULE", .help = "CRIT:LIMIT[:DUR[:RAMP]], e.g. iops:5%:60s "
			  "(iops, iops_slope, iops_equiv, bw...)" },
			{ .type = OPT_BOOL, .name = "steady-state-stop", .value = &o->steady_stop,
			  .help = "end the run once --steady-state holds (as fio does)" },
			{ .type = OPT_DURATION, .name = "status-interval", .value = &o->status_ns,
			  .argh = "T", .min = NSEC_PER_SEC / 10, .max = 24 * 3600 * NSEC_PER_SEC,
			  .help = "a status line on stderr every T, terminal or not" },
			{ .type = OPT_STRING, .name = "metrics-file", .value = &o->metrics_file,
			  .argh = "PATH", .help = "Prometheus text metrics, replaced every interval" },
			RUNOPTS_PATTERN(ro),
			RUNOPTS_POOL(ro, "the --intensity's", "the --intensity's"),
			RUNOPTS_CONTROL(ro),
			RUNOPTS_VERIFY(ro),
			RUNOPTS_TARGET(ro),
			RUNOPTS_DM(ro),
			RUNOPTS_OUTPUT(ro),
			RUNOPTS_BASELINE(ro),
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, pos, 0, &npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	if (ro->interval_ns * 3 > ro->duration_ns) {
		char iv[32], du[32];

		format_duration(ro->interval_ns, iv, sizeof(iv));
		format_duration(ro->duration_ns, du, sizeof(du));
		log_error("--interval: %s leaves fewer than 3 samples in --duration %s (allowed: "
			  "at most a third of the duration, for a drift test)", iv, du);
		return EXIT_USAGE;
	}
	if (runopts_validate(ro) || check_endurance(o, steady))
		return EXIT_USAGE;
	if (runopts_device_count(ro) > 1) {
		/* Its snapshots and drift are of one series: several devices wait for its companion. */
		log_error("%s: endurance drives one device per run (allowed: one --target or --main; "
			  "several devices at once: concurrency or workload)",
			  ro->targets.n ? "--target" : "--main");
		return EXIT_USAGE;
	}
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(endurance, struct endurance_opts, parse)

int cmd_endurance(int argc, char **argv)
{
	struct endurance_opts o;
	int rc = parse(argc, argv, &o);

	if (rc != PARSE_CONTINUE)
		return rc;
	return endurance_run(&o);
}
