/*
 * io_uring engine (liburing), chosen with --engine io_uring. Each worker
 * owns one ring; submissions go through the submission queue, completions
 * are read from the completion ring in user space, and the worker enters
 * the kernel only to submit and to wait.
 */
#include "engine/ioengine.h"

#include <errno.h>
#include <liburing.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The submission queue only has to hold one submit call (the engine
 * submits in slices of an eighth of a worker's depth, and a call may take
 * fewer than offered); the completion queue must hold every I/O in flight.
 */
#define SQ_MAX 4096u

struct uring_ctx {
	struct io_uring ring;
	unsigned depth;
	bool deferred;     /* completions wait for the worker to ask for them */
};

/*
 * Each worker is its ring's only submitter, so the kernel may skip its
 * locking (SINGLE_ISSUER) and post completions only when the worker asks
 * for them (DEFER_TASKRUN) rather than interrupting it with an IPI for each
 * (COOP_TASKRUN on kernels without DEFER). The ring is created disabled,
 * in the thread that sets up the run, and enabled by the worker, which
 * then becomes its submitter. Older kernels refuse the newer flags with
 * EINVAL: fall back one step at a time.
 */
static const unsigned setup_flags[] = {
	IORING_SETUP_R_DISABLED | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		IORING_SETUP_COOP_TASKRUN,
	IORING_SETUP_COOP_TASKRUN,
	0,
};

static void *uring_setup(unsigned depth, int *err)
{
	struct uring_ctx *c = calloc(1, sizeof(*c));
	int rc = -EINVAL;
	size_t i;

	if (!c) {
		*err = ENOMEM;
		return NULL;
	}
	c->depth = depth;
	for (i = 0; i < sizeof(setup_flags) / sizeof(setup_flags[0]) && rc == -EINVAL; i++) {
		struct io_uring_params p = {
			.flags = IORING_SETUP_CQSIZE | setup_flags[i],
			.cq_entries = depth < 2 ? 2 : depth,
		};

		rc = io_uring_queue_init_params(depth < SQ_MAX ? depth : SQ_MAX, &c->ring, &p);
		c->deferred = setup_flags[i] & IORING_SETUP_DEFER_TASKRUN;
	}
	if (rc < 0) {
		*err = -rc;
		free(c);
		return NULL;
	}
	return c;
}

static int uring_start(void *ctx)
{
	struct uring_ctx *c = ctx;

	/* Directly: liburing 2.3 declares io_uring_enable_rings() but does not export it. */
	if (!(c->ring.flags & IORING_SETUP_R_DISABLED))
		return 0;
	return syscall(__NR_io_uring_register, c->ring.ring_fd, IORING_REGISTER_ENABLE_RINGS,
		       NULL, 0) < 0 ? -errno : 0;
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
		if (u->op == IO_WRITE) {
			io_uring_prep_write(sqe, fd, u->buf, u->len, u->off);
			if (u->fua)
				sqe->rw_flags = RWF_DSYNC;  /* REQ_FUA on an O_DIRECT block device */
		} else if (u->op == IO_FLUSH) {
			io_uring_prep_fsync(sqe, fd, u->full_sync ? 0 : IORING_FSYNC_DATASYNC);
		} else {
			io_uring_prep_read(sqe, fd, u->buf, u->len, u->off);
		}
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
	if (c->deferred && got < max && (got < min || !got)) {
		/* Deferred completions reach the ring only when asked for. */
		io_uring_get_events(&c->ring);
		got += cq_take(c, max - got, out + got);
	}
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
	.start = uring_start,
	.submit = uring_submit,
	.reap = uring_reap,
};
