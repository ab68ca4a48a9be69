/*
 * Figures at the edges (dmremap-bench(1), MEASUREMENT): IOPS and bandwidth
 * are per second of the measured period (the duration asked for, or the
 * time until a stop, with the drain of the I/O then in flight), not of the
 * time until the last completion; a rate cap holds from the first second;
 * and no division by a short or empty period leaves a figure out of the
 * result (jansson cannot write inf or nan: the key, or its whole object,
 * would be missing).
 */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runbin.h"

#define TAG "figures"

struct run {
	char *dir;
	struct runbin_result r;
	json_t *doc;
};

static double num(json_t *doc, const char *path)
{
	json_t *j = runbin_jget(doc, path);

	ck_assert_msg(json_is_number(j), "%s is missing or not a number", path);
	return json_number_value(j);
}

/* Every figure a result holds is there, as a number. */
static void check_figures_present(json_t *doc)
{
	static const char *const dirs[] = { "read", "write", "total" };
	static const char *const keys[] = { "iops", "bw_bytes_per_s", "lat_ns.mean", "lat_ns.p50",
					    "lat_ns.p99", "lat_ns.max" };
	static const char *const ival[] = { "t_s", "len_s", "read_iops", "write_iops",
					    "read_bw_bytes_per_s", "write_bw_bytes_per_s",
					    "bw_bytes_per_s", "read_lat_ns.mean", "write_lat_ns.mean" };
	json_t *intervals = runbin_jget(doc, "results.intervals");
	char path[128];
	size_t d, k, i;

	num(doc, "results.duration_s");
	num(doc, "results.concurrency.inflight_mean");
	for (d = 0; d < 3; d++)
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			snprintf(path, sizeof(path), "results.%s.%s", dirs[d], keys[k]);
			num(doc, path);
		}
	ck_assert_msg(json_is_array(intervals), "results.intervals is missing");
	for (i = 0; i < json_array_size(intervals); i++)
		for (k = 0; k < sizeof(ival) / sizeof(ival[0]); k++) {
			snprintf(path, sizeof(path), "results.intervals.%zu.%s", i, ival[k]);
			num(doc, path);
		}
}

/*
 * The intervals cover the measured period: they add up to duration_s and
 * the last ends at it; none is a sliver.
 */
static void check_intervals_cover(json_t *doc, double interval_s)
{
	json_t *iv = runbin_jget(doc, "results.intervals");
	double sum = 0, dur = num(doc, "results.duration_s");
	char path[64];
	size_t i, n = json_array_size(iv);

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "results.intervals.%zu.len_s", i);
		sum += num(doc, path);
		ck_assert_msg(num(doc, path) >= interval_s / 100, "interval %zu lasts %g s", i,
			      num(doc, path));
	}
	if (!n)
		return;
	snprintf(path, sizeof(path), "results.intervals.%zu.t_s", n - 1);
	ck_assert_msg(fabs(sum - dur) <= 0.01 * dur + 0.002, "the intervals add up to %.4f s, "
		      "the measured period is %.4f s", sum, dur);
	ck_assert_msg(fabs(num(doc, path) - dur) <= 0.002, "the last interval ends at %.4f s, "
		      "the measured period at %.4f s", num(doc, path), dur);
}

static void start(struct run *run, const char *const *args, struct runbin *rb)
{
	static char env[300];
	static const char *envv[2];
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 60000 };

	memset(run, 0, sizeof(*run));
	run->dir = runbin_tmpdir(TAG);
	ck_assert_msg(run->dir != NULL, "cannot create a directory in /dev/shm");
	snprintf(env, sizeof(env), "TMPDIR=%s", run->dir);
	envv[0] = env;
	envv[1] = NULL;
	o.env = envv;
	ck_assert_int_eq(runbin_start(rb, args, &o), 0);
}

static void finish(struct run *run, struct runbin *rb, int want)
{
	ck_assert_int_eq(runbin_wait(rb, &run->r), 0);
	ck_assert_msg(!run->r.timed_out, "the run did not end");
	ck_assert_msg(run->r.status == want, "exit %d, want %d: %s", run->r.status, want,
		      run->r.err);
	run->doc = runbin_json(run->r.out);
	ck_assert_msg(run->doc != NULL, "no JSON on stdout: %s", run->r.out);
	check_figures_present(run->doc);
}

static void run_ok(struct run *run, const char *const *args)
{
	struct runbin rb;

	start(run, args, &rb);
	finish(run, &rb, RB_EXIT_OK);
}

static void run_free(struct run *run)
{
	json_decref(run->doc);
	runbin_result_free(&run->r);
	ck_assert_int_eq(runbin_count_entries(run->dir), 0);
	runbin_rmtree(run->dir);
	free(run->dir);
}

/* The run: one I/O a second for a second is 1 IOPS, not 13,153. */
START_TEST(one_io_per_second)
{
	const char *args[] = { "concurrency", "--duration", "1", "--ops", "1", "--rate-iops", "1",
			       "--output-format", "json", NULL };
	struct run run;

	run_ok(&run, args);
	ck_assert_msg(fabs(num(run.doc, "results.duration_s") - 1.0) < 0.05, "duration_s %g",
		      num(run.doc, "results.duration_s"));
	ck_assert_msg(num(run.doc, "results.total.iops") <= 1.05 &&
		      num(run.doc, "results.total.iops") >= 0.95, "%g IOPS under --rate-iops 1",
		      num(run.doc, "results.total.iops"));
	check_intervals_cover(run.doc, 1.0);
	run_free(&run);
}
END_TEST

/*
 * A cap over several workers holds from the first second on: at the end of
 * every interval, the I/Os counted so far are at most the cap times the
 * time since the start (ramp included: its tokens are spent there), plus
 * the one I/O each worker may start with. The cap is an average, as
 * fio's: after a stall (this machine is shared) the run catches up, so no
 * single interval is held to it, and over the run the rate is the cap.
 */
static const struct {
	const char *rate, *duration, *interval, *ramp;
	double cap, seconds, interval_s, ramp_s;
} caps[] = {
	{ "400", "2", "1s", "0", 400, 2, 1, 0 },
	{ "1000", "2", "200ms", "0", 1000, 2, 0.2, 0 },
	{ "300", "2", "500ms", "1", 300, 2, 0.5, 1 },
};

START_TEST(rate_cap_held)
{
	const char *args[] = { "concurrency", "--ops", "8", "--rate-iops", caps[_i].rate,
			       "--duration", caps[_i].duration, "--interval", caps[_i].interval,
			       "--ramp", caps[_i].ramp, "--output-format", "json", NULL };
	double cap = caps[_i].cap, dur, iops, workers, done = 0;
	struct run run;
	size_t i, n;

	run_ok(&run, args);
	dur = num(run.doc, "results.duration_s");
	iops = num(run.doc, "results.total.iops");
	workers = num(run.doc, "results.concurrency.workers");
	fprintf(stderr, "check_figures: --rate-iops %s: %.2f IOPS over %.4f s\n", caps[_i].rate,
		iops, dur);
	ck_assert_msg(fabs(dur - caps[_i].seconds) < 0.02 * caps[_i].seconds, "duration_s %g, "
		      "want %g", dur, caps[_i].seconds);
	ck_assert_msg(fabs(iops - cap) <= 0.05 * cap, "%g IOPS under --rate-iops %g", iops, cap);
	n = json_array_size(runbin_jget(run.doc, "results.intervals"));
	for (i = 0; i < n; i++) {
		char p[64], q[64], l[64], t[64];
		double allowed;

		snprintf(p, sizeof(p), "results.intervals.%zu.read_iops", i);
		snprintf(q, sizeof(q), "results.intervals.%zu.write_iops", i);
		snprintf(l, sizeof(l), "results.intervals.%zu.len_s", i);
		snprintf(t, sizeof(t), "results.intervals.%zu.t_s", i);
		done += (num(run.doc, p) + num(run.doc, q)) * num(run.doc, l);
		/* Tokens since the start of the ramp, less what the ramp used: at most the cap. */
		allowed = cap * (caps[_i].ramp_s + num(run.doc, t)) + workers -
			  num(run.doc, "results.ramp_ops");
		ck_assert_msg(done <= allowed + 0.5, "%.0f I/Os by %.3f s: more than --rate-iops "
			      "%g allows (%.0f)", done, num(run.doc, t), cap, allowed);
	}
	check_intervals_cover(run.doc, caps[_i].interval_s);
	run_free(&run);
}
END_TEST

/* Stopped inside the ramp: nothing was measured, every figure is there and 0. */
START_TEST(signal_before_any_measured_completion)
{
	const char *args[] = { "concurrency", "--ops", "8", "--ramp", "5", "--duration", "5",
			       "--output-format", "json", NULL };
	struct runbin rb;
	struct run run;

	start(&run, args, &rb);
	ck_assert_int_eq(runbin_kill(&rb, SIGINT, 1000), 0);
	finish(&run, &rb, RB_EXIT_SIGINT);
	ck_assert_msg(num(run.doc, "results.duration_s") == 0, "duration_s %g",
		      num(run.doc, "results.duration_s"));
	ck_assert_msg(num(run.doc, "results.total.ops") == 0, "ops counted in the ramp");
	ck_assert_msg(num(run.doc, "results.ramp_ops") > 0, "no I/O in the ramp");
	ck_assert_msg(num(run.doc, "results.total.iops") == 0, "IOPS %g",
		      num(run.doc, "results.total.iops"));
	ck_assert_int_eq(json_array_size(runbin_jget(run.doc, "results.intervals")), 0);
	run_free(&run);
}
END_TEST

/* Stopped mid-run: the period ends at the stop, plus the drain. */
START_TEST(signal_mid_run)
{
	const char *args[] = { "concurrency", "--ops", "4", "--rate-iops", "200", "--duration",
			       "30", "--output-format", "json", NULL };
	struct runbin rb;
	struct run run;
	double dur, iops;

	start(&run, args, &rb);
	ck_assert_int_eq(runbin_kill(&rb, SIGINT, 1500), 0);
	finish(&run, &rb, RB_EXIT_SIGINT);
	dur = num(run.doc, "results.duration_s");
	iops = num(run.doc, "results.total.iops");
	/* The run starts after the process does (later under a sanitizer), stops at the signal. */
	ck_assert_msg(dur > 0.5 && dur < 1.7, "duration_s %g after a SIGINT at 1.5 s", dur);
	ck_assert_msg(fabs(iops - 200) <= 0.05 * 200, "%g IOPS under --rate-iops 200", iops);
	check_intervals_cover(run.doc, 1.0);
	run_free(&run);
}
END_TEST

/* The --verify-only pass ends the run: its period is the pass, not the 7 days it may take. */
START_TEST(verify_only_pass)
{
	struct run w, v;
	char target[400], state[400];
	const char *wargs[] = { "concurrency", "--target", target, "--verify", "--verify-state",
				state, "--ops", "8", "--duration", "1", "--output-format", "json",
				NULL };
	const char *vargs[] = { "concurrency", "--target", target, "--verify-only",
				"--verify-state", state, "--output-format", "json", NULL };
	char *dir = runbin_tmpdir(TAG);
	double dur, ops;
	FILE *f;

	ck_assert(dir != NULL);
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	f = fopen(target, "w");
	ck_assert(f && ftruncate(fileno(f), 32 << 20) == 0 && fclose(f) == 0);
	run_ok(&w, wargs);
	run_ok(&v, vargs);
	dur = num(v.doc, "results.duration_s");
	ops = num(v.doc, "results.total.ops");
	ck_assert_msg(dur > 0 && dur < 20, "the pass measured %g s", dur);
	ck_assert_msg(ops == (32 << 20) / num(v.doc, "results.verify.block_size"),
		      "the pass read %g blocks", ops);
	ck_assert_msg(fabs(num(v.doc, "results.total.iops") - ops / dur) <= 1e-6 * ops / dur,
		      "IOPS %g, ops/duration %g", num(v.doc, "results.total.iops"), ops / dur);
	run_free(&w);
	run_free(&v);
	runbin_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *figures_suite(void)
{
	Suite *s = suite_create("figures");
	TCase *tc = tcase_create("edges");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, one_io_per_second);
	tcase_add_loop_test(tc, rate_cap_held, 0, (int)(sizeof(caps) / sizeof(caps[0])));
	tcase_add_test(tc, signal_before_any_measured_completion);
	tcase_add_test(tc, signal_mid_run);
	tcase_add_test(tc, verify_only_pass);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return runbin_run_suite(figures_suite(), TAG, NULL);
}
