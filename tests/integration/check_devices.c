/*
 * Several devices in one run, end to end on loop devices (root only):
 * --target given several times and as a comma list drives every device at
 * once; each device's results match its own kernel counters exactly, the
 * top-level results are the exact merge of the devices' (counts and every
 * histogram bucket), each device's device_stats are its own and the
 * machine's CPU is counted once per run, a device slowed down by the blkio throttle is named
 * as the outlier, a device that fails the safety checks refuses the whole
 * run before any I/O, and a stop signal ends every device and still writes
 * the result.
 */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blkio.h"
#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "devices"
#define NDEV 4
#define BACKING_SIZE (64ULL << 20)

struct fixture {
	char *backing[NDEV];
	struct loopdev ld[NDEV];
	struct runbin_result r;
	json_t *doc;
	struct expect ex;
	char cgroup[256];
};

static void run(struct fixture *fx, const char *const *args)
{
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 90000 };

	runbin_run_doc(args, &o, &fx->r, &fx->doc);
}

/* Completed reads and writes of a loop device: fields 1 and 5 of its stat file. */
static int io_of(const struct loopdev *ld, long long *rd, long long *wr)
{
	char line[512];
	unsigned long long f[5];

	if (loopdev_sysfs_read(ld, "stat", line, sizeof(line)) ||
	    sscanf(line, "%llu %llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3], &f[4]) != 5)
		return -1;
	*rd = (long long)f[0];
	*wr = (long long)f[4];
	return 0;
}

static void setup(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	loopdev_setup(fx->ld, fx->backing, NDEV, TAG, BACKING_SIZE);
}

/* Back to the root blkio group, and the group of our own removed. */
static void cgroup_leave(struct fixture *fx)
{
	if (!fx->cgroup[0])
		return;
	blkio_move(BLKIO_ROOT, getpid());
	blkio_group_remove(fx->cgroup);
	fx->cgroup[0] = '\0';
}

static void teardown(struct fixture *fx)
{
	cgroup_leave(fx);
	json_decref(fx->doc);
	runbin_result_free(&fx->r);
	loopdev_teardown(fx->ld, fx->backing, NDEV);
}

/* A histogram of the document ("enc": "d1" buckets) added into sum[]; the count, or -1. */
static long long add_hist(json_t *h, unsigned long long *sum, size_t cap)
{
	const char *s = json_string_value(runbin_jget(h, "buckets"));
	unsigned long long idx = 0, step, count, total = 0;
	bool first = true;
	int n;

	if (!s)
		return -1;
	while (*s) {
		if (sscanf(s, "%llu:%llu%n", &step, &count, &n) != 2)
			return -1;
		idx = first ? step : idx + step;
		first = false;
		if (idx >= cap)
			return -1;
		sum[idx] += count;
		total += count;
		s += n;
		if (*s == ',')
			s++;
	}
	return (long long)total;
}

#define HIST_CAP 8192

/* The histogram at path of doc equals the sum of the devices' histograms at the same path. */
static void hist_is_merge(struct fixture *fx, json_t *devs, const char *path)
{
	unsigned long long *sum = calloc(HIST_CAP, sizeof(*sum)), *top = calloc(HIST_CAP, sizeof(*top));
	unsigned long long s = 0, t = 0;
	size_t i, k, bad = HIST_CAP, missing = SIZE_MAX;
	bool top_ok = false, have = sum && top;
	char p[128];
	json_t *d;

	snprintf(p, sizeof(p), "results.%s", path);
	if (have) {
		json_array_foreach(devs, i, d)
			if (missing == SIZE_MAX && add_hist(runbin_jget(d, p), sum, HIST_CAP) < 0)
				missing = i;
		top_ok = add_hist(runbin_jget(fx->doc, p), top, HIST_CAP) >= 0;
		for (k = 0; k < HIST_CAP && bad == HIST_CAP; k++)
			if (sum[k] != top[k]) {
				bad = k;
				s = sum[k];
				t = top[k];
			}
	}
	/* Freed before any verdict: EXPECT leaves the function. */
	free(sum);
	free(top);
	EXPECT(fx, have, "out of memory");
	EXPECT(fx, missing == SIZE_MAX, "device %zu: no histogram at %s", missing, p);
	EXPECT(fx, top_ok, "no histogram at %s", p);
	EXPECT(fx, bad == HIST_CAP, "%s bucket %zu: the devices add up to %llu, the result says "
	       "%llu", path, bad, s, t);
}

/* 4 devices (two --target, one a comma list), randrw: per device, the kernel's counters. */
static void counters_body(struct fixture *fx)
{
	char list[64];
	const char *args[] = { "concurrency", "--target", fx->ld[0].path, "--target", list,
			       "--target", fx->ld[3].path, "--force", "--rw", "randrw", "--ops", "8",
			       "--workers", "2", "--duration", "2", "--seed", "7",
			       "--output-format", "json", NULL };
	long long rd0[NDEV], wr0[NDEV], rd1, wr1, sum_ops = 0, sum_rd = 0;
	double tool_s, win;
	char key[128];
	json_t *devs, *d, *iv;
	uint64_t last_t = 0;
	size_t i;

	snprintf(list, sizeof(list), "%s,%s", fx->ld[1].path, fx->ld[2].path);
	for (i = 0; i < NDEV; i++)
		EXPECT(fx, io_of(&fx->ld[i], &rd0[i], &wr0[i]) == 0, "cannot read %s's stat",
		       fx->ld[i].sysname);
	run(fx, args);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	devs = runbin_jget(fx->doc, "devices");
	EXPECT(fx, json_array_size(devs) == NDEV, "%zu devices in the result, not %d",
	       json_array_size(devs), NDEV);
	EXPECT(fx, !runbin_jget(fx->doc, "target"), "a top-level target with several devices");
	EXPECT(fx, json_array_size(runbin_jget(fx->doc, "params.targets")) == NDEV,
	       "params.targets lists %zu", json_array_size(runbin_jget(fx->doc, "params.targets")));
	json_array_foreach(devs, i, d) {
		const char *path = json_string_value(runbin_jget(d, "target.path"));
		long long r = runbin_jint(d, "results.read.ops"), w = runbin_jint(d, "results.write.ops");

		EXPECT(fx, path && !strcmp(path, fx->ld[i].path), "device %zu is %s, not %s", i,
		       path ? path : "(none)", fx->ld[i].path);
		EXPECT(fx, runbin_jint(d, "index") == (long long)i, "device %zu has index %lld", i,
		       runbin_jint(d, "index"));
		EXPECT(fx, r > 0 && w > 0, "device %zu: %lld reads, %lld writes", i, r, w);
		EXPECT(fx, io_of(&fx->ld[i], &rd1, &wr1) == 0, "cannot read %s's stat",
		       fx->ld[i].sysname);
		/* Each device did exactly what its own result says, and knows it. */
		EXPECT(fx, rd1 - rd0[i] == r && wr1 - wr0[i] == w, "device %zu (%s): the kernel "
		       "completed %lld reads %lld writes, its result says %lld %lld", i,
		       fx->ld[i].path, rd1 - rd0[i], wr1 - wr0[i], r, w);
		/* Its device_stats are its own device's; the CPU is the run's, not a device's. */
		snprintf(key, sizeof(key), "results.device_stats.%s", fx->ld[i].sysname);
		EXPECT(fx, runbin_jint(d, strcat(key, ".reads_completed")) == r,
		       "device %zu: %s %lld, its result %lld reads", i, key, runbin_jint(d, key), r);
		EXPECT(fx, !runbin_jget(d, "results.cpu"), "device %zu has the machine's CPU as its "
		       "own", i);
		EXPECT(fx, runbin_jint(d, "target.kernel_counters_delta.reads_completed") == r &&
		       runbin_jint(d, "target.kernel_counters_delta.writes_completed") == w,
		       "device %zu: kernel_counters_delta %lld/%lld, results %lld/%lld", i,
		       runbin_jint(d, "target.kernel_counters_delta.reads_completed"),
		       runbin_jint(d, "target.kernel_counters_delta.writes_completed"), r, w);
		/* Each device ran the whole workload, with its own workers. */
		EXPECT(fx, runbin_jint(d, "results.concurrency.workers") == 2 &&
		       runbin_jint(d, "results.concurrency.inflight_target") == 8,
		       "device %zu: %lld workers, %lld in flight", i,
		       runbin_jint(d, "results.concurrency.workers"),
		       runbin_jint(d, "results.concurrency.inflight_target"));
		EXPECT(fx, runbin_jnum(d, "results.duration_s") > 1.9 &&
		       runbin_jnum(d, "results.duration_s") < 2.5, "device %zu measured %f s", i,
		       runbin_jnum(d, "results.duration_s"));
		EXPECT(fx, json_array_size(runbin_jget(d, "results.intervals")) >= 2,
		       "device %zu has %zu intervals", i,
		       json_array_size(runbin_jget(d, "results.intervals")));
		sum_ops += runbin_jint(d, "results.total.ops");
		sum_rd += r;
	}
	/* The top level is the exact merge. */
	EXPECT(fx, sum_ops == runbin_jint(fx->doc, "results.total.ops") &&
	       sum_rd == runbin_jint(fx->doc, "results.read.ops"), "the devices add up to %lld ops "
	       "(%lld reads), the result says %lld (%lld)", sum_ops, sum_rd,
	       runbin_jint(fx->doc, "results.total.ops"), runbin_jint(fx->doc, "results.read.ops"));
	/*
	 * The run's CPU: the machine's over one window (not one per device
	 * added up), per I/O of every device.
	 */
	win = runbin_jnum(fx->doc, "results.cpu.window_s");
	tool_s = runbin_jnum(fx->doc, "results.cpu.tool.user_s") +
		 runbin_jnum(fx->doc, "results.cpu.tool.system_s");
	EXPECT(fx, win > 1.9 && win < 2.5, "results.cpu.window_s %f", win);
	EXPECT(fx, runbin_jnum(fx->doc, "results.cpu.system.busy_s") <=
	       1.05 * win * runbin_jnum(fx->doc, "results.cpu.cpus"), "the CPUs were busy %f s of "
	       "%f s on %f CPUs", runbin_jnum(fx->doc, "results.cpu.system.busy_s"), win,
	       runbin_jnum(fx->doc, "results.cpu.cpus"));
	EXPECT(fx, tool_s > 0 && fabs(runbin_jnum(fx->doc, "results.cpu.per_io_ns.tool") *
	       (double)sum_ops - tool_s * 1e9) < 0.01 * tool_s * 1e9, "tool CPU %f s, %f ns per "
	       "I/O over %lld I/Os", tool_s, runbin_jnum(fx->doc, "results.cpu.per_io_ns.tool"),
	       sum_ops);
	EXPECT(fx, runbin_jnum(fx->doc, "results.cpu.per_io_ns.system") > 0, "no system CPU "
	       "per I/O");
	EXPECT(fx, runbin_jint(fx->doc, "results.concurrency.workers") == 2 * NDEV,
	       "%lld workers in all", runbin_jint(fx->doc, "results.concurrency.workers"));
	hist_is_merge(fx, devs, "read.lat_hist");
	EXPECT_OK(fx);
	hist_is_merge(fx, devs, "write.lat_hist");
	EXPECT_OK(fx);
	hist_is_merge(fx, devs, "total.lat_hist");
	EXPECT_OK(fx);
	/* The devices ran at the same time: the merged window is one run's, not four. */
	EXPECT(fx, runbin_jnum(fx->doc, "results.duration_s") < 2.5, "merged duration %f s",
	       runbin_jnum(fx->doc, "results.duration_s"));
	/* Intervals carry the wall clock, in order. */
	iv = runbin_jget(fx->doc, "results.intervals");
	EXPECT(fx, json_array_size(iv) >= 2, "%zu merged intervals", json_array_size(iv));
	json_array_foreach(iv, i, d) {
		uint64_t t = (uint64_t)runbin_jint(d, "t_ns");

		EXPECT(fx, t > last_t && t > 1600000000ULL * 1000000000ULL, "interval %zu: t_ns %"
		       PRIu64 " after %" PRIu64, i, t, last_t);
		last_t = t;
	}
	EXPECT(fx, runbin_jint(fx->doc, "outliers.devices.n") == NDEV, "outliers.devices.n %lld",
	       runbin_jint(fx->doc, "outliers.devices.n"));
}

START_TEST(four_devices_counters)
{
	struct fixture fx;

	setup(&fx);
	counters_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/* The summary: a row per device and the total. */
static void summary_body(struct fixture *fx)
{
	const char *args[] = { "concurrency", "--target", fx->ld[0].path, "--target",
			       fx->ld[1].path, "--target", fx->ld[2].path, "--force", "--rw",
			       "randread", "--ops", "4", "--duration", "1", NULL };
	size_t i;

	run(fx, args);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, strstr(fx->r.out, "devices: 3"), "no devices table:\n%s", fx->r.out);
	for (i = 0; i < 3; i++)
		EXPECT(fx, strstr(fx->r.out, fx->ld[i].path), "no row for %s:\n%s", fx->ld[i].path,
		       fx->r.out);
	EXPECT(fx, strstr(fx->r.out, "\n  all "), "no total row:\n%s", fx->r.out);
}

START_TEST(summary_rows)
{
	struct fixture fx;

	setup(&fx);
	summary_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/* A group of our own with the read IOPS of one device capped; this process moves in. */
static const char *throttle(struct fixture *fx, const struct loopdev *ld, unsigned iops)
{
	static char why[128];
	int rc;

	if (!blkio_available())
		return "no cgroup v1 blkio throttle";
	rc = blkio_group_create(fx->cgroup, sizeof(fx->cgroup), TAG, "outlier");
	if (rc) {
		fx->cgroup[0] = '\0';
		snprintf(why, sizeof(why), "cannot create a blkio cgroup: %s", strerror(-rc));
		return why;
	}
	rc = blkio_throttle(fx->cgroup, BLKIO_READ_IOPS, ld, iops);
	if (rc) {
		snprintf(why, sizeof(why), "cannot throttle %s: %s", ld->path, strerror(-rc));
		return why;
	}
	rc = blkio_move(fx->cgroup, getpid());
	if (rc) {
		snprintf(why, sizeof(why), "cannot move into the cgroup: %s", strerror(-rc));
		return why;
	}
	return NULL;
}

/* Device 3 of 4 capped at 300 read IOPS: the outlier, in IOPS and in p99. */
static void outlier_body(struct fixture *fx)
{
	const char *args[] = { "concurrency", "--target", fx->ld[0].path, "--target",
			       fx->ld[1].path, "--target", fx->ld[2].path, "--target", fx->ld[3].path,
			       "--force", "--rw", "randread", "--ops", "4", "--workers", "1",
			       "--duration", "2", "--output-format", "json", NULL };
	const char *why = throttle(fx, &fx->ld[2], 300);
	const char *name;

	if (why) {
		fprintf(stderr, "check_devices: outlier: %s; skipped\n", why);
		return;
	}
	run(fx, args);
	cgroup_leave(fx);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, runbin_jnum(fx->doc, "devices.2.results.total.iops") < 400, "the capped device "
	       "did %f IOPS", runbin_jnum(fx->doc, "devices.2.results.total.iops"));
	EXPECT(fx, runbin_jint(fx->doc, "outliers.devices.iops.index") == 2, "the IOPS outlier is "
	       "device %lld, not 2 (the throttled one)", runbin_jint(fx->doc, "outliers.devices.iops.index"));
	EXPECT(fx, json_is_true(runbin_jget(fx->doc, "outliers.devices.iops.outlier")) &&
	       runbin_jnum(fx->doc, "outliers.devices.iops.z") < -3.5, "z %f",
	       runbin_jnum(fx->doc, "outliers.devices.iops.z"));
	fprintf(stderr, "check_devices: outlier: device %lld, IOPS %.0f against the median %.0f, "
		"z %.1f (%s)\n", runbin_jint(fx->doc, "outliers.devices.iops.index"),
		runbin_jnum(fx->doc, "outliers.devices.iops.value"),
		runbin_jnum(fx->doc, "outliers.devices.iops.median"),
		runbin_jnum(fx->doc, "outliers.devices.iops.z"),
		json_string_value(runbin_jget(fx->doc, "outliers.devices.iops.spread_kind")) ?: "?");
	name = json_string_value(runbin_jget(fx->doc, "outliers.devices.iops.name"));
	EXPECT(fx, name && strstr(name, fx->ld[2].path), "outlier named %s", name ? name : "?");
	EXPECT(fx, runbin_jint(fx->doc, "outliers.devices.lat_p99.index") == 2, "the p99 outlier is "
	       "device %lld, not 2", runbin_jint(fx->doc, "outliers.devices.lat_p99.index"));
}

START_TEST(throttled_device_is_the_outlier)
{
	struct fixture fx;

	setup(&fx);
	outlier_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/*
 * The safety checks hold per device: a signature on one of them refuses
 * the whole run (exit 2) before any device is written.
 */
static void safety_body(struct fixture *fx)
{
	const char *args[] = { "concurrency", "--target", fx->ld[0].path, "--target",
			       fx->ld[1].path, "--rw", "randwrite", "--ops", "4", "--duration", "1",
			       "--output-format", "json", NULL };
	long long rd0[2], wr0[2], rd1, wr1;
	char cmd[256];
	int i;

	/* A filesystem on device 2 only. */
	snprintf(cmd, sizeof(cmd), "mkfs.ext4 -q -F %s >/dev/null 2>&1", fx->ld[1].path);
	if (system(cmd) != 0) {
		fprintf(stderr, "check_devices: safety: no mkfs.ext4; skipped\n");
		return;
	}
	for (i = 0; i < 2; i++)
		EXPECT(fx, io_of(&fx->ld[i], &rd0[i], &wr0[i]) == 0, "stat");
	run(fx, args);
	EXPECT(fx, fx->r.status == 2, "exit %d, not 2: %s", fx->r.status, fx->r.err);
	EXPECT(fx, strstr(fx->r.err, fx->ld[1].path), "the refusal does not name %s: %s",
	       fx->ld[1].path, fx->r.err);
	EXPECT(fx, runbin_count_lines(fx->r.err) == 1, "not one line: %s", fx->r.err);
	for (i = 0; i < 2; i++) {
		EXPECT(fx, io_of(&fx->ld[i], &rd1, &wr1) == 0, "stat");
		EXPECT(fx, wr1 == wr0[i], "device %d was written %lld times by a refused run", i,
		       wr1 - wr0[i]);
	}
}

START_TEST(signature_refuses_all)
{
	struct fixture fx;

	setup(&fx);
	safety_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/* SIGINT during a run on several devices: all stop, the result is written, exit 130. */
static void sigint_body(struct fixture *fx)
{
	const char *args[] = { "concurrency", "--target", fx->ld[0].path, "--target",
			       fx->ld[1].path, "--target", fx->ld[2].path, "--force", "--rw",
			       "randread", "--ops", "4", "--duration", "60", "--output-format",
			       "json", NULL };
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 30000 };
	struct runbin rb;
	json_t *d;
	size_t i;

	json_decref(fx->doc);
	fx->doc = NULL;
	runbin_result_free(&fx->r);
	EXPECT(fx, runbin_start(&rb, args, &o) == 0, "cannot start");
	runbin_kill(&rb, SIGINT, 1500);
	runbin_wait(&rb, &fx->r);
	fx->doc = runbin_json(fx->r.out);
	EXPECT(fx, fx->r.status == 130, "exit %d, not 130: %s", fx->r.status, fx->r.err);
	EXPECT(fx, json_is_true(runbin_jget(fx->doc, "interrupted")), "not marked interrupted");
	EXPECT(fx, json_array_size(runbin_jget(fx->doc, "devices")) == 3, "devices missing");
	json_array_foreach(runbin_jget(fx->doc, "devices"), i, d)
		EXPECT(fx, runbin_jint(d, "results.total.ops") > 0 &&
		       runbin_jnum(d, "results.duration_s") < 5,
		       "device %zu: %lld ops in %f s", i, runbin_jint(d, "results.total.ops"),
		       runbin_jnum(d, "results.duration_s"));
}

START_TEST(sigint_stops_every_device)
{
	struct fixture fx;

	setup(&fx);
	sigint_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/*
 * Flushes and discards merge like reads and writes: a job file that flushes
 * every 4 writes and discards, on two devices; the top level is the sum of
 * the devices' for every direction (it once kept only reads and writes).
 */
static void flush_body(struct fixture *fx)
{
	char job[] = "/dev/shm/dmrb-devices-job-XXXXXX";
	static const char text[] = "[global]\nbs=4k\niodepth=2\nruntime=2\ntime_based=1\n"
				   "[w]\nrw=randwrite\nfsync=4\n[t]\nrw=randtrim\n";
	const char *args[] = { "run", job, "--target", fx->ld[0].path, "--target", fx->ld[1].path,
			       "--force", "--output-format", "json", "-q", NULL };
	static const char *const dirs[] = { "write", "flush", "discard" };
	int fd = mkstemp(job);
	size_t k;

	EXPECT(fx, fd >= 0 && write(fd, text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1),
	       "cannot write the job file %s", job);
	if (fd >= 0)
		close(fd);
	run(fx, args);
	unlink(job);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	for (k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
		char path[64];
		long long a, b, all;

		snprintf(path, sizeof(path), "devices.0.results.%s.ops", dirs[k]);
		a = runbin_jint(fx->doc, path);
		snprintf(path, sizeof(path), "devices.1.results.%s.ops", dirs[k]);
		b = runbin_jint(fx->doc, path);
		snprintf(path, sizeof(path), "results.%s.ops", dirs[k]);
		all = runbin_jint(fx->doc, path);
		EXPECT(fx, a > 0 && b > 0 && all == a + b, "%s: devices %lld + %lld, the result %lld",
		       dirs[k], a, b, all);
	}
}

START_TEST(flushes_and_discards_merge)
{
	struct fixture fx;

	setup(&fx);
	flush_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

static Suite *devices_suite(void)
{
	Suite *s = suite_create("devices");
	TCase *tc = tcase_create("devices");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, four_devices_counters);
	tcase_add_test(tc, summary_rows);
	tcase_add_test(tc, flushes_and_discards_merge);
	tcase_add_test(tc, throttled_device_is_the_outlier);
	tcase_add_test(tc, signature_refuses_all);
	tcase_add_test(tc, sigint_stops_every_device);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (!loopdev_usable("check_devices"))
		return 77;
	loopdev_sweep(TAG);
	runbin_sweep(TAG);
	blkio_sweep(TAG);
	return runbin_run_suite(devices_suite(), TAG, loopdev_sweep);
}
