/*
 * The flush pass: do flushes and FUA writes sent to the top device reach
 * the main device? A remapping target that swallows them loses
 * acknowledged writes on power loss.
 *
 * Counted in the main device's own flush counter (/sys/block/<dev>/stat,
 * flush I/Os), read before and after each op, so that each op's count is
 * known. First the same ops sent to the main device itself (opened without
 * O_EXCL beside the failing disk that holds it) say what one op counts
 * there: a flush usually 1, a FUA write on a device without FUA of its own
 * 2 (the write's post-flush and the flush of its sync). Then EV_FLUSH_OPS
 * fdatasync() calls and as many RWF_DSYNC writes on the O_DIRECT fd of the
 * top device. evidence.c weighs the counts.
 *
 * Runs before the write pass: the FUA writes go to one block that holds no
 * bad sector, in a generation of the verify format that the read pass
 * refuses, so that the write pass must write the block again for it to
 * read back right.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "util/signals.h"
#include "util/timeutil.h"
#include "sys/devstat.h"
#include "validate/model.h"
#include "verify/block.h"

/* One op on fd: 0 or the errno. */
static int do_op(int fd, bool fua, void *buf, uint32_t bs, uint64_t off)
{
	struct iovec iov = { .iov_base = buf, .iov_len = bs };

	if (fua) {
		ssize_t n = pwritev2(fd, &iov, 1, (off_t)off, RWF_DSYNC);

		return n == (ssize_t)bs ? 0 : n < 0 ? errno : EIO;
	}
	return fdatasync(fd) ? errno : 0;
}

/*
 * The op, and the flushes main counted for it (UINT64_MAX when the counter
 * could not be read). Returns 0 or the op's errno.
 */
static int counted_op(dev_t mdev, int fd, bool fua, void *buf, uint32_t bs, uint64_t off,
		      uint64_t *flushes)
{
	struct devstat b, a;
	bool before = devstat_read(mdev, &b) == 0;
	int rc = do_op(fd, fua, buf, bs, off);

	*flushes = before && devstat_read(mdev, &a) == 0 ? devstat_delta(&b, &a, DS_FLUSH_IOS) :
		   UINT64_MAX;
	return rc;
}

/* What main counts for one op sent to it directly: the least of two tries. */
static void calibrate(struct validate *v, void *buf)
{
	struct ev_flush *e = &v->flush.ev;
	uint64_t off = v->flush.block * v->bs, c;
	int fd, k;

	fd = open(v->disk_main.path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return;  /* calib_ok stays false */
	e->calib_ok = true;
	e->calib_flush = e->calib_fua = UINT64_MAX;
	for (k = 0; k < 2; k++) {
		if (counted_op(v->disk_main.rdev, fd, false, buf, v->bs, off, &c))
			e->calib_ok = false;
		e->calib_flush = c < e->calib_flush ? c : e->calib_flush;
		if (counted_op(v->disk_main.rdev, fd, true, buf, v->bs, off, &c))
			e->calib_ok = false;
		e->calib_fua = c < e->calib_fua ? c : e->calib_fua;
	}
	if (e->calib_flush == UINT64_MAX || e->calib_fua == UINT64_MAX)
		e->calib_ok = false;
	close(fd);
}

/* Main's queue, the top's, and whether main's stat has the flush counter. */
static void describe(struct validate *v)
{
	struct vd_flush *f = &v->flush;
	struct ev_flush *e = &f->ev;
	dev_t mdev = v->disk_main.rdev;
	dev_t tdev = makedev(v->top.info.major, v->top.info.minor);
	struct devstat s;

	if (devstat_queue_attr(mdev, "write_cache", f->main_cache, sizeof(f->main_cache)) == 0)
		e->main_cache = f->main_cache;
	if (devstat_queue_attr(tdev, "write_cache", f->top_cache, sizeof(f->top_cache)) == 0)
		e->top_cache = f->top_cache;
	if (devstat_queue_attr(mdev, "fua", f->main_fua, sizeof(f->main_fua)) == 0)
		e->main_fua = !strcmp(f->main_fua, "1");
	if (devstat_read(mdev, &s))
		snprintf(f->why, sizeof(f->why), "cannot read the kernel counters of %s "
			 "(/sys/dev/block/%u:%u/stat): %s", v->disk_main.path, major(mdev),
			 minor(mdev), strerror(errno));
	else if (s.n <= DS_FLUSH_IOS)
		snprintf(f->why, sizeof(f->why), "the kernel counters of %s have %u fields, no "
			 "flush counter (Linux 5.5 and later count flushes)", v->disk_main.path, s.n);
	else
		e->main_stat = true;
	e->main_why = f->why[0] ? f->why : NULL;
}

void vd_flush_pass(struct validate *v, void *buf)
{
	struct vd_flush *f = &v->flush;
	struct ev_flush *e = &f->ev;
	uint64_t off, blk;
	size_t cur = 0;
	unsigned i;
	int k;

	if (v->signal)
		return;
	/* The first block without a bad sector. */
	for (blk = 0; blk < v->nblocks && vd_block_is_bad(v, blk, &cur); blk++)
		;
	if (blk == v->nblocks)
		return;  /* every block is bad: nothing ran, both checks say so */
	f->ran = true;
	f->block = blk;
	off = blk * v->bs;
	{
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		vblock_fill(buf, v->bs, off, FLUSH_GENERATION, v->data_seed, 0,
			    (uint64_t)rt.tv_sec * NSEC_PER_SEC + (uint64_t)rt.tv_nsec);
	}
	describe(v);
	/* Nothing to learn from main where its counters cannot show a flush. */
	if (e->main_stat && !(e->main_cache && !strcmp(e->main_cache, "write through")))
		calibrate(v, buf);
	for (k = 0; k < 2 && !v->signal; k++) {
		bool fua = k == 1;

		for (i = 0; i < EV_FLUSH_OPS && !v->signal; i++) {
			uint64_t c;
			int rc = counted_op(v->disk_main.rdev, v->fd, fua, buf, v->bs, off, &c);

			f->ops.attempts++;
			if (rc) {
				f->ops.failed++;
				if (!f->ops.first_err)
					f->ops.first_err = rc;
				fua ? e->fua_failed++ : e->flush_failed++;
			}
			if (c == UINT64_MAX) {
				e->main_stat = false;
				snprintf(f->why, sizeof(f->why), "the kernel counters of %s could not "
					 "be read during the pass", v->disk_main.path);
				e->main_why = f->why;
				c = 0;
			}
			if (fua)
				e->fua_main[e->nfua++] = c;
			else
				e->flush_main[e->nflush++] = c;
			v->signal = signals_pending();
		}
	}
}
