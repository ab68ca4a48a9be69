/* libaio (Linux native AIO) engine. */
#include "engine/ioengine.h"

#include <errno.h>
#include <libaio.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct iocb) <= sizeof(((struct io_unit *)0)->priv),
	       "struct iocb must fit in io_unit.priv");

/*
 * The completion ring the kernel maps at the context's address. When its
 * magic is known and no incompatible feature is set, completions that are
 * already there can be taken without a system call.
 */
#define AIO_RING_MAGIC 0xa10a10a1

struct aio_ring {
	unsigned id;
	unsigned nr;
	unsigned head;
	unsigned tail;
	unsigned magic;
	unsigned compat_features;
	unsigned incompat_features;
	unsigned header_length;
	struct io_event events[];
};

struct libaio_ctx {
	io_context_t ctx;
	unsigned depth;
	struct iocb **cbs;
	struct io_event *events;
};

static void *libaio_setup(unsigned depth, int *err)
{
	struct libaio_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c) {
		*err = ENOMEM;
		return NULL;
	}
	c->depth = depth;
	c->cbs = calloc(depth, sizeof(*c->cbs));
	c->events = calloc(depth, sizeof(*c->events));
	if (!c->cbs || !c->events) {
		*err = ENOMEM;
		goto fail;
	}
	rc = io_setup((int)depth, &c->ctx);
	if (rc < 0) {
		*err = -rc;
		goto fail;
	}
	return c;
fail:
	free(c->cbs);
	free(c->events);
	free(c);
	return NULL;
}

static void libaio_teardown(void *ctx)
{
	struct libaio_ctx *c = ctx;

	if (!c)
		return;
	io_destroy(c->ctx);
	free(c->cbs);
	free(c->events);
	free(c);
}

static int libaio_submit(void *ctx, int fd, struct io_unit **units, unsigned n)
{
	struct libaio_ctx *c = ctx;
	unsigned i;
	int rc;

	for (i = 0; i < n; i++) {
		struct io_unit *u = units[i];
		struct iocb *cb = (struct iocb *)u->priv;

		if (u->op == IO_WRITE) {
			io_prep_pwrite(cb, fd, u->buf, u->len, (long long)u->off);
			/* FUA: on an O_DIRECT block device, RWF_DSYNC sets REQ_FUA. */
			if (u->fua)
				cb->aio_rw_flags = RWF_DSYNC;
		} else if (u->op == IO_FLUSH) {
			/* The block device's fsync: an empty REQ_PREFLUSH bio. */
			if (u->full_sync)
				io_prep_fsync(cb, fd);
			else
				io_prep_fdsync(cb, fd);
		} else {
			io_prep_pread(cb, fd, u->buf, u->len, (long long)u->off);
		}
		cb->data = u;
		c->cbs[i] = cb;
	}
	rc = io_submit(c->ctx, (long)n, c->cbs);
	return rc;
}

/* Take up to max completions from the user-space ring; returns how many. */
static unsigned ring_reap(struct libaio_ctx *c, unsigned max, struct io_done *out)
{
	struct aio_ring *r = (struct aio_ring *)c->ctx;
	unsigned head, tail, n = 0;

	if (r->magic != AIO_RING_MAGIC || r->incompat_features)
		return 0;
	head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	while (head != tail && n < max) {
		struct io_event *ev = &r->events[head];

		out[n].u = ev->data;
		out[n].res = (long)ev->res;
		n++;
		if (++head == r->nr)
			head = 0;
	}
	if (n)
		__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
	return n;
}

static int libaio_reap(void *ctx, unsigned min, unsigned max, struct io_done *out,
		       uint64_t timeout_ns)
{
	struct libaio_ctx *c = ctx;
	unsigned got;
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000ULL),
		.tv_nsec = (long)(timeout_ns % 1000000000ULL),
	};
	int rc, i;

	if (max > c->depth)
		max = c->depth;
	got = ring_reap(c, max, out);
	if (got >= min || got == max)
		return (int)got;
	/* Fewer than min were ready: hand back what we took plus what the wait brings. */
	out += got;
	max -= got;
	min -= got;
	/* No timeout when none is needed: a timed sleep arms and cancels a timer each time. */
	rc = io_getevents(c->ctx, (long)min, (long)max, c->events,
			  timeout_ns == REAP_FOREVER ? NULL : &ts);
	if (rc == -EINTR)
		return (int)got;
	if (rc < 0)
		return got ? (int)got : rc;
	for (i = 0; i < rc; i++) {
		out[i].u = c->events[i].data;
		/* res is unsigned long in the ABI; errors are negative longs. */
		out[i].res = (long)c->events[i].res;
	}
	return rc + (int)got;
}

const struct ioeng_ops ioeng_libaio = {
	.name = "libaio",
	.setup = libaio_setup,
	.teardown = libaio_teardown,
	.submit = libaio_submit,
	.reap = libaio_reap,
};
