/*
 * Baselines end to end on a loop device (root only): save a rate-capped
 * run as a baseline, compare the same workload against it (pass), then a
 * run capped at half the rate (an IOPS regression, exit 1), the same
 * verdict offline with `compare`, a fio result imported as a baseline, and
 * the store's list and delete.
 *
 * The rate cap makes the IOPS reproducible on a shared machine; latencies
 * in microseconds are not, so the latency threshold is widened and the
 * test judges the IOPS rows.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "baseline"
#define BACKING_SIZE (256ULL << 20)
#define MAX_ARGS 32

struct fixture {
	char *backing;
	struct loopdev ld;
	char *dir;                     /* TMPDIR, result files */
	char *bldir;                   /* the baseline store */
	char *env[2];
	char *a_json, *b_json;         /* saved outputs */
	char *stored;                  /* where the imported fio baseline lands */
	char *fio1, *fio2;             /* the fio fixtures */
	struct runbin_result r;        /* of the last run */
	json_t *doc;                   /* its stdout as JSON, or NULL */
	struct expect ex;           /* EXPECT's first failure */
};


/*
 * Run the binary with the fixture's environment: the words of pre (a
 * NULL-terminated list, may be NULL), then the NULL-terminated arguments.
 */
static void run(struct fixture *fx, const char *const *pre, ...)
{
	const char *args[MAX_ARGS], *envv[3] = { fx->env[0], fx->env[1], NULL };
	struct runbin_opts o = { .env = envv, .as_uid = -1, .timeout_ms = 60000 };
	const char *w;
	va_list ap;
	int n = 0;

	while (pre && *pre && n + 1 < MAX_ARGS)
		args[n++] = *pre++;
	va_start(ap, pre);
	while ((w = va_arg(ap, const char *)) && n + 1 < MAX_ARGS)
		args[n++] = w;
	va_end(ap);
	args[n] = NULL;
	runbin_run_doc(args, &o, &fx->r, &fx->doc);
}

static char *in_dir(const char *dir, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* Keep the last run's stdout as a file. */
static int save_out(struct fixture *fx, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t len = strlen(fx->r.out);
	int rc = 0;

	if (!f)
		return -1;
	if (fwrite(fx->r.out, 1, len, f) != len)
		rc = -1;
	return fclose(f) || rc ? -1 : 0;
}

/* The comparison row group/dir/metric of doc (comparison.metrics), or NULL. */
static json_t *metric_row(json_t *doc, const char *group, const char *dir, const char *metric)
{
	json_t *rows = runbin_jget(doc, "comparison.metrics"), *o;
	size_t i;

	json_array_foreach(rows, i, o)
		if (!strcmp(json_string_value(json_object_get(o, "group")) ?: "", group) &&
		    !strcmp(json_string_value(json_object_get(o, "dir")) ?: "", dir) &&
		    !strcmp(json_string_value(json_object_get(o, "metric")) ?: "", metric))
			return o;
	return NULL;
}

static const char *row_verdict(json_t *doc, const char *group, const char *dir,
			       const char *metric)
{
	const char *v = json_string_value(json_object_get(metric_row(doc, group, dir, metric),
							  "verdict"));

	return v ? v : "(missing)";
}

static bool is_latency(const char *metric)
{
	return strncmp(metric, "lat_", 4) == 0;
}

/* A line of `baseline list` that starts with name and a blank. */
static bool listed(const char *out, const char *name)
{
	size_t n = strlen(name);
	const char *p = out;

	while (p && *p) {
		if (!strncmp(p, name, n) && (p[n] == ' ' || p[n] == '\t' || p[n] == '\n'))
			return true;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

/* The method and whether the row was tested, from the comparison. */
static bool row_tested(json_t *doc, const char *group, const char *dir, const char *metric)
{
	return json_is_true(json_object_get(metric_row(doc, group, dir, metric), "tested"));
}

static void body(struct fixture *fx)
{
	const char *const target[] = { "concurrency", "--target", fx->ld.path, "--force", "--ops",
				       "16", NULL };
	/* A rate cap makes runs that agree to a few percent: the noise the gate must pass. */
	const char *const rate3000[] = { "concurrency", "--target", fx->ld.path, "--force",
					 "--ops", "16", "--duration", "1", "--seed", "7",
					 "--rate-iops", "3000", "--repeat", "5", NULL };
	const char *const half[] = { "concurrency", "--target", fx->ld.path, "--force",
				     "--ops", "16", "--duration", "1", "--seed", "7",
				     "--rate-iops", "1500", "--repeat", "5", NULL };
	const char *const half1[] = { "concurrency", "--target", fx->ld.path, "--force",
				      "--ops", "16", "--duration", "1", "--seed", "7",
				      "--rate-iops", "1500", NULL };
	const char *a_json = fx->a_json, *b_json = fx->b_json, *stored = fx->stored;
	const char *src;
	json_t *rows, *o;
	size_t i;
	double change;

	/* 1. The baseline: five runs, each with its own result. */
	run(fx, rate3000, "--save-baseline", "b1", "--output-format", "json", NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "save: exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, fx->doc != NULL, "save: stdout is not JSON");
	EXPECT(fx, json_array_size(runbin_jget(fx->doc, "runs")) == 5, "save: %zu runs, not 5",
	       json_array_size(runbin_jget(fx->doc, "runs")));
	EXPECT(fx, fabs(json_number_value(runbin_jget(fx->doc, "results.total.iops")) - 3000) < 150,
	       "the capped runs did %f IOPS",
	       json_number_value(runbin_jget(fx->doc, "results.total.iops")));
	EXPECT(fx, save_out(fx, a_json) == 0, "cannot write %s", a_json);
	run(fx, NULL, "baseline", "list", NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "list: exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, listed(fx->r.out, "b1"), "b1 not listed: %s", fx->r.out);

	/* 2. The same workload against it, five runs against five: tested, no regression. */
	run(fx, rate3000, "--baseline", "b1", "--threshold-latency", "1000", "--output-format",
	    "json", NULL);
	EXPECT(fx, fx->doc != NULL, "same: stdout is not JSON: %s", fx->r.err);
	EXPECT(fx, strcmp(row_verdict(fx->doc, "all", "total", "iops"), "ok") == 0,
	       "same workload: all/total/iops verdict %s",
	       row_verdict(fx->doc, "all", "total", "iops"));
	EXPECT(fx, row_tested(fx->doc, "all", "total", "iops"), "same workload: iops untested");
	EXPECT(fx, json_integer_value(runbin_jget(fx->doc, "comparison.baseline_runs")) == 5,
	       "same workload: baseline_runs is not 5");
	EXPECT(fx, json_array_size(runbin_jget(fx->doc, "comparison.parameter_mismatches")) == 0,
	       "the same workload has parameter mismatches");
	rows = runbin_jget(fx->doc, "comparison.metrics");
	EXPECT(fx, json_array_size(rows) > 0, "no comparison rows");
	json_array_foreach(rows, i, o) {
		const char *m = json_string_value(json_object_get(o, "metric")) ?: "?";
		const char *v = json_string_value(json_object_get(o, "verdict")) ?: "?";

		/* Tail latencies of a busy machine may move; throughput may not. */
		EXPECT(fx, strcmp(v, "regression") != 0 || is_latency(m),
		       "same workload: %s/%s/%s regressed",
		       json_string_value(json_object_get(o, "group")),
		       json_string_value(json_object_get(o, "dir")), m);
	}
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "same: exit %d: %s", fx->r.status, fx->r.err);

	/* 3. Half the rate, five runs: an IOPS regression, exit 1. */
	run(fx, half, "--baseline", "b1", "--threshold-latency", "400", "--output-format", "json",
	    NULL);
	EXPECT(fx, fx->r.status == 1, "half rate: exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, fx->doc != NULL, "half rate: stdout is not JSON");
	EXPECT(fx, strcmp(row_verdict(fx->doc, "all", "total", "iops"), "regression") == 0,
	       "half rate: all/total/iops verdict %s",
	       row_verdict(fx->doc, "all", "total", "iops"));
	change = json_number_value(json_object_get(metric_row(fx->doc, "all", "total", "iops"),
						   "change_pct"));
	EXPECT(fx, fabs(change + 50) < 5, "half rate: change %f%%, expected about -50%%", change);
	EXPECT(fx, strcmp(json_string_value(runbin_jget(fx->doc, "comparison.verdict")) ?: "",
			  "regression") == 0, "half rate: comparison.verdict is not regression");
	/* A rate cap is a throttle, not another workload. */
	EXPECT(fx, json_array_size(runbin_jget(fx->doc, "comparison.parameter_mismatches")) == 0,
	       "half rate: rate_iops counted as a parameter mismatch");
	EXPECT(fx, save_out(fx, b_json) == 0, "cannot write %s", b_json);

	/* 4. The same verdict offline, from the saved outputs. */
	run(fx, NULL, "compare", a_json, b_json, "--threshold-latency", "400", "--output-format",
	    "json", NULL);
	EXPECT(fx, fx->r.status == 1, "compare A B: exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, fx->doc != NULL, "compare A B: stdout is not JSON");
	EXPECT(fx, strcmp(row_verdict(fx->doc, "all", "total", "iops"), "regression") == 0,
	       "compare A B: all/total/iops verdict %s",
	       row_verdict(fx->doc, "all", "total", "iops"));
	/* A result against itself: nothing changed. */
	run(fx, NULL, "compare", a_json, a_json, NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "compare A A: exit %d: %s", fx->r.status,
	       fx->r.err);

	/* 5. One run against five cannot be tested: reported, never failing the gate. */
	run(fx, half1, "--baseline", "b1", "--output-format", "json", NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "one run: exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, strcmp(row_verdict(fx->doc, "all", "total", "iops"), "untested") == 0,
	       "one run: all/total/iops verdict %s", row_verdict(fx->doc, "all", "total", "iops"));
	change = json_number_value(json_object_get(metric_row(fx->doc, "all", "total", "iops"),
						   "change_pct"));
	EXPECT(fx, fabs(change + 50) < 5, "one run: change %f%%, expected about -50%%", change);
	EXPECT(fx, json_integer_value(json_object_get(metric_row(fx->doc, "all", "total", "iops"),
						      "runs_needed")) >= 2,
	       "one run: no runs_needed");

	/* 6. The history grows by each save; another workload is refused. */
	run(fx, rate3000, "--save-baseline", "b1", "-q", NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "second save: exit %d: %s", fx->r.status, fx->r.err);
	run(fx, NULL, "baseline", "show", "b1", "--output-format", "json", NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "show: exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, json_array_size(runbin_jget(fx->doc, "runs")) == 10, "show: %zu runs, not 10",
	       json_array_size(runbin_jget(fx->doc, "runs")));
	{
		char before[512] = "", after[512] = "";

		/* Refused before the run: the device sees no I/O. */
		loopdev_sysfs_read(&fx->ld, "stat", before, sizeof(before));
		run(fx, rate3000, "--save-baseline", "b1", "--rw", "randread", "-q", NULL);
		loopdev_sysfs_read(&fx->ld, "stat", after, sizeof(after));
		EXPECT(fx, fx->r.status == RB_EXIT_USAGE && strstr(fx->r.err, "another workload") &&
		       strstr(fx->r.err, "rw"), "other workload saved: exit %d: %s",
		       fx->r.status, fx->r.err);
		EXPECT(fx, runbin_count_lines(fx->r.err) == 1, "other workload: %s", fx->r.err);
		EXPECT(fx, !strcmp(before, after), "other workload: the run happened before the "
		       "refusal (%s -> %s)", before, after);
	}
	run(fx, NULL, "baseline", "show", "b1", NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_OK && strstr(fx->r.out, "10 runs") &&
	       strstr(fx->r.out, "2 sessions") && strstr(fx->r.out, "spread"),
	       "show b1: exit %d: %s", fx->r.status, fx->r.out);

	/* 7. fio output as a baseline. */
	run(fx, NULL, "baseline", "import", fx->fio1, "fio1", NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "import: exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, access(stored, R_OK) == 0, "import stored no %s", stored);
	run(fx, NULL, "baseline", "list", NULL);
	EXPECT(fx, listed(fx->r.out, "fio1") && listed(fx->r.out, "b1"), "list: %s", fx->r.out);
	/* fio ran 4 deep at 50% reads, the run 16 at 70%: another workload, refused... */
	run(fx, NULL, "compare", stored, a_json, NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_USAGE && strstr(fx->r.out, "iodepth: baseline 4"),
	       "compare fio, other depth: exit %d: %s", fx->r.status, fx->r.out);
	/* ...unless asked to compare anyway: one fio figure against five runs is untested. */
	run(fx, NULL, "compare", stored, a_json, "--allow-mismatch", "--output-format", "json",
	    NULL);
	EXPECT(fx, fx->doc != NULL, "compare fio: stdout is not JSON: %s", fx->r.err);
	src = json_string_value(runbin_jget(fx->doc, "comparison.baseline_source"));
	EXPECT(fx, src && strcmp(src, "fio") == 0, "compare fio: baseline_source %s",
	       src ? src : "(missing)");
	EXPECT(fx, metric_row(fx->doc, "all", "read", "iops") != NULL, "compare fio: no read iops");
	EXPECT(fx, strcmp(row_verdict(fx->doc, "all", "read", "iops"), "untested") == 0,
	       "compare fio: read iops verdict %s", row_verdict(fx->doc, "all", "read", "iops"));
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "compare fio: exit %d: %s", fx->r.status,
	       fx->r.err);
	/* Several fio jobs without group reporting cannot be one baseline. */
	run(fx, NULL, "baseline", "import", fx->fio2, "fio2", NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_USAGE, "import of 2 jobs: exit %d", fx->r.status);
	EXPECT(fx, strstr(fx->r.err, "2 jobs") != NULL, "import of 2 jobs: %s", fx->r.err);

	/* 8. Delete. */
	run(fx, NULL, "baseline", "delete", "b1", NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "delete: exit %d: %s", fx->r.status, fx->r.err);
	run(fx, NULL, "baseline", "list", NULL);
	EXPECT(fx, !listed(fx->r.out, "b1") && listed(fx->r.out, "fio1") &&
	       !listed(fx->r.out, "fio2"), "after delete: %s", fx->r.out);
	run(fx, NULL, "baseline", "delete", "b1", NULL);
	EXPECT(fx, fx->r.status != RB_EXIT_OK && fx->r.status < 128, "second delete: exit %d",
	       fx->r.status);
	/* --baseline of a deleted name is refused before any I/O. */
	run(fx, target, "--duration", "1", "--baseline", "b1", NULL);
	EXPECT(fx, fx->r.status == RB_EXIT_USAGE, "--baseline deleted: exit %d", fx->r.status);
	EXPECT(fx, strstr(fx->r.err, "b1") != NULL, "--baseline deleted: %s", fx->r.err);
}

/* A fixture under $srcdir (the test harness exports it). */
static char *fixture(const char *name)
{
	const char *src = getenv("srcdir");
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/tests/fixtures/%s", src && *src ? src : ".", name), 0);
	ck_assert_msg(access(p, R_OK) == 0, "fixture %s not found (set srcdir)", p);
	return p;
}

START_TEST(baseline_cycle)
{
	struct fixture fx = { .ex.failed = false };
	int rc, drc, frc, trc;

	fx.dir = runbin_tmpdir(TAG);
	ck_assert_msg(fx.dir != NULL, "cannot create a directory in /dev/shm");
	fx.bldir = in_dir(fx.dir, "store");
	ck_assert_ptr_nonnull(fx.bldir);
	ck_assert_int_ge(asprintf(&fx.env[0], "TMPDIR=%s", fx.dir), 0);
	ck_assert_int_ge(asprintf(&fx.env[1], "DMREMAP_BENCH_BASELINE_DIR=%s", fx.bldir), 0);
	fx.a_json = in_dir(fx.dir, "A.json");
	fx.b_json = in_dir(fx.dir, "B.json");
	fx.stored = in_dir(fx.bldir, "fio1.json");
	fx.fio1 = fixture("fio-randrw-1job.json");
	fx.fio2 = fixture("fio-randrw-2jobs.json");
	ck_assert(fx.a_json && fx.b_json && fx.stored);
	fx.backing = loopdev_backing_create(TAG, BACKING_SIZE);
	ck_assert_msg(fx.backing != NULL, "cannot create a backing file in /dev/shm");
	rc = loopdev_attach(&fx.ld, fx.backing, true);
	if (rc) {
		loopdev_backing_remove(fx.backing);
		runbin_rmtree(fx.dir);
		ck_abort_msg("cannot attach a loop device with direct I/O: %s", strerror(-rc));
	}
	body(&fx);
	json_decref(fx.doc);
	runbin_result_free(&fx.r);
	drc = loopdev_detach(&fx.ld);
	frc = loopdev_backing_remove(fx.backing);
	trc = runbin_rmtree(fx.dir);
	free(fx.env[0]);
	free(fx.env[1]);
	free(fx.a_json);
	free(fx.b_json);
	free(fx.stored);
	free(fx.fio1);
	free(fx.fio2);
	free(fx.bldir);
	free(fx.dir);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
	ck_assert_msg(drc == 0, "cannot detach: %s", strerror(-drc));
	ck_assert_msg(frc == 0, "cannot remove the backing file: %s", strerror(-frc));
	ck_assert_msg(trc == 0, "cannot remove the scratch directory");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("baseline");
	TCase *tc = tcase_create("cycle");

	if (!loopdev_usable("check_baseline"))
		return 77;
	tcase_set_timeout(tc, 100);
	tcase_add_test(tc, baseline_cycle);
	suite_add_tcase(s, tc);
	return runbin_run_suite(s, TAG, loopdev_sweep);
}
