/*
 * The hard stop (dmremap-bench(1), HARD STOP), against a frozen filesystem
 * (root only): a small ext4 in /dev/shm, mounted on a mktemp -d mount
 * point, holding a file; then fsfreeze (FIFREEZE). Every case must end
 * within --timeout T plus the documented grace, exit 3 (or 4), and say
 * what it abandoned:
 *   - a loop device over the file (direct I/O), written with libaio and
 *     io_uring: the I/O never completes;
 *   - the file itself: io_submit sleeps for good in sb_start_write;
 *   - SIGINT during that;
 *   - --verify on the loop device: the flush after the run never ends;
 *   - the scratch file created on the frozen filesystem: the run's
 *     process sleeps before any I/O, and the supervisor's own deadline
 *     has to end it.
 * A process left behind must go once the filesystem is thawed.
 *
 * A frozen filesystem left behind would wedge whoever touches it: the
 * cleanup thaws and unmounts whatever the test did, and a watchdog
 * process (in its own session, so that a test runner killing the test's
 * process group does not take it along) thaws at a deadline, and cleans
 * up after a test process that died.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "hardstop"
#define T_S 3                    /* --timeout of the runs */
#define GRACE_S 10               /* HARDSTOP_GRACE_NS, as the man page documents it */
#define SLACK_MS 800             /* process start-up and the test's own polling */
#define RUN_LIMIT_MS ((T_S + GRACE_S) * 1000 + 4000)   /* runbin kills the tool here */
#define WATCHDOG_S 20            /* thaw no later than this after the freeze */
#define FS_SIZE (96ULL << 20)
#define FILE_SIZE (48ULL << 20)

struct fx {
	char *dir;                   /* runbin_tmpdir(TAG): image, results, state */
	char img[320];
	char mnt[64];                /* mkdtemp("/tmp/dmrb-hardstop-XXXXXX") */
	char file[128];              /* mnt/target */
	char out[360];               /* dir/out.json */
	struct loopdev fsld;         /* the image's loop device */
	struct loopdev ld;           /* the target loop device over file */
	bool mounted, frozen;
	pid_t watchdog;
	int watchdog_fd;             /* write end; the watchdog acts when it closes */
	struct runbin_result r;
	json_t *doc;                 /* the -o result, or NULL */
	unsigned long long elapsed_ms;
	pid_t left;                  /* a process the tool left behind, or 0 */
	struct expect ex;
};

/* Run a program from PATH with its output thrown away; its exit status, or -1. */
static int run_quiet(const char *const *argv)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int freeze_ioctl(const char *mnt, unsigned long req)
{
	int fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, req, 0))
		rc = -errno;
	close(fd);
	return rc;
}

/* Thaw; EINVAL means it was not frozen. */
static int thaw(struct fx *fx)
{
	int rc = fx->mnt[0] ? freeze_ioctl(fx->mnt, FITHAW) : 0;

	if (rc == -EINVAL)
		rc = 0;
	if (!rc)
		fx->frozen = false;
	return rc;
}

/* The loop device's backing file as sysfs shows it ("" when detached). */
static bool still_attached(const struct loopdev *ld)
{
	char b[512];

	return ld->index >= 0 && loopdev_sysfs_read(ld, "loop/backing_file", b, sizeof(b)) == 0 &&
	       b[0];
}

/*
 * Undo everything that is set up, in order: thaw, let go of the target
 * loop device (the kernel defers the detach while a process left behind
 * holds it), unmount, detach the image's loop device, remove the files.
 * Returns the first failure as a message, or NULL. Used by the test and
 * by the watchdog.
 */
static const char *undo(struct fx *fx, unsigned wait_ms)
{
	unsigned long long end = runbin_mono_ms() + wait_ms;
	const char *why = NULL;

	if (thaw(fx))
		why = "cannot thaw the filesystem";
	if (fx->ld.index >= 0) {
		struct loopdev keep = fx->ld;

		if (loopdev_detach(&fx->ld) && !why)
			why = "cannot detach the target loop device";
		while (still_attached(&keep) && runbin_mono_ms() < end)
			runbin_sleep_ms(50);
		if (still_attached(&keep) && !why)
			why = "the target loop device is still attached";
	}
	if (fx->mounted) {
		while (umount(fx->mnt) && errno == EBUSY && runbin_mono_ms() < end)
			runbin_sleep_ms(50);
		if (!umount2(fx->mnt, MNT_DETACH) || errno == EINVAL)
			fx->mounted = false;
		if (fx->mounted && !why)
			why = "cannot unmount the filesystem";
		/* A lazy unmount above means something still held it. */
	}
	if (!fx->mounted && fx->fsld.index >= 0 && loopdev_detach(&fx->fsld) && !why)
		why = "cannot detach the image's loop device";
	if (!fx->mounted && fx->mnt[0] && rmdir(fx->mnt) == 0)
		fx->mnt[0] = '\0';
	if (fx->dir && !fx->mounted) {
		runbin_rmtree(fx->dir);
		free(fx->dir);
		fx->dir = NULL;
	}
	return why;
}

/*
 * The watchdog: thaws WATCHDOG_S after the freeze whatever happens, and if
 * the test's process dies (its end of the pipe closes without a word),
 * undoes everything itself.
 */
static void watchdog_main(struct fx *fx, int rfd)
{
	unsigned long long thaw_at = runbin_mono_ms() + WATCHDOG_S * 1000ull;
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char c = 0;

	setsid();
	prctl(PR_SET_NAME, "dmrb-watchdog");
	/* Hold none of the test runner's pipes: only ours, and stderr for a last word. */
	{
		int fd, max = (int)sysconf(_SC_OPEN_MAX);

		for (fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			if (fd != rfd)
				close(fd);
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		if (fd > 2)
			close(fd);
	}
	for (;;) {
		unsigned long long now = runbin_mono_ms();
		int n = poll(&p, 1, now < thaw_at ? (int)(thaw_at - now) : 1000);

		if (n == 0 && runbin_mono_ms() >= thaw_at) {
			thaw(fx);
			thaw_at = ~0ull;
			continue;
		}
		if (n > 0) {
			ssize_t r = read(rfd, &c, 1);

			if (r == 1 && c == 'K')
				continue;  /* the test cleaned up: wait for the close */
			if (r <= 0)
				break;
		}
	}
	if (c != 'K') {
		const char *why = undo(fx, 30000);

		if (why)
			fprintf(stderr, "check_hardstop: watchdog: %s (%s)\n", why, fx->mnt);
	}
	_exit(0);
}

static int start_watchdog(struct fx *fx)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	fx->watchdog = fork();
	if (fx->watchdog < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (fx->watchdog == 0) {
		close(p[1]);
		watchdog_main(fx, p[0]);
	}
	close(p[0]);
	fx->watchdog_fd = p[1];
	return 0;
}

/* ---- the fixture ------------------------------------------------------------- */

static const char *setup_fs(struct fx *fx, bool target_loop)
{
	const char *mkfs[] = { "mkfs.ext4", "-qF", fx->img, NULL };
	int fd, rc;

	fx->dir = runbin_tmpdir(TAG);
	if (!fx->dir)
		return "cannot create a directory in /dev/shm";
	snprintf(fx->img, sizeof(fx->img), "%s/fs.img", fx->dir);
	snprintf(fx->out, sizeof(fx->out), "%s/out.json", fx->dir);
	fd = open(fx->img, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)FS_SIZE) || close(fd))
		return "cannot create the image";
	if (run_quiet(mkfs) != 0)
		return "mkfs.ext4 failed";
	snprintf(fx->mnt, sizeof(fx->mnt), "/tmp/dmrb-hardstop-XXXXXX");
	if (!mkdtemp(fx->mnt)) {
		fx->mnt[0] = '\0';
		return "cannot create the mount point";
	}
	if (loopdev_attach(&fx->fsld, fx->img, false))
		return "cannot attach a loop device to the image";
	if (mount(fx->fsld.path, fx->mnt, "ext4", 0, NULL))
		return "cannot mount the image";
	fx->mounted = true;
	snprintf(fx->file, sizeof(fx->file), "%s/target", fx->mnt);
	fd = open(fx->file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return "cannot create the file on the filesystem";
	rc = posix_fallocate(fd, 0, (off_t)FILE_SIZE);
	if (close(fd) || rc)
		return "cannot allocate the file";
	if (target_loop) {
		rc = loopdev_attach(&fx->ld, fx->file, true);
		if (rc)
			return rc == -EOPNOTSUPP ? "the loop device will not do direct I/O" :
				"cannot attach the target loop device";
	}
	return NULL;
}

static bool have_mkfs(void)
{
	const char *v[] = { "mkfs.ext4", "-V", NULL };

	return run_quiet(v) == 0;
}

/* Everything up and frozen, the watchdog watching; false (recorded) otherwise. */
static bool fx_init(struct fx *fx, bool target_loop)
{
	const char *why;
	int rc;

	memset(fx, 0, sizeof(*fx));
	fx->fsld.index = fx->ld.index = -1;
	fx->watchdog_fd = -1;
	/* A process the tool leaves behind comes to us when the tool exits. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	why = setup_fs(fx, target_loop);
	if (!why && (rc = start_watchdog(fx)))
		why = "cannot start the watchdog";
	if (!why && (rc = freeze_ioctl(fx->mnt, FIFREEZE)))
		why = "cannot freeze the filesystem (FIFREEZE)";
	if (why) {
		expect_fail_at(&fx->ex, __LINE__, "setup", "%s: %s", why, strerror(errno));
		return false;
	}
	fx->frozen = true;
	return true;
}

/* The children of this process other than the watchdog that have not ended. */
static int others_left(const struct fx *fx)
{
	pid_t w;
	int n = 0;
	char path[64], *text, *p;

	while ((w = waitpid(-1, NULL, WNOHANG)) > 0)
		if (w == fx->watchdog)
			return -1;  /* it should not have gone: say so below */
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	text = runbin_slurp(path);
	for (p = text; p && *p;) {
		long pid = strtol(p, &p, 10);

		if (pid > 0 && pid != fx->watchdog)
			n++;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	free(text);
	return n;
}

/* Undo everything, then report the body's first failure. */
static void fx_finish(struct fx *fx)
{
	unsigned long long end;
	const char *why;
	int left = 0, st;

	json_decref(fx->doc);
	runbin_result_free(&fx->r);
	/* Thawed, whatever was left behind finishes: wait for it before unmounting. */
	if (thaw(fx) && !fx->ex.failed)
		expect_fail_at(&fx->ex, __LINE__, "thaw", "cannot thaw %s: %s", fx->mnt,
			       strerror(errno));
	end = runbin_mono_ms() + 15000;
	while (runbin_mono_ms() < end && (left = others_left(fx)) > 0)
		runbin_sleep_ms(20);
	why = undo(fx, 10000);
	if (fx->watchdog > 0) {
		if (write(fx->watchdog_fd, "K", 1) != 1)
			why = why ? why : "the watchdog is gone";
		close(fx->watchdog_fd);
		waitpid(fx->watchdog, &st, 0);
	}
	ck_assert_msg(!fx->ex.failed, "%s", fx->ex.msg);
	ck_assert_msg(left == 0, "%d processes the tool left were still there 15 s after the "
		      "thaw", left);
	ck_assert_msg(why == NULL, "cleanup: %s", why);
}

/* ---- runs ----------------------------------------------------------------------- */

/* Run the tool (args end with NULL), timing it; sig: sent after sig_ms (0: none). */
static void run_tool(struct fx *fx, const char *const *args, int sig, unsigned sig_ms)
{
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = RUN_LIMIT_MS };
	unsigned long long t0 = runbin_mono_ms();
	struct runbin rb;
	char *text, *p;

	if (runbin_start(&rb, args, &o)) {
		fx->r.status = -1;
		return;
	}
	if (sig)
		runbin_kill(&rb, sig, sig_ms);
	if (runbin_wait(&rb, &fx->r))
		fx->r.status = -1;
	fx->elapsed_ms = runbin_mono_ms() - t0;
	text = runbin_slurp(fx->out);
	fx->doc = runbin_json(text);
	free(text);
	/* "... process 1234 cannot finish exiting ..." / "... its process 1234 is killed ..." */
	p = fx->r.err ? strstr(fx->r.err, "process ") : NULL;
	fx->left = p ? (pid_t)strtol(p + strlen("process "), NULL, 10) : 0;
	fprintf(stderr, "check_hardstop: %s %s ...: exit %d after %.1f s%s\n", args[0], args[2],
		fx->r.status, (double)fx->elapsed_ms / 1e3,
		fx->left ? " (a process left behind)" : "");
	if (fx->r.err && fx->r.err[0])
		fprintf(stderr, "%s", fx->r.err);
}

static const char *jstr(json_t *doc, const char *path)
{
	const char *s = json_string_value(runbin_jget(doc, path));

	return s ? s : "(none)";
}

/* Ended in time, with the status and a result that says what was abandoned. */
static void check_ended(struct fx *fx, int want_status)
{
	EXPECT(fx, !fx->r.timed_out, "the run was still there %d s after its start (exit %d): %s",
	       RUN_LIMIT_MS / 1000, fx->r.status, fx->r.err);
	EXPECT(fx, fx->elapsed_ms <= (T_S + GRACE_S) * 1000ull + SLACK_MS,
	       "the run took %.1f s: more than --timeout %d s + the %d s grace", fx->elapsed_ms / 1e3,
	       T_S, GRACE_S);
	EXPECT(fx, fx->r.status == want_status, "exit %d, want %d: %s", fx->r.status, want_status,
	       fx->r.err);
	EXPECT(fx, fx->doc != NULL, "no JSON result in %s: %s", fx->out, fx->r.err);
	EXPECT(fx, json_is_true(runbin_jget(fx->doc, "results.timed_out")), "not timed_out");
	EXPECT(fx, runbin_jint(fx->doc, "results.abandoned_ios") > 0, "abandoned_ios %lld",
	       runbin_jint(fx->doc, "results.abandoned_ios"));
	EXPECT(fx, !strcmp(jstr(fx->doc, "results.abandoned_after"), "timeout"),
	       "abandoned_after: %s", jstr(fx->doc, "results.abandoned_after"));
	EXPECT(fx, runbin_jint(fx->doc, "results.stuck_workers") ==
	       (long long)json_array_size(runbin_jget(fx->doc, "results.stuck")),
	       "stuck_workers %lld, %zu listed", runbin_jint(fx->doc, "results.stuck_workers"),
	       json_array_size(runbin_jget(fx->doc, "results.stuck")));
	EXPECT(fx, strstr(fx->r.err, "abandoned"), "stderr does not say what was abandoned: %s",
	       fx->r.err);
}

/*
 * The process left behind (named on stderr) is asleep in the kernel until
 * the thaw, then goes.
 */
static void check_left_goes(struct fx *fx, bool required)
{
	unsigned long long end;
	char path[64], *stat, *paren;
	int st;

	EXPECT(fx, fx->left > 0 || !required, "stderr names no process left behind: %s",
	       fx->r.err);
	if (!fx->left)
		return;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)fx->left);
	stat = runbin_slurp(path);
	paren = stat ? strrchr(stat, ')') : NULL;
	EXPECT(fx, paren && (paren[2] == 'D' || paren[2] == 'Z'),
	       "the process left behind (%d) is not asleep in the kernel: %s", (int)fx->left,
	       stat ? stat : "gone");
	free(stat);
	EXPECT(fx, thaw(fx) == 0, "cannot thaw");
	for (end = runbin_mono_ms() + 10000; runbin_mono_ms() < end; runbin_sleep_ms(10))
		if (waitpid(fx->left, &st, WNOHANG) == fx->left || kill(fx->left, 0))
			break;
	EXPECT(fx, kill(fx->left, 0) != 0, "the process left behind (%d) is still there 10 s "
	       "after the thaw", (int)fx->left);
	fprintf(stderr, "check_hardstop: process %d left behind went %.1f s after the thaw\n",
		(int)fx->left, (double)(runbin_mono_ms() - (end - 10000)) / 1e3);
}

static const char *const engines[] = { "libaio", "io_uring" };

/* Set up, run body unless the set-up failed, undo, assert. */
static void with_frozen(void (*body)(struct fx *, int), bool target_loop, int i)
{
	struct fx fx;

	if (fx_init(&fx, target_loop))
		body(&fx, i);
	fx_finish(&fx);
}

/* A write run of T_S seconds' --timeout on target, and extra arguments. */
static void write_run(struct fx *fx, const char *target, const char *const *extra, int sig,
		      unsigned sig_ms)
{
	const char *args[32] = { "concurrency", "--target", target, "--force", "--rw",
				 "randwrite", "--ops", "8", "--duration", "30", "--timeout", "3",
				 "-q", "--output-format", "json", "-o", fx->out };
	unsigned n = 17;

	while (extra && *extra && n < 31)
		args[n++] = *extra++;
	args[n] = NULL;
	run_tool(fx, args, sig, sig_ms);
}

/* ---- (1) a loop device over a file on the frozen filesystem ----------------------- */

static void loop_body(struct fx *fx, int i)
{
	const char *extra[] = { "--engine", engines[i], NULL };

	write_run(fx, fx->ld.path, extra, 0, 0);
	check_ended(fx, RB_EXIT_IO);
	EXPECT_OK(fx);
	/* libaio: the kernel's exit_aio holds the process until the I/O ends. */
	check_left_goes(fx, i == 0);
}

START_TEST(loop_on_frozen_fs)
{
	with_frozen(loop_body, true, _i);
}
END_TEST

/* ---- (2) the file itself: the submit call sleeps -------------------------------- */

static void file_body(struct fx *fx, int i)
{
	const char *extra[] = { "--engine", engines[i], NULL };

	write_run(fx, fx->file, extra, 0, 0);
	check_ended(fx, RB_EXIT_IO);
	EXPECT_OK(fx);
	/* io_uring punts the write to its async workers; libaio sleeps in the call. */
	EXPECT(fx, i != 0 || !strcmp(jstr(fx->doc, "results.stuck.0.in"), "submit"),
	       "libaio: no worker listed as stuck in a submit call: stuck_workers %lld",
	       runbin_jint(fx->doc, "results.stuck_workers"));
	check_left_goes(fx, true);
}

START_TEST(file_on_frozen_fs)
{
	with_frozen(file_body, false, _i);
}
END_TEST

/* ---- (3) SIGINT during (2) ------------------------------------------------------ */

static void sigint_body(struct fx *fx, int i)
{
	(void)i;
	write_run(fx, fx->file, NULL, SIGINT, 1500);
	check_ended(fx, RB_EXIT_SIGINT);
	EXPECT_OK(fx);
	EXPECT(fx, json_is_true(runbin_jget(fx->doc, "interrupted")),
	       "the result is not marked interrupted");
	/* Nothing completed: no figure may come from a division by nothing. */
	EXPECT(fx, runbin_jint(fx->doc, "results.total.ops") == 0 &&
	       json_is_number(runbin_jget(fx->doc, "results.total.iops")) &&
	       json_is_number(runbin_jget(fx->doc, "results.total.lat_ns.mean")),
	       "results.total: %lld ops, iops or mean latency missing",
	       runbin_jint(fx->doc, "results.total.ops"));
	check_left_goes(fx, true);
}

START_TEST(sigint_on_frozen_fs)
{
	with_frozen(sigint_body, false, 0);
}
END_TEST

/* ---- (4) --verify: the flush after the run ---------------------------------------- */

static void verify_body(struct fx *fx, int i)
{
	char state[400];
	const char *extra[] = { "--verify", "--verify-state", state, NULL };

	(void)i;
	snprintf(state, sizeof(state), "%s/vstate", fx->dir);
	write_run(fx, fx->ld.path, extra, 0, 0);
	check_ended(fx, RB_EXIT_IO);
	EXPECT_OK(fx);
	EXPECT(fx, runbin_jget(fx->doc, "verify_state_error") &&
	       !runbin_jget(fx->doc, "verify_state") && access(state, F_OK) != 0,
	       "the verify state was saved, or the result does not say why not");
	EXPECT(fx, strstr(fx->r.err, "flush"), "stderr does not name the flush: %s", fx->r.err);
	check_left_goes(fx, true);
}

START_TEST(verify_flush_on_frozen_fs)
{
	with_frozen(verify_body, true, 0);
}
END_TEST

/*
 * ---- (5) asleep before any I/O: the scratch file on the frozen filesystem ---------
 * Nothing in the run itself can end this: the supervisor kills it at
 * --timeout + the grace from the start, and exits 4 (no part started).
 */
static void scratch_body(struct fx *fx, int i)
{
	const char *args[] = { "concurrency", "--scratch-dir", fx->mnt, "--no-dm", "--ops", "8",
			       "--duration", "30", "--timeout", "3", "-q", "--output-format", "json",
			       "-o", fx->out, NULL };

	(void)i;
	run_tool(fx, args, 0, 0);
	EXPECT(fx, !fx->r.timed_out && fx->elapsed_ms <= (T_S + GRACE_S) * 1000ull + SLACK_MS,
	       "the run took %.1f s: more than --timeout %d s + the %d s grace",
	       fx->elapsed_ms / 1e3, T_S, GRACE_S);
	EXPECT(fx, fx->r.status == RB_EXIT_RUNTIME, "exit %d, want 4: %s", fx->r.status,
	       fx->r.err);
	EXPECT(fx, strstr(fx->r.err, "hard stop") && strstr(fx->r.err, "killed"),
	       "stderr does not say the hard stop killed the run: %s", fx->r.err);
	check_left_goes(fx, true);
}

START_TEST(scratch_on_frozen_fs)
{
	with_frozen(scratch_body, false, 0);
}
END_TEST

static Suite *hardstop_suite(void)
{
	Suite *s = suite_create("hardstop");
	TCase *tc = tcase_create("frozen");

	/* The watchdog thaws at WATCHDOG_S; the cleanup may wait 25 s more. */
	tcase_set_timeout(tc, WATCHDOG_S + 60);
	tcase_add_loop_test(tc, loop_on_frozen_fs, 0, 2);
	tcase_add_loop_test(tc, file_on_frozen_fs, 0, 2);
	tcase_add_test(tc, sigint_on_frozen_fs);
	tcase_add_test(tc, verify_flush_on_frozen_fs);
	tcase_add_test(tc, scratch_on_frozen_fs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "check_hardstop: needs root (mount, loop devices, fsfreeze); "
			"skipped\n");
		return 77;
	}
	if (access("/dev/loop-control", F_OK) || !have_mkfs()) {
		fprintf(stderr, "check_hardstop: needs loop devices and mkfs.ext4; skipped\n");
		return 77;
	}
	return runbin_run_suite(hardstop_suite(), TAG, loopdev_sweep);
}
