/*
 * End-to-end runs of dmremap-bench on loop devices (root only): the tool's
 * operation counts against the kernel's block counters, --submit-limit
 * against the device's queue, the refusal to write over a filesystem, what
 * the result says about a block device, and block sizes checked against
 * the device's logical block size.
 *
 * Each test makes its own backing file in /dev/shm and its own loop device
 * (direct I/O on). Check forks each test and a failed assertion ends the
 * child at once, so a test body only records its first failure (EXPECT)
 * and returns; the test then detaches and removes everything before it
 * reports. A test killed by its timeout is swept up after the run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "loop"
#define BACKING_SIZE (256ULL << 20)
#define HEAD_BYTES (2U << 20)

struct fixture {
	char *backing;
	struct loopdev ld;
	const char *arg;               /* a per-test parameter */
	const char *arg2;
	const char *arg3;
	char nomerges[16];             /* to restore; "" if untouched */
	struct runbin_result r;        /* of the last run */
	json_t *doc;                   /* its stdout as JSON, or NULL */
	struct expect ex;           /* EXPECT's first failure */
};


/* Run the binary; its result (and JSON, if stdout is some) land in fx. */
static void run(struct fixture *fx, const char *const *args)
{
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 60000 };

	runbin_run_doc(args, &o, &fx->r, &fx->doc);
}

static long long jint(struct fixture *fx, const char *path)
{
	json_t *j = runbin_jget(fx->doc, path);

	return json_is_integer(j) ? (long long)json_integer_value(j) : -1;
}

static const char *jstr(struct fixture *fx, const char *path)
{
	const char *s = json_string_value(runbin_jget(fx->doc, path));

	return s ? s : "(missing)";
}

/*
 * /sys/block/X/stat (the kernel's Documentation/block/stat.rst): fields
 * 1-3 and 5-7 reads and writes completed, merged, sectors; 12-14 the
 * same for discards; 16 flushes completed.
 */
struct blkstat {
	unsigned long long rd_ios, rd_merges, rd_sectors, wr_ios, wr_merges, wr_sectors;
	unsigned long long dc_ios, dc_merges, dc_sectors, fl_ios;
};

static int read_blkstat(const struct loopdev *ld, struct blkstat *s)
{
	char line[512];

	if (loopdev_sysfs_read(ld, "stat", line, sizeof(line)))
		return -1;
	return sscanf(line, "%llu %llu %llu %*u %llu %llu %llu %*u %*u %*u %*u %llu %llu %llu "
		      "%*u %llu", &s->rd_ios, &s->rd_merges, &s->rd_sectors, &s->wr_ios,
		      &s->wr_merges, &s->wr_sectors, &s->dc_ios, &s->dc_merges, &s->dc_sectors,
		      &s->fl_ios) == 10 ? 0 : -1;
}

/* The backing file and loop device around body; everything undone after. */
static void with_loop3(void (*body)(struct fixture *), const char *arg, const char *arg2,
		       const char *arg3)
{
	struct fixture fx = { .arg = arg, .arg2 = arg2, .arg3 = arg3 };
	int rc, drc, frc;

	fx.backing = loopdev_backing_create(TAG, BACKING_SIZE);
	ck_assert_msg(fx.backing != NULL, "cannot create a backing file in /dev/shm");
	rc = loopdev_attach(&fx.ld, fx.backing, true);
	if (rc) {
		loopdev_backing_remove(fx.backing);
		ck_abort_msg("cannot attach a loop device with direct I/O: %s", strerror(-rc));
	}
	body(&fx);
	if (fx.nomerges[0])
		loopdev_sysfs_write(&fx.ld, "queue/nomerges", fx.nomerges);
	json_decref(fx.doc);
	runbin_result_free(&fx.r);
	drc = loopdev_detach(&fx.ld);
	frc = loopdev_backing_remove(fx.backing);
	ck_assert_msg(!fx.ex.failed, "%s", fx.ex.msg);
	ck_assert_msg(drc == 0, "cannot detach %s: %s", fx.ld.path, strerror(-drc));
	ck_assert_msg(frc == 0, "cannot remove the backing file: %s", strerror(-frc));
}

static void with_loop(void (*body)(struct fixture *), const char *arg)
{
	with_loop3(body, arg, NULL, NULL);
}

/* ---- the kernel's counters against the tool's ---------------------------- */

static void counters_body(struct fixture *fx)
{
	const char *args[] = { "concurrency", "--target", fx->ld.path, "--force", "--ops",
			       fx->arg, "--reap", fx->arg2, "--engine", fx->arg3, "--duration", "2",
			       "--output-format", "json", NULL };
	struct blkstat a, b;
	long long rd, wr, kr, kw;  /* tool's and kernel's counts */

	EXPECT(fx, loopdev_sysfs_read(&fx->ld, "queue/nomerges",
				      fx->nomerges, sizeof(fx->nomerges)) == 0,
	       "cannot read nomerges");
	/* No merging: one completed request per I/O of the tool. */
	EXPECT(fx, loopdev_sysfs_write(&fx->ld, "queue/nomerges", "2") == 0,
	       "cannot set nomerges");
	EXPECT(fx, read_blkstat(&fx->ld, &a) == 0, "cannot read %s stat", fx->ld.sysname);
	run(fx, args);
	EXPECT(fx, read_blkstat(&fx->ld, &b) == 0, "cannot read %s stat", fx->ld.sysname);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, fx->doc != NULL, "stdout is not JSON");
	EXPECT(fx, strcmp(jstr(fx, "params.reap"), fx->arg2) == 0, "params.reap %s",
	       jstr(fx, "params.reap"));
	EXPECT(fx, strcmp(jstr(fx, "params.engine"), fx->arg3) == 0, "params.engine %s",
	       jstr(fx, "params.engine"));
	EXPECT(fx, jint(fx, "results.ramp_ops") == 0, "ramp_ops %lld",
	       jint(fx, "results.ramp_ops"));
	EXPECT(fx, jint(fx, "results.errors.io") == 0 && jint(fx, "results.errors.short") == 0,
	       "the run had errors");
	rd = jint(fx, "results.read.ops");
	wr = jint(fx, "results.write.ops");
	EXPECT(fx, rd > 0 && wr > 0, "read %lld, write %lld ops", rd, wr);
	EXPECT(fx, jint(fx, "results.total.ops") == rd + wr, "total.ops %lld",
	       jint(fx, "results.total.ops"));
	kr = (long long)(b.rd_ios - a.rd_ios);
	kw = (long long)(b.wr_ios - a.wr_ios);
	EXPECT(fx, kr + kw == rd + wr,
	       "the kernel completed %lld reads + %lld writes, the tool counted %lld ops",
	       kr, kw, rd + wr);
	EXPECT(fx, kr == rd && kw == wr,
	       "kernel %lld reads %lld writes, tool %lld reads %lld writes", kr, kw, rd, wr);
	EXPECT(fx, b.rd_merges == a.rd_merges && b.wr_merges == a.wr_merges,
	       "requests were merged despite nomerges=2");
	kr = (long long)(b.rd_sectors - a.rd_sectors) * 512;
	kw = (long long)(b.wr_sectors - a.wr_sectors) * 512;
	EXPECT(fx, kr == jint(fx, "results.read.bytes") && kw == jint(fx, "results.write.bytes"),
	       "kernel bytes %lld/%lld, tool bytes %lld/%lld", kr, kw,
	       jint(fx, "results.read.bytes"), jint(fx, "results.write.bytes"));
	/* The tool's own view of the same counters. */
	EXPECT(fx, json_is_object(runbin_jget(fx->doc, "target.kernel_counters_delta")),
	       "no target.kernel_counters_delta");
	EXPECT(fx, jint(fx, "target.kernel_counters_delta.reads_completed") == rd &&
	       jint(fx, "target.kernel_counters_delta.writes_completed") == wr,
	       "kernel_counters_delta says %lld reads %lld writes, results %lld %lld",
	       jint(fx, "target.kernel_counters_delta.reads_completed"),
	       jint(fx, "target.kernel_counters_delta.writes_completed"), rd, wr);
}

/* Every engine and way of waiting for completions must count each I/O once. */
static const struct { const char *ops, *reap, *engine; } counter_cases[] = {
	{ "32", "auto", "libaio" }, { "1000", "auto", "libaio" },
	{ "1", "auto", "libaio" },   /* polls where a CPU is spare */
	{ "1", "sleep", "libaio" }, { "32", "poll", "libaio" },
#ifdef HAVE_LIBURING
	{ "32", "auto", "io_uring" }, { "1000", "auto", "io_uring" },
	{ "1", "auto", "io_uring" }, { "32", "poll", "io_uring" },
#endif
};

START_TEST(kernel_counters)
{
	with_loop3(counters_body, counter_cases[_i].ops, counter_cases[_i].reap,
		   counter_cases[_i].engine);
}
END_TEST

/* ---- flushes, FUA writes and discards against the kernel's counters ------- */

/*
 * Job files (dmremap-bench-run(1)) at depth 1: writes with an fdatasync
 * after every 8 beside a stream of discards; then FUA writes (sync=dsync)
 * alone. Each flush reaches the loop device as an empty REQ_PREFLUSH
 * write: the kernel counts it in field 16 and, being a write without
 * data, in field 5 too. A loop device has a write cache and no FUA
 * (queue/fua 0), so the block layer follows each FUA write with a flush of
 * its own; a device with FUA would show none. Flushes in flight together
 * are merged into one, so each run has one flushing stream at depth 1:
 * then the counts are exact.
 */
static const char flush_job[] =
	"[global]\n"
	"time_based\n"
	"runtime=2\n"
	"iodepth=1\n"
	"[log]\n"
	"rw=randwrite\n"
	"bs=4k\n"
	"fdatasync=8\n"
	"[trim]\n"
	"rw=randtrim\n"
	"bs=16k\n";

static const char fua_job[] =
	"[fua]\n"
	"time_based\n"
	"runtime=2\n"
	"rw=randwrite\n"
	"bs=8k\n"
	"sync=dsync\n";

/* Run a job file of text on the fixture's device; the counters before and after. */
static void run_job(struct fixture *fx, const char *text, struct blkstat *a, struct blkstat *b)
{
	char *dir = runbin_tmpdir(TAG), path[4096];
	const char *args[] = { "run", path, "--target", fx->ld.path, "--force", "--engine",
			       fx->arg, "--output-format", "json", NULL };
	FILE *f;

	EXPECT(fx, dir != NULL, "cannot make a directory in /dev/shm");
	snprintf(path, sizeof(path), "%s/job.fio", dir);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	EXPECT(fx, read_blkstat(&fx->ld, a) == 0, "cannot read %s stat", fx->ld.sysname);
	run(fx, args);
	EXPECT(fx, read_blkstat(&fx->ld, b) == 0, "cannot read %s stat", fx->ld.sysname);
	runbin_rmtree(dir);
	free(dir);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, fx->doc != NULL, "stdout is not JSON");
	EXPECT(fx, jint(fx, "results.errors.io") == 0, "the run had errors: %s", fx->r.err);
}

static void flush_counters_body(struct fixture *fx)
{
	long long wr, fl, dc, w0;
	struct blkstat a, b;
	char fua[8] = "";

	EXPECT(fx, loopdev_sysfs_read(&fx->ld, "queue/fua", fua, sizeof(fua)) == 0,
	       "cannot read queue/fua");
	EXPECT(fx, loopdev_sysfs_read(&fx->ld, "queue/nomerges",
				      fx->nomerges, sizeof(fx->nomerges)) == 0,
	       "cannot read nomerges");
	EXPECT(fx, loopdev_sysfs_write(&fx->ld, "queue/nomerges", "2") == 0,
	       "cannot set nomerges");
	run_job(fx, flush_job, &a, &b);
	if (fx->ex.failed)
		return;
	wr = jint(fx, "results.write.ops");
	fl = jint(fx, "results.flush.ops");
	dc = jint(fx, "results.discard.ops");
	w0 = jint(fx, "results.streams.0.write.ops");
	EXPECT(fx, wr > 0 && fl > 0 && dc > 0, "writes %lld, flushes %lld, discards %lld",
	       wr, fl, dc);
	/* The run may stop between the 8th write and its flush. */
	EXPECT(fx, fl == w0 / 8 || fl + 1 == w0 / 8,
	       "the log stream wrote %lld times and flushed %lld times (one a 8 writes)", w0, fl);
	EXPECT(fx, jint(fx, "results.streams.0.flush.ops") == fl, "the log's flushes %lld",
	       jint(fx, "results.streams.0.flush.ops"));
	EXPECT(fx, (long long)(b.wr_ios - a.wr_ios) == wr + fl,
	       "the kernel completed %llu writes; the tool %lld writes and %lld flushes",
	       b.wr_ios - a.wr_ios, wr, fl);
	EXPECT(fx, (long long)(b.wr_sectors - a.wr_sectors) * 512 ==
	       jint(fx, "results.write.bytes"), "kernel wrote %llu sectors, tool %lld bytes",
	       b.wr_sectors - a.wr_sectors, jint(fx, "results.write.bytes"));
	EXPECT(fx, (long long)(b.fl_ios - a.fl_ios) == fl,
	       "the kernel completed %llu flushes, the tool %lld", b.fl_ios - a.fl_ios, fl);
	EXPECT(fx, (long long)(b.dc_ios - a.dc_ios) == dc && b.dc_merges == a.dc_merges,
	       "the kernel completed %llu discards (%llu merged), the tool %lld",
	       b.dc_ios - a.dc_ios, b.dc_merges - a.dc_merges, dc);
	EXPECT(fx, (long long)(b.dc_sectors - a.dc_sectors) * 512 ==
	       jint(fx, "results.discard.bytes"), "kernel discarded %llu sectors, tool %lld bytes",
	       b.dc_sectors - a.dc_sectors, jint(fx, "results.discard.bytes"));
	EXPECT(fx, jint(fx, "results.total.ops") == wr + jint(fx, "results.read.ops"),
	       "total.ops %lld counts more than reads and writes", jint(fx, "results.total.ops"));
	EXPECT(fx, jint(fx, "results.flush.lat_ns.p50") > 0 &&
	       jint(fx, "results.discard.lat_ns.p50") > 0, "flush or discard not timed");

	run_job(fx, fua_job, &a, &b);
	if (fx->ex.failed)
		return;
	wr = jint(fx, "results.write.ops");
	EXPECT(fx, wr > 0 && !runbin_jget(fx->doc, "results.flush"), "FUA writes %lld", wr);
	EXPECT(fx, (long long)(b.wr_ios - a.wr_ios) == wr, "the kernel completed %llu writes, "
	       "the tool %lld FUA writes", b.wr_ios - a.wr_ios, wr);
	EXPECT(fx, (long long)(b.fl_ios - a.fl_ios) == (strcmp(fua, "0") == 0 ? wr : 0),
	       "the kernel completed %llu flushes for %lld FUA writes (queue/fua %s)",
	       b.fl_ios - a.fl_ios, wr, fua);
}

static const char *const flush_engines[] = {
	"libaio",
#ifdef HAVE_LIBURING
	"io_uring",
#endif
};

START_TEST(flush_discard_counters)
{
	with_loop(flush_counters_body, flush_engines[_i]);
}
END_TEST

/* ---- --submit-limit: the excess waits in the workers ------------------------ */

static double jnum(struct fixture *fx, const char *path)
{
	json_t *j = runbin_jget(fx->doc, path);

	return json_is_number(j) ? json_number_value(j) : -1;
}

static void submit_limit_body(struct fixture *fx)
{
	const char *args[] = { "concurrency", "--target", fx->ld.path, "--rw", "randread",
			       "--ops", "1000", "--workers", "2", "--submit-limit", fx->arg,
			       "--duration", "2", "--output-format", "json", NULL };
	char line[32];
	long long nr, hwq, want, kmax;
	double iops, lat, issued;
	json_t *p;

	EXPECT(fx, loopdev_sysfs_read(&fx->ld, "queue/nr_requests", line, sizeof(line)) == 0,
	       "cannot read nr_requests");
	nr = atoll(line);
	EXPECT(fx, nr > 0 && nr < 1000, "nr_requests %lld: the test needs 1000 above it", nr);
	run(fx, args);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, fx->doc != NULL, "stdout is not JSON");
	p = runbin_jget(fx->doc, "params.submit_limit");
	EXPECT(fx, json_is_string(p) ? strcmp(json_string_value(p), fx->arg) == 0 :
	       json_is_integer(p) && json_integer_value(p) == atoll(fx->arg),
	       "params.submit_limit is not %s", fx->arg);
	EXPECT(fx, jint(fx, "target.queue_requests") == nr, "target.queue_requests %lld, sysfs %lld",
	       jint(fx, "target.queue_requests"), nr);
	hwq = jint(fx, "target.hw_queues");
	EXPECT(fx, hwq >= 1, "target.hw_queues %lld", hwq);
	/* auto: nr_requests for each hardware queue the 2 workers can reach */
	want = strcmp(fx->arg, "auto") == 0 ? nr * (hwq < 2 ? hwq : 2) :
		strcmp(fx->arg, "none") == 0 ? 0 : atoll(fx->arg);
	EXPECT(fx, jint(fx, "results.concurrency.submit_limit") == want,
	       "concurrency.submit_limit %lld, expected %lld",
	       jint(fx, "results.concurrency.submit_limit"), want);
	kmax = jint(fx, "results.concurrency.kernel_inflight_max");
	issued = jnum(fx, "results.concurrency.inflight_mean");
	if (!want) {
		/* No limit: io_submit() took more than the queue holds (and slept for it). */
		EXPECT(fx, kmax > nr, "without a limit the kernel held at most %lld (queue %lld)",
		       kmax, nr);
		return;
	}
	EXPECT(fx, kmax > 0 && kmax <= want, "kernel_inflight_max %lld, limit %lld", kmax, want);
	EXPECT(fx, issued > 900, "inflight_mean %.1f: the workers did not keep 1000 issued",
	       issued);
	/*
	 * Little's law: with 1000 issued, the mean latency is 1000 / IOPS only
	 * if each I/O's clock starts when its worker queues it, not when the
	 * kernel takes it (that would give about limit / IOPS).
	 */
	iops = jnum(fx, "results.total.iops");
	lat = jnum(fx, "results.read.lat_ns.mean");
	EXPECT(fx, iops > 0 && lat > 0, "iops %.0f, mean latency %.0f ns", iops, lat);
	EXPECT(fx, lat * iops / 1e9 > 0.8 * issued && lat * iops / 1e9 < 1.2 * issued,
	       "mean latency %.0f ns x %.0f IOPS = %.0f in flight, but %.0f were issued",
	       lat, iops, lat * iops / 1e9, issued);
}

static const char *const submit_limit_cases[] = { "auto", "16", "none" };

START_TEST(submit_limit)
{
	with_loop(submit_limit_body, submit_limit_cases[_i]);
}
END_TEST

/* ---- no writes over a filesystem without --force ---------------------------- */

static int read_head(struct fixture *fx, unsigned char *buf)
{
	return loopdev_read_direct(&fx->ld, 0, buf, HEAD_BYTES);
}

static void safety_body(struct fixture *fx)
{
	const char *write_run[] = { "concurrency", "--target", fx->ld.path, "--ops", "16",
				    "--duration", "1", NULL };
	const char *read_run[] = { "concurrency", "--target", fx->ld.path, "--rw", "randread",
				   "--ops", "16", "--duration", "1", NULL };
	const char *forced[] = { "concurrency", "--target", fx->ld.path, "--force", "--ops",
				 "16", "--duration", "1", "--output-format", "json", NULL };
	static unsigned char before[HEAD_BYTES], after[HEAD_BYTES];
	char cmd[128];
	int rc;

	snprintf(cmd, sizeof(cmd), "mkfs.ext4 -q -F %s >/dev/null 2>&1", fx->ld.path);
	rc = system(cmd);
	EXPECT(fx, rc == 0, "'%s' returned %d", cmd, rc);
	EXPECT(fx, read_head(fx, before) == 0, "cannot read %s", fx->ld.path);
	/* The ext4 superblock magic 0xEF53 at 1024 + 56: mkfs did its job. */
	EXPECT(fx, before[1080] == 0x53 && before[1081] == 0xef, "no ext4 superblock");

	run(fx, write_run);
	EXPECT(fx, fx->r.status == RB_EXIT_USAGE, "write run: exit %d: %s", fx->r.status,
	       fx->r.err);
	EXPECT(fx, runbin_count_lines(fx->r.err) == 1, "stderr: %s", fx->r.err);
	EXPECT(fx, strstr(fx->r.err, "ext4") != NULL, "stderr does not say ext4: %s", fx->r.err);
	EXPECT(fx, read_head(fx, after) == 0, "cannot read %s", fx->ld.path);
	EXPECT(fx, memcmp(before, after, HEAD_BYTES) == 0, "the refused run changed the device");

	run(fx, read_run);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "read run: exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, read_head(fx, after) == 0, "cannot read %s", fx->ld.path);
	EXPECT(fx, memcmp(before, after, HEAD_BYTES) == 0, "the read-only run changed the device");

	run(fx, forced);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "--force run: exit %d: %s", fx->r.status,
	       fx->r.err);
	EXPECT(fx, jint(fx, "results.write.ops") > 0, "--force run wrote nothing");
}

START_TEST(refuses_filesystem)
{
	with_loop(safety_body, NULL);
}
END_TEST

/* ---- what the result says about a block device ------------------------------ */

static void identity_body(struct fixture *fx)
{
	const char *args[] = { "concurrency", "--target", fx->ld.path, "--rw", "randread",
			       "--ops", "8", "--duration", "1", "--output-format", "json", NULL };
	char lbs[16];

	EXPECT(fx, loopdev_sysfs_read(&fx->ld, "queue/logical_block_size", lbs, sizeof(lbs)) == 0,
	       "cannot read the logical block size");
	run(fx, args);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, fx->doc != NULL, "stdout is not JSON");
	EXPECT(fx, strcmp(jstr(fx, "target.kind"), "block") == 0, "kind %s",
	       jstr(fx, "target.kind"));
	EXPECT(fx, strcmp(jstr(fx, "target.sysname"), fx->ld.sysname) == 0, "sysname %s, want %s",
	       jstr(fx, "target.sysname"), fx->ld.sysname);
	EXPECT(fx, strcmp(jstr(fx, "target.path"), fx->ld.path) == 0, "path %s",
	       jstr(fx, "target.path"));
	EXPECT(fx, jint(fx, "target.logical_block_size") == atoll(lbs),
	       "logical_block_size %lld, the device says %s",
	       jint(fx, "target.logical_block_size"), lbs);
	EXPECT(fx, jint(fx, "target.size_bytes") == (long long)BACKING_SIZE, "size_bytes %lld",
	       jint(fx, "target.size_bytes"));
	EXPECT(fx, json_is_false(runbin_jget(fx->doc, "target.scratch")), "scratch is not false");
	EXPECT(fx, jint(fx, "results.write.ops") == 0 && jint(fx, "results.read.ops") > 0,
	       "randread: %lld reads, %lld writes", jint(fx, "results.read.ops"),
	       jint(fx, "results.write.ops"));
}

START_TEST(block_identity)
{
	with_loop(identity_body, NULL);
}
END_TEST

/* ---- block sizes below the logical block size ------------------------------- */

static void blocksize_body(struct fixture *fx)
{
	const char *args[] = { "concurrency", "--target", fx->ld.path, "--force", "--bs", "1024",
			       "--ops", "8", "--duration", "1", NULL };
	static unsigned char before[HEAD_BYTES], after[HEAD_BYTES];
	struct stat st;
	char lbs[16];
	int rc;

	rc = loopdev_set_block_size(&fx->ld, 4096);
	EXPECT(fx, rc == 0, "LOOP_SET_BLOCK_SIZE 4096: %s", strerror(-rc));
	EXPECT(fx, loopdev_sysfs_read(&fx->ld, "queue/logical_block_size", lbs, sizeof(lbs)) == 0 &&
	       strcmp(lbs, "4096") == 0, "logical block size %s after LOOP_SET_BLOCK_SIZE", lbs);
	EXPECT(fx, read_head(fx, before) == 0, "cannot read %s", fx->ld.path);
	run(fx, args);
	EXPECT(fx, fx->r.status == RB_EXIT_USAGE, "exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, runbin_count_lines(fx->r.err) == 1, "stderr: %s", fx->r.err);
	EXPECT(fx, strstr(fx->r.err, "--bs") != NULL, "stderr does not name --bs: %s", fx->r.err);
	EXPECT(fx, read_head(fx, after) == 0, "cannot read %s", fx->ld.path);
	EXPECT(fx, memcmp(before, after, HEAD_BYTES) == 0, "the refused run changed the device");
	/* The backing file is sparse: any write anywhere would allocate blocks. */
	EXPECT(fx, stat(fx->backing, &st) == 0 && st.st_blocks == 0,
	       "the backing file has %lld blocks allocated", (long long)st.st_blocks);
}

START_TEST(bs_below_logical_block)
{
	with_loop(blocksize_body, NULL);
}
END_TEST

static Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc;

	tc = tcase_create("counters");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, kernel_counters, 0,
			    (int)(sizeof(counter_cases) / sizeof(counter_cases[0])));

	tcase_add_loop_test(tc, flush_discard_counters, 0,
			    (int)(sizeof(flush_engines) / sizeof(flush_engines[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("submit-limit");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, submit_limit, 0,
			    (int)(sizeof(submit_limit_cases) / sizeof(submit_limit_cases[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("target");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, refuses_filesystem);
	tcase_add_test(tc, block_identity);
	tcase_add_test(tc, bs_below_logical_block);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (!loopdev_usable("check_loop"))
		return 77;
	return runbin_run_suite(loop_suite(), TAG, loopdev_sweep);
}
