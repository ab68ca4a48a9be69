/*
 * io_uring engine (liburing), chosen with --engine io_uring. Each worker
 * owns one ring; submissions go through the submission queue, completions
 * are read from the completion ring in user space, and the worker enters
 * the kernel only to submit and to wait.
 */
#include "engine/ioengine.h"

#include <errno.h>
#include <liburing.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * The submission queue only has to hold one submit call (the engine
 * submits in slices of an eighth of a worker's depth, and a call may take
 * fewer than offered); the completion queue must hold every I/O in flight.
 */
#define SQ_MAX 4096u

struct uring_ctx {
	struct io_uring ring;
	unsigned depth;
};

static void *uring_setup(unsigned depth, int *err)
{
	struct uring_ctx *c = calloc(1, sizeof(*c));
	struct io_uring_params p = { 0 };
	int rc;

	if (!c) {
		*err = ENOMEM;
		return NULL;
	}
	c->depth = depth;
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = depth < 2 ? 2 : depth;
	rc = io_uring_queue_init_params(depth < SQ_MAX ? depth : SQ_MAX, &c->ring, &p);
	if (rc < 0) {
		*err = -rc;
		free(c);
		return NULL;
	}
	return c;
}

static void uring_teardown(void *ctx)
{
	struct uring_ctx *c = ctx;

	if (!c)
		return;
	io_uring_queue_exit(&c->ring);
	free(c);
}

static int uring_submit(void *ctx, int fd, struct io_unit **units, unsigned n)
{
	struct uring_ctx *c = ctx;
	unsigned i;
	int rc;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
		struct io_unit *u = units[i];

		if (!sqe)
			break;  /* the queue is full: submit what it holds */
		if (u->write)
			io_uring_prep_write(sqe, fd, u->buf, u->len, u->off);
		else
			io_uring_prep_read(sqe, fd, u->buf, u->len, u->off);
		io_uring_sqe_set_data(sqe, u);
	}
	/*
	 * Once in the queue an I/O cannot be taken back, so it counts as
	 * accepted: what a call leaves unconsumed (the kernel ran short of
	 * memory or of completion slots) goes with the next submit or wait.
	 */
	rc = io_uring_submit(&c->ring);
	if (rc < 0 && rc != -EAGAIN && rc != -EBUSY && rc != -EINTR && !i)
		return rc;
	return (int)i;
}

/* Take up to max completions from the completion ring; returns how many. */
static unsigned cq_take(struct uring_ctx *c, unsigned max, struct io_done *out)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe(&c->ring, head, cqe) {
		if (n == max)
			break;
		out[n].u = io_uring_cqe_get_data(cqe);
		out[n].res = cqe->res;
		n++;
	}
	io_uring_cq_advance(&c->ring, n);
	return n;
}

static int uring_reap(void *ctx, unsigned min, unsigned max, struct io_done *out,
		      uint64_t timeout_ns)
{
	struct uring_ctx *c = ctx;
	struct __kernel_timespec ts = {
		.tv_sec = (long long)(timeout_ns / 1000000000ULL),
		.tv_nsec = (long long)(timeout_ns % 1000000000ULL),
	};
	struct io_uring_cqe *cqe;
	unsigned got;
	int rc;

	if (max > c->depth)
		max = c->depth;
	got = cq_take(c, max, out);
	if (got >= min || got == max)
		return (int)got;
	if (io_uring_sq_ready(&c->ring))
		io_uring_submit(&c->ring);  /* left over from a short submit */
	rc = io_uring_wait_cqes(&c->ring, &cqe, min - got,
				timeout_ns == REAP_FOREVER ? NULL : &ts, NULL);
	/* A signal or the timeout ends the wait early: hand back what came. */
	if (rc < 0 && rc != -EINTR && rc != -ETIME && !got)
		return rc;
	return (int)(got + cq_take(c, max - got, out + got));
}

const struct ioeng_ops ioeng_io_uring = {
	.name = "io_uring",
	.setup = uring_setup,
	.teardown = uring_teardown,
	.submit = uring_submit,
	.reap = uring_reap,
};
