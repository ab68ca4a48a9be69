/*
 * Writing under the output rule (output.h): the atomic replacement of a
 * regular file, the direct write to a FIFO or a character device, and the
 * writer thread that does both while the caller only waits, giving up
 * after OUTPUT_STALL_S seconds without progress. Where a path leads, and
 * whether it may be written at all, is output.c's.
 */
#include "result/output_int.h"

#include "run/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/timeutil.h"

/* One write() call: small enough that progress shows on a slow output. */
#define WRITE_CHUNK (1u << 20)
/* How often a FIFO without a reader is tried again. */
#define RETRY_NS (20 * NSEC_PER_MSEC)
/* How long a writer that was given up may take to notice and end. */
#define GIVE_UP_NS (300 * NSEC_PER_MSEC)

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
int output_make_temp(int dirfd, const char *name, char *tmp, size_t len)
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

	fd = output_make_temp(d->dirfd, d->name, tmp, sizeof(tmp));
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
	int rc = output_resolve(w->path, false, &d, why, wlen);

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
	file = output_resolve(path, false, &d, why, sizeof(why)) == OUTPUT_OK &&
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
