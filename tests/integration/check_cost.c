/*
 * What a run costs, checked against readings the tool does not make
 * (root only, loop devices over /dev/shm):
 *   - results.cpu: the tool's CPU over the whole run against the kernel's
 *     own accounting of the process tree, as wait4(2) (and so
 *     /usr/bin/time) reports it, within 5%; the measured window's share of
 *     it; the system's figures adding up to the window's CPU time;
 *   - results.device_stats: the target's counters against its stat file
 *     read before and after the run, and against the I/O the run did;
 *   - --reference: the CPU per I/O overhead beside IOPS and latency, with
 *     the same paired statistics, in the result and in the summary.
 */
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "cost"
#define BACKING_SIZE (256ULL << 20)

struct fixture {
	char *backing[2];
	struct loopdev ld[2];
	char *dir;
	struct runbin_result r;
	json_t *doc;
	struct expect ex;
};

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

/* Completed reads and sectors read of a loop device, from its stat file. */
static int stat_of(const struct loopdev *ld, long long *reads, long long *sectors)
{
	char line[512];

	return loopdev_sysfs_read(ld, "stat", line, sizeof(line)) ||
	       sscanf(line, "%lld %*d %lld", reads, sectors) != 2 ? -1 : 0;
}

/*
 * Run the tool with args, its output to out_path, and the kernel's
 * accounting of it and every process it waited for (wait4's rusage:
 * what /usr/bin/time reports). The exit status, or -1.
 */
static int run_timed(const char *const *args, const char *out_path, double *cpu_s)
{
	const char *argv[32];
	struct rusage ru;
	size_t n = 0, i;
	pid_t pid;
	int st;

	argv[n++] = runbin_path();
	for (i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) != pid)
		return -1;
	*cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- CPU: the tool's own against wait4, the window's, the system's ---------------- */

static void cpu_body(struct fixture *fx)
{
	char res[4096], log[4096], dev[96];
	const char *args[] = { "concurrency", "--target", fx->ld[0].path, "--force", "--ops", "32",
			       "--rw", "randread", "--duration", "4", "-q", "-o", res,
			       "--output-format", "json", NULL };
	double waited = 0, process, window, user, sys, total_s, busy, ops;
	long long r0, s0, r1, s1, reads;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	snprintf(res, sizeof(res), "%s/cpu.json", fx->dir);
	snprintf(log, sizeof(log), "%s/cpu.log", fx->dir);
	EXPECT(fx, stat_of(&fx->ld[0], &r0, &s0) == 0, "cannot read the stat file");
	rc = run_timed(args, log, &waited);
	EXPECT(fx, rc == 0, "exit %d", rc);
	EXPECT(fx, stat_of(&fx->ld[0], &r1, &s1) == 0, "cannot read the stat file");
	fx->doc = json_load_file(res, 0, NULL);
	EXPECT(fx, fx->doc != NULL, "no result in %s", res);
	ops = runbin_jnum(fx->doc, "results.total.ops");
	/* The whole run's process: what the kernel says the tool's processes used, within 5%. */
	process = runbin_jnum(fx->doc, "results.cpu.process.user_s") +
		  runbin_jnum(fx->doc, "results.cpu.process.system_s");
	EXPECT(fx, waited > 0.2, "the run used only %f s of CPU: too little to compare", waited);
	EXPECT(fx, fabs(process - waited) <= 0.05 * waited, "the result says the run's process "
	       "used %.3f s of CPU, wait4 says %.3f s (%+.1f%%)", process, waited,
	       (process / waited - 1) * 100);
	/* The measured window: most of the process's CPU (no ramp), never more. */
	user = runbin_jnum(fx->doc, "results.cpu.tool.user_s");
	sys = runbin_jnum(fx->doc, "results.cpu.tool.system_s");
	window = user + sys;
	EXPECT(fx, window <= process * 1.001 + 0.002 && window >= 0.85 * process,
	       "the window's CPU %.3f s against the process's %.3f s", window, process);
	EXPECT(fx, fabs(runbin_jnum(fx->doc, "results.cpu.window_s") - 4.0) < 0.5, "window %f s",
	       runbin_jnum(fx->doc, "results.cpu.window_s"));
	EXPECT(fx, fabs(runbin_jnum(fx->doc, "results.cpu.per_io_ns.tool") * ops - window * 1e9) <=
	       1e-6 * window * 1e9, "per_io_ns.tool %f is not the tool's CPU per I/O",
	       runbin_jnum(fx->doc, "results.cpu.per_io_ns.tool"));
	EXPECT(fx, runbin_jint(fx->doc, "results.cpu.tool.voluntary_ctxt") >= 0 &&
	       runbin_jint(fx->doc, "results.cpu.tool.involuntary_ctxt") >= 0, "no context switches");
	/* The system's: every CPU's time over the window adds up to it; it holds the tool's. */
	total_s = runbin_jnum(fx->doc, "results.cpu.system.user_s") +
		  runbin_jnum(fx->doc, "results.cpu.system.nice_s") +
		  runbin_jnum(fx->doc, "results.cpu.system.system_s") +
		  runbin_jnum(fx->doc, "results.cpu.system.idle_s") +
		  runbin_jnum(fx->doc, "results.cpu.system.iowait_s") +
		  runbin_jnum(fx->doc, "results.cpu.system.irq_s") +
		  runbin_jnum(fx->doc, "results.cpu.system.softirq_s") +
		  runbin_jnum(fx->doc, "results.cpu.system.steal_s");
	EXPECT(fx, runbin_jint(fx->doc, "results.cpu.system.cpus") == ncpu, "%lld CPUs, sysconf says %ld",
	       runbin_jint(fx->doc, "results.cpu.system.cpus"), ncpu);
	EXPECT(fx, fabs(total_s /
			(runbin_jnum(fx->doc, "results.cpu.window_s") * (double)ncpu) - 1) < 0.1,
	       "the CPUs' time %.2f s is not %ld CPUs x %.2f s", total_s, ncpu,
	       runbin_jnum(fx->doc, "results.cpu.window_s"));
	busy = runbin_jnum(fx->doc, "results.cpu.system.busy_s");
	EXPECT(fx, busy >= window - 0.05 && busy <= total_s + 1e-9, "the system was busy %.2f s, "
	       "the tool alone used %.2f s", busy, window);
	EXPECT(fx, fabs(runbin_jnum(fx->doc, "results.cpu.busy_pct") - busy / total_s * 100) <
	       1e-6, "busy_pct %f", runbin_jnum(fx->doc, "results.cpu.busy_pct"));
	EXPECT(fx, runbin_jint(fx->doc, "results.cpu.interrupts") > 0 &&
	       runbin_jint(fx->doc, "results.cpu.context_switches") > 0, "interrupts %lld, switches %lld",
	       runbin_jint(fx->doc, "results.cpu.interrupts"),
	       runbin_jint(fx->doc, "results.cpu.context_switches"));
	/* The device: its stat file agrees with the run, and with the result. */
	snprintf(dev, sizeof(dev), "results.device_stats.%s.", fx->ld[0].sysname);
	{
		char k[160];

		snprintf(k, sizeof(k), "%sreads_completed", dev);
		reads = runbin_jint(fx->doc, k);
		EXPECT(fx, r1 - r0 == (long long)ops, "the kernel completed %lld reads, the run %.0f",
		       r1 - r0, ops);
		EXPECT(fx, reads <= r1 - r0 && reads >= r1 - r0 - 32, "the window's %lld reads of "
		       "%lld", reads, r1 - r0);
		snprintf(k, sizeof(k), "%ssectors_read", dev);
		EXPECT(fx, runbin_jint(fx->doc, k) == reads * 8, "%lld sectors for %lld reads of 4 KiB",
		       runbin_jint(fx->doc, k), reads);
		snprintf(k, sizeof(k), "%srole", dev);
		EXPECT(fx, !strcmp(json_string_value(runbin_jget(fx->doc, k)) ?: "", "target"),
		       "role");
		snprintf(k, sizeof(k), "%sutil_pct", dev);
		EXPECT(fx, runbin_jnum(fx->doc, k) > 0 && runbin_jnum(fx->doc, k) <= 101, "util %f",
		       runbin_jnum(fx->doc, k));
		snprintf(k, sizeof(k), "%sin_flight_max", dev);
		EXPECT(fx, runbin_jint(fx->doc, k) >= 1 && runbin_jint(fx->doc, k) <= 32, "in flight at most %lld",
		       runbin_jint(fx->doc, k));
		snprintf(k, sizeof(k), "%swrites_completed", dev);
		EXPECT(fx, runbin_jint(fx->doc, k) == 0, "%lld writes in a read-only run", runbin_jint(fx->doc, k));
	}
}

START_TEST(cpu_and_device)
{
	struct fixture fx;

	setup(&fx);
	cpu_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

/* ---- --reference: the CPU per I/O overhead, paired ------------------------------------ */

static void reference_body(struct fixture *fx)
{
	char res[4096];
	const char *args[] = { "concurrency", "--target", fx->ld[0].path, "--force", "--ops", "8",
			       "--rw", "randread", "--duration", "4", "--slice", "500ms",
			       "--reference", fx->ld[1].path, "-o", res, "--output-format", "json",
			       NULL };
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 90000 };
	json_t *pairs, *p;
	size_t i;

	snprintf(res, sizeof(res), "%s/ref.json", fx->dir);
	EXPECT(fx, runbin_run(args, &o, &fx->r) == 0 && fx->r.status == 0, "exit %d: %s",
	       fx->r.status, fx->r.err);
	fx->doc = json_load_file(res, 0, NULL);
	EXPECT(fx, fx->doc != NULL, "no result in %s", res);
	pairs = runbin_jget(fx->doc, "reference.pairs_detail");
	EXPECT(fx, json_array_size(pairs) == 8, "%zu pairs", json_array_size(pairs));
	json_array_foreach(pairs, i, p)
		EXPECT(fx, runbin_jnum(p, "target.total.cpu_per_io_ns") > 0 &&
		       runbin_jnum(p, "reference.total.tool_cpu_per_io_ns") > 0,
		       "pair %zu has no CPU per I/O", i);
	EXPECT(fx, runbin_jint(fx->doc, "reference.overhead.total.cpu_per_io.n") == 8 &&
	       runbin_jint(fx->doc, "reference.overhead.total.tool_cpu_per_io.n") == 8,
	       "the CPU overheads are over %lld and %lld pairs",
	       runbin_jint(fx->doc, "reference.overhead.total.cpu_per_io.n"),
	       runbin_jint(fx->doc, "reference.overhead.total.tool_cpu_per_io.n"));
	EXPECT(fx, isfinite(runbin_jnum(fx->doc,
					"reference.overhead.total.cpu_per_io.estimate_pct")) &&
	       isfinite(runbin_jnum(fx->doc, "reference.overhead.total.cpu_per_io.ci_low_pct")) &&
	       isfinite(runbin_jnum(fx->doc, "reference.overhead.total.cpu_per_io.p_value")),
	       "no estimate, interval or p-value");
	EXPECT(fx, !runbin_jget(fx->doc, "reference.overhead.read.cpu_per_io"),
	       "CPU per I/O is not per direction");
	/* The reference's slices were measured on its own device. */
	{
		char k[160];

		snprintf(k, sizeof(k), "reference.results.device_stats.%s.reads_completed",
			 fx->ld[1].sysname);
		EXPECT(fx, runbin_jint(fx->doc, k) > 0, "the reference's device has no counters");
		snprintf(k, sizeof(k), "results.device_stats.%s", fx->ld[1].sysname);
		EXPECT(fx, !runbin_jget(fx->doc, k), "the target's result counts the reference");
	}
	EXPECT(fx, strstr(fx->r.out, "  cpu per I/O: system ") && strstr(fx->r.out, ", tool "),
	       "the summary has no CPU overhead:\n%s", fx->r.out);
}

START_TEST(reference_cpu)
{
	struct fixture fx;

	setup(&fx);
	reference_body(&fx);
	teardown(&fx);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cost");
	TCase *tc = tcase_create("cost");

	if (!loopdev_usable("check_cost"))
		return 77;
	loopdev_sweep(TAG);
	runbin_sweep(TAG);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, cpu_and_device);
	tcase_add_test(tc, reference_cpu);
	suite_add_tcase(s, tc);
	return runbin_run_suite(s, TAG, loopdev_sweep);
}
