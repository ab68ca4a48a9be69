/*
 * Fault injection around whole runs of dmremap-bench (root only):
 *   - the result file cannot be written (a directory nobody may write to,
 *     /dev/full): the summary still reaches stdout, exit 4, nothing is left;
 *   - SIGKILL while --save-baseline may be writing: the stored baseline is
 *     always the old one or the new one, whole;
 *   - the loop device under a run is detached, or shrunk, mid-run;
 *   - io_setup() refused by a small fs.aio-max-nr (restored at once);
 *   - many short runs in a row leave no file, loop device, descriptor or
 *     AIO context behind.
 *
 * As in check_loop, a test body records its first failure (EXPECT) and
 * returns, so that the test always undoes what it did (loop devices, the
 * sysctl, directories) before it reports.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "faults"
#define NOBODY_UID 65534
#define AIO_MAX_NR "/proc/sys/fs/aio-max-nr"
#define AIO_NR "/proc/sys/fs/aio-nr"
#define AIO_SMALL "512"

struct fx {
	char *dir;               /* runbin_tmpdir(TAG) */
	char tmp[256];           /* TMPDIR of the runs, in dir */
	char *backing;           /* loop tests */
	struct loopdev ld;
	struct runbin_result r;  /* of the last run */
	json_t *doc;             /* its stdout as JSON, or NULL */
	struct expect ex;           /* EXPECT's first failure */
};


/* ---- setup and cleanup ---------------------------------------------------- */

static void fx_init(struct fx *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->ld.index = -1;
	fx->dir = runbin_tmpdir(TAG);
	ck_assert_msg(fx->dir != NULL, "cannot create a directory in /dev/shm");
	snprintf(fx->tmp, sizeof(fx->tmp), "%s/tmp", fx->dir);
	ck_assert_int_eq(mkdir(fx->tmp, 0700), 0);
}

/* A loop device with direct I/O (buffered if the kernel will not) over a fresh file. */
static int fx_loop(struct fx *fx, unsigned long long size)
{
	int rc;

	fx->backing = loopdev_backing_create(TAG, size);
	if (!fx->backing)
		return -errno;
	rc = loopdev_attach(&fx->ld, fx->backing, true);
	if (rc == -EOPNOTSUPP)
		rc = loopdev_attach(&fx->ld, fx->backing, false);
	return rc;
}

/* Undo everything, then report the body's first failure. */
static void fx_finish(struct fx *fx)
{
	int drc = loopdev_detach(&fx->ld), frc = 0;

	json_decref(fx->doc);
	runbin_result_free(&fx->r);
	if (fx->backing)
		frc = loopdev_backing_remove(fx->backing);
	if (fx->dir)
		runbin_rmtree(fx->dir);
	free(fx->dir);
	ck_assert_msg(!fx->ex.failed, "%s", fx->ex.msg);
	ck_assert_msg(drc == 0, "cannot detach the loop device: %s", strerror(-drc));
	ck_assert_msg(frc == 0, "cannot remove the backing file: %s", strerror(-frc));
}

/* "NAME=value" strings for the run's environment, NULL-terminated. */
struct envs {
	char *v[5];
	int n;
};

static void env_add(struct envs *e, const char *name, const char *value)
{
	ck_assert_int_lt(e->n, 4);
	ck_assert_int_ge(asprintf(&e->v[e->n], "%s=%s", name, value), 0);
	e->n++;
	e->v[e->n] = NULL;
}

static void env_free(struct envs *e)
{
	while (e->n > 0)
		free(e->v[--e->n]);
}

static void run(struct fx *fx, const char *const *args, int uid, unsigned timeout_ms,
		const struct envs *env)
{
	struct runbin_opts o = { .env = (const char *const *)env->v, .as_uid = uid,
				 .timeout_ms = timeout_ms };

	runbin_run_doc(args, &o, &fx->r, &fx->doc);
}

/*
 * Wait up to limit_ms for every child of this (subreaper) process to end:
 * the process a run command forks to do the run (dmremap-bench(1), HARD
 * STOP) outlives a SIGKILLed tool by the moment it takes to die with it.
 */
static void reap_orphans(unsigned limit_ms)
{
	unsigned long long end = runbin_mono_ms() + limit_ms;

	while (runbin_mono_ms() < end) {
		pid_t w = waitpid(-1, NULL, WNOHANG);

		if (w < 0 && errno == ECHILD)
			return;
		if (w <= 0)
			runbin_sleep_ms(5);
	}
}

/* ---- the result file cannot be written ------------------------------------------ */

/* The summary reached stdout and the run says why the file is missing. */
static void check_unwritten(struct fx *fx, const char *output)
{
	EXPECT(fx, !fx->r.timed_out, "the run did not finish");
	EXPECT(fx, fx->r.status == RB_EXIT_RUNTIME, "exit %d, want 4: %s", fx->r.status, fx->r.err);
	EXPECT(fx, strstr(fx->r.out, "concurrency:") && strstr(fx->r.out, "target:") &&
	       strstr(fx->r.out, "IOPS"), "no summary on stdout: %s", fx->r.out);
	EXPECT(fx, runbin_count_lines(fx->r.err) == 1, "stderr: %s", fx->r.err);
	EXPECT(fx, strstr(fx->r.err, "--output") && strstr(fx->r.err, output),
	       "stderr does not name --output %s: %s", output, fx->r.err);
	EXPECT(fx, runbin_count_entries(fx->tmp) == 0, "a scratch file is left in %s", fx->tmp);
}

static const struct { uid_t owner; mode_t mode; } unwritable_dirs[] = {
	{ NOBODY_UID, 0555 },  /* the runner's own directory, write-protected */
	{ 0, 0755 },           /* root's directory */
};

START_TEST(output_dir_unwritable)
{
	/* --no-dm: the one line is about --output, not about a dm stack not built. */
	const char *args[] = { "concurrency", "--ops", "8", "--duration", "1", "--output", NULL,
			       "--output-format", "json", "--no-dm", NULL };
	struct envs env = { .n = 0 };
	char out[256], file[300];
	struct fx fx;

	fx_init(&fx);
	snprintf(out, sizeof(out), "%s/out", fx.dir);
	snprintf(file, sizeof(file), "%s/result.json", out);
	args[6] = file;
	ck_assert_int_eq(mkdir(out, 0700), 0);
	ck_assert_int_eq(chown(out, unwritable_dirs[_i].owner, unwritable_dirs[_i].owner), 0);
	ck_assert_int_eq(chmod(out, unwritable_dirs[_i].mode), 0);
	ck_assert_int_eq(chmod(fx.dir, 0755), 0);
	ck_assert_int_eq(chmod(fx.tmp, 01777), 0);
	env_add(&env, "TMPDIR", fx.tmp);
	run(&fx, args, NOBODY_UID, 30000, &env);
	env_free(&env);
	check_unwritten(&fx, file);
	/* Neither the file nor a temporary one next to it. */
	if (!fx.ex.failed && runbin_count_entries(out) != 0)
		expect_fail_at(&fx.ex, __LINE__, "empty", "%s holds %d entries", out,
			runbin_count_entries(out));
	fx_finish(&fx);
}
END_TEST

START_TEST(output_dev_full)
{
	const char *args[] = { "concurrency", "--ops", "8", "--duration", "1", "--output",
			       "/dev/full", "--output-format", "json", "--no-dm", NULL };
	struct envs env = { .n = 0 };
	int before = runbin_count_prefixed("/dev", "full.");
	struct stat st;
	struct fx fx;

	fx_init(&fx);
	env_add(&env, "TMPDIR", fx.tmp);
	run(&fx, args, -1, 30000, &env);
	env_free(&env);
	check_unwritten(&fx, "/dev/full");
	if (!fx.ex.failed && runbin_count_prefixed("/dev", "full.") != before)
		expect_fail_at(&fx.ex, __LINE__, "no temp file", "a full.* file appeared in /dev");
	if (!fx.ex.failed && (stat("/dev/full", &st) || !S_ISCHR(st.st_mode)))
		expect_fail_at(&fx.ex, __LINE__, "S_ISCHR", "/dev/full is no longer a character device");
	fx_finish(&fx);
}
END_TEST

/* ---- SIGKILL around --save-baseline ------------------------------------------------ */

#define BASE_NAME "keep"
#define FIRST_SEED 1000      /* run i has seed FIRST_SEED + i: each document is told apart */

enum kill_when {
	KILL_AT,          /* after delay_ms */
	KILL_ON_TMP,      /* when NAME.json.tmp.* is created: mid-write */
	KILL_ON_RENAME,   /* when NAME.json is renamed into place */
};

struct kill_plan {
	enum kill_when when;
	unsigned delay_ms;
};

struct baseline_case {
	struct fx *fx;
	char bl[256], path[300];
	json_t *stored;          /* the document NAME.json must hold, or a newer one */
	long long stored_seed;
	int stale_tmp;           /* NAME.json.tmp.* files seen so far */
};

/* Wait up to limit_ms for an event in mask on a name starting with prefix. */
static bool wait_event(int ino, uint32_t mask, const char *prefix, unsigned limit_ms)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	unsigned long long end = runbin_mono_ms() + limit_ms;
	struct pollfd p = { .fd = ino, .events = POLLIN };

	while (runbin_mono_ms() < end) {
		ssize_t n;
		char *q;

		if (poll(&p, 1, (int)(end - runbin_mono_ms())) <= 0)
			continue;
		n = read(ino, buf, sizeof(buf));
		for (q = buf; n > 0 && q < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)q;

			if ((ev->mask & mask) && ev->len &&
			    strncmp(ev->name, prefix, strlen(prefix)) == 0)
				return true;
			q += sizeof(*ev) + ev->len;
		}
	}
	return false;
}

/*
 * One run saving baseline NAME with the given seed, SIGKILLed as planned
 * (k NULL: not at all). Returns its exit status, -1 if it could not run.
 */
static int save_run(struct baseline_case *bc, unsigned seed, const struct kill_plan *k,
		    bool *killed)
{
	char s[16];
	const char *args[] = { "concurrency", "--ops", "8", "--duration", "1", "--seed", s,
			       "--save-baseline", BASE_NAME, "--quiet", NULL };
	struct envs env = { .n = 0 };
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 30000 };
	struct runbin_result r;
	struct runbin rb;
	int ino = -1, status = -1;

	snprintf(s, sizeof(s), "%u", seed);
	/* The tool's child (the run) comes to us when the tool dies: see reap_orphans. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	env_add(&env, "TMPDIR", bc->fx->tmp);
	env_add(&env, "DMREMAP_BENCH_BASELINE_DIR", bc->bl);
	o.env = (const char *const *)env.v;
	*killed = false;
	if (k && k->when != KILL_AT) {
		ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (ino < 0 || inotify_add_watch(ino, bc->bl, IN_CREATE | IN_MOVED_TO) < 0)
			goto out;
	}
	if (runbin_start(&rb, args, &o))
		goto out;
	if (k && k->when == KILL_AT)
		*killed = runbin_kill(&rb, SIGKILL, k->delay_ms) == 0;
	else if (k && k->when == KILL_ON_TMP &&
		 wait_event(ino, IN_CREATE, BASE_NAME ".json.tmp.", 10000))
		*killed = runbin_kill(&rb, SIGKILL, 0) == 0;
	else if (k && k->when == KILL_ON_RENAME &&
		 wait_event(ino, IN_MOVED_TO, BASE_NAME ".json", 10000))
		*killed = runbin_kill(&rb, SIGKILL, 0) == 0;
	if (runbin_wait(&rb, &r) == 0)
		status = r.status;
	runbin_result_free(&r);
	/* The run's own process dies with the tool it ran under: wait for that too. */
	reap_orphans(10000);
out:
	if (ino >= 0)
		close(ino);
	env_free(&env);
	return status;
}

/* A baseline history whose newest run is a whole run without errors. */
static bool whole_history(json_t *doc)
{
	json_t *runs = runbin_jget(doc, "runs");
	json_t *last = json_array_get(runs, json_array_size(runs) - 1);
	const char *kind = json_string_value(runbin_jget(doc, "kind"));

	return kind && !strcmp(kind, "baseline") && last &&
	       runbin_jint(last, "results.total.ops") > 0 && runbin_jint(last, "results.errors.io") == 0;
}

/*
 * NAME.json must be the history stored before (returns 1) or a whole
 * history that ends with the run with seed (returns 2, and it becomes the
 * stored one); 0 otherwise, with the reason in why.
 */
static int check_stored(struct baseline_case *bc, long long seed, char *why, size_t len)
{
	char *text = runbin_slurp(bc->path);
	json_t *doc = runbin_json(text);
	int which = 0;

	if (!doc)
		snprintf(why, len, "%s is %s", bc->path, text ? "not valid JSON" : "missing");
	else if (json_equal(doc, bc->stored))
		which = 1;
	else if (runbin_jint(doc, "params.seed") == seed && whole_history(doc))
		which = 2;
	else
		snprintf(why, len, "%s is valid JSON but neither the previous baseline (seed "
			 "%lld) nor a whole one of this run (seed %lld): seed %lld", bc->path,
			 bc->stored_seed, seed, runbin_jint(doc, "params.seed"));
	if (which == 2) {
		json_decref(bc->stored);
		bc->stored = doc;
		bc->stored_seed = seed;
	} else {
		json_decref(doc);
	}
	free(text);
	return which;
}

static void plan_name(const struct kill_plan *k, char *buf, size_t len)
{
	if (k->when == KILL_AT)
		snprintf(buf, len, "at %u ms", k->delay_ms);
	else
		snprintf(buf, len, "%s", k->when == KILL_ON_TMP ? "on the temp file's creation" :
			 "on the rename");
}

static void kill_one(struct baseline_case *bc, const struct kill_plan *k, unsigned seed)
{
	struct fx *fx = bc->fx;
	char why[512] = "", when[64];
	bool killed;
	int status, which, tmp, others;

	status = save_run(bc, seed, k, &killed);
	plan_name(k, when, sizeof(when));
	/* Exit 0 also when killed: the run may end just before the signal lands. */
	EXPECT(fx, status == 128 + SIGKILL || status == RB_EXIT_OK,
	       "kill %s: the run ended with %d", when, status);
	which = check_stored(bc, seed, why, sizeof(why));
	EXPECT(fx, which != 0, "after the kill %s: %s", when, why);
	tmp = runbin_count_prefixed(bc->bl, BASE_NAME ".json.tmp.");
	others = runbin_count_entries(bc->bl) - tmp - 1;
	EXPECT(fx, others == 0, "after the kill %s: %d unexpected files in %s", when, others,
	       bc->bl);
	/* A kill can strand at most the one temp file of the save it interrupted. */
	EXPECT(fx, tmp - bc->stale_tmp <= 1, "after the kill %s: %d new temp files", when,
	       tmp - bc->stale_tmp);
	/* A kill well inside the 1 s measurement comes before any save began. */
	EXPECT(fx, k->when != KILL_AT || k->delay_ms > 800 || (tmp == bc->stale_tmp && which == 1),
	       "a kill at %u ms left a temp file or a new baseline", k->delay_ms);
	fprintf(stderr, "check_faults: SIGKILL %s: %s; %s.json is the %s document; "
		"%d stale %s.json.tmp.* file%s\n", when,
		killed ? "killed" : "the run had ended (or the event never came)", BASE_NAME,
		which == 1 ? "previous" : "new", tmp, BASE_NAME, tmp == 1 ? "" : "s");
	bc->stale_tmp = tmp;
}

static void baseline_body(struct fx *fx, struct baseline_case *bc)
{
	const char *list[] = { "baseline", "list", NULL };
	struct kill_plan plan[12];
	struct envs env = { .n = 0 };
	unsigned seed = (unsigned)time(NULL), i, n = 0;
	bool killed;
	char *text;
	int status;

	status = save_run(bc, FIRST_SEED, NULL, &killed);
	EXPECT(fx, status == RB_EXIT_OK, "the first run: exit %d", status);
	text = runbin_slurp(bc->path);
	bc->stored = runbin_json(text);
	bc->stored_seed = FIRST_SEED;
	free(text);
	EXPECT(fx, bc->stored && runbin_jint(bc->stored, "params.seed") == FIRST_SEED,
	       "the first run stored no baseline document at %s", bc->path);

	/* Random points of the run, the end of its duration, and the write itself. */
	for (i = 0; i < 4; i++)
		plan[n++] = (struct kill_plan){ KILL_AT, (unsigned)rand_r(&seed) % 1300 };
	for (i = 0; i < 5; i++)
		plan[n++] = (struct kill_plan){ KILL_AT, 990 + 30 * i };
	plan[n++] = (struct kill_plan){ KILL_ON_TMP, 0 };
	plan[n++] = (struct kill_plan){ KILL_ON_RENAME, 0 };
	for (i = 0; i < n && !fx->ex.failed; i++)
		kill_one(bc, &plan[i], FIRST_SEED + 1 + i);
	if (fx->ex.failed)
		return;
	/* The store lists the one baseline, not the debris. */
	env_add(&env, "DMREMAP_BENCH_BASELINE_DIR", bc->bl);
	run(fx, list, -1, 30000, &env);
	env_free(&env);
	EXPECT(fx, fx->r.status == RB_EXIT_OK, "baseline list: exit %d: %s", fx->r.status,
	       fx->r.err);
	EXPECT(fx, strstr(fx->r.out, BASE_NAME) && !strstr(fx->r.out, ".tmp."),
	       "baseline list: %s", fx->r.out);
}

START_TEST(save_baseline_sigkill)
{
	struct baseline_case bc = { .stale_tmp = 0 };
	struct fx fx;

	fx_init(&fx);
	bc.fx = &fx;
	snprintf(bc.bl, sizeof(bc.bl), "%s/baselines", fx.dir);
	snprintf(bc.path, sizeof(bc.path), "%s/%s.json", bc.bl, BASE_NAME);
	baseline_body(&fx, &bc);
	json_decref(bc.stored);
	fx_finish(&fx);
}
END_TEST

/* ---- the loop device goes away, or shrinks, mid-run -------------------------------- */

#define LOOP_SIZE (256ULL << 20)
#define MIDRUN_BOUND_MS 30000

static bool has_option(const char *command, const char *option)
{
	const char *args[] = { command, "--help", NULL };
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 10000 };
	struct runbin_result r;
	bool yes;

	if (runbin_run(args, &o, &r))
		return false;
	yes = r.status == RB_EXIT_OK && strstr(r.out, option) != NULL;
	runbin_result_free(&r);
	return yes;
}

/* The loop device's backing file as sysfs shows it; "" when nothing is attached. */
static void backing_of(const char *sysname, char *buf, size_t len)
{
	char p[320];

	snprintf(p, sizeof(p), "/sys/block/%s/loop/backing_file", sysname);
	if (runbin_read_line(p, buf, len))
		buf[0] = '\0';
}

/* Start the run the brief describes on the fixture's loop device. */
static int start_on_loop(struct fx *fx, struct runbin *rb, const char *duration)
{
	const char *args[16] = { "concurrency", "--target", fx->ld.path, "--force",
				 "--max-errors", "1000000", "--duration", duration,
				 "--output-format", "json" };
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = MIDRUN_BOUND_MS + 10000 };
	int n = 10;

	if (has_option("concurrency", "--timeout")) {
		args[n++] = "--timeout";
		args[n++] = "25";
	}
	args[n] = NULL;
	return runbin_start(rb, args, &o);
}

static int finish_run(struct fx *fx, struct runbin *rb)
{
	json_decref(fx->doc);
	runbin_result_free(&fx->r);
	if (runbin_wait(rb, &fx->r))
		return -1;
	fx->doc = runbin_json(fx->r.out);
	return 0;
}

/* I/O errors and short transfers the result counts. */
static long long errors(json_t *doc)
{
	return runbin_jint(doc, "results.errors.io") + runbin_jint(doc, "results.errors.short");
}

/* LOOP_CLR_FD, retried while the kernel says EBUSY (up to limit_ms). 0 or -errno. */
static int clear_fd(const char *dev, unsigned limit_ms)
{
	unsigned long long end = runbin_mono_ms() + limit_ms;
	int fd = open(dev, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	for (;;) {
		rc = ioctl(fd, LOOP_CLR_FD, 0) ? -errno : 0;
		if (rc != -EBUSY || runbin_mono_ms() >= end)
			break;
		runbin_sleep_ms(50);
	}
	close(fd);
	return rc;
}

static void detach_body(struct fx *fx)
{
	char sysname[16], before[512], after[512];
	unsigned long long t0;
	struct runbin rb;
	int rc;

	EXPECT(fx, start_on_loop(fx, &rb, "6") == 0, "cannot start the run");
	t0 = runbin_mono_ms();
	snprintf(sysname, sizeof(sysname), "%s", fx->ld.sysname);
	backing_of(sysname, before, sizeof(before));
	runbin_kill(&rb, 0, 2000);  /* signal 0: only wait 2 s, collecting output */
	rc = clear_fd(fx->ld.path, 10000);
	backing_of(sysname, after, sizeof(after));
	if (finish_run(fx, &rb))
		fx->r.status = -1;
	EXPECT(fx, !fx->r.timed_out && runbin_mono_ms() - t0 < MIDRUN_BOUND_MS,
	       "the run did not end within %d s of the detach", MIDRUN_BOUND_MS / 1000);
	EXPECT(fx, fx->doc != NULL, "no readable result (exit %d): %s", fx->r.status, fx->r.err);
	if (rc == 0 && after[0]) {
		/*
		 * The kernel does not detach an open loop device: LOOP_CLR_FD
		 * only marks it autoclear, and the run goes on undisturbed.
		 * The device must then go once the tool has closed it.
		 */
		fprintf(stderr, "check_faults: LOOP_CLR_FD on the busy %s succeeded but only "
			"deferred the detach (backing file still %s); the run ended with %d\n",
			fx->ld.path, after, fx->r.status);
		EXPECT(fx, fx->r.status == RB_EXIT_OK, "exit %d: %s", fx->r.status, fx->r.err);
		EXPECT(fx, runbin_jint(fx->doc, "results.errors.io") == 0, "errors without a detach");
		for (rc = 0; rc < 40 && after[0]; rc++) {
			runbin_sleep_ms(50);
			backing_of(sysname, after, sizeof(after));
		}
		EXPECT(fx, !after[0], "%s is still attached after the run: the tool kept it open",
		       fx->ld.path);
		fx->ld.index = -1;  /* detached by the kernel */
	} else if (rc == 0) {
		/* Detached under the run: its I/O must fail and be counted. */
		EXPECT(fx, fx->r.status == RB_EXIT_IO, "exit %d after the detach: %s",
		       fx->r.status, fx->r.err);
		EXPECT(fx, errors(fx->doc) > 0, "no errors counted after the detach");
		fx->ld.index = -1;
	} else {
		fprintf(stderr, "check_faults: LOOP_CLR_FD on the busy %s kept failing: %s; "
			"the run ended with %d\n", fx->ld.path, strerror(-rc), fx->r.status);
		EXPECT(fx, fx->r.status == RB_EXIT_OK, "exit %d: %s", fx->r.status, fx->r.err);
	}
	EXPECT(fx, before[0], "%s had no backing file before the detach", fx->ld.path);
}

/* Run body on a fresh loop device of LOOP_SIZE, then clean up and assert. */
static void with_loop(void (*body)(struct fx *))
{
	struct fx fx;
	int rc;

	fx_init(&fx);
	rc = fx_loop(&fx, LOOP_SIZE);
	if (rc)
		expect_fail_at(&fx.ex, __LINE__, "fx_loop", "cannot attach a loop device: %s", strerror(-rc));
	else
		body(&fx);
	fx_finish(&fx);
}

START_TEST(loop_detached_midrun)
{
	with_loop(detach_body);
}
END_TEST

/*
 * Truncate the backing file and tell the loop device: it shrinks to 1 MiB
 * and the I/O beyond fails. The run's writes through the device may grow
 * the file again before LOOP_SET_CAPACITY lands, hence the loop.
 */
static int shrink(struct fx *fx)
{
	char size[32];
	int fd = open(fx->ld.path, O_RDONLY | O_CLOEXEC), i, rc = -EAGAIN;

	if (fd < 0)
		return -errno;
	for (i = 0; i < 50 && rc; i++) {
		if (truncate(fx->backing, 1 << 20) || ioctl(fd, LOOP_SET_CAPACITY, 0)) {
			rc = -errno;
			break;
		}
		if (loopdev_sysfs_read(&fx->ld, "size", size, sizeof(size)) == 0 &&
		    strtoull(size, NULL, 10) <= 2048)
			rc = 0;
	}
	close(fd);
	return rc;
}

/* Completed reads and writes of the loop device (its stat file), or -1. */
static long long loop_ios(const struct fx *fx)
{
	unsigned long long r, w;
	char line[512];

	if (loopdev_sysfs_read(&fx->ld, "stat", line, sizeof(line)) ||
	    sscanf(line, "%llu %*u %*u %*u %llu", &r, &w) != 2)
		return -1;
	return (long long)(r + w);
}

static void shrink_body(struct fx *fx)
{
	unsigned long long t0;
	struct runbin rb;
	long long ios;
	json_t *first;
	int rc, i;

	EXPECT(fx, start_on_loop(fx, &rb, "20") == 0, "cannot start the run");
	t0 = runbin_mono_ms();
	/*
	 * The run's clock starts with its I/O, not with the process (setting
	 * up takes a while on a busy machine): the fault comes 2 s after the
	 * device first moved, so the run's own times can be checked against it.
	 */
	ios = loop_ios(fx);
	for (i = 0; i < 1000 && loop_ios(fx) == ios; i++)
		if (runbin_kill(&rb, 0, 10))
			break;
	runbin_kill(&rb, 0, 2000);
	rc = shrink(fx);
	if (finish_run(fx, &rb))
		fx->r.status = -1;
	EXPECT(fx, rc == 0, "cannot shrink %s: %s", fx->ld.path, strerror(-rc));
	EXPECT(fx, !fx->r.timed_out && runbin_mono_ms() - t0 < MIDRUN_BOUND_MS,
	       "the run did not end within %d s", MIDRUN_BOUND_MS / 1000);
	EXPECT(fx, fx->r.status == RB_EXIT_IO, "exit %d, want 3: %s", fx->r.status, fx->r.err);
	EXPECT(fx, fx->doc != NULL, "no readable result: %s", fx->r.out);
	EXPECT(fx, errors(fx->doc) > 0, "no errors counted");
	EXPECT(fx, runbin_jint(fx->doc, "results.total.ops") > 0, "no successful I/O before the fault");
	/* The errors began with the fault, not before it. */
	first = runbin_jget(fx->doc, "results.errors.first.0.t_s");
	EXPECT(fx, json_is_number(first) && json_number_value(first) > 1.5,
	       "the first error at %f s, before the fault at 2 s", json_number_value(first));
	fprintf(stderr, "check_faults: %s shrunk mid-run: exit %d after %.1f s, %lld I/O and "
		"%lld short errors\n", fx->ld.path, fx->r.status,
		(double)(runbin_mono_ms() - t0) / 1e3, runbin_jint(fx->doc, "results.errors.io"),
		runbin_jint(fx->doc, "results.errors.short"));
}

START_TEST(loop_shrunk_midrun)
{
	with_loop(shrink_body);
}
END_TEST

/* ---- io_setup() refused: fs.aio-max-nr too small --------------------------------------- */

static int write_value(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

static unsigned long long aio_nr(void)
{
	char v[32];

	return runbin_read_line(AIO_NR, v, sizeof(v)) ? 0 : strtoull(v, NULL, 10);
}

/* Extra arguments of each variant; every one asks for 10000 AIO requests in all. */
static const char *const aio_variants[][2] = {
	{ NULL, NULL },           /* workers: auto */
	{ "--workers", "4" },
};

#define AIO_OPS 10000

START_TEST(aio_max_nr_small)
{
	/* --no-dm: the one line asserted is the io_setup one, not the fallback's. */
	const char *args[12] = { "concurrency", "--ops", "10000", "--duration", "1", "--no-dm" };
	char saved[32], now[32], want[32];
	unsigned long long in_use, hint = 0;
	struct envs env = { .n = 0 };
	const char *p;
	struct fx fx;
	int wrc, rrc, n = 6;

	/*
	 * fs.aio-max-nr is system-wide: lowering it while other tests run
	 * (make -j check) could fail their io_setup. CI runs this test alone,
	 * with DMRB_TEST_SYSCTL=1, after the parallel suite.
	 */
	if (!getenv("DMRB_TEST_SYSCTL")) {
		fprintf(stderr, "check_faults: aio_max_nr_small needs DMRB_TEST_SYSCTL=1 "
			"(run alone: it lowers a system-wide limit); not run\n");
		return;
	}
	if (aio_variants[_i][0]) {
		args[n++] = aio_variants[_i][0];
		args[n++] = aio_variants[_i][1];
	}
	args[n] = NULL;
	fx_init(&fx);
	env_add(&env, "TMPDIR", fx.tmp);
	ck_assert_int_eq(runbin_read_line(AIO_MAX_NR, saved, sizeof(saved)), 0);
	in_use = aio_nr();
	/* Restored before anything is asserted: the limit is system-wide. */
	wrc = write_value(AIO_MAX_NR, AIO_SMALL);
	if (!wrc)
		run(&fx, args, -1, 30000, &env);
	rrc = write_value(AIO_MAX_NR, saved);
	env_free(&env);
	ck_assert_msg(rrc == 0, "cannot restore fs.aio-max-nr to %s: %s", saved, strerror(-rrc));
	ck_assert_int_eq(runbin_read_line(AIO_MAX_NR, now, sizeof(now)), 0);
	ck_assert_str_eq(now, saved);
	if (wrc)
		expect_fail_at(&fx.ex, __LINE__, "write", "cannot set fs.aio-max-nr: %s", strerror(-wrc));
	else if (fx.r.status != RB_EXIT_RUNTIME || runbin_count_lines(fx.r.err) != 1)
		expect_fail_at(&fx.ex, __LINE__, "exit 4, one line", "exit %d: %s", fx.r.status, fx.r.err);
	else if (!(p = strstr(fx.r.err, "fs.aio-max-nr=")))
		expect_fail_at(&fx.ex, __LINE__, "fs.aio-max-nr=N", "no value to set in: %s", fx.r.err);
	else
		hint = strtoull(p + strlen("fs.aio-max-nr="), NULL, 10);
	/*
	 * aio-nr counts the nr_events of every io_setup() (since Linux 4.12,
	 * not doubled): the run needs its 10000 on top of what is in use.
	 * aio-nr is system-wide and other tests run alongside, so the check
	 * uses the in-use figure the tool itself read and printed.
	 */
	{
		const char *u = strstr(fx.r.err, "in use: ");

		if (!fx.ex.failed && u)
			in_use = strtoull(u + strlen("in use: "), NULL, 10);
		else if (!fx.ex.failed)
			expect_fail_at(&fx.ex, __LINE__, "in use: N", "the line does not say what is in "
				"use: %s", fx.r.err);
	}
	snprintf(want, sizeof(want), "%llu", in_use + AIO_OPS);
	if (!fx.ex.failed && hint < in_use + AIO_OPS)
		expect_fail_at(&fx.ex, __LINE__, "hint >= in use + ops",
			"the hint fs.aio-max-nr=%llu is too small: %llu in use + %d for the run "
			"needs at least %s (stderr: %s)", hint, in_use, AIO_OPS, want, fx.r.err);
	if (!fx.ex.failed && fx.r.out[0])
		expect_fail_at(&fx.ex, __LINE__, "stdout empty", "stdout: %s", fx.r.out);
	if (!fx.ex.failed && runbin_count_entries(fx.tmp) != 0)
		expect_fail_at(&fx.ex, __LINE__, "no scratch file", "a scratch file is left");
	fx_finish(&fx);
}
END_TEST

/* ---- nothing accumulates over many runs ------------------------------------------------- */

#define SHORT_RUNS 100
#define PARALLEL 5
#define LOOP_RUNS 10

/* Loop devices backed by a file whose path begins with prefix. */
static int loops_under(const char *prefix)
{
	DIR *d = opendir("/sys/block");
	struct dirent *de;
	char b[512];
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, "loop", 4) == 0) {
			backing_of(de->d_name, b, sizeof(b));
			n += b[0] && strncmp(b, prefix, strlen(prefix)) == 0;
		}
	closedir(d);
	return n;
}

/* Processes other than this one with an AIO ring mapped ("/[aio] (deleted)"). */
static int aio_users(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[64], line[512];
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		long pid = atol(de->d_name);
		FILE *f;

		if (pid <= 0 || pid == (long)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/maps", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (strstr(line, "/[aio]")) {
				n++;
				break;
			}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Creations and deletions seen by the watch. */
static void count_events(int ino, int *created, int *deleted)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(ino, buf, sizeof(buf))) > 0) {
		char *q;

		for (q = buf; q < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)q;

			*created += !!(ev->mask & IN_CREATE);
			*deleted += !!(ev->mask & IN_DELETE);
			q += sizeof(*ev) + ev->len;
		}
	}
}

/* SHORT_RUNS scratch-file runs, PARALLEL at a time (rate-limited: 2 cores suffice). */
static void scratch_runs(struct fx *fx, const struct envs *env)
{
	const char *args[] = { "concurrency", "--ops", "8", "--duration", "1", "--rate-iops",
			       "2000", "--quiet", NULL };
	struct runbin_opts o = { .env = (const char *const *)env->v, .as_uid = -1,
				 .timeout_ms = 30000 };
	struct runbin rb[PARALLEL];
	struct runbin_result r;
	int done, i, n, want;

	for (done = 0; done < SHORT_RUNS; done += n) {
		want = SHORT_RUNS - done < PARALLEL ? SHORT_RUNS - done : PARALLEL;
		for (n = 0; n < want; n++)
			if (runbin_start(&rb[n], args, &o))
				break;
		for (i = 0; i < n; i++) {
			if (runbin_wait(&rb[i], &r)) {
				if (!fx->ex.failed)
					expect_fail_at(&fx->ex, __LINE__, "runbin_wait", "run %d: no status",
						done + i);
			} else if (!fx->ex.failed && (r.status || r.out[0] || r.err[0])) {
				expect_fail_at(&fx->ex, __LINE__, "exit 0, silent", "run %d: exit %d: %s%s",
					done + i, r.status, r.out, r.err);
			}
			runbin_result_free(&r);
		}
		EXPECT(fx, n == want, "cannot start run %d", done + n);
		if (fx->ex.failed)
			return;
	}
}

static void loop_runs(struct fx *fx, const struct envs *env)
{
	const char *args[] = { "concurrency", "--target", fx->ld.path, "--force", "--ops", "8",
			       "--duration", "1", "--quiet", NULL };
	int i;

	for (i = 0; i < LOOP_RUNS; i++) {
		run(fx, args, -1, 30000, env);
		EXPECT(fx, fx->r.status == RB_EXIT_OK, "loop run %d: exit %d: %s", i,
		       fx->r.status, fx->r.err);
	}
}

static void leak_body(struct fx *fx)
{
	int fds = runbin_count_entries("/proc/self/fd"), created = 0, deleted = 0, ino, i;
	unsigned long long aio_before = aio_nr(), aio_after;
	char prefix[64], b[512];
	struct envs env = { .n = 0 };

	snprintf(prefix, sizeof(prefix), "/dev/shm/dmrb-integ-%s-%ld-", TAG, (long)getpid());
	ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	EXPECT(fx, ino >= 0 && inotify_add_watch(ino, fx->tmp, IN_CREATE | IN_DELETE) >= 0,
	       "inotify: %s", strerror(errno));
	env_add(&env, "TMPDIR", fx->tmp);
	scratch_runs(fx, &env);
	if (!fx->ex.failed)
		loop_runs(fx, &env);
	env_free(&env);
	count_events(ino, &created, &deleted);
	close(ino);
	if (fx->ex.failed)
		return;
	/* Each scratch run made its file and removed it: the check has teeth. */
	EXPECT(fx, created == SHORT_RUNS && deleted == SHORT_RUNS,
	       "%d scratch files created, %d removed, for %d runs", created, deleted, SHORT_RUNS);
	EXPECT(fx, runbin_count_entries(fx->tmp) == 0, "%d files left in %s",
	       runbin_count_entries(fx->tmp), fx->tmp);
	/* Our loop device is still ours, and no other came from these runs. */
	backing_of(fx->ld.sysname, b, sizeof(b));
	EXPECT(fx, strcmp(b, fx->backing) == 0, "%s backing file is now '%s'", fx->ld.path, b);
	EXPECT(fx, loops_under(prefix) == 1, "%d loop devices over this test's files",
	       loops_under(prefix));
	EXPECT(fx, runbin_count_entries("/proc/self/fd") == fds, "%d descriptors, %d before",
	       runbin_count_entries("/proc/self/fd"), fds);
	/* aio-nr is system-wide: give other users a moment to finish as well. */
	for (i = 0, aio_after = aio_nr(); i < 50 && aio_after > aio_before; i++) {
		runbin_sleep_ms(100);
		aio_after = aio_nr();
	}
	if (aio_after > aio_before && (i = aio_users()) > 0) {
		fprintf(stderr, "check_faults: fs.aio-nr is %llu, %llu before the runs, but %d "
			"other processes use AIO: no conclusion\n", aio_after, aio_before, i);
		return;
	}
	EXPECT(fx, aio_after <= aio_before, "fs.aio-nr is %llu, %llu before the runs, and no "
	       "process holds an AIO context", aio_after, aio_before);
}

START_TEST(no_leaks)
{
	with_loop(leak_body);
}
END_TEST

static Suite *faults_suite(bool loops)
{
	Suite *s = suite_create("faults");
	TCase *tc;

	tc = tcase_create("output");
	tcase_set_timeout(tc, 40);
	tcase_add_loop_test(tc, output_dir_unwritable, 0,
			    (int)(sizeof(unwritable_dirs) / sizeof(unwritable_dirs[0])));
	tcase_add_test(tc, output_dev_full);
	suite_add_tcase(s, tc);

	tc = tcase_create("baseline");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, save_baseline_sigkill);
	suite_add_tcase(s, tc);

	tc = tcase_create("aio");
	tcase_set_timeout(tc, 40);
	tcase_add_loop_test(tc, aio_max_nr_small, 0,
			    (int)(sizeof(aio_variants) / sizeof(aio_variants[0])));
	suite_add_tcase(s, tc);

	if (!loops)
		return s;
	tc = tcase_create("loop");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, loop_detached_midrun);
	tcase_add_test(tc, loop_shrunk_midrun);
	suite_add_tcase(s, tc);

	tc = tcase_create("leaks");
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, no_leaks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	char saved[32] = "", now[32];
	bool loops;
	int rc;

	if (geteuid() != 0) {
		fprintf(stderr, "check_faults: needs root (sysctl, loop devices, other uids); "
			"skipped\n");
		return 77;
	}
	loops = access("/dev/loop-control", F_OK) == 0;
	if (!loops)
		fprintf(stderr, "check_faults: no /dev/loop-control; the loop tests are skipped\n");
	runbin_read_line(AIO_MAX_NR, saved, sizeof(saved));
	rc = runbin_run_suite(faults_suite(loops), TAG, loopdev_sweep);
	/* A test killed by its timeout between setting the limit and restoring it. */
	if (saved[0] && runbin_read_line(AIO_MAX_NR, now, sizeof(now)) == 0 &&
	    strcmp(now, AIO_SMALL) == 0 && strcmp(saved, AIO_SMALL) != 0)
		write_value(AIO_MAX_NR, saved);
	return rc;
}
