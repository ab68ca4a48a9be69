#include "verify/block.h"

#include <stddef.h>
#include <string.h>

#include "engine/prng.h"
#include "verify/crc32c.h"

const char *vblock_field_name(enum vblock_field f)
{
	static const char *const names[] = {
		[VB_OK] = "ok", [VB_MAGIC] = "magic", [VB_OFFSET] = "offset",
		[VB_SEED] = "seed", [VB_SIZE] = "block_size", [VB_CRC] = "checksum",
		[VB_GENERATION] = "generation",
	};

	return names[f];
}

static uint32_t block_crc(const void *buf, uint32_t bs)
{
	static const uint32_t zero;
	const char *p = buf;
	uint32_t c;

	c = crc32c(0, p, offsetof(struct vblock_hdr, crc));
	c = crc32c(c, &zero, sizeof(zero));
	return crc32c(c, p + offsetof(struct vblock_hdr, reserved),
		      bs - offsetof(struct vblock_hdr, reserved));
}

void vblock_fill(void *buf, uint32_t bs, uint64_t offset, uint64_t generation,
		 uint64_t seed, uint32_t writer, uint64_t timestamp_ns)
{
	struct vblock_hdr h = {
		.magic = VBLOCK_MAGIC,
		.offset = offset,
		.generation = generation,
		.seed = seed,
		.writer = writer,
		.block_size = bs,
		.timestamp_ns = timestamp_ns,
	};
	uint64_t x = seed ^ (offset * 0x9e3779b97f4a7c15ULL) ^ (generation << 56);
	uint64_t *p = (uint64_t *)((char *)buf + VBLOCK_HDR_SIZE);
	uint32_t i;

	for (i = 0; i < (bs - VBLOCK_HDR_SIZE) / 8; i++)
		p[i] = splitmix64(&x);
	memcpy(buf, &h, sizeof(h));
	h.crc = block_crc(buf, bs);
	memcpy((char *)buf + offsetof(struct vblock_hdr, crc), &h.crc, sizeof(h.crc));
}

enum vblock_field vblock_check(const void *buf, uint32_t bs, uint64_t offset,
			       uint64_t generation, uint64_t seed,
			       struct vblock_mismatch *mm)
{
	struct vblock_hdr h;
	enum vblock_field f = VB_OK;

	memcpy(&h, buf, sizeof(h));
	mm->found_generation = h.generation;
	mm->found_offset = h.offset;
	if (h.magic != VBLOCK_MAGIC)
		f = VB_MAGIC;
	else if (h.offset != offset)
		f = VB_OFFSET;
	else if (h.seed != seed)
		f = VB_SEED;
	else if (h.block_size != bs)
		f = VB_SIZE;
	else if (h.crc != block_crc(buf, bs))
		f = VB_CRC;
	else if (h.generation != generation)
		f = VB_GENERATION;
	mm->field = f;
	return f;
}
