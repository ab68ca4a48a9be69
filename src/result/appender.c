#include "result/appender.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "result/output.h"
#include "run/supervise.h"
#include "util/timeutil.h"

/* How long a writer that is not waited for (status lines) may take to end. */
#define NO_WAIT_NS (100 * NSEC_PER_MSEC)
/* How long a writer that was given up may take to notice and end. */
#define GIVE_UP_NS (300 * NSEC_PER_MSEC)

struct buf {
	char *p;
	size_t len, cap;
	uint64_t lines;
};

struct output_appender {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int refs;                 /* the thread's and the owner's */
	/* where */
	char *doc_path, *suffix;  /* a companion beside doc_path; NULL for a descriptor */
	int fd;                   /* -1 until the companion is open */
	char name[NAME_MAX + 1];
	/* the queue */
	struct buf pending;
	size_t max_queue;
	bool closing, busy, exited;
	uint64_t close_ns;
	/* the outcome */
	bool failed, reported;
	char why[OUTPUT_WHY_LEN];
	struct appender_stats st;
	uint64_t progress_ns;     /* atomic: the last time the output took bytes */
	int abandoned;            /* atomic: the owner gave up; stop writing */
};

static uint64_t count_lines(const char *p, size_t len)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += p[i] == '\n';
	return n;
}

static void progressed(struct output_appender *a)
{
	__atomic_store_n(&a->progress_ns, now_ns(), __ATOMIC_RELAXED);
}

/* All of p; a non-blocking descriptor waits in poll(). -1 with errno. */
static int write_all(struct output_appender *a, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(a->fd, p, len);

		if (n < 0) {
			struct pollfd pfd = { .fd = a->fd, .events = POLLOUT };

			if (errno != EINTR && errno != EAGAIN)
				return -1;
			if (__atomic_load_n(&a->abandoned, __ATOMIC_RELAXED)) {
				errno = ECANCELED;
				return -1;
			}
			if (errno == EAGAIN)
				poll(&pfd, 1, 100);
			continue;
		}
		p += n;
		len -= (size_t)n;
		progressed(a);
	}
	return 0;
}

static void appender_free(struct output_appender *a)
{
	if (a->doc_path && a->fd >= 0)
		close(a->fd);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a->pending.p);
	free(a->doc_path);
	free(a->suffix);
	free(a);
}

static void appender_put(struct output_appender *a)
{
	bool last;

	pthread_mutex_lock(&a->mu);
	last = --a->refs == 0;
	pthread_mutex_unlock(&a->mu);
	if (last)
		appender_free(a);
}

/* One batch, outside the lock: open on first use, write, sync. 0 or -1 with why. */
static int write_batch(struct output_appender *a, const struct buf *b, char *why, size_t wlen)
{
	if (a->fd < 0) {
		char name[NAME_MAX + 1];

		a->fd = output_open_beside(a->doc_path, a->suffix, name, sizeof(name), why, wlen);
		if (a->fd < 0)
			return -1;
		pthread_mutex_lock(&a->mu);
		snprintf(a->name, sizeof(a->name), "%s", name);
		pthread_mutex_unlock(&a->mu);
		progressed(a);
	}
	if (write_all(a, b->p, b->len) || (a->doc_path && fdatasync(a->fd))) {
		int err = errno;

		if (a->doc_path)
			snprintf(why, wlen, "cannot write %s beside %s: %s", a->name, a->doc_path,
				 strerror(err));
		else
			snprintf(why, wlen, "cannot write: %s", strerror(err));
		return -1;
	}
	return 0;
}

static void *appender_main(void *arg)
{
	struct output_appender *a = arg;
	struct buf mine = { 0 };

	/* A companion exists from the start, empty, as the document says. */
	if (a->doc_path) {
		char why[OUTPUT_WHY_LEN];
		struct buf none = { 0 };

		if (write_batch(a, &none, why, sizeof(why))) {
			pthread_mutex_lock(&a->mu);
			a->failed = true;
			snprintf(a->why, sizeof(a->why), "%s", why);
			pthread_mutex_unlock(&a->mu);
		}
	}
	pthread_mutex_lock(&a->mu);
	for (;;) {
		struct buf tmp;
		char why[OUTPUT_WHY_LEN];
		uint64_t t0, dt;
		int rc;

		while (!a->pending.len && !a->closing)
			pthread_cond_wait(&a->cv, &a->mu);
		if (!a->pending.len || __atomic_load_n(&a->abandoned, __ATOMIC_RELAXED))
			break;
		/* Swap: the queue gets the empty buffer, this thread the lines. */
		tmp = a->pending;
		a->pending = mine;
		a->pending.len = 0;
		a->pending.lines = 0;
		mine = tmp;
		a->busy = true;
		pthread_mutex_unlock(&a->mu);

		t0 = now_ns();
		why[0] = '\0';
		rc = a->failed ? -1 : write_batch(a, &mine, why, sizeof(why));
		dt = now_ns() - t0;

		pthread_mutex_lock(&a->mu);
		a->busy = false;
		if (rc) {
			if (!a->failed) {
				a->failed = true;
				snprintf(a->why, sizeof(a->why), "%s", why);
			}
			a->st.lines_dropped += mine.lines;
		} else {
			a->st.lines_written += mine.lines;
			a->st.bytes_written += mine.len;
			a->st.write_ns_last = dt;
			if (dt > a->st.write_ns_max)
				a->st.write_ns_max = dt;
		}
		mine.len = 0;
		mine.lines = 0;
		pthread_cond_broadcast(&a->cv);
	}
	a->exited = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	free(mine.p);
	appender_put(a);
	return NULL;
}

static struct output_appender *appender_new(const char *doc_path, const char *suffix, int fd,
					    size_t max_queue)
{
	struct output_appender *a = calloc(1, sizeof(*a));
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc;

	if (!a)
		return NULL;
	a->fd = fd;
	a->max_queue = max_queue;
	a->refs = 2;
	if (doc_path && (!(a->doc_path = strdup(doc_path)) || !(a->suffix = strdup(suffix)))) {
		free(a->doc_path);
		free(a);
		return NULL;
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->cv, &ca);
	pthread_condattr_destroy(&ca);
	progressed(a);
	/* Born with every signal blocked: SIGINT and SIGTERM are the main thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&a->thread, NULL, appender_main, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		a->fd = -1;
		appender_free(a);
		return NULL;
	}
	return a;
}

struct output_appender *output_appender_beside(const char *doc_path, const char *suffix,
					       size_t max_queue)
{
	return appender_new(doc_path, suffix, -1, max_queue);
}

struct output_appender *output_appender_fd(int fd, size_t max_queue)
{
	return appender_new(NULL, NULL, fd, max_queue);
}

bool output_appender_post(struct output_appender *a, const char *data, size_t len)
{
	uint64_t lines = count_lines(data, len);
	bool ok = false;

	pthread_mutex_lock(&a->mu);
	if (!a->failed && !a->closing && a->pending.len + len <= a->max_queue) {
		if (a->pending.len + len > a->pending.cap) {
			size_t cap = a->pending.cap ? a->pending.cap : 4096;
			char *p;

			while (cap < a->pending.len + len)
				cap *= 2;
			p = realloc(a->pending.p, cap);
			if (p) {
				a->pending.p = p;
				a->pending.cap = cap;
			}
		}
		if (a->pending.len + len <= a->pending.cap) {
			memcpy(a->pending.p + a->pending.len, data, len);
			a->pending.len += len;
			a->pending.lines += lines;
			a->st.lines_posted += lines;
			ok = true;
			pthread_cond_signal(&a->cv);
		}
	}
	if (!ok)
		a->st.lines_dropped += lines;
	pthread_mutex_unlock(&a->mu);
	return ok;
}

void output_appender_stats(struct output_appender *a, struct appender_stats *st)
{
	pthread_mutex_lock(&a->mu);
	*st = a->st;
	pthread_mutex_unlock(&a->mu);
}

void output_appender_name(struct output_appender *a, char *name, size_t len)
{
	pthread_mutex_lock(&a->mu);
	snprintf(name, len, "%s", a->failed ? "" : a->name);
	pthread_mutex_unlock(&a->mu);
}

bool output_appender_failed(struct output_appender *a, char *why, size_t wlen)
{
	bool report;

	pthread_mutex_lock(&a->mu);
	report = a->failed && !a->reported;
	if (report) {
		a->reported = true;
		snprintf(why, wlen, "%s", a->why);
	}
	pthread_mutex_unlock(&a->mu);
	return report;
}

void output_appender_close(struct output_appender *a)
{
	pthread_mutex_lock(&a->mu);
	if (!a->closing) {
		a->closing = true;
		a->close_ns = now_ns();
	}
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

static struct timespec mono_at(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / NSEC_PER_SEC), (long)(ns % NSEC_PER_SEC) };
}

int output_appender_finish(struct output_appender *a, bool wait, const char *what, char *why,
			   size_t wlen)
{
	const uint64_t stall = OUTPUT_STALL_S * NSEC_PER_SEC;
	int rc = OUTPUT_OK;
	bool left_behind;

	output_appender_close(a);
	pthread_mutex_lock(&a->mu);
	for (;;) {
		uint64_t p = __atomic_load_n(&a->progress_ns, __ATOMIC_RELAXED);
		uint64_t deadline = wait ? (p > a->close_ns ? p : a->close_ns) + stall :
				    a->close_ns + NO_WAIT_NS;
		struct timespec ts = mono_at(deadline);

		if (a->exited)
			break;
		if (now_ns() >= deadline) {
			__atomic_store_n(&a->abandoned, 1, __ATOMIC_RELAXED);
			rc = wait ? OUTPUT_BLOCKED : OUTPUT_OK;
			break;
		}
		pthread_cond_timedwait(&a->cv, &a->mu, &ts);
	}
	if (rc == OUTPUT_BLOCKED) {
		struct timespec ts = mono_at(now_ns() + GIVE_UP_NS);

		while (!a->exited && pthread_cond_timedwait(&a->cv, &a->mu, &ts) != ETIMEDOUT)
			;
	}
	if (rc == OUTPUT_OK && a->failed && wait) {
		rc = OUTPUT_FAILED;
		snprintf(why, wlen, "%s", a->why);
	}
	left_behind = !a->exited;
	pthread_mutex_unlock(&a->mu);
	if (rc == OUTPUT_BLOCKED) {
		char name[NAME_MAX + 1];

		output_appender_name(a, name, sizeof(name));
		if (name[0])
			snprintf(why, wlen, "%s blocked for %d s; %s is incomplete", name,
				 OUTPUT_STALL_S, what);
		else
			snprintf(why, wlen, "the file beside %s blocked for %d s; %s is incomplete",
				 a->doc_path ? a->doc_path : "the output", OUTPUT_STALL_S, what);
	}
	if (left_behind) {
		/* Asleep in the kernel: it frees the appender if it ever comes back. */
		pthread_detach(a->thread);
		supervise_threads_left();
		appender_put(a);
		return rc;
	}
	pthread_join(a->thread, NULL);
	appender_put(a);
	return rc;
}
