/*
 * The verify block format. Every verify block (the unit is the largest
 * power-of-two that divides every I/O size of the run, at least the
 * logical block size) starts with a 64-byte little-endian header:
 *
 *   0  magic        "DMRBVFY1"
 *   8  offset       byte offset of this block on the target
 *  16  generation   1..127, the block's write generation (see genmap.h)
 *  24  seed         the run's --seed
 *  32  writer       worker index
 *  36  block_size   bytes covered by this header
 *  40  timestamp    CLOCK_REALTIME ns when the block was filled
 *  48  crc          CRC32C of the whole block, this field taken as 0
 *  52  reserved     0
 *
 * The rest of the block is pseudo-random data from splitmix64 seeded by
 * (seed, offset, generation), so it can be regenerated without storing it.
 */
#ifndef DMRB_VBLOCK_H
#define DMRB_VBLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define VBLOCK_MAGIC 0x3159465642524d44ULL  /* the bytes "DMRBVFY1", little-endian */
#define VBLOCK_HDR_SIZE 64

struct vblock_hdr {
	uint64_t magic;
	uint64_t offset;
	uint64_t generation;
	uint64_t seed;
	uint32_t writer;
	uint32_t block_size;
	uint64_t timestamp_ns;
	uint32_t crc;
	uint32_t reserved;
	uint64_t reserved2;
};

_Static_assert(sizeof(struct vblock_hdr) == VBLOCK_HDR_SIZE, "header is 64 bytes");

enum vblock_field {
	VB_OK = 0,
	VB_MAGIC,        /* not a verify block: destroyed or never written by us */
	VB_OFFSET,       /* a block from elsewhere (misdirected I/O, remapped wrongly) */
	VB_SEED,         /* written by another run */
	VB_SIZE,
	VB_CRC,          /* contents changed after the write */
	VB_GENERATION,   /* an older (or newer) write: a lost or stale write */
};

struct vblock_mismatch {
	enum vblock_field field;
	uint64_t found_generation;
	uint64_t found_offset;
};

const char *vblock_field_name(enum vblock_field f);

/* Fill one block of size bs for (offset, generation). */
void vblock_fill(void *buf, uint32_t bs, uint64_t offset, uint64_t generation,
		 uint64_t seed, uint32_t writer, uint64_t timestamp_ns);
/*
 * Check one block read from offset against what the map says must be
 * there. Returns VB_OK or the first field that differs (the header fields
 * are checked before the checksum so the report names the cause).
 */
enum vblock_field vblock_check(const void *buf, uint32_t bs, uint64_t offset,
			       uint64_t generation, uint64_t seed,
			       struct vblock_mismatch *mm);

#endif
