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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "sweep"
#define BACKING_SIZE (256ULL << 20)
#define CGROOT "/sys/fs/cgroup/blkio"

extern char **environ;

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

	json_decref(fx->doc);
	runbin_result_free(&fx->r);
	if (runbin_run(args, &o, &fx->r))
		fx->r.status = -1;
	fx->doc = runbin_json(fx->r.out);
}

static double jnum(json_t *doc, const char *path)
{
	json_t *j = runbin_jget(doc, path);

	return json_is_number(j) ? json_number_value(j) : NAN;
}

static const char *jstr(json_t *doc, const char *path)
{
	return json_string_value(runbin_jget(doc, path)) ?: "";
}

static void setup(struct fixture *fx)
{
	int i, rc;

	memset(fx, 0, sizeof(*fx));
	for (i = 0; i < 2; i++) {
		fx->ld[i].index = -1;
		fx->backing[i] = loopdev_backing_create(TAG, BACKING_SIZE);
		ck_assert_msg(fx->backing[i] != NULL, "cannot create a backing file in /dev/shm");
		rc = loopdev_attach(&fx->ld[i], fx->backing[i], true);
		ck_assert_msg(rc == 0, "cannot attach a loop device: %s", strerror(-rc));
	}
	fx->dir = runbin_tmpdir(TAG);
	ck_assert_ptr_nonnull(fx->dir);
}

static void teardown(struct fixture *fx)
{
	int i;

	json_decref(fx->doc);
	runbin_result_free(&fx->r);
	for (i = 0; i < 2; i++) {
		if (fx->ld[i].index >= 0)
			loopdev_detach(&fx->ld[i]);
		loopdev_backing_remove(fx->backing[i]);
	}
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
		EXPECT(fx, jnum(st, "duration_s") > 0.9, "step %zu measured %f s", i,
		       jnum(st, "duration_s"));
		EXPECT(fx, json_is_object(runbin_jget(st, "total.lat_hist")), "step %zu has no "
		       "histogram", i);
		EXPECT(fx, jnum(st, "cpu.window_s") > 0.9, "step %zu: cpu window %f", i,
		       jnum(st, "cpu.window_s"));
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
	load = jnum(knee, "load");
	for (i = 0; i < 4; i++)
		on_step |= load == (double)loads[i];
	EXPECT(fx, on_step, "the knee's load %f is no step's", load);
	EXPECT(fx, runbin_jint(knee, "step") >= 1 && runbin_jint(knee, "step") <= 4, "knee step %lld",
	       runbin_jint(knee, "step"));
	k = json_array_get(runbin_jget(fx->doc, "results.steps"), (size_t)runbin_jint(knee, "step") - 1);
	EXPECT(fx, jnum(knee, "iops") == jnum(k, "total.iops"), "the knee's IOPS %f are not its "
	       "step's %f", jnum(knee, "iops"), jnum(k, "total.iops"));
	/* A step either side, or the end of the sweep. */
	EXPECT(fx, jnum(knee, "low") <= load && (json_is_null(json_object_get(knee, "high")) ||
						 jnum(knee, "high") > load),
	       "bracket [%f, %f] around %f", jnum(knee, "low"), jnum(knee, "high"), load);
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
		if (jnum(json_array_get(steps, i), "total.lat_ns.p99") > 400000)
			fail = i;
	if (fail == 0) {
		EXPECT(fx, json_is_null(json_object_get(knee, "load")) &&
		       json_is_false(json_object_get(knee, "found")), "the first step failed the "
		       "objective, yet the knee is at %f", jnum(knee, "load"));
		EXPECT(fx, jnum(knee, "high") == 1, "high %f", jnum(knee, "high"));
	} else if (fail == 5) {
		EXPECT(fx, jnum(knee, "load") == 128 && json_is_false(json_object_get(knee, "reached")),
		       "every step met the objective, yet the knee is at %f", jnum(knee, "load"));
	} else {
		EXPECT(fx, jnum(knee, "load") == (double)loads[fail - 1] &&
		       jnum(knee, "high") == (double)loads[fail] &&
		       json_is_true(json_object_get(knee, "reached")),
		       "step %zu lost the objective: the knee is at %f, bracket up to %f", fail + 1,
		       jnum(knee, "load"), jnum(knee, "high"));
		EXPECT(fx, jnum(knee, "crossing") >= (double)loads[fail - 1] &&
		       jnum(knee, "crossing") <= (double)loads[fail], "crossing %f",
		       jnum(knee, "crossing"));
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

/* Write "MAJ:MIN iops" to a throttle file of the group. 0 or -errno. */
static int throttle(const char *cg, const char *file, const struct loopdev *ld, unsigned iops)
{
	char path[512], line[64];
	struct stat st;
	int fd, rc = 0;

	if (stat(ld->path, &st))
		return -errno;
	snprintf(path, sizeof(path), "%s/%s", cg, file);
	snprintf(line, sizeof(line), "%u:%u %u\n", major(st.st_rdev), minor(st.st_rdev), iops);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, line, strlen(line)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Run args (argv[1..]) inside cgroup cg, output to files; the exit status, or -1. */
static int run_in_group(const char *cg, const char *const *args, const char *log)
{
	const char *argv[40];
	posix_spawn_file_actions_t fa;
	size_t n = 0, i;
	pid_t pid;
	int st;

	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"";
	argv[n++] = cg;
	argv[n++] = runbin_path();
	for (i = 0; args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawnp(&pid, "sh", &fa, NULL, (char *const *)argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void throttle_body(struct fixture *fx, const char *cg)
{
	char bd[4096], out[4096], log[4096], *text;
	const char *base[] = { "sweep", "--target", fx->ld[0].path, "--force", "--ops",
			       "1,4,16,64", "--rw", "randread", "--duration", "1", "--repeat", "5",
			       "--seed", "9", "--baseline-dir", bd, "--save-baseline", "knee",
			       "-q", NULL };
	const char *slow[] = { "sweep", "--target", fx->ld[0].path, "--force", "--ops",
			       "1,4,16,64", "--rw", "randread", "--duration", "1", "--repeat", "5",
			       "--seed", "9", "--baseline-dir", bd, "--baseline", "knee",
			       "-o", out, "--output-format", "json", NULL };
	json_t *metrics, *m, *runs, *r, *kr = NULL;
	size_t i;
	int rc;

	snprintf(bd, sizeof(bd), "%s/baselines", fx->dir);
	snprintf(out, sizeof(out), "%s/slow.json", fx->dir);
	snprintf(log, sizeof(log), "%s/slow.log", fx->dir);
	/* The baseline, unthrottled: the test's own group. */
	run(fx, base);
	EXPECT(fx, fx->r.status == 0, "baseline exit %d: %s", fx->r.status, fx->r.err);
	/* The device slowed to 300 reads a second for whoever is in the group. */
	rc = throttle(cg, "blkio.throttle.read_iops_device", &fx->ld[0], 300);
	EXPECT(fx, rc == 0, "cannot throttle: %s", strerror(-rc));
	rc = run_in_group(cg, slow, log);
	text = runbin_slurp(log);
	throttle(cg, "blkio.throttle.read_iops_device", &fx->ld[0], 0);
	EXPECT(fx, rc == 1, "exit %d, not 1 (regression): %s", rc, text ? text : "");
	free(text);
	json_decref(fx->doc);
	fx->doc = json_load_file(out, 0, NULL);
	EXPECT(fx, fx->doc != NULL, "no result in %s", out);
	/*
	 * Throttled, every load gets the same few hundred IOPS: saturated from
	 * the first step, or the next when one I/O in flight cannot use all
	 * of the throttle's budget.
	 */
	EXPECT(fx, jnum(fx->doc, "results.steps.3.total.iops") < 400, "throttled to 300, the "
	       "last step made %f IOPS", jnum(fx->doc, "results.steps.3.total.iops"));
	runs = runbin_jget(fx->doc, "runs");
	EXPECT(fx, json_array_size(runs) == 5, "%zu runs", json_array_size(runs));
	json_array_foreach(runs, i, r)
		EXPECT(fx, jnum(r, "results.knee.load") <= 4, "run %zu: knee at %f", i,
		       jnum(r, "results.knee.load"));
	metrics = runbin_jget(fx->doc, "comparison.metrics");
	json_array_foreach(metrics, i, m)
		if (!strcmp(jstr(m, "group"), "knee"))
			kr = m;
	EXPECT(fx, kr != NULL, "the comparison has no knee");
	EXPECT(fx, !strcmp(jstr(kr, "metric"), "load") && json_is_true(json_object_get(kr, "gate")),
	       "the knee does not gate");
	EXPECT(fx, !strcmp(jstr(kr, "verdict"), "regression"), "the knee's verdict is %s "
	       "(baseline %f, run %f): %s", jstr(kr, "verdict"), jnum(kr, "baseline"),
	       jnum(kr, "run"), jstr(kr, "reason"));
	EXPECT(fx, jnum(kr, "baseline") > jnum(kr, "run"), "the knee did not move down");
	EXPECT(fx, !strcmp(jstr(fx->doc, "comparison.verdict"), "regression"), "verdict %s",
	       jstr(fx->doc, "comparison.verdict"));
}

START_TEST(baseline_knee_moves)
{
	struct fixture fx;
	char cg[256];

	if (access(CGROOT "/blkio.throttle.read_iops_device", W_OK)) {
		fprintf(stderr, "check_sweep: the throttle test needs the cgroup v1 blkio "
			"controller at %s: not run\n", CGROOT);
		return;
	}
	snprintf(cg, sizeof(cg), "%s/dmrb-sweep-check-%d", CGROOT, (int)getpid());
	ck_assert_msg(mkdir(cg, 0755) == 0, "mkdir %s: %s", cg, strerror(errno));
	setup(&fx);
	throttle_body(&fx, cg);
	teardown(&fx);
	/* Empty once the runs are gone; a moment for the kernel to notice. */
	for (int i = 0; i < 50 && rmdir(cg); i++)
		usleep(100000);
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
		EXPECT(fx, isfinite(jnum(st, "reference.overhead.total.iops.estimate_pct")) &&
		       isfinite(jnum(st, "reference.overhead.total.cpu_per_io.estimate_pct")),
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
		EXPECT(fx, jnum(st, "total.iops") <= loads[i] * 1.05, "step %zu: %f IOPS over a cap "
		       "of %lld", i, jnum(st, "total.iops"), loads[i]);
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

/* Groups of test processes that are gone (one killed by Check's timeout cannot clean up). */
static void cgroup_sweep(void)
{
	const char *prefix = "dmrb-sweep-check-";
	struct dirent *de;
	DIR *d = opendir(CGROOT);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[512];
		int pid;

		if (strncmp(de->d_name, prefix, strlen(prefix)) ||
		    sscanf(de->d_name + strlen(prefix), "%d", &pid) != 1 ||
		    (kill(pid, 0) == -1 && errno != ESRCH) || (pid != getpid() && kill(pid, 0) == 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CGROOT, de->d_name);
		rmdir(path);
	}
	closedir(d);
}

int main(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("sweep");
	SRunner *sr;
	int failed;

	if (geteuid() != 0) {
		fprintf(stderr, "check_sweep: SKIP: needs root for loop devices\n");
		return 77;
	}
	loopdev_sweep(TAG);
	runbin_sweep(TAG);
	cgroup_sweep();
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, depth_sweep);
	tcase_add_test(tc, slo_sweep);
	tcase_add_test(tc, baseline_knee_moves);
	tcase_add_test(tc, reference_sweep);
	tcase_add_test(tc, rate_sweep);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	loopdev_sweep(TAG);
	runbin_sweep(TAG);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
