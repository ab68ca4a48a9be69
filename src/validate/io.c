/*
 * The I/O of validate: synchronous O_DIRECT pread/pwrite on the device
 * under test, one block at a time (the point is the outcome of each I/O,
 * not throughput). After the flush pass (flush.c), the write pass writes
 * every block in the verify format, retrying each failed write; the read
 * pass reads every block back the same way and checks it; then the latency
 * pass (latency.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/options.h"
#include "stats/hist.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "validate/model.h"
#include "verify/block.h"

#define BIT_SET(map, i) ((map)[(i) / 8] |= (uint8_t)(1u << ((i) % 8)))
#define BIT_GET(map, i) (((map)[(i) / 8] >> ((i) % 8)) & 1u)

bool vd_block_is_bad(const struct validate *v, uint64_t blk, size_t *cursor)
{
	while (*cursor < v->nbad_blocks && v->bad_blocks[*cursor] < blk)
		(*cursor)++;
	return *cursor < v->nbad_blocks && v->bad_blocks[*cursor] == blk;
}

/* The blocks that hold a bad sector, in order. */
static int list_bad_blocks(struct validate *v)
{
	uint64_t spb = v->bs / 512, b, last = UINT64_MAX;
	unsigned i;

	v->bad_blocks = calloc(v->bad_sectors ? v->bad_sectors : 1, sizeof(uint64_t));
	if (!v->bad_blocks)
		return -1;
	for (i = 0; i < v->nbad; i++)
		for (b = v->bad[i].start / spb; b <= (v->bad[i].start + v->bad[i].len - 1) / spb;
		     b++)
			if (b != last && b < v->nblocks)
				v->bad_blocks[v->nbad_blocks++] = last = b;
	return 0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NSEC_PER_SEC),
			       .tv_nsec = (long)(ns % NSEC_PER_SEC) };

	nanosleep(&ts, NULL);
}

/*
 * One block, retried: 0 when an attempt succeeded (*lat its latency), -1
 * when none did or a stop signal came.
 */
static int block_io(struct validate *v, bool write, uint64_t blk, void *buf, bool bad,
		    struct pass_stats *ps, uint64_t *lat)
{
	uint64_t off = blk * v->bs;
	unsigned attempt;
	int first = 0, last = 0;
	bool ok = false;

	if (v->signal)
		return -1;  /* stopping: the block is neither tried nor counted */
	for (attempt = 0; attempt <= v->a->retries && !v->signal; attempt++) {
		uint64_t t0;
		ssize_t n;

		if (attempt)
			sleep_ns(v->a->retry_delay_ns);
		t0 = now_ns();
		n = write ? pwrite(v->fd, buf, v->bs, (off_t)off) :
			pread(v->fd, buf, v->bs, (off_t)off);
		*lat = now_ns() - t0;
		ps->attempts++;
		if (n == (ssize_t)v->bs) {
			ok = true;
			break;
		}
		last = n < 0 ? errno : EIO;
		if (!first)
			first = last;
		ps->failed_attempts++;
		v->signal = signals_pending();
	}
	ps->blocks++;
	ps->bad_blocks += bad;
	if (ok && bad)
		v->ok_bad_ios++;
	if (first)
		BIT_SET(v->failed_first, blk);
	if (ok && attempt == 0) {
		ps->ok_first++;
		return 0;
	}
	if (bad && first)
		ps->bad_failed_first++;
	if (ok)
		ps->recovered++;
	else
		ps->never++;
	if (first && ps->nnotes < MAX_LISTED)
		ps->notes[ps->nnotes++] = (struct io_note){
			.off = off, .write = write, .bad = bad, .attempts = attempt + ok,
			.first_err = first, .last_err = ok ? 0 : last, .recovered = ok,
		};
	return ok ? 0 : -1;
}

static void write_pass(struct validate *v, void *buf)
{
	size_t cur = 0;
	uint64_t blk, lat;

	for (blk = 0; blk < v->nblocks && !v->signal; blk++) {
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		vblock_fill(buf, v->bs, blk * v->bs, DATA_GENERATION, v->data_seed, 0,
			    (uint64_t)rt.tv_sec * NSEC_PER_SEC + (uint64_t)rt.tv_nsec);
		if (block_io(v, true, blk, buf, vd_block_is_bad(v, blk, &cur), &v->wr, &lat))
			BIT_SET(v->unwritten, blk);
		v->signal = v->signal ? v->signal : signals_pending();
	}
}

static void read_pass(struct validate *v, void *buf)
{
	size_t cur = 0;
	uint64_t blk, lat;

	for (blk = 0; blk < v->nblocks && !v->signal; blk++) {
		bool bad = vd_block_is_bad(v, blk, &cur);
		struct vblock_mismatch mm;
		enum vblock_field f;

		if (block_io(v, false, blk, buf, bad, &v->rd, &lat)) {
			v->unreadable++;
			continue;
		}
		if (BIT_GET(v->unwritten, blk)) {
			v->unchecked++;  /* never written: nothing to expect */
			continue;
		}
		v->checked++;
		f = vblock_check(buf, v->bs, blk * v->bs, DATA_GENERATION, v->data_seed, &mm);
		/* A block that needed a retry (to write or to read) is recovered only if right. */
		if (BIT_GET(v->failed_first, blk)) {
			v->recovered_checked++;
			v->recovered_wrong += f != VB_OK;
		}
		if (f == VB_OK)
			continue;
		v->wrong++;
		if (v->nwrongs < MAX_LISTED)
			v->wrongs[v->nwrongs++] = (struct wrong_block){
				.off = blk * v->bs, .field = f, .found_off = mm.found_offset,
				.found_gen = mm.found_generation, .bad = bad,
			};
		v->signal = v->signal ? v->signal : signals_pending();
	}
}

int vd_open_top(struct validate *v)
{
	int lbs = 0;

	v->fd = open(v->top.info.devnode, O_RDWR | O_DIRECT | O_EXCL | O_CLOEXEC);
	if (v->fd < 0) {
		log_error("cannot open %s: %s", v->top.info.devnode, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (ioctl(v->fd, BLKSSZGET, &lbs) || lbs <= 0)
		lbs = 512;
	v->lbs = (uint32_t)lbs;
	v->size = v->top.sectors * 512;
	v->bs = (uint32_t)v->a->bs;
	if (v->bs % v->lbs) {
		log_error("--bs: %u is not a multiple of the logical block size %u of %s", v->bs,
			  v->lbs, v->top.info.devnode);
		return EXIT_USAGE;
	}
	v->nblocks = v->size / v->bs;
	v->unwritten = calloc(v->nblocks / 8 + 1, 1);
	v->failed_first = calloc(v->nblocks / 8 + 1, 1);
	if (!v->unwritten || !v->failed_first || list_bad_blocks(v)) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	return 0;
}

int vd_run_io(struct validate *v)
{
	void *buf;

	if (posix_memalign(&buf, 4096, v->bs)) {
		log_error("out of memory for a %u-byte buffer", v->bs);
		return EXIT_RUNTIME;
	}
	vd_flush_pass(v, buf);
	write_pass(v, buf);
	read_pass(v, buf);
	vd_latency_pass(v, buf);
	free(buf);
	return 0;
}
