/*
 * End-to-end runs of the dmremap-bench binary without root: help and
 * version, a short concurrency run checked against the JSON schema, the
 * 10000-in-flight acceptance run, --output, bad inputs, signals and
 * read-only targets. Every run uses scratch files in a fresh directory
 * under /dev/shm (TMPDIR), which the test checks and removes.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runbin.h"

#define TAG "cli"
#define NOBODY_UID 65534

/* Run the binary with TMPDIR=dir (dir may be NULL). */
static void run_in(const char *dir, const char *const *args, struct runbin_result *r)
{
	char *env = NULL;
	const char *envv[2] = { NULL, NULL };
	struct runbin_opts o = { .env = envv, .as_uid = -1, .timeout_ms = 60000 };

	if (dir) {
		ck_assert_int_ge(asprintf(&env, "TMPDIR=%s", dir), 0);
		envv[0] = env;
	}
	ck_assert_int_eq(runbin_run(args, &o, r), 0);
	free(env);
	ck_assert_msg(!r->timed_out, "%s %s did not finish", runbin_path(), args[0]);
}

static char *fresh_dir(void)
{
	char *d = runbin_tmpdir(TAG);

	ck_assert_msg(d != NULL, "cannot create a directory in /dev/shm");
	return d;
}

static void remove_dir(char *dir)
{
	ck_assert_int_eq(runbin_rmtree(dir), 0);
	free(dir);
}

/* ---- help and version ------------------------------------------------ */

/* The value of the "key: " line of --version's output, or fail. */
static const char *version_line(const char *out, const char *key, char *buf, size_t len)
{
	const char *p = strstr(out, key), *end;

	ck_assert_msg(p && (p == out || p[-1] == '\n'), "no '%s' line in: %s", key, out);
	p += strlen(key);
	end = strchr(p, '\n');
	ck_assert_ptr_nonnull(end);
	snprintf(buf, len, "%.*s", (int)(end - p), p);
	return buf;
}

/*
 * What the build has, line by line; checked against how this test was
 * built (the same configure run: config.h, the compiler's sanitizer macros).
 */
START_TEST(version)
{
	const char *args[] = { "--version", NULL };
	const char *sanitizers = "none";
	struct runbin_result r;
	char buf[128];

#if defined(__SANITIZE_ADDRESS__)
	sanitizers = "address, undefined";
#elif defined(__SANITIZE_THREAD__)
	sanitizers = "thread";
#endif
	run_in(NULL, args, &r);
	ck_assert_int_eq(r.status, RB_EXIT_OK);
	ck_assert_msg(strncmp(r.out, "dmremap-bench " PACKAGE_VERSION "\n",
			      strlen("dmremap-bench " PACKAGE_VERSION "\n")) == 0, "stdout: %s", r.out);
	ck_assert_uint_eq(runbin_count_lines(r.out), 4);
#ifdef HAVE_LIBURING
	ck_assert_str_eq(version_line(r.out, "engines: ", buf, sizeof(buf)), "libaio, io_uring");
#else
	ck_assert_str_eq(version_line(r.out, "engines: ", buf, sizeof(buf)), "libaio");
#endif
	ck_assert_str_eq(version_line(r.out, "sanitizers: ", buf, sizeof(buf)), sanitizers);
	version_line(r.out, "result schema: ", buf, sizeof(buf));
	ck_assert_msg(atoi(buf) >= 1, "result schema '%s'", buf);
	ck_assert_str_eq(r.err, "");
	runbin_result_free(&r);
}
END_TEST

/*
 * Every option that takes a value says its default in --help, unless it
 * is one of those that have none (a file to write, a device to use, ...):
 * a new option without either fails here. The --help lines of --duration,
 * --bs and --rw of concurrency are the ones a user missed.
 */
START_TEST(help_defaults)
{
	static const char *const no_default[] = {
		"--output", "--main", "--spare", "--baseline", "--save-baseline",
		"--threshold", "--dataset", "--bad-sectors", "--bad-count", "--reference",
		"--steady-state", "--max-drift", "--status-interval", "--metrics-file", "--job",
		"--start-at",
		NULL,
	};
	static const char *const cmds[] = {
		"concurrency", "workload", "scale", "endurance", "compare", "baseline", "setup",
		"teardown", "status", "report", "validate", "completion",
	};
	const char *conc[] = { "concurrency", "--help", NULL };
	struct runbin_result r;
	char buf[512];
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *args[] = { cmds[i], "--help", NULL };
		char *line, *save = NULL;

		run_in(NULL, args, &r);
		ck_assert_int_eq(r.status, RB_EXIT_OK);
		/* An option's help may go on the next line when the left column is wide. */
		for (line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char name[64];
			const char *const *n;
			const char *dd = strstr(line, "--");
			size_t k;

			if (strncmp(line, "  -", 3) && strncmp(line, "     --", 7))
				continue;
			if (sscanf(dd, "%63s", name) != 1 || !strcmp(name, "--help"))
				continue;
			/* A flag: no argument name after the option. */
			k = strlen(name);
			if (dd[k] != ' ' || !(dd[k + 1] >= 'A' && dd[k + 1] <= 'Z'))
				continue;
			snprintf(buf, sizeof(buf), "%s", line);
			/* The left column alone: the help is on the next line. */
			if (!strstr(dd, "  ")) {
				char *next = strtok_r(NULL, "\n", &save);

				if (next)
					snprintf(buf, sizeof(buf), "%s %s", line, next);
			}
			for (n = no_default; *n && strcmp(*n, name); n++)
				;
			ck_assert_msg(*n || strstr(buf, "default"), "%s: '%s' gives no default",
				      cmds[i], buf);
		}
		runbin_result_free(&r);
	}
	run_in(NULL, conc, &r);
	ck_assert_msg(strstr(r.out, "--duration T") && strstr(r.out, "(default 1m; also --runtime)"),
		      "%s", r.out);
	ck_assert_msg(strstr(r.out, "1M (default 4K)"), "--bs: %s", r.out);
	ck_assert_msg(strstr(r.out, "randrw or rw (default randrw; also --readwrite)"), "--rw: %s",
		      r.out);
	runbin_result_free(&r);
}
END_TEST

START_TEST(top_help)
{
	const char *args[] = { "--help", NULL };
	struct runbin_result r;

	run_in(NULL, args, &r);
	ck_assert_int_eq(r.status, RB_EXIT_OK);
	ck_assert_msg(strstr(r.out, "Usage: dmremap-bench") != NULL, "stdout: %s", r.out);
	ck_assert_msg(strstr(r.out, "concurrency") != NULL, "no command list: %s", r.out);
	ck_assert_str_eq(r.err, "");
	runbin_result_free(&r);
}
END_TEST

START_TEST(command_help)
{
	const char *a1[] = { "concurrency", "--help", NULL };
	const char *a2[] = { "help", "concurrency", NULL };
	struct runbin_result r1, r2;

	run_in(NULL, a1, &r1);
	run_in(NULL, a2, &r2);
	ck_assert_int_eq(r1.status, RB_EXIT_OK);
	ck_assert_int_eq(r2.status, RB_EXIT_OK);
	ck_assert_msg(strstr(r1.out, "Usage: dmremap-bench concurrency") != NULL, "%s", r1.out);
	ck_assert_msg(strstr(r1.out, "--ops") != NULL, "--ops not in help: %s", r1.out);
	ck_assert_str_eq(r1.err, "");
	/* Two ways to ask, one text. */
	ck_assert_str_eq(r1.out, r2.out);
	ck_assert_str_eq(r2.err, "");
	runbin_result_free(&r1);
	runbin_result_free(&r2);
}
END_TEST

START_TEST(no_arguments)
{
	const char *args[] = { NULL };
	struct runbin_result r;

	run_in(NULL, args, &r);
	ck_assert_int_eq(r.status, RB_EXIT_USAGE);
	ck_assert_msg(strstr(r.err, "Usage:") != NULL, "stderr: %s", r.err);
	ck_assert_str_eq(r.out, "");
	runbin_result_free(&r);
}
END_TEST

/* ---- the result document ----------------------------------------------- */

enum jtype { J_OBJ, J_ARR, J_STR, J_INT, J_NUM, J_BOOL };

static bool has_type(json_t *j, enum jtype t)
{
	switch (t) {
	case J_OBJ: return json_is_object(j);
	case J_ARR: return json_is_array(j);
	case J_STR: return json_is_string(j);
	case J_INT: return json_is_integer(j);
	case J_NUM: return json_is_number(j);
	case J_BOOL: return json_is_boolean(j);
	}
	return false;
}

static json_t *need(json_t *doc, const char *path, enum jtype t)
{
	json_t *j = runbin_jget(doc, path);

	ck_assert_msg(j != NULL, "%s is missing", path);
	ck_assert_msg(has_type(j, t), "%s has the wrong JSON type", path);
	return j;
}

static long long need_int(json_t *doc, const char *path)
{
	return (long long)json_integer_value(need(doc, path, J_INT));
}

static double need_num(json_t *doc, const char *path)
{
	return json_number_value(need(doc, path, J_NUM));
}

static const struct { const char *path; enum jtype t; } doc_keys[] = {
	{ "schema_version", J_INT }, { "tool", J_STR }, { "version", J_STR },
	{ "command", J_STR }, { "params", J_OBJ }, { "params.ops", J_INT },
	{ "params.workers", J_INT }, { "params.seed", J_INT },
	{ "target", J_OBJ }, { "target.path", J_STR }, { "target.kind", J_STR },
	{ "target.size_bytes", J_INT }, { "target.logical_block_size", J_INT },
	{ "target.scratch", J_BOOL },
	{ "environment", J_OBJ }, { "environment.kernel", J_STR },
	{ "environment.hostname", J_STR }, { "environment.cpus", J_INT },
	{ "environment.start_time", J_STR },
	{ "results", J_OBJ }, { "results.duration_s", J_NUM },
	{ "results.errors", J_OBJ }, { "results.errors.io", J_INT },
	{ "results.errors.short", J_INT }, { "results.errors.verify", J_INT },
	{ "results.concurrency", J_OBJ }, { "results.concurrency.workers", J_INT },
	{ "results.concurrency.iodepth_per_worker", J_INT },
	{ "results.concurrency.inflight_target", J_INT },
	{ "results.concurrency.inflight_mean", J_NUM },
	{ "results.concurrency.inflight_max", J_INT },
	{ "results.intervals", J_ARR }, { "interrupted", J_BOOL },
};

static const char *const dirs[] = { "read", "write", "total" };
static const char *const pcts[] = { "min", "p50", "p90", "p99", "p99\\.9", "p99\\.99", "max" };

/* One direction's block: types, and percentiles that never decrease. */
static void check_dir(json_t *doc, const char *dir)
{
	static const struct { const char *key; enum jtype t; } keys[] = {
		{ "ops", J_INT }, { "bytes", J_INT }, { "iops", J_NUM },
		{ "bw_bytes_per_s", J_NUM }, { "lat_ns", J_OBJ }, { "lat_ns.mean", J_NUM },
	};
	char p[128];
	long long prev = 0, v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(p, sizeof(p), "results.%s.%s", dir, keys[i].key);
		need(doc, p, keys[i].t);
	}
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		snprintf(p, sizeof(p), "results.%s.lat_ns.%s", dir, pcts[i]);
		v = need_int(doc, p);
		ck_assert_msg(v >= prev, "%s = %lld is below the previous percentile %lld",
			      p, v, prev);
		prev = v;
	}
	snprintf(p, sizeof(p), "results.%s.lat_ns.min", dir);
	ck_assert_msg(need_int(doc, p) > 0 || strcmp(dir, "write") == 0,
		      "%s is 0 with operations done", p);
}

/* The document every concurrency run writes, checked key by key. */
static void check_document(json_t *doc, unsigned bs)
{
	long long ops[3], bytes[3];
	double duration;
	json_t *iv;
	size_t i;

	ck_assert_msg(doc != NULL, "stdout is not one JSON document");
	for (i = 0; i < sizeof(doc_keys) / sizeof(doc_keys[0]); i++)
		need(doc, doc_keys[i].path, doc_keys[i].t);
	ck_assert_int_eq(need_int(doc, "schema_version"), 2);
	ck_assert_str_eq(json_string_value(need(doc, "tool", J_STR)), "dmremap-bench");
	ck_assert_str_eq(json_string_value(need(doc, "command", J_STR)), "concurrency");
	ck_assert_int_gt(strlen(json_string_value(need(doc, "version", J_STR))), 0);
	ck_assert_int_gt(need_int(doc, "environment.cpus"), 0);
	for (i = 0; i < 3; i++) {
		char p[64];

		check_dir(doc, dirs[i]);
		snprintf(p, sizeof(p), "results.%s.ops", dirs[i]);
		ops[i] = need_int(doc, p);
		snprintf(p, sizeof(p), "results.%s.bytes", dirs[i]);
		bytes[i] = need_int(doc, p);
		ck_assert_msg(bytes[i] == ops[i] * (long long)bs,
			      "%s: %lld bytes for %lld ops of %u bytes", dirs[i], bytes[i],
			      ops[i], bs);
	}
	ck_assert_int_eq(ops[2], ops[0] + ops[1]);
	ck_assert_int_eq(bytes[2], bytes[0] + bytes[1]);
	duration = need_num(doc, "results.duration_s");
	ck_assert_msg(duration > 0, "duration_s %f", duration);
	ck_assert_msg(fabs(need_num(doc, "results.total.iops") - (double)ops[2] / duration) <=
		      1e-3 * (double)ops[2] / duration + 1, "total.iops is not ops/duration");
	ck_assert_int_eq(need_int(doc, "results.errors.io"), 0);
	ck_assert_int_eq(need_int(doc, "results.errors.short"), 0);
	ck_assert_int_eq(need_int(doc, "results.errors.verify"), 0);
	iv = need(doc, "results.intervals", J_ARR);
	for (i = 0; i < json_array_size(iv); i++) {
		static const char *const k[] = { "t_s", "read_iops", "write_iops",
						 "bw_bytes_per_s" };
		json_t *e = json_array_get(iv, i);
		size_t j;

		for (j = 0; j < 4; j++)
			ck_assert_msg(json_is_number(json_object_get(e, k[j])),
				      "intervals[%zu].%s missing", i, k[j]);
		ck_assert_msg(json_is_integer(json_object_get(e, "p99_ns")),
			      "intervals[%zu].p99_ns missing", i);
	}
}

/* fio's names work; a typo gets the likely option, on one line, exit 2. */
START_TEST(fio_names_and_typos)
{
	const char *fio[] = { "concurrency", "--runtime", "1", "--numjobs", "2", "--ops", "8",
			      "--ramp_time", "0", "--rw", "randrw", "--rwmixread", "90",
			      "--ioengine", "libaio", "--randseed", "5", "--no-dm", "-q",
			      "--output-format", "json", NULL };
	const char *typo[] = { "concurrency", "--duraton", "5", NULL };
	const char *far[] = { "scale", "--zzzzzz", NULL };
	char *dir = fresh_dir();
	struct runbin_result r;
	json_t *doc;

	run_in(dir, fio, &r);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	doc = runbin_json(r.out);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(need_int(doc, "params.workers"), 2);
	ck_assert_int_eq(need_int(doc, "params.rwmix_read"), 90);
	ck_assert_int_eq(need_int(doc, "params.seed"), 5);
	ck_assert(fabs(need_num(doc, "params.duration_s") - 1.0) < 1e-9);
	json_decref(doc);
	runbin_result_free(&r);

	run_in(dir, typo, &r);
	ck_assert_int_eq(r.status, RB_EXIT_USAGE);
	ck_assert_msg(strstr(r.err, "'--duraton'; did you mean --duration?"), "%s", r.err);
	ck_assert_uint_eq(runbin_count_lines(r.err), 1);
	ck_assert_str_eq(r.out, "");
	runbin_result_free(&r);
	run_in(dir, far, &r);
	ck_assert_int_eq(r.status, RB_EXIT_USAGE);
	ck_assert_msg(!strstr(r.err, "did you mean"), "%s", r.err);
	ck_assert_uint_eq(runbin_count_lines(r.err), 1);
	runbin_result_free(&r);
	ck_assert_int_eq(runbin_count_entries(dir), 0);
	remove_dir(dir);
}
END_TEST

/* The summary's first line: the mode, then a comma, and the mix of a mixed mode. */
START_TEST(summary_line)
{
	const char *pure[] = { "concurrency", "--ops", "8", "--duration", "1", "--rw", "randread",
			       "--no-dm", NULL };
	const char *mixed[] = { "concurrency", "--ops", "8", "--duration", "1", "--rw", "randrw",
				"--rwmix-read", "60", "--no-dm", NULL };
	char *dir = fresh_dir();
	struct runbin_result r;

	run_in(dir, pure, &r);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	ck_assert_msg(strncmp(r.out, "concurrency: 8 ops in flight, randread, bs 4096, seed ", 54) == 0,
		      "first line: %s", r.out);
	runbin_result_free(&r);
	run_in(dir, mixed, &r);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	ck_assert_msg(strncmp(r.out, "concurrency: 8 ops in flight, randrw (60% reads), bs 4096, "
			      "seed ", 64) == 0, "first line: %s", r.out);
	runbin_result_free(&r);
	ck_assert_int_eq(runbin_count_entries(dir), 0);
	remove_dir(dir);
}
END_TEST

/*
 * The live progress line, with standard error on a pseudo-terminal as a
 * user has it: no figures before the first interval ends (they were
 * "r=- w=- ... p99 0 us", which looked measured), then the interval's.
 */
START_TEST(progress_line)
{
	char *dir = fresh_dir(), *buf = calloc(1, 1 << 20), *tick, *save = NULL;
	int master, slave, status, first = 1, figures = 0;
	size_t len = 0;
	pid_t pid;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(slave, STDERR_FILENO) < 0)
			_exit(127);
		close(master);
		close(slave);
		setenv("TMPDIR", dir, 1);
		execl(runbin_path(), runbin_path(), "concurrency", "--duration", "2", "--ops", "8",
		      "--no-dm", (char *)NULL);
		_exit(127);
	}
	close(slave);
	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t n;

		ck_assert_msg(poll(&p, 1, 60000) == 1, "no progress output for 60 s");
		n = read(master, buf + len, (1 << 20) - 1 - len);
		if (n <= 0)
			break;  /* EIO: the run is over and closed the terminal */
		len += (size_t)n;
	}
	close(master);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d: %s", status, buf);
	/* Each tick redraws the line: "\r\033[K" then the text. */
	for (tick = strtok_r(buf, "\r\n", &save); tick; tick = strtok_r(NULL, "\r\n", &save)) {
		if (!strstr(tick, "concurrency ["))
			continue;
		ck_assert_msg(!strstr(tick, "r=-") && !strstr(tick, " 0 us"), "tick '%s'", tick);
		if (first)
			ck_assert_msg(strstr(tick, "figures after the first interval"),
				      "first tick '%s'", tick);
		if (strstr(tick, "IOPS r=") && strstr(tick, "MB/s  p99 "))
			figures++;
		first = 0;
	}
	ck_assert_msg(!first, "no progress line on the terminal: '%s'", buf);
	ck_assert_msg(figures > 0, "no tick with figures");
	free(buf);
	ck_assert_int_eq(runbin_count_entries(dir), 0);
	remove_dir(dir);
}
END_TEST

START_TEST(short_run_json)
{
	const char *args[] = { "concurrency", "--ops", "64", "--duration", "2",
			       "--output-format", "json", NULL };
	char *dir = fresh_dir();
	struct runbin_result r;
	json_t *doc, *iv;
	double last_t;

	run_in(dir, args, &r);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	doc = runbin_json(r.out);
	check_document(doc, 4096);
	ck_assert_int_gt(need_int(doc, "results.read.ops"), 0);
	ck_assert_int_gt(need_int(doc, "results.write.ops"), 0);
	ck_assert_int_eq(need_int(doc, "params.ops"), 64);
	ck_assert_int_eq(need_int(doc, "results.concurrency.inflight_target"), 64);
	ck_assert_int_le(need_int(doc, "results.concurrency.inflight_max"), 64);
	ck_assert_int_ge(need_int(doc, "params.workers"), 1);
	ck_assert_str_eq(json_string_value(need(doc, "params.reap", J_STR)), "auto");
	ck_assert_str_eq(json_string_value(need(doc, "params.submit_limit", J_STR)), "auto");
	ck_assert_str_eq(json_string_value(need(doc, "params.engine", J_STR)), "libaio");
	/* Absent without --cpus, so baselines from before it still compare. */
	ck_assert(runbin_jget(doc, "params.cpus") == NULL);
	/* A scratch file has no request queue: no limit applies. */
	ck_assert_int_eq(need_int(doc, "results.concurrency.submit_limit"), 0);
	ck_assert(json_is_false(need(doc, "interrupted", J_BOOL)));
	ck_assert_str_eq(json_string_value(need(doc, "target.kind", J_STR)), "file");
	ck_assert(json_is_true(need(doc, "target.scratch", J_BOOL)));
	ck_assert_msg(strncmp(json_string_value(need(doc, "target.path", J_STR)), dir,
			      strlen(dir)) == 0, "the scratch file is not in TMPDIR");
	/* A 2 s run sampled every second: two intervals, perhaps a short third. */
	iv = need(doc, "results.intervals", J_ARR);
	ck_assert_msg(json_array_size(iv) >= 2 && json_array_size(iv) <= 3,
		      "%zu intervals for a 2 s run", json_array_size(iv));
	last_t = json_number_value(json_object_get(json_array_get(iv, json_array_size(iv) - 1),
						   "t_s"));
	ck_assert_msg(fabs(last_t - 2.0) < 0.5, "last interval ends at %f s", last_t);
	ck_assert_msg(fabs(need_num(doc, "results.duration_s") - 2.0) < 0.5,
		      "duration_s %f", need_num(doc, "results.duration_s"));
	ck_assert_int_eq(runbin_count_entries(dir), 0);
	{
		/* --version names the schema the results have. */
		const char *vargs[] = { "--version", NULL };
		struct runbin_result v;
		char buf[32];

		run_in(NULL, vargs, &v);
		ck_assert_int_eq(atoi(version_line(v.out, "result schema: ", buf, sizeof(buf))),
				 need_int(doc, "schema_version"));
		runbin_result_free(&v);
	}
	json_decref(doc);
	runbin_result_free(&r);
	remove_dir(dir);
}
END_TEST

/* The acceptance check of the concurrency command: 10000 really in flight. */
START_TEST(ten_thousand_in_flight)
{
	const char *args[] = { "concurrency", "--ops", "10000", "--duration", "3",
			       "--output-format", "json", NULL };
	char *dir = fresh_dir();
	struct runbin_result r;
	json_t *doc;

	run_in(dir, args, &r);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	doc = runbin_json(r.out);
	check_document(doc, 4096);
	ck_assert_int_eq(need_int(doc, "results.concurrency.inflight_target"), 10000);
	ck_assert_int_ge(need_int(doc, "results.concurrency.inflight_max"), 9000);
	ck_assert_int_le(need_int(doc, "results.concurrency.inflight_max"), 10000);
	ck_assert_msg(need_num(doc, "results.read.iops") > 0, "no read IOPS");
	ck_assert_msg(need_num(doc, "results.write.iops") > 0, "no write IOPS");
	json_decref(doc);
	runbin_result_free(&r);
	remove_dir(dir);
}
END_TEST

START_TEST(seed_recorded)
{
	const char *args[] = { "concurrency", "--ops", "8", "--duration", "1", "--seed",
			       "123456789", "--output-format", "json", NULL };
	char *dir = fresh_dir();
	struct runbin_result r;
	json_t *doc;

	run_in(dir, args, &r);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	doc = runbin_json(r.out);
	ck_assert_msg(doc != NULL, "stdout is not JSON");
	ck_assert_int_eq(need_int(doc, "params.seed"), 123456789);
	ck_assert_int_eq(need_int(doc, "params.ops"), 8);
	json_decref(doc);
	runbin_result_free(&r);
	remove_dir(dir);
}
END_TEST

START_TEST(output_file)
{
	char *dir = fresh_dir(), *file, *text;
	const char *args[] = { "concurrency", "--ops", "16", "--duration", "1", "--output",
			       NULL, "--output-format", "json", NULL };
	struct runbin_result r;
	json_t *doc, *other;

	ck_assert_int_ge(asprintf(&file, "%s/result.json", dir), 0);
	args[6] = file;
	run_in(dir, args, &r);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	/* The file holds the document; the terminal gets the summary. */
	text = runbin_slurp(file);
	ck_assert_msg(text != NULL, "%s was not written", file);
	doc = runbin_json(text);
	check_document(doc, 4096);
	ck_assert_msg(strstr(r.out, "concurrency:") != NULL, "no summary: %s", r.out);
	other = runbin_json(r.out);
	ck_assert_msg(other == NULL, "stdout holds JSON besides the file");
	/* Written atomically: nothing but the file is left next to it. */
	ck_assert_int_eq(runbin_count_entries(dir), 1);
	json_decref(doc);
	free(text);
	free(file);
	runbin_result_free(&r);
	remove_dir(dir);
}
END_TEST

START_TEST(output_missing_dir)
{
	char *dir = fresh_dir(), *file, *sub;
	const char *args[] = { "concurrency", "--ops", "16", "--duration", "1", "--output",
			       NULL, "--output-format", "json", NULL };
	struct runbin_result r;
	struct stat st;

	ck_assert_int_ge(asprintf(&sub, "%s/missing", dir), 0);
	ck_assert_int_ge(asprintf(&file, "%s/result.json", sub), 0);
	args[6] = file;
	run_in(dir, args, &r);
	ck_assert_msg(r.status != RB_EXIT_OK && r.status < 128, "exit %d", r.status);
	ck_assert_msg(strstr(r.err, "--output") != NULL, "stderr: %s", r.err);
	ck_assert_msg(strstr(r.out, "concurrency:") != NULL, "no summary: %s", r.out);
	ck_assert_int_ne(stat(sub, &st), 0);
	ck_assert_int_eq(runbin_count_entries(dir), 0);
	free(file);
	free(sub);
	runbin_result_free(&r);
	remove_dir(dir);
}
END_TEST

/* ---- bad input ------------------------------------------------------------ */

static const struct bad_case {
	const char *args[4];   /* after "concurrency --duration 1" */
	const char *names;     /* what the one stderr line must mention */
	bool top;              /* args are the whole command line */
} bad_cases[] = {
	{ { "--ops", "10001" }, "--ops", false },
	{ { "--ops", "0" }, "--ops", false },
	{ { "--duration", "0" }, "--duration", false },
	{ { "--duration", "5x" }, "5x", false },
	{ { "--bs", "3000" }, "--bs", false },
	{ { "--bs", "abc" }, "abc", false },
	{ { "--rw", "foo" }, "foo", false },
	{ { "--rwmix-read", "101" }, "--rwmix-read", false },
	{ { "--workers", "0" }, "--workers", false },
	{ { "--target", "/nonexistent" }, "/nonexistent", false },
	{ { "--target", "/tmp" }, "/tmp", false },
	{ { "--target", "/dev/null" }, "/dev/null", false },
	{ { "--no-such-option" }, "--no-such-option", false },
	{ { "no-such-command", "--ops", "8" }, "no-such-command", true },
	{ { "--ops" }, "--ops", false },
	{ { "--workers", "20", "--ops", "10" }, "--workers", false },
};

/*
 * Lines of diagnostics in stderr. A usage error may add the conventional
 * "Try 'dmremap-bench ... --help'" pointer; that is not a second diagnostic.
 */
static size_t diagnostic_lines(const char *err)
{
	size_t n = runbin_count_lines(err);
	const char *hint = strstr(err, "\nTry 'dmremap-bench "), *end;

	if (hint) {
		end = strchr(hint + 1, '\n');
		if (!end || end[1] == '\0')
			n--;  /* the pointer is the last line */
	}
	return n;
}

START_TEST(bad_input)
{
	const struct bad_case *c = &bad_cases[_i];
	const char *args[8] = { "concurrency", "--duration", "1" };
	char *dir = fresh_dir();
	struct runbin_result r;
	unsigned i, n = c->top ? 0 : 3;

	for (i = 0; i < 4 && c->args[i]; i++)
		args[n++] = c->args[i];
	args[n] = NULL;
	run_in(dir, args, &r);
	ck_assert_msg(r.status == RB_EXIT_USAGE, "%s %s: exit %d (stderr: %s)", c->args[0],
		      c->args[1] ? c->args[1] : "", r.status, r.err);
	ck_assert_msg(diagnostic_lines(r.err) == 1, "%s: %zu lines on stderr: %s",
		      c->args[0], runbin_count_lines(r.err), r.err);
	ck_assert_msg(strstr(r.err, c->names) != NULL, "%s: stderr does not name '%s': %s",
		      c->args[0], c->names, r.err);
	ck_assert_str_eq(r.out, "");
	ck_assert_int_eq(runbin_count_entries(dir), 0);
	runbin_result_free(&r);
	remove_dir(dir);
}
END_TEST

/* ---- signals ------------------------------------------------------------------ */

static const struct { int sig; int status; } stop_signals[] = {
	{ SIGINT, RB_EXIT_SIGINT }, { SIGTERM, RB_EXIT_SIGTERM },
};

START_TEST(stopped_by_signal)
{
	const char *args[] = { "concurrency", "--ops", "64", "--duration", "30",
			       "--output-format", "json", NULL };
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 15000 };
	const char *envv[2] = { NULL, NULL };
	char *dir = fresh_dir(), *env;
	struct runbin_result r;
	struct runbin rb;
	json_t *doc;

	ck_assert_int_ge(asprintf(&env, "TMPDIR=%s", dir), 0);
	envv[0] = env;
	o.env = envv;
	ck_assert_int_eq(runbin_start(&rb, args, &o), 0);
	ck_assert_int_eq(runbin_kill(&rb, stop_signals[_i].sig, 1500), 0);
	ck_assert_int_eq(runbin_wait(&rb, &r), 0);
	ck_assert_msg(!r.timed_out, "still running 15 s after the signal");
	ck_assert_msg(r.status == stop_signals[_i].status, "exit %d, want %d: %s", r.status,
		      stop_signals[_i].status, r.err);
	doc = runbin_json(r.out);
	ck_assert_msg(doc != NULL, "no JSON after the signal: %s", r.out);
	ck_assert(json_is_true(need(doc, "interrupted", J_BOOL)));
	ck_assert_int_gt(need_int(doc, "results.total.ops"), 0);
	ck_assert_msg(need_num(doc, "results.duration_s") < 10, "ran %f s",
		      need_num(doc, "results.duration_s"));
	ck_assert_int_eq(runbin_count_entries(dir), 0);
	json_decref(doc);
	free(env);
	runbin_result_free(&r);
	remove_dir(dir);
}
END_TEST

/* ---- --cpus ------------------------------------------------------------ */

/* The n-th (from 0) CPU of a "0-3,8" list, or -1. */
static int nth_cpu(const char *list, int n)
{
	const char *p = list;

	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (n <= hi - lo)
			return (int)(lo + n);
		n -= (int)(hi - lo + 1);
		p = *end == ',' ? end + 1 : end;
	}
	return -1;
}

/* The Cpus_allowed_list of /proc/<pid>/task/<tid>/status (tid 0: of pid). */
static void allowed_list(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char path[128], *status, *line;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	status = runbin_slurp(path);
	ck_assert_msg(status != NULL, "cannot read %s", path);
	line = strstr(status, "Cpus_allowed_list:");
	ck_assert(line != NULL);
	line += strlen("Cpus_allowed_list:");
	line += strspn(line, " \t");
	snprintf(buf, len, "%.*s", (int)strcspn(line, "\n"), line);
	free(status);
}

/*
 * The process that does a run: a run command forks once its options hold,
 * and its child runs while it supervises (dmremap-bench(1), HARD STOP).
 */
static pid_t run_process(pid_t pid)
{
	char path[64], *children;
	long child;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	children = runbin_slurp(path);
	child = children ? strtol(children, NULL, 10) : 0;
	free(children);
	return child > 0 ? (pid_t)child : pid;
}

/*
 * --cpus pins worker k to the (k mod n)-th listed CPU and leaves the main
 * thread where it was: read from /proc while the run goes on, with the
 * list given backwards so that order and repeats are normalised.
 */
START_TEST(pinned_workers)
{
	char mine[256], list[64], want[64], got[256], path[64], *comm;
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 30000 };
	const char *envv[2] = { NULL, NULL };
	const char *args[] = { "concurrency", "--ops", "12", "--workers", "3", "--cpus", list,
			       "--duration", "3", "--output-format", "json", NULL };
	int first, second, cpus[2], k, seen = 0;
	char *dir = fresh_dir(), *env;
	struct runbin_result r;
	struct dirent *de;
	struct runbin rb;
	DIR *tasks;
	json_t *doc;
	pid_t tid, run;

	allowed_list(getpid(), 0, mine, sizeof(mine));
	first = nth_cpu(mine, 0);
	second = nth_cpu(mine, 1);
	ck_assert_int_ge(first, 0);
	if (second < 0)
		second = first;  /* one CPU: every worker on it */
	snprintf(list, sizeof(list), "%d,%d,%d", second, first, second);
	if (second != first)
		snprintf(want, sizeof(want), second == first + 1 ? "%d-%d" : "%d,%d", first, second);
	else
		snprintf(want, sizeof(want), "%d", first);
	cpus[0] = first;
	cpus[1] = second;
	ck_assert_int_ge(asprintf(&env, "TMPDIR=%s", dir), 0);
	envv[0] = env;
	o.env = envv;
	ck_assert_int_eq(runbin_start(&rb, args, &o), 0);
	ck_assert_int_eq(runbin_kill(&rb, 0, 1200), 0);  /* signal 0: only still there? */
	run = run_process(rb.pid);
	allowed_list(run, run, got, sizeof(got));
	ck_assert_msg(strcmp(got, mine) == 0, "main thread on %s, want %s", got, mine);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)run);
	tasks = opendir(path);
	ck_assert_msg(tasks != NULL, "cannot list %s", path);
	while ((de = readdir(tasks))) {
		tid = (pid_t)atoi(de->d_name);
		if (tid <= 0 || tid == run)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)run, (int)tid);
		comm = runbin_slurp(path);
		if (!comm)
			continue;
		if (sscanf(comm, "dmrb-w%d", &k) == 1) {
			char cpu[16];

			ck_assert_int_lt(k, 3);
			allowed_list(run, tid, got, sizeof(got));
			snprintf(cpu, sizeof(cpu), "%d", cpus[k % 2]);
			ck_assert_msg(strcmp(got, cpu) == 0, "worker %d on %s, want %s", k, got,
				      cpu);
			seen++;
		}
		free(comm);
	}
	closedir(tasks);
	ck_assert_msg(seen == 3, "found %d of 3 named worker threads", seen);
	ck_assert_int_eq(runbin_wait(&rb, &r), 0);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	doc = runbin_json(r.out);
	ck_assert_str_eq(json_string_value(need(doc, "params.cpus", J_STR)), want);
	json_decref(doc);
	free(env);
	runbin_result_free(&r);
	remove_dir(dir);
}
END_TEST

/* ---- read-only targets ----------------------------------------------------- */

/* dir/ro.img, 8 MiB of non-zero data, mode 0444. Returns its path. */
static char *readonly_file(const char *dir)
{
	char *path, buf[65536];
	int fd, i;

	ck_assert_int_ge(asprintf(&path, "%s/ro.img", dir), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	memset(buf, 0xa5, sizeof(buf));
	for (i = 0; i < 128; i++)
		ck_assert_int_eq(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	ck_assert_int_eq(fchmod(fd, 0444), 0);
	ck_assert_int_eq(close(fd), 0);
	return path;
}

START_TEST(readonly_randread)
{
	char *dir = fresh_dir(), *file = readonly_file(dir);
	const char *args[] = { "concurrency", "--target", file, "--rw", "randread", "--ops",
			       "16", "--duration", "1", "--output-format", "json", NULL };
	struct stat before, after;
	struct runbin_result r;
	json_t *doc;

	ck_assert_int_eq(stat(file, &before), 0);
	run_in(dir, args, &r);
	ck_assert_msg(r.status == RB_EXIT_OK, "exit %d: %s", r.status, r.err);
	doc = runbin_json(r.out);
	check_document(doc, 4096);
	ck_assert_str_eq(json_string_value(need(doc, "target.kind", J_STR)), "file");
	ck_assert(json_is_false(need(doc, "target.scratch", J_BOOL)));
	ck_assert_str_eq(json_string_value(need(doc, "target.path", J_STR)), file);
	ck_assert_int_eq(need_int(doc, "target.size_bytes"), 8 << 20);
	ck_assert_int_gt(need_int(doc, "results.read.ops"), 0);
	ck_assert_int_eq(need_int(doc, "results.write.ops"), 0);
	ck_assert_int_eq(stat(file, &after), 0);
	ck_assert(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
		  before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
	json_decref(doc);
	runbin_result_free(&r);
	free(file);
	remove_dir(dir);
}
END_TEST

/*
 * Root may write any file whatever its mode, so as root the tool runs as
 * nobody here: the refusal is then the one an ordinary user sees.
 */
START_TEST(readonly_randwrite)
{
	char *dir = fresh_dir(), *file = readonly_file(dir);
	const char *args[] = { "concurrency", "--target", file, "--rw", "randwrite", "--ops",
			       "16", "--duration", "1", NULL };
	struct runbin_opts o = { .as_uid = geteuid() == 0 ? NOBODY_UID : -1,
				 .timeout_ms = 60000 };
	struct stat before, after;
	struct runbin_result r;

	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(stat(file, &before), 0);
	ck_assert_int_eq(runbin_run(args, &o, &r), 0);
	ck_assert_msg(r.status == RB_EXIT_USAGE, "exit %d: %s", r.status, r.err);
	ck_assert_uint_eq(runbin_count_lines(r.err), 1);
	ck_assert_msg(strstr(r.err, "--target") && strstr(r.err, file), "stderr: %s", r.err);
	ck_assert_msg(strstr(r.err, "Permission denied") == NULL,
		      "refused for the wrong reason: %s", r.err);
	ck_assert_int_eq(stat(file, &after), 0);
	ck_assert(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
		  before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
	runbin_result_free(&r);
	free(file);
	remove_dir(dir);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc;

	tc = tcase_create("help");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, version);
	tcase_add_test(tc, help_defaults);
	tcase_add_test(tc, fio_names_and_typos);
	tcase_add_test(tc, top_help);
	tcase_add_test(tc, command_help);
	tcase_add_test(tc, no_arguments);
	suite_add_tcase(s, tc);

	tc = tcase_create("run");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, short_run_json);
	tcase_add_test(tc, summary_line);
	tcase_add_test(tc, progress_line);
	tcase_add_test(tc, ten_thousand_in_flight);
	tcase_add_test(tc, seed_recorded);
	tcase_add_test(tc, output_file);
	tcase_add_test(tc, output_missing_dir);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad_input");
	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, bad_input, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("signals");
	tcase_set_timeout(tc, 40);
	tcase_add_loop_test(tc, stopped_by_signal, 0,
			    (int)(sizeof(stop_signals) / sizeof(stop_signals[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("cpus");
	tcase_set_timeout(tc, 40);
	tcase_add_test(tc, pinned_workers);
	suite_add_tcase(s, tc);

	tc = tcase_create("readonly");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, readonly_randread);
	tcase_add_test(tc, readonly_randwrite);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return runbin_run_suite(cli_suite(), TAG, NULL);
}
