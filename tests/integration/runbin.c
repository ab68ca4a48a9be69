#include "runbin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_MS 120000u

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

unsigned long long runbin_mono_ms(void)
{
	return mono_ns() / 1000000ull;
}

void runbin_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

const char *runbin_path(void)
{
	const char *p = getenv("DMRB_BIN");

	return p && *p ? p : "./dmremap-bench";
}

/* In the child, between fork and exec: only async-signal-safe work matters here. */
static void child_exec(char **argv, const struct runbin_opts *opts, int out, int err)
{
	sigset_t none;
	int devnull = open("/dev/null", O_RDONLY);
	const char *const *e;

	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO);
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
		_exit(127);
	/* Whatever the test runner set up, the tool starts with default signals. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (opts && opts->cgroup_procs) {
		/* The pid in decimal, with async-signal-safe calls only. */
		char num[24], *q = num + sizeof(num);
		long pid = (long)getpid();
		int fd = open(opts->cgroup_procs, O_WRONLY);

		do
			*--q = (char)('0' + pid % 10);
		while ((pid /= 10));
		if (fd < 0 || write(fd, q, (size_t)(num + sizeof(num) - q)) < 0)
			_exit(125);
		close(fd);
	}
	for (e = opts && opts->env ? opts->env : NULL; e && *e; e++)
		putenv((char *)*e);
	if (opts && opts->as_uid >= 0 &&
	    (setgroups(0, NULL) || setgid((gid_t)opts->as_uid) || setuid((uid_t)opts->as_uid)))
		_exit(126);
	execv(argv[0], argv);
	_exit(127);
}

int runbin_start(struct runbin *rb, const char *const *args, const struct runbin_opts *opts)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, e, i;
	size_t n = 0;
	char **argv;

	memset(rb, 0, sizeof(*rb));
	rb->fd[0] = rb->fd[1] = -1;
	while (args && args[n])
		n++;
	argv = calloc(n + 2, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	argv[0] = (char *)runbin_path();
	for (i = 0; i < (int)n; i++)
		argv[i + 1] = (char *)args[i];
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		e = -errno;
		goto fail;
	}
	rb->pid = fork();
	if (rb->pid < 0) {
		e = -errno;
		goto fail;
	}
	if (rb->pid == 0)
		child_exec(argv, opts, out[1], err[1]);
	free(argv);
	close(out[1]);
	close(err[1]);
	rb->fd[0] = out[0];
	rb->fd[1] = err[0];
	for (i = 0; i < 2; i++)
		fcntl(rb->fd[i], F_SETFL, fcntl(rb->fd[i], F_GETFL) | O_NONBLOCK);
	rb->deadline_ns = mono_ns() + 1000000ull *
		(opts && opts->timeout_ms ? opts->timeout_ms : DEFAULT_TIMEOUT_MS);
	return 0;
fail:
	for (i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	free(argv);
	return e;
}

/* Append what fd i has; close it at end of file. */
static void drain(struct runbin *rb, int i)
{
	for (;;) {
		ssize_t r;

		if (rb->cap[i] - rb->len[i] < 4096) {
			size_t cap = rb->cap[i] ? rb->cap[i] * 2 : 16384;
			char *p = realloc(rb->buf[i], cap);

			if (!p)
				abort();  /* a test helper: no sensible recovery */
			rb->buf[i] = p;
			rb->cap[i] = cap;
		}
		r = read(rb->fd[i], rb->buf[i] + rb->len[i], rb->cap[i] - rb->len[i] - 1);
		if (r > 0) {
			rb->len[i] += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || errno != EAGAIN) {
			close(rb->fd[i]);
			rb->fd[i] = -1;
		}
		return;
	}
}

/* Collect output until both pipes close or until_ns passes. Returns 1 when closed. */
static int pump(struct runbin *rb, unsigned long long until_ns)
{
	for (;;) {
		struct pollfd p[2];
		unsigned long long now = mono_ns();
		int n = 0, i, ms;

		for (i = 0; i < 2; i++)
			if (rb->fd[i] >= 0)
				p[n++] = (struct pollfd){ .fd = rb->fd[i], .events = POLLIN };
		if (!n)
			return 1;
		if (now >= until_ns)
			return 0;
		/* Wake at least once a second: until_ns may be "never". */
		ms = until_ns - now > 1000000000ull ? 1000 :
			(int)((until_ns - now + 999999) / 1000000);
		if (poll(p, (nfds_t)n, ms) < 0 && errno != EINTR)
			return 0;
		for (i = 0; i < 2; i++)
			if (rb->fd[i] >= 0)
				drain(rb, i);
	}
}

int runbin_pump(struct runbin *rb, unsigned ms)
{
	return pump(rb, mono_ns() + 1000000ull * ms);
}

int runbin_kill(struct runbin *rb, int sig, unsigned delay_ms)
{
	unsigned long long at = mono_ns() + 1000000ull * delay_ms, now;
	siginfo_t si;

	/* Pipes closed early: the process is ending; let it finish first. */
	if (pump(rb, at) && (now = mono_ns()) < at) {
		struct timespec ts = { .tv_sec = (time_t)((at - now) / 1000000000ull),
				       .tv_nsec = (long)((at - now) % 1000000000ull) };

		nanosleep(&ts, NULL);
	}
	/* Has it already ended? (a zombie would still accept the signal) */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)rb->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid)
		return -1;
	return kill(rb->pid, sig) ? -1 : 0;
}

int runbin_wait(struct runbin *rb, struct runbin_result *res)
{
	int st = 0, i;

	memset(res, 0, sizeof(*res));
	if (!pump(rb, rb->deadline_ns)) {
		kill(rb->pid, SIGKILL);
		res->timed_out = true;
		pump(rb, ~0ull);
	}
	while (waitpid(rb->pid, &st, 0) < 0 && errno == EINTR)
		;
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
	for (i = 0; i < 2; i++) {
		if (rb->fd[i] >= 0)
			close(rb->fd[i]);
		if (!rb->buf[i])
			rb->buf[i] = calloc(1, 1);
		else
			rb->buf[i][rb->len[i]] = '\0';
	}
	res->out = rb->buf[0];
	res->err = rb->buf[1];
	memset(rb, 0, sizeof(*rb));
	rb->fd[0] = rb->fd[1] = -1;
	return res->out && res->err ? 0 : -ENOMEM;
}

int runbin_run(const char *const *args, const struct runbin_opts *opts,
	       struct runbin_result *res)
{
	struct runbin rb;
	int rc = runbin_start(&rb, args, opts);

	if (rc) {
		memset(res, 0, sizeof(*res));
		res->status = -1;
		return rc;
	}
	return runbin_wait(&rb, res);
}

void runbin_result_free(struct runbin_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

void runbin_run_doc(const char *const *args, const struct runbin_opts *opts,
		    struct runbin_result *res, json_t **doc)
{
	json_decref(*doc);
	runbin_result_free(res);
	if (runbin_run(args, opts, res))
		res->status = -1;
	*doc = runbin_json(res->out);
}

size_t runbin_count_lines(const char *s)
{
	size_t n = 0;
	const char *p;

	if (!s || !*s)
		return 0;
	for (p = s; *p; p++)
		n += *p == '\n';
	return n + (p[-1] != '\n');
}

json_t *runbin_json(const char *text)
{
	json_error_t e;

	return text ? json_loads(text, JSON_REJECT_DUPLICATES, &e) : NULL;
}

/* Copy one path step (escapes resolved) into key; returns where the next starts. */
static const char *path_step(const char *p, char *key, size_t len)
{
	size_t n = 0;

	while (*p && *p != '.') {
		if (*p == '\\' && p[1])
			p++;
		if (n + 1 < len)
			key[n++] = *p;
		p++;
	}
	key[n] = '\0';
	return *p == '.' ? p + 1 : p;
}

json_t *runbin_jget(json_t *root, const char *path)
{
	json_t *j = root;
	char key[256];

	while (j && *path) {
		path = path_step(path, key, sizeof(key));
		if (json_is_object(j)) {
			j = json_object_get(j, key);
		} else if (json_is_array(j) && key[0] && strspn(key, "0123456789") == strlen(key)) {
			j = json_array_get(j, strtoul(key, NULL, 10));
		} else {
			j = NULL;
		}
	}
	return j;
}

long long runbin_jint(json_t *root, const char *path)
{
	json_t *j = runbin_jget(root, path);

	return json_is_integer(j) ? (long long)json_integer_value(j) : -1;
}

double runbin_jnum(json_t *root, const char *path)
{
	json_t *j = runbin_jget(root, path);

	return json_is_number(j) ? json_number_value(j) : NAN;
}

char *runbin_tmpdir(const char *tag)
{
	char *p;

	if (asprintf(&p, "/dev/shm/dmrb-integ-%s-%ld-XXXXXX", tag, (long)getpid()) < 0)
		return NULL;
	if (!mkdtemp(p)) {
		free(p);
		return NULL;
	}
	return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) ? -1 : 0;
}

int runbin_rmtree(const char *dir)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int runbin_count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	size_t plen = strlen(prefix);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strncmp(de->d_name, prefix, plen) == 0)
			n++;
	closedir(d);
	return n;
}

int runbin_count_entries(const char *dir)
{
	return runbin_count_prefixed(dir, "");
}

bool runbin_orphaned(const char *name, const char *prefix)
{
	size_t plen = strlen(prefix);
	char *end;
	long pid;

	if (strncmp(name, prefix, plen))
		return false;
	pid = strtol(name + plen, &end, 10);
	if (*end != '-' || pid <= 0)
		return false;
	/* Not when another process that still runs owns it. */
	return pid == (long)getpid() || (kill((pid_t)pid, 0) && errno == ESRCH);
}

void runbin_sweep_in(const char *dir, const char *tag, int (*rm)(const char *path))
{
	char prefix[128], path[512];
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	snprintf(prefix, sizeof(prefix), "dmrb-integ-%s-", tag);
	while ((de = readdir(d))) {
		if (!runbin_orphaned(de->d_name, prefix))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		rm(path);
	}
	closedir(d);
}

void runbin_sweep(const char *tag)
{
	runbin_sweep_in("/dev/shm", tag, runbin_rmtree);
}

char *runbin_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *p = realloc(buf, cap ? cap * 2 : 8192);

			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
			cap = cap ? cap * 2 : 8192;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

int runbin_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		rc = -EIO;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return rc;
}

int runbin_run_suite(Suite *s, const char *tag, void (*sweep)(const char *tag))
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (sweep)
		sweep(tag);
	runbin_sweep(tag);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
