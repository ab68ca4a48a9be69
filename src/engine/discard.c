#include "engine/discard.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "util/timeutil.h"

static void *discarder_main(void *arg)
{
	struct discarder *d = arg;

	for (;;) {
		unsigned head, tail;
		struct io_unit *u;
		uint64_t range[2];
		long res;

		if (sem_wait(&d->req_sem) && errno == EINTR)
			continue;
		if (__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE))
			break;
		head = __atomic_load_n(&d->req_head, __ATOMIC_RELAXED);
		tail = __atomic_load_n(&d->req_tail, __ATOMIC_ACQUIRE);
		if (head == tail)
			continue;
		u = d->req[head % d->cap];
		__atomic_store_n(&d->req_head, head + 1, __ATOMIC_RELEASE);
		range[0] = u->off;
		range[1] = u->len;
		__atomic_store_n(&d->busy, 1, __ATOMIC_RELAXED);
		if (d->regular)
			res = fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					(off_t)u->off, (off_t)u->len) == 0 ? (long)u->len : -errno;
		else
			res = ioctl(d->fd, BLKDISCARD, range) == 0 ? (long)u->len : -errno;
		u->t_done = now_ns();
		__atomic_store_n(&d->busy, 0, __ATOMIC_RELAXED);
		tail = __atomic_load_n(&d->done_tail, __ATOMIC_RELAXED);
		d->done[tail % d->cap] = (struct io_done){ .u = u, .res = res };
		__atomic_store_n(&d->done_tail, tail + 1, __ATOMIC_RELEASE);
		sem_post(&d->done_sem);
	}
	return NULL;
}

int discarder_start(struct discarder *d, int fd, unsigned cap)
{
	int rc;

	struct stat sb;

	memset(d, 0, sizeof(*d));
	d->fd = fd;
	/* A regular file (a scratch target): its discard is a punched hole. */
	d->regular = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	d->cap = cap ? cap : 1;
	d->req = calloc(d->cap, sizeof(*d->req));
	d->done = calloc(d->cap, sizeof(*d->done));
	if (!d->req || !d->done) {
		free(d->req);
		free(d->done);
		return ENOMEM;
	}
	sem_init(&d->req_sem, 0, 0);
	sem_init(&d->done_sem, 0, 0);
	rc = pthread_create(&d->thread, NULL, discarder_main, d);
	if (rc) {
		discarder_free(d);
		return rc;
	}
	pthread_setname_np(d->thread, "dmrb-discard");
	d->started = true;
	return 0;
}

void discarder_push(struct discarder *d, struct io_unit *u)
{
	unsigned tail = __atomic_load_n(&d->req_tail, __ATOMIC_RELAXED);

	d->req[tail % d->cap] = u;
	__atomic_store_n(&d->req_tail, tail + 1, __ATOMIC_RELEASE);
	sem_post(&d->req_sem);
}

unsigned discarder_reap(struct discarder *d, struct io_done *out, unsigned max, uint64_t wait_ns)
{
	unsigned head = d->done_head, tail, n = 0;

	if (wait_ns) {
		struct timespec ts;
		uint64_t t;

		clock_gettime(CLOCK_REALTIME, &ts);
		t = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec + wait_ns;
		ts.tv_sec = (time_t)(t / NSEC_PER_SEC);
		ts.tv_nsec = (long)(t % NSEC_PER_SEC);
		/* A signal (the monitor's wake-up) or the timeout ends it: fine either way. */
		if (sem_timedwait(&d->done_sem, &ts) == 0)
			sem_post(&d->done_sem);  /* counted below with the others */
	}
	tail = __atomic_load_n(&d->done_tail, __ATOMIC_ACQUIRE);
	while (head != tail && n < max) {
		out[n++] = d->done[head % d->cap];
		head++;
		/* One semaphore count per completion: take it back without blocking. */
		while (sem_trywait(&d->done_sem) && errno == EINTR)
			;
	}
	__atomic_store_n(&d->done_head, head, __ATOMIC_RELEASE);
	return n;
}

bool discarder_stop(struct discarder *d, const struct timespec *deadline)
{
	if (!d->started)
		return true;
	__atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
	sem_post(&d->req_sem);
	if (pthread_timedjoin_np(d->thread, NULL, deadline) == 0) {
		d->started = false;
		return true;
	}
	pthread_detach(d->thread);
	return false;
}

void discarder_free(struct discarder *d)
{
	sem_destroy(&d->req_sem);
	sem_destroy(&d->done_sem);
	free(d->req);
	free(d->done);
	d->req = NULL;
	d->done = NULL;
}
