/*
 * The engine against real device-mapper, inside the qemu guest that
 * tests/vm/check-vm.sh boots: dm devices built directly with libdevmapper
 * over the brd RAM disks /dev/ram0..3, and dmremap-bench ($DMRB_BIN, default
 * /bin/dmremap-bench) run on them:
 *
 *   linear  ops counted by the tool == the kernel's completed I/O (dm-N/stat),
 *           and no submit limit on a bio-based device
 *   error   EIO counted, every recorded offset inside the error segment,
 *           exit status 3, and --max-errors 0 stops the run early
 *   delay   a 20 ms dm-delay shows as a read p50 of 20-30 ms
 *   flakey  the down phase of dm-flakey shows as EIO errors, exit status 3
 *
 * Test scaffolding, not the project's dm library. Needs root and
 * /dev/mapper/control (exits 77 otherwise). Devices are named vmt_*; each
 * test removes its device before asserting, and an unchecked teardown
 * removes whatever a crashed test left behind.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <libdevmapper.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmtest.h"

#define TAG "check_vm_engine"
#define DEV_PREFIX "vmt_"
#define RUN_LIMIT_S 60           /* a bench run longer than this is killed */
#define EXIT_IO 3                /* dmremap-bench: the run saw I/O errors */
#define MAX_SEGS 4
#define MAX_ARGS 40
#define NAME_LEN 128             /* DM_NAME_LEN of linux/dm-ioctl.h */

struct seg {
	uint64_t start, len;     /* sectors */
	const char *type;
	char params[128];
};

struct bench_run {
	int status;              /* exit status, or 128 + signal */
	double wall_s;
	json_t *doc;             /* the JSON document on stdout, or NULL */
};

struct blkstat {
	unsigned long long rd_ios, rd_merges, rd_ticks_ms, wr_ios, wr_merges;
};

/* ---- device-mapper, directly through libdevmapper ---------------------- */

/* Size of a block device in 512-byte sectors. */
static uint64_t dev_sectors(const char *path)
{
	uint64_t bytes = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "cannot open %s: %s", path, strerror(errno));
	if (ioctl(fd, BLKGETSIZE64, &bytes)) {
		close(fd);
		ck_abort_msg("BLKGETSIZE64 on %s: %s", path, strerror(errno));
	}
	close(fd);
	ck_assert_msg(bytes >= 16 << 20, "%s holds only %" PRIu64 " bytes", path, bytes);
	return bytes >> 9;
}

static int dm_exists(const char *name)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_INFO);
	struct dm_info info;
	int ok;

	if (!dmt)
		return 0;
	ok = dm_task_set_name(dmt, name) && dm_task_run(dmt) &&
	     dm_task_get_info(dmt, &info) && info.exists;
	dm_task_destroy(dmt);
	return ok;
}

static int dm_remove(const char *name);

/*
 * Create and resume a device from a table (replacing one an earlier,
 * killed test left under the same name); returns its minor number.
 */
static unsigned dm_make(const char *name, const struct seg *segs, unsigned nsegs)
{
	struct dm_task *dmt;
	struct dm_info info;
	unsigned i;
	int ok;

	if (dm_exists(name)) {
		fprintf(stderr, "check_vm_engine: removing stale dm device %s\n", name);
		dm_remove(name);
	}
	dmt = dm_task_create(DM_DEVICE_CREATE);
	ck_assert_msg(dmt != NULL, "dm_task_create failed");
	ok = dm_task_set_name(dmt, name);
	for (i = 0; ok && i < nsegs; i++)
		ok = dm_task_add_target(dmt, segs[i].start, segs[i].len, segs[i].type,
					segs[i].params);
	ok = ok && dm_task_run(dmt) && dm_task_get_info(dmt, &info) && info.exists;
	dm_task_destroy(dmt);
	/* No udev here: libdevmapper makes /dev/mapper/<name> itself. */
	dm_task_update_nodes();
	ck_assert_msg(ok, "creating dm device %s (%u segments, first: %s %s) failed",
		      name, nsegs, segs[0].type, segs[0].params);
	return info.minor;
}

/*
 * Remove a device. dm_task_retry_remove() already retries for about 5 s
 * while something holds it open; a few more rounds cover a slow exit.
 */
static int dm_remove(const char *name)
{
	int i, ok = 0;

	for (i = 0; i < 3 && !ok; i++) {
		struct dm_task *dmt = dm_task_create(DM_DEVICE_REMOVE);

		if (!dmt)
			break;
		ok = dm_task_set_name(dmt, name) && dm_task_retry_remove(dmt) &&
		     dm_task_run(dmt);
		dm_task_destroy(dmt);
		if (!ok)
			usleep(500 * 1000);
	}
	dm_task_update_nodes();
	if (!ok)
		fprintf(stderr, "check_vm_engine: could not remove dm device %s\n", name);
	return ok ? 0 : -1;
}

/* Remove every vmt_* device (what a crashed or timed-out test left). */
static void remove_leftovers(void)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_LIST);
	char names[16][NAME_LEN];
	struct dm_names *n;
	unsigned nn = 0, i, next = 0;

	if (!dmt)
		return;
	if (dm_task_run(dmt) && (n = dm_task_get_names(dmt)) && n->dev) {
		do {
			n = (struct dm_names *)((char *)n + next);
			if (!strncmp(n->name, DEV_PREFIX, strlen(DEV_PREFIX)) && nn < 16)
				snprintf(names[nn++], NAME_LEN, "%s", n->name);
			next = n->next;
		} while (next);
	}
	dm_task_destroy(dmt);
	for (i = 0; i < nn; i++) {
		fprintf(stderr, "check_vm_engine: removing leftover dm device %s\n", names[i]);
		dm_remove(names[i]);
	}
}

static void read_blkstat(unsigned minor, struct blkstat *s)
{
	char path[64];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/block/dm-%u/stat", minor);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
	n = fscanf(f, "%llu %llu %*u %llu %llu %llu", &s->rd_ios, &s->rd_merges,
		   &s->rd_ticks_ms, &s->wr_ios, &s->wr_merges);
	fclose(f);
	ck_assert_msg(n == 5, "cannot parse %s", path);
}

/* Ask the block layer not to merge; returns whether the setting took. */
static int set_nomerges(unsigned minor)
{
	char path[64];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/block/dm-%u/queue/nomerges", minor);
	f = fopen(path, "w");
	if (!f)
		return 0;
	ok = fputs("2\n", f) >= 0;
	ok = (fclose(f) == 0) && ok;
	return ok;
}

/* ---- running dmremap-bench ---------------------------------------------- */

static const char *bench_bin(void)
{
	const char *b = getenv("DMRB_BIN");

	return b && *b ? b : "/bin/dmremap-bench";
}

/* Copy a file to stderr, each line prefixed (the tool's diagnostics). */
static void dump_file(const char *path, const char *prefix, size_t max_lines)
{
	char line[512];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && n++ < max_lines)
		fprintf(stderr, "%s%s%s", prefix, line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

/* Wait for a child, killing it after RUN_LIMIT_S; returns its status. */
static int wait_limited(pid_t pid)
{
	double deadline = now_s() + RUN_LIMIT_S;
	int st = 0;

	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_s() > deadline) {
			fprintf(stderr, "check_vm_engine: killing dmremap-bench after %d s\n",
				RUN_LIMIT_S);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		usleep(20 * 1000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * Run "dmremap-bench concurrency --target TARGET --force --output-format
 * json ARGS..." and keep its exit status and JSON document.
 */
static void bench_run(struct bench_run *r, const char *target, const char *const *args)
{
	char out[] = "/tmp/vmt-outXXXXXX", err[] = "/tmp/vmt-errXXXXXX";
	const char *argv[MAX_ARGS];
	unsigned n = 0, i;
	json_error_t jerr;
	int ofd, efd;
	double t0;
	pid_t pid;

	argv[n++] = bench_bin();
	argv[n++] = "concurrency";
	argv[n++] = "--target";
	argv[n++] = target;
	argv[n++] = "--force";
	argv[n++] = "--output-format";
	argv[n++] = "json";
	for (i = 0; args[i] && n < MAX_ARGS - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	fprintf(stderr, "check_vm_engine: running");
	for (i = 0; i < n; i++)
		fprintf(stderr, " %s", argv[i]);
	fputc('\n', stderr);
	ofd = mkstemp(out);
	efd = mkstemp(err);
	ck_assert_msg(ofd >= 0 && efd >= 0, "mkstemp in /tmp: %s", strerror(errno));
	t0 = now_s();
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(ofd, STDOUT_FILENO);
		dup2(efd, STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(ofd);
	close(efd);
	r->status = wait_limited(pid);
	r->wall_s = now_s() - t0;
	r->doc = json_load_file(out, 0, &jerr);
	dump_file(err, "  | ", 40);
	if (!r->doc) {
		fprintf(stderr, "check_vm_engine: no JSON on stdout (%s, line %d):\n",
			jerr.text, jerr.line);
		dump_file(out, "  > ", 20);
	}
	fprintf(stderr, "check_vm_engine: exit %d after %.2f s\n", r->status, r->wall_s);
	unlink(out);
	unlink(err);
}

static void bench_free(struct bench_run *r)
{
	json_decref(r->doc);
	r->doc = NULL;
}

/* ---- reading the result document ---------------------------------------- */

static void require_doc(const struct bench_run *r)
{
	ck_assert_msg(r->doc != NULL, "dmremap-bench (exit %d) printed no JSON document",
		      r->status);
}

/* ---- the tests ------------------------------------------------------------ */

/* a. Every completed operation the tool counts is one the kernel counted. */
START_TEST(test_linear_kernel_counters)
{
	static const char *const args[] = { "--ops", "64", "--duration", "3", NULL };
	struct seg s = { 0, dev_sectors("/dev/ram0"), "linear", "/dev/ram0 0" };
	struct blkstat before, after;
	unsigned long long drd, dwr;
	struct bench_run r;
	long long ops, rd, wr;
	unsigned minor;
	int nomerges;

	minor = dm_make(DEV_PREFIX "linear", &s, 1);
	nomerges = set_nomerges(minor);
	read_blkstat(minor, &before);
	bench_run(&r, "/dev/mapper/" DEV_PREFIX "linear", args);
	read_blkstat(minor, &after);
	dm_remove(DEV_PREFIX "linear");

	require_doc(&r);
	drd = after.rd_ios - before.rd_ios;
	dwr = after.wr_ios - before.wr_ios;
	ops = jint(r.doc, "results.total.ops");
	rd = jint(r.doc, "results.read.ops");
	wr = jint(r.doc, "results.write.ops");
	fprintf(stderr, "check_vm_engine: linear: nomerges=2 %s; tool %lld ops (%lld reads, "
		"%lld writes); dm-%u/stat delta %llu reads, %llu writes, merges %llu/%llu\n",
		nomerges ? "set" : "not writable", ops, rd, wr, minor, drd, dwr,
		after.rd_merges - before.rd_merges, after.wr_merges - before.wr_merges);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(jstr(r.doc, "target.kind"), "dm");
	ck_assert_str_eq(jstr(r.doc, "target.dm_name"), DEV_PREFIX "linear");
	/* A bio-based dm device has no request queue: no submit limit. */
	ck_assert_msg(jpath(r.doc, "target.queue_requests") == NULL,
		      "a dm device reported queue_requests");
	ck_assert_int_eq(jint(r.doc, "results.concurrency.submit_limit"), 0);
	ck_assert_int_eq(jint(r.doc, "results.errors.io"), 0);
	ck_assert_msg(rd > 0 && wr > 0, "a randrw run did %lld reads, %lld writes", rd, wr);
	ck_assert_int_eq(ops, rd + wr);
	ck_assert_msg(drd + dwr == (unsigned long long)ops,
		      "kernel completed %llu I/Os, the tool counted %lld", drd + dwr, ops);
	ck_assert_msg(drd == (unsigned long long)rd && dwr == (unsigned long long)wr,
		      "kernel %llu reads/%llu writes, tool %lld/%lld", drd, dwr, rd, wr);
	/* The tool's own before/after reading agrees with ours. */
	ck_assert_int_eq(jint(r.doc, "target.kernel_counters_delta.reads_completed"), rd);
	ck_assert_int_eq(jint(r.doc, "target.kernel_counters_delta.writes_completed"), wr);
	bench_free(&r);
}
END_TEST

/* b. linear + error + linear over /dev/ram1, a 16 MiB device. */
#define ERR_DEV_SECTORS 32768ull
#define ERR_START 16384ull
#define ERR_LEN 64ull

static unsigned make_error_device(void)
{
	struct seg t[3] = {
		{ 0, ERR_START, "linear", "/dev/ram1 0" },
		{ ERR_START, ERR_LEN, "error", "" },
		{ ERR_START + ERR_LEN, ERR_DEV_SECTORS - ERR_START - ERR_LEN, "linear", "" },
	};

	ck_assert_uint_ge(dev_sectors("/dev/ram1"), ERR_DEV_SECTORS);
	snprintf(t[2].params, sizeof(t[2].params), "/dev/ram1 %llu", ERR_START + ERR_LEN);
	return dm_make(DEV_PREFIX "error", t, 3);
}

START_TEST(test_error_segment_accounting)
{
	static const char *const args[] = { "--ops", "16", "--duration", "3",
					    "--max-errors", "1000000", NULL };
	const uint64_t lo = ERR_START * 512, hi = (ERR_START + ERR_LEN) * 512;
	struct bench_run r;
	json_t *first, *e;
	long long io, eio;
	size_t i;

	make_error_device();
	bench_run(&r, "/dev/mapper/" DEV_PREFIX "error", args);
	dm_remove(DEV_PREFIX "error");

	require_doc(&r);
	io = jint(r.doc, "results.errors.io");
	eio = jint(r.doc, "results.errors.by_errno.EIO");
	first = jpath(r.doc, "results.errors.first");
	fprintf(stderr, "check_vm_engine: error: %lld ops ok, %lld I/O errors (%lld EIO), "
		"%zu recorded\n", jint(r.doc, "results.total.ops"), io, eio,
		json_array_size(first));
	ck_assert_int_eq(r.status, EXIT_IO);
	ck_assert_int_gt(io, 0);
	ck_assert_int_eq(eio, io);
	ck_assert_int_gt(jint(r.doc, "results.total.ops"), 0);
	ck_assert_msg(json_is_array(first) && json_array_size(first) > 0,
		      "results.errors.first is empty");
	json_array_foreach(first, i, e) {
		long long off = jint(e, "offset"), len = jint(e, "length");

		ck_assert_msg(off >= (long long)lo && off + len <= (long long)hi,
			      "error %zu at [%lld, %lld) is outside the error segment "
			      "[%" PRIu64 ", %" PRIu64 ")", i, off, off + len, lo, hi);
		ck_assert_int_eq(jint(e, "errno"), EIO);
	}
	ck_assert(!json_is_true(jpath(r.doc, "results.stopped_by_errors")));
	bench_free(&r);
}
END_TEST

START_TEST(test_error_stops_run)
{
	static const char *const args[] = { "--ops", "16", "--duration", "10",
					    "--max-errors", "0", NULL };
	struct bench_run r;

	make_error_device();
	bench_run(&r, "/dev/mapper/" DEV_PREFIX "error", args);
	dm_remove(DEV_PREFIX "error");

	require_doc(&r);
	fprintf(stderr, "check_vm_engine: error stop: %lld errors, measured %.3f s, wall %.2f s\n",
		jint(r.doc, "results.errors.io"), jnum(r.doc, "results.duration_s"), r.wall_s);
	ck_assert_int_eq(r.status, EXIT_IO);
	ck_assert_int_ge(jint(r.doc, "results.errors.io"), 1);
	ck_assert(json_is_true(jpath(r.doc, "results.stopped_by_errors")));
	/*
	 * Asked for 10 s; the first error (about 1 in 512 I/Os) ends it. The
	 * wall time includes the tool's start and exit, 2 s in a TCG guest.
	 */
	ck_assert_msg(r.wall_s < 8, "the run took %.2f s: it did not stop early", r.wall_s);
	ck_assert_msg(jnum(r.doc, "results.duration_s") < 5, "measured %.3f s",
		      jnum(r.doc, "results.duration_s"));
	bench_free(&r);
}
END_TEST

/*
 * c. 20 ms of dm-delay on reads shows in the read latency, and the tool's
 * mean read latency is the one the kernel accounted for the same reads
 * (read ticks / reads of dm-N, which cover the delay). How close dm-delay
 * keeps to 20 ms is the kernel's business: 6.12's short-delay kthread
 * completed reads after 13 to 53 ms in a loaded TCG guest, so the delay
 * itself is only bounded loosely, and the measurement is checked against
 * the kernel's own clock.
 */
START_TEST(test_delay_latency)
{
	static const char *const args[] = { "--rw", "randread", "--ops", "4",
					    "--duration", "3", NULL };
	struct seg s = { 0, dev_sectors("/dev/ram2"), "delay", "/dev/ram2 0 20" };
	struct blkstat before, after;
	double kmean, tmean;
	struct bench_run r;
	long long p50, ops;
	unsigned minor;

	minor = dm_make(DEV_PREFIX "delay", &s, 1);
	read_blkstat(minor, &before);
	bench_run(&r, "/dev/mapper/" DEV_PREFIX "delay", args);
	read_blkstat(minor, &after);
	dm_remove(DEV_PREFIX "delay");

	require_doc(&r);
	p50 = jint(r.doc, "results.read.lat_ns.p50");
	ops = jint(r.doc, "results.read.ops");
	tmean = jnum(r.doc, "results.read.lat_ns.mean") / 1e6;
	kmean = after.rd_ios > before.rd_ios
		? (double)(after.rd_ticks_ms - before.rd_ticks_ms) / (after.rd_ios - before.rd_ios)
		: 0;
	fprintf(stderr, "check_vm_engine: delay: %lld reads, p50 %.3f ms, mean %.3f ms "
		"(kernel: %llu reads, mean %.3f ms), min %.3f ms, max %.3f ms\n", ops,
		p50 / 1e6, tmean, after.rd_ios - before.rd_ios, kmean,
		jint(r.doc, "results.read.lat_ns.min") / 1e6,
		jint(r.doc, "results.read.lat_ns.max") / 1e6);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_gt(ops, 0);
	ck_assert_int_eq(jint(r.doc, "results.write.ops"), 0);
	ck_assert_msg(after.rd_ios - before.rd_ios == (unsigned long long)ops,
		      "kernel completed %llu reads, the tool counted %lld",
		      after.rd_ios - before.rd_ios, ops);
	/* The delay shows: a ram disk alone answers in microseconds. */
	ck_assert_msg(p50 >= 10000000 && p50 <= 100000000,
		      "read p50 %lld ns, expected the 20 ms delay (10-100 ms)", p50);
	/*
	 * Same reads, two clocks: the tool's includes submission and reaping,
	 * so it may be a little longer, never shorter beyond the kernel's
	 * millisecond rounding.
	 */
	ck_assert_msg(tmean >= kmean * 0.95 - 1 && tmean <= kmean * 1.25 + 2,
		      "tool mean read latency %.3f ms, kernel %.3f ms", tmean, kmean);
	bench_free(&r);
}
END_TEST

/* d. dm-flakey up 1 s, down 1 s: the down phase returns EIO to reads. */
START_TEST(test_flakey_errors)
{
	static const char *const args[] = { "--rw", "randread", "--ops", "16",
					    "--duration", "3", "--max-errors", "1000000",
					    NULL };
	struct seg s = { 0, dev_sectors("/dev/ram3"), "flakey", "/dev/ram3 0 1 1" };
	struct bench_run r;
	long long io;

	dm_make(DEV_PREFIX "flakey", &s, 1);
	bench_run(&r, "/dev/mapper/" DEV_PREFIX "flakey", args);
	dm_remove(DEV_PREFIX "flakey");

	require_doc(&r);
	io = jint(r.doc, "results.errors.io");
	fprintf(stderr, "check_vm_engine: flakey: %lld reads ok, %lld I/O errors\n",
		jint(r.doc, "results.read.ops"), io);
	ck_assert_int_eq(r.status, EXIT_IO);
	ck_assert_int_gt(io, 0);
	ck_assert_int_eq(jint(r.doc, "results.errors.by_errno.EIO"), io);
	/* The up phases still serve reads. */
	ck_assert_int_gt(jint(r.doc, "results.read.ops"), 0);
	bench_free(&r);
}
END_TEST

/*
 * e. I/O that never completes in time cannot hang the tool. dm-delay holds
 * every read for 10 s; --timeout 2 stops the run, and after the 1 s grace
 * the workers, asleep in io_getevents() with no timeout, must be woken to
 * leave the four reads in flight and report them. A worker left asleep
 * would instead see them complete at 10 s and count them as reads.
 */
static const char *const stuck_engines[] = {
	"libaio",
#ifdef HAVE_LIBURING
	"io_uring",  /* asleep in io_uring_enter() instead */
#endif
};

START_TEST(test_stuck_io_abandoned)
{
	const char *const args[] = { "--rw", "randread", "--ops", "4", "--duration", "5",
				     "--timeout", "2", "--engine", stuck_engines[_i], NULL };
	struct seg s = { 0, dev_sectors("/dev/ram2"), "delay", "/dev/ram2 0 10000" };
	struct bench_run r;

	dm_make(DEV_PREFIX "stuck", &s, 1);
	/*
	 * With libaio the run's process cannot exit before the reads end (the
	 * kernel's exit_aio): the tool leaves it behind and returns, and it
	 * holds the device until 10 s, which dm_remove's retries outlast.
	 */
	bench_run(&r, "/dev/mapper/" DEV_PREFIX "stuck", args);
	dm_remove(DEV_PREFIX "stuck");

	require_doc(&r);
	fprintf(stderr, "check_vm_engine: stuck (%s): timed out %s, %lld abandoned, %lld reads, "
		"measured %.3f s\n", stuck_engines[_i], json_is_true(jpath(r.doc, "results.timed_out")) ? "yes" : "no",
		jint(r.doc, "results.abandoned_ios"), jint(r.doc, "results.read.ops"),
		jnum(r.doc, "results.duration_s"));
	ck_assert_int_eq(r.status, EXIT_IO);
	ck_assert(json_is_true(jpath(r.doc, "results.timed_out")));
	ck_assert_int_eq(jint(r.doc, "results.abandoned_ios"), 4);
	ck_assert_int_eq(jint(r.doc, "results.read.ops"), 0);
	bench_free(&r);
}
END_TEST

static void cleanup(void)
{
	remove_leftovers();
}

static Suite *vm_engine_suite(void)
{
	Suite *s = suite_create("vm_engine");
	TCase *tc = tcase_create("real_dm");

	/* Unchecked: runs in the parent, so even after a crashed test. */
	tcase_add_unchecked_fixture(tc, cleanup, cleanup);
	tcase_set_timeout(tc, 2 * RUN_LIMIT_S);
	tcase_add_test(tc, test_linear_kernel_counters);
	tcase_add_test(tc, test_error_segment_accounting);
	tcase_add_test(tc, test_error_stops_run);
	tcase_add_test(tc, test_delay_latency);
	tcase_add_test(tc, test_flakey_errors);
	tcase_add_loop_test(tc, test_stuck_io_abandoned, 0,
			    (int)(sizeof(stuck_engines) / sizeof(stuck_engines[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int rc = vm_need(TAG, 0, 0);

	if (rc)
		return rc;
	if (access(bench_bin(), X_OK)) {
		fprintf(stderr, "check_vm_engine: %s is not executable (set DMRB_BIN)\n",
			bench_bin());
		return 1;
	}
	/* No udev in the guest: no cookies, libdevmapper makes the nodes. */
	dm_udev_set_sync_support(0);
	rc = vm_run_suite(vm_engine_suite());
	dm_lib_exit();
	return rc;
}
