/*
 * Verification inside the engine: writes carry verify blocks (verify/block.h),
 * reads of blocks the run wrote are checked against the generation map.
 * Each worker owns a disjoint slice of the target under --verify, and a
 * block with an I/O in flight is never picked again until it completes,
 * so every read knows exactly what must be there.
 */
#ifndef DMRB_VERIFY_IO_H
#define DMRB_VERIFY_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/ioengine.h"
#include "verify/block.h"
#include "verify/genmap.h"

#define VERIFY_BAD_MAX 100

struct verify_bad {
	uint64_t off;
	uint8_t expected, found;       /* generations */
	uint64_t found_off;
	enum vblock_field field;
};

struct verify_stats {
	uint64_t blocks_written;
	uint64_t blocks_checked;
	uint64_t blocks_unverified;    /* read, but never written by a verified run */
	uint64_t blocks_discarded;     /* discarded by the run */
	uint64_t blocks_trimmed_zero;  /* read back as zeroes after a discard */
	uint64_t bad;
	uint64_t cpu_ns;               /* filling and checking blocks */
	struct verify_bad list[VERIFY_BAD_MAX];
	unsigned nlist;
};

struct vio {
	struct genmap *map;
	uint64_t seed;
	uint32_t writer;
	struct verify_stats st;
};

/* Mark the unit's blocks in flight; false (nothing marked) if one already is. */
bool vio_claim(struct vio *v, const struct io_unit *u);
/* Unmark the blocks of a unit claimed but never submitted. */
void vio_release(struct vio *v, const struct io_unit *u);
/* Fill a write's buffer with the next generation of each block. */
void vio_prepare_write(struct vio *v, struct io_unit *u);
/* After completion: record the new generations, or check what was read. */
void vio_complete(struct vio *v, struct io_unit *u, bool ok);
void verify_stats_merge(struct verify_stats *dst, const struct verify_stats *src);

#endif
