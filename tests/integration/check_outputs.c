/*
 * The output rule of dmremap-bench(1), OUTPUTS, on the binary:
 *   - '-' is standard output on every command that has -o;
 *   - -o /dev/stdout with standard output redirected to a file writes the
 *     file, and /dev/stdout is still the system's symlink afterwards;
 *     report /dev/stdin does not make up /dev/stdin.html;
 *   - a trusted symlink to a regular file replaces the target, keeps the
 *     link and the target's mode;
 *   - a FIFO with a reader gets the document; without one the tool gives
 *     up after the stall time (OUTPUT_STALL_S, 5 s), exit 4, and
 *     endurance's run still stops at --timeout (the monitor never writes);
 *   - an output on a frozen filesystem is given up the same way, even
 *     though the writer thread cannot come back until the thaw;
 *   - standard output that is a block device is refused;
 *   - issue 17's data loss: a symlink to the loop device of a mounted
 *     ext4 filesystem is refused, and the filesystem survives.
 * The rule's refusals with one line and exit 2 are rows of check_badinput.
 *
 * The bounds: a run of T seconds (or its --timeout T) ends within
 * T + 1 s (the abandon grace of --timeout) + STALL_S + SLACK_S, where
 * SLACK_S covers the scratch file, start and teardown on a loaded machine.
 * Loop devices, mounts and frozen filesystems need root; without it those
 * tests pass without running.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "loopdev.h"
#include "runbin.h"

#define TAG "outputs"
#define STALL_S 5            /* OUTPUT_STALL_S of the tool (result/output.h) */
#define SLACK_S 15
#define RESULT_ENV "DMRB_OUTPUTS_RESULT"
#define NS 1000000000ull

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * NS + (unsigned long long)ts.tv_nsec;
}

/* ---- a run with standard input and output where the test says ------------------ */

struct buf {
	char *p;
	size_t len, cap;
};

struct proc {
	pid_t pid;
	int fd[2];                 /* stdout (when captured), stderr; -1 when closed */
	struct buf b[2];
	unsigned long long start_ns, end_ns;
	int status;                /* exit status or 128 + signal; -1 while running */
};

/* Start the tool in dir (its TMPDIR and cwd) with stdin/stdout (-1: /dev/null, a pipe). */
static int proc_start(struct proc *p, const char *dir, const char *const *args, int in_fd,
		      int out_fd)
{
	const char *argv[32];
	int out[2] = { -1, -1 }, err[2], i;
	char *env;

	memset(p, 0, sizeof(*p));
	p->fd[0] = p->fd[1] = -1;
	p->status = -1;
	argv[0] = runbin_path();
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (asprintf(&env, "TMPDIR=%s", dir) < 0)
		return -1;
	if ((out_fd < 0 && pipe2(out, O_CLOEXEC)) || pipe2(err, O_CLOEXEC)) {
		free(env);
		return -1;
	}
	p->start_ns = mono_ns();
	p->pid = fork();
	if (p->pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(in_fd >= 0 ? in_fd : devnull, STDIN_FILENO);
		dup2(out_fd >= 0 ? out_fd : out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		if (chdir(dir))
			_exit(127);
		putenv(env);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	free(env);
	if (out[1] >= 0)
		close(out[1]);
	close(err[1]);
	p->fd[0] = out[0];
	p->fd[1] = err[0];
	for (i = 0; i < 2; i++)
		if (p->fd[i] >= 0)
			fcntl(p->fd[i], F_SETFL, O_NONBLOCK);
	return p->pid < 0 ? -1 : 0;
}

static void drain(struct proc *p, int i)
{
	for (;;) {
		struct buf *b = &p->b[i];
		ssize_t r;

		if (b->cap - b->len < 4096) {
			b->cap = b->cap ? b->cap * 2 : 65536;
			b->p = realloc(b->p, b->cap);
			if (!b->p)
				abort();
			b->p[b->len] = '\0';
		}
		r = read(p->fd[i], b->p + b->len, b->cap - b->len - 1);
		if (r > 0) {
			b->len += (size_t)r;
			b->p[b->len] = '\0';
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || errno != EAGAIN) {
			close(p->fd[i]);
			p->fd[i] = -1;
		}
		return;
	}
}

static const char *text(const struct proc *p, int i)
{
	return p->b[i].p ? p->b[i].p : "";
}

/* Collect output until needle shows on stderr (NULL: the pipes close) or until_ns. */
static bool proc_pump(struct proc *p, const char *needle, unsigned long long until_ns)
{
	for (;;) {
		struct pollfd pfd[2];
		int n = 0, i;
		unsigned long long now = mono_ns();

		if (needle && strstr(text(p, 1), needle))
			return true;
		for (i = 0; i < 2; i++)
			if (p->fd[i] >= 0)
				pfd[n++] = (struct pollfd){ .fd = p->fd[i], .events = POLLIN };
		if (!n)
			return !needle;
		if (now >= until_ns)
			return false;
		poll(pfd, (nfds_t)n, (int)((until_ns - now) / 1000000 + 1 > 1000 ? 1000 :
					   (until_ns - now) / 1000000 + 1));
		for (i = 0; i < 2; i++)
			if (p->fd[i] >= 0)
				drain(p, i);
	}
}

/* Wait for the end until until_ns; SIGKILL after it. True when it ended on its own. */
static bool proc_wait(struct proc *p, unsigned long long until_ns)
{
	bool own = true;
	int st = 0, i;

	if (p->pid <= 0 || p->status >= 0)
		return true;
	for (;;) {
		pid_t r = waitpid(p->pid, &st, WNOHANG);

		if (r == p->pid)
			break;
		if (mono_ns() >= until_ns && own) {
			kill(p->pid, SIGKILL);
			own = false;
		}
		if (p->fd[0] < 0 && p->fd[1] < 0)
			usleep(10000);
		else
			proc_pump(p, "\001never", mono_ns() + 50000000ull);
	}
	p->end_ns = mono_ns();
	proc_pump(p, NULL, mono_ns() + NS);
	p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	for (i = 0; i < 2; i++)
		if (p->fd[i] >= 0) {
			close(p->fd[i]);
			p->fd[i] = -1;
		}
	return own;
}

static double proc_secs(const struct proc *p)
{
	return (double)((p->end_ns ? p->end_ns : mono_ns()) - p->start_ns) / 1e9;
}

static void proc_free(struct proc *p)
{
	if (p->pid > 0 && p->status < 0)
		proc_wait(p, 0);
	free(p->b[0].p);
	free(p->b[1].p);
	memset(p, 0, sizeof(*p));
}

/* Run to the end (SIGKILL after timeout_s) in a fresh TMPDIR and cwd dir. */
static void run_in(const char *dir, const char *const *args, int in_fd, int out_fd,
		   unsigned timeout_s, struct proc *p)
{
	ck_assert_int_eq(proc_start(p, dir, args, in_fd, out_fd), 0);
	proc_wait(p, mono_ns() + timeout_s * NS);
}

static char *fresh_dir(void)
{
	char *d = runbin_tmpdir(TAG);

	ck_assert_msg(d != NULL, "cannot create a directory in /dev/shm");
	return d;
}

static char *path_in(const char *dir, const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

/* How often needle is in s. */
static int count_of(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/* The value of -o in args. */
static const char *out_of(const char *const *args)
{
	size_t i;

	for (i = 0; args[i]; i++)
		if (strcmp(args[i], "-o") == 0 && args[i + 1])
			return args[i + 1];
	return "?";
}

/* The word "@RESULT" is the result document main() made. */
static void expand_args(const char *const *in, const char **out, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && in[i]; i++)
		out[i] = strcmp(in[i], "@RESULT") == 0 ? getenv(RESULT_ENV) : in[i];
	out[i] = NULL;
}

/* ---- '-' on every command that has -o ------------------------------------------ */

enum want { W_JSON, W_SUMMARY, W_HTML };

static const struct dash_case {
	const char *args[16];
	int status;
	enum want want;
} dash_cases[] = {
	{ { "concurrency", "--duration", "1", "--ops", "4", "--output-format", "json", "-o", "-" },
	  0, W_JSON },
	{ { "concurrency", "--duration", "1", "--ops", "4", "-o", "-" }, 0, W_SUMMARY },
	{ { "workload", "database", "--duration", "2", "--output-format", "json", "-o", "-" },
	  0, W_JSON },
	/* endurance runs a minute at least: its --timeout ends it (exit 3), the result is written. */
	{ { "endurance", "--duration", "1m", "--timeout", "2", "--intensity", "light",
	    "--output-format", "json", "-o", "-" }, 3, W_JSON },
	{ { "compare", "@RESULT", "@RESULT", "-o", "-" }, 0, W_JSON },
	{ { "report", "@RESULT", "-o", "-" }, 0, W_HTML },
};

START_TEST(dash_is_stdout)
{
	const struct dash_case *c = &dash_cases[_i];
	const char *args[16];
	char *dir = fresh_dir(), *dash = path_in(dir, "-");
	struct proc p;
	struct stat st;
	const char *out;
	json_t *doc;
	int n;

	expand_args(c->args, args, 16);
	run_in(dir, args, -1, -1, 90, &p);
	out = text(&p, 0);
	ck_assert_msg(p.status == c->status, "%s: exit %d, want %d: %s", args[0], p.status,
		      c->status, text(&p, 1));
	/* Standard output, not a file named '-'. */
	ck_assert_msg(lstat(dash, &st) != 0, "%s -o - created a file named '-'", args[0]);
	switch (c->want) {
	case W_JSON:
		doc = runbin_json(out);
		ck_assert_msg(doc != NULL, "%s -o -: stdout is not one JSON document: %.300s",
			      args[0], out);
		ck_assert_str_eq(json_string_value(json_object_get(doc, "tool")), "dmremap-bench");
		json_decref(doc);
		break;
	case W_SUMMARY:
		/* The summary once: the output, not the output and the summary again. */
		n = count_of(out, "concurrency: 4 ops in flight");
		ck_assert_msg(n == 1, "the summary is %d times on stdout: %s", n, out);
		break;
	case W_HTML:
		ck_assert_msg(strncmp(out, "<!DOCTYPE html>", 15) == 0 && strstr(out, "</html>"),
			      "report -o -: stdout is no page: %.300s", out);
		break;
	}
	proc_free(&p);
	free(dash);
	runbin_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- /dev/stdout, /dev/stdin ------------------------------------------------------ */

struct devlink {
	char target[256];
	bool ok;
};

static void devlink_save(const char *path, struct devlink *d)
{
	ssize_t n = readlink(path, d->target, sizeof(d->target) - 1);

	d->ok = n > 0;
	d->target[n > 0 ? n : 0] = '\0';
}

/* Whether path is still the same symlink; if not, put it back (as the system had it). */
static bool devlink_intact(const char *path, const struct devlink *d)
{
	struct devlink now;

	devlink_save(path, &now);
	if (now.ok && strcmp(now.target, d->target) == 0)
		return true;
	unlink(path);
	if (symlink(d->target, path))
		fprintf(stderr, "check_outputs: cannot restore %s -> %s: %s\n", path, d->target,
			strerror(errno));
	return false;
}

static const char *const devstdout_cases[][12] = {
	{ "concurrency", "--duration", "1", "--ops", "4", "--output-format", "json", "-o",
	  "/dev/stdout", NULL },
	{ "compare", "@RESULT", "@RESULT", "-o", "/dev/stdout", NULL },
	{ "report", "@RESULT", "-o", "/dev/stdout", NULL },
	{ "concurrency", "--duration", "1", "--ops", "4", "--output-format", "json", "-o",
	  "/proc/self/fd/1", NULL },
};

START_TEST(dev_stdout_redirected)
{
	char *dir = fresh_dir(), *file = path_in(dir, "redirected");
	const char *args[16];
	struct devlink before;
	struct proc p;
	bool intact;
	char *got;
	int fd;

	devlink_save("/dev/stdout", &before);
	ck_assert_msg(before.ok, "/dev/stdout is no symlink on this system");
	expand_args(devstdout_cases[_i], args, 16);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	run_in(dir, args, -1, fd, 90, &p);
	close(fd);
	intact = devlink_intact("/dev/stdout", &before);
	got = runbin_slurp(file);
	ck_assert_msg(intact, "%s -o %s replaced /dev/stdout (put back)", args[0], out_of(args));
	ck_assert_msg(p.status == 0, "%s: exit %d: %s", args[0], p.status, text(&p, 1));
	ck_assert_msg(got && got[0], "standard output (a file) stayed empty");
	if (strcmp(args[0], "report") == 0) {
		ck_assert_msg(strncmp(got, "<!DOCTYPE html>", 15) == 0, "not a page: %.200s", got);
	} else {
		json_t *doc = runbin_json(got);

		ck_assert_msg(doc != NULL, "the file is not one JSON document: %.300s", got);
		json_decref(doc);
	}
	free(got);
	proc_free(&p);
	free(file);
	runbin_rmtree(dir);
	free(dir);
}
END_TEST

/* report /dev/stdin: no /dev/stdin.html made up; with -o - the page. */
START_TEST(report_dev_stdin)
{
	const char *bad[] = { "report", "/dev/stdin", NULL };
	const char *good[] = { "report", "/dev/stdin", "-o", "-", NULL };
	char *dir = fresh_dir();
	struct stat st;
	bool existed = lstat("/dev/stdin.html", &st) == 0, created;
	struct proc p;
	int in;

	in = open(getenv(RESULT_ENV), O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(in, 0);
	run_in(dir, bad, in, -1, 60, &p);
	close(in);
	created = !existed && lstat("/dev/stdin.html", &st) == 0;
	if (created)
		unlink("/dev/stdin.html");
	ck_assert_msg(!created, "report /dev/stdin created /dev/stdin.html (removed)");
	ck_assert_msg(p.status == 2, "exit %d, want 2: %s", p.status, text(&p, 1));
	ck_assert_msg(runbin_count_lines(text(&p, 1)) == 1 && strstr(text(&p, 1), "-o"),
		      "stderr: %s", text(&p, 1));
	proc_free(&p);

	in = open(getenv(RESULT_ENV), O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(in, 0);
	run_in(dir, good, in, -1, 60, &p);
	close(in);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, text(&p, 1));
	ck_assert_msg(strncmp(text(&p, 0), "<!DOCTYPE html>", 15) == 0, "stdout: %.200s",
		      text(&p, 0));
	proc_free(&p);
	runbin_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- a trusted symlink ------------------------------------------------------------- */

/* dir/link -> target (mode 0600, "old"); a run with -o dir/link replaces the target. */
static void check_link_replaces(const char *dir, const char *link, const char *target,
				const char *target_path)
{
	const char *args[] = { "concurrency", "--duration", "1", "--ops", "4", "--output-format",
			       "json", "-q", "-o", NULL, NULL };
	char *lp = path_in(dir, link), got_link[256], *text_got;
	struct proc p;
	struct stat st;
	ssize_t n;
	json_t *doc;
	int fd = open(target_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "old\n", 4), 4);
	close(fd);
	ck_assert_int_eq(chmod(target_path, 0600), 0);
	ck_assert_int_eq(symlink(target, lp), 0);
	args[9] = lp;
	run_in(dir, args, -1, -1, 90, &p);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, text(&p, 1));
	/* The link stays what it was... */
	ck_assert_int_eq(lstat(lp, &st), 0);
	ck_assert_msg(S_ISLNK(st.st_mode), "%s is no longer a symlink", lp);
	n = readlink(lp, got_link, sizeof(got_link) - 1);
	ck_assert_int_gt(n, 0);
	got_link[n] = '\0';
	ck_assert_str_eq(got_link, target);
	/* ...and the target holds the result, with its own mode. */
	text_got = runbin_slurp(target_path);
	doc = text_got ? runbin_json(text_got) : NULL;
	ck_assert_msg(doc != NULL, "%s does not hold the result: %.100s", target_path,
		      text_got ? text_got : "(unreadable)");
	ck_assert_int_eq(stat(target_path, &st), 0);
	ck_assert_msg((st.st_mode & 0777) == 0600, "mode %o, want 600", st.st_mode & 0777);
	json_decref(doc);
	free(text_got);
	proc_free(&p);
	free(lp);
}

START_TEST(trusted_symlink)
{
	char *dir = fresh_dir(), *sticky = path_in(dir, "sticky"), *t1 = path_in(dir, "t1.json");
	char *t2 = path_in(dir, "t2.json");

	/* A link in a directory of ours, relative. */
	check_link_replaces(dir, "l1.json", "t1.json", t1);
	/* A link of ours in a sticky world-writable directory, absolute. */
	ck_assert_int_eq(mkdir(sticky, 0700), 0);
	ck_assert_int_eq(chmod(sticky, 01777), 0);
	check_link_replaces(sticky, "l2.json", t2, t2);
	/* Nothing left next to the targets or the links. */
	ck_assert_int_eq(runbin_count_entries(dir), 4);
	ck_assert_int_eq(runbin_count_entries(sticky), 1);
	free(t1);
	free(t2);
	free(sticky);
	runbin_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- FIFOs ----------------------------------------------------------------------- */

struct reader {
	const char *path;
	char *got;
	size_t len;
};

static void *read_fifo(void *arg)
{
	struct reader *r = arg;
	int fd = open(r->path, O_RDONLY | O_CLOEXEC);
	size_t cap = 0;
	ssize_t n;

	if (fd < 0)
		return NULL;
	for (;;) {
		if (cap - r->len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			r->got = realloc(r->got, cap);
			if (!r->got)
				abort();
		}
		n = read(fd, r->got + r->len, cap - r->len - 1);
		if (n <= 0)
			break;
		r->len += (size_t)n;
	}
	r->got[r->len] = '\0';
	close(fd);
	return NULL;
}

START_TEST(fifo_with_reader)
{
	const char *args[] = { "concurrency", "--duration", "1", "--ops", "4", "--output-format",
			       "json", "-q", "-o", NULL, NULL };
	const char *devnull[] = { "concurrency", "--duration", "1", "--ops", "4", "-q", "-o",
				  "/dev/null", NULL };
	char *dir = fresh_dir(), *fifo = path_in(dir, "fifo");
	struct reader r = { .path = fifo };
	pthread_t t;
	struct proc p;
	json_t *doc;
	int fd;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, read_fifo, &r), 0);
	args[9] = fifo;
	run_in(dir, args, -1, -1, 90, &p);
	/* A reader still waiting in open() is let go. */
	fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	pthread_join(t, NULL);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, text(&p, 1));
	doc = r.got ? runbin_json(r.got) : NULL;
	ck_assert_msg(doc != NULL, "the reader got no JSON document (%zu bytes)", r.len);
	json_decref(doc);
	free(r.got);
	proc_free(&p);
	/* A character device named explicitly. */
	run_in(dir, devnull, -1, -1, 90, &p);
	ck_assert_msg(p.status == 0, "-o /dev/null: exit %d: %s", p.status, text(&p, 1));
	proc_free(&p);
	free(fifo);
	runbin_rmtree(dir);
	free(dir);
}
END_TEST

/* Exit status, within bound_s, and one stderr line naming the output as blocked. */
static void check_blocked(const struct proc *p, const char *out, int status, double bound_s)
{
	char want[512];

	snprintf(want, sizeof(want), "--output: %s blocked for %d s; the result was not written",
		 out, STALL_S);
	ck_assert_msg(proc_secs(p) <= bound_s, "ran %.1f s, bound %.0f s; stderr: %s",
		      proc_secs(p), bound_s, text(p, 1));
	ck_assert_msg(p->status == status, "exit %d, want %d: %s", p->status, status, text(p, 1));
	ck_assert_msg(strstr(text(p, 1), want), "stderr does not say \"%s\": %s", want,
		      text(p, 1));
}

START_TEST(fifo_without_reader)
{
	const char *args[] = { "concurrency", "--duration", "1", "--ops", "4", "--timeout", "3",
			       "-o", NULL, NULL };
	char *dir = fresh_dir(), *fifo = path_in(dir, "fifo");
	struct proc p;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	args[8] = fifo;
	run_in(dir, args, -1, -1, 60, &p);
	check_blocked(&p, fifo, 4, 1 + STALL_S + SLACK_S);
	/* One error, the output's (other lines may say where the run went). */
	ck_assert_msg(count_of(text(&p, 1), "--output") == 1, "stderr: %s", text(&p, 1));
	/* The output failed: the summary still reaches the terminal. */
	ck_assert_msg(strstr(text(&p, 0), "concurrency:"), "no summary: %s", text(&p, 0));
	proc_free(&p);
	free(fifo);
	runbin_rmtree(dir);
	free(dir);
}
END_TEST

/* The run's measured seconds from the summary ("measured 3.00s"), or -1. */
static double measured_s(const char *out)
{
	const char *m = strstr(out, "measured ");
	double s;

	return m && sscanf(m, "measured %lfs", &s) == 1 ? s : -1;
}

/*
 * endurance writes at every interval: before the output rule, the first
 * write blocked the monitor in open() and nothing stopped the workers.
 */
START_TEST(endurance_fifo_without_reader)
{
	const char *args[] = { "endurance", "--duration", "1m", "--interval", "1s", "--timeout", "3",
			       "--intensity", "light", "--output-format", "json", "-o", NULL, NULL };
	char *dir = fresh_dir(), *fifo = path_in(dir, "fifo");
	struct proc p;
	double m;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	args[12] = fifo;
	run_in(dir, args, -1, -1, 60, &p);
	/* The hard stop is exit 3, and worse than the output's 4. */
	check_blocked(&p, fifo, 3, 3 + 1 + STALL_S + SLACK_S);
	ck_assert_msg(strstr(text(&p, 1), "reached its --timeout"), "stderr: %s", text(&p, 1));
	/* The workers stopped at the timeout: the run measured 3 s, not more. */
	m = measured_s(text(&p, 0));
	ck_assert_msg(m > 0 && m <= 3.5, "measured %.2f s: %s", m, text(&p, 0));
	proc_free(&p);
	free(fifo);
	runbin_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- loop devices with ext4: frozen, mounted, as standard output ----------------- */

struct ext4 {
	struct loopdev ld;
	char *backing;
	char *dir;                 /* the test's directory (mount point inside) */
	char *mnt;
	bool mounted, frozen;
	struct proc p;
	struct expect ex;
};

static bool need_root(void)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "check_outputs: not root: loop device tests skip\n");
	return false;
}

static void ext4_setup(struct ext4 *x, bool do_mount)
{
	char cmd[512], type[64];

	memset(x, 0, sizeof(*x));
	x->ld.index = -1;
	x->dir = fresh_dir();
	x->mnt = path_in(x->dir, "mnt");
	x->backing = loopdev_backing_create(TAG, 64ULL << 20);
	EXPECT(x, x->backing != NULL, "no backing file");
	snprintf(cmd, sizeof(cmd), "mkfs.ext4 -qF %s >/dev/null 2>&1", x->backing);
	EXPECT(x, system(cmd) == 0, "mkfs.ext4 failed");
	EXPECT(x, loopdev_attach(&x->ld, x->backing, false) == 0, "no loop device");
	loopdev_probe_type(x->ld.path, type, sizeof(type));
	EXPECT(x, strcmp(type, "ext4") == 0, "blkid -p finds '%s' on %s", type, x->ld.path);
	if (!do_mount)
		return;
	EXPECT(x, mkdir(x->mnt, 0755) == 0, "mkdir %s: %s", x->mnt, strerror(errno));
	EXPECT(x, mount(x->ld.path, x->mnt, "ext4", 0, NULL) == 0, "mount %s: %s", x->ld.path,
	       strerror(errno));
	x->mounted = true;
}

static int fs_ioctl(const char *mnt, unsigned long req)
{
	int fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = ioctl(fd, req, 0);
	close(fd);
	return rc;
}

static void ext4_freeze(struct ext4 *x)
{
	EXPECT(x, fs_ioctl(x->mnt, FIFREEZE) == 0, "FIFREEZE %s: %s", x->mnt, strerror(errno));
	x->frozen = true;
}

static void ext4_thaw(struct ext4 *x)
{
	if (x->frozen && fs_ioctl(x->mnt, FITHAW))
		fprintf(stderr, "check_outputs: FITHAW %s: %s\n", x->mnt, strerror(errno));
	x->frozen = false;
}

static void ext4_umount(struct ext4 *x)
{
	int i;

	ext4_thaw(x);
	for (i = 0; x->mounted && i < 50; i++) {
		if (umount2(x->mnt, 0) == 0 || errno == EINVAL)
			x->mounted = false;
		else
			usleep(100000);
	}
	if (x->mounted)
		fprintf(stderr, "check_outputs: cannot unmount %s: %s\n", x->mnt, strerror(errno));
}

/* Always, whatever failed: thaw first (a writer in D state holds the process), then the rest. */
static void ext4_teardown(struct ext4 *x)
{
	ext4_thaw(x);
	proc_free(&x->p);
	ext4_umount(x);
	if (x->ld.index >= 0 && loopdev_detach(&x->ld))
		fprintf(stderr, "check_outputs: cannot detach %s\n", x->ld.path);
	loopdev_backing_remove(x->backing);
	if (!x->mounted && x->dir)
		runbin_rmtree(x->dir);
	free(x->dir);
	free(x->mnt);
}

/*
 * An output on a frozen filesystem: the writer thread sits in the kernel
 * (D state) until the thaw, and the process cannot exit before it. The
 * tool must have given up and said so within the bound all the same.
 */
static void frozen_body(struct ext4 *x, const char *const *args, double run_s,
			const char *out, int status)
{
	char want[512];
	double bound = run_s + STALL_S + SLACK_S, saw;
	bool said;

	ext4_setup(x, true);
	EXPECT_OK(x);
	ext4_freeze(x);
	EXPECT_OK(x);
	snprintf(want, sizeof(want), "--output: %s blocked for %d s; the result was not written",
		 out, STALL_S);
	EXPECT(x, proc_start(&x->p, x->dir, args, -1, -1) == 0, "cannot start %s", runbin_path());
	said = proc_pump(&x->p, want, x->p.start_ns + (unsigned long long)(bound * 1e9));
	saw = (double)(mono_ns() - x->p.start_ns) / 1e9;
	ext4_thaw(x);
	proc_wait(&x->p, mono_ns() + 60 * NS);
	EXPECT(x, said, "no \"%s\" within %.0f s: %s", want, bound, text(&x->p, 1));
	EXPECT(x, x->p.status == status, "exit %d, want %d (said it after %.1f s): %s",
	       x->p.status, status, saw, text(&x->p, 1));
}

START_TEST(frozen_final_write)
{
	const char *args[] = { "concurrency", "--duration", "1", "--ops", "4", "-q", "-o", NULL,
			       NULL };
	struct ext4 x;
	char *out;

	if (!need_root())
		return;
	out = path_in("mnt", "r.json");
	args[7] = out;
	frozen_body(&x, args, 1, out, 4);
	ext4_teardown(&x);
	free(out);
	ck_assert_msg(!x.ex.failed, "%s", x.ex.msg);
}
END_TEST

START_TEST(frozen_endurance_snapshot)
{
	const char *args[] = { "endurance", "--duration", "1m", "--interval", "1s", "--timeout", "3",
			       "--intensity", "light", "--output-format", "json", "-o", NULL, NULL };
	struct ext4 x;
	char *out;

	if (!need_root())
		return;
	out = path_in("mnt", "e.json");
	args[12] = out;
	/* The first snapshot blocks at 1 s; the monitor must still stop the run at 3 s. */
	frozen_body(&x, args, 3 + 1, out, 3);
	if (!x.ex.failed && !strstr(text(&x.p, 1), "reached its --timeout"))
		expect_fail_at(&x.ex, __LINE__, "reached its --timeout", "stderr: %s",
			       text(&x.p, 1));
	if (!x.ex.failed && !(measured_s(text(&x.p, 0)) > 0 && measured_s(text(&x.p, 0)) <= 3.5))
		expect_fail_at(&x.ex, __LINE__, "measured", "the run went on: %s", text(&x.p, 0));
	ext4_teardown(&x);
	free(out);
	ck_assert_msg(!x.ex.failed, "%s", x.ex.msg);
}
END_TEST

/* Issue 17: a symlink to the loop device of a mounted filesystem. */
static void data_loss_body(struct ext4 *x)
{
	const char *args[] = { "concurrency", "--duration", "1", "--ops", "4", "-q",
			       "--output-format", "json", "-o", "r.json", NULL };
	char *link, type[64], cmd[256];

	ext4_setup(x, true);
	EXPECT_OK(x);
	link = path_in(x->dir, "r.json");
	EXPECT(x, symlink(x->ld.path, link) == 0, "symlink: %s", strerror(errno));
	free(link);
	EXPECT(x, proc_start(&x->p, x->dir, args, -1, -1) == 0, "cannot start");
	proc_wait(&x->p, mono_ns() + 60 * NS);
	ext4_umount(x);
	loopdev_probe_type(x->ld.path, type, sizeof(type));
	EXPECT(x, strcmp(type, "ext4") == 0, "the filesystem is gone: blkid -p finds '%s' "
	       "(exit %d, stderr: %s)", type, x->p.status, text(&x->p, 1));
	snprintf(cmd, sizeof(cmd), "e2fsck -fn %s >/dev/null 2>&1", x->ld.path);
	EXPECT(x, system(cmd) == 0, "e2fsck -fn %s finds damage", x->ld.path);
	EXPECT(x, x->p.status == 2, "exit %d, want 2: %s", x->p.status, text(&x->p, 1));
	EXPECT(x, runbin_count_lines(text(&x->p, 1)) == 1 && strstr(text(&x->p, 1), "block device"),
	       "stderr: %s", text(&x->p, 1));
}

START_TEST(mounted_fs_survives)
{
	struct ext4 x;

	if (!need_root())
		return;
	data_loss_body(&x);
	ext4_teardown(&x);
	ck_assert_msg(!x.ex.failed, "%s", x.ex.msg);
}
END_TEST

/* Standard output redirected to a block device: '-' and /dev/stdout are refused. */
static void stdout_blk_body(struct ext4 *x, const char *out)
{
	const char *args[] = { "concurrency", "--duration", "1", "--ops", "4", "--output-format",
			       "json", "-o", out, NULL };
	char type[64];
	int fd;

	ext4_setup(x, false);
	EXPECT_OK(x);
	fd = open(x->ld.path, O_WRONLY | O_CLOEXEC);
	EXPECT(x, fd >= 0, "open %s: %s", x->ld.path, strerror(errno));
	if (proc_start(&x->p, x->dir, args, -1, fd) == 0)
		proc_wait(&x->p, mono_ns() + 60 * NS);
	close(fd);
	loopdev_probe_type(x->ld.path, type, sizeof(type));
	EXPECT(x, strcmp(type, "ext4") == 0, "-o %s wrote the device: blkid -p finds '%s'", out,
	       type);
	EXPECT(x, x->p.status == 2, "-o %s: exit %d, want 2: %s", out, x->p.status,
	       text(&x->p, 1));
	EXPECT(x, runbin_count_lines(text(&x->p, 1)) == 1 && strstr(text(&x->p, 1), "block device"),
	       "stderr: %s", text(&x->p, 1));
}

START_TEST(stdout_block_device)
{
	struct ext4 x;

	if (!need_root())
		return;
	stdout_blk_body(&x, _i ? "/dev/stdout" : "-");
	ext4_teardown(&x);
	ck_assert_msg(!x.ex.failed, "%s", x.ex.msg);
}
END_TEST

/* ---- main ------------------------------------------------------------------------ */

static Suite *outputs_suite(void)
{
	Suite *s = suite_create("outputs");
	TCase *tc = tcase_create("outputs");

	/* Longer than every bound inside: a test killed here could leave a frozen fs. */
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, dash_is_stdout, 0,
			    (int)(sizeof(dash_cases) / sizeof(dash_cases[0])));
	tcase_add_loop_test(tc, dev_stdout_redirected, 0,
			    (int)(sizeof(devstdout_cases) / sizeof(devstdout_cases[0])));
	tcase_add_test(tc, report_dev_stdin);
	tcase_add_test(tc, trusted_symlink);
	tcase_add_test(tc, fifo_with_reader);
	tcase_add_test(tc, fifo_without_reader);
	tcase_add_test(tc, endurance_fifo_without_reader);
	tcase_add_test(tc, frozen_final_write);
	tcase_add_test(tc, frozen_endurance_snapshot);
	tcase_add_test(tc, mounted_fs_survives);
	tcase_add_loop_test(tc, stdout_block_device, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

/* A result document for @RESULT, from one short run; its malloc'd path. */
static char *make_result(void)
{
	const char *args[] = { "concurrency", "--ops", "8", "--duration", "1", "--rw", "randread",
			       "--output-format", "json", NULL };
	char *dir = runbin_tmpdir(TAG), *path = NULL;
	struct proc p;
	json_t *doc;
	FILE *f;

	if (!dir || proc_start(&p, dir, args, -1, -1)) {
		free(dir);
		return NULL;
	}
	proc_wait(&p, mono_ns() + 120 * NS);
	doc = p.status == 0 ? runbin_json(text(&p, 0)) : NULL;
	if (doc && asprintf(&path, "%s/result.json", dir) >= 0 && (f = fopen(path, "w"))) {
		fputs(text(&p, 0), f);
		fclose(f);
	}
	json_decref(doc);
	proc_free(&p);
	free(dir);
	return path;
}

int main(void)
{
	char bin[4096];
	char *result;
	int rc;

	/* The runs change directory: the binary's path must not depend on it. */
	if (realpath(runbin_path(), bin))
		setenv("DMRB_BIN", bin, 1);
	loopdev_sweep(TAG);
	runbin_sweep(TAG);
	result = make_result();
	if (!result) {
		fprintf(stderr, "check_outputs: cannot make a result with %s\n", runbin_path());
		runbin_sweep(TAG);
		return EXIT_FAILURE;
	}
	setenv(RESULT_ENV, result, 1);
	rc = runbin_run_suite(outputs_suite(), TAG, loopdev_sweep);
	free(result);
	return rc;
}
