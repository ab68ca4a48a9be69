/*
 * What a run on real device-mapper costs, inside the test VM (root,
 * device-mapper, no udev): results.device_stats of a linear stack over a
 * loop device of the test's own, the dm target and the loop device below
 * it as main, against the loop device's own /sys/block stat file read
 * before and after; and a sweep with --compare-linear, whose every step
 * has the linear twin's curve and the overhead at that load, CPU per I/O
 * included. Exits 77 (skipped) without root or device-mapper.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmtest.h"

#define TAG "check_vm_cost"
#define MAIN_FILE "/tmp/check_vm_cost_main.img"
#define RUN_LIMIT_S 180

/* DMRB_BIN with args (argv[1..]); its stdout as JSON. */
static struct vm_run *run_bin(const char *const *args)
{
	return vm_run(TAG, args, RUN_LIMIT_S);
}

/* The number at path, or NAN (the callers' assertions say which is missing). */
static double jreal(json_t *o, const char *path)
{
	json_t *v = jpath(o, path);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Completed reads, merged reads and sectors read of a block device, from /sys/block. */
static void sys_reads(const char *name, long long v[3])
{
	char path[128], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/%s/stat", name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_msg(fgets(line, sizeof(line), f) &&
		      sscanf(line, "%lld %lld %lld", &v[0], &v[1], &v[2]) == 3, "%s: %s", path,
		      line);
	fclose(f);
}

/* A loop device of the test's own over a 32 MiB file; its fd (autoclear on close). */
static int own_loop(char *dev, size_t len)
{
	int lfd;

	vm_make_file(MAIN_FILE, 32 << 20);
	lfd = vm_loop_bind(MAIN_FILE, dev, len);
	ck_assert_msg(lfd >= 0, "no loop device over %s", MAIN_FILE);
	unlink(MAIN_FILE);
	return lfd;
}

/*
 * results.device_stats of a linear stack over a loop device: the dm target
 * and, below it, the loop device as main, whose counters over the measured
 * window agree with the target's and with its own stat file read before
 * and after the run.
 */
START_TEST(device_stats_slaves)
{
	char dev[32];
	const char *args[] = { "concurrency", "--main", dev, "--target-type", "linear", "--ops",
			       "8", "--rw", "randread", "--duration", "2", "--output-format",
			       "json", NULL };
	long long before[3], after[3], ops, t_reads, s_reads, s_merged, s_sectors, whole;
	json_t *devs, *t, *sl;
	const char *lname, *dmname;
	struct vm_run *r;
	int lfd = own_loop(dev, sizeof(dev));

	lname = strrchr(dev, '/') + 1;
	sys_reads(lname, before);
	r = run_bin(args);
	sys_reads(lname, after);
	close(lfd);
	ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->err);
	ck_assert_msg(r->doc != NULL, "stdout is not JSON: %.300s", r->out);
	dmname = jstr(r->doc, "target.sysname");
	ck_assert_msg(!strncmp(dmname, "dm-", 3), "target %s", dmname);
	devs = jpath(r->doc, "results.device_stats");
	ck_assert_msg(json_object_size(devs) == 2, "%zu devices", json_object_size(devs));
	t = json_object_get(devs, dmname);
	sl = json_object_get(devs, lname);
	ck_assert_msg(t && sl, "device_stats lacks %s or %s", dmname, lname);
	ck_assert_str_eq(jstr(t, "role"), "target");
	ck_assert_int_eq(jint(t, "depth"), 0);
	ck_assert_str_eq(jstr(sl, "role"), "main");
	ck_assert_int_eq(jint(sl, "depth"), 1);
	/* The target completed the run's reads (the last few may be counted a moment later). */
	ops = jint(r->doc, "results.read.ops");
	t_reads = jint(t, "reads_completed");
	ck_assert_msg(t_reads <= ops && t_reads >= ops - 8, "%s: %lld reads, the run %lld",
		      dmname, t_reads, ops);
	/* Linear, 4 KiB aligned: every read of the target is one of the loop device's. */
	s_reads = jint(sl, "reads_completed");
	s_merged = jint(sl, "reads_merged");
	s_sectors = jint(sl, "sectors_read");
	ck_assert_msg(llabs(s_reads + s_merged - t_reads) <= 8, "%s: %lld reads and %lld merged "
		      "under %lld of %s", lname, s_reads, s_merged, t_reads, dmname);
	ck_assert_msg(llabs(s_sectors - jint(t, "sectors_read")) <= 64, "%s read %lld sectors, %s "
		      "%lld", lname, s_sectors, dmname, jint(t, "sectors_read"));
	/*
	 * Its own stat file over the whole run holds the window, and little
	 * else: the tool's probes of main before the stack was built.
	 */
	whole = after[0] + after[1] - before[0] - before[1];
	ck_assert_msg(whole >= s_reads + s_merged && whole - (s_reads + s_merged) <= 256,
		      "/sys/block/%s/stat: %lld reads over the run, %lld in the window", lname,
		      whole, s_reads + s_merged);
	ck_assert_msg(after[2] - before[2] >= s_sectors, "%s: %lld sectors over the run, %lld in "
		      "the window", lname, after[2] - before[2], s_sectors);
	ck_assert_msg(jreal(sl, "util_pct") > 0 && jreal(sl, "util_pct") <= 101, "%s util %f", lname,
		      jreal(sl, "util_pct"));
	ck_assert_msg(strstr(r->out, "\"cpu\"") != NULL, "no results.cpu");
	vm_run_free(r);
}
END_TEST

/*
 * A sweep with --compare-linear: each step against the stack's linear twin,
 * interleaved, its curve and its overheads (IOPS, p99, CPU per I/O).
 */
START_TEST(sweep_compare_linear)
{
	char dev[32];
	const char *args[] = { "sweep", "--main", dev, "--target-type", "linear", "--ops",
			       "1,4,16", "--rw", "randread", "--duration", "2", "--slice", "1s",
			       "--compare-linear", "--output-format", "json", NULL };
	json_t *steps, *st;
	struct vm_run *r;
	size_t i;
	int lfd = own_loop(dev, sizeof(dev));

	r = run_bin(args);
	close(lfd);
	ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->err);
	ck_assert_msg(r->doc != NULL, "stdout is not JSON: %.300s", r->out);
	ck_assert_str_eq(jstr(r->doc, "reference.kind"), "linear-twin");
	steps = jpath(r->doc, "results.steps");
	ck_assert_uint_eq(json_array_size(steps), 3);
	json_array_foreach(steps, i, st) {
		ck_assert_msg(jint(st, "reference.results.total.ops") > 0, "step %zu: no twin", i);
		ck_assert_int_eq(jint(st, "reference.pairs"), 2);
		ck_assert_msg(isfinite(jreal(st, "reference.overhead.total.iops.estimate_pct")) &&
			      isfinite(jreal(st, "reference.overhead.total.lat_p99.estimate_pct")) &&
			      isfinite(jreal(st, "reference.overhead.total.cpu_per_io.estimate_pct")),
			      "step %zu: an overhead is missing", i);
		ck_assert_msg(jreal(st, "reference.results.cpu.per_io_ns.system") > 0,
			      "step %zu: the twin's CPU per I/O", i);
	}
	ck_assert_msg(json_is_object(jpath(r->doc, "results.knee")), "no knee");
	vm_run_free(r);
}
END_TEST

static Suite *cost_suite(void)
{
	Suite *s = suite_create("vm-cost");
	TCase *tc = tcase_create("cost");

	tcase_add_test(tc, device_stats_slaves);
	tcase_add_test(tc, sweep_compare_linear);
	tcase_set_timeout(tc, 220);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int rc = vm_need(TAG, 0, 0);

	return rc ? rc : vm_run_suite(cost_suite());
}
