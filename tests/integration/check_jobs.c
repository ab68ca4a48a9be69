/*
 * Job files end to end (dmremap-bench-run(1)): the run command and
 * workload --job/--list/--show; a refused option exits 2 naming its line;
 * --verify across discards; and open-loop latency on a device that
 * stalls: a loop device over a file on an ext4 image that the test
 * freezes for 200 ms. The stall must show in the response time (from when
 * each I/O was due) and not in the service time (from its submission).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "jobs"

struct fixture {
	char *dir;                     /* runbin_tmpdir: job files, outputs */
	struct runbin_result r;
	json_t *doc;
	struct expect ex;
};

static void fx_init(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->dir = runbin_tmpdir(TAG);
	ck_assert_msg(fx->dir != NULL, "cannot make a directory in /dev/shm");
}

static void fx_done(struct fixture *fx)
{
	json_decref(fx->doc);
	runbin_result_free(&fx->r);
	runbin_rmtree(fx->dir);
	free(fx->dir);
	ck_assert_msg(!fx->ex.failed, "%s", fx->ex.msg);
}

static void run(struct fixture *fx, const char *const *args)
{
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 90000 };

	runbin_run_doc(args, &o, &fx->r, &fx->doc);
}

static long long jint(struct fixture *fx, const char *path)
{
	json_t *j = runbin_jget(fx->doc, path);

	return json_is_integer(j) ? (long long)json_integer_value(j) : -1;
}

/* Write text to dir/name; the path in out. */
static int write_file(const char *dir, const char *name, const char *text, char *out,
		      size_t len)
{
	FILE *f;

	snprintf(out, len, "%s/%s", dir, name);
	f = fopen(out, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* ---- the commands ------------------------------------------------------- */

START_TEST(refused_option_exits_2)
{
	struct fixture fx;
	char path[4096], want[4200];
	const char *run_args[] = { "run", path, "--duration", "1", NULL };
	const char *wl_args[] = { "workload", "--job", path, "--duration", "1", NULL };

	fx_init(&fx);
	ck_assert_int_eq(write_file(fx.dir, "bad.fio", "[a]\nrw=randread\n; fine\nverify=md5\n",
				    path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s:4: option 'verify' is not supported", path);
	run(&fx, run_args);
	ck_assert_msg(fx.r.status == RB_EXIT_USAGE, "run: exit %d", fx.r.status);
	ck_assert_msg(strstr(fx.r.err, want) && runbin_count_lines(fx.r.err) == 1,
		      "run's stderr: %s", fx.r.err);
	run(&fx, wl_args);
	ck_assert_msg(fx.r.status == RB_EXIT_USAGE, "workload --job: exit %d", fx.r.status);
	ck_assert_msg(strstr(fx.r.err, want) && runbin_count_lines(fx.r.err) == 1,
		      "workload's stderr: %s", fx.r.err);
	/* Nothing was opened for writing: no scratch file left, no output. */
	ck_assert_int_eq(runbin_count_entries(fx.dir), 1);
	fx_done(&fx);
}
END_TEST

START_TEST(list_and_show)
{
	static const char *const list_args[] = { "workload", "--list", NULL };
	static const char *const show_args[] = { "workload", "--show", "database",
						 "--intensity", "heavy", NULL };
	static const char *const mixed_args[] = { "workload", "--show", "mixed", NULL };
	struct fixture fx;

	fx_init(&fx);
	run(&fx, list_args);
	ck_assert_msg(fx.r.status == 0, "--list: exit %d: %s", fx.r.status, fx.r.err);
	ck_assert_uint_eq(runbin_count_lines(fx.r.out), 12);
	ck_assert_msg(strstr(fx.r.out, "database-heavy.fio") &&
		      strstr(fx.r.out, "OLTP database") &&
		      strstr(fx.r.out, "virtualization-light.fio") && !strstr(fx.r.out, "parse"),
		      "--list: %s", fx.r.out);
	run(&fx, show_args);
	ck_assert_msg(fx.r.status == 0, "--show: exit %d: %s", fx.r.status, fx.r.err);
	ck_assert_msg(strstr(fx.r.out, "[data]") && strstr(fx.r.out, "numjobs=12") &&
		      strstr(fx.r.out, "iodepth=16"), "--show: %s", fx.r.out);
	run(&fx, mixed_args);
	ck_assert_int_eq(fx.r.status, RB_EXIT_USAGE);
	fx_done(&fx);
}
END_TEST

/*
 * Reads, writes, flushes and discards with --verify on a scratch file: a
 * discarded block reads back as zeroes (a punched hole) or its old
 * contents, never as a verify error.
 */
static void verify_body(struct fixture *fx)
{
	static const char job[] =
		"[global]\n"
		"time_based\n"
		"runtime=2\n"
		"[mix]\n"
		"rw=randrw\n"
		"rwmixread=50\n"
		"rwmixtrim=30\n"
		"fdatasync=16\n"
		"bs=4k\n"
		"iodepth=4\n"
		"size=8M\n";
	char path[4096];
	const char *args[] = { "run", path, "--no-dm", "--scratch-dir", NULL, "--size", "64M",
			       "--verify", "--seed", "7", "--verify-state", NULL,
			       "--output-format", "json", NULL };
	char state[4200];

	EXPECT(fx, write_file(fx->dir, "v.fio", job, path, sizeof(path)) == 0, "cannot write");
	snprintf(state, sizeof(state), "%s/genmap", fx->dir);
	args[4] = fx->dir;
	args[11] = state;
	run(fx, args);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	EXPECT(fx, jint(fx, "results.verify.bad_blocks") == 0, "bad blocks %lld",
	       jint(fx, "results.verify.bad_blocks"));
	EXPECT(fx, jint(fx, "results.discard.ops") > 0 && jint(fx, "results.flush.ops") > 0,
	       "discards %lld flushes %lld", jint(fx, "results.discard.ops"),
	       jint(fx, "results.flush.ops"));
	EXPECT(fx, jint(fx, "results.verify.blocks_discarded") > 0 &&
	       jint(fx, "results.verify.blocks_discarded_read_zero") > 0,
	       "discarded %lld, read back as zeroes %lld",
	       jint(fx, "results.verify.blocks_discarded"),
	       jint(fx, "results.verify.blocks_discarded_read_zero"));
	EXPECT(fx, jint(fx, "results.verify.blocks_checked") > 0, "nothing checked");
}

START_TEST(verify_with_discards)
{
	struct fixture fx;

	fx_init(&fx);
	verify_body(&fx);
	fx_done(&fx);
}
END_TEST

/*
 * Arrivals far faster than any device (20 million a second, one I/O in
 * flight): the backlog stops at one second of arrivals. The rest are
 * dropped and counted, no response time exceeds the cap by more than a
 * service time, and the run ends on time.
 */
static void backlog_body(struct fixture *fx)
{
	static const char job[] =
		"[flood]\n"
		"rw=randread\n"
		"bs=4k\n"
		"iodepth=1\n"
		"rate_iops=20000000\n"
		"open_loop=1\n"
		"time_based\n"
		"runtime=3\n";
	char path[4096];
	const char *args[] = { "run", path, "--no-dm", "--scratch-dir", NULL, "--size", "16M",
			       "--output-format", "json", NULL };
	long long ops, dropped, resp_max;

	EXPECT(fx, write_file(fx->dir, "flood.fio", job, path, sizeof(path)) == 0,
	       "cannot write");
	args[4] = fx->dir;
	run(fx, args);
	EXPECT(fx, fx->r.status == 0, "exit %d: %s", fx->r.status, fx->r.err);
	ops = jint(fx, "results.read.ops");
	dropped = jint(fx, "results.total.late.dropped");
	resp_max = jint(fx, "results.read.resp_ns.max");
	EXPECT(fx, ops > 0 && ops < 20000000LL * 3 / 2, "%lld reads", ops);
	EXPECT(fx, dropped > 20000000LL, "%lld arrivals dropped of 60 million, %lld run", dropped,
	       ops);
	EXPECT(fx, jint(fx, "results.read.late.count") > ops / 2, "%lld late of %lld",
	       jint(fx, "results.read.late.count"), ops);
	/* Due at most 1 s before it started, plus its service time. */
	EXPECT(fx, resp_max > 500000000LL && resp_max < 1500000000LL,
	       "the longest response time is %lld ns", resp_max);
	EXPECT(fx, jint(fx, "results.read.lat_ns.max") < 500000000LL, "service max %lld",
	       jint(fx, "results.read.lat_ns.max"));
}

START_TEST(open_loop_backlog_bounded)
{
	struct fixture fx;

	fx_init(&fx);
	backlog_body(&fx);
	fx_done(&fx);
}
END_TEST

/* ---- open-loop latency on a device that stalls ------------------------ */

#define IMAGE_SIZE (128ULL << 20)
#define STALL_MS 200

struct stall {
	char *image;                   /* the ext4 image in /dev/shm */
	struct loopdev img_ld;         /* the image's loop device */
	char mnt[4096];                /* where it is mounted: a mkdtemp of ours */
	bool mounted;
	int mnt_fd;                    /* for FIFREEZE/FITHAW */
	bool frozen;
	char backing[4200];            /* the file on it */
	struct loopdev ld;             /* the loop device the tool measures */
};

static void stall_cleanup(struct stall *st)
{
	/* Always thaw before anything else: a frozen filesystem blocks its writers. */
	if (st->mnt_fd >= 0 && st->frozen)
		ioctl(st->mnt_fd, FITHAW, 0);
	if (st->ld.index >= 0)
		loopdev_detach(&st->ld);
	if (st->mnt_fd >= 0)
		close(st->mnt_fd);
	if (st->mounted)
		umount2(st->mnt, 0);
	if (st->mnt[0])
		rmdir(st->mnt);
	if (st->img_ld.index >= 0)
		loopdev_detach(&st->img_ld);
	loopdev_backing_remove(st->image);
}

static int stall_setup(struct stall *st, struct expect *ex)
{
	char cmd[4400];
	int fd;

	memset(st, 0, sizeof(*st));
	st->mnt_fd = -1;
	st->ld.index = -1;
	st->img_ld.index = -1;
	st->image = loopdev_backing_create(TAG, IMAGE_SIZE);
	if (!st->image)
		return expect_fail_at(ex, __LINE__, "image", "cannot create the image"), -1;
	snprintf(cmd, sizeof(cmd), "mkfs.ext4 -q -F %s >/dev/null 2>&1", st->image);
	if (system(cmd) != 0)
		return expect_fail_at(ex, __LINE__, "mkfs", "mkfs.ext4 failed"), -1;
	if (loopdev_attach(&st->img_ld, st->image, false))
		return expect_fail_at(ex, __LINE__, "attach", "cannot attach the image"), -1;
	snprintf(st->mnt, sizeof(st->mnt), "/tmp/dmrb-integ-jobs-mnt-XXXXXX");
	if (!mkdtemp(st->mnt)) {
		st->mnt[0] = '\0';
		return expect_fail_at(ex, __LINE__, "mkdtemp", "%s", strerror(errno)), -1;
	}
	if (mount(st->img_ld.path, st->mnt, "ext4", 0, NULL))
		return expect_fail_at(ex, __LINE__, "mount", "%s", strerror(errno)), -1;
	st->mounted = true;
	st->mnt_fd = open(st->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->mnt_fd < 0)
		return expect_fail_at(ex, __LINE__, "open", "%s", strerror(errno)), -1;
	snprintf(st->backing, sizeof(st->backing), "%s/dev", st->mnt);
	fd = open(st->backing, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 64 << 20) || close(fd))
		return expect_fail_at(ex, __LINE__, "backing", "%s", strerror(errno)), -1;
	if (loopdev_attach(&st->ld, st->backing, false))
		return expect_fail_at(ex, __LINE__, "attach", "cannot attach the backing file"),
		       -1;
	return 0;
}

/*
 * Writes arrive at 1000 a second whatever completes (open_loop), four in
 * flight at most. The freeze holds the four in flight for 200 ms: four
 * I/Os of ~4000 have a long service time, so the service p99 stays that
 * of the device. The ~200 arrivals meanwhile start late, when the
 * filesystem thaws: their response times run up to 200 ms, and more than
 * 1% of the I/Os put the stall into the response p99.
 */
START_TEST(open_loop_stall)
{
	static const char job[] =
		"[w]\n"
		"rw=randwrite\n"
		"bs=4k\n"
		"iodepth=4\n"
		"rate_iops=1000\n"
		"open_loop=1\n"
		"time_based\n"
		"runtime=4\n";
	struct fixture fx;
	struct stall st;
	struct runbin rb;
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 60000 };
	char path[4096];
	const char *args[] = { "run", path, "--target", NULL, "--force", "--output-format",
			       "json", NULL };
	long long svc99, resp99, late, late_max;

	fx_init(&fx);
	ck_assert_int_eq(write_file(fx.dir, "ol.fio", job, path, sizeof(path)), 0);
	if (stall_setup(&st, &fx.ex) == 0) {
		args[3] = st.ld.path;
		if (runbin_start(&rb, args, &o) == 0) {
			/* Collect output for 1.5 s, then freeze for 200 ms. */
			runbin_kill(&rb, 0, 1500);
			if (ioctl(st.mnt_fd, FIFREEZE, 0) == 0) {
				st.frozen = true;
				runbin_sleep_ms(STALL_MS);
				if (ioctl(st.mnt_fd, FITHAW, 0) == 0)
					st.frozen = false;
			}
			runbin_wait(&rb, &fx.r);
			fx.doc = runbin_json(fx.r.out);
		} else {
			expect_fail_at(&fx.ex, __LINE__, "start", "cannot start the binary");
		}
	}
	stall_cleanup(&st);
	if (!fx.ex.failed) {
		svc99 = jint(&fx, "results.write.lat_ns.p99");
		resp99 = jint(&fx, "results.write.resp_ns.p99");
		late = jint(&fx, "results.write.late.count");
		late_max = jint(&fx, "results.write.late.max_ns");
		fprintf(stderr, "open_loop_stall: %lld writes, service p99 %lld ns, response p99 "
			"%lld ns, %lld late (at most %lld ns)\n", jint(&fx, "results.write.ops"),
			svc99, resp99, late, late_max);
		if (fx.r.status != 0)
			expect_fail_at(&fx.ex, __LINE__, "status", "exit %d: %s", fx.r.status,
				       fx.r.err);
		else if (resp99 < 100000000LL)
			expect_fail_at(&fx.ex, __LINE__, "resp99", "response p99 %lld ns: the "
				       "200 ms stall does not show (service p99 %lld)", resp99, svc99);
		else if (svc99 * 3 > resp99 || svc99 > 50000000LL)
			expect_fail_at(&fx.ex, __LINE__, "svc99", "service p99 %lld ns, response "
				       "p99 %lld ns: the stall shows in the service time", svc99,
				       resp99);
		else if (late < 100 || late_max < 150000000LL)
			expect_fail_at(&fx.ex, __LINE__, "late", "%lld late starts, the latest "
				       "%lld ns late", late, late_max);
		else if (jint(&fx, "results.total.late.dropped") != 0)
			expect_fail_at(&fx.ex, __LINE__, "dropped", "%lld arrivals dropped",
				       jint(&fx, "results.total.late.dropped"));
	}
	fx_done(&fx);
}
END_TEST

static Suite *jobs_suite(void)
{
	Suite *s = suite_create("jobs");
	TCase *tc = tcase_create("commands");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, refused_option_exits_2);
	tcase_add_test(tc, list_and_show);
	tcase_add_test(tc, verify_with_discards);
	tcase_add_test(tc, open_loop_backlog_bounded);
	suite_add_tcase(s, tc);
	if (geteuid() == 0 && access("/dev/loop-control", F_OK) == 0 &&
	    system("command -v mkfs.ext4 >/dev/null 2>&1") == 0) {
		tc = tcase_create("stall");
		tcase_set_timeout(tc, 90);
		tcase_add_test(tc, open_loop_stall);
		suite_add_tcase(s, tc);
	} else {
		fprintf(stderr, "check_jobs: the stall test needs root, loop devices and "
			"mkfs.ext4; skipped\n");
	}
	return s;
}

int main(void)
{
	return runbin_run_suite(jobs_suite(), TAG, loopdev_sweep);
}
