/*
 * sweep end to end on loop devices over /dev/shm (root only):
 *   - a sweep over depth: every step a full result, the knee reported in
 *     the summary and the result, and drawn by report;
 *   - a sweep with --slo: the knee follows the objective's rule on the
 *     steps' own figures;
 *   - a sweep saved as a baseline, then run again with the device slowed
 *     by the cgroup v1 blkio throttle (a group of our own, the tool
 *     started inside it): the knee moved, the comparison says so, exit 1;
 *   - a sweep with an interleaved reference: both curves, the overhead at
 *     each load;
 *   - a rate sweep: the closed-loop cap, said so.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blkio.h"
#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "sweep"
#define BACKING_SIZE (256ULL << 20)

struct fixture {
	char *backing[2];
	struct loopdev ld[2];
	char *dir;
	struct runbin_result r;
	json_t *doc;
	struct expect ex;
};

static void run(struct fixture *fx, const char *const *args)
{
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 150000 };

	runbin_run_doc(args, &o, &fx->r, &fx->doc);
}

static const char *jstr(json_t *doc, const char *path)
{
	return json_string_value(runbin_jget(doc, path)) ?: "";
}

static void setup(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	loopdev_setup(fx->ld, fx->backing, 2, TAG, BACKING_SIZE);
	fx->dir = runbin_tmpdir(TAG);
	ck_assert_ptr_nonnull(fx->dir);
}

static void teardown(struct fixture *fx)
{
	json_decref(fx->doc);
	runbin_result_free(&fx->r);
	loopdev_teardown(fx->ld, fx->backing, 2);
	if (fx->dir)
		runbin_rmtree(fx->dir);
	free(fx->dir);
}

/* The steps' loads are the sweep's, each a full result that did I/O and measured its cost. */
static void check_steps(struct fixture *fx, const long long *loads, size_t n, const char *dev)
{
	json_t *steps = runbin_jget(fx->doc, "results.steps"), *st;
	long long sum = 0;
	size_t i;
	char key[96];

	EXPECT(fx, json_array_size(steps) == n, "%zu steps, not %zu", json_array_size(steps), n);
	json_array_foreach(steps, i, st) {
		EXPECT(fx, runbin_jint(st, "step") == (long long)i + 1, "step %zu is numbered %lld", i,
		       runbin_jint(st, "step"));
		EXPECT(fx, runbin_jint(st, "load") == loads[i], "step %zu has load %lld, not %lld", i,
		       runbin_jint(st, "load"), loads[i]);
		EXPECT(fx, runbin_jint(st, "total.ops") > 0, "step %zu did no I/O", i);
		EXPECT(fx, runbin_jnum(st, "duration_s") > 0.9, "step %zu measured %f s", i,
		       runbin_jnum(st, "duration_s"));
		EXPECT(fx, json_is_object(runbin_jget(st, "total.lat_hist")), "step %zu has no "
		       "histogram", i);
		EXPECT(fx, runbin_jnum(st, "cpu.window_s") > 0.9, "step %zu: cpu window %f", i,
		       runbin_jnum(st, "cpu.window_s"));
		snprintf(key, sizeof(key), "device_stats.%s.reads_completed", dev);
		/*
		 * No ramp: the device completed the step's I/O in its window. The
		 * kernel counts a request just after the completion the tool reaps,
		 * so up to the step's in-flight I/Os may land in the next window.
		 */
		EXPECT(fx, runbin_jint(st, key) <= runbin_jint(st, "total.ops") &&
		       runbin_jint(st, key) >= runbin_jint(st, "total.ops") - runbin_jint(st, "ops"),
		       "step %zu: %s says %lld reads, the step %lld", i, dev, runbin_jint(st, key),
		       runbin_jint(st, "total.ops"));
		sum += runbin_jint(st, "total.ops");
	}
	EXPECT(fx, sum == runbin_jint(fx->doc, "results.total.ops"), "steps add up to %lld, the total is "
	       "%lld", sum, runbin_jint(fx->doc, "results.total.ops"));
}

/* ---- a sweep over depth, its knee, its report ------------------------------------- */

static void depth_body(struct fixture *fx)
{
	static const long long loads[] = { 1, 4, 16, 64 };
	char out[4096], html[4096], *page;
	const char *args[] = { "sweep", "--target", fx->ld[0].path, "--force", "--ops", "1..64",
			       "--steps", "4", "--rw", "randread", "--duration", "1", "--seed", "3",
			       "-o", out, "--output-format", "json", NULL };
	const char *rep[] = { "report", out, "-o", html, NULL };
	const char *txt[] = { "sweep", "--target", fx->ld[0].path, "--force", "--ops", "1,4,16",
			      "--rw", "randread", "--duration", "1", NULL };
	json_t *knee, *k;
	double load;
	size_t i;
	bool on_step = false;

	snprintf(out, sizeof(out), "%s/sweep.json", fx->dir);
	snprintf(html, sizeof(html), "%s/sweep.html", fx->dir);
	run(fx, args);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	json_decref(fx->doc);
	fx->doc = json_load_file(out, 0, NULL);
	EXPECT(fx, fx->doc != NULL, "no result in %s", out);
	EXPECT(fx, !strcmp(jstr(fx->doc, "command"), "sweep"), "command %s",
	       jstr(fx->doc, "command"));
	EXPECT(fx, !strcmp(jstr(fx->doc, "sweep.by"), "ops"), "by %s", jstr(fx->doc, "sweep.by"));
	EXPECT(fx, json_array_size(runbin_jget(fx->doc, "params.loads")) == 4, "params.loads");
	check_steps(fx, loads, 4, fx->ld[0].sysname);
	EXPECT_OK(fx);
	knee = runbin_jget(fx->doc, "results.knee");
	EXPECT(fx, json_is_object(knee), "no knee in the result");
	EXPECT(fx, !strcmp(jstr(knee, "method"), "kneedle"), "knee method %s", jstr(knee, "method"));
	load = runbin_jnum(knee, "load");
	for (i = 0; i < 4; i++)
		on_step |= load == (double)loads[i];
	EXPECT(fx, on_step, "the knee's load %f is no step's", load);
	EXPECT(fx, runbin_jint(knee, "step") >= 1 && runbin_jint(knee, "step") <= 4, "knee step %lld",
	       runbin_jint(knee, "step"));
	k = json_array_get(runbin_jget(fx->doc, "results.steps"), (size_t)runbin_jint(knee, "step") - 1);
	EXPECT(fx, runbin_jnum(knee, "iops") == runbin_jnum(k, "total.iops"), "the knee's IOPS %f "
	       "are not its step's %f", runbin_jnum(knee, "iops"), runbin_jnum(k, "total.iops"));
	/* A step either side, or the end of the sweep. */
	EXPECT(fx, runbin_jnum(knee, "low") <= load &&
	       (json_is_null(json_object_get(knee, "high")) || runbin_jnum(knee, "high") > load),
	       "bracket [%f, %f] around %f", runbin_jnum(knee, "low"), runbin_jnum(knee, "high"),
	       load);
	/* Drawn: the report has the curve, the knee marked on it. */
	run(fx, rep);
	EXPECT(fx, fx->r.status == 0, "report exit %d: %s", fx->r.status, fx->r.err);
	page = runbin_slurp(html);
	EXPECT(fx, page != NULL, "no report in %s", html);
	EXPECT(fx, strstr(page, "id=\"chart-sweep-curve\"") && strstr(page, "Latency against "
	       "throughput") && strstr(page, ">knee: depth "),
	       "the report has no curve with its knee");
	free(page);
	/* The text summary: the table of steps and the knee line. */
	run(fx, txt);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, strstr(fx->r.out, "sweep: by queue depth, 3 steps") &&
	       strstr(fx->r.out, "  knee: ") && strstr(fx->r.out, "CPU/IO") &&
	       strstr(fx->r.out, "cost: the system used"), "summary:\n%s", fx->r.out);
}

START_TEST(depth_sweep)
{
	struct fixture fx;

	setup(&fx);
	depth_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/* ---- --slo: the knee follows the objective on the steps' own figures ---------------- */

static void slo_body(struct fixture *fx)
{
	static const long long loads[] = { 1, 2, 8, 32, 128 };
	const char *args[] = { "sweep", "--target", fx->ld[0].path, "--force", "--ops",
			       "1,2,8,32,128", "--rw", "randread", "--duration", "1",
			       "--slo", "p99=400us", "--output-format", "json", NULL };
	json_t *steps, *knee;
	size_t fail = 5, i;

	run(fx, args);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	check_steps(fx, loads, 5, fx->ld[0].sysname);
	EXPECT_OK(fx);
	steps = runbin_jget(fx->doc, "results.steps");
	knee = runbin_jget(fx->doc, "results.knee");
	EXPECT(fx, !strcmp(jstr(knee, "method"), "slo"), "method %s", jstr(knee, "method"));
	EXPECT(fx, runbin_jint(knee, "slo_ns") == 400000, "slo_ns %lld", runbin_jint(knee, "slo_ns"));
	EXPECT(fx, !strcmp(jstr(knee, "stat"), "p99"), "stat %s", jstr(knee, "stat"));
	EXPECT(fx, runbin_jint(fx->doc, "sweep.slo.ns") == 400000, "sweep.slo");
	for (i = 0; i < 5 && fail == 5; i++)
		if (runbin_jnum(json_array_get(steps, i), "total.lat_ns.p99") > 400000)
			fail = i;
	if (fail == 0) {
		EXPECT(fx, json_is_null(json_object_get(knee, "load")) &&
		       json_is_false(json_object_get(knee, "found")), "the first step failed the "
		       "objective, yet the knee is at %f", runbin_jnum(knee, "load"));
		EXPECT(fx, runbin_jnum(knee, "high") == 1, "high %f", runbin_jnum(knee, "high"));
	} else if (fail == 5) {
		EXPECT(fx, runbin_jnum(knee, "load") == 128 &&
		       json_is_false(json_object_get(knee, "reached")),
		       "every step met the objective, yet the knee is at %f",
		       runbin_jnum(knee, "load"));
	} else {
		EXPECT(fx, runbin_jnum(knee, "load") == (double)loads[fail - 1] &&
		       runbin_jnum(knee, "high") == (double)loads[fail] &&
		       json_is_true(json_object_get(knee, "reached")),
		       "step %zu lost the objective: the knee is at %f, bracket up to %f", fail + 1,
		       runbin_jnum(knee, "load"), runbin_jnum(knee, "high"));
		EXPECT(fx, runbin_jnum(knee, "crossing") >= (double)loads[fail - 1] &&
		       runbin_jnum(knee, "crossing") <= (double)loads[fail], "crossing %f",
		       runbin_jnum(knee, "crossing"));
	}
}

START_TEST(slo_sweep)
{
	struct fixture fx;

	setup(&fx);
	slo_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/* ---- a baseline, then the device slowed: the knee moved ----------------------------- */

static void throttle_body(struct fixture *fx, const char *cg)
{
	char bd[4096], out[4096];
	const char *base[] = { "sweep", "--target", fx->ld[0].path, "--force", "--ops",
			       "1,4,16,64", "--rw", "randread", "--duration", "1", "--repeat", "5",
			       "--seed", "9", "--baseline-dir", bd, "--save-baseline", "knee",
			       "-q", NULL };
	const char *slow[] = { "sweep", "--target", fx->ld[0].path, "--force", "--ops",
			       "1,4,16,64", "--rw", "randread", "--duration", "1", "--repeat", "5",
			       "--seed", "9", "--baseline-dir", bd, "--baseline", "knee",
			       "-o", out, "--output-format", "json", NULL };
	char procs[300];
	/* The tool started inside the group, from its first I/O. */
	struct runbin_opts in_group = { .as_uid = -1, .timeout_ms = 150000, .cgroup_procs = procs };
	json_t *metrics, *m, *runs, *r, *kr = NULL;
	size_t i;
	int rc;

	snprintf(bd, sizeof(bd), "%s/baselines", fx->dir);
	snprintf(out, sizeof(out), "%s/slow.json", fx->dir);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	/* The baseline, unthrottled: the test's own group. */
	run(fx, base);
	EXPECT(fx, fx->r.status == 0, "baseline exit %d: %s", fx->r.status, fx->r.err);
	/* The device slowed to 300 reads a second for whoever is in the group. */
	rc = blkio_throttle(cg, BLKIO_READ_IOPS, &fx->ld[0], 300);
	EXPECT(fx, rc == 0, "cannot throttle: %s", strerror(-rc));
	runbin_run_doc(slow, &in_group, &fx->r, &fx->doc);
	blkio_throttle(cg, BLKIO_READ_IOPS, &fx->ld[0], 0);
	EXPECT(fx, fx->r.status == 1, "exit %d, not 1 (regression): %s%s", fx->r.status,
	       fx->r.out, fx->r.err);
	json_decref(fx->doc);
	fx->doc = json_load_file(out, 0, NULL);
	EXPECT(fx, fx->doc != NULL, "no result in %s", out);
	/*
	 * Throttled, every load gets the same few hundred IOPS: saturated from
	 * the first step, or the next when one I/O in flight cannot use all
	 * of the throttle's budget.
	 */
	EXPECT(fx, runbin_jnum(fx->doc, "results.steps.3.total.iops") < 400, "throttled to 300, "
	       "the last step made %f IOPS", runbin_jnum(fx->doc, "results.steps.3.total.iops"));
	runs = runbin_jget(fx->doc, "runs");
	EXPECT(fx, json_array_size(runs) == 5, "%zu runs", json_array_size(runs));
	json_array_foreach(runs, i, r)
		EXPECT(fx, runbin_jnum(r, "results.knee.load") <= 4, "run %zu: knee at %f", i,
		       runbin_jnum(r, "results.knee.load"));
	metrics = runbin_jget(fx->doc, "comparison.metrics");
	json_array_foreach(metrics, i, m)
		if (!strcmp(jstr(m, "group"), "knee"))
			kr = m;
	EXPECT(fx, kr != NULL, "the comparison has no knee");
	EXPECT(fx, !strcmp(jstr(kr, "metric"), "load") && json_is_true(json_object_get(kr, "gate")),
	       "the knee does not gate");
	EXPECT(fx, !strcmp(jstr(kr, "verdict"), "regression"), "the knee's verdict is %s "
	       "(baseline %f, run %f): %s", jstr(kr, "verdict"), runbin_jnum(kr, "baseline"),
	       runbin_jnum(kr, "run"), jstr(kr, "reason"));
	EXPECT(fx, runbin_jnum(kr, "baseline") > runbin_jnum(kr, "run"),
	       "the knee did not move down");
	EXPECT(fx, !strcmp(jstr(fx->doc, "comparison.verdict"), "regression"), "verdict %s",
	       jstr(fx->doc, "comparison.verdict"));
}

START_TEST(baseline_knee_moves)
{
	struct fixture fx;
	char cg[256];
	int rc;

	if (!blkio_available()) {
		fprintf(stderr, "check_sweep: the throttle test needs the cgroup v1 blkio "
			"controller at %s: not run\n", BLKIO_ROOT);
		return;
	}
	rc = blkio_group_create(cg, sizeof(cg), TAG, "knee");
	ck_assert_msg(rc == 0, "mkdir %s: %s", cg, strerror(-rc));
	setup(&fx);
	throttle_body(&fx, cg);
	teardown(&fx);
	blkio_group_remove(cg);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/* ---- an interleaved reference: both curves and the overhead at each load ------------- */

static void reference_body(struct fixture *fx)
{
	static const long long loads[] = { 1, 4, 16 };
	const char *args[] = { "sweep", "--target", fx->ld[0].path, "--force", "--ops", "1,4,16",
			       "--rw", "randread", "--duration", "2", "--slice", "500ms",
			       "--reference", fx->ld[1].path, "--output-format", "json", NULL };
	json_t *steps, *st;
	long long pairs = 0;
	size_t i;

	run(fx, args);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	check_steps(fx, loads, 3, fx->ld[0].sysname);
	EXPECT_OK(fx);
	steps = runbin_jget(fx->doc, "results.steps");
	json_array_foreach(steps, i, st) {
		EXPECT(fx, runbin_jint(st, "reference.results.total.ops") > 0, "step %zu: no reference", i);
		EXPECT(fx, runbin_jint(st, "reference.pairs") == 4, "step %zu: %lld pairs", i,
		       runbin_jint(st, "reference.pairs"));
		EXPECT(fx, isfinite(runbin_jnum(st,
					    "reference.overhead.total.iops.estimate_pct")) &&
		       isfinite(runbin_jnum(st,
					    "reference.overhead.total.cpu_per_io.estimate_pct")),
		       "step %zu: no IOPS or CPU overhead", i);
		pairs += runbin_jint(st, "reference.pairs");
	}
	EXPECT(fx, runbin_jint(fx->doc, "reference.pairs") == pairs, "the reference has %lld pairs, the "
	       "steps %lld", runbin_jint(fx->doc, "reference.pairs"), pairs);
	EXPECT(fx, runbin_jint(fx->doc, "reference.pairs_detail.11.part") == 2, "the last pair's part");
}

START_TEST(reference_sweep)
{
	struct fixture fx;

	setup(&fx);
	reference_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/* ---- by rate: the closed-loop cap, labelled ------------------------------------------ */

static void rate_body(struct fixture *fx)
{
	static const long long loads[] = { 500, 1000, 2000 };
	const char *args[] = { "sweep", "--target", fx->ld[0].path, "--force", "--rate",
			       "500..2000", "--ops", "8", "--rw", "randread", "--duration", "1",
			       "--output-format", "json", NULL };
	json_t *steps, *st;
	size_t i;

	run(fx, args);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	check_steps(fx, loads, 3, fx->ld[0].sysname);
	EXPECT_OK(fx);
	EXPECT(fx, !strcmp(jstr(fx->doc, "sweep.by"), "rate_iops"), "by %s",
	       jstr(fx->doc, "sweep.by"));
	EXPECT(fx, !strcmp(jstr(fx->doc, "sweep.rate_mode"), "closed-loop cap"), "rate_mode %s",
	       jstr(fx->doc, "sweep.rate_mode"));
	EXPECT(fx, !strcmp(jstr(fx->doc, "params.rate_mode"), "closed-loop cap"), "params");
	steps = runbin_jget(fx->doc, "results.steps");
	json_array_foreach(steps, i, st) {
		/* The cap holds: within the rate (and a little over it for the last drained I/O). */
		EXPECT(fx, runbin_jnum(st, "total.iops") <= loads[i] * 1.05, "step %zu: %f IOPS "
		       "over a cap of %lld", i, runbin_jnum(st, "total.iops"), loads[i]);
		EXPECT(fx, runbin_jint(st, "ops") == 8 && runbin_jint(st, "rate_iops") == loads[i],
		       "step %zu: ops %lld, rate %lld", i, runbin_jint(st, "ops"), runbin_jint(st, "rate_iops"));
	}
}

START_TEST(rate_sweep)
{
	struct fixture fx;

	setup(&fx);
	rate_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("sweep");

	if (!loopdev_usable("check_sweep"))
		return 77;
	loopdev_sweep(TAG);
	runbin_sweep(TAG);
	blkio_sweep(TAG);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, depth_sweep);
	tcase_add_test(tc, slo_sweep);
	tcase_add_test(tc, baseline_knee_moves);
	tcase_add_test(tc, reference_sweep);
	tcase_add_test(tc, rate_sweep);
	suite_add_tcase(s, tc);
	return runbin_run_suite(s, TAG, loopdev_sweep);
}
