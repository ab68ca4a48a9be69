/*
 * The latency pass: is a block that holds a bad sector served from the
 * spare, and what does that cost? A block counts as remapped only on
 * evidence: its read moved the spare device's own kernel read counters
 * (/sys/block/<spare>/stat: at least one read and a block's worth of
 * sectors, counted around that read alone) and returned the bytes the
 * tool wrote there. A counter of the module saying an entry exists is no
 * such evidence.
 *
 * First a read straight from the spare shows whether its counters count
 * reads at all (some drivers do not). Then each block holding a bad sector
 * is read once (the probe); only a block the probe shows remapped is read
 * latency_reads more times, each against a read of a random other block,
 * and only reads served from the spare with the right bytes are timed as
 * "remapped". Every read is counted, and every failed one is a failed I/O
 * of this pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/prng.h"
#include "stats/hist.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "sys/devstat.h"
#include "validate/model.h"
#include "verify/block.h"

/* The spare's read counters moved by one read of a block. */
static bool served(const struct devstat *b, const struct devstat *a, uint32_t bs)
{
	return devstat_delta(b, a, DS_RD_IOS) >= 1 && devstat_delta(b, a, DS_RD_SECTORS) >= bs / 512;
}

/* Whether the spare's counters count reads: a direct read must move them. */
static void spare_observable(struct validate *v, void *buf)
{
	struct vd_latency *l = &v->lat;
	const char *path = v->top.spare.path;
	struct devstat b, a;
	struct stat st;
	bool ok;
	int fd;

	if (!v->top.have_spare || !path[0]) {
		snprintf(l->spare_why, sizeof(l->spare_why), "there is no spare device");
		return;
	}
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISBLK(st.st_mode)) {
		snprintf(l->spare_why, sizeof(l->spare_why), "the spare %s cannot be opened: %s",
			 path, fd < 0 ? strerror(errno) : "not a block device");
		if (fd >= 0)
			close(fd);
		return;
	}
	l->spare_rdev = st.st_rdev;
	if (devstat_read(st.st_rdev, &b)) {
		snprintf(l->spare_why, sizeof(l->spare_why), "the kernel counters of the spare %s "
			 "(/sys/dev/block/%u:%u/stat) cannot be read: %s", path, major(st.st_rdev),
			 minor(st.st_rdev), strerror(errno));
		close(fd);
		return;
	}
	ok = pread(fd, buf, v->bs, 0) == (ssize_t)v->bs;
	close(fd);
	if (!ok) {
		snprintf(l->spare_why, sizeof(l->spare_why), "a read straight from the spare %s "
			 "failed", path);
		return;
	}
	if (devstat_read(st.st_rdev, &a) || !served(&b, &a, v->bs)) {
		snprintf(l->spare_why, sizeof(l->spare_why), "a read straight from the spare %s "
			 "left its kernel read counters unchanged (its driver does not count I/O)",
			 path);
		return;
	}
	l->ev.spare_observable = true;
}

/*
 * Read block blk; 0 or -1. *from_spare: the spare's counters moved by it
 * (false when they are not watched); *right: the bytes written came back.
 */
static int read_block(struct validate *v, void *buf, uint64_t blk, bool watch,
		      bool *from_spare, bool *right, uint64_t *lat)
{
	struct devstat b, a;
	bool before = watch && devstat_read(v->lat.spare_rdev, &b) == 0;
	uint64_t t0 = now_ns();
	ssize_t n = pread(v->fd, buf, v->bs, (off_t)(blk * v->bs));
	struct vblock_mismatch mm;

	*lat = now_ns() - t0;
	v->lat.ops.attempts++;
	*from_spare = *right = false;
	if (n != (ssize_t)v->bs) {
		v->lat.ops.failed++;
		if (!v->lat.ops.first_err)
			v->lat.ops.first_err = n < 0 ? errno : EIO;
		return -1;
	}
	*from_spare = before && devstat_read(v->lat.spare_rdev, &a) == 0 && served(&b, &a, v->bs);
	*right = !((v->unwritten[blk / 8] >> (blk % 8)) & 1u) &&
		 vblock_check(buf, v->bs, blk * v->bs, DATA_GENERATION, v->data_seed, &mm) == VB_OK;
	return 0;
}

/* A random block holding no bad sector, read and timed against a remapped one. */
static void read_other(struct validate *v, void *buf, struct prng *r)
{
	uint64_t good, lat;
	bool from_spare, right;
	size_t cur;

	do {
		good = prng_below(r, v->nblocks);
		cur = 0;
	} while (vd_block_is_bad(v, good, &cur));
	if (read_block(v, buf, good, false, &from_spare, &right, &lat) == 0) {
		hist_record(&v->lat_normal, lat);
		v->lat.ev.normal_reads++;
	}
}

void vd_latency_pass(struct validate *v, void *buf)
{
	struct ev_penalty *e = &v->lat.ev;
	struct prng r;
	size_t i;
	unsigned k;

	if (v->signal)
		return;
	e->bad_blocks = v->nbad_blocks;
	spare_observable(v, buf);
	e->spare_why = v->lat.spare_why[0] ? v->lat.spare_why : NULL;
	prng_seed(&r, v->data_seed, 0x6c6174656e6379ULL);
	for (i = 0; i < v->nbad_blocks && !v->signal; i++) {
		uint64_t blk = v->bad_blocks[i], lat;
		bool from_spare, right, unwritten = (v->unwritten[blk / 8] >> (blk % 8)) & 1u;

		if (read_block(v, buf, blk, e->spare_observable, &from_spare, &right, &lat)) {
			e->probe_failed++;
			continue;
		}
		v->ok_bad_ios++;
		e->probed_ok++;
		e->probe_from_spare += from_spare;
		e->probe_right_data += right;
		e->probe_unwritten += unwritten;
		if (!from_spare || !right)
			continue;  /* not shown remapped: no latency is reported for it */
		e->proven++;
		for (k = 0; k < v->a->latency_reads && !v->signal; k++) {
			e->reads++;
			if (read_block(v, buf, blk, true, &from_spare, &right, &lat)) {
				e->reads_failed++;
			} else {
				v->ok_bad_ios++;
				if (from_spare && right) {
					e->reads_from_spare++;
					hist_record(&v->lat_remapped, lat);
				}
			}
			read_other(v, buf, &r);
			v->signal = signals_pending();
		}
	}
	v->remapped_blocks = e->proven;
	if (v->lat_remapped.count) {
		e->p50_remapped_us = (double)hist_percentile(&v->lat_remapped, 50) / 1e3;
		e->p99_remapped_us = (double)hist_percentile(&v->lat_remapped, 99) / 1e3;
	}
	if (v->lat_normal.count) {
		e->p50_normal_us = (double)hist_percentile(&v->lat_normal, 50) / 1e3;
		e->p99_normal_us = (double)hist_percentile(&v->lat_normal, 99) / 1e3;
	}
}
