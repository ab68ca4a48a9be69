#include "result/output.h"

#include "run/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "util/timeutil.h"

/* Symbolic links one resolution follows, as the kernel's MAXSYMLINKS. */
#define MAX_LINKS 40
/* One write() call: small enough that progress shows on a slow output. */
#define WRITE_CHUNK (1u << 20)
/* How often a FIFO without a reader is tried again. */
#define RETRY_NS (20 * NSEC_PER_MSEC)
/* How long a writer that was given up may take to notice and end. */
#define GIVE_UP_NS (300 * NSEC_PER_MSEC)

#define BLOCK_WORDS "never an output, not even with --force"
#define ALLOWED "allowed: a regular file, -, a FIFO or a character device"

/* ---- the rule: where a path leads --------------------------------------------- */

enum dest_kind {
	D_NEW,      /* no such name yet in dirfd: created */
	D_REG,      /* a regular file: replaced atomically */
	D_SPECIAL,  /* a FIFO or a character device: written directly */
	D_FD,       /* an open descriptor of this process: written into */
	D_DIR,      /* output_check_dir(): an existing directory */
};

struct dest {
	enum dest_kind kind;
	int dirfd;                /* O_PATH descriptor of the directory holding name */
	char name[NAME_MAX + 1];
	int fd;                   /* D_FD */
	struct stat st;           /* D_REG, D_SPECIAL: the file as found */
	unsigned links;           /* symbolic links followed */
};

static void dest_release(struct dest *d)
{
	if (d->dirfd >= 0)
		close(d->dirfd);
	d->dirfd = -1;
}

/* Where a directory descriptor is, for messages ("?" when /proc cannot say). */
static void fd_path(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	if (n < 0)
		snprintf(buf, len, "?");
	else
		buf[n] = '\0';
}

/* The path of name in dirfd, for messages. */
static void dest_path(int dirfd, const char *name, char *buf, size_t len)
{
	char dir[PATH_MAX];

	fd_path(dirfd, dir, sizeof(dir));
	snprintf(buf, len, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
}

static bool on_procfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* Whether dirfd is this process's /proc/PID/fd (or /proc/PID/task/TID/fd). */
static bool own_fd_dir(int dirfd)
{
	char got[128];
	int pid, tid, end = 0;

	if (!on_procfs(dirfd))
		return false;
	fd_path(dirfd, got, sizeof(got));
	if (sscanf(got, "/proc/%d/fd%n", &pid, &end) == 1 && end && got[end] == '\0')
		return pid == getpid();
	end = 0;
	if (sscanf(got, "/proc/%d/task/%d/fd%n", &pid, &tid, &end) == 2 && end &&
	    got[end] == '\0')
		return pid == getpid();
	return false;
}

static bool all_digits(const char *s)
{
	if (!*s || strlen(s) > 9)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * fs.protected_symlinks: a link in a sticky world-writable directory is
 * followed only when it belongs to the follower or to the directory's owner.
 */
static bool link_trusted(int dirfd, const struct stat *link, struct stat *dir)
{
	if (fstat(dirfd, dir))
		return false;
	if (!(dir->st_mode & S_ISVTX) || !(dir->st_mode & S_IWOTH))
		return true;
	return link->st_uid == geteuid() || link->st_uid == dir->st_uid;
}

static int refuse(char *why, size_t wlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t wlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, wlen, fmt, ap);
	va_end(ap);
	return OUTPUT_REFUSED;
}

static int fail(const char *path, int err, char *why, size_t wlen)
{
	snprintf(why, wlen, "cannot write %s: %s", path, strerror(err));
	errno = err;
	return OUTPUT_FAILED;
}

/* "-" is standard output; a path into /proc/self/fd is "PATH (descriptor N)". */
static void fd_name(const char *path, int fd, char *buf, size_t len)
{
	if (strcmp(path, "-") == 0)
		snprintf(buf, len, "standard output (-)");
	else
		snprintf(buf, len, "%s (descriptor %d)", path, fd);
}

static int resolve_fd(const char *path, int fd, struct dest *d, char *why, size_t wlen)
{
	char name[PATH_MAX + 32];
	struct stat st;
	int fl;

	d->fd = fd;  /* what the path names, even when refused (output_descriptor) */
	fd_name(path, fd, name, sizeof(name));
	if (fstat(fd, &st) || (fl = fcntl(fd, F_GETFL)) < 0)
		return refuse(why, wlen, "%s is not open (%s)", name, ALLOWED);
	if (S_ISBLK(st.st_mode))
		return refuse(why, wlen, "%s is a block device (%s)", name, BLOCK_WORDS);
	if (S_ISDIR(st.st_mode))
		return refuse(why, wlen, "%s is a directory (%s)", name, ALLOWED);
	if ((fl & O_ACCMODE) == O_RDONLY)
		return refuse(why, wlen, "%s is open for reading only", name);
	d->kind = D_FD;
	d->st = st;
	return OUTPUT_OK;
}

/* The last component is a file that is there: what the rule says of it. */
static int resolve_last(const char *path, int cur, const char *comp, const struct stat *st,
			bool want_dir, struct dest *d, char *why, size_t wlen)
{
	char where[PATH_MAX + NAME_MAX + 2], is[2 * PATH_MAX + NAME_MAX + 32];

	/* "PATH is a ..." or, through symlinks, "PATH leads to WHERE, a ..." */
	if (d->links) {
		dest_path(cur, comp, where, sizeof(where));
		snprintf(is, sizeof(is), "%s leads to %s,", path, where);
	} else {
		snprintf(is, sizeof(is), "%s is", path);
	}
	if (S_ISDIR(st->st_mode)) {
		if (want_dir)
			return OUTPUT_OK;
		return refuse(why, wlen, "%s a directory (%s)", is, ALLOWED);
	}
	if (want_dir)
		return refuse(why, wlen, "%s not a directory (allowed: a directory, or a name "
			      "to create one under)", is);
	if (S_ISBLK(st->st_mode))
		return refuse(why, wlen, "%s a block device (%s)", is, BLOCK_WORDS);
	if (S_ISREG(st->st_mode)) {
		d->kind = D_REG;
		return OUTPUT_OK;
	}
	if (S_ISFIFO(st->st_mode) || S_ISCHR(st->st_mode)) {
		d->kind = D_SPECIAL;
		return OUTPUT_OK;
	}
	return refuse(why, wlen, "%s a %s (%s)", is, S_ISSOCK(st->st_mode) ? "socket" :
		      "special file", ALLOWED);
}

/*
 * Walk path one component at a time, as the kernel would, but vetting
 * every symbolic link. On OUTPUT_OK, d holds an open directory (or a
 * descriptor); release it with dest_release().
 */
static int resolve(const char *path, bool want_dir, struct dest *d, char *why, size_t wlen)
{
	char rest[2 * PATH_MAX], tmp[2 * PATH_MAX], target[PATH_MAX], comp[NAME_MAX + 1];
	struct stat st, dir;
	char *p;
	int cur, rc;

	memset(d, 0, sizeof(*d));
	d->dirfd = d->fd = -1;
	if (!*path)
		return refuse(why, wlen, "an empty name (%s)", ALLOWED);
	if (strcmp(path, "-") == 0) {
		if (want_dir)
			return refuse(why, wlen, "- (standard output) is not a directory");
		return resolve_fd(path, STDOUT_FILENO, d, why, wlen);
	}
	if (strlen(path) >= sizeof(rest))
		return fail(path, ENAMETOOLONG, why, wlen);
	snprintf(rest, sizeof(rest), "%s", path);
	cur = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return fail(path, errno, why, wlen);
	p = rest;
	for (;;) {
		size_t n;
		bool last;
		ssize_t tl;

		while (*p == '/')
			p++;
		if (!*p) {
			/* "/", ".", "dir/": the path names a directory. */
			if (want_dir) {
				d->kind = D_DIR;
				d->dirfd = cur;
				snprintf(d->name, sizeof(d->name), ".");
				return OUTPUT_OK;
			}
			close(cur);
			return refuse(why, wlen, "%s is a directory (%s)", path, ALLOWED);
		}
		n = strcspn(p, "/");
		if (n > NAME_MAX) {
			close(cur);
			return fail(path, ENAMETOOLONG, why, wlen);
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		last = *p == '\0';
		/* /dev/stdout, /dev/fd/N, /proc/self/fd/N: the descriptor itself. */
		if (last && !want_dir && all_digits(comp) && own_fd_dir(cur)) {
			close(cur);
			return resolve_fd(path, atoi(comp), d, why, wlen);
		}
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW)) {
			int err = errno;

			if (err == ENOENT && last && !on_procfs(cur)) {
				d->kind = D_NEW;
				d->dirfd = cur;
				snprintf(d->name, sizeof(d->name), "%s", comp);
				return OUTPUT_OK;
			}
			close(cur);
			if (err == ENOENT && last)
				return refuse(why, wlen, "%s is in /proc and no descriptor of this "
					      "process (allowed there: /dev/fd/N, /proc/self/fd/N)", path);
			return fail(path, err, why, wlen);
		}
		if (S_ISLNK(st.st_mode)) {
			if (!link_trusted(cur, &st, &dir)) {
				char where[PATH_MAX + NAME_MAX + 2];

				dest_path(cur, comp, where, sizeof(where));
				close(cur);
				return refuse(why, wlen, "%s: not following the symlink %s (owner uid "
					      "%u, in a sticky world-writable directory of uid %u; "
					      "only a link of yours or of the directory's owner is "
					      "followed: name the target itself)", path, where,
					      (unsigned)st.st_uid, (unsigned)dir.st_uid);
			}
			tl = readlinkat(cur, comp, target, sizeof(target));
			if (tl < 0 || (size_t)tl >= sizeof(target) || ++d->links > MAX_LINKS ||
			    (size_t)tl + strlen(p) + 1 >= sizeof(tmp)) {
				int err = tl < 0 ? errno : d->links > MAX_LINKS ? ELOOP : ENAMETOOLONG;

				close(cur);
				return fail(path, err, why, wlen);
			}
			target[tl] = '\0';
			/* The link's text replaces its name; relative to the link's directory. */
			snprintf(tmp, sizeof(tmp), "%s%s", target, p);
			snprintf(rest, sizeof(rest), "%s", tmp);
			p = rest;
			if (target[0] == '/') {
				close(cur);
				cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (cur < 0)
					return fail(path, errno, why, wlen);
			}
			continue;
		}
		if (!last) {
			int next;

			if (!S_ISDIR(st.st_mode)) {
				close(cur);
				return fail(path, ENOTDIR, why, wlen);
			}
			next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next < 0) {
				int err = errno;

				close(cur);
				return fail(path, err, why, wlen);
			}
			close(cur);
			cur = next;
			continue;
		}
		if (on_procfs(cur)) {
			close(cur);
			return refuse(why, wlen, "%s is in /proc and no descriptor of this process "
				      "(allowed there: /dev/fd/N, /proc/self/fd/N)", path);
		}
		rc = resolve_last(path, cur, comp, &st, want_dir, d, why, wlen);
		if (rc) {
			close(cur);
			return rc;
		}
		if (want_dir && S_ISDIR(st.st_mode))
			d->kind = D_DIR;
		d->dirfd = cur;
		d->st = st;
		snprintf(d->name, sizeof(d->name), "%s", comp);
		return OUTPUT_OK;
	}
}

/* Failures on the way (a missing directory, no permission) are the write's to report. */
static int check(const char *path, bool want_dir, char *why, size_t wlen)
{
	struct dest d;
	int rc = resolve(path, want_dir, &d, why, wlen);

	dest_release(&d);
	if (rc == OUTPUT_FAILED && errno != ELOOP && errno != ENAMETOOLONG)
		return OUTPUT_OK;
	return rc == OUTPUT_FAILED ? OUTPUT_REFUSED : rc;
}

int output_check(const char *path, char *why, size_t wlen)
{
	return check(path, false, why, wlen);
}

int output_check_dir(const char *path, char *why, size_t wlen)
{
	return check(path, true, why, wlen);
}

int output_descriptor(const char *path)
{
	char why[OUTPUT_WHY_LEN];
	struct dest d;
	int fd;

	if (strcmp(path, "-") == 0)
		return STDOUT_FILENO;
	resolve(path, false, &d, why, sizeof(why));
	fd = d.fd;
	dest_release(&d);
	return fd;
}

bool output_is_stdout(const char *path)
{
	return output_descriptor(path) == STDOUT_FILENO;
}

/* ---- writing ------------------------------------------------------------------ */

struct output_writer {
	pthread_mutex_t mu;
	pthread_cond_t cv;        /* a job for the thread; a job done for the waiter */
	pthread_t thread;
	char *path;
	bool snapshots;           /* the output is a regular file */
	int refs;                 /* the thread's and the owner's */
	/* the next job */
	char *data;
	size_t len;
	bool have_job, job_final, stop;
	/* the thread's state */
	bool busy, final_done, exited;
	int final_rc, final_errno;
	char final_why[OUTPUT_WHY_LEN];
	bool snap_failed, snap_reported;
	char snap_why[OUTPUT_WHY_LEN];
	uint64_t progress;        /* steps done: atomic, read by the waiter */
	int abandoned;            /* the owner gave up: atomic, stops retry loops */
};

static void step(struct output_writer *w)
{
	__atomic_add_fetch(&w->progress, 1, __ATOMIC_RELAXED);
}

static bool abandoned(struct output_writer *w)
{
	return __atomic_load_n(&w->abandoned, __ATOMIC_RELAXED);
}

static void nap(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / NSEC_PER_SEC), (long)(ns % NSEC_PER_SEC) };

	nanosleep(&ts, NULL);
}

/* All of data, in chunks; a non-blocking descriptor waits in poll(). */
static int write_all(struct output_writer *w, int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len < WRITE_CHUNK ? len : WRITE_CHUNK);

		if (n < 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (errno != EINTR && errno != EAGAIN)
				return -1;
			if (abandoned(w)) {
				errno = ECANCELED;
				return -1;
			}
			if (errno == EAGAIN)
				poll(&pfd, 1, 100);
			continue;
		}
		data += n;
		len -= (size_t)n;
		step(w);
	}
	return 0;
}

static int write_special(struct output_writer *w, const char *path, struct dest *d,
			 const char *data, size_t len, char *why, size_t wlen)
{
	struct stat st;
	int fd, err;

	/* O_NONBLOCK: no reader is ENXIO (tried again), a full pipe waits in poll(). */
	for (;;) {
		fd = openat(d->dirfd, d->name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
			    O_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != ENXIO || !S_ISFIFO(d->st.st_mode))
			return fail(path, errno, why, wlen);
		if (abandoned(w))
			return fail(path, ECANCELED, why, wlen);
		nap(RETRY_NS);
	}
	if (fstat(fd, &st) || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
		close(fd);
		return refuse(why, wlen, "%s changed under the run: now %s (%s)", path,
			      S_ISBLK(st.st_mode) ? "a block device" : "not a FIFO or character "
			      "device", S_ISBLK(st.st_mode) ? BLOCK_WORDS : ALLOWED);
	}
	step(w);
	if (write_all(w, fd, data, len)) {
		err = errno;
		close(fd);
		return fail(path, err, why, wlen);
	}
	if (close(fd) && errno != EINTR)
		return fail(path, errno, why, wlen);
	return OUTPUT_OK;
}

/* A fresh NAME.tmp.XXXXXX in dirfd, opened for writing. */
static int make_temp(int dirfd, const char *name, char *tmp, size_t len)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static uint64_t counter;
	int tries, i;

	if (strlen(name) + 11 > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (tries = 0; tries < 100; tries++) {
		uint64_t x = now_ns() ^ ((uint64_t)getpid() << 32) ^
			     __atomic_add_fetch(&counter, 0x9e3779b97f4a7c15ULL, __ATOMIC_RELAXED);
		char suffix[7];
		int fd;

		x ^= x >> 31;
		x *= 0xbf58476d1ce4e5b9ULL;
		x ^= x >> 29;
		for (i = 0; i < 6; i++, x /= 62)
			suffix[i] = chars[x % 62];
		suffix[6] = '\0';
		snprintf(tmp, len, "%s.tmp.%s", name, suffix);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/* The atomic replacement: temporary file, fsync, rename, fsync of the directory. */
static int write_file(struct output_writer *w, const char *path, struct dest *d,
		      const char *data, size_t len, char *why, size_t wlen)
{
	char tmp[NAME_MAX + 1];
	struct stat now;
	int fd, dfd, err;

	fd = make_temp(d->dirfd, d->name, tmp, sizeof(tmp));
	if (fd < 0)
		return fail(path, errno, why, wlen);
	step(w);
	if (d->kind == D_REG) {
		/* The replaced file's owner (when we may) and mode, not ours. */
		if (d->st.st_uid != geteuid() || d->st.st_gid != getegid())
			(void)!fchown(fd, d->st.st_uid, d->st.st_gid);
		err = fchmod(fd, d->st.st_mode & 0777);
	} else {
		err = fchmod(fd, 0644);
	}
	if (err || write_all(w, fd, data, len) || fsync(fd))
		goto fail_open;
	step(w);
	if (close(fd)) {
		fd = -1;
		goto fail_open;
	}
	fd = -1;
	/* Never rename over anything that turned into something else meanwhile. */
	if (fstatat(d->dirfd, d->name, &now, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(now.st_mode)) {
		unlinkat(d->dirfd, tmp, 0);
		return refuse(why, wlen, "%s changed under the run: now %s; not replaced", path,
			      S_ISLNK(now.st_mode) ? "a symlink" : S_ISBLK(now.st_mode) ?
			      "a block device" : S_ISDIR(now.st_mode) ? "a directory" :
			      "not a regular file");
	}
	if (renameat(d->dirfd, tmp, d->dirfd, d->name))
		goto fail_open;
	step(w);
	/* Make the rename itself durable. */
	dfd = openat(d->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return OUTPUT_OK;
fail_open:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(d->dirfd, tmp, 0);
	return fail(path, err, why, wlen);
}

/* The rule again, then the write: on the writer thread only. */
static int write_now(struct output_writer *w, const char *data, size_t len, char *why,
		     size_t wlen)
{
	struct dest d;
	int rc = resolve(w->path, false, &d, why, wlen);

	if (rc)
		return rc;
	switch (d.kind) {
	case D_FD:
		rc = write_all(w, d.fd, data, len) ? fail(w->path, errno, why, wlen) : OUTPUT_OK;
		break;
	case D_SPECIAL:
		rc = write_special(w, w->path, &d, data, len, why, wlen);
		break;
	default:
		rc = write_file(w, w->path, &d, data, len, why, wlen);
		break;
	}
	dest_release(&d);
	return rc;
}

static void writer_free(struct output_writer *w)
{
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->data);
	free(w->path);
	free(w);
}

/* Drop one reference; the last one frees. Called without the lock. */
static void writer_put(struct output_writer *w)
{
	bool last;

	pthread_mutex_lock(&w->mu);
	last = --w->refs == 0;
	pthread_mutex_unlock(&w->mu);
	if (last)
		writer_free(w);
}

static void *writer_main(void *arg)
{
	struct output_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		char why[OUTPUT_WHY_LEN];
		char *data;
		size_t len;
		bool final;
		int rc, err;

		while (!w->have_job && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->have_job || abandoned(w))
			break;
		data = w->data;
		len = w->len;
		final = w->job_final;
		w->data = NULL;
		w->have_job = false;
		w->busy = true;
		pthread_mutex_unlock(&w->mu);

		why[0] = '\0';
		rc = write_now(w, data, len, why, sizeof(why));
		err = errno;
		free(data);

		pthread_mutex_lock(&w->mu);
		w->busy = false;
		if (final) {
			w->final_done = true;
			w->final_rc = rc;
			w->final_errno = err;
			snprintf(w->final_why, sizeof(w->final_why), "%s", why);
		} else if (rc && !w->snap_failed) {
			w->snap_failed = true;
			snprintf(w->snap_why, sizeof(w->snap_why), "%s", why);
		}
		pthread_cond_broadcast(&w->cv);
	}
	w->exited = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	writer_put(w);
	return NULL;
}

static struct output_writer *writer_new(const char *path, bool snapshots)
{
	struct output_writer *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc;

	if (!w || !(w->path = strdup(path))) {
		free(w);
		return NULL;
	}
	w->snapshots = snapshots;
	w->refs = 2;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* Born with every signal blocked: SIGINT and SIGTERM are the main thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		writer_free(w);
		return NULL;
	}
	return w;
}

struct output_writer *output_writer_start(const char *path)
{
	char why[OUTPUT_WHY_LEN];
	struct dest d;
	bool file;

	/* Rewritten during a run: regular files only (a stream gets the final document). */
	file = resolve(path, false, &d, why, sizeof(why)) == OUTPUT_OK &&
	       (d.kind == D_NEW || d.kind == D_REG);
	dest_release(&d);
	return writer_new(path, file);
}

void output_writer_post(struct output_writer *w, char *data, size_t len)
{
	if (!w->snapshots) {
		free(data);
		return;
	}
	pthread_mutex_lock(&w->mu);
	free(w->data);   /* a snapshot not yet written: the newer one wins */
	w->data = data;
	w->len = len;
	w->have_job = true;
	w->job_final = false;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

bool output_writer_failed(struct output_writer *w, char *why, size_t wlen)
{
	bool report;

	pthread_mutex_lock(&w->mu);
	report = w->snap_failed && !w->snap_reported;
	if (report) {
		w->snap_reported = true;
		snprintf(why, wlen, "%s", w->snap_why);
	}
	pthread_mutex_unlock(&w->mu);
	return report;
}

static struct timespec mono_at(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / NSEC_PER_SEC), (long)(ns % NSEC_PER_SEC) };
}

int output_writer_finish(struct output_writer *w, char *data, size_t len, const char *what,
			 char *why, size_t wlen)
{
	const uint64_t stall = OUTPUT_STALL_S * NSEC_PER_SEC;
	uint64_t seen, deadline;
	int rc = OUTPUT_OK, err = 0;
	bool left_behind = false;

	/* Whatever stdio holds for standard output goes before the document. */
	fflush(stdout);
	pthread_mutex_lock(&w->mu);
	free(w->data);
	w->data = data;
	w->len = len;
	w->have_job = data != NULL;
	w->job_final = true;
	w->final_done = data == NULL;
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	seen = __atomic_load_n(&w->progress, __ATOMIC_RELAXED);
	deadline = now_ns() + stall;
	/* Wait while the writer gets on; give up once it has done nothing for the stall time. */
	while (!w->final_done || w->busy) {
		struct timespec ts = mono_at(deadline);
		uint64_t p;

		pthread_cond_timedwait(&w->cv, &w->mu, &ts);
		if (w->final_done && !w->busy)
			break;
		if (now_ns() < deadline)
			continue;
		p = __atomic_load_n(&w->progress, __ATOMIC_RELAXED);
		if (p != seen) {
			seen = p;
			deadline = now_ns() + stall;
			continue;
		}
		__atomic_store_n(&w->abandoned, 1, __ATOMIC_RELAXED);
		rc = OUTPUT_BLOCKED;
		break;
	}
	if (rc == OUTPUT_BLOCKED) {
		/* A writer waiting for a FIFO's reader or in poll() sees that and ends soon. */
		struct timespec ts = mono_at(now_ns() + GIVE_UP_NS);

		while (!w->exited && pthread_cond_timedwait(&w->cv, &w->mu, &ts) != ETIMEDOUT)
			;
		left_behind = !w->exited;
	}
	if (rc == OUTPUT_OK && data) {
		rc = w->final_rc;
		err = w->final_errno;
		if (rc)
			snprintf(why, wlen, "%s", w->final_why);
	}
	pthread_mutex_unlock(&w->mu);
	if (rc == OUTPUT_BLOCKED)
		snprintf(why, wlen, "%s blocked for %d s; %s was not written", w->path,
			 OUTPUT_STALL_S, what);
	if (left_behind) {
		/* Stuck in the kernel: it frees the writer if it ever comes back. */
		pthread_detach(w->thread);
		supervise_threads_left();
		writer_put(w);
		errno = ETIMEDOUT;
		return rc;
	}
	pthread_join(w->thread, NULL);
	/* The thread dropped its reference on the way out. */
	writer_put(w);
	/* errno is per thread: the writer's, for the caller's message. */
	errno = rc == OUTPUT_FAILED ? (err ? err : EIO) : rc == OUTPUT_REFUSED ? EPERM :
		rc == OUTPUT_BLOCKED ? ETIMEDOUT : 0;
	return rc;
}

int output_write(const char *path, char *data, size_t len, const char *what, char *why,
		 size_t wlen)
{
	/* Nothing but the thread touches the file system for this write. */
	struct output_writer *w = writer_new(path, false);

	if (!w) {
		free(data);
		return fail(path, ENOMEM, why, wlen);
	}
	return output_writer_finish(w, data, len, what, why, wlen);
}

bool output_is_file(const char *path, char *name, size_t nlen)
{
	char why[OUTPUT_WHY_LEN];
	struct dest d;
	bool file;

	file = resolve(path, false, &d, why, sizeof(why)) == OUTPUT_OK &&
	       (d.kind == D_NEW || d.kind == D_REG);
	if (file && name)
		snprintf(name, nlen, "%s", d.name);
	dest_release(&d);
	return file;
}

int output_open_beside(const char *path, const char *suffix, char *name, size_t nlen,
		       char *why, size_t wlen)
{
	char cname[NAME_MAX + 1], tmp[NAME_MAX + 1], where[PATH_MAX + NAME_MAX + 2];
	struct stat st;
	struct dest d;
	int fd = -1, dfd, err;

	if (resolve(path, false, &d, why, wlen) != OUTPUT_OK) {
		dest_release(&d);
		return -1;
	}
	if (d.kind != D_NEW && d.kind != D_REG) {
		dest_release(&d);
		snprintf(why, wlen, "%s is not a regular file: no file can go beside it", path);
		return -1;
	}
	if (strlen(d.name) + strlen(suffix) > NAME_MAX) {
		dest_release(&d);
		fail(path, ENAMETOOLONG, why, wlen);
		return -1;
	}
	memcpy(cname, d.name, strlen(d.name));
	memcpy(cname + strlen(d.name), suffix, strlen(suffix) + 1);
	dest_path(d.dirfd, cname, where, sizeof(where));
	if (fstatat(d.dirfd, cname, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
		dest_release(&d);
		refuse(why, wlen, "%s exists and is not a regular file (it would be replaced)",
		       where);
		return -1;
	}
	fd = make_temp(d.dirfd, cname, tmp, sizeof(tmp));
	if (fd < 0 || fchmod(fd, 0644) || renameat(d.dirfd, tmp, d.dirfd, cname)) {
		err = errno;
		if (fd >= 0) {
			close(fd);
			unlinkat(d.dirfd, tmp, 0);
		}
		dest_release(&d);
		fail(where, err, why, wlen);
		return -1;
	}
	dfd = openat(d.dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	dest_release(&d);
	snprintf(name, nlen, "%s", cname);
	return fd;
}

int make_dirs(const char *dir)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}
